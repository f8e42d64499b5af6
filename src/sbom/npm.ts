/**
 * The npm half of the inventory: the root package's production dependency graph, read from its
 * lockfile — `pnpm-lock.yaml` (lockfile v6 and v9) or `package-lock.json` / `npm-shrinkwrap.json`
 * (lockfile v2 and v3) — found in the root package's dir or the nearest dir above it (a workspace).
 *
 * Versions, sources and integrity come from the lockfile. The declared license (and author,
 * homepage, repository) comes from each package's own `package.json` as installed in
 * `node_modules`, found the way Node resolves it from its dependant (which works for pnpm's
 * isolated layout and npm's hoisted one alike). A package that is not installed (an optional
 * dependency for another platform, or no install at all) keeps the license npm recorded in
 * `package-lock.json` if there is one, else `licenseRaw: null` (NOASSERTION), with `installed: false`.
 * Nothing is fetched.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { diagnostic, DiagnosticError, errorMessage, type Diagnostic } from '../diagnostics/index.js';
import { DEFAULT_REGISTRY } from '../registry/url.js';
import { isRecord } from '../util/json.js';
import { readLicenseFiles } from './cargo.js';
import type { Inventory, InventoryEdge, InventoryPackage, PackageSource } from './inventory.js';
import { allTargets, platformPackageName } from '../targets/index.js';
import { bunLockGraph } from './lock-bun.js';
import {
  declaredDeps,
  lockError,
  npmTarballUrl,
  posix,
  splitNameVersion,
  stripPeers,
  type LockGraph,
  type LockNode,
} from './lock-graph.js';

export { npmTarballUrl } from './lock-graph.js';

/** Every lockfile read, in the order one is chosen when several lie in one dir and `packageManager` names none. */
export const NPM_LOCKFILES = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'npm-shrinkwrap.json', 'package-lock.json'] as const;

// ── names, PURLs, checksums ──────────────────────────────────────────────────────────────────────

/** The PURL of an npm package: the scope's `@` is percent-encoded (`pkg:npm/%40scope/name@1.0.0`). */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const ns = slash > 0 ? `${encodeURIComponent(name.slice(0, slash))}/` : '';
  const base = slash > 0 ? name.slice(slash + 1) : name;
  return `pkg:npm/${ns}${encodeURIComponent(base)}@${encodeURIComponent(version)}`;
}

/** SRI integrity (`sha512-<base64> sha1-<base64>`) → `{ algorithm, hex }` pairs, lowercase hex. */
export function integrityDigests(integrity: string | null): { algorithm: 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512'; hex: string }[] {
  if (integrity === null) return [];
  const out: { algorithm: 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512'; hex: string }[] = [];
  for (const part of integrity.trim().split(/\s+/)) {
    const m = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/=]+)(\?.*)?$/.exec(part);
    if (m?.[1] === undefined || m[2] === undefined) continue;
    const hex = Buffer.from(m[2], 'base64').toString('hex').toLowerCase();
    const algorithm = m[1].toUpperCase() as 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';
    if (!out.some((d) => d.algorithm === algorithm)) out.push({ algorithm, hex });
  }
  return out;
}

/** An npm `author`/`maintainers[0]` as one string: `Name <email> (url)` stays, `{ name, email }` becomes `Name <email>`. */
export function personString(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (isRecord(v) && typeof v.name === 'string' && v.name.trim() !== '') {
    return typeof v.email === 'string' && v.email.trim() !== '' ? `${v.name.trim()} <${v.email.trim()}>` : v.name.trim();
  }
  return null;
}

/** `license` as a string; the legacy `{ type }` object and `licenses: [{ type }]` array (several meant a choice: joined with OR). */
export function npmLicenseField(pkg: Readonly<Record<string, unknown>>): string | null {
  const one = (v: unknown): string | null => (typeof v === 'string' ? v : isRecord(v) && typeof v.type === 'string' ? v.type : null);
  const license = one(pkg.license);
  if (license !== null && license.trim() !== '') return license.trim();
  if (Array.isArray(pkg.licenses)) {
    const all = pkg.licenses.map(one).filter((x): x is string => x !== null && x.trim() !== '');
    if (all.length === 1) return all[0] ?? null;
    if (all.length > 1) return all.map((l) => (/\s/.test(l.trim()) ? `(${l.trim()})` : l.trim())).join(' OR ');
  }
  return null;
}

