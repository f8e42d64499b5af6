/**
 * Which files of a package directory go into its tarball: npm's rules, through npm-packlist.
 *
 * The rules (npm docs, `package.json` → `files`; npm-packlist 10 source):
 * - `package.json`, `README*`, `LICENSE*`/`LICENCE*`, `COPYING*`, the `main` and `browser` files
 *   and every `bin` target are always included;
 * - `files` globs (a directory takes its whole tree) select the rest when present; without `files`
 *   everything is a candidate and `.npmignore` (or `.gitignore` without one) excludes, per directory;
 * - `.git`, `.svn`, `.hg`, `CVS`, `node_modules` (bundled dependencies aside), `.npmrc`,
 *   `package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`, `npm-debug.log`, `.DS_Store`, `._*`,
 *   `*.orig`, `.*.swp`, `.lock-wscript`, `.wafpickle-*`, `build/config.gypi`, `archived-packages/`
 *   are always excluded; file names containing `*` are skipped.
 *
 * Where napi-ship is stricter than npm: a symlink the rules would pack is an error
 * (`NS_PACK_SYMLINK`; npm drops it silently), and a `files`, `main`, `browser` or `bin` path that
 * leaves the package is an error (`NS_PACK_PATH_ESCAPE`; npm ignores or rewrites it).
 * No lifecycle script (`prepack`, `prepare`) is run.
 */
import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { DiagnosticError, diagnostic, errorMessage, type Diagnostic } from '../diagnostics/index.js';
import { walkPackage, type PackEdge, type PackTree } from './packlist.js';
import { isRecord } from '../util/json.js';

/** The packages cannot be packed as they are: a check failed (CLI exit 1, not 3). */
export class PackError extends DiagnosticError {
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics);
    this.name = 'PackError';
  }
}

export interface PackFile {
  /** Path inside the package, `/`-separated. */
  readonly path: string;
  readonly size: number;
  /** The mode written into the tarball: 0o755 for executables and `bin` targets, else 0o644 (always for `.node`/`.wasm`). */
  readonly mode: 0o644 | 0o755;
}

export interface PackageSelection {
  /** Absolute package directory. */
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  /** The package.json as read (not normalised: it is packed byte for byte). */
  readonly manifest: Readonly<Record<string, unknown>>;
  /** Sorted by path in byte order. */
  readonly files: readonly PackFile[];
  /** Directories of bundled dependencies that were packed, relative to `dir`. */
  readonly bundled: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

type Json = Record<string, unknown>;

/** Byte order of the UTF-8 encodings (what `LC_ALL=C sort` gives), not UTF-16 code-unit order. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** `ref` made package-relative and `/`-separated, or `null` when it leaves the package. */
export function insidePackage(ref: string, { anchoredSlash }: { anchoredSlash: boolean }): string | null {
  if (path.win32.isAbsolute(ref) && /^([a-zA-Z]:|[\\/]{2})/.test(ref)) return null;
  let p = ref.replace(/\\/g, '/');
  if (p.startsWith('/')) {
    if (!anchoredSlash) return null;
    p = p.replace(/^\/+/, '');
  }
  const normal = path.posix.normalize(p === '' ? '.' : p);
  if (normal === '..' || normal.startsWith('../')) return null;
  return normal;
}

/** npm's `secureAndUnixifyPath` (@npmcli/package-json), for `bin` targets. */
function secureBinPath(ref: string): string {
  const unix = (s: string): string =>
    s
      .replace(/^\\\\\?\\/, '')
      .replace(/\\/g, '/')
      .replace(/\/+/g, '/');
  const secured = unix(path.join('.', path.join('/', unix(ref))));
  return secured.startsWith('./') ? '' : secured;
}

interface Normalised {
  readonly pkg: Json;
  /** Normalised `bin`: command → package-relative path. */
  readonly bin: Readonly<Record<string, string>>;
}

async function listBinDir(dir: string, binDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path.join(dir, binDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const sub = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(sub);
      else out.push(sub);
    }
  };
  await walk('');
  return out;
}

