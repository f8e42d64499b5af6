/**
 * The pure half of `stage`: which collected file is which target's binary, what every platform
 * package.json must say, what the root must pin, and what is wrong with the inputs. No I/O: the
 * caller lists and hashes the files, these functions decide.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import type { IdentifiedDigests } from '../core/index.js';
import type { PlannedTarget } from '../plan/index.js';
import { allTargets, platformPackageName } from '../targets/index.js';
import semver from 'semver';
import { isRecord } from '../util/json.js';

type Manifest = Readonly<Record<string, unknown>>;

/** Where binaries are collected from: a download-artifact directory, or napi-rs's build output (the root). */
export interface BinaryOrigin {
  readonly kind: 'artifacts' | 'build-output';
  /** The directory collected from (absolute). */
  readonly dir: string;
}

/** One file found where binaries are collected from. */
export interface FoundFile {
  /** Absolute path. */
  readonly path: string;
  /** Path relative to the collection directory, `/`-separated (for messages). */
  readonly relative: string;
}

/** A found file that names a target, with its digest (null when it could not be read). */
export interface HashedFile extends FoundFile {
  readonly sha256: string | null;
  /** All its digests and its identity when they were taken (`fileIdentity`), when it could be hashed. */
  readonly digests?: IdentifiedDigests;
  /** Why it could not be hashed, when `sha256` is null. */
  readonly error?: string;
}

export interface BinaryChoice {
  readonly target: PlannedTarget;
  readonly file: HashedFile;
}

function basename(relative: string): string {
  return relative.slice(relative.lastIndexOf('/') + 1);
}