function repositoryUrl(v: unknown): string | null {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (isRecord(v) && typeof v.url === 'string' && v.url.trim() !== '') return v.url.trim();
  return null;
}

// ── the installed package.json ───────────────────────────────────────────────────────────────────

interface Installed {
  readonly dir: string;
  readonly manifest: Readonly<Record<string, unknown>>;
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Resolve `name` from `fromDir` as Node does (`node_modules` of it and each dir above), to a real dir. */
async function resolveInstalled(fromDir: string, name: string, stopAt: string): Promise<Installed | null> {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', ...name.split('/'));
    if (await isDir(candidate)) {
      try {
        const real = await realpath(candidate);
        const manifest = await readJson(path.join(real, 'package.json'));
        if (isRecord(manifest)) return { dir: real, manifest };
      } catch {
        // a dangling link or an unreadable package.json: not installed
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir || dir === stopAt) return null;
    dir = parent;
  }
}

// ── a lockfile, normalised ───────────────────────────────────────────────────────────────────────

/** pnpm-lock.yaml (v6 / v9) → the graph from one importer. */
export function pnpmLockGraph(
  text: string,
  lockfile: string,
  importer: string,
  options: { registry: string; includeDev: boolean },
): LockGraph {
  let doc: unknown;
  try {
    // Loaded when a pnpm lockfile is read, not with the module (a cached SBOM run never parses one).
    const yaml = createRequire(import.meta.url)('yaml') as typeof Yaml;
    doc = yaml.parse(text) as unknown;
  } catch (error) {
    throw lockError(lockfile, `pnpm-lock.yaml is not valid YAML: ${errorMessage(error)}`, 'regenerate it with `pnpm install`');
  }
  if (!isRecord(doc)) throw lockError(lockfile, 'pnpm-lock.yaml is empty', 'regenerate it with `pnpm install`');
  const version = typeof doc.lockfileVersion === 'string' || typeof doc.lockfileVersion === 'number' ? String(doc.lockfileVersion) : '';
  const major = Number.parseInt(version, 10);
  if (!(major >= 6 && major <= 9)) {
    throw lockError(
      lockfile,
      `pnpm lockfile version ${version || '?'} is not supported (6.x to 9.x are)`,
      'regenerate it with pnpm 8 or newer',
    );
  }
  const importers = isRecord(doc.importers) ? doc.importers : major < 9 && !isRecord(doc.importers) ? { '.': doc } : {};
  const imp = importers[importer];
  if (!isRecord(imp)) {
    throw lockError(
      lockfile,
      `pnpm-lock.yaml has no importer "${importer}" for the root package`,
      'run `pnpm install` in the workspace so the lockfile covers the root package',
    );
  }
  const packages = isRecord(doc.packages) ? doc.packages : {};
  const snapshots = major >= 9 ? (isRecord(doc.snapshots) ? doc.snapshots : {}) : packages;
  const lockDir = path.dirname(lockfile);
  const nodes = new Map<string, LockNode>();
  const rootKey = `importer:${importer}`;

  // A dependency reference in an importer or snapshot → the snapshot key (or a workspace link).
  const refKey = (alias: string, ref: string, fromImporter: string): string => {
    if (ref.startsWith('link:')) return `importer:${posix(path.posix.normalize(path.posix.join(fromImporter, ref.slice(5))))}`;
    const bare = stripPeers(ref);
    const aliased = splitNameVersion(bare);
    const key = aliased !== null && !/^[a-z]+:/.test(bare) && !bare.startsWith('/') ? ref : `${alias}@${ref}`;
    return major < 9 ? `/${key.startsWith('/') ? key.slice(1) : key}` : key;
  };
  const depsOf = (rec: Record<string, unknown>, fromImporter: string, withVersions: boolean): LockNode['deps'] => {
    const out: { key: string; alias: string; kind: 'normal' | 'optional' | 'dev' }[] = [];
    const groups: [string, 'normal' | 'optional' | 'dev'][] = [
      ['dependencies', 'normal'],
      ['optionalDependencies', 'optional'],
    ];
    if (withVersions && options.includeDev) groups.push(['devDependencies', 'dev']);
    for (const [field, kind] of groups) {
      const group = rec[field];
      if (!isRecord(group)) continue;
      for (const [alias, v] of Object.entries(group)) {
        const ref = typeof v === 'string' ? v : isRecord(v) && typeof v.version === 'string' ? v.version : null;
        if (ref === null) continue;
        out.push({ key: refKey(alias, ref, fromImporter), alias, kind });
      }
    }
    return out;
  };

  const addImporter = (id: string, isRootImporter: boolean): void => {
    const key = `importer:${id}`;
    if (nodes.has(key)) return;
    const rec = importers[id];
    const dir = path.join(lockDir, id);
    nodes.set(key, {
      name: '',
      version: '',
      integrity: null,
      source: { kind: 'path', location: id },
      downloadLocation: null,
      lockLicense: null,
      pathHint: dir,
      workspace: true,
      deps: isRecord(rec) ? depsOf(rec, id, isRootImporter) : [],
    });
  };
  addImporter(importer, true);

  const queue = [...(nodes.get(rootKey)?.deps ?? [])];
  while (queue.length > 0) {
    const d = queue.shift();
    if (d === undefined || nodes.has(d.key)) continue;
    if (d.key.startsWith('importer:')) {
      addImporter(d.key.slice('importer:'.length), false);
      queue.push(...(nodes.get(d.key)?.deps ?? []));
      continue;
    }
    const snap = snapshots[d.key];
    const bareKey = major >= 9 ? stripPeers(d.key) : d.key;
    const pkg = packages[major >= 9 ? bareKey : d.key];
    const nv = splitNameVersion(stripPeers(major < 9 ? d.key.slice(1) : d.key));
    const pkgRec = isRecord(pkg) ? pkg : {};
    const name = typeof pkgRec.name === 'string' ? pkgRec.name : (nv?.name ?? d.alias);
    const lockedVersion = typeof pkgRec.version === 'string' ? pkgRec.version : (nv?.version ?? '');
    const resolution = isRecord(pkgRec.resolution) ? pkgRec.resolution : {};
    const integrity = typeof resolution.integrity === 'string' ? resolution.integrity : null;
    let source: PackageSource;
    let downloadLocation: string | null;
    if (resolution.type === 'git' && typeof resolution.repo === 'string') {
      const commit = typeof resolution.commit === 'string' ? resolution.commit : null;
      source = { kind: 'git', location: `${resolution.repo}${commit === null ? '' : `#${commit}`}` };
      const repo = resolution.repo.replace(/^git\+/, '');
      downloadLocation = /^(https?|ssh|git):\/\//.test(repo) ? `git+${repo}${commit === null ? '' : `@${commit}`}` : null;
    } else if (resolution.type === 'directory' && typeof resolution.directory === 'string') {
      source = { kind: 'path', location: resolution.directory };
      downloadLocation = null;
    } else if (typeof resolution.tarball === 'string') {
      const t = resolution.tarball;
      source = /^https?:\/\//.test(t)
        ? { kind: integrity !== null && t.startsWith(options.registry) ? 'registry' : 'other', location: t }
        : { kind: 'path', location: t };
      downloadLocation = /^https?:\/\//.test(t) ? t : null;
    } else {
      source = { kind: 'registry', location: options.registry };
      downloadLocation = npmTarballUrl(options.registry, name, lockedVersion);
    }
    // The version part of a git/tarball key is a URL: the real version is in the package entry (or unknown).
    const version =
      /^[a-z+]+:/.test(lockedVersion) || lockedVersion.includes('/')
        ? typeof pkgRec.version === 'string'
          ? pkgRec.version
          : '0.0.0-unknown'
        : lockedVersion;
    const node: LockNode = {
      name,
      version,
      integrity,
      source,
      downloadLocation,
      lockLicense: null,
      pathHint: null,
      workspace: false,
      deps: isRecord(snap) ? depsOf(snap, importer, false) : [],
    };
    nodes.set(d.key, node);
    queue.push(...node.deps);
  }
  return { lockfile, rootKey, nodes };
}

/** package-lock.json / npm-shrinkwrap.json (v2 / v3) → the graph from one package path. */
export function npmLockGraph(
  text: string,
  lockfile: string,
  rootPath: string,
  options: { registry: string; includeDev: boolean },
): LockGraph {
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (error) {
    throw lockError(lockfile, `${path.basename(lockfile)} is not valid JSON: ${errorMessage(error)}`, 'regenerate it with `npm install`');
  }
  if (!isRecord(doc) || !isRecord(doc.packages)) {
    throw lockError(
      lockfile,
      `${path.basename(lockfile)} has no "packages" map (lockfile v1 is not supported)`,
      'regenerate it with npm 7 or newer (lockfileVersion 2 or 3)',
    );
  }
  const entries = doc.packages;
  const lockDir = path.dirname(lockfile);
  const nodes = new Map<string, LockNode>();
  const rootKey = rootPath;
  if (!isRecord(entries[rootPath])) {
    throw lockError(
      lockfile,
      `${path.basename(lockfile)} has no entry "${rootPath}" for the root package`,
      'run `npm install` so the lockfile covers the root package',
    );
  }
  // Node's lookup over lockfile paths: `<from>/node_modules/<name>`, then each `node_modules` level up.
  const locate = (from: string, name: string): string | null => {
    let base = from;
    for (;;) {
      const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
      if (isRecord(entries[candidate])) return candidate;
      if (base === '') return null;
      const i = base.lastIndexOf('/node_modules/');
      base =
        i >= 0
          ? base.slice(0, i)
          : base.startsWith('node_modules/')
            ? ''
            : path.posix.dirname(base) === '.'
              ? ''
              : path.posix.dirname(base);
    }
  };
  const follow = (key: string): string => {
    // Workspace links: `node_modules/x` → { link: true, resolved: "packages/x" }.
    const e = entries[key];
    return isRecord(e) && e.link === true && typeof e.resolved === 'string' ? e.resolved : key;
  };
  const queue = [rootKey];
  while (queue.length > 0) {
    const key = queue.shift();
    if (key === undefined || nodes.has(key)) continue;
    const e = entries[key];
    if (!isRecord(e)) continue;
    const isWorkspace = key === rootKey || !key.includes('node_modules/');
    const nameFromPath = key.includes('node_modules/') ? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length) : '';
    const name = typeof e.name === 'string' ? e.name : nameFromPath;
    const version = typeof e.version === 'string' ? e.version : '';
    const integrity = typeof e.integrity === 'string' ? e.integrity : null;
    const resolved = typeof e.resolved === 'string' ? e.resolved : null;
    let source: PackageSource;
    let downloadLocation: string | null;
    if (isWorkspace) {
      source = { kind: 'path', location: key === '' ? '.' : key };
      downloadLocation = null;
    } else if (resolved !== null && resolved.startsWith('git+')) {
      source = { kind: 'git', location: resolved };
      const hash = resolved.indexOf('#');
      const url = hash < 0 ? resolved : resolved.slice(0, hash);
      const rev = hash < 0 ? '' : resolved.slice(hash + 1);
      downloadLocation = /^git\+(https?|ssh|git):\/\//.test(url) ? `${url}${rev === '' ? '' : `@${rev}`}` : null;
    } else if (resolved !== null && resolved.startsWith('file:')) {
      source = { kind: 'path', location: resolved };
      downloadLocation = null;
    } else {
      source = { kind: 'registry', location: resolved ?? options.registry };
      downloadLocation = resolved !== null && /^https?:\/\//.test(resolved) ? resolved : npmTarballUrl(options.registry, name, version);
    }
    const deps: { key: string; alias: string; kind: 'normal' | 'optional' | 'dev' }[] = [];
    const groups: [string, 'normal' | 'optional' | 'dev'][] = [
      ['dependencies', 'normal'],
      ['optionalDependencies', 'optional'],
    ];
    if (key === rootKey && options.includeDev) groups.push(['devDependencies', 'dev']);
    for (const [field, kind] of groups) {
      const group = e[field];
      if (!isRecord(group)) continue;
      for (const alias of Object.keys(group)) {
        const found = locate(key, alias);
        if (found === null) continue; // an optional dependency npm did not lock (another platform)
        const target = follow(found);
        deps.push({ key: target, alias, kind });
      }
    }
    nodes.set(key, {
      name,
      version,
      integrity,
      source,
      downloadLocation,
      lockLicense: typeof e.license === 'string' ? e.license : null,
      pathHint: path.join(lockDir, ...key.split('/')),
      workspace: isWorkspace,
      deps,
    });
    queue.push(...deps.map((d) => d.key));
  }
  return { lockfile, rootKey, nodes };
}

// ── the inventory ────────────────────────────────────────────────────────────────────────────────

export interface NpmInventoryOptions {
  /** The root package dir (its package.json is the root of the graph). */
  readonly rootDir: string;
  /** Also the root's devDependencies (as `scope: 'dev'`). Default false. */
  readonly includeDev?: boolean;
  /** The registry download URLs are derived from when the lockfile records none (default the public registry). */
  readonly registry?: string;
  /** Use this lockfile instead of looking for one. */
  readonly lockfile?: string;
}

export interface NpmInventoryResult {
  readonly inventory: Inventory;
  readonly diagnostics: readonly Diagnostic[];
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export type LockfileKind = 'pnpm' | 'npm' | 'yarn' | 'bun';

const LOCKFILE_KIND: Readonly<Record<(typeof NPM_LOCKFILES)[number], LockfileKind>> = {
  'pnpm-lock.yaml': 'pnpm',
  'yarn.lock': 'yarn',
  'bun.lock': 'bun',
  'npm-shrinkwrap.json': 'npm',
  'package-lock.json': 'npm',
};

/** The package manager a package.json's `packageManager` field names (`yarn@4.5.0+sha…` → yarn), or null. */
export function packageManagerOf(manifest: Readonly<Record<string, unknown>> | null): LockfileKind | null {
  const pm = manifest?.packageManager;
  if (typeof pm !== 'string') return null;
  const name = pm.trim().split('@')[0];
  return name === 'pnpm' || name === 'npm' || name === 'yarn' || name === 'bun' ? name : null;
}

export interface FoundLockfile {
  readonly file: string;
  readonly kind: LockfileKind;
  /** Why this one, when there was a choice or a problem (several lockfiles, packageManager naming another). */
  readonly diagnostics: readonly Diagnostic[];
}

async function readManifestAt(dir: string): Promise<Record<string, unknown> | null> {
  try {
    const json = await readJson(path.join(dir, 'package.json'));
    return isRecord(json) ? json : null;
  } catch {
    return null;
  }
}

/**
 * The lockfile for the package in `dir`: the nearest dir at or above it that has one (a workspace
 * root). Where several lie there, the one of the package manager that `packageManager` names (in
 * the package's own package.json, else that dir's), else pnpm's, yarn's, bun's, then npm's.
 */
export async function findLockfile(dir: string): Promise<FoundLockfile | null> {
  const start = path.resolve(dir);
  const own = packageManagerOf(await readManifestAt(start));
  let current = start;
  for (;;) {
    const present: (typeof NPM_LOCKFILES)[number][] = [];
    for (const name of NPM_LOCKFILES) if (await exists(path.join(current, name))) present.push(name);
    const binaryBun = await exists(path.join(current, 'bun.lockb'));
    if (present.length > 0 || binaryBun) {
      const named = own ?? (current === start ? null : packageManagerOf(await readManifestAt(current)));
      const diagnostics: Diagnostic[] = [];
      const chosen = (named === null ? undefined : present.find((f) => LOCKFILE_KIND[f] === named)) ?? present[0];
      if (chosen === undefined) {
        throw lockError(
          path.join(current, 'bun.lockb'),
          'only the binary bun.lockb is here, which napi-ship does not read',
          'write the text lockfile: `bun install --save-text-lockfile` (bun 1.2+ writes bun.lock by default), and commit bun.lock',
        );
      }
      if (named !== null && LOCKFILE_KIND[chosen] !== named) {
        diagnostics.push(
          diagnostic({
            code: 'NS_SBOM_NPM_LOCKFILE_CHOICE',
            severity: 'warning',
            subject: path.join(current, chosen),
            message: `packageManager names ${named}, but there is no ${named} lockfile in ${current}: reading ${chosen}`,
            hint: `run \`${named} install\` and commit its lockfile, or correct packageManager`,
          }),
        );
      } else if (present.length > 1) {
        diagnostics.push(
          diagnostic({
            code: 'NS_SBOM_NPM_LOCKFILE_CHOICE',
            severity: named === null ? 'warning' : 'note',
            subject: path.join(current, chosen),
            message: `${present.join(', ')} are all in ${current}; reading ${chosen}${named === null ? '' : ` (packageManager names ${named})`}`,
            hint:
              named === null
                ? 'set `packageManager` in package.json to name the one you use, and delete the others'
                : 'delete the lockfiles of the package managers you do not use',
          }),
        );
      }
      return { file: path.join(current, chosen), kind: LOCKFILE_KIND[chosen], diagnostics };
    }
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/** The nearest lockfile at or above `dir` (see `findLockfile`), or null. */
export async function findNpmLockfile(dir: string): Promise<string | null> {
  return (await findLockfile(dir))?.file ?? null;
}

type NpmScope = 'normal' | 'dev';

const INSTALL_COMMAND: Readonly<Record<LockfileKind, string>> = {
  pnpm: 'pnpm install --frozen-lockfile',
  npm: 'npm ci',
  yarn: 'yarn install --immutable, with nodeLinker: node-modules',
  bun: 'bun install --frozen-lockfile',
};

function lockfileKind(file: string): LockfileKind {
  const base = path.basename(file);
  return base === 'pnpm-lock.yaml' ? 'pnpm' : base === 'yarn.lock' ? 'yarn' : base === 'bun.lock' ? 'bun' : 'npm';
}

/**
 * The release's own platform packages (`<packageName>-<platformArchABI>` for every napi-rs target):
 * `stage` adds them to the root's optionalDependencies. They are the release, not third-party
 * dependencies: never looked up in the lockfile, never listed, never judged.
 */
export function ownPlatformPackages(rootManifest: Readonly<Record<string, unknown>>): Set<string> {
  const napi = isRecord(rootManifest.napi) ? rootManifest.napi : {};
  const packageName =
    typeof napi.packageName === 'string' ? napi.packageName : typeof rootManifest.name === 'string' ? rootManifest.name : null;
  if (packageName === null) return new Set();
  return new Set(allTargets().map((t) => platformPackageName(packageName, t)));
}

/** The graph without the root's edges to its own platform packages. */
function withoutOwn(graph: LockGraph, own: ReadonlySet<string>): LockGraph {
  const root = graph.nodes.get(graph.rootKey);
  if (root === undefined || !root.deps.some((d) => own.has(d.alias))) return graph;
  const nodes = new Map(graph.nodes);
  nodes.set(graph.rootKey, { ...root, deps: root.deps.filter((d) => !own.has(d.alias)) });
  return { ...graph, nodes };
}

/** Read the root package's production (and, if asked, dev) dependency graph as an inventory. */
export async function readNpmInventory(options: NpmInventoryOptions): Promise<NpmInventoryResult> {
  const rootDir = path.resolve(options.rootDir);
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const includeDev = options.includeDev ?? false;
  const diagnostics: Diagnostic[] = [];
  const rootManifestRaw = await readJson(path.join(rootDir, 'package.json')).catch((error: unknown) => {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_ROOT_PACKAGE_MISSING',
        subject: path.join(rootDir, 'package.json'),
        message: `cannot read the root package.json: ${errorMessage(error)}`,
        hint: 'run in the root package dir, or pass --cwd DIR',
      }),
    ]);
  });
  const rootManifest = isRecord(rootManifestRaw) ? rootManifestRaw : {};
  const rootName = typeof rootManifest.name === 'string' ? rootManifest.name : path.basename(rootDir);
  const rootVersion = typeof rootManifest.version === 'string' ? rootManifest.version : '0.0.0';
  const rootPurl = npmPurl(rootName, rootVersion);

