/**
 * The Rust half of the inventory: the crates in the addon crate's shipped dependency graph, from
 * `cargo metadata --locked` (names, versions, sources, the license each crate's own `Cargo.toml`
 * declares, authors) and `Cargo.lock` (registry checksums).
 *
 * Offline by construction: `cargo metadata --offline` reads the crates' manifests from the local
 * registry cache (or a vendor dir configured as a source replacement). Only when a crate is missing
 * there does it run `cargo fetch --locked` — cargo's own download of the locked `.crate` files from
 * the registry — and never asks a web API anything.
 *
 * The graph is walked from the addon crate: normal dependencies are `scope: 'normal'`, what is only
 * reached through a `[build-dependencies]` edge is `'build'`, the addon's own `[dev-dependencies]`
 * (when asked for) `'dev'`. With target triples, `--filter-platform` is used per triple and the
 * graphs are united; a crate that only some targets pull in lists them in `targets`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { diagnostic, DiagnosticError, errorMessage, type Diagnostic } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';
import { chooseAddonCrate } from './addon-crate.js';
import type { Inventory, InventoryEdge, InventoryPackage, PackageSource } from './inventory.js';

const execFileAsync = promisify(execFile);

export const CRATES_IO_SOURCES: ReadonlySet<string> = new Set([
  'registry+https://github.com/rust-lang/crates.io-index',
  'sparse+https://index.crates.io/',
]);

// ── Cargo.lock ───────────────────────────────────────────────────────────────────────────────────

export interface CargoLockEntry {
  readonly name: string;
  readonly version: string;
  readonly source: string | null;
  readonly checksum: string | null;
}

/** `name version source` — how a lock entry is found again from `cargo metadata`. */
export function cargoLockKey(name: string, version: string, source: string | null): string {
  return `${name} ${version} ${source ?? ''}`;
}

function tomlString(value: string): string | null {
  const m = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(value.trim());
  return m?.[1] === undefined ? null : m[1].replace(/\\(.)/g, '$1');
}

/**
 * The `[[package]]` entries of a Cargo.lock (any lockfile version cargo writes: v1's
 * `[metadata]` checksums too). Cargo writes this file in one fixed shape, so a line reader is
 * enough: only `name`, `version`, `source` and `checksum` are read.
 */
