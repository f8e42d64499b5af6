/**
 * The pack stage: one byte-reproducible npm tarball per package (the root and each platform
 * package), their digests in `SHA256SUMS`, and the release manifest that `sign` signs.
 *
 * Nothing is written unless every package can be packed: problems found in the packages (a symlink,
 * a path leaving the package, a platform package without its binary) are collected across all of
 * them and thrown together as one `PackError`.
 *
 * All or nothing on disk: the release dir's next state is built in a sibling dir (a hard-linked
 * copy of the current one, then the tarballs, SHA256SUMS and the manifest written into it) and
 * swapped in with a rename at the end (src/util/staging.ts). A killed pack leaves the old complete
 * release dir or the new one; the next run cleans up (or finishes the swap). The old signature is
 * dropped from the new state unless the new manifest is byte for byte the one it signs, so a
 * signature is never beside a manifest it does not sign; `*.tmp` files an older napi-ship left are
 * dropped too.
 */
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { coreVersion, hashFiles, inspectFiles, type CoreErrorCode, type CoreFailure } from '../core/index.js';
import { diagnostic, DiagnosticError, hasErrors, type AreaCode, type Diagnostic, type Outcome } from '../diagnostics/index.js';
import {
  MANIFEST_FILE,
  MANIFEST_SCHEMA,
  SHA256SUMS_FILE,
  SIGNATURE_FILE,
  serializeManifest,
  type ManifestBinary,
  type ManifestPackage,
  type ReleaseManifest,
} from '../manifest/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { allTargets } from '../targets/index.js';
import { sha256Sums } from '../manifest/sums.js';
import { isInside, linkOrCopy, writeAtomic } from '../util/fs.js';
import { publishManifest, publishManifestText, type PublishManifest } from '../plan/publish-manifest.js';
import { readWorkspace, type WorkspaceContext } from '../plan/workspace.js';
import { mapPool } from '../util/pool.js';
import { tarballCheckId } from '../util/tarball.js';
import { beginDirSwap, recoverDirSwap, removeLeftoverTemps } from '../util/staging.js';
import { napiShipVersion } from '../util/version.js';
import { cacheDirFrom, packerId, TarballCache, tarballKey } from './cache.js';
import { byteOrder, PackError, selectFiles, type PackageSelection } from './files.js';
import { checkNameAndVersion } from './names.js';
import { tarballName, writeTarball } from './tarball.js';

export { cacheDirFrom, packerId, TarballCache, tarballKey, TAR_LAYOUT } from './cache.js';
export { byteOrder, insidePackage, PackError, selectFiles, type PackageSelection, type PackFile } from './files.js';
export {
  compressTar,
  SMALL_TAR,
  GZIP_OPTIONS,
  GZIP_OS_UNIX,
  MAX_TAR_MTIME,
  NPM_FIXED_DATE_EPOCH,
  tarballName,
  writeTarball,
  type TarballOptions,
} from './tarball.js';

export interface PackInputPackage {
  readonly dir: string;
  readonly kind: 'root' | 'platform';
  /** `platform-arch-abi` of a platform package; `null` for the root. */
  readonly target: string | null;
  /** The Rust triple of a platform package (default: the first napi-rs triple with that `platform-arch-abi`). */
  readonly triple?: string;
  /**
   * A tarball of exactly this package already packed by `packRelease` with the same SOURCE_DATE_EPOCH
   * (e.g. the dry run's, re-used by the rehearsal): linked into `outDir` as it is, not packed again.
   */
  readonly prebuilt?: string;
}

export interface PackInput {
  readonly packages: readonly PackInputPackage[];
  readonly outDir: string;
  /** Seconds written as every tarball entry's mtime (default: see `resolveSourceDateEpoch`). */
  readonly sourceDateEpoch?: number;
  /** The binaries to list in the manifest; default: every `.node`/`.wasm` file packed in a platform package, inspected and hashed. */
  readonly binaries?: readonly ManifestBinary[];
  /** Where SOURCE_DATE_EPOCH and the cache settings are read (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The tarball cache (./cache.ts): `false` off, a string its dir; default from the environment
   * (`NAPI_SHIP_CACHE_DIR`, `NAPI_SHIP_CACHE=0`, else `~/.cache/napi-ship`).
   */
  readonly cache?: boolean | string;
  /**
   * The workspace the packages belong to (package manager, workspace packages, catalogs), which decides
   * how `workspace:`/`catalog:` specifiers and `publishConfig` fields are rewritten at pack time
   * (src/plan/publish-manifest.ts); default: read from the root package's dir.
   */
  readonly workspace?: WorkspaceContext;
}

