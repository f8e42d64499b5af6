/**
 * The workspace a package is packed from, as its package manager sees it: which package manager the
 * project uses, the workspace's packages (name → version and dir), and its catalogs. Pack reads it to
 * rewrite `workspace:` and `catalog:` specifiers as that package manager would (./publish-manifest.ts).
 *
 * Found by looking up from the package dir:
 * - the workspace root: the first dir with `pnpm-workspace.yaml`, or a package.json with `workspaces`;
 * - the package manager: `packageManager` (the package's, then the workspace root's), else a lockfile
 *   (`pnpm-lock.yaml`, `yarn.lock` — yarn 2+ when it has `__metadata`, `bun.lock(b)`,
 *   `package-lock.json`), else `pnpm-workspace.yaml` (pnpm), else npm;
 * - the packages: pnpm-workspace.yaml `packages` globs (pnpm), `workspaces` (yarn, npm, bun), plus
 *   the workspace root itself;
 * - the catalogs: pnpm-workspace.yaml `catalog`/`catalogs` (pnpm), `.yarnrc.yml` `catalog`/`catalogs`
 *   (yarn 4.10+), the root package.json `catalog`/`catalogs` or `workspaces.catalog(s)` (bun).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isRecord } from '../util/json.js';

export type PackageManagerKind = 'pnpm' | 'yarn' | 'yarn-classic' | 'bun' | 'npm';

export interface WorkspacePackage {
  readonly name: string;
  readonly version: string | null;
  /** Absolute dir. */
  readonly dir: string;
}

export interface WorkspaceContext {
  /** The workspace root (absolute); the package's own dir when it is in no workspace. */
  readonly root: string;
  readonly packageManager: PackageManagerKind;
  /** How the package manager was found, for messages (`packageManager "pnpm@9.1.0"`, `pnpm-lock.yaml` …). */
  readonly packageManagerSource: string;
  /** Every workspace package by name. */
  readonly packages: ReadonlyMap<string, WorkspacePackage>;
  /** Catalog name (`default` for `catalog:`) → dependency name → range. */
  readonly catalogs: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** The file the catalogs come from, for messages (null: none). */
  readonly catalogSource: string | null;
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isRecord(v) ? v : null;
  } catch {
    return null;
  }
}

function readYaml(file: string): Record<string, unknown> | null {
  try {
    const v: unknown = parseYaml(readFileSync(file, 'utf8'));
    return isRecord(v) ? v : null;
  } catch {
    return null;
  }
}

/** The package manager a `packageManager` field (`pnpm@9.1.0+sha…`) names, or null. */
export function packageManagerOf(field: unknown): PackageManagerKind | null {
  if (typeof field !== 'string') return null;
  const match = /^(pnpm|yarn|npm|bun)@(\d+)?/.exec(field.trim());
  const name = match?.[1];
  if (name === undefined) return null;
  if (name === 'yarn') return match?.[2] === '1' ? 'yarn-classic' : 'yarn';
  return name as PackageManagerKind;
}

