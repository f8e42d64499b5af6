/**
 * `verify`: the gate. Every configured target's platform package is checked on disk, as staged:
 *   1 present · 2 package fields · 3 binary vs target · 4 glibc/macOS floors · 5 napi export ·
 *   6 files · 7 root pins and loader · 8 size.
 * Each failure is a diagnostic; `checks` summarises them per target for the report.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { hashFiles, inspectFiles, type BinaryFacts, type FileDigests, type IdentifiedDigests } from '../core/index.js';
import { unchangedSince } from '../util/fs.js';
import { diagnostic, outcome, type AreaCode, type Code, type Diagnostic, type Outcome } from '../diagnostics/index.js';
import type { PlannedTarget, ReleasePlan } from '../plan/index.js';
import { checkBinary } from './binary.js';
import { checkPackageFiles, escapes } from './files.js';
import { checkFloors, checkSize } from './floors.js';
import { checkLoader, traceLoader } from './loader.js';
import { checkPlatformManifest, checkRootPins } from './package.js';
import type { VerifyPolicy } from './policy.js';
import { pinnedTargets } from '../stage/plan.js';
import { publishManifest } from '../plan/publish-manifest.js';
import { readWorkspace } from '../plan/workspace.js';
import { INSPECT_FAILURE, type InspectCode } from '../core/codes.js';

export const VERIFY_CHECKS = ['present', 'fields', 'binary', 'floors', 'napi', 'files', 'pins', 'size'] as const;
export type VerifyCheck = (typeof VERIFY_CHECKS)[number];
export type CheckMark = 'ok' | 'warn' | 'fail' | 'skip';

/**
 * Which check of a target each code a target's verification can report belongs to (null: about the
 * release, never one target). Exhaustive: a new verify or inspect code must be placed here.
 */
const CHECK_OF: Readonly<Record<AreaCode<'verify'> | InspectCode, VerifyCheck | null>> = {
  NS_VERIFY_MISSING_PACKAGE: 'present',
  NS_VERIFY_NAME: 'fields',
  NS_VERIFY_VERSION: 'fields',
  NS_VERIFY_OS: 'fields',
  NS_VERIFY_CPU: 'fields',
  NS_VERIFY_LIBC: 'fields',
  NS_VERIFY_MAIN: 'fields',
  NS_VERIFY_GLIBC_CEILING: 'floors',
  NS_VERIFY_MACOS_MIN: 'floors',
  NS_BINARY_NO_NAPI_EXPORT: 'napi',
  NS_VERIFY_FILE_MISSING: 'files',
  NS_VERIFY_SYMLINK: 'files',
  NS_VERIFY_PATH_ESCAPE: 'files',
  NS_VERIFY_PIN_MISSING: 'pins',
  NS_VERIFY_PIN_VERSION: 'pins',
  NS_VERIFY_PIN_EXTRA: 'pins',
  NS_VERIFY_LOADER: 'pins',
  NS_VERIFY_LOADER_VERSION: null,
  NS_VERIFY_SIZE: 'size',
  NS_BINARY_FORMAT: 'binary',
  NS_BINARY_OS: 'binary',
  NS_BINARY_CPU: 'binary',
  NS_BINARY_BITS: 'binary',
  NS_BINARY_ENDIAN: 'binary',
  NS_BINARY_LIBC: 'binary',
  NS_BINARY_LIBC_UNPROVEN: 'binary',
  NS_BINARY_CRT: 'binary',
  NS_BINARY_CRT_UNPROVEN: 'binary',
  NS_BINARY_NOT_SHARED: 'binary',
  NS_INSPECT_E_NOT_FOUND: 'binary',
  NS_INSPECT_E_IO: 'binary',
  NS_INSPECT_E_NOT_A_FILE: 'binary',
  NS_INSPECT_E_EMPTY: 'binary',
  NS_INSPECT_E_TOO_LARGE: 'binary',
  NS_INSPECT_E_UNKNOWN_FORMAT: 'binary',
  NS_INSPECT_E_TRUNCATED: 'binary',
  NS_INSPECT_E_MALFORMED: 'binary',
  NS_INSPECT_E_UNSUPPORTED: 'binary',
  NS_INSPECT_E_INTERNAL: 'binary',
  NS_VERIFY_EXTRA_PACKAGE: null,
  NS_VERIFY_POLICY: null,
};

/** Which check a diagnostic code belongs to (null: none of a target's checks). */
export function checkOf(code: Code): VerifyCheck | null {
  return Object.hasOwn(CHECK_OF, code) ? CHECK_OF[code as keyof typeof CHECK_OF] : null;
}