/** Order files directory by directory (`a/x` before `a-b/x`), by code point within a name. */
function byPath(a: FoundFile, b: FoundFile): number {
  const pa = a.relative.split('/');
  const pb = b.relative.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

function originText(origin: BinaryOrigin): string {
  return origin.kind === 'artifacts' ? `the artifacts in ${origin.dir}` : `the napi-rs build output in ${origin.dir}`;
}

// ---------------------------------------------------------------------------------------------
// Matching files to targets.

/** The configured target whose binary file is named `fileName`, if any. */
export function targetForFile(fileName: string, targets: readonly PlannedTarget[]): PlannedTarget | undefined {
  return targets.find((t) => t.binaryFile === fileName);
}

/** Is `fileName` a candidate binary in napi-rs build output (the root package dir)? */
export function isBuildOutputCandidate(fileName: string, targets: readonly PlannedTarget[]): boolean {
  return fileName.endsWith('.node') || targetForFile(fileName, targets) !== undefined;
}

function unknownFileHint(fileName: string, binaryName: string, targets: readonly PlannedTarget[], origin: BinaryOrigin): string {
  const configured = new Set(targets.map((t) => t.spec.platformArchABI));
  for (const spec of allTargets()) {
    if (fileName === spec.binaryFile(binaryName) && !configured.has(spec.platformArchABI)) {
      return `this is the ${spec.triple} binary, which napi.targets does not list: add "${spec.triple}" to napi.targets, or stop building and uploading it`;
    }
  }
  for (const t of targets) {
    const suffix = `.${t.spec.platformArchABI}.${t.binaryFile.endsWith('.wasm') ? 'wasm' : 'node'}`;
    if (fileName.endsWith(suffix) && fileName !== t.binaryFile) {
      return `napi.binaryName is "${binaryName}", so the ${t.spec.triple} binary must be named ${t.binaryFile}: was it built with another binaryName?`;
    }
  }
  if (fileName.endsWith('.node')) {
    return `napi-rs names each binary <binaryName>.<platform-arch-abi>.node (napi build --platform); rename or rebuild it, or remove it`;
  }
  return origin.kind === 'artifacts'
    ? `only the binaries of configured targets belong in the artifacts: upload just ${binaryName}.*.node (and .wasm), or download the binary artifacts into a directory of their own`
    : 'remove it, or rebuild with napi build --platform';
}

/**
 * Sort found files onto targets by name (`<binaryName>.<platformArchABI>.node`, or the spec's
 * `binaryFile` for WASI). Every file that names no configured target is an error
 * (`NS_STAGE_UNKNOWN_FILE`): nothing found is silently dropped.
 */
export function matchFiles(
  files: readonly FoundFile[],
  targets: readonly PlannedTarget[],
  binaryName: string,
  origin: BinaryOrigin,
): { readonly matched: ReadonlyMap<string, readonly FoundFile[]>; readonly diagnostics: readonly Diagnostic[] } {
  const matched = new Map<string, FoundFile[]>();
  const diagnostics: Diagnostic[] = [];
  for (const file of [...files].sort(byPath)) {
    const name = basename(file.relative);
    const target = targetForFile(name, targets);
    if (target) {
      const list = matched.get(target.spec.platformArchABI) ?? [];
      list.push(file);
      matched.set(target.spec.platformArchABI, list);
      continue;
    }
    diagnostics.push(
      diagnostic({
        code: 'NS_STAGE_UNKNOWN_FILE',
        subject: file.path,
        message: `${file.relative} in ${originText(origin)} is not the binary of any configured target`,
        expected: `one of ${targets.map((t) => t.binaryFile).join(', ')}`,
        found: file.relative,
        hint: unknownFileHint(name, binaryName, targets, origin),
      }),
    );
  }
  return { matched, diagnostics };
}

/**
 * Pick each target's binary among its hashed candidates: one readable file, or several with the
 * same bytes (a note); several with different bytes is `NS_STAGE_DUPLICATE_BINARY`, none at all
 * `NS_STAGE_MISSING_BINARY`. Choices come back in target order.
 */
export function chooseBinaries(
  targets: readonly PlannedTarget[],
  candidates: ReadonlyMap<string, readonly HashedFile[]>,
  origin: BinaryOrigin,
): { readonly chosen: readonly BinaryChoice[]; readonly diagnostics: readonly Diagnostic[] } {
  const chosen: BinaryChoice[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const target of targets) {
    const id = target.spec.platformArchABI;
    const all = candidates.get(id) ?? [];
    for (const bad of all.filter((f) => f.sha256 === null)) {
      diagnostics.push(
        diagnostic({
          code: 'NS_STAGE_UNREADABLE_BINARY',
          target: id,
          subject: bad.path,
          message: `${bad.relative} cannot be read: ${bad.error ?? 'unknown error'}`,
          expected: `a readable, non-empty ${target.binaryFile}`,
          found: bad.error ?? 'an unreadable file',
          hint: 'the artifact is damaged or empty: re-run the build job for this target',
        }),
      );
    }
    const readable = all.filter((f): f is HashedFile & { sha256: string } => f.sha256 !== null);
    const first = readable[0];
    if (first === undefined) {
      if (all.length === 0) {
        diagnostics.push(
          diagnostic({
            code: 'NS_STAGE_MISSING_BINARY',
            target: id,
            subject: target.packageName,
            message: `no binary for ${target.spec.triple} in ${originText(origin)}: ${target.packageName} is not staged`,
            expected: target.binaryFile,
            found: 'nothing',
            hint:
              origin.kind === 'artifacts'
                ? `check that the build job for ${target.spec.triple} ran and uploaded ${target.binaryFile} (actions/upload-artifact), and that download-artifact fetched it`
                : `build it with \`napi build --platform --target ${target.spec.triple}\`, or pass --artifacts DIR with the CI artifacts`,
          }),
        );
      }
      continue;
    }
    const distinct = [...new Set(readable.map((f) => f.sha256))];
    if (distinct.length > 1) {
      diagnostics.push(
        diagnostic({
          code: 'NS_STAGE_DUPLICATE_BINARY',
          target: id,
          subject: target.packageName,
          message: `${readable.length} files claim to be the ${target.spec.triple} binary and their bytes differ: napi-ship will not guess which to ship`,
          expected: `one ${target.binaryFile} (or identical copies)`,
          found: readable.map((f) => `${f.relative} (sha256 ${f.sha256.slice(0, 12)}…)`).join(', '),
          hint: 'two jobs built this target (a matrix entry listed twice, or a stale artifact from an earlier run): keep exactly one',
        }),
      );
      continue;
    }
    if (readable.length > 1) {
      diagnostics.push(
        diagnostic({
          code: 'NS_STAGE_DUPLICATE_IDENTICAL',
          severity: 'note',
          target: id,
          subject: target.packageName,
          message: `${readable.length} copies of the ${target.spec.triple} binary have identical bytes; staging ${first.relative}`,
          found: readable.map((f) => f.relative).join(', '),
          hint: 'harmless, but the build matrix may list this target twice',
        }),
      );
    }
    chosen.push({ target, file: first });
  }
  return { chosen, diagnostics };
}

// ---------------------------------------------------------------------------------------------
// What is already in a platform package directory.

export interface ExistingBinary {
  readonly name: string;
  readonly path: string;
  readonly sha256: string | null;
}

/** A platform package directory as found before staging. */
export interface PlatformDirState {
  readonly exists: boolean;
  /** The `.node`/`.wasm` files in it. */
  readonly binaries: readonly ExistingBinary[];
  /** Its package.json, null when absent or not a JSON object. */
  readonly manifest: Manifest | null;
  readonly hasReadme: boolean;
}

/**
 * What to do about binaries already in a platform dir.
 *
 * The stale rule: napi-ship cannot tell from a `.node` file which release it was built for, and a
 * platform package.json's `version` is no evidence either (`napi version`, `npm version` hooks and
 * napi-rs's pre-publish rewrite it without touching the binary). The one signal that holds is
 * whether *this run* supplied the target's binary. So when a fresh binary was supplied, every
 * other `.node`/`.wasm` in the dir is removed (a note) and the binary of the same name is replaced;
 * when none was supplied, every binary left in the dir is `NS_STAGE_STALE_BINARY` — publishing the
 * dir would ship it under the new version — whatever its package.json says, which only sharpens
 * the message (another version: certainly stale; the release version: unproven).
 */
export function leftoverBinaries(
  target: PlannedTarget,
  state: PlatformDirState,
  freshSupplied: boolean,
  version: string,
): { readonly remove: readonly ExistingBinary[]; readonly diagnostics: readonly Diagnostic[] } {
  const id = target.spec.platformArchABI;
  if (freshSupplied) {
    const remove = state.binaries.filter((b) => b.name !== target.binaryFile);
    return {
      remove,
      diagnostics: remove.map((b) =>
        diagnostic({
          code: 'NS_STAGE_REMOVED_FILE',
          severity: 'note',
          target: id,
          subject: b.path,
          message: `removed ${b.name} from ${target.packageName}: it is not this target's binary (${target.binaryFile}) and would have been left behind`,
          hint: 'nothing to do; it was probably staged under an earlier napi.binaryName',
        }),
      ),
    };
  }
  const recorded = state.manifest?.version;
  const recordedVersion = typeof recorded === 'string' ? recorded : null;
  return {
    remove: [],
    diagnostics: state.binaries.map((b) => {
      const why =
        recordedVersion === null
          ? 'its package.json states no version'
          : recordedVersion !== version
            ? `its package.json is at ${recordedVersion}, this release is ${version}`
            : `its package.json already says ${version}, but that proves nothing about the binary (version bumps rewrite package.json, not binaries)`;
      return diagnostic({
        code: 'NS_STAGE_STALE_BINARY',
        target: id,
        subject: b.path,
        message: `${target.packageName} still holds ${b.name}, which this run did not supply (${why}): publishing would ship it as ${version}`,
        expected: `a fresh ${target.binaryFile} from this release's build`,
        found: `${b.name}${b.sha256 === null ? '' : ` (sha256 ${b.sha256.slice(0, 12)}…)`}, package.json version ${recordedVersion ?? 'absent'}`,
        hint: `supply this release's ${target.spec.triple} binary (artifacts or build output), or delete ${b.path} if the target should not ship`,
      });
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// The platform package.json.

/** Root fields napi-rs copies into every platform package, in napi-rs's order (`createNpmDirs`). */
export const CARRIED_FIELDS = [
  'description',
  'keywords',
  'author',
  'authors',
  'homepage',
  'license',
  'engines',
  'repository',
  'bugs',
] as const;

/**
 * `publishConfig` keys carried from the root: napi-rs carries `registry` and `access`; napi-ship
 * also carries `tag` and `provenance`, which must agree between the root and its platform packages.
 */
export const CARRIED_PUBLISH_CONFIG = ['registry', 'access', 'tag', 'provenance'] as const;

// ---------------------------------------------------------------------------------------------
// WASI packages, as `napi create-npm-dirs` + `napi artifacts` (@napi-rs/cli 3.10) lay them out.

/** The loader-file suffix of a WASI target (napi-rs `wasiLoaderSuffix`): `wasi` for wasm32-wasi, `wasip1` for wasm32-wasip1. */
export function wasiLoaderSuffix(platformArchABI: string): string {
  return platformArchABI.replace(/^wasm32-/, '');
}

/** A file of the WASI package besides the `.wasm`: napi-rs's loader, its typings, the workers. */
export interface WasiFile {
  readonly name: string;
  /** napi-rs refuses to lay out the package without it (`napi artifacts`); typings are optional (older napi-rs had none). */
  readonly required: boolean;
}

/** The files `napi artifacts` copies into a WASI package next to the `.wasm`, in napi-rs's `files` order. */
export function wasiFiles(binaryName: string, target: PlannedTarget): WasiFile[] {
  const suffix = wasiLoaderSuffix(target.spec.platformArchABI);
  const threads = target.spec.platformArchABI === 'wasm32-wasi';
  return [
    { name: `${binaryName}.${suffix}.cjs`, required: true },
    { name: `${binaryName}.${suffix}.d.cts`, required: false },
    { name: `${binaryName}.${suffix}-browser.js`, required: true },
    ...(threads
      ? [
          { name: 'wasi-worker.mjs', required: true },
          { name: 'wasi-worker-browser.mjs', required: true },
        ]
      : [
          { name: `${binaryName}.${suffix}-deferred.js`, required: false },
          { name: `${binaryName}.${suffix}-deferred.d.ts`, required: false },
        ]),
  ];
}

/** napi-rs's `MINIMUM_WASI_NODE_VERSION`: the Node releases its WASI loaders run on. */
export const MINIMUM_WASI_NODE = '^20.19.0 || ^22.13.0 || >=23.5.0';

/** napi-rs's `restrictWasiNodeEngine`, simplified: the root's range when it is inside the WASI minimum, else the minimum. */
export function wasiNodeEngine(range: unknown): string {
  if (typeof range !== 'string') return MINIMUM_WASI_NODE;
  try {
    return semver.subset(range, MINIMUM_WASI_NODE) ? range : MINIMUM_WASI_NODE;
  } catch {
    return MINIMUM_WASI_NODE;
  }
}

/** The runtime dependencies of a WASI package: napi-rs pins `@napi-rs/wasm-runtime` (`~`) and emnapi (exact). */
export interface WasiRuntime {
  readonly dependencies: Readonly<Record<string, string>>;
  /** Why a dependency could not be given a version (stage reports it). */
  readonly missing: readonly string[];
}

export interface ManifestInput {
  /** The root package.json. */
  readonly root: Manifest;
  readonly target: PlannedTarget;
  readonly version: string;
  /** Every configured target is WASI (napi-rs then writes no `cpu` for the WASI package). */
  readonly wasiOnly: boolean;
  /** The platform package.json already in the dir, if any (the license files it lists stay listed). */
  readonly existing?: Manifest | null;
  /** For a WASI target: the loader files being staged next to the `.wasm` (see `wasiFiles`). */
  readonly wasiStaged?: readonly string[];
  /** For a WASI target: `napi.wasm.cpu` (default true). */
  readonly wasmCpu?: boolean;
  /** For a WASI target: its runtime dependencies. */
  readonly wasiRuntime?: WasiRuntime;
}

/** A license file a package lists in `files` (LICENSE-MIT, LICENSE-APACHE, COPYING, NOTICE…). */
const LICENSE_FILE = /^(?:licen[cs]e|copying|notice)(?:[-._][\w.-]*)?$/i;

/**
 * The package.json of one platform package, shaped and ordered as napi-rs's `create-npm-dirs`
 * writes it: name, version, cpu, main, files, the carried root fields, publishConfig, os (then,
 * for WASI: types, browser, type, engines, dependencies), libc. `libc` only when the target has
 * one (Linux gnu/musl); no `cpu` for a universal binary (as napi-rs); no `os` for WASI, whose
 * `main` is napi-rs's `.cjs` loader and whose `files` list the loader and worker files. License
 * files the existing package.json lists in `files` stay listed (npm packs only LICENSE/LICENCE/
 * COPYING by itself, so LICENSE-MIT / LICENSE-APACHE must stay in `files`).
 */
export function platformManifest(input: ManifestInput): Record<string, unknown> {
  const { root, target, version } = input;
  const spec = target.spec;
  const wasi = spec.platform === 'wasi';
  const out: Record<string, unknown> = { name: target.packageName, version };
  if (wasi) {
    if (!input.wasiOnly && input.wasmCpu !== false) out.cpu = [...spec.cpu];
  } else if (spec.arch !== 'universal') {
    out.cpu = [...spec.cpu];
  }
  const listed = Array.isArray(input.existing?.files) ? input.existing.files.filter((f): f is string => typeof f === 'string') : [];
  const licenseFiles = listed.filter((f) => LICENSE_FILE.test(f) && f !== target.binaryFile);
  out.main = target.binaryFile;
  out.files = [target.binaryFile, ...licenseFiles];
  for (const key of CARRIED_FIELDS) {
    if (root[key] !== undefined) out[key] = structuredClone(root[key]);
  }
  if (isRecord(root.publishConfig)) {
    const publishConfig: Record<string, unknown> = {};
    for (const key of CARRIED_PUBLISH_CONFIG) {
      if (root.publishConfig[key] !== undefined) publishConfig[key] = root.publishConfig[key];
    }
    if (Object.keys(publishConfig).length > 0) out.publishConfig = publishConfig;
  }
  if (spec.os !== null) out.os = [spec.os];
  if (wasi) {
    const binaryName = target.binaryFile.slice(0, -`.${spec.platformArchABI}.wasm`.length);
    const suffix = wasiLoaderSuffix(spec.platformArchABI);
    const staged = new Set(input.wasiStaged ?? []);
    const entry = `${binaryName}.${suffix}.cjs`;
    const typeDef = `${binaryName}.${suffix}.d.cts`;
    const browser = `${binaryName}.${suffix}-browser.js`;
    out.main = entry;
    if (staged.has(typeDef)) out.types = typeDef;
    out.browser = browser;
    out.type = 'module';
    out.files = [
      target.binaryFile,
      ...wasiFiles(binaryName, target)
        .map((f) => f.name)
        .filter((f) => staged.has(f)),
    ];
    out.engines = {
      ...(isRecord(out.engines) ? out.engines : {}),
      node: wasiNodeEngine(isRecord(root.engines) ? root.engines.node : undefined),
    };
    out.dependencies = { ...(input.wasiRuntime?.dependencies ?? {}) };
  }
  if (spec.libc !== null) out.libc = [spec.libc];
  return out;
}

/** The targets the root pins in `optionalDependencies`: all, but WASI only while `napi.wasm.optionalDependency` is not false. */
export function pinnedTargets(targets: readonly PlannedTarget[], wasmOptionalDependency: boolean): PlannedTarget[] {
  return targets.filter((t) => wasmOptionalDependency || t.spec.platform !== 'wasi');
}

/** The `main` napi-rs gives a platform package: the `.node` file, or the `.cjs` loader of a WASI package. */
export function platformMain(target: PlannedTarget): string {
  if (target.spec.platform !== 'wasi') return target.binaryFile;
  const binaryName = target.binaryFile.slice(0, -`.${target.spec.platformArchABI}.wasm`.length);
  return `${binaryName}.${wasiLoaderSuffix(target.spec.platformArchABI)}.cjs`;
}

/** The README napi-rs writes into a platform package dir (stage writes it only when there is none). */
export function platformReadme(packageName: string, target: PlannedTarget): string {
  return `# \`${target.packageName}\`\n\nThis is the **${target.spec.triple}** binary for \`${packageName}\`\n`;
}

// ---------------------------------------------------------------------------------------------
// The root's optionalDependencies.

function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en');
}

/**
 * The root's new `optionalDependencies`: an exact pin of every configured target's package at the
 * release version (a pin `keep` accepts, one the package manager packs as that version, stays as
 * written), plus every non-platform optional dependency as it was; pins of platform
 * packages of targets no longer configured are dropped (a warning). Sorted by name, as npm sorts.
 */
export function rootOptionalDependencies(
  current: unknown,
  targets: readonly PlannedTarget[],
  version: string,
  packageName: string,
  subject: string,
  keep: (spec: unknown) => boolean = () => false,
): { readonly dependencies: Record<string, unknown>; readonly diagnostics: readonly Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const existing: Record<string, unknown> = {};
  if (isRecord(current)) {
    Object.assign(existing, current);
  } else if (current !== undefined) {
    diagnostics.push(
      diagnostic({
        code: 'NS_STAGE_ROOT_OPTIONAL_DEPS',
        severity: 'warning',
        subject,
        message: 'the root optionalDependencies is not an object; it is replaced by the platform pins',
        expected: 'an object of name → version',
        found: JSON.stringify(current),
        hint: 'nothing to do: stage rewrote it',
      }),
    );
  }
  const configured = new Set(targets.map((t) => t.packageName));
  // Platform packages of targets not configured, by name → the triple that makes them.
  const otherPlatforms = new Map(
    allTargets()
      .map((s): [string, string] => [platformPackageName(packageName, s), s.triple])
      .filter(([n]) => !configured.has(n)),
  );
  const merged: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(existing)) {
    if (otherPlatforms.has(name)) {
      diagnostics.push(
        diagnostic({
          code: 'NS_STAGE_PIN_REMOVED',
          severity: 'warning',
          subject: name,
          message: `removed the root pin of ${name}: its target is no longer in napi.targets`,
          found: `"${name}": ${JSON.stringify(value)}`,
          hint: `if the target should still ship, add "${otherPlatforms.get(name) ?? 'its triple'}" (back) to napi.targets`,
        }),
      );
      continue;
    }
    if (!configured.has(name)) merged[name] = value;
  }
  // A pin the package manager packs as this exact version (`workspace:*` in a pnpm workspace) stays as written.
  for (const t of targets) merged[t.packageName] = keep(existing[t.packageName]) ? existing[t.packageName] : version;
  const dependencies: Record<string, unknown> = {};
  for (const name of Object.keys(merged).sort(compareNames)) dependencies[name] = merged[name];
  return { dependencies, diagnostics };
}

// ---------------------------------------------------------------------------------------------
// repository.url, for npm provenance.

export interface RepositoryCheck {
  /** Publishing with provenance (`--provenance`, `npm_config_provenance`, `publishConfig.provenance`). */
  readonly provenance: boolean;
  /** The `owner/name` the build runs in (GitHub Actions' GITHUB_REPOSITORY), when known. */
  readonly expectedRepository?: string | undefined;
}

/** `owner/name` of a GitHub repository URL in any form npm accepts, or null. */
export function githubSlug(url: string): string | null {
  const u = url.trim();
  const match =
    /^(?:git\+)?(?:https?|git|ssh):\/\/(?:[^@/]+@)?github\.com\/([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?(?:[#?].*)?$/i.exec(u) ??
    /^(?:[^@/:]+@)?github\.com:([\w.-]+)\/([\w.-]+?)(?:\.git)?(?:#.*)?$/i.exec(u) ??
    /^(?:github:)?([\w.-]+)\/([\w.-]+?)(?:\.git)?(?:#.*)?$/i.exec(u);
  const owner = match?.[1];
  const name = match?.[2];
  return owner === undefined || name === undefined ? null : `${owner}/${name}`.toLowerCase();
}

/**
 * The root's `repository`, which every platform package copies: npm provenance rejects a package
 * whose `repository.url` is empty or names another repository than the one that built it. An
 * empty or missing url is an error; no `repository` at all is a warning (an error with provenance).
 */
export function repositoryDiagnostics(root: Manifest, subject: string, check: RepositoryCheck): Diagnostic[] {
  const repository = root.repository;
  const code = 'NS_STAGE_REPOSITORY_URL';
  const example =
    check.expectedRepository === undefined
      ? '"repository": { "type": "git", "url": "git+https://github.com/OWNER/REPO.git" }'
      : `"repository": { "type": "git", "url": "git+https://github.com/${check.expectedRepository}.git" }`;
  if (repository === undefined) {
    return [
      diagnostic({
        code,
        severity: check.provenance ? 'error' : 'warning',
        subject,
        message: check.provenance
          ? 'the root package.json has no repository: npm rejects a provenance publish without repository.url'
          : 'the root package.json has no repository, so no platform package has one (npm provenance needs it)',
        expected: 'repository.url',
        found: 'absent',
        hint: `add ${example}`,
      }),
    ];
  }
  let url: unknown;
  if (typeof repository === 'string') url = repository;
  else if (isRecord(repository)) url = repository.url;
  else {
    return [
      diagnostic({
        code,
        subject,
        message: 'the root package.json `repository` is neither a string nor an object',
        expected: 'an object with a url',
        found: JSON.stringify(repository),
        hint: `write ${example}`,
      }),
    ];
  }
  if (typeof url !== 'string' || url.trim() === '') {
    return [
      diagnostic({
        code,
        subject,
        message:
          'the root package.json `repository.url` is empty or missing: every platform package copies it, and npm provenance rejects it',
        expected: 'a non-empty repository.url',
        found: url === undefined ? 'absent' : JSON.stringify(url),
        hint: `write ${example}`,
      }),
    ];
  }
  if (check.provenance && check.expectedRepository !== undefined) {
    const slug = githubSlug(url);
    if (slug !== check.expectedRepository.toLowerCase()) {
      return [
        diagnostic({
          code,
          subject,
          message: `repository.url does not name ${check.expectedRepository}, the repository this build runs in: npm rejects the provenance`,
          expected: `https://github.com/${check.expectedRepository}`,
          found: url,
          hint: `write ${example}`,
        }),
      ];
    }
  }
  return [];
}

/** Publishing with provenance according to the root's `publishConfig.provenance`. */
export function publishConfigProvenance(root: Manifest): boolean {
  return isRecord(root.publishConfig) && root.publishConfig.provenance === true;
}

// ---------------------------------------------------------------------------------------------
// Per-target status, for reports.

export type StageStatus = 'staged' | 'missing' | 'duplicate' | 'unreadable' | 'stale';

export interface TargetRow {
  readonly triple: string;
  readonly platformArchABI: string;
  readonly packageName: string;
  readonly source: string | null;
  readonly status: StageStatus;
}

/** One row per configured target: staged (with its source) or why not. */
export function targetRows(
  targets: readonly PlannedTarget[],
  outcome: {
    readonly result: { readonly packages: readonly { readonly platformArchABI: string; readonly source: string }[] };
    readonly diagnostics: readonly Diagnostic[];
  },
): TargetRow[] {
  return targets.map((t) => {
    const id = t.spec.platformArchABI;
    const staged = outcome.result.packages.find((p) => p.platformArchABI === id);
    const base = { triple: t.spec.triple, platformArchABI: id, packageName: t.packageName };
    if (staged) return { ...base, source: staged.source, status: 'staged' };
    const codes = new Set(outcome.diagnostics.filter((d) => d.target === id && d.severity === 'error').map((d) => d.code));
    const status: StageStatus = codes.has('NS_STAGE_DUPLICATE_BINARY')
      ? 'duplicate'
      : codes.has('NS_STAGE_STALE_BINARY')
        ? 'stale'
        : codes.has('NS_STAGE_UNREADABLE_BINARY')
          ? 'unreadable'
          : 'missing';
    return { ...base, source: null, status };
  });
}
