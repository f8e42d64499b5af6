/**
 * The stage step: put each target's binary into its platform package dir (`<npmDir>/<platform-arch-abi>/`)
 * with the package.json napi-rs would write, and pin every platform package exactly in the root's
 * `optionalDependencies`.
 *
 * Binaries come from a directory of CI artifacts (as `actions/download-artifact@v4` leaves it: one
 * sub-directory per artifact, or everything in one directory with `merge-multiple: true`), or from
 * napi-rs's build output in the root package (`napi build --platform`). Nothing found is dropped
 * silently, and nothing ambiguous is guessed: see `./plan.ts` for the rules (pure), this file for
 * the I/O.
 *
 * All or nothing on disk: the platform packages are written into a sibling of the npm dir (a
 * hard-linked copy of it, then changed) and swapped in at the end (src/util/staging.ts), so a run
 * killed at any point leaves the old complete npm dir or the new complete one, never some targets
 * old and others new; the next run cleans up what a killed one left (or finishes its swap). The
 * root's package.json is one file, replaced atomically after the swap (a kill between the two
 * leaves root pins `verify` reports as stale until stage runs again). An npm dir that holds the root
 * package itself (`npmDir: "."`) cannot be swapped: its packages are then written in place, each
 * file atomically.
 */
import { randomBytes } from 'node:crypto';
import { constants, existsSync, readFileSync } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { hashFiles, type IdentifiedDigests } from '../core/index.js';
import { diagnostic, DiagnosticError, errorMessage, outcome, type Diagnostic } from '../diagnostics/index.js';
import { parseRootPackageJson, type PlannedTarget, type ReleasePlan } from '../plan/index.js';
import { keepsWorkspacePin } from '../plan/publish-manifest.js';
import { readWorkspace } from '../plan/workspace.js';
import type { StagedPackage, StageOutcome } from './types.js';
import { fileIdentity, isInside, unchangedSince } from '../util/fs.js';
import { setTopLevelKey } from '../util/json-text.js';
import { beginDirSwap, recoverDirSwap, removeLeftoverTemps, type DirSwap } from '../util/staging.js';
import {
  chooseBinaries,
  isBuildOutputCandidate,
  leftoverBinaries,
  matchFiles,
  platformManifest,
  platformReadme,
  publishConfigProvenance,
  repositoryDiagnostics,
  rootOptionalDependencies,
  type BinaryOrigin,
  type ExistingBinary,
  type FoundFile,
  type HashedFile,
  type PlatformDirState,
  type WasiRuntime,
  pinnedTargets,
  wasiFiles,
} from './plan.js';

export * from './plan.js';
export type { StagedPackage, StageOutcome, StageResult } from './types.js';
export { detectEol, detectIndent, setTopLevelKey } from '../util/json-text.js';

export interface StageOptions {
  /**
   * A directory of CI artifacts (download-artifact@v4 layout); relative paths resolve against the
   * root package dir. Without it, binaries come from napi-rs's build output in the root package dir.
   */
  readonly artifactsDir?: string | undefined;
  /** Publishing with npm provenance (also on when the root's `publishConfig.provenance` is true). */
  readonly provenance?: boolean | undefined;
  /** `owner/name` of the GitHub repository the build runs in; with provenance, repository.url must name it. */
  readonly expectedRepository?: string | undefined;
}

function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Write `data` to `file` atomically: a temporary file in the same directory, renamed into place. */
async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = tempName(file);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Put `from`'s bytes at `to` atomically: a hard link where the filesystem allows (a release's binaries
 * are its bulk; every writer here replaces files by rename, never in place), else a reflink or copy.
 */