export function parseCargoLock(text: string): Map<string, CargoLockEntry> {
  const out = new Map<string, CargoLockEntry>();
  const v1Checksums = new Map<string, string>();
  let current: Record<string, string> | null = null;
  let inMetadata = false;
  const flush = (): void => {
    if (current?.name !== undefined && current.version !== undefined) {
      const source = current.source ?? null;
      out.set(cargoLockKey(current.name, current.version, source), {
        name: current.name,
        version: current.version,
        source,
        checksum: current.checksum ?? null,
      });
    }
    current = null;
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      flush();
      inMetadata = line === '[metadata]';
      if (line === '[[package]]') current = {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = tomlString(line.slice(eq + 1));
    if (value === null) continue;
    if (current !== null && ['name', 'version', 'source', 'checksum'].includes(key)) current[key] = value;
    if (inMetadata) {
      // v1: "checksum NAME VERSION (SOURCE)" = "HEX"
      const m = /^"checksum (\S+) (\S+) \((.+)\)"$/.exec(key);
      if (m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined && value !== '<none>')
        v1Checksums.set(cargoLockKey(m[1], m[2], m[3]), value);
    }
  }
  flush();
  for (const [key, checksum] of v1Checksums) {
    const entry = out.get(key);
    if (entry && entry.checksum === null) out.set(key, { ...entry, checksum });
  }
  return out;
}

// ── cargo metadata ───────────────────────────────────────────────────────────────────────────────

interface MetaPackage {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly source: string | null;
  readonly license: string | null;
  readonly licenseFile: string | null;
  readonly authors: readonly string[];
  readonly homepage: string | null;
  readonly repository: string | null;
  readonly manifestPath: string;
  /** Crate types of its lib target (`cdylib`, `rlib`, …); empty when it has none. */
  readonly libKinds: readonly string[];
  /** Names of its declared dependencies (any kind). */
  readonly dependencyNames: readonly string[];
}

interface MetaDep {
  readonly pkg: string;
  /** `null` (normal), `build` or `dev`. */
  readonly kinds: readonly (string | null)[];
}

export interface CargoMetadata {
  readonly packages: ReadonlyMap<string, MetaPackage>;
  readonly nodes: ReadonlyMap<string, readonly MetaDep[]>;
  readonly root: string | null;
  readonly workspaceMembers: ReadonlySet<string>;
  readonly workspaceRoot: string;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function metadataError(subject: string, message: string, hint: string): DiagnosticError {
  return new DiagnosticError([diagnostic({ code: 'NS_SBOM_CARGO_METADATA', subject, message, hint })]);
}

/** Read the parts of `cargo metadata --format-version 1` output the inventory needs. */
export function parseCargoMetadata(json: unknown, subject = 'cargo metadata'): CargoMetadata {
  if (!isRecord(json) || !Array.isArray(json.packages) || !isRecord(json.resolve) || !Array.isArray(json.resolve.nodes)) {
    throw metadataError(
      subject,
      '`cargo metadata` printed something that is not format version 1 with a resolve graph',
      'run it by hand: cargo metadata --format-version 1 --locked',
    );
  }
  const packages = new Map<string, MetaPackage>();
  for (const p of json.packages as unknown[]) {
    if (!isRecord(p)) continue;
    const id = str(p.id);
    const name = str(p.name);
    const version = str(p.version);
    const manifestPath = str(p.manifest_path);
    if (id === null || name === null || version === null || manifestPath === null) continue;
    packages.set(id, {
      id,
      name,
      version,
      manifestPath,
      source: str(p.source),
      license: str(p.license),
      licenseFile: str(p.license_file),
      authors: Array.isArray(p.authors) ? p.authors.filter((a): a is string => typeof a === 'string') : [],
      homepage: str(p.homepage),
      repository: str(p.repository),
      libKinds: Array.isArray(p.targets)
        ? p.targets.flatMap((t: unknown) =>
            isRecord(t) &&
            Array.isArray(t.kind) &&
            t.kind.some((k: unknown) => k === 'lib' || k === 'cdylib' || k === 'rlib' || k === 'staticlib' || k === 'dylib')
              ? (Array.isArray(t.crate_types) ? t.crate_types : t.kind).filter((k: unknown): k is string => typeof k === 'string')
              : [],
          )
        : [],
      dependencyNames: Array.isArray(p.dependencies)
        ? p.dependencies.flatMap((d: unknown) => (isRecord(d) && typeof d.name === 'string' ? [d.name] : []))
        : [],
    });
  }
  const nodes = new Map<string, MetaDep[]>();
  for (const n of json.resolve.nodes as unknown[]) {
    if (!isRecord(n) || typeof n.id !== 'string' || !Array.isArray(n.deps)) continue;
    const deps: MetaDep[] = [];
    for (const d of n.deps as unknown[]) {
      if (!isRecord(d) || typeof d.pkg !== 'string') continue;
      const kinds = Array.isArray(d.dep_kinds)
        ? d.dep_kinds.map((k: unknown) => (isRecord(k) && typeof k.kind === 'string' ? k.kind : null))
        : [null];
      deps.push({ pkg: d.pkg, kinds });
    }
    nodes.set(n.id, deps);
  }
  const members = Array.isArray(json.workspace_members) ? json.workspace_members.filter((m): m is string => typeof m === 'string') : [];
  return {
    packages,
    nodes,
    root: str(json.resolve.root),
    workspaceMembers: new Set(members),
    workspaceRoot: str(json.workspace_root) ?? '',
  };
}

export interface CargoCommandOptions {
  /** The cargo executable (default `cargo`). */
  readonly cargo?: string;
  readonly env?: NodeJS.ProcessEnv;
}

async function runCargo(args: readonly string[], options: CargoCommandOptions, cwd: string): Promise<string> {
  const { stdout } = await execFileAsync(options.cargo ?? 'cargo', [...args], {
    cwd,
    env: options.env ?? process.env,
    maxBuffer: 512 * 1024 * 1024,
    timeout: 10 * 60_000,
    windowsHide: true,
  });
  return stdout;
}

function stderrOf(error: unknown): string {
  return isRecord(error) && typeof error.stderr === 'string' && error.stderr.trim() !== '' ? error.stderr.trim() : errorMessage(error);
}

/**
 * Run a cargo command with `--locked --offline` (reading the local registry cache). When the cache
 * lacks a crate: `cargo fetch --locked` once (unless `fetch: false`), then again offline.
 */
async function runLockedOffline(
  args: readonly string[],
  manifestPath: string,
  what: string,
  options: CargoCommandOptions & { readonly fetch?: boolean },
): Promise<string> {
  const cwd = path.dirname(manifestPath);
  const full = [...args, '--locked', '--offline', '--manifest-path', manifestPath];
  try {
    return await runCargo(full, options, cwd);
  } catch (first) {
    const text = stderrOf(first);
    if (/--locked|lock file needs to be updated/i.test(text) && !/offline/i.test(text)) {
      throw metadataError(
        manifestPath,
        `Cargo.lock is not up to date with ${manifestPath}: ${text}`,
        'run `cargo update -w` (or build once) and commit Cargo.lock; SBOMs describe the locked graph only',
      );
    }
    if (options.fetch === false) {
      throw metadataError(
        manifestPath,
        `${what} failed offline: ${text}`,
        'run `cargo fetch --locked` first (the crates must be in the local registry cache or a vendor dir)',
      );
    }
    try {
      await runCargo(['fetch', '--locked', '--manifest-path', manifestPath], options, cwd);
      return await runCargo(full, options, cwd);
    } catch (second) {
      throw metadataError(
        manifestPath,
        `${what} failed: ${stderrOf(second)}`,
        `check that \`${what} --locked\` works in the addon crate, and that the registry is reachable for \`cargo fetch --locked\``,
      );
    }
  }
}

/** `cargo metadata --format-version 1 --locked --offline` for one platform (or all, with `null`). */
export async function cargoMetadata(
  manifestPath: string,
  target: string | null,
  options: CargoCommandOptions & { readonly fetch?: boolean } = {},
): Promise<CargoMetadata> {
  const stdout = await runLockedOffline(
    ['metadata', '--format-version', '1', ...(target === null ? [] : ['--filter-platform', target])],
    manifestPath,
    'cargo metadata',
    options,
  );
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (error) {
    throw metadataError(
      manifestPath,
      `cargo metadata printed invalid JSON: ${errorMessage(error)}`,
      'run it by hand to see what it prints',
    );
  }
  return parseCargoMetadata(json, manifestPath);
}

// ── cargo tree: what one crate compiles, per target ─────────────────────────────────────────────

/** One edge of a `cargo tree` graph, between display names (`name v1.2.3 (source)`). */
export interface TreeEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'normal' | 'build' | 'dev';
}

export interface ParsedTree {
  readonly root: string;
  readonly nodes: ReadonlySet<string>;
  readonly edges: readonly TreeEdge[];
  /** Nodes printed as `(*)`: already shown (maybe in an earlier tree), their dependencies not repeated here. */
  readonly starred: ReadonlySet<string>;
}

/** `name v1.2.3 (/path) (proc-macro) (*)` → `name v1.2.3 (/path)`. */
function treeNodeKey(text: string): string {
  return text
    .replace(/ \(\*\)$/, '')
    .replace(/ \(proc-macro\)$/, '')
    .trim();
}

/**
 * `cargo tree --charset ascii -f {p}` output → one graph per tree (cargo prints one tree per
 * `--target`, in the order of its sorted target list), with edge kinds from the
 * `[build-dependencies]` / `[dev-dependencies]` headers. Pure.
 *
 * cargo prints a node's dependencies once for the whole output: a host node (a proc-macro, a build
 * dependency and what it depends on, the same for every target) expanded in the first tree is `(*)`
 * in the next. `completeTrees` fills those in.
 */
export function parseCargoTree(text: string): ParsedTree[] {
  const trees: ParsedTree[] = [];
  let root: string | null = null;
  let nodes = new Set<string>();
  let edges: TreeEdge[] = [];
  let starred = new Set<string>();
  // stack[d] = the node at depth d; kinds[d] = the edge kind of children at depth d (from headers).
  const stack: string[] = [];
  const kinds: ('normal' | 'build' | 'dev')[] = [];
  const flush = (): void => {
    if (root !== null) trees.push({ root, nodes, edges, starred });
    root = null;
    nodes = new Set();
    edges = [];
    starred = new Set();
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    if (line === '') {
      flush();
      continue;
    }
    const m = /^((?:\|   |    |\|-- |`-- )*)(.*)$/.exec(line);
    const prefix = m?.[1] ?? '';
    const body = m?.[2] ?? line;
    const depth = prefix.length / 4;
    const header = /^\[(build|dev)-dependencies\]$/.exec(body);
    if (header !== null) {
      kinds[depth + 1] = header[1] === 'build' ? 'build' : 'dev';
      continue;
    }
    const key = treeNodeKey(body);
    if (depth === 0) {
      flush();
      root = key;
      nodes.add(key);
      stack.length = 0;
      stack[0] = key;
      kinds.length = 0;
      continue;
    }
    // A node line that starts a new sibling group below its parent resets the kind to normal.
    if (prefix.endsWith('|-- ') || prefix.endsWith('`-- ')) {
      const parent = stack[depth - 1];
      if (parent === undefined) continue;
      stack[depth] = key;
      stack.length = depth + 1;
      kinds.length = Math.min(kinds.length, depth + 2);
      nodes.add(key);
      if (body.endsWith(' (*)')) starred.add(key);
      edges.push({ from: parent, to: key, kind: kinds[depth] ?? 'normal' });
      kinds[depth + 1] = 'normal';
    }
  }
  flush();
  return trees;
}

/**
 * Each tree's edges with the dependencies of its `(*)` nodes filled in from where cargo expanded
 * them (an earlier tree, for host nodes), and from them on down. Pure.
 */
export function completeTrees(trees: readonly ParsedTree[]): TreeEdge[][] {
  const firstExpansion = new Map<string, TreeEdge[]>();
  for (const t of trees) {
    const own = new Map<string, TreeEdge[]>();
    for (const e of t.edges) own.set(e.from, [...(own.get(e.from) ?? []), e]);
    for (const [k, list] of own) if (!firstExpansion.has(k)) firstExpansion.set(k, list);
  }
  return trees.map((t) => {
    const own = new Map<string, TreeEdge[]>();
    for (const e of t.edges) own.set(e.from, [...(own.get(e.from) ?? []), e]);
    const out: TreeEdge[] = [];
    const seen = new Set<string>();
    const queue: { key: string; filled: boolean }[] = [{ key: t.root, filled: false }];
    while (queue.length > 0) {
      const item = queue.shift();
      if (item === undefined) continue;
      const id = `${item.key}\0${String(item.filled)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const mine = own.get(item.key);
      const filled = mine === undefined && (item.filled || t.starred.has(item.key));
      const deps = mine ?? (filled ? (firstExpansion.get(item.key) ?? []) : []);
      for (const e of deps) {
        out.push(e);
        queue.push({ key: e.to, filled });
      }
    }
    return out;
  });
}

/** `cargo tree` for one package, every target at once (one tree per target), edges normal+build (+dev). */
export async function cargoTree(
  manifestPath: string,
  spec: string,
  targets: readonly string[],
  options: CargoCommandOptions & { readonly fetch?: boolean; readonly includeDev?: boolean } = {},
): Promise<string> {
  return runLockedOffline(
    [
      'tree',
      '-p',
      spec,
      '-e',
      options.includeDev === true ? 'normal,build,dev' : 'normal,build',
      ...(targets.length === 0 ? ['--target', 'all'] : targets.flatMap((t) => ['--target', t])),
      '--charset',
      'ascii',
      '-f',
      '{p}',
    ],
    manifestPath,
    'cargo tree',
    options,
  );
}

// ── the graph ────────────────────────────────────────────────────────────────────────────────────

export type CargoScope = 'normal' | 'build' | 'dev';

export interface CargoWalkOptions {
  /** Keep crates reached only through build-dependency edges (as `scope: 'build'`). Default true. */
  readonly includeBuild?: boolean;
  /** Keep the addon crate's own dev-dependencies (as `scope: 'dev'`). Default false. */
  readonly includeDev?: boolean;
}

export interface CargoWalk {
  /** Package id → its scope. */
  readonly scopes: ReadonlyMap<string, CargoScope>;
  /** Package id → its included direct dependencies and the kind of each edge. */
  readonly edges: ReadonlyMap<string, ReadonlyMap<string, CargoScope>>;
}

function edgeKind(kinds: readonly (string | null)[]): CargoScope {
  if (kinds.some((k) => k === null || k === 'normal')) return 'normal';
  if (kinds.includes('build')) return 'build';
  return 'dev';
}

/** Walk the resolve graph from the root crate. Pure. */
export function walkCargoGraph(meta: CargoMetadata, rootId: string, options: CargoWalkOptions = {}): CargoWalk {
  const includeBuild = options.includeBuild ?? true;
  const includeDev = options.includeDev ?? false;
  const scopes = new Map<string, CargoScope>();
  const depsOf = (id: string): readonly MetaDep[] => meta.nodes.get(id) ?? [];
  // Closure from `starts` over edges whose kind is allowed, marking unmarked nodes with `scope`.
  const close = (starts: readonly string[], scope: CargoScope, follow: (k: CargoScope) => boolean): void => {
    const queue = starts.filter((s) => !scopes.has(s));
    for (const s of queue) scopes.set(s, scope);
    while (queue.length > 0) {
      const id = queue.shift() ?? '';
      for (const d of depsOf(id)) {
        const k = edgeKind(d.kinds);
        if (k === 'dev' || !follow(k) || scopes.has(d.pkg)) continue;
        scopes.set(d.pkg, scope);
        queue.push(d.pkg);
      }
    }
  };
  close([rootId], 'normal', (k) => k === 'normal');
  if (includeBuild) {
    const normal = [...scopes.keys()];
    const buildStarts = normal.flatMap((id) =>
      depsOf(id)
        .filter((d) => edgeKind(d.kinds) === 'build')
        .map((d) => d.pkg),
    );
    close(buildStarts, 'build', (k) => k === 'normal' || k === 'build');
  }
  if (includeDev) {
    const devStarts = depsOf(rootId)
      .filter((d) => d.kinds.includes('dev'))
      .map((d) => d.pkg);
    close(devStarts, 'dev', (k) => k === 'normal' || (includeBuild && k === 'build'));
  }
  const edges = new Map<string, Map<string, CargoScope>>();
  for (const id of scopes.keys()) {
    const out = new Map<string, CargoScope>();
    for (const d of depsOf(id)) {
      if (!scopes.has(d.pkg)) continue;
      // Dev edges only from the root (cargo resolves dev-dependencies of workspace members only,
      // and only the root's are part of this graph).
      const kinds = d.kinds.filter((k) => (k === 'dev' ? id === rootId && includeDev : k === 'build' ? includeBuild : true));
      if (kinds.length === 0) continue;
      out.set(d.pkg, edgeKind(kinds));
    }
    edges.set(id, out);
  }
  return { scopes, edges };
}

// ── sources, PURLs, download locations ──────────────────────────────────────────────────────────

/** What a cargo `source` string says about where a crate comes from. */
export function cargoSource(source: string | null, manifestDir: string, workspaceRoot: string): PackageSource {
  if (source === null) {
    const rel = path.relative(workspaceRoot, manifestDir).split(path.sep).join('/');
    return { kind: 'path', location: rel === '' ? '.' : rel };
  }
  if (source.startsWith('registry+') || source.startsWith('sparse+')) return { kind: 'registry', location: source };
  if (source.startsWith('git+')) return { kind: 'git', location: source };
  return { kind: 'other', location: source };
}

/** `git+https://host/repo?branch=x#sha` → `{ url: 'https://host/repo', rev: 'sha' }`. */
export function parseCargoGitSource(source: string): { readonly url: string; readonly rev: string | null } | null {
  if (!source.startsWith('git+')) return null;
  const rest = source.slice(4);
  const hash = rest.indexOf('#');
  const base = hash < 0 ? rest : rest.slice(0, hash);
  const rev = hash < 0 ? null : rest.slice(hash + 1);
  const q = base.indexOf('?');
  return { url: q < 0 ? base : base.slice(0, q), rev: rev === '' ? null : rev };
}

/** The PURL of a crate: `pkg:cargo/name@version`, with `vcs_url` / `repository_url` for non-crates.io sources. */
export function cargoPurl(name: string, version: string, source: string | null): string {
  const base = `pkg:cargo/${encodeURIComponent(name)}@${encodeURIComponent(version)}`;
  if (source === null || CRATES_IO_SOURCES.has(source)) return base;
  const git = parseCargoGitSource(source);
  if (git !== null) return `${base}?vcs_url=${encodeURIComponent(`git+${git.url}${git.rev === null ? '' : `@${git.rev}`}`)}`;
  const registry = source.replace(/^(registry|sparse)\+/, '');
  return `${base}?repository_url=${encodeURIComponent(registry)}`;
}

/** Where the crate's source is downloaded from; `null` where there is no URL to give (path crates, unknown registries). */
export function cargoDownloadLocation(name: string, version: string, source: string | null): string | null {
  if (source === null) return null;
  if (CRATES_IO_SOURCES.has(source))
    return `https://crates.io/api/v1/crates/${encodeURIComponent(name)}/${encodeURIComponent(version)}/download`;
  const git = parseCargoGitSource(source);
  if (git !== null && /^(https?|ssh|git):\/\//.test(git.url)) return `git+${git.url}${git.rev === null ? '' : `@${git.rev}`}`;
  return null;
}

// ── license files ────────────────────────────────────────────────────────────────────────────────

const LICENSE_FILE = /^(licen[cs]e|copying|unlicense|notice|copyright)([-._].*)?$/i;

/** License files at the top of a package dir (plus one it names), with their sha256. Never throws. */
export async function readLicenseFiles(dir: string, named: string | null): Promise<{ path: string; sha256: string }[]> {
  let entries: string[] = [];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && LICENSE_FILE.test(e.name)).map((e) => e.name);
  } catch {
    return [];
  }
  const wanted = new Set(entries);
  if (named !== null && named !== '') wanted.add(path.normalize(named).split(path.sep).join('/'));
  const out: { path: string; sha256: string }[] = [];
  for (const rel of [...wanted].sort()) {
    try {
      const bytes = await readFile(path.join(dir, rel));
      out.push({ path: rel, sha256: createHash('sha256').update(bytes).digest('hex') });
    } catch {
      // a `license-file` that is not there: nothing to hash
    }
  }
  return out;
}

// ── the inventory ────────────────────────────────────────────────────────────────────────────────

export interface CargoInventoryOptions extends CargoWalkOptions, CargoCommandOptions {
  /** The addon crate's `Cargo.toml`, or the workspace's to find the addon crate in. */
  readonly manifestPath: string;
  /** The crate `napi build -p` names, when the build script names one. */
  readonly packageName?: string | null;
  /** The root package dir (for messages and for preferring the crate beside package.json). */
  readonly rootDir?: string;
  /** How `manifestPath` was found (for the notes). */
  readonly how?: string;
  /** Target triples of the shipped graph (one `cargo tree` tree each); empty or absent: every platform. */
  readonly targets?: readonly string[];
  /** Run `cargo fetch --locked` when the local registry cache lacks a crate (default true). */
  readonly fetch?: boolean;
}

export interface CargoInventoryResult {
  readonly inventory: Inventory;
  readonly diagnostics: readonly Diagnostic[];
  /** What to tell the user: which crate, and whether the graph is locked. */
  readonly notes: readonly string[];
  /**
   * The files the graph was read from besides Cargo.lock (every path crate's Cargo.toml, `dir/` for
   * its license files, the workspace's Cargo.toml, `.cargo/config.toml` above it): what a cached
   * copy must find unchanged. Empty when nothing was locked (resolved now: not cacheable).
   */
  readonly inputs: readonly string[];
}

/** Cargo config files cargo would read for a workspace at `root` (its dir and every dir above it). */
function cargoConfigCandidates(root: string): string[] {
  const out: string[] = [];
  for (let d = path.resolve(root); ; d = path.dirname(d)) {
    out.push(path.join(d, '.cargo', 'config.toml'), path.join(d, '.cargo', 'config'));
    if (path.dirname(d) === d) return out;
  }
}

const SCOPE_RANK: Record<CargoScope, number> = { normal: 0, build: 1, dev: 2 };

/** The workspace root of a manifest (`cargo locate-project --workspace`). */
async function workspaceRootOf(manifestPath: string, options: CargoCommandOptions): Promise<string> {
  try {
    const out = await runCargo(
      ['locate-project', '--workspace', '--message-format', 'plain', '--manifest-path', manifestPath],
      options,
      path.dirname(manifestPath),
    );
    return path.dirname(out.trim());
  } catch (error) {
    throw metadataError(
      manifestPath,
      `cargo cannot read ${manifestPath}: ${stderrOf(error)}`,
      'run `cargo metadata` in the crate to see what is wrong',
    );
  }
}

const SCRATCH_SKIP = new Set(['target', 'node_modules', '.git', '.cache', 'dist', '.yarn', '.pnpm-store']);

/**
 * No Cargo.lock: copy the workspace (without target/, node_modules/, .git/ …) into a scratch dir and
 * resolve there (`cargo generate-lockfile`, offline first). The user's tree is never written.
 */
async function resolveInScratch(workspaceRoot: string, options: CargoCommandOptions): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-cargo-resolve-'));
  const copy = path.join(scratch, path.basename(workspaceRoot));
  await cp(workspaceRoot, copy, {
    recursive: true,
    filter: (src) => !SCRATCH_SKIP.has(path.basename(src)) || src === workspaceRoot,
  });
  const manifest = path.join(copy, 'Cargo.toml');
  try {
    await runCargo(['generate-lockfile', '--offline', '--manifest-path', manifest], options, copy);
  } catch {
    try {
      await runCargo(['generate-lockfile', '--manifest-path', manifest], options, copy);
    } catch (error) {
      await rm(scratch, { recursive: true, force: true });
      throw metadataError(
        path.join(workspaceRoot, 'Cargo.toml'),
        `no Cargo.lock, and resolving the dependencies in a scratch copy failed: ${stderrOf(error)}`,
        'commit Cargo.lock (cargo generate-lockfile writes it); path dependencies outside the workspace cannot be resolved in a copy',
      );
    }
  }
  return copy;
}

/** `name v1.2.3 (source)` of a package as `cargo tree -f {p}` prints it, for matching tree lines to metadata. */
function treeKeysOf(p: MetaPackage): string[] {
  const base = `${p.name} v${p.version}`;
  if (p.source === null) return [`${base} (${path.dirname(p.manifestPath)})`, base];
  if (CRATES_IO_SOURCES.has(p.source)) return [base];
  const git = parseCargoGitSource(p.source);
  if (git !== null) return [`${base} (${p.source.replace(/^git\+/, '')})`, base];
  return [`${base} (registry \`${p.source.replace(/^(registry|sparse)\+/, '')}\`)`, base];
}

/** Read the addon crate's shipped dependency graph as an inventory. */
export async function readCargoInventory(options: CargoInventoryOptions): Promise<CargoInventoryResult> {
  const givenManifest = path.resolve(options.manifestPath);
  const rootDir = path.resolve(options.rootDir ?? path.dirname(givenManifest));
  const targets = [...new Set(options.targets ?? [])].sort();
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];

  // No Cargo.lock: resolve in a scratch copy, and say so.
  const realWorkspaceRoot = await workspaceRootOf(givenManifest, options);
  const locked = existsSync(path.join(realWorkspaceRoot, 'Cargo.lock'));
  const workRoot = locked ? realWorkspaceRoot : await resolveInScratch(realWorkspaceRoot, options);
  const manifestPath = locked ? givenManifest : path.join(workRoot, path.relative(realWorkspaceRoot, givenManifest));
  const unlockedNote = `No Cargo.lock is committed: crate versions were resolved now (cargo generate-lockfile in a scratch copy of ${realWorkspaceRoot}), not locked; a build later may resolve others.`;
  try {
    const full = await cargoMetadata(manifestPath, null, options);
    const members = [...full.workspaceMembers].flatMap((id) => {
      const p = full.packages.get(id);
      return p === undefined ? [] : [p];
    });
    const choice = chooseAddonCrate({
      members,
      manifestPath,
      packageName: options.packageName ?? null,
      rootDir: locked ? rootDir : path.join(workRoot, path.relative(realWorkspaceRoot, rootDir)),
      how: options.how ?? 'its Cargo.toml',
    });
    diagnostics.push(...choice.diagnostics);
    notes.push(`Rust SBOM of the addon crate ${choice.reason}`);
    const rootId = choice.id;
    const rootPkg = full.packages.get(rootId);
    if (rootPkg === undefined) throw metadataError(manifestPath, 'the addon crate is not in cargo metadata', 'internal error');

    // One cargo tree for every target: what this crate compiles (per-package feature resolution).
    const treeText = await cargoTree(manifestPath, `${rootPkg.name}@${rootPkg.version}`, targets, { ...options, fetch: false });
    const trees = parseCargoTree(treeText);
    const wantedTargets: (string | null)[] = targets.length === 0 ? [null] : targets;
    if (trees.length !== wantedTargets.length) {
      throw metadataError(
        manifestPath,
        `cargo tree printed ${trees.length} tree(s) for ${wantedTargets.length} target(s)`,
        'run `cargo tree -p CRATE --target T …` by hand to see what it prints',
      );
    }
    const byTreeKey = new Map<string, string>();
    for (const p of full.packages.values()) for (const k of treeKeysOf(p)) if (!byTreeKey.has(k)) byTreeKey.set(k, p.id);
    const idOf = (key: string): string | null => byTreeKey.get(key) ?? byTreeKey.get(key.replace(/ \(.*\)$/, '')) ?? null;
    const complete = completeTrees(trees);
    const metas: { target: string | null; meta: CargoMetadata }[] = complete.map((treeEdges, i) => {
      const nodes = new Map<string, MetaDep[]>();
      for (const e of treeEdges) {
        const from = idOf(e.from);
        const to = idOf(e.to);
        if (from === null || to === null) continue;
        const list = nodes.get(from) ?? [];
        const existing = list.find((d) => d.pkg === to);
        const kind = e.kind === 'normal' ? null : e.kind;
        if (existing === undefined) list.push({ pkg: to, kinds: [kind] });
        else if (!existing.kinds.includes(kind)) list.splice(list.indexOf(existing), 1, { pkg: to, kinds: [...existing.kinds, kind] });
        nodes.set(from, list);
      }
      return { target: wantedTargets[i] ?? null, meta: { ...full, nodes, root: rootId } };
    });
    const unknown = trees.flatMap((t) => [...t.nodes].filter((k) => idOf(k) === null));
    if (unknown.length > 0) {
      throw metadataError(
        manifestPath,
        `cargo tree names crates cargo metadata does not list: ${[...new Set(unknown)].slice(0, 5).join(', ')}`,
        'run `cargo tree` and `cargo metadata` by hand to compare',
      );
    }
    const result = await inventoryFrom(metas, rootId, full, path.join(workRoot, 'Cargo.lock'), targets, options, diagnostics);
    if (!locked) {
      diagnostics.push(
        diagnostic({
          code: 'NS_SBOM_CARGO_UNLOCKED',
          severity: 'warning',
          subject: path.join(realWorkspaceRoot, 'Cargo.lock'),
          message: `no Cargo.lock in ${realWorkspaceRoot}: the Rust SBOM lists versions resolved now, not locked ones`,
          hint: 'commit Cargo.lock (an addon is an application: its lockfile belongs in the repository), or generate SBOMs after the release build, which writes it',
        }),
      );
      notes.push(unlockedNote);
      return {
        inventory: { ...result, source: path.join(realWorkspaceRoot, 'Cargo.toml'), note: unlockedNote },
        diagnostics,
        notes,
        inputs: [],
      };
    }
    const inputs = [
      path.join(realWorkspaceRoot, 'Cargo.lock'),
      path.join(realWorkspaceRoot, 'Cargo.toml'),
      ...[...full.packages.values()].filter((p) => p.source === null).flatMap((p) => [p.manifestPath, `${path.dirname(p.manifestPath)}/`]),
      ...cargoConfigCandidates(realWorkspaceRoot),
    ];
    return { inventory: result, diagnostics, notes, inputs };
  } finally {
    if (!locked) await rm(path.dirname(workRoot), { recursive: true, force: true });
  }
}

async function inventoryFrom(
  metas: readonly { target: string | null; meta: CargoMetadata }[],
  rootId: string,
  first: CargoMetadata,
  lockPath: string,
  targets: readonly string[],
  options: CargoWalkOptions,
  diagnostics: Diagnostic[],
): Promise<Inventory> {
  let lock = new Map<string, CargoLockEntry>();
  try {
    lock = parseCargoLock(await readFile(lockPath, 'utf8'));
  } catch (error) {
    diagnostics.push(
      diagnostic({
        code: 'NS_SBOM_CARGO_LOCK',
        severity: 'warning',
        subject: lockPath,
        message: `cannot read Cargo.lock: ${errorMessage(error)}; crates get no checksum`,
        hint: 'commit Cargo.lock for an addon crate',
      }),
    );
  }

  interface Acc {
    scope: CargoScope;
    targets: Set<string | null>;
    edges: Map<string, CargoScope>;
    pkg: MetaPackage;
  }
  const acc = new Map<string, Acc>();
  for (const { target, meta } of metas) {
    const walk = walkCargoGraph(meta, rootId, options);
    for (const [id, scope] of walk.scopes) {
      const pkg = meta.packages.get(id);
      if (pkg === undefined) continue;
      const a = acc.get(id) ?? { scope, targets: new Set<string | null>(), edges: new Map<string, CargoScope>(), pkg };
      if (SCOPE_RANK[scope] < SCOPE_RANK[a.scope]) a.scope = scope;
      a.targets.add(target);
      for (const [dep, kind] of walk.edges.get(id) ?? []) {
        const before = a.edges.get(dep);
        if (before === undefined || SCOPE_RANK[kind] < SCOPE_RANK[before]) a.edges.set(dep, kind);
      }
      acc.set(id, a);
    }
  }

  const purlOf = new Map<string, string>();
  for (const [id, a] of acc) purlOf.set(id, cargoPurl(a.pkg.name, a.pkg.version, a.pkg.source));
  const packages: InventoryPackage[] = [];
  for (const [id, a] of acc) {
    const p = a.pkg;
    const manifestDir = path.dirname(p.manifestPath);
    const lockEntry = lock.get(cargoLockKey(p.name, p.version, p.source));
    if (p.source !== null && lockEntry?.checksum == null && p.source.startsWith('registry+')) {
      diagnostics.push(
        diagnostic({
          code: 'NS_SBOM_CARGO_CHECKSUM',
          severity: 'warning',
          subject: `${p.name}@${p.version}`,
          message: `Cargo.lock has no checksum for ${p.name} ${p.version} from ${p.source}`,
          hint: 'regenerate Cargo.lock with a current cargo',
        }),
      );
    }
    const edges: InventoryEdge[] = [...a.edges]
      .flatMap(([dep, kind]) => {
        const purl = purlOf.get(dep);
        return purl === undefined ? [] : [{ purl, kind }];
      })
      .sort((x, y) => (x.purl < y.purl ? -1 : x.purl > y.purl ? 1 : 0));
    const onlySome = targets.length > 0 && a.targets.size < targets.length;
    packages.push({
      ecosystem: 'cargo',
      name: p.name,
      version: p.version,
      purl: purlOf.get(id) ?? '',
      licenseRaw: p.license !== null && p.license.trim() !== '' ? p.license : null,
      licenseFiles: await readLicenseFiles(manifestDir, p.licenseFile),
      source: cargoSource(p.source, manifestDir, first.workspaceRoot),
      checksum: lockEntry?.checksum?.toLowerCase() ?? null,
      supplier: p.authors[0] ?? null,
      homepage: p.homepage,
      downloadLocation: cargoDownloadLocation(p.name, p.version, p.source),
      scope: a.scope,
      isRoot: id === rootId,
      dependsOn: edges.map((e) => e.purl),
      edges,
      repository: p.repository,
      workspaceMember: first.workspaceMembers.has(id),
      ...(onlySome ? { targets: [...a.targets].filter((t): t is string => t !== null).sort() } : {}),
    });
  }
  packages.sort((x, y) => (x.purl < y.purl ? -1 : x.purl > y.purl ? 1 : 0));
  return { ecosystem: 'cargo', source: lockPath, roots: [purlOf.get(rootId) ?? ''], packages };
}
