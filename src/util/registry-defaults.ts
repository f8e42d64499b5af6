/**
 * Registry defaults: the one place the public npm registry's URL is written in src/. A leaf, so the
 * CLI's option help can name it without loading the registry client at start-up; src/registry
 * re-exports it as part of its API.
 */

/** The public npm registry, used when nothing else is configured. */
export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/**
 * Requests in flight at once against one registry (publish, status, deprecate): npm's own `maxsockets`
 * default (15). A registry far away costs a round trip per request and caps each connection's
 * bandwidth, so a release's packages go up side by side, not four at a time.
 */
export const DEFAULT_REGISTRY_CONCURRENCY = 15;
