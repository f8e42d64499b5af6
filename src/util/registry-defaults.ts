/**
 * Registry defaults: the one place the public npm registry's URL is written in src/. A leaf, so the
 * CLI's option help can name it without loading the registry client at start-up; src/registry
 * re-exports it as part of its API.
 */

/** The public npm registry, used when nothing else is configured. */
export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';