async function copyAtomic(from: string, to: string): Promise<void> {
  const tmp = tempName(to);
  try {
    try {
      await link(from, tmp);
    } catch {
      await copyFile(from, tmp, constants.COPYFILE_FICLONE);
    }
    await rename(tmp, to);
    // A rename onto another link of the same file does nothing (POSIX): the temp link stays.
    await rm(tmp, { force: true });
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** A file that cannot be staged: a link, FIFO, device or socket, or a hard link to someone else's file. */
function notStageable(file: string, what: string): Diagnostic {
  return diagnostic({
    code: 'NS_STAGE_NOT_A_FILE',
    subject: file,
    message: `${what}; only regular files inside the artifacts dir are staged`,
    hint: 'download the artifacts as plain files (a link could lead outside the dir, a FIFO would hang the read)',
  });
}

/**
 * Every regular file under `dir`, recursively. Symlinks (to files or dirs), FIFOs, devices and
 * sockets are never followed or read: each is reported in `refused`, as is a hard link to a file
 * another user owns (a way out of the dir as good as a symlink).
 */
async function walk(dir: string, prefix = '', refused: Diagnostic[] = []): Promise<{ files: FoundFile[]; refused: Diagnostic[] }> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: FoundFile[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await walk(full, relative, refused)).files);
    else if (entry.isSymbolicLink()) refused.push(notStageable(full, 'it is a symbolic link'));
    else if (!entry.isFile()) refused.push(notStageable(full, 'it is not a regular file (a FIFO, device or socket)'));
    else {
      const st = await lstat(full);
      if (st.nlink > 1 && typeof process.getuid === 'function' && st.uid !== process.getuid())
        refused.push(notStageable(full, `it is a hard link to a file owned by another user (uid ${String(st.uid)})`));
      else out.push({ path: full, relative });
    }
  }
  return { files: out, refused };
}

async function collectFiles(plan: ReleasePlan, origin: BinaryOrigin): Promise<{ files: FoundFile[]; refused: Diagnostic[] }> {
  if (origin.kind === 'artifacts') return walk(origin.dir);
  const entries = await readdir(origin.dir, { withFileTypes: true });
  const candidates = entries.filter((e) => !e.isDirectory() && isBuildOutputCandidate(e.name, plan.targets));
  return {
    files: candidates.filter((e) => e.isFile()).map((e) => ({ path: path.join(origin.dir, e.name), relative: e.name })),
    refused: candidates
      .filter((e) => !e.isFile())
      .map((e) => notStageable(path.join(origin.dir, e.name), e.isSymbolicLink() ? 'it is a symbolic link' : 'it is not a regular file')),
  };
}

type Digested = { readonly sha256: string; readonly digests: IdentifiedDigests | null } | { readonly error: string };

/** Each file's digests, with its identity taken just before it was read (null if it had none). */
async function hashWithIdentity(paths: readonly string[]): Promise<Map<string, Digested>> {
  const identities = await Promise.all(paths.map((p) => fileIdentity(p)));
  const results = paths.length === 0 ? [] : await hashFiles(paths);
  const out = new Map<string, Digested>();
  results.forEach((r, i) => {
    const p = paths[i] ?? r.path;
    const identity = identities[i] ?? null;
    out.set(
      p,
      r.ok
        ? {
            sha256: r.sha256,
            digests:
              identity === null
                ? null
                : { identity, size: r.size, sha1: r.sha1, sha256: r.sha256, sha512: r.sha512, integrity: r.integrity },
          }
        : { error: `${r.error.code}: ${r.error.message}` },
    );
  });
  return out;
}

