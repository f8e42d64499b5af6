/**
 * napi-ship as a library: one function per command (as `@napi-rs/cli`'s `NapiCli` has one method per
 * command), each returning the outcome the command reports, never printing; plus the curated types
 * those functions take and return. This module is the package's only entry point (`exports` in
 * package.json): everything else under `dist/src/` is internal and may change in any release.
 *
 *   import { loadPlan, verify, pack } from 'napi-ship';
 *   const outcome = await verify({ cwd: 'path/to/napi-rs-project' });
 *   if (!outcome.diagnostics.some((d) => d.severity === 'error')) await pack({ cwd: 'path/to/napi-rs-project' });
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildTargets, selectTargets, type BuildOptions, type BuildOutcome } from './build/index.js';
import { ciMatrix, generateWorkflow, projectBuildCommand, repositoryLayout, type MatrixEntry, type WorkflowOptions } from './ci/index.js';
import { hashFiles, inspectFiles, type Hashed, type Inspected, type InspectOptions } from './core/index.js';
import { diagnostic, DiagnosticError, type Diagnostic } from './diagnostics/index.js';
import { packProject, type PackOutcome } from './pack/index.js';
import { loadPlan, type PlannedTarget, type ReleasePlan } from './plan/index.js';
import { judgeProject, type PolicyOutcome } from './policy/index.js';
import {
  deprecateRelease,
  publishRelease,
  releaseStatus,
  type DeprecateInput,
  type DeprecateResult,
  type PublishOptions,
  type PublishResult,
  type StatusInput,
  type StatusReport,
} from './publish/index.js';
import { releaseDryRun as runDryRun, type DryRunOptions, type DryRunResult } from './release/dry-run.js';
import { generateSboms, readProjectInventories, type SbomOptions, type SbomResult } from './sbom/index.js';
import { policyCorrections } from './release/sbom-policy.js';
import { loadPrivateKey, signManifest, verifyRelease as verifySignedRelease, writeKeyPair, type SignResult } from './sign/index.js';
import { stagePackages, type StageOptions, type StageOutcome } from './stage/index.js';
import { setReleaseVersion, type VersionOptions, type VersionResult } from './version/index.js';
import { verifyRelease, type VerifyOutcome } from './verify/index.js';
import { resolvePolicy, type PolicyOverrides } from './verify/policy.js';

// The curated types: what the functions below take and return.
export type { Diagnostic, Severity, Code, CodeArea, CodeClass, CodeInfo } from './diagnostics/index.js';
export { DiagnosticError, CODE_TABLES, codeInfo, isCode, formatDiagnostic } from './diagnostics/index.js';
export type {
  BinaryFacts,
  BinaryFormat,
  CoreErrorCode,
  CoreFailure,
  Crt,
  Endian,
  FileDigests,
  Hashed,
  Inspected,
  Libc,
} from './core/index.js';
export type { TargetSpec } from './targets/index.js';
export type { PlannedTarget, ReleasePlan } from './plan/index.js';
export type { RunRecord, StageResults } from './run/index.js';
export type { BuildOutcome } from './build/index.js';
export type { StageOptions, StageOutcome } from './stage/index.js';
export type { VerifyOutcome, TargetVerification, VerifyCheck, CheckMark } from './verify/index.js';
export type { PolicyOverrides as VerifyLimits } from './verify/policy.js';
export type { PackOutcome, PackResult } from './pack/index.js';
export type { ReleaseManifest } from './manifest/index.js';
export type { SbomResult, SbomFormat } from './sbom/index.js';
export type { PolicyOutcome } from './policy/index.js';
export type { SignResult } from './sign/index.js';
export type { DryRunOptions, DryRunResult } from './release/dry-run.js';
export type { MatrixEntry, WorkflowOptions } from './ci/index.js';
export type { VersionResult } from './version/index.js';
export type {
  PublishOptions,
  PublishReport,
  PublishResult,
  StatusInput,
  StatusReport,
  DeprecateInput,
  DeprecateResult,
} from './publish/index.js';
// A registry client for publish, status and deprecate (auth from the environment and .npmrc, as npm).
export { RegistryClient, chooseRegistry, loadNpmrc, resolveAuth } from './registry/index.js';
export { loadPlan } from './plan/index.js';
export { main } from './cli/main.js';

/** Where the napi-rs project is: its root package dir (default: the current directory). */
export interface ProjectOptions {
  readonly cwd?: string;
  /** A napi-rs config file (`napi build --config-path`), relative to `cwd`; its keys override package.json `napi`. */
  readonly configPath?: string;
}

/** The release plan of the project `options` name (the CLI's `--cwd` and `-c/--config-path`). */
function projectPlan(options: ProjectOptions): Promise<ReleasePlan> {
  return loadPlan(path.resolve(options.cwd ?? '.'), options.configPath === undefined ? {} : { configPath: options.configPath });
}

/** `napi-ship inspect`: what each binary really is (format, OS, CPU, libc, glibc floor, napi export…). */
export async function inspect(paths: readonly string[], options: InspectOptions = {}): Promise<Inspected[]> {
  return inspectFiles(paths, options);
}

/** `napi-ship hash`: sha1, sha256, sha512 and npm's integrity of each file, in one read pass. */
export async function hash(paths: readonly string[]): Promise<Hashed[]> {
  return hashFiles(paths);
}

/** `napi-ship targets`: the project's configured targets, resolved to their platform packages. */
export async function targets(options: ProjectOptions = {}): Promise<readonly PlannedTarget[]> {
  return (await projectPlan(options)).targets;
}

