/**
 * bun.lock (bun 1.2+'s text lockfile): JSON with trailing commas (and, tolerated here, comments).
 *
 *   { "lockfileVersion": 1,
 *     "workspaces": { "": { "name", "dependencies", "devDependencies", "optionalDependencies" }, "packages/a": { … } },
 *     "packages": { "name": ["name@1.2.3", "", { dependencies, optionalDependencies, … }, "sha512-…"],
 *                   "parent/child": [ … ],            // a nested copy, found as Node resolves from "parent"
 *                   "a": ["a@workspace:packages/a"] } }
 *
 * The binary `bun.lockb` is not read (bun writes the text one since 1.2: `bun install --save-text-lockfile`).
 */
import path from 'node:path';
import { errorMessage } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';
import type { PackageSource } from './inventory.js';
import {
  declaredDeps,
  lockError,
  nonRegistrySource,
  npmTarballUrl,
  splitNameVersion,
  type LockDep,
  type LockGraph,
  type LockNode,
  type LockReadOptions,
} from './lock-graph.js';

/** JSON with comments and trailing commas → a value. Strings are kept as they are. */
export function parseJsonc(text: string): unknown {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] ?? '';
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i += 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ',') {
      let j = i + 1;
      while (j < n && /\s/.test(text[j] ?? '')) j += 1;
      if (text[j] !== '}' && text[j] !== ']') out += c;
      i += 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return JSON.parse(out) as unknown;
}

/** The package names of a bun.lock key: `a/@s/b/c` → ['a', '@s/b', 'c']. */
function keySegments(key: string): string[] {
  const parts = key.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += 1) {
    const p = parts[i] ?? '';
    if (p.startsWith('@') && i + 1 < parts.length) {
      out.push(`${p}/${parts[i + 1] ?? ''}`);
      i += 1;
    } else out.push(p);
  }
  return out;
}

