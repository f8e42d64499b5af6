/**
 * yarn.lock, both formats, read with yarn's own parsers:
 *
 * - berry (yarn 2+, `__metadata` at the top): `@yarnpkg/parsers`' `parseSyml`. Entries are keyed by
 *   their descriptors (`name@npm:^1.0.0, name@npm:^1.1.0`) and name their `resolution` (locator); a
 *   workspace is an entry `name@workspace:path` whose `dependencies` hold its dev dependencies too,
 *   so which of them are dev is read from the workspace's package.json. Berry's `checksum` is the
 *   SHA-512 of yarn's cache archive of the package (not of the registry tarball), which the SBOM says.
 * - classic (yarn 1, `# yarn lockfile v1`): `@yarnpkg/lockfile`'s `parse`. One entry per descriptor,
 *   with the registry tarball's `integrity` and `resolved` URL; workspaces are not in it, the root's
 *   dependencies come from its package.json.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import lockfileV1 from '@yarnpkg/lockfile';
import { parseSyml } from '@yarnpkg/parsers';
import { errorMessage } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';
import type { PackageSource } from './inventory.js';
import {
  declaredDeps,
  lockError,
  nonRegistrySource,
  npmTarballUrl,
  type LockDep,
  type LockGraph,
  type LockNode,
  type LockReadOptions,
} from './lock-graph.js';

export function isYarnBerryLock(text: string): boolean {
  return /^__metadata:/m.test(text);
}

/** `@scope/name@npm:1.2.3` → `{ name: '@scope/name', range: 'npm:1.2.3' }`. */
function splitDescriptor(d: string): { name: string; range: string } | null {
  const at = d.indexOf('@', d.startsWith('@') ? 1 : 0);
  if (at <= 0) return null;
  return { name: d.slice(0, at), range: d.slice(at + 1) };
}

function readManifest(dir: string): Record<string, unknown> {
  try {
    const json: unknown = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    return isRecord(json) ? json : {};
  } catch {
    return {};
  }
}

/** A berry `checksum` (`10c0/<hex>` or a bare hex with the cache key in `__metadata`) → SRI, when it is a SHA-512. */
function berryChecksum(value: unknown, cacheKey: string | null): { integrity: string; note: string } | null {
  if (typeof value !== 'string') return null;
  const slash = value.indexOf('/');
  const key = slash < 0 ? cacheKey : value.slice(0, slash);
  const hex = slash < 0 ? value : value.slice(slash + 1);
  if (!/^[0-9a-f]{128}$/i.test(hex)) return null;
  return {
    integrity: `sha512-${Buffer.from(hex, 'hex').toString('base64')}`,
    note: `checksum from yarn.lock: the SHA-512 of yarn's cache archive of the package${key === null ? '' : ` (cache key ${key})`}, not of the registry tarball`,
  };
}