/** The normalisation arborist applies before npm-packlist sees `package` (@npmcli/package-json). */
async function normalise(raw: Json, dir: string): Promise<Normalised> {
  const pkg: Json = { ...raw };
  // bundleDependencies: the `bundledDependencies` spelling, `true`, an object.
  if (pkg.bundleDependencies === undefined && pkg.bundledDependencies !== undefined) pkg.bundleDependencies = pkg.bundledDependencies;
  delete pkg.bundledDependencies;
  const bd = pkg.bundleDependencies;
  if (bd === false) pkg.bundleDependencies = [];
  else if (bd === true) pkg.bundleDependencies = Object.keys(isRecord(pkg.dependencies) ? pkg.dependencies : {});
  else if (isRecord(bd)) pkg.bundleDependencies = Object.keys(bd);
  else if (!Array.isArray(bd)) delete pkg.bundleDependencies;

  const bin: Record<string, string> = {};
  const directories = pkg.directories;
  if (pkg.bin === undefined && isRecord(directories) && typeof directories.bin === 'string') {
    const binDir = secureBinPath(directories.bin);
    if (binDir !== '') {
      for (const file of await listBinDir(dir, binDir)) bin[path.posix.basename(file)] = `${binDir}/${secureBinPath(file)}`;
    }
  } else {
    let raw: Record<string, unknown> = {};
    if (typeof pkg.bin === 'string' && typeof pkg.name === 'string') raw = { [pkg.name]: pkg.bin };
    else if (Array.isArray(pkg.bin)) {
      for (const b of pkg.bin) if (typeof b === 'string') raw[path.basename(b)] = b;
    } else if (isRecord(pkg.bin)) raw = pkg.bin;
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value !== 'string') continue;
      const base = path.basename(secureBinPath(key));
      const target = secureBinPath(value);
      if (base && target) bin[base] = target;
    }
  }
  if (Object.keys(bin).length > 0) pkg.bin = bin;
  else delete pkg.bin;
  return { pkg, bin };
}

interface ReadPackage {
  readonly pkg: Json;
  readonly name: string;
  readonly version: string;
}

async function readPackageJson(dir: string): Promise<ReadPackage> {
  const file = path.join(dir, 'package.json');
  const fail = (message: string, hint: string): PackError =>
    new PackError([diagnostic({ code: 'NS_PACK_PACKAGE_INVALID', subject: file, message, hint })]);
  let text: string;
  try {
    const st = await lstat(file);
    if (st.isSymbolicLink()) {
      throw new PackError([
        diagnostic({
          code: 'NS_PACK_SYMLINK',
          subject: file,
          message: 'package.json is a symlink; napi-ship never packs symlinks',
          hint: 'replace the link with the real file',
        }),
      ]);
    }
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof PackError) throw error;
    throw fail(`cannot read package.json: ${errorMessage(error)}`, 'every package dir needs a package.json');
  }
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch (error) {
    throw fail(`package.json is not valid JSON: ${errorMessage(error)}`, 'fix the JSON syntax');
  }
  if (!isRecord(pkg) || typeof pkg.name !== 'string' || pkg.name === '' || typeof pkg.version !== 'string' || pkg.version === '') {
    throw fail('package.json needs a string `name` and `version`', 'npm cannot pack a package without both');
  }
  return { pkg, name: pkg.name, version: pkg.version };
}

interface TreeBuild {
  readonly rootDir: string;
  readonly cache: Map<string, PackTree>;
  readonly bundled: string[];
  readonly diagnostics: Diagnostic[];
}

/** Find dependency `name` for the package at `from` as node does, without leaving the root package. */
async function resolveBundled(name: string, from: string, build: TreeBuild): Promise<{ dir: string } | { symlink: string } | null> {
  let dir = from;
  for (;;) {
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', name);
      try {
        const st = await lstat(candidate);
        if (st.isSymbolicLink()) return { symlink: candidate };
        if (st.isDirectory()) return { dir: candidate };
      } catch {
        // not here: look further up
      }
    }
    if (dir === build.rootDir) return null;
    const parent = path.dirname(dir);
    if (parent === dir || path.relative(build.rootDir, parent).startsWith('..')) return null;
    dir = parent;
  }
}