export interface TargetVerification {
  readonly triple: string;
  readonly platformArchABI: string;
  readonly packageName: string;
  readonly packageDir: string;
  readonly binaryPath: string | null;
  readonly facts: BinaryFacts | null;
  /** Digests of the binary, so later stages (pack's manifest) need not read it again. */
  readonly digests: FileDigests | null;
  readonly checks: Readonly<Record<VerifyCheck, CheckMark>>;
  readonly diagnostics: readonly Diagnostic[];
}

export interface VerifyResult {
  readonly policy: VerifyPolicy;
  readonly targets: readonly TargetVerification[];
  /** Diagnostics not about one target (extra packages, a missing loader). */
  readonly releaseDiagnostics: readonly Diagnostic[];
}

/** The verify stage's outcome; its `diagnostics` are every diagnostic, target ones included. */
export type VerifyOutcome = Outcome<VerifyResult>;

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    const v: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function marks(diagnostics: readonly Diagnostic[], skipped: readonly VerifyCheck[]): Record<VerifyCheck, CheckMark> {
  const result = {} as Record<VerifyCheck, CheckMark>;
  for (const check of VERIFY_CHECKS) {
    const hits = diagnostics.filter((d) => checkOf(d.code) === check);
    result[check] = hits.some((d) => d.severity === 'error') ? 'fail' : hits.length > 0 ? 'warn' : skipped.includes(check) ? 'skip' : 'ok';
  }
  return result;
}

async function verifyTarget(
  t: PlannedTarget,
  version: string,
  policy: VerifyPolicy,
  pins: readonly Diagnostic[],
  known: ReadonlyMap<string, IdentifiedDigests>,
): Promise<TargetVerification> {
  const base = { triple: t.spec.triple, platformArchABI: t.spec.platformArchABI, packageName: t.packageName, packageDir: t.packageDir };
  const manifest = await readJson(path.join(t.packageDir, 'package.json'));
  const pinDiagnostics = pins.filter((d) => d.target === t.spec.platformArchABI);
  if (manifest === null) {
    const diagnostics = [
      diagnostic({
        code: 'NS_VERIFY_MISSING_PACKAGE',
        target: t.spec.platformArchABI,
        subject: t.packageDir,
        message: 'the platform package is not staged',
        expected: `${t.packageDir}/package.json`,
        found: 'nothing',
        hint: 'a release needs every target: build it (CI matrix) and run napi-ship stage',
      }),
      ...pinDiagnostics,
    ];
    return {
      ...base,
      binaryPath: null,
      facts: null,
      digests: null,
      diagnostics,
      checks: marks(diagnostics, ['fields', 'binary', 'floors', 'napi', 'files', 'size']),
    };
  }
  const diagnostics: Diagnostic[] = [...checkPlatformManifest(t, manifest, version)];
  diagnostics.push(...(await checkPackageFiles(t.packageDir, manifest, t.spec.platformArchABI)));
  // The binary: what main names for a native package; the .wasm for WASI (main is the .cjs loader).
  const binaryName = t.spec.platform === 'wasi' ? t.binaryFile : typeof manifest.main === 'string' ? manifest.main : null;
  const main = binaryName !== null && !escapes(t.packageDir, binaryName) ? path.join(t.packageDir, binaryName) : null;
  let facts: BinaryFacts | null = null;
  let digests: FileDigests | null = null;
  const skipped: VerifyCheck[] = [];
  if (main !== null && !diagnostics.some((d) => d.code === 'NS_VERIFY_FILE_MISSING' || d.code === 'NS_VERIFY_SYMLINK')) {
    // Digests stage took of this very file (same identity: not written since) are not taken again.
    const given = known.get(main);
    const reuse = given !== undefined && (await unchangedSince(main, given.identity));
    const [[inspected], [hashed]] = await Promise.all([inspectFiles([main]), reuse ? Promise.resolve([]) : hashFiles([main])]);
    if (reuse) digests = { size: given.size, sha1: given.sha1, sha256: given.sha256, sha512: given.sha512, integrity: given.integrity };
    else if (hashed?.ok)
      digests = { size: hashed.size, sha1: hashed.sha1, sha256: hashed.sha256, sha512: hashed.sha512, integrity: hashed.integrity };
    if (inspected?.ok) {
      facts = inspected.facts;
      diagnostics.push(
        ...checkBinary(t.spec, facts, main),
        ...checkFloors(t.spec, facts, policy, main),
        ...checkSize(t.spec, facts.size, policy, main),
      );
    } else if (inspected) {
      diagnostics.push(
        diagnostic({
          code: INSPECT_FAILURE[inspected.error.code],
          target: t.spec.platformArchABI,
          subject: main,
          message: inspected.error.message,
          hint: 'the staged file is not a loadable binary: rebuild it and stage again',
        }),
      );
      skipped.push('floors', 'napi', 'size');
    }
  } else {
    skipped.push('binary', 'floors', 'napi', 'size');
  }
  diagnostics.push(...pinDiagnostics);
  return { ...base, binaryPath: main, facts, digests, diagnostics, checks: marks(diagnostics, skipped) };
}