export interface PackResult {
  readonly manifest: ReleaseManifest;
  readonly manifestPath: string;
  readonly sumsPath: string;
  readonly packages: ManifestPackage[];
  /** Warnings (errors are thrown as a `PackError`). */
  readonly diagnostics: readonly Diagnostic[];
  /** Tarballs not compressed in this call: re-used from the cache or given as `prebuilt`. */
  readonly reused: readonly string[];
  /** The tarball cache this call used (`null`: off), and its entry of each tarball. */
  readonly cache: PackCache | null;
}

/** A tarball's entry in the tarball cache (./cache.ts). */
export interface CachedTarball {
  readonly tarball: string;
  readonly key: string;
  /** The sha256 of the tarball written, which is the entry's. */
  readonly sha256: string;
  /** The tarball check (`tarballCheckId`) the entry's bytes passed before, or `null`. */
  readonly checked: string | null;
}

export interface PackCache {
  readonly dir: string;
  readonly tarballs: readonly CachedTarball[];
}

/** What the pack stage wrote. */
export interface PackedRelease {
  readonly manifest: ReleaseManifest;
  readonly manifestPath: string;
  readonly sumsPath: string;
  readonly packages: readonly ManifestPackage[];
  /** The tarball cache used, and each tarball's entry in it (`null`: the cache was off). */
  readonly cache: PackCache | null;
}

/**
 * The pack stage's outcome: `ok` with what was written, or the diagnostics of why nothing was
 * (`result` is then `null`), and the release dir written (or that would have been). The one shape
 * the orchestrator and the CLI read; `packRelease` below is the step that throws a `PackError` on a
 * package that cannot be packed.
 */
export type PackOutcome = Outcome<PackedRelease | null> & {
  /** The release dir written (or that would have been). */
  readonly outDir: string;
};

/**
 * After a tarball check passed over the release dir (the dry run's `verify-manifest`): record it in
 * the cache entry of every tarball that check inflated, so the next dry run re-using those bytes need
 * not inflate them again (./cache.ts).
 */
export async function markTarballsChecked(cache: PackCache, packages: readonly ManifestPackage[]): Promise<void> {
  const store = new TarballCache(cache.dir);
  await Promise.all(
    cache.tarballs.map(async (t) => {
      const p = packages.find((x) => x.tarball === t.tarball);
      if (p === undefined || p.sha256 !== t.sha256) return;
      const id = tarballCheckId(p.name, p.version);
      if (t.checked !== id) await store.markChecked(t.key, t.sha256, id);
    }),
  );
}

/** `packRelease` as a stage: its `PackError` (the packages' own problems) becomes the outcome's diagnostics. */
export async function packStage(input: PackInput): Promise<PackOutcome> {
  const outDir = path.resolve(input.outDir);
  try {
    const packed = await packRelease(input);
    return {
      ok: !hasErrors(packed.diagnostics),
      outDir,
      diagnostics: packed.diagnostics,
      result: {
        manifest: packed.manifest,
        manifestPath: packed.manifestPath,
        sumsPath: packed.sumsPath,
        packages: packed.packages,
        cache: packed.cache,
      },
    };
  } catch (error) {
    if (!(error instanceof PackError)) throw error;
    return { ok: false, outDir, diagnostics: error.diagnostics, result: null };
  }
}

import { gitCommit, resolveSourceDateEpoch } from './epoch.js';

/*
 * Pack a project as its plan describes it: the root package and every configured platform package
 * (the one wiring of `napi-ship pack` and the library's `pack()`).
 */