/** The arborist-like node of a package, with edges for what it bundles (root) or needs (a bundled dep). */
async function buildTree(dir: string, pkg: Json, isProjectRoot: boolean, build: TreeBuild): Promise<PackTree> {
  const cached = build.cache.get(dir);
  if (cached) return cached;
  const edgesOut = new Map<string, PackEdge>();
  const tree: PackTree = { path: dir, package: pkg, isProjectRoot, workspaces: undefined, edgesOut };
  build.cache.set(dir, tree);
  const names = (value: unknown): string[] => (isRecord(value) ? Object.keys(value) : []);
  const wanted = isProjectRoot
    ? Array.isArray(pkg.bundleDependencies)
      ? pkg.bundleDependencies.filter((n): n is string => typeof n === 'string')
      : []
    : [...names(pkg.dependencies), ...names(pkg.optionalDependencies)];
  const optional = new Set(isProjectRoot ? [] : names(pkg.optionalDependencies));
  for (const name of wanted) {
    const found = await resolveBundled(name, dir, build);
    if (found === null) {
      if (!optional.has(name)) {
        build.diagnostics.push(
          diagnostic({
            code: 'NS_PACK_BUNDLE_MISSING',
            severity: 'warning',
            subject: dir,
            message: `bundled dependency ${name} is not installed under node_modules; it is left out (as npm does)`,
            hint: 'install dependencies before packing, or drop it from bundleDependencies',
          }),
        );
      }
      continue;
    }
    if ('symlink' in found) {
      build.diagnostics.push(
        diagnostic({
          code: 'NS_PACK_SYMLINK',
          subject: found.symlink,
          message: `bundled dependency ${name} is a symlink; napi-ship never packs symlinks`,
          hint: 'install bundled dependencies as real directories (npm install --install-links, or pnpm with node-linker=hoisted)',
        }),
      );
      continue;
    }
    let depPkg: Json;
    try {
      depPkg = (await normalise((await readPackageJson(found.dir)).pkg, found.dir)).pkg;
    } catch (error) {
      if (error instanceof PackError) build.diagnostics.push(...error.diagnostics);
      else throw error;
      continue;
    }
    const target = await buildTree(found.dir, depPkg, false, build);
    edgesOut.set(name, { peer: false, dev: false, to: { path: found.dir, target, isLink: false } });
    build.bundled.push(path.relative(build.rootDir, found.dir).split(path.sep).join('/'));
  }
  return tree;
}

/** Symlinks under a bundled dependency (its own nested node_modules aside: those are bundles too). */
async function symlinksUnder(dir: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const sub = `${rel}/${e.name}`;
    if (e.isSymbolicLink()) out.push(sub);
    else if (e.isDirectory() && e.name !== 'node_modules') out.push(...(await symlinksUnder(path.join(dir, e.name), sub)));
  }
  return out;
}

function escapeDiagnostic(subject: string, field: string, value: string): Diagnostic {
  return diagnostic({
    code: 'NS_PACK_PATH_ESCAPE',
    subject,
    message: `${field} ${JSON.stringify(value)} points outside the package`,
    hint: 'a package can only ship files inside its own directory: copy the file in, or fix the path',
  });
}

export interface SelectOptions {
  /**
   * The manifest that will be packed, when it is not the package.json on disk (the package manager's
   * pack-time rewrite, src/plan/publish-manifest.ts): files are selected by it, as pnpm's packlist does.
   */
  readonly manifest?: (raw: Readonly<Record<string, unknown>>) => Readonly<Record<string, unknown>>;
}