/** Run every check over the staged release described by `plan`. */
export interface VerifyReleaseOptions {
  /**
   * Digests already taken of staged binaries, by absolute path, each with the file's identity at the
   * time (stage's `StagedPackage.digests`): used while the identity still holds, else the file is read.
   */
  readonly knownDigests?: ReadonlyMap<string, IdentifiedDigests>;
}

export async function verifyRelease(plan: ReleasePlan, policy: VerifyPolicy, options: VerifyReleaseOptions = {}): Promise<VerifyOutcome> {
  const known = options.knownDigests ?? new Map<string, IdentifiedDigests>();
  const root = (await readJson(plan.root.packageJsonPath)) ?? {};
  // How the napi-rs config was read (a v2 config, a stale napi.triples, a Node-spelled triple): the gate says so.
  const releaseDiagnostics: Diagnostic[] = [...plan.root.configNotes];
  const triples = new Set(plan.targets.map((t) => t.spec.triple));
  for (const triple of Object.keys(policy.glibcMaxByTarget)) {
    if (triples.has(triple)) continue;
    releaseDiagnostics.push(
      diagnostic({
        code: 'NS_CONFIG_INVALID',
        severity: 'warning',
        subject: plan.root.packageJsonPath,
        message: `napiShip.verify.glibcMaxByTarget names ${triple}, which is not one of the targets: it sets no ceiling`,
        hint: `key it by the Rust triple of a glibc target (${
          plan.targets
            .filter((t) => t.spec.binaryLibc === 'glibc')
            .map((t) => t.spec.triple)
            .join(', ') || 'none is configured'
        }), as napi-ship targets lists it`,
      }),
    );
  }
  // The pins as the package manager packs them (`workspace:*` → the workspace package's version).
  const workspace = readWorkspace(
    plan.root.dir,
    plan.targets.map((t) => t.packageDir),
  );
  const packedRoot = publishManifest({ manifest: root, dir: plan.root.dir, workspace, subject: plan.root.packageJsonPath });
  const pins = checkRootPins(
    packedRoot.manifest,
    pinnedTargets(plan.targets, plan.root.wasm.optionalDependency),
    plan.root.version,
    plan.root.packageName,
  );
  releaseDiagnostics.push(...pins.filter((d) => d.target === undefined));

  // Check 7, the manifests themselves: what pack would refuse (workspace:, catalog:, file:, link:, git …).
  releaseDiagnostics.push(...packedRoot.diagnostics.filter((d) => d.severity === 'error'));
  const manifests: [string, Record<string, unknown> | null][] = await Promise.all(
    plan.targets.map(async (t): Promise<[string, Record<string, unknown> | null]> => [
      t.packageDir,
      await readJson(path.join(t.packageDir, 'package.json')),
    ]),
  );
  for (const [dir, manifest] of manifests) {
    if (manifest === null) continue;
    const published = publishManifest({ manifest, dir, workspace, subject: path.join(dir, 'package.json') });
    releaseDiagnostics.push(...published.diagnostics.filter((d) => d.severity === 'error'));
  }

  const trace = await traceLoader(plan.root.dir, root, plan.root.packageName);
  const loaderDiagnostics = checkLoader(trace, plan.targets, plan.root.packageJsonPath, plan.root.version);
  releaseDiagnostics.push(...loaderDiagnostics.filter((d) => d.target === undefined));

  // Check 1, the other way: platform package dirs that no target claims.
  const planned = new Set(plan.targets.map((t) => path.basename(t.packageDir)));
  try {
    for (const entry of await readdir(plan.root.npmDir, { withFileTypes: true })) {
      if (
        entry.isDirectory() &&
        !planned.has(entry.name) &&
        (await readJson(path.join(plan.root.npmDir, entry.name, 'package.json'))) !== null
      ) {
        releaseDiagnostics.push(
          diagnostic({
            code: 'NS_VERIFY_EXTRA_PACKAGE',
            subject: path.join(plan.root.npmDir, entry.name),
            message: `a platform package dir "${entry.name}" is not a configured target`,
            expected: 'only configured targets',
            found: entry.name,
            hint: 'add its triple to napi.targets or delete the directory',
          }),
        );
      }
    }
  } catch {
    // No npm dir at all: every target reports itself missing.
  }

  const targets = await Promise.all(
    plan.targets.map((t) => verifyTarget(t, plan.root.version, policy, [...pins, ...loaderDiagnostics], known)),
  );
  return outcome({ policy, targets, releaseDiagnostics }, [...releaseDiagnostics, ...targets.flatMap((t) => t.diagnostics)]);
}