  const own = ownPlatformPackages(rootManifest);
  const found: FoundLockfile | null =
    options.lockfile === undefined
      ? await findLockfile(rootDir)
      : { file: path.resolve(options.lockfile), kind: lockfileKind(options.lockfile), diagnostics: [] };
  const lockfile = found?.file ?? null;
  let graph: LockGraph | null = null;
  if (found === null) {
    const declared = declaredDeps(rootManifest, includeDev).filter((d) => !own.has(d.name));
    diagnostics.push(
      diagnostic({
        code: 'NS_SBOM_NPM_NO_LOCKFILE',
        severity: declared.length > 0 ? 'error' : 'note',
        subject: rootDir,
        message:
          declared.length > 0
            ? `no lockfile (${NPM_LOCKFILES.join(', ')}) at or above the root package: its ${declared.length} declared dependencies (${declared
                .slice(0, 5)
                .map((d) => d.name)
                .join(', ')}${declared.length > 5 ? ', …' : ''}) cannot be listed`
            : 'no lockfile; the root package declares no third-party dependencies, so the npm SBOM lists the root only',
        hint: `commit the lockfile your package manager writes (${packageManagerOf(rootManifest) ?? 'pnpm, yarn, bun or npm'} install)`,
      }),
    );
  } else {
    diagnostics.push(...found.diagnostics);
    const text = await readFile(found.file, 'utf8');
    const rel = posix(path.relative(path.dirname(found.file), rootDir));
    const importer = rel === '' ? '.' : rel;
    const readOptions = { registry, includeDev, own };
    switch (found.kind) {
      case 'pnpm':
        graph = withoutOwn(pnpmLockGraph(text, found.file, importer, readOptions), own);
        break;
      case 'npm':
        graph = withoutOwn(npmLockGraph(text, found.file, rel, readOptions), own);
        break;
      case 'yarn': {
        // Yarn's parsers are loaded only for a yarn.lock.
        const { isYarnBerryLock, yarnBerryLockGraph, yarnClassicLockGraph } = await import('./lock-yarn.js');
        graph = isYarnBerryLock(text)
          ? yarnBerryLockGraph(text, found.file, importer, readOptions)
          : yarnClassicLockGraph(text, found.file, rootManifest, readOptions);
        break;
      }
      case 'bun':
        graph = bunLockGraph(text, found.file, importer, readOptions);
        break;
    }
    if (graph.unlocked !== undefined && graph.unlocked.length > 0) {
      diagnostics.push(
        diagnostic({
          code: 'NS_SBOM_NPM_NOT_LOCKED',
          severity: 'warning',
          subject: found.file,
          message: `${graph.unlocked.length} declared dependenc${graph.unlocked.length === 1 ? 'y is' : 'ies are'} not in ${path.basename(found.file)}, so not listed: ${graph.unlocked.slice(0, 5).join(', ')}${graph.unlocked.length > 5 ? ', …' : ''}`,
          hint: `run \`${found.kind} install\` and commit ${path.basename(found.file)}`,
        }),
      );
    }
  }