async function readDirState(target: PlannedTarget): Promise<PlatformDirState> {
  let names: string[];
  try {
    const entries = await readdir(target.packageDir, { withFileTypes: true });
    names = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { exists: false, binaries: [], manifest: null, hasReadme: false };
    throw error;
  }
  let manifest: PlatformDirState['manifest'] = null;
  if (names.includes('package.json')) {
    try {
      const parsed: unknown = JSON.parse(await readFile(path.join(target.packageDir, 'package.json'), 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) manifest = parsed as Record<string, unknown>;
    } catch {
      manifest = null;
    }
  }
  const binaries: ExistingBinary[] = names
    .filter((n) => n.endsWith('.node') || n.endsWith('.wasm'))
    .sort()
    .map((name) => ({ name, path: path.join(target.packageDir, name), sha256: null }));
  return { exists: true, binaries, manifest, hasReadme: names.some((n) => /^readme(\.|$)/i.test(n)) };
}

async function resolveOrigin(plan: ReleasePlan, artifactsDir: string | undefined): Promise<BinaryOrigin> {
  if (artifactsDir === undefined) return { kind: 'build-output', dir: plan.root.dir };
  const dir = path.resolve(plan.root.dir, artifactsDir);
  let isDir = false;
  let why = 'it is not a directory';
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (error) {
    why = errorMessage(error);
  }
  if (!isDir) {
    throw new DiagnosticError([
      {
        code: 'NS_STAGE_ARTIFACTS_MISSING',
        severity: 'error',
        subject: dir,
        message: `the artifacts directory cannot be read: ${why}`,
        expected: 'a directory of downloaded artifacts',
        found: why,
        hint: 'download them first (actions/download-artifact@v4 with `path: artifacts`), or leave out --artifacts to stage napi-rs build output',
      },
    ]);
  }
  return { kind: 'artifacts', dir };
}

interface StagedTarget {
  readonly target: PlannedTarget;
  readonly file: HashedFile;
  readonly binaryPath: string;
  readonly manifest: Record<string, unknown>;
  /** WASI: the loader files copied next to the `.wasm` (name → source path). */
  readonly extras: ReadonlyMap<string, string>;
}

/** The version of a package installed where the root package resolves it, or of its declaration in the root. */
function runtimeVersion(rootDir: string, root: Readonly<Record<string, unknown>>, name: string): string | null {
  try {
    const req = createRequire(path.join(rootDir, 'package.json'));
    const parsed: unknown = JSON.parse(readFileSync(req.resolve(`${name}/package.json`), 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') return parsed.version;
  } catch {
    // Not installed: fall back to what the root declares.
  }
  for (const key of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const deps = root[key];
    if (typeof deps === 'object' && deps !== null && name in deps) {
      const range = (deps as Record<string, unknown>)[name];
      if (typeof range === 'string') {
        const bare = /^[\^~=]?(\d+\.\d+\.\d+(?:-[\w.]+)?)$/.exec(range.trim());
        if (bare?.[1] !== undefined) return bare[1];
      }
    }
  }
  return null;
}

/**
 * A WASI package's runtime dependencies as napi-rs writes them (`@napi-rs/wasm-runtime` at `~x.y.z`,
 * `@emnapi/core`/`@emnapi/runtime` exact). napi-rs asks the registry for the newest wasm-runtime;
 * stage does no network I/O, so the versions come from the platform package.json already in the
 * dir, else what the root package has installed or declares.
 */
function wasiRuntime(
  rootDir: string,
  root: Readonly<Record<string, unknown>>,
  existing: Readonly<Record<string, unknown>> | null,
): WasiRuntime {
  const kept = existing?.dependencies;
  const keptDeps: Record<string, unknown> = typeof kept === 'object' && kept !== null ? (kept as Record<string, unknown>) : {};
  const dependencies: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, prefix] of [
    ['@napi-rs/wasm-runtime', '~'],
    ['@emnapi/core', ''],
    ['@emnapi/runtime', ''],
  ] as const) {
    const previous = keptDeps[name];
    if (typeof previous === 'string') {
      dependencies[name] = previous;
      continue;
    }
    const version = runtimeVersion(rootDir, root, name);
    if (version !== null) dependencies[name] = `${prefix}${version}`;
    else if (name === '@napi-rs/wasm-runtime') missing.push(name);
  }
  return { dependencies, missing };
}

/** Stage one target's package dir; `at` maps a final path to where it is written now. Returns what went wrong (if anything did). */
async function writePlatformPackage(
  plan: ReleasePlan,
  staged: StagedTarget,
  state: PlatformDirState,
  remove: readonly ExistingBinary[],
  at: (file: string) => string,
): Promise<Diagnostic[]> {
  const { target, file, binaryPath, manifest } = staged;
  try {
    await mkdir(at(target.packageDir), { recursive: true });
    if (path.resolve(file.path) !== path.resolve(binaryPath)) await copyAtomic(file.path, at(binaryPath));
    for (const [name, from] of staged.extras) {
      const to = path.join(target.packageDir, name);
      if (path.resolve(from) === path.resolve(to)) continue;
      if (name.endsWith('-browser.js')) {
        // As napi artifacts: the browser loader finds its worker through the package, not next to itself.
        const text = (await readFile(from, 'utf8')).replace(
          "new URL('./wasi-worker-browser.mjs', import.meta.url)",
          `new URL('${target.packageName}/wasi-worker-browser.mjs', import.meta.url)`,
        );
        await writeAtomic(at(to), text);
      } else {
        await copyAtomic(from, at(to));
      }
    }
    await writeAtomic(at(path.join(target.packageDir, 'package.json')), `${JSON.stringify(manifest, null, 2)}\n`);
    if (!state.hasReadme) await writeAtomic(at(path.join(target.packageDir, 'README.md')), platformReadme(plan.root.packageName, target));
    for (const b of remove) await rm(at(b.path), { force: true });
    return [];
  } catch (error) {
    return [
      diagnostic({
        code: 'NS_STAGE_WRITE_FAILED',
        target: target.spec.platformArchABI,
        subject: target.packageDir,
        message: `cannot write ${target.packageName}: ${errorMessage(error)}`,
        hint: 'check that the platform package directory is writable',
      }),
    ];
  }
}

/** Rewrite the root's optionalDependencies in place (only that value changes in the file). */
async function updateRoot(plan: ReleasePlan): Promise<{ pins: Record<string, string>; diagnostics: readonly Diagnostic[] }> {
  const file = plan.root.packageJsonPath;
  const text = await readFile(file, 'utf8');
  const parsed = parseRootPackageJson(text, file);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DiagnosticError([
      {
        code: 'NS_ROOT_PACKAGE_INVALID',
        severity: 'error',
        subject: file,
        message: 'package.json is not a JSON object',
        hint: 'a napi-rs root package.json is an object',
      },
    ]);
  }
  const manifest = parsed as Record<string, unknown>;
  const packageManager = readWorkspace(plan.root.dir).packageManager;
  const keep = (spec: unknown): boolean => keepsWorkspacePin(spec, plan.root.version, packageManager);
  const { dependencies, diagnostics } = rootOptionalDependencies(
    manifest.optionalDependencies,
    pinnedTargets(plan.targets, plan.root.wasm.optionalDependency),
    plan.root.version,
    plan.root.packageName,
    file,
    keep,
  );
  if (JSON.stringify(dependencies) !== JSON.stringify(manifest.optionalDependencies)) {
    await writeAtomic(file, setTopLevelKey(text, 'optionalDependencies', dependencies));
  }
  // What is pinned as packed: a kept workspace pin is the release version.
  const pins: Record<string, string> = {};
  for (const [name, value] of Object.entries(dependencies)) {
    if (typeof value === 'string') pins[name] = keep(value) ? plan.root.version : value;
  }
  return { pins, diagnostics };
}