export interface PackProjectOptions {
  /** Where the tarballs, SHA256SUMS and the manifest go (default `<root>/dist/release/packages`). */
  readonly outDir?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The default release dir of a project: `<root>/dist/release/packages`, where sbom, sign and publish look. */
export function defaultReleaseDir(plan: ReleasePlan): string {
  return path.join(plan.root.dir, 'dist', 'release', 'packages');
}

/**
 * Pack the plan's root and its platform packages. A platform package that is not staged is
 * `NS_PACK_MISSING_PACKAGE` in the outcome, and nothing is written.
 */
export async function packProject(plan: ReleasePlan, options: PackProjectOptions = {}): Promise<PackOutcome> {
  const outDir = path.resolve(options.outDir ?? defaultReleaseDir(plan));
  // A stage killed in the middle of swapping the npm dir in: finish it before reading the packages.
  if (!isInside(path.resolve(plan.root.npmDir), path.resolve(plan.root.dir))) await recoverDirSwap(plan.root.npmDir);
  const packages: PackInputPackage[] = [{ dir: plan.root.dir, kind: 'root', target: null }];
  const missing: Diagnostic[] = [];
  for (const t of plan.targets) {
    if (existsSync(path.join(t.packageDir, 'package.json'))) {
      packages.push({ dir: t.packageDir, kind: 'platform', target: t.spec.platformArchABI, triple: t.spec.triple });
    } else {
      missing.push(
        diagnostic({
          code: 'NS_PACK_MISSING_PACKAGE',
          target: t.spec.platformArchABI,
          subject: t.packageDir,
          message: `platform package ${t.packageName} does not exist (no package.json in its dir)`,
          hint: 'stage the platform packages first (napi-ship stage, or napi create-npm-dirs + napi artifacts)',
        }),
      );
    }
  }
  if (missing.length > 0) return { ok: false, diagnostics: missing, result: null, outDir };
  return packStage({ packages, outDir, ...(options.env === undefined ? {} : { env: options.env }) });
}

export { gitCommit, resolveSourceDateEpoch };

/** The diagnostic code of a packed binary the core could not read, per core error. */
const PACK_BINARY_FAILURE: Readonly<Record<CoreErrorCode, AreaCode<'pack'>>> = {
  E_NOT_FOUND: 'NS_PACK_BINARY_E_NOT_FOUND',
  E_IO: 'NS_PACK_BINARY_E_IO',
  E_NOT_A_FILE: 'NS_PACK_BINARY_E_NOT_A_FILE',
  E_EMPTY: 'NS_PACK_BINARY_E_EMPTY',
  E_TOO_LARGE: 'NS_PACK_BINARY_E_TOO_LARGE',
  E_UNKNOWN_FORMAT: 'NS_PACK_BINARY_E_UNKNOWN_FORMAT',
  E_TRUNCATED: 'NS_PACK_BINARY_E_TRUNCATED',
  E_MALFORMED: 'NS_PACK_BINARY_E_MALFORMED',
  E_UNSUPPORTED: 'NS_PACK_BINARY_E_UNSUPPORTED',
  E_INTERNAL: 'NS_PACK_BINARY_E_INTERNAL',
};

function inputError(message: string, hint: string): DiagnosticError {
  return new DiagnosticError([diagnostic({ code: 'NS_PACK_INPUT', message, hint })]);
}

export { sha256Sums } from '../manifest/sums.js';

interface Selected {
  readonly input: PackInputPackage;
  readonly selection: PackageSelection;
  readonly tarball: string;
  /** The package.json text to pack instead of the file on disk (the package manager's pack-time rewrite). */
  readonly manifestText: string | null;
}

const BINARY_EXTENSIONS = ['.node', '.wasm'];

/** What a tarball cache key needs of a packed file. */
interface SourceDigest {
  readonly size: number;
  readonly sha256: string;
}

/**
 * One pack's digests of the files it packs, by path: a binary hashed for the manifest (or described
 * by the caller's `binaries`, e.g. the dry run's verify) is not read again for the tarball cache
 * key. Sound because nothing writes a packed file while pack runs (stage and the SBOM replace files
 * by rename before pack starts); a given digest whose size no longer matches the file is not used.
 */
class SourceDigests {
  private readonly known = new Map<string, SourceDigest>();