  // Scopes: production first (normal + optional edges), then dev from the root's devDependencies.
  const scopes = new Map<string, NpmScope>();
  const onlyOptional = new Map<string, boolean>();
  if (graph !== null) {
    const nodes = graph.nodes;
    const walk = (starts: readonly { key: string; kind: string }[], scope: NpmScope): void => {
      const queue = starts.map((s) => ({ key: s.key, optional: s.kind === 'optional' }));
      while (queue.length > 0) {
        const item = queue.shift();
        if (item === undefined || (scope === 'dev' && scopes.get(item.key) === 'normal')) continue;
        const before = onlyOptional.get(item.key);
        if (scopes.has(item.key) && (before === false || before === item.optional)) continue;
        if (!scopes.has(item.key)) scopes.set(item.key, scope);
        onlyOptional.set(item.key, before === undefined ? item.optional : before && item.optional);
        for (const d of nodes.get(item.key)?.deps ?? []) {
          if (d.kind === 'dev') continue;
          queue.push({ key: d.key, optional: item.optional || d.kind === 'optional' });
        }
      }
    };
    const rootDeps = nodes.get(graph.rootKey)?.deps ?? [];
    walk(
      rootDeps.filter((d) => d.kind !== 'dev'),
      'normal',
    );
    if (includeDev)
      walk(
        rootDeps.filter((d) => d.kind === 'dev'),
        'dev',
      );
  }

