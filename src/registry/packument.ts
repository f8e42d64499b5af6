/**
 * Reading what a registry holds for a package (its "packument"), on undici.
 *
 * The publish preflight needs one fact per package and version: absent, present with our
 * `dist.integrity`, or present with other bytes. This module only reads; writing lives in client.ts.
 */
import { diagnostic, DiagnosticError, errorMessage } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';

/** The abbreviated packument npm installs from (`application/vnd.npm.install-v1+json`). */
export const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

export interface PublishedVersion {
  readonly version: string;
  readonly integrity: string | null;
  readonly shasum: string | null;
  readonly tarball: string | null;
  /** The version's `optionalDependencies` (a napi-rs root's platform pins); empty when none. */
  readonly optionalDependencies: Readonly<Record<string, string>>;
  /** The deprecation message, `null` when the version is not deprecated. */
  readonly deprecated: string | null;
}

export interface Packument {
  readonly name: string;
  readonly distTags: Readonly<Record<string, string>>;
  readonly versions: Readonly<Record<string, PublishedVersion>>;
}

export interface RegistryOptions {
  /** Base URL, e.g. `https://registry.npmjs.org/` or `http://127.0.0.1:4873/`. */
  readonly registry: string;
  /** Bearer token; sent only to this registry and never printed. */
  readonly token?: string;
  /** Milliseconds for connecting and for the headers (default 15 s). */
  readonly timeoutMs?: number;
}

/** `@scope/name` → `@scope%2fname`, as registries address scoped packages. */
export function packagePath(name: string): string {
  return name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Parse a packument body (full or abbreviated) into the facts the publish plan needs. */
export function parsePackument(name: string, body: unknown): Packument {
  if (!isRecord(body))
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_BAD_PACKUMENT',
        subject: name,
        message: 'the registry answered something that is not a package document',
        hint: 'check the registry URL',
      }),
    ]);
  const distTags: Record<string, string> = {};
  if (isRecord(body['dist-tags'])) {
    for (const [tag, v] of Object.entries(body['dist-tags'])) if (typeof v === 'string') distTags[tag] = v;
  }
  const versions: Record<string, PublishedVersion> = {};
  if (isRecord(body.versions)) {
    for (const [version, v] of Object.entries(body.versions)) {
      const dist = isRecord(v) && isRecord(v.dist) ? v.dist : {};
      const optional: Record<string, string> = {};
      if (isRecord(v) && isRecord(v.optionalDependencies)) {
        for (const [dep, spec] of Object.entries(v.optionalDependencies)) if (typeof spec === 'string') optional[dep] = spec;
      }
      const deprecated = isRecord(v) && typeof v.deprecated === 'string' && v.deprecated !== '' ? v.deprecated : null;
      versions[version] = {
        version,
        integrity: str(dist.integrity),
        shasum: str(dist.shasum),
        tarball: str(dist.tarball),
        optionalDependencies: optional,
        deprecated,
      };
    }
  }
  return { name, distTags, versions };
}

/** Read a package's packument; `null` when the registry does not have the package (404). */
export async function readPackument(name: string, options: RegistryOptions): Promise<Packument | null> {
  const url = new URL(packagePath(name), options.registry.endsWith('/') ? options.registry : `${options.registry}/`);
  const timeout = options.timeoutMs ?? 15_000;
  // undici only when a read is made: the pure helpers here (publishState, parsePackument) are on
  // the publish command's start-up path.
  const { request } = await import('undici');
  let response;
  try {
    response = await request(url, {
      method: 'GET',
      headers: { accept: ABBREVIATED, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
  } catch (error) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_UNREACHABLE',
        subject: url.origin,
        message: `cannot reach the registry: ${errorMessage(error)}`,
        hint: 'check --registry and the network',
      }),
    ]);
  }
  if (response.statusCode === 404) {
    await response.body.dump();
    return null;
  }
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_STATUS',
        subject: `${url.origin} ${name}`,
        message: `the registry answered ${response.statusCode} for the package document`,
        expected: '200 or 404',
        found: String(response.statusCode),
        hint:
          response.statusCode === 401 || response.statusCode === 403
            ? 'the token may lack read access'
            : "try again; a 5xx is the registry's fault",
      }),
    ]);
  }
  return parsePackument(name, await response.body.json());
}

export type PublishState =
  | { readonly state: 'absent' }
  | { readonly state: 'same'; readonly integrity: string }
  | { readonly state: 'different'; readonly ours: string; readonly theirs: string | null };

/** Where a package version stands against our tarball's integrity. */
export function publishState(packument: Packument | null, version: string, ours: string): PublishState {
  const published = packument?.versions[version];
  if (published === undefined) return { state: 'absent' };
  if (published.integrity === ours) return { state: 'same', integrity: ours };
  return { state: 'different', ours, theirs: published.integrity };
}