function findWorkspaceRoot(dir: string): string | null {
  let current = dir;
  for (;;) {
    if (existsSync(path.join(current, 'pnpm-workspace.yaml'))) return current;
    const pkg = readJson(path.join(current, 'package.json'));
    if (pkg !== null && pkg.workspaces !== undefined) return current;
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

function lockfileManager(dir: string): { kind: PackageManagerKind; source: string } | null {
  if (existsSync(path.join(dir, 'pnpm-lock.yaml'))) return { kind: 'pnpm', source: 'pnpm-lock.yaml' };
  const yarnLock = path.join(dir, 'yarn.lock');
  if (existsSync(yarnLock)) {
    let berry = existsSync(path.join(dir, '.yarnrc.yml'));
    try {
      berry ||= readFileSync(yarnLock, 'utf8').includes('__metadata:');
    } catch {
      // unreadable: decide from .yarnrc.yml alone
    }
    return { kind: berry ? 'yarn' : 'yarn-classic', source: 'yarn.lock' };
  }
  for (const name of ['bun.lock', 'bun.lockb']) if (existsSync(path.join(dir, name))) return { kind: 'bun', source: name };
  for (const name of ['package-lock.json', 'npm-shrinkwrap.json'])
    if (existsSync(path.join(dir, name))) return { kind: 'npm', source: name };
  return null;
}

function segmentRegExp(segment: string): RegExp {
  const body = segment
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${body}$`);
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** The dirs a workspace glob (`packages/*`, `crates/**`, `tools/cli`) names under `root`. */
export function expandWorkspaceGlob(root: string, pattern: string): string[] {
  const segments = pattern
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .replace(/\/+$/, '')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  const out: string[] = [];
  const walk = (dir: string, i: number): void => {
    if (i === segments.length) {
      out.push(dir);
      return;
    }
    const segment = segments[i] ?? '';
    if (segment === '**') {
      walk(dir, i + 1);
      for (const name of subdirs(dir)) walk(path.join(dir, name), i);
      return;
    }
    if (!segment.includes('*')) {
      const next = path.join(dir, segment);
      if (segment === '..' || existsSync(next)) walk(next, i + 1);
      return;
    }
    const re = segmentRegExp(segment);
    for (const name of subdirs(dir)) if (re.test(name)) walk(path.join(dir, name), i + 1);
  };
  walk(root, 0);
  return out;
}

function workspacePatterns(kind: PackageManagerKind, root: string, rootPkg: Record<string, unknown> | null): string[] {
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  if (kind === 'pnpm') {
    const yaml = readYaml(path.join(root, 'pnpm-workspace.yaml'));
    if (yaml !== null) return strings(yaml.packages);
  }
  const ws = rootPkg?.workspaces;
  return isRecord(ws) ? strings(ws.packages) : strings(ws);
}

function catalogsFrom(source: Record<string, unknown> | null): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  if (source === null) return out;
  const entries = (v: unknown): Record<string, string> | null => {
    if (!isRecord(v)) return null;
    const r: Record<string, string> = {};
    for (const [k, range] of Object.entries(v)) if (typeof range === 'string') r[k] = range;
    return r;
  };
  const def = entries(source.catalog);
  if (def !== null) out.set('default', def);
  if (isRecord(source.catalogs)) {
    for (const [name, v] of Object.entries(source.catalogs)) {
      const e = entries(v);
      // pnpm: `catalogs.default` is the same catalog as `catalog` (only one may be given).
      if (e !== null) out.set(name, { ...(out.get(name) ?? {}), ...e });
    }
  }
  return out;
}

/**
 * Read the workspace `packageDir` belongs to (see the file comment). Never throws: what cannot be read
 * is absent. `members`: package dirs packed together with it (a release's platform packages), members
 * whatever the workspace config says and ahead of a listed package of the same name, so a root pin
 * `workspace:*` resolves to the staged platform package, also in the dry run's throwaway copy.
 */
export function readWorkspace(packageDir: string, members: readonly string[] = []): WorkspaceContext {
  const dir = path.resolve(packageDir);
  const found = findWorkspaceRoot(dir);
  const root = found ?? dir;
  const own = readJson(path.join(dir, 'package.json'));
  const rootPkg = found === null ? own : readJson(path.join(root, 'package.json'));

  let packageManager: PackageManagerKind | null = null;
  let packageManagerSource = '';
  for (const [pkg, where] of [
    [own, dir],
    [rootPkg, root],
  ] as const) {
    const kind = packageManagerOf(pkg?.packageManager);
    if (kind !== null) {
      packageManager = kind;
      packageManagerSource = `packageManager ${JSON.stringify(pkg?.packageManager)} in ${path.join(where, 'package.json')}`;
      break;
    }
  }
  if (packageManager === null) {
    for (const d of [...new Set([dir, root])]) {
      const lock = lockfileManager(d);
      if (lock !== null) {
        packageManager = lock.kind;
        packageManagerSource = path.join(d, lock.source);
        break;
      }
    }
  }
  if (packageManager === null && existsSync(path.join(root, 'pnpm-workspace.yaml'))) {
    packageManager = 'pnpm';
    packageManagerSource = path.join(root, 'pnpm-workspace.yaml');
  }
  if (packageManager === null) {
    packageManager = 'npm';
    packageManagerSource = 'no packageManager field and no lockfile (npm assumed)';
  }

  const packages = new Map<string, WorkspacePackage>();
  const add = (pkgDir: string): void => {
    const pkg = readJson(path.join(pkgDir, 'package.json'));
    if (pkg === null || typeof pkg.name !== 'string' || packages.has(pkg.name)) return;
    packages.set(pkg.name, { name: pkg.name, version: typeof pkg.version === 'string' ? pkg.version : null, dir: pkgDir });
  };
  for (const m of members) add(path.resolve(m));
  const patterns = workspacePatterns(packageManager, root, rootPkg);
  const excluded = new Set(patterns.filter((p) => p.startsWith('!')).flatMap((p) => expandWorkspaceGlob(root, p.slice(1))));
  for (const p of patterns.filter((x) => !x.startsWith('!'))) {
    for (const d of expandWorkspaceGlob(root, p)) if (!excluded.has(d)) add(d);
  }
  add(root);
  add(dir);

  let catalogs = new Map<string, Record<string, string>>();
  let catalogSource: string | null = null;
  if (packageManager === 'pnpm') {
    const file = path.join(root, 'pnpm-workspace.yaml');
    catalogs = catalogsFrom(readYaml(file));
    if (catalogs.size > 0) catalogSource = file;
  } else if (packageManager === 'yarn') {
    const file = path.join(root, '.yarnrc.yml');
    catalogs = catalogsFrom(readYaml(file));
    if (catalogs.size > 0) catalogSource = file;
  } else if (packageManager === 'bun') {
    const ws = rootPkg?.workspaces;
    catalogs = catalogsFrom(isRecord(ws) && (ws.catalog !== undefined || ws.catalogs !== undefined) ? ws : rootPkg);
    if (catalogs.size > 0) catalogSource = path.join(root, 'package.json');
  }
  return { root, packageManager, packageManagerSource, packages, catalogs, catalogSource };
}

/** Is `dir` a directory (for callers that resolve `workspace:./path`)? */
export function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