/** yarn.lock of yarn 2+ → the graph from the workspace at `importer` (relative to the lockfile's dir). */
export function yarnBerryLockGraph(text: string, lockfile: string, importer: string, options: LockReadOptions): LockGraph {
  let doc: Record<string, unknown>;
  try {
    doc = parseSyml(text);
  } catch (error) {
    throw lockError(lockfile, `yarn.lock is not valid: ${errorMessage(error)}`, 'regenerate it with `yarn install`');
  }
  const lockDir = path.dirname(lockfile);
  const meta = isRecord(doc.__metadata) ? doc.__metadata : {};
  const cacheKey = typeof meta.cacheKey === 'string' || typeof meta.cacheKey === 'number' ? String(meta.cacheKey) : null;
  const byDescriptor = new Map<string, string>();
  const entries = new Map<string, Record<string, unknown>>();
  for (const [key, value] of Object.entries(doc)) {
    if (key === '__metadata' || !isRecord(value) || typeof value.resolution !== 'string') continue;
    entries.set(value.resolution, value);
    for (const d of key.split(',')) byDescriptor.set(d.trim(), value.resolution);
  }
  const workspaceOf = (name: string): string | undefined => [...entries.keys()].find((r) => r.startsWith(`${name}@workspace:`));
  const lookup = (name: string, range: string): string | undefined => {
    const direct = byDescriptor.get(`${name}@${range}`);
    if (direct !== undefined) return direct;
    if (!/^[a-z]+:/.test(range)) {
      const npm = byDescriptor.get(`${name}@npm:${range}`);
      if (npm !== undefined) return npm;
    }
    return range.startsWith('workspace:') ? workspaceOf(name) : undefined;
  };
  const rootKey = [...entries.keys()].find((r) => r.endsWith(`@workspace:${importer}`)) ?? '';
  if (rootKey === '') {
    throw lockError(
      lockfile,
      `yarn.lock has no workspace "${importer}" for the root package`,
      'run `yarn install` in the project so yarn.lock covers the root package',
    );
  }

  const nodes = new Map<string, LockNode>();
  const unlocked: string[] = [];
  const queue = [rootKey];
  while (queue.length > 0) {
    const key = queue.shift();
    if (key === undefined || nodes.has(key)) continue;
    const e = entries.get(key);
    if (e === undefined) continue;
    const loc = splitDescriptor(key);
    const protocolRef = loc?.range ?? '';
    const isWorkspace = protocolRef.startsWith('workspace:');
    const wsDir = isWorkspace ? path.join(lockDir, protocolRef.slice('workspace:'.length)) : null;
    const manifest = wsDir === null ? {} : readManifest(wsDir);
    let name = loc?.name ?? key;
    let version = typeof e.version === 'string' ? e.version : '';
    let source: PackageSource;
    let downloadLocation: string | null = null;
    if (isWorkspace) {
      if (typeof manifest.version === 'string') version = manifest.version;
      source = { kind: 'path', location: protocolRef.slice('workspace:'.length) };
    } else if (protocolRef.startsWith('npm:')) {
      // An alias resolves to `alias@npm:real@1.2.3`.
      const inner = protocolRef.slice(4);
      const aliased = splitDescriptor(inner);
      if (aliased !== null) name = aliased.name;
      source = { kind: 'registry', location: options.registry };
      downloadLocation = npmTarballUrl(options.registry, name, version);
    } else if (protocolRef.startsWith('patch:')) {
      // `patch:name@npm%3A1.2.3#…`: a registry package with a patch yarn applies; the checksum is of the patched one.
      const inner = decodeURIComponent(protocolRef.slice(6).split('#')[0] ?? '');
      const base = splitDescriptor(inner);
      const registryBased = base?.range.startsWith('npm:') === true;
      source = registryBased ? { kind: 'registry', location: options.registry } : { kind: 'other', location: protocolRef };
      downloadLocation = registryBased ? npmTarballUrl(options.registry, name, version) : null;
    } else {
      const other = nonRegistrySource(protocolRef);
      source = other?.source ?? { kind: 'other', location: protocolRef };
      downloadLocation = other?.downloadLocation ?? null;
    }
    const checksum = isWorkspace ? null : berryChecksum(e.checksum, cacheKey);
    const meta = isRecord(e.dependenciesMeta) ? e.dependenciesMeta : {};
    const deps: LockDep[] = [];
    const declared = isWorkspace ? declaredDeps(manifest, true) : [];
    const kindOf = (dep: string): LockDep['kind'] | null => {
      const m = meta[dep];
      if (isWorkspace) {
        const d = declared.find((x) => x.name === dep);
        if (d?.kind === 'dev') return key === rootKey && options.includeDev ? 'dev' : null;
        if (d !== undefined) return d.kind;
      }
      return isRecord(m) && m.optional === true ? 'optional' : 'normal';
    };
    for (const field of ['dependencies', 'optionalDependencies']) {
      const group = e[field];
      if (!isRecord(group)) continue;
      for (const [dep, range] of Object.entries(group)) {
        if (typeof range !== 'string') continue;
        if (key === rootKey && options.own?.has(dep) === true) continue;
        const kind = field === 'optionalDependencies' ? 'optional' : kindOf(dep);
        if (kind === null) continue;
        const target = lookup(dep, range);
        if (target === undefined) {
          if (key === rootKey && kind !== 'optional') unlocked.push(`${dep}@${range}`);
          continue;
        }
        deps.push({ key: target, alias: dep, kind });
      }
    }
    nodes.set(key, {
      name: isWorkspace && typeof manifest.name === 'string' ? manifest.name : name,
      version,
      integrity: checksum?.integrity ?? null,
      ...(checksum === null ? {} : { checksumNote: checksum.note }),
      source,
      downloadLocation,
      lockLicense: null,
      pathHint: wsDir,
      workspace: isWorkspace,
      deps,
    });
    queue.push(...deps.map((d) => d.key));
  }
  return { lockfile, rootKey, nodes, unlocked };
}