  // Where each package is installed: resolved from its dependant's real dir, breadth first.
  const installed = new Map<string, Installed | null>();
  const lockDir = lockfile === null ? rootDir : path.dirname(lockfile);
  if (graph !== null) {
    const queue: { key: string; alias: string; from: string }[] = (graph.nodes.get(graph.rootKey)?.deps ?? []).map((d) => ({
      key: d.key,
      alias: d.alias,
      from: rootDir,
    }));
    while (queue.length > 0) {
      const item = queue.shift();
      if (item === undefined || installed.has(item.key) || !scopes.has(item.key)) continue;
      const node = graph.nodes.get(item.key);
      let found: Installed | null = null;
      if (node?.pathHint != null) {
        try {
          const manifest = await readJson(path.join(node.pathHint, 'package.json'));
          if (isRecord(manifest)) found = { dir: await realpath(node.pathHint), manifest };
        } catch {
          found = null;
        }
      }
      found ??= await resolveInstalled(item.from, item.alias, path.parse(lockDir).root);
      if (found !== null && node !== undefined && !node.workspace && found.manifest.version !== node.version) found = null;
      installed.set(item.key, found);
      const from = found?.dir ?? null;
      if (from === null) continue;
      for (const d of node?.deps ?? []) queue.push({ key: d.key, alias: d.alias, from });
    }
  }