export function bunLockGraph(text: string, lockfile: string, importer: string, options: LockReadOptions): LockGraph {
  let doc: unknown;
  try {
    doc = parseJsonc(text);
  } catch (error) {
    throw lockError(lockfile, `bun.lock is not valid: ${errorMessage(error)}`, 'regenerate it with `bun install`');
  }
  if (!isRecord(doc) || !isRecord(doc.packages) || !isRecord(doc.workspaces)) {
    throw lockError(lockfile, 'bun.lock has no "workspaces" and "packages"', 'regenerate it with bun 1.2 or newer (`bun install`)');
  }
  const packages = doc.packages;
  const workspaces = doc.workspaces;
  const wsKey = importer === '.' ? '' : importer;
  if (!isRecord(workspaces[wsKey])) {
    throw lockError(
      lockfile,
      `bun.lock has no workspace "${wsKey}" for the root package`,
      'run `bun install` in the project so bun.lock covers the root package',
    );
  }
  const lockDir = path.dirname(lockfile);
  const nodes = new Map<string, LockNode>();
  const unlocked: string[] = [];
  const rootKey = `workspace:${wsKey}`;

  // Node's lookup over bun.lock keys: `<from>/<name>`, then each level up, then `<name>`.
  const locate = (from: string, name: string): string | null => {
    const segs = from === '' ? [] : keySegments(from);
    for (let k = segs.length; k >= 0; k -= 1) {
      const candidate = [...segs.slice(0, k), name].join('/');
      if (Array.isArray(packages[candidate])) return candidate;
    }
    return null;
  };
  const workspaceKeyByName = (name: string): string | null => {
    for (const [dir, w] of Object.entries(workspaces)) if (isRecord(w) && w.name === name) return `workspace:${dir}`;
    return null;
  };
  const depsFrom = (group: Record<string, unknown>, from: string, kind: LockDep['kind'], isRoot: boolean, out: LockDep[]): void => {
    for (const [dep, range] of Object.entries(group)) {
      if (typeof range !== 'string') continue;
      if (isRoot && options.own?.has(dep) === true) continue;
      let key: string | null = null;
      const entry = locate(from, dep);
      if (entry !== null) {
        const ident = (packages[entry] as unknown[])[0];
        key = typeof ident === 'string' && ident.includes('@workspace:') ? workspaceKeyByName(dep) : entry;
      } else if (range.startsWith('workspace:')) key = workspaceKeyByName(dep);
      if (key === null) {
        if (isRoot && kind !== 'optional') unlocked.push(`${dep}@${range}`);
        continue;
      }
      out.push({ key, alias: dep, kind });
    }
  };
  const groups = (rec: Record<string, unknown>, withDev: boolean): [Record<string, unknown>, LockDep['kind']][] => {
    const out: [Record<string, unknown>, LockDep['kind']][] = [];
    if (isRecord(rec.dependencies)) out.push([rec.dependencies, 'normal']);
    if (isRecord(rec.optionalDependencies)) out.push([rec.optionalDependencies, 'optional']);
    if (withDev && isRecord(rec.devDependencies)) out.push([rec.devDependencies, 'dev']);
    return out;
  };

  const queue: string[] = [rootKey];
  while (queue.length > 0) {
    const key = queue.shift();
    if (key === undefined || nodes.has(key)) continue;
    if (key.startsWith('workspace:')) {
      const dir = key.slice('workspace:'.length);
      const w = workspaces[dir];
      if (!isRecord(w)) continue;
      const isRoot = key === rootKey;
      const deps: LockDep[] = [];
      // A workspace's dependencies resolve from its own name's nested keys, then the top (the root: the top).
      const from = isRoot || typeof w.name !== 'string' ? '' : w.name;
      for (const [g, kind] of groups(w, isRoot && options.includeDev)) depsFrom(g, from, kind, isRoot, deps);
      // declaredDeps is only used for the optional-wins rule: a name in optionalDependencies is optional.
      const optional = new Set(
        declaredDeps(w, false)
          .filter((d) => d.kind === 'optional')
          .map((d) => d.name),
      );
      nodes.set(key, {
        name: typeof w.name === 'string' ? w.name : '',
        version: typeof w.version === 'string' ? w.version : '',
        integrity: null,
        source: { kind: 'path', location: dir === '' ? '.' : dir },
        downloadLocation: null,
        lockLicense: null,
        pathHint: path.join(lockDir, dir),
        workspace: true,
        deps: deps.map((d) => (optional.has(d.alias) && d.kind === 'normal' ? { ...d, kind: 'optional' } : d)),
      });
      queue.push(...deps.map((d) => d.key));
      continue;
    }
    const raw = packages[key];
    if (!Array.isArray(raw)) continue;
    const entry: readonly unknown[] = raw;
    const ident = typeof entry[0] === 'string' ? entry[0] : '';
    const nv = splitNameVersion(ident);
    const name = nv?.name ?? keySegments(key).pop() ?? key;
    const ref = nv?.version ?? '';
    // npm packages: [ident, registry URL or "", info, integrity]; git/github: [ident, info, bun tag]; tarball/file: [ident, info].
    const info = entry.find((x, i) => i > 0 && isRecord(x));
    const integrity = entry.find((x, i) => i > 0 && typeof x === 'string' && /^sha(1|256|384|512)-/.test(x));
    let source: PackageSource;
    let downloadLocation: string | null;
    let version = ref;
    const other = nonRegistrySource(ref);
    if (other !== null) {
      source = other.source;
      downloadLocation = other.downloadLocation;
      version = isRecord(info) && typeof info.version === 'string' ? info.version : '0.0.0-unknown';
    } else {
      const registry = typeof entry[1] === 'string' && /^https?:\/\//.test(entry[1]) ? entry[1] : options.registry;
      source = { kind: 'registry', location: registry };
      downloadLocation = npmTarballUrl(registry, name, version);
    }
    const deps: LockDep[] = [];
    if (isRecord(info)) for (const [g, kind] of groups(info, false)) depsFrom(g, key, kind, false, deps);
    nodes.set(key, {
      name,
      version,
      integrity: typeof integrity === 'string' ? integrity : null,
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
