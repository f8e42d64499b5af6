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
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { diagnostic, DiagnosticError, errorMessage, type Diagnostic } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';
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
 * `cargo metadata --format-version 1 --locked --offline` for one platform (or all, with `null`).
 * Missing crates in the local registry cache → `cargo fetch --locked` once, then again offline.
 */
export async function cargoMetadata(
  manifestPath: string,
  target: string | null,
  options: CargoCommandOptions & { readonly fetch?: boolean } = {},
): Promise<CargoMetadata> {
  const cwd = path.dirname(manifestPath);
  const args = [
    'metadata',
    '--format-version',
    '1',
    '--locked',
    '--offline',
    '--manifest-path',
    manifestPath,
    ...(target === null ? [] : ['--filter-platform', target]),
  ];
  let stdout: string;
  try {
    stdout = await runCargo(args, options, cwd);
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
        `cargo metadata failed offline: ${text}`,
        'run `cargo fetch --locked` first (the crates must be in the local registry cache or a vendor dir)',
      );
    }
    try {
      await runCargo(['fetch', '--locked', '--manifest-path', manifestPath], options, cwd);
      stdout = await runCargo(args, options, cwd);
    } catch (second) {
      throw metadataError(
        manifestPath,
        `cargo metadata failed: ${stderrOf(second)}`,
        'check that `cargo metadata --locked` works in the addon crate, and that the registry is reachable for `cargo fetch --locked`',
      );
    }
  }
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
  /** The addon crate's `Cargo.toml`. */
  readonly manifestPath: string;
  /** Target triples of the shipped graph (`--filter-platform` each, united); empty or absent: every platform. */
  readonly targets?: readonly string[];
  /** Run `cargo fetch --locked` when the local registry cache lacks a crate (default true). */
  readonly fetch?: boolean;
}

export interface CargoInventoryResult {
  readonly inventory: Inventory;
  readonly diagnostics: readonly Diagnostic[];
}

const SCOPE_RANK: Record<CargoScope, number> = { normal: 0, build: 1, dev: 2 };

/** Read the addon crate's shipped dependency graph as an inventory. */
export async function readCargoInventory(options: CargoInventoryOptions): Promise<CargoInventoryResult> {
  const manifestPath = path.resolve(options.manifestPath);
  const targets = [...new Set(options.targets ?? [])].sort();
  const diagnostics: Diagnostic[] = [];
  // One metadata per target. The first call may fetch into the cache; the rest then read it offline,
  // side by side.
  const wanted: (string | null)[] = targets.length === 0 ? [null] : targets;
  const [head, ...rest] = wanted;
  const metas: { target: string | null; meta: CargoMetadata }[] = [
    { target: head ?? null, meta: await cargoMetadata(manifestPath, head ?? null, options) },
  ];
  metas.push(
    ...(await Promise.all(
      rest.map(async (t) => ({ target: t, meta: await cargoMetadata(manifestPath, t, { ...options, fetch: false }) })),
    )),
  );
  const first = metas[0]?.meta;
  if (first === undefined) throw metadataError(manifestPath, 'no cargo metadata', 'internal error');
  const rootId = first.root;
  if (rootId === null) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_SBOM_CARGO_ROOT',
        subject: manifestPath,
        message: `${manifestPath} is a virtual workspace manifest, not the addon crate`,
        hint: "point napiShip.sbom.cargoManifest at the cdylib crate's own Cargo.toml",
      }),
    ]);
  }
  const lockPath = path.join(first.workspaceRoot, 'Cargo.lock');
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
  return {
    inventory: { ecosystem: 'cargo', source: lockPath, roots: [purlOf.get(rootId) ?? ''], packages },
    diagnostics,
  };
}