/** Select the files of the package at `dir` under npm's rules. Throws `PackError` on an unreadable package.json. */
export async function selectFiles(packageDir: string, options: SelectOptions = {}): Promise<PackageSelection> {
  const dir = path.resolve(packageDir);
  const read = await readPackageJson(dir);
  const raw: Json = options.manifest === undefined ? read.pkg : { ...options.manifest(read.pkg) };
  const { name, version } = read;
  const subject = path.join(dir, 'package.json');
  const diagnostics: Diagnostic[] = [];

  // Paths that must stay inside the package.
  if (raw.files !== undefined) {
    if (!Array.isArray(raw.files) || !raw.files.every((f): f is string => typeof f === 'string')) {
      throw new PackError([
        diagnostic({
          code: 'NS_PACK_FILES_INVALID',
          subject,
          message: '`files` must be an array of strings',
          hint: 'e.g. "files": ["index.js", "lib"]',
        }),
      ]);
    }
    for (const entry of raw.files) {
      const rel = insidePackage(entry.replace(/^!+/, ''), { anchoredSlash: true });
      if (rel === null) {
        diagnostics.push(escapeDiagnostic(subject, '`files` entry', entry));
        continue;
      }
      // npm-packlist drops a `files` entry that is itself a symlink before the walk sees it.
      try {
        if ((await lstat(path.join(dir, rel))).isSymbolicLink()) {
          diagnostics.push(
            diagnostic({
              code: 'NS_PACK_SYMLINK',
              subject: path.join(dir, rel),
              message: `\`files\` entry ${JSON.stringify(entry)} is a symlink; napi-ship never packs symlinks`,
              hint: 'replace the link with the real file or directory',
            }),
          );
        }
      } catch {
        // a glob, or not there: the walk decides
      }
    }
  }
  for (const field of ['main', 'browser'] as const) {
    const value = raw[field];
    if (typeof value === 'string' && insidePackage(value, { anchoredSlash: false }) === null)
      diagnostics.push(escapeDiagnostic(subject, `\`${field}\``, value));
  }
  const rawBin = raw.bin;
  const binValues = typeof rawBin === 'string' ? [rawBin] : Array.isArray(rawBin) ? rawBin : isRecord(rawBin) ? Object.values(rawBin) : [];
  for (const value of binValues) {
    if (typeof value === 'string' && insidePackage(value, { anchoredSlash: false }) === null)
      diagnostics.push(escapeDiagnostic(subject, '`bin` target', value));
  }

  const { pkg, bin } = await normalise(raw, dir);
  const build: TreeBuild = { rootDir: dir, cache: new Map(), bundled: [], diagnostics };
  const tree = await buildTree(dir, pkg, true, build);
  const walked = await walkPackage(tree);
  for (const link of walked.symlinks) {
    diagnostics.push(
      diagnostic({
        code: 'NS_PACK_SYMLINK',
        subject: path.join(dir, link.path),
        message: `${link.path} is a symlink (to a ${link.target === 'dangling' ? 'missing target' : link.target}); napi-ship never packs or follows symlinks`,
        hint: 'replace the link with a real copy, or exclude it (files / .npmignore)',
      }),
    );
  }
  for (const rel of build.bundled) {
    for (const link of await symlinksUnder(path.join(dir, rel), rel)) {
      diagnostics.push(
        diagnostic({
          code: 'NS_PACK_SYMLINK',
          subject: path.join(dir, link),
          message: `${link} (in a bundled dependency) is a symlink; napi-ship never packs or follows symlinks`,
          hint: 'bundle dependencies installed as real files',
        }),
      );
    }
  }

  const binTargets = new Set(Object.values(bin));
  const files: PackFile[] = [];
  for (const rel of [...new Set(walked.files)].sort(byteOrder)) {
    const abs = path.join(dir, ...rel.split('/'));
    const st = await lstat(abs);
    if (!st.isFile()) {
      diagnostics.push(
        diagnostic({
          code: st.isSymbolicLink() ? 'NS_PACK_SYMLINK' : 'NS_PACK_NOT_A_FILE',
          subject: abs,
          message: `${rel} is not a regular file`,
          hint: 'napi-ship packs regular files only',
        }),
      );
      continue;
    }
    // Native addons are dlopen()ed, never executed, and CI artifact downloads drop the execute bit:
    // pack them 0644 whatever their source mode, so a local build and a CI artifact give one tarball.
    const addon = rel.endsWith('.node') || rel.endsWith('.wasm');
    const executable = binTargets.has(rel) || (!addon && (st.mode & 0o111) !== 0);
    files.push({ path: rel, size: st.size, mode: executable ? 0o755 : 0o644 });
  }
  const main = typeof raw.main === 'string' ? raw.main : null;
  const mainRel = main === null ? null : insidePackage(main, { anchoredSlash: false });
  if (main !== null && mainRel !== null) {
    // node's resolution of `main`: the file, then with an extension, then as a directory.
    const candidates =
      mainRel === '.' ? ['index.js'] : [mainRel, `${mainRel}.js`, `${mainRel}.json`, `${mainRel}.node`, `${mainRel}/index.js`];
    if (!files.some((f) => candidates.includes(f.path))) {
      diagnostics.push(
        diagnostic({
          code: 'NS_PACK_MAIN_MISSING',
          severity: 'warning',
          subject,
          message: `\`main\` is ${JSON.stringify(main)} but no such file is packed`,
          hint: 'build or stage it before packing',
        }),
      );
    }
  }
  return { dir, name, version, manifest: raw, files, bundled: build.bundled, diagnostics };
}