  const purlOf = new Map<string, string>();
  const nameVersion = new Map<string, { name: string; version: string }>();
  if (graph !== null) {
    for (const key of scopes.keys()) {
      const node = graph.nodes.get(key);
      if (node === undefined) continue;
      const inst = installed.get(key) ?? null;
      const name = node.workspace && inst !== null && typeof inst.manifest.name === 'string' ? inst.manifest.name : node.name;
      const version = node.workspace && inst !== null && typeof inst.manifest.version === 'string' ? inst.manifest.version : node.version;
      nameVersion.set(key, { name, version });
      purlOf.set(key, npmPurl(name, version));
    }
  }

  const packages = new Map<string, InventoryPackage>();
  const rootEdges: InventoryEdge[] = [];
  const edgesOf = (key: string): InventoryEdge[] => {
    const node = graph?.nodes.get(key);
    const out = new Map<string, InventoryEdge['kind']>();
    for (const d of node?.deps ?? []) {
      const purl = purlOf.get(d.key);
      if (purl === undefined || (d.kind === 'dev' && !includeDev)) continue;
      const before = out.get(purl);
      // normal beats optional beats dev when one package is depended on twice
      const rank = { normal: 0, build: 1, optional: 1, dev: 2 } as const;
      if (before === undefined || rank[d.kind] < rank[before]) out.set(purl, d.kind);
    }
    return [...out].map(([purl, kind]) => ({ purl, kind })).sort((a, b) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0));
  };
  if (graph !== null) rootEdges.push(...edgesOf(graph.rootKey));
  let notInstalled = 0;
  for (const [key, scope] of scopes) {
    const node = graph?.nodes.get(key);
    const nv = nameVersion.get(key);
    const purl = purlOf.get(key);
    if (node === undefined || nv === undefined || purl === undefined || purl === rootPurl || packages.has(purl)) continue;
    const inst = installed.get(key) ?? null;
    if (inst === null) notInstalled += 1;
    const m = inst?.manifest ?? {};
    const edges = edgesOf(key);
    packages.set(purl, {
      ecosystem: 'npm',
      name: nv.name,
      version: nv.version,
      purl,
      licenseRaw: inst !== null ? npmLicenseField(m) : node.lockLicense,
      licenseFiles: inst !== null ? await readLicenseFiles(inst.dir, null) : [],
      source: node.source,
      checksum: node.integrity,
      ...(node.checksumNote === undefined ? {} : { checksumNote: node.checksumNote }),
      supplier: personString(m.author),
      homepage: typeof m.homepage === 'string' ? m.homepage : null,
      downloadLocation: node.downloadLocation,
      scope,
      isRoot: false,
      dependsOn: edges.map((e) => e.purl),
      edges,
      repository: repositoryUrl(m.repository),
      workspaceMember: node.workspace,
      ...(onlyOptional.get(key) === true ? { optional: true } : {}),
      installed: inst !== null,
    });
  }
  if (notInstalled > 0) {
    diagnostics.push(
      diagnostic({
        code: 'NS_SBOM_NPM_NOT_INSTALLED',
        severity: 'note',
        subject: lockfile ?? rootDir,
        message: `${notInstalled} locked package(s) are not installed in node_modules (optional ones for other platforms, or no install): their license is taken from the lockfile where it records one, else NOASSERTION`,
        hint: `install first (${found === null ? 'pnpm install --frozen-lockfile / npm ci' : INSTALL_COMMAND[found.kind]}) before generating SBOMs for full license data`,
      }),
    );
  }
  const root: InventoryPackage = {
    ecosystem: 'npm',
    name: rootName,
    version: rootVersion,
    purl: rootPurl,
    licenseRaw: npmLicenseField(rootManifest),
    licenseFiles: await readLicenseFiles(rootDir, null),
    source: { kind: 'path', location: posix(path.relative(lockDir, rootDir)) || '.' },
    checksum: null,
    supplier: personString(rootManifest.author),
    homepage: typeof rootManifest.homepage === 'string' ? rootManifest.homepage : null,
    downloadLocation: null,
    scope: 'normal',
    isRoot: true,
    dependsOn: rootEdges.map((e) => e.purl),
    edges: rootEdges,
    repository: repositoryUrl(rootManifest.repository),
    workspaceMember: true,
    installed: true,
  };
  const all = [root, ...packages.values()].sort((a, b) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0));
  return {
    inventory: { ecosystem: 'npm', source: lockfile ?? path.join(rootDir, 'package.json'), roots: [rootPurl], packages: all },
    diagnostics,
  };
}