/** `napi-ship build`: build the configured targets (or `targets`, by triple or platform-arch-abi) through @napi-rs/cli. */
export async function build(
  options: ProjectOptions & Omit<BuildOptions, 'targets'> & { readonly targets?: readonly string[] } = {},
): Promise<BuildOutcome> {
  const plan = await projectPlan(options);
  const selection = selectTargets(plan, options.targets ?? []);
  const wrong = [...selection.unknown, ...selection.notConfigured];
  if (wrong.length > 0) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_TARGET_UNKNOWN',
        subject: plan.root.packageJsonPath,
        message: `not a configured target: ${wrong.join(', ')}`,
        hint: `configured: ${plan.targets.map((t) => t.spec.triple).join(', ')}`,
      }),
    ]);
  }
  return buildTargets(plan, { ...options, targets: selection.targets.map((t) => t.spec.triple) });
}

/** `napi-ship stage`: each target's binary into its platform package, exact pins into the root. */
export async function stage(options: ProjectOptions & StageOptions = {}): Promise<StageOutcome> {
  return stagePackages(await projectPlan(options), options);
}

/** `napi-ship verify`: the gate — every staged platform package against its target and its binary. */
export async function verify(options: ProjectOptions & PolicyOverrides = {}): Promise<VerifyOutcome> {
  const plan = await projectPlan(options);
  const policy = resolvePolicy(plan.root.manifest, plan.root.config.verify, options);
  return verifyRelease(plan, policy);
}

/**
 * `napi-ship pack`: reproducible tarballs of the root and every staged platform package, the release
 * manifest and SHA256SUMS, into `releaseDir` (default `<project>/dist/release/packages`). A platform
 * package that is not staged is `NS_PACK_MISSING_PACKAGE` in the outcome, and nothing is written.
 */
export async function pack(
  options: ProjectOptions & { readonly releaseDir?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<PackOutcome> {
  return packProject(await projectPlan(options), {
    ...(options.releaseDir === undefined ? {} : { outDir: path.resolve(options.releaseDir) }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
}

/** `napi-ship sbom`: SPDX 2.3 (or CycloneDX) documents of the addon crate and the npm side. */
export async function sbom(options: SbomOptions): Promise<SbomResult> {
  if (options.corrections !== undefined || options.format === 'cyclonedx') return generateSboms(options);
  // The policy's clarifications, as the dry run and the CLI write them.
  const inventories = options.inventories ?? (await readProjectInventories(options));
  return generateSboms({ ...options, inventories, corrections: await policyCorrections(options.rootDir, inventories) });
}

/** `napi-ship policy`: licenses, sources, bans and duplicates of everything the release ships. */
export async function policy(
  options: ProjectOptions & { readonly includeDev?: boolean } = {},
): Promise<PolicyOutcome & { readonly readerDiagnostics: readonly Diagnostic[] }> {
  const judged = await judgeProject(await projectPlan(options), options.includeDev === true ? { includeDev: true } : {});
  return { ...judged.policy, readerDiagnostics: judged.readerDiagnostics };
}

/** `napi-ship keygen`: an Ed25519 key pair (`file`, mode 0600, and `file.pub`). */
export async function keygen(file: string, options: { readonly force?: boolean } = {}): ReturnType<typeof writeKeyPair> {
  return writeKeyPair(file, options);
}

/** `napi-ship sign`: sign the release manifest in `releaseDir` with the private key in `keyFile`. */
export async function sign(releaseDir: string, keyFile: string): Promise<SignResult> {
  return signManifest(releaseDir, await loadPrivateKey({ file: keyFile }));
}

/** `napi-ship verify-manifest`: a downloaded release dir against its signed manifest; no diagnostics means it holds. */
export async function verifyManifest(releaseDir: string, publicKeyFile: string): Promise<Diagnostic[]> {
  return verifySignedRelease(releaseDir, await readFile(publicKeyFile, 'utf8'));
}

/** `napi-ship release --dry-run`: the whole pipeline on a throwaway copy, with the registry rehearsal. */
export async function releaseDryRun(options: DryRunOptions): Promise<DryRunResult> {
  return runDryRun(options);
}

/** `napi-ship ci generate` / `ci matrix`: the release workflow a maintainer commits, and the build matrix. */
export async function ciGenerate(
  options: ProjectOptions & WorkflowOptions = {},
): Promise<{ readonly workflow: string; readonly matrix: MatrixEntry[] }> {
  const plan = await projectPlan(options);
  // What the repository says (package manager, the project's build, how napi-ship runs), then what the caller set.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as WorkflowOptions;
  const merged: WorkflowOptions = { ...repositoryLayout(plan).options, ...given };
  return {
    workflow: generateWorkflow(plan, merged),
    matrix: ciMatrix(
      plan.targets.map((t) => t.spec),
      projectBuildCommand(merged.project, merged.packageManager ?? 'npm'),
    ),
  };
}

/** `napi-ship version`: one new version for the root, every platform package, the pins and Cargo.toml. */
export async function version(options: ProjectOptions & VersionOptions): Promise<VersionResult> {
  return setReleaseVersion(await projectPlan(options), options);
}

/** `napi-ship publish`: the packed release, atomically (root last, verified by integrity, resumable). */
export async function publish(options: PublishOptions): Promise<PublishResult> {
  return publishRelease(options);
}

/** `napi-ship status`: where every package of a release stands on the registry. */
export async function status(input: StatusInput): Promise<StatusReport> {
  return releaseStatus(input);
}

/** `napi-ship deprecate`: mark exactly the packages of one release deprecated. */
export async function deprecate(input: DeprecateInput): Promise<DeprecateResult> {
  return deprecateRelease(input);
}
