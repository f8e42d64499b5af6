/**
 * The SBOM and policy stages of a release, over a packed release dir (what `release --dry-run` runs
 * between `pack` and `sign`):
 *
 *   inventories (once) → policy verdict → SBOMs (clarified licenses as corrections) → policy report
 *   → both listed and hashed in release-manifest.json (so the signature covers them)
 *
 * A reader that cannot run (no `cargo`, a stale Cargo.lock) is recorded as the SBOM stage's
 * diagnostics, not thrown: the rest of the release is still checked and reported.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileDigests } from '../core/index.js';
import { outcome, type Diagnostic } from '../diagnostics/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { evaluatePolicy, readPolicyConfig, renderPolicyMarkdown, type PolicyOutcome } from '../policy/index.js';
import {
  addManifestFiles,
  correctionsFromPolicy,
  generateSboms,
  readProjectInventories,
  readReleaseManifest,
  sbomStageFailure,
  type LicenseCorrection,
  type ProjectInventories,
  type SbomOutcome,
} from '../sbom/index.js';
import type { StageOutcome } from '../stage/index.js';
import type { VerifyOutcome } from '../verify/index.js';

export const POLICY_REPORT_FILE = 'policy-report.md';

export interface SbomStageOptions {
  /** The real root package dir (lockfiles and Cargo.toml live here, not in a staging copy). */
  readonly rootDir: string;
  /** The release dir `pack` wrote (tarballs and manifest); the SBOMs and the policy report go here too. */
  readonly releaseDir: string;
  /** Verify's outcome: the binaries' digests, already read. */
  readonly verified?: VerifyOutcome;
  /** Stage's outcome: the platform package.json files written. */
  readonly staged?: StageOutcome;
  readonly sourceDateEpoch?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Diagnostics of an earlier SBOM step (the shipped npm SBOM) to record with this stage. */
  readonly earlier?: readonly Diagnostic[];
  readonly onStep?: (step: string) => void;
}

/**
 * The license corrections the SBOMs carry: the policy's clarifications that hold (`licenseConcluded`
 * with the reason). The dry run and a standalone `napi-ship sbom` both take them from here, so both
 * describe the same graph with the same conclusions. No policy configured: none.
 */
export async function policyCorrections(rootDir: string, project: ProjectInventories): Promise<LicenseCorrection[]> {
  const config = await readPolicyConfig(rootDir, project.rootManifest);
  if (config.licenses.clarify.length === 0) return [];
  return correctionsFromPolicy(
    evaluatePolicy(
      [project.cargo, project.npm].filter((i) => i !== null),
      config,
    ).result.packages,
  );
}

/** Inventories → policy → SBOMs → report: the `sbom` stage's outcome, and the `policy` stage's (null when it did not get to run). */
export async function runSbomAndPolicy(
  plan: ReleasePlan,
  options: SbomStageOptions,
): Promise<{ sbom: SbomOutcome; policy: PolicyOutcome | null }> {
  const step = options.onStep ?? ((): void => undefined);
  const rootDir = path.resolve(options.rootDir);
  const releaseDir = path.resolve(options.releaseDir);
  const earlier = options.earlier ?? [];
  try {
    step('reading the Rust and npm dependency graphs (cargo metadata, lockfile)');
    const project = await readProjectInventories({
      rootDir,
      targets: plan.targets.map((t) => t.spec.triple),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    step('checking licenses and sources against the policy');
    const policyConfig = await readPolicyConfig(rootDir, project.rootManifest);
    const policy = evaluatePolicy(
      [project.cargo, project.npm].filter((i) => i !== null),
      policyConfig,
    );

    step('writing SBOMs (SPDX 2.3: Rust crates, npm packages, release artifacts)');
    const binaryDigests = new Map<string, FileDigests>();
    for (const v of options.verified?.result.targets ?? []) if (v.digests !== null) binaryDigests.set(v.platformArchABI, v.digests);
    const packageManifests = new Map<string, Readonly<Record<string, unknown>>>();
    packageManifests.set(plan.root.name, plan.root.manifest);
    for (const p of options.staged?.result.packages ?? []) packageManifests.set(p.packageName, p.manifest);
    const sbom = await generateSboms({
      rootDir,
      outDir: releaseDir,
      inventories: project,
      corrections: correctionsFromPolicy(policy.result.packages),
      release: { dir: releaseDir, manifest: await readReleaseManifest(releaseDir), binaryDigests, packageManifests },
      ...(options.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: options.sourceDateEpoch }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    const reportFile = path.join(releaseDir, POLICY_REPORT_FILE);
    await writeFile(reportFile, renderPolicyMarkdown(policy));
    await addManifestFiles(releaseDir, [...sbom.outcome.result.documents.map((d) => d.file), reportFile]);
    return { sbom: outcome(sbom.outcome.result, [...earlier, ...sbom.outcome.diagnostics]), policy };
  } catch (error) {
    const sbom: SbomOutcome = outcome({ format: 'spdx', outDir: releaseDir, documents: [], notes: [] }, [
      ...earlier,
      ...sbomStageFailure(error),
    ]);
    return { sbom, policy: null };
  }
}