  seed(file: string, digest: SourceDigest): void {
    this.known.set(file, { size: digest.size, sha256: digest.sha256 });
  }

  /** The digests of `paths` in order; null for a file the core could not read. */
  async of(paths: readonly string[]): Promise<(SourceDigest | null)[]> {
    const sizes = await Promise.all(
      paths.map((p) =>
        this.known.has(p)
          ? stat(p).then(
              (st) => st.size,
              () => -1,
            )
          : Promise.resolve(-1),
      ),
    );
    paths.forEach((p, i) => {
      if (this.known.get(p)?.size !== sizes[i]) this.known.delete(p);
    });
    const missing = [...new Set(paths.filter((p) => !this.known.has(p)))];
    const failed = new Set<string>();
    if (missing.length > 0)
      (await hashFiles(missing)).forEach((h, i) => {
        const p = missing[i] ?? h.path;
        if (h.ok) this.known.set(p, { size: h.size, sha256: h.sha256 });
        else failed.add(p);
      });
    return paths.map((p) => (failed.has(p) ? null : (this.known.get(p) ?? null)));
  }
}

async function collectBinaries(
  selected: readonly Selected[],
  diagnostics: Diagnostic[],
  digestsOf: SourceDigests,
): Promise<ManifestBinary[]> {
  const wanted = selected.flatMap((s) => {
    if (s.input.kind !== 'platform') return [];
    const files = s.selection.files.filter(
      (f) => BINARY_EXTENSIONS.some((ext) => f.path.endsWith(ext)) && !f.path.startsWith('node_modules/'),
    );
    if (files.length === 0) {
      diagnostics.push(
        diagnostic({
          code: 'NS_PACK_NO_BINARY',
          target: s.input.target ?? undefined,
          subject: s.selection.dir,
          message: `platform package ${s.selection.name} packs no .node binary`,
          hint: 'stage the binary into the package first (napi-ship stage / napi artifacts), and list it in `files`',
        }),
      );
    }
    return files.map((f) => ({ s, file: f.path, abs: path.join(s.selection.dir, ...f.path.split('/')) }));
  });
  const paths = wanted.map((w) => w.abs);
  const [inspected, hashed] = await Promise.all([inspectFiles(paths), hashFiles(paths)]);
  hashed.forEach((h, i) => {
    const p = paths[i];
    if (h.ok && p !== undefined) digestsOf.seed(p, h);
  });
  const binaries: ManifestBinary[] = [];
  wanted.forEach((w, i) => {
    const facts = inspected[i];
    const digests = hashed[i];
    const target = w.s.input.target ?? '';
    if (!facts?.ok || !digests?.ok) {
      const error: CoreFailure =
        facts && !facts.ok ? facts.error : digests && !digests.ok ? digests.error : { code: 'E_INTERNAL', message: 'no result' };
      diagnostics.push(
        diagnostic({
          code: PACK_BINARY_FAILURE[error.code],
          target,
          subject: w.abs,
          message: `cannot read the packed binary: ${error.message}`,
          hint: 'rebuild the addon; the file is not a loadable binary',
        }),
      );
      return;
    }
    const triple = w.s.input.triple ?? allTargets().find((t) => t.platformArchABI === target)?.triple ?? target;
    binaries.push({
      target,
      triple,
      package: w.s.selection.name,
      file: w.file,
      size: digests.size,
      sha256: digests.sha256,
      integrity: digests.integrity,
      facts: facts.facts,
    });
  });
  return binaries.sort((a, b) => byteOrder(a.target, b.target) || byteOrder(a.file, b.file));
}

/** Pack every package into `outDir`, then write `SHA256SUMS` and `release-manifest.json` there. */
export async function packRelease(input: PackInput): Promise<PackResult> {
  const roots = input.packages.filter((p) => p.kind === 'root');
  const root = roots[0];
  if (root === undefined || roots.length > 1) {
    throw inputError(`packRelease needs exactly one root package, got ${roots.length}`, 'pass the root package with kind "root"');
  }
  for (const p of input.packages) {
    if (p.kind === 'platform' && (p.target === null || p.target === '')) {
      throw inputError(`platform package ${p.dir} has no target`, 'pass its platform-arch-abi, e.g. linux-x64-gnu');
    }
  }
  const outDir = path.resolve(input.outDir);
  const env = input.env ?? process.env;
  // What a killed pack left beside the release dir goes first (it must not be packed, e.g. from dist/).
  await recoverDirSwap(outDir);
  const [sourceDateEpoch, commit] = await Promise.all([resolveSourceDateEpoch(root.dir, input.sourceDateEpoch, env), gitCommit(root.dir)]);

  const diagnostics: Diagnostic[] = [];
  const selected: Selected[] = [];
  const workspace =
    input.workspace ??
    readWorkspace(
      root.dir,
      input.packages.filter((p) => p.kind === 'platform').map((p) => p.dir),
    );
  for (const p of input.packages) {
    try {
      const rewritten: { value: PublishManifest | null } = { value: null };
      const selection = await selectFiles(p.dir, {
        manifest: (raw) => {
          const dir = path.resolve(p.dir);
          const r = publishManifest({ manifest: raw, dir, workspace, subject: path.join(dir, 'package.json') });
          rewritten.value = r;
          return r.manifest;
        },
      });
      const rewrite = rewritten.value;
      diagnostics.push(...(rewrite?.diagnostics ?? []), ...selection.diagnostics);
      const bad = checkNameAndVersion(selection.name, selection.version, selection.dir);
      diagnostics.push(...bad);
      if (bad.length > 0) continue;
      selected.push({
        input: p,
        selection,
        tarball: tarballName(selection.name, selection.version),
        manifestText: rewrite?.changed === true ? publishManifestText(rewrite.manifest) : null,
      });
    } catch (error) {
      if (!(error instanceof PackError)) throw error;
      diagnostics.push(...error.diagnostics);
    }
  }
  const byTarball = new Map<string, Selected>();
  for (const s of selected) {
    const other = byTarball.get(s.tarball);
    if (other) {
      diagnostics.push(
        diagnostic({
          code: 'NS_PACK_DUPLICATE',
          subject: s.selection.dir,
          message: `${s.selection.dir} and ${other.selection.dir} both pack as ${s.tarball}`,
          hint: 'every package of a release needs its own name',
        }),
      );
    }
    byTarball.set(s.tarball, s);
    const outRel = path.relative(s.selection.dir, outDir).split(path.sep).join('/');
    if (outRel === '' || (!outRel.startsWith('..') && !path.isAbsolute(outRel))) {
      const inside = s.selection.files.filter((f) => outRel === '' || f.path === outRel || f.path.startsWith(`${outRel}/`));
      if (inside.length > 0) {
        diagnostics.push(
          diagnostic({
            code: 'NS_PACK_OUT_INSIDE',
            subject: s.selection.dir,
            message: `the output dir ${outDir} is inside ${s.selection.name} and ${inside.length} file(s) there would be packed into it`,
            hint: `exclude ${outRel || '.'} from the package (files / .npmignore), or pack to another --out dir`,
          }),
        );
      }
    }
  }
  const digestsOf = new SourceDigests();
  const binaries = input.binaries ? [...input.binaries] : await collectBinaries(selected, diagnostics, digestsOf);
  if (input.binaries)
    for (const b of input.binaries) {
      const s = selected.find((x) => x.input.kind === 'platform' && x.selection.name === b.package);
      if (s !== undefined) digestsOf.seed(path.join(s.selection.dir, ...b.file.split('/')), b);
    }
  if (hasErrors(diagnostics)) {
    // A platform package without its binary also misses its `main`: say it once.
    const noBinary = new Set(diagnostics.filter((d) => d.code === 'NS_PACK_NO_BINARY').map((d) => d.subject));
    throw new PackError(diagnostics.filter((d) => !(d.code === 'NS_PACK_MAIN_MISSING' && noBinary.has(path.dirname(d.subject ?? '')))));
  }

  const rootSelection = selected.find((s) => s.input.kind === 'root')?.selection;
  if (rootSelection === undefined) throw new PackError(diagnostics);
  // The next state of the release dir, built beside it and swapped in at the end.
  const swap = await beginDirSwap(outDir);
  // A rewritten manifest is packed from an overlay: the package's files linked into a temporary dir
  // with the rewritten package.json (the package dir itself is never written).
  const overlays: string[] = [];
  try {
    const packDirs = new Map<Selected, string>();
    for (const s of selected) {
      if (s.manifestText === null || s.input.prebuilt !== undefined) continue;
      const overlay = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-pack-'));
      overlays.push(overlay);
      for (const f of s.selection.files) {
        const to = path.join(overlay, ...f.path.split('/'));
        await mkdir(path.dirname(to), { recursive: true });
        if (f.path === 'package.json') await writeAtomic(to, s.manifestText);
        else await linkOrCopy(path.join(s.selection.dir, ...f.path.split('/')), to);
      }
      packDirs.set(s, overlay);
    }
    const packDir = (s: Selected): string => packDirs.get(s) ?? s.selection.dir;
    // Temp files of writes an older napi-ship was killed in go first (a write here must not meet one).
    await removeLeftoverTemps(swap.temp);
    const before = await readFile(path.join(swap.temp, MANIFEST_FILE)).catch(() => null);
    const written = await writeRelease({
      input,
      outDir: swap.temp,
      env,
      sourceDateEpoch,
      commit,
      selected,
      binaries,
      diagnostics,
      rootSelection,
      packDir,
      digestsOf,
    });
    await dropSignature(swap.temp, before);
    await swap.commit();
    return { ...written, manifestPath: path.join(outDir, MANIFEST_FILE), sumsPath: path.join(outDir, SHA256SUMS_FILE) };
  } catch (error) {
    await swap.abort();
    throw error;
  } finally {
    await Promise.all(overlays.map((o) => rm(o, { recursive: true, force: true })));
  }
}

/** In the new release dir: drop the signature unless the manifest is still byte for byte the one it signed (a reproducible re-pack keeps it). */
async function dropSignature(dir: string, manifestBefore: Buffer | null): Promise<void> {
  const after = await readFile(path.join(dir, MANIFEST_FILE));
  if (manifestBefore === null || !after.equals(manifestBefore)) await rm(path.join(dir, SIGNATURE_FILE), { force: true });
}

interface WriteInput {
  readonly input: PackInput;
  readonly outDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly sourceDateEpoch: number;
  readonly commit: string | null;
  readonly selected: readonly Selected[];
  readonly binaries: readonly ManifestBinary[];
  readonly diagnostics: readonly Diagnostic[];
  readonly rootSelection: PackageSelection;
  readonly packDir: (s: Selected) => string;
  readonly digestsOf: SourceDigests;
}

async function writeRelease(w: WriteInput): Promise<PackResult> {
  const { input, outDir, env, sourceDateEpoch, commit, selected, binaries, diagnostics, rootSelection, packDir, digestsOf } = w;
  const cacheDir = input.cache === false ? null : typeof input.cache === 'string' ? path.resolve(input.cache) : cacheDirFrom(env);
  const cache = cacheDir === null ? null : new TarballCache(cacheDir);
  // Cache keys: every packed file's digest (one parallel pass in the core over all packages).
  const keys = new Map<Selected, string>();
  if (cache !== null) {
    const todo = selected.filter((s) => s.input.prebuilt === undefined);
    const files = todo.flatMap((s) => s.selection.files.map((f) => ({ s, f, abs: path.join(packDir(s), ...f.path.split('/')) })));
    const digests = files.length === 0 ? [] : await digestsOf.of(files.map((x) => x.abs));
    const byPackage = new Map<Selected, { path: string; size: number; mode: 0o644 | 0o755; sha256: string }[]>();
    let complete = true;
    for (const [i, x] of files.entries()) {
      const d = digests[i];
      if (d === null || d === undefined) {
        complete = false;
        break;
      }
      const list = byPackage.get(x.s) ?? [];
      list.push({ path: x.f.path, size: d.size, mode: x.f.mode, sha256: d.sha256 });
      byPackage.set(x.s, list);
    }
    if (complete) {
      const packer = packerId();
      for (const s of todo) keys.set(s, tarballKey(byPackage.get(s) ?? [], sourceDateEpoch, packer));
    }
  }
  const expected = new Map<Selected, string | null>();
  /** Cache hits whose bytes passed a tarball check before (its id). */
  const checkedHits = new Map<Selected, string>();
  const pack = (s: Selected): Promise<void> =>
    writeTarball(packDir(s), s.selection.files, path.join(outDir, s.tarball), { mtime: sourceDateEpoch });
  // gzip runs in the core on libuv's thread pool: one tarball per core at a time (each byte-reproducible on its own).
  await mapPool(selected, Math.min(os.availableParallelism(), 4), async (s) => {
    const dest = path.join(outDir, s.tarball);
    if (s.input.prebuilt !== undefined) {
      await linkOrCopy(s.input.prebuilt, dest);
      expected.set(s, null);
      return;
    }
    const key = keys.get(s);
    const hit = cache !== null && key !== undefined ? await cache.restore(key, dest) : null;
    if (hit !== null) {
      expected.set(s, hit.sha256);
      if (hit.checked !== null) checkedHits.set(s, hit.checked);
      return;
    }
    await pack(s);
  });
  let hashed = await hashFiles(selected.map((s) => path.join(outDir, s.tarball)));
  // A damaged cache entry is dropped and its tarball packed again.
  const damaged = selected.filter((s, i) => {
    const want = expected.get(s);
    const got = hashed[i];
    return typeof want === 'string' && (!got?.ok || got.sha256 !== want);
  });
  if (damaged.length > 0) {
    for (const s of damaged) {
      const key = keys.get(s);
      if (cache !== null && key !== undefined) await cache.drop(key);
      expected.delete(s);
      checkedHits.delete(s);
      await pack(s);
    }
    hashed = await hashFiles(selected.map((s) => path.join(outDir, s.tarball)));
  }
  if (cache !== null) {
    await Promise.all(
      selected.map(async (s, i) => {
        const key = keys.get(s);
        const h = hashed[i];
        if (key !== undefined && !expected.has(s) && h?.ok)
          await cache.store(key, path.join(outDir, s.tarball), { size: h.size, sha256: h.sha256 });
      }),
    );
  }
  const reused = selected.filter((s) => expected.has(s)).map((s) => s.tarball);
  const cached: CachedTarball[] = [];
  if (cache !== null) {
    for (const [i, s] of selected.entries()) {
      const key = keys.get(s);
      const h = hashed[i];
      if (key !== undefined && h?.ok) cached.push({ tarball: s.tarball, key, sha256: h.sha256, checked: checkedHits.get(s) ?? null });
    }
  }
  const packages: ManifestPackage[] = selected.map((s, i) => {
    const h = hashed[i];
    if (!h?.ok) {
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_PACK_HASH',
          subject: path.join(outDir, s.tarball),
          message: `cannot hash the tarball just written: ${h ? h.error.message : 'no result'}`,
          hint: 'check the output dir is readable',
        }),
      ]);
    }
    return {
      name: s.selection.name,
      version: s.selection.version,
      kind: s.input.kind,
      target: s.input.kind === 'root' ? null : s.input.target,
      tarball: s.tarball,
      size: h.size,
      integrity: h.integrity,
      sha1: h.sha1,
      sha256: h.sha256,
    };
  });
  packages.sort((a, b) => byteOrder(a.name, b.name));

  const manifest: ReleaseManifest = {
    schema: MANIFEST_SCHEMA,
    name: rootSelection.name,
    version: rootSelection.version,
    source: { commit, sourceDateEpoch },
    tools: { napiShip: napiShipVersion(), core: coreVersion(), node: process.version },
    packages,
    binaries,
    files: [],
  };
  const sumsPath = path.join(outDir, SHA256SUMS_FILE);
  const manifestPath = path.join(outDir, MANIFEST_FILE);
  await writeAtomic(sumsPath, sha256Sums(packages.map((p) => ({ file: p.tarball, sha256: p.sha256 }))));
  await writeAtomic(manifestPath, serializeManifest(manifest));
  return {
    manifest,
    manifestPath,
    sumsPath,
    packages,
    diagnostics,
    reused,
    cache: cacheDir === null ? null : { dir: cacheDir, tarballs: cached },
  };
}