/** yarn.lock of yarn 1 → the graph from the root package's package.json (`rootManifest`). */
export function yarnClassicLockGraph(
  text: string,
  lockfile: string,
  rootManifest: Readonly<Record<string, unknown>>,
  options: LockReadOptions,
): LockGraph {
  let parsed: { type: string; object: Record<string, unknown> };
  try {
    parsed = lockfileV1.parse(text, lockfile);
  } catch (error) {
    throw lockError(lockfile, `yarn.lock (v1) is not valid: ${errorMessage(error)}`, 'regenerate it with `yarn install`');
  }
  if (parsed.type === 'conflict') {
    throw lockError(lockfile, 'yarn.lock has unresolved merge conflicts', 'resolve them (`yarn install` merges simple ones) and commit');
  }
  const entries = parsed.object;
  const rootKey = 'root:';
  const nodes = new Map<string, LockNode>();
  const unlocked: string[] = [];
  const keyOf = (name: string, range: string): string | null => {
    const e = entries[`${name}@${range}`];
    return isRecord(e) && typeof e.version === 'string' ? `${name}@${e.version}#${typeof e.resolved === 'string' ? e.resolved : ''}` : null;
  };
  const entryFor = new Map<string, { name: string; e: Record<string, unknown> }>();
  const resolveDep = (name: string, range: string): string | null => {
    const key = keyOf(name, range);
    const e = entries[`${name}@${range}`];
    if (key !== null && isRecord(e)) entryFor.set(key, { name, e });
    return key;
  };
  const rootDeps: LockDep[] = [];
  for (const d of declaredDeps(rootManifest, options.includeDev)) {
    if (options.own?.has(d.name) === true) continue;
    const key = resolveDep(d.name, d.range);
    if (key === null) {
      if (d.kind !== 'optional') unlocked.push(`${d.name}@${d.range}`);
      continue;
    }
    rootDeps.push({ key, alias: d.name, kind: d.kind });
  }
  nodes.set(rootKey, {
    name: typeof rootManifest.name === 'string' ? rootManifest.name : '',
    version: typeof rootManifest.version === 'string' ? rootManifest.version : '',
    integrity: null,
    source: { kind: 'path', location: '.' },
    downloadLocation: null,
    lockLicense: null,
    pathHint: null,
    workspace: true,
    deps: rootDeps,
  });
  const queue = rootDeps.map((d) => d.key);
  while (queue.length > 0) {
    const key = queue.shift();
    if (key === undefined || nodes.has(key)) continue;
    const found = entryFor.get(key);
    if (found === undefined) continue;
    const { e } = found;
    const version = typeof e.version === 'string' ? e.version : '';
    const resolved = typeof e.resolved === 'string' ? e.resolved : null;
    const fromUrl =
      resolved === null
        ? null
        : /\/-\/[^/]+$/.test(resolved)
          ? (/^https?:\/\/[^/]+\/((?:@[^/]+\/)?[^/]+)\/-\//.exec(resolved.replace(/%2f/gi, '/'))?.[1] ?? null)
          : null;
    // `npm:real@^1` aliases: the tarball URL names the real package.
    const name = fromUrl ?? found.name;
    let source: PackageSource;
    let downloadLocation: string | null;
    const other = resolved === null ? null : nonRegistrySource(resolved);
    if (resolved !== null && /^https?:\/\//.test(resolved) && /\/-\/[^/]+\.tgz(#[0-9a-f]+)?$/.test(resolved)) {
      const url = resolved.replace(/#.*$/, '');
      source = { kind: 'registry', location: url.slice(0, url.indexOf(`/${name}/-/`) + 1) || options.registry };
      downloadLocation = url;
    } else if (other !== null) {
      source = other.source;
      downloadLocation = other.downloadLocation;
    } else {
      source = { kind: 'registry', location: options.registry };
      downloadLocation = npmTarballUrl(options.registry, name, version);
    }
    // No `integrity` (very old lockfiles): the sha1 in the resolved URL's fragment.
    const sha1 = resolved === null ? null : /#([0-9a-f]{40})$/.exec(resolved)?.[1];
    const integrity =
      typeof e.integrity === 'string'
        ? e.integrity
        : sha1 === undefined || sha1 === null
          ? null
          : `sha1-${Buffer.from(sha1, 'hex').toString('base64')}`;
    const deps: LockDep[] = [];
    for (const [field, kind] of [
      ['dependencies', 'normal'],
      ['optionalDependencies', 'optional'],
    ] as const) {
      const group = e[field];
      if (!isRecord(group)) continue;
      for (const [dep, range] of Object.entries(group)) {
        if (typeof range !== 'string') continue;
        const k = resolveDep(dep, range);
        if (k !== null) deps.push({ key: k, alias: dep, kind });
      }
    }
    nodes.set(key, {
      name,
      version,
      integrity,
      source,
      downloadLocation,
      lockLicense: null,
      pathHint: null,
      workspace: false,
      deps,
    });
    queue.push(...deps.map((d) => d.key));
  }
  return { lockfile, rootKey, nodes, unlocked };
}