/**
 * Stage every target of `plan` in place, in the plan's root package dir: copy each target's binary
 * into `<npmDir>/<platform-arch-abi>/`, write its package.json (napi-rs's shape and key order, the
 * root's version), keep an existing README.md, and pin every configured platform package exactly in
 * the root's `optionalDependencies`. A target without a binary is reported and skipped; the others
 * are staged all the same. Throws a `DiagnosticError` only when the inputs cannot be read at all.
 */
export async function stagePackages(plan: ReleasePlan, options: StageOptions = {}): Promise<StageOutcome> {
  const origin = await resolveOrigin(plan, options.artifactsDir);
  const root = plan.root;
  // The npm dir as one unit (see the module comment); first, whatever a killed run left of a swap.
  const swappable = !isInside(path.resolve(root.npmDir), path.resolve(root.dir));
  if (swappable) await recoverDirSwap(root.npmDir);
  const version = root.version;
  const diagnostics: Diagnostic[] = [];

  diagnostics.push(
    ...repositoryDiagnostics(root.manifest, root.packageJsonPath, {
      provenance: options.provenance === true || publishConfigProvenance(root.manifest),
      expectedRepository: options.expectedRepository,
    }),
  );

  // 1. What was supplied, and which target each file is.
  const collected = await collectFiles(plan, origin);
  diagnostics.push(...collected.refused);
  const matched = matchFiles(collected.files, plan.targets, root.binaryName, origin);
  diagnostics.push(...matched.diagnostics);
  const digests = await hashWithIdentity([...matched.matched.values()].flat().map((f) => f.path));
  const hashed = new Map<string, HashedFile[]>();
  for (const [id, files] of matched.matched) {
    hashed.set(
      id,
      files.map((f): HashedFile => {
        const d = digests.get(f.path);
        return d !== undefined && 'sha256' in d
          ? { ...f, sha256: d.sha256, ...(d.digests === null ? {} : { digests: d.digests }) }
          : { ...f, sha256: null, error: d?.error ?? 'not hashed' };
      }),
    );
  }
  const choice = chooseBinaries(plan.targets, hashed, origin);
  diagnostics.push(...choice.diagnostics);
  const chosen = new Map(choice.chosen.map((c) => [c.target.spec.platformArchABI, c]));

  // 2. What each platform dir already holds; leftovers are removed or reported as stale.
  const states = await Promise.all(plan.targets.map(async (t) => ({ t, state: await readDirState(t) })));
  const leftoverPaths = states.flatMap(({ t, state }) => (chosen.has(t.spec.platformArchABI) ? [] : state.binaries.map((b) => b.path)));
  const leftoverDigests = await hashWithIdentity(leftoverPaths);
  const wasiOnly = plan.targets.every((t) => t.spec.platform === 'wasi');
  const packages: StagedPackage[] = [];
  const written: { staged: StagedTarget; state: PlatformDirState; remove: readonly ExistingBinary[] }[] = [];
  for (const { t, state } of states) {
    const id = t.spec.platformArchABI;
    const pick = chosen.get(id);
    const withDigests: PlatformDirState = {
      ...state,
      binaries: state.binaries.map((b) => {
        const d = leftoverDigests.get(b.path);
        return d !== undefined && 'sha256' in d ? { ...b, sha256: d.sha256 } : b;
      }),
    };
    const leftover = leftoverBinaries(t, withDigests, pick !== undefined, version);
    diagnostics.push(...leftover.diagnostics);
    if (pick === undefined) continue;
    const extras = new Map<string, string>();
    let runtime: WasiRuntime | undefined;
    if (t.spec.platform === 'wasi') {
      // napi artifacts looks for the loader files next to the .wasm artifact, then in the package root.
      const dirs = [path.dirname(pick.file.path), root.dir, t.packageDir];
      const lacking: string[] = [];
      for (const f of wasiFiles(root.binaryName, t)) {
        const dir = dirs.find((d) => existsSync(path.join(d, f.name)));
        if (dir !== undefined) extras.set(f.name, path.join(dir, f.name));
        else if (f.required) lacking.push(f.name);
      }
      runtime = wasiRuntime(root.dir, root.manifest, state.manifest);
      const problems: string[] = [];
      if (lacking.length > 0) {
        diagnostics.push(
          diagnostic({
            code: 'NS_STAGE_WASI_LOADER_MISSING',
            target: id,
            subject: t.packageName,
            message: `the WASI loader files ${lacking.join(', ')} are neither next to ${pick.file.relative} nor in ${root.dir}: ${t.packageName} would not load`,
            expected: wasiFiles(root.binaryName, t)
              .filter((f) => f.required)
              .map((f) => f.name)
              .join(', '),
            found: lacking.map((f) => `no ${f}`).join(', '),
            hint: `napi build --target ${t.spec.triple} writes them into the package root (commit them, as napi new does), or upload them with the .wasm artifact`,
          }),
        );
        problems.push('loader');
      }
      if (runtime.missing.length > 0) {
        diagnostics.push(
          diagnostic({
            code: 'NS_STAGE_WASI_RUNTIME',
            target: id,
            subject: t.packageName,
            message: `no version of ${runtime.missing.join(', ')} to depend on: the WASI loader imports it`,
            expected: '@napi-rs/wasm-runtime installed in (or declared by) the root package',
            found: 'nothing',
            hint: 'add @napi-rs/wasm-runtime to the root devDependencies (napi new does), or stage once with napi create-npm-dirs',
          }),
        );
        problems.push('runtime');
      }
      if (problems.length > 0) continue;
    }
    const manifest = platformManifest({
      root: root.manifest,
      target: t,
      version,
      wasiOnly,
      existing: state.manifest,
      wasiStaged: [...extras.keys()],
      wasmCpu: plan.root.wasm.cpu,
      ...(runtime ? { wasiRuntime: runtime } : {}),
    });
    written.push({
      staged: { target: t, file: pick.file, binaryPath: path.join(t.packageDir, t.binaryFile), manifest, extras },
      state,
      remove: leftover.remove,
    });
  }

  // 3. Write the platform packages (into the swap dir), then check each copy is the bytes that were chosen.
  const swap: DirSwap | null = swappable && written.length > 0 ? await beginDirSwap(root.npmDir) : null;
  const at = (file: string): string => (swap === null ? file : path.join(swap.temp, path.relative(swap.final, file)));
  const failed = new Set<string>();
  const writeProblems: Diagnostic[] = [];
  try {
    // Temp files of writes an older napi-ship was killed in (it wrote in place) go with the new state.
    if (swap !== null) for (const w of written) await removeLeftoverTemps(at(w.staged.target.packageDir));
    for (const w of written) {
      const problems = await writePlatformPackage(plan, w.staged, w.state, w.remove, at);
      if (problems.length > 0) failed.add(w.staged.target.spec.platformArchABI);
      writeProblems.push(...problems);
    }
    const ok = written.filter((w) => !failed.has(w.staged.target.spec.platformArchABI));
    // A hard link of the chosen file that still has the identity it had when it was hashed is those
    // bytes; a copy (or a file that changed since) is read again.
    const unchanged = await Promise.all(ok.map((w) => unchangedSince(at(w.staged.binaryPath), w.staged.file.digests?.identity)));
    const copies = await hashWithIdentity(ok.filter((_, i) => unchanged[i] !== true).map((w) => at(w.staged.binaryPath)));
    for (const [i, { staged }] of ok.entries()) {
      const linked = unchanged[i] === true;
      const copy = copies.get(at(staged.binaryPath));
      const sha = linked ? staged.file.sha256 : copy !== undefined && 'sha256' in copy ? copy.sha256 : null;
      if (sha !== staged.file.sha256) {
        writeProblems.push(
          diagnostic({
            code: 'NS_STAGE_WRITE_FAILED',
            target: staged.target.spec.platformArchABI,
            subject: staged.binaryPath,
            message: 'the staged binary is not the file that was chosen (it changed while staging?)',
            expected: `sha256 ${staged.file.sha256 ?? '?'}`,
            found: sha === null ? 'unreadable' : `sha256 ${sha}`,
            hint: 'run napi-ship stage again once nothing else writes the artifacts',
          }),
        );
        continue;
      }
      packages.push({
        triple: staged.target.spec.triple,
        platformArchABI: staged.target.spec.platformArchABI,
        packageName: staged.target.packageName,
        dir: staged.target.packageDir,
        binaryPath: staged.binaryPath,
        source: staged.file.path,
        manifest: staged.manifest,
        digests: linked ? (staged.file.digests ?? null) : null,
      });
    }
    diagnostics.push(...writeProblems);
    if (swap !== null) {
      // All or nothing: a package that could not be written keeps the whole npm dir as it was.
      if (writeProblems.length > 0) {
        await swap.abort();
        packages.length = 0;
      } else {
        await swap.commit();
      }
    }
  } catch (error) {
    await swap?.abort();
    throw error;
  }

  // 4. The root pins every configured target (staged or not: the release is all of them or none).
  const rootUpdate = await updateRoot(plan);
  diagnostics.push(...rootUpdate.diagnostics);

  return outcome({ packages, rootOptionalDependencies: rootUpdate.pins }, diagnostics);
}
