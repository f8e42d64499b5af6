/**
 * The SBOM and policy stages of a release, over a packed plan (what `release --dry-run` runs between
 * `pack` and `sign`):
 *
 *   inventories (once) → policy verdict → SBOMs (clarified licenses as corrections) → policy report
 *   → both listed and hashed in release-manifest.json (so the signature covers them)
 *
 * A reader that cannot run (no `cargo`, a stale Cargo.lock) is recorded as the stage's diagnostics,
 * not thrown: the rest of the release is still checked and reported.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileDigests } from '../core/index.js';
import { DiagnosticError, errorMessage, type Diagnostic } from '../diagnostics/index.js';
import { withStage, type ReleasePlan } from '../plan/index.js';
import { evaluatePolicy, readPolicyConfig, renderPolicyMarkdown } from '../policy/index.js';
import {
  addManifestFiles,
  correctionsFromPolicy,
  generateSboms,
  readProjectInventories,
  writeShippedNpmSbom,
  type SbomOutcome,
} from './index.js';
import { readSbomConfig } from './config.js';
import { readReleaseManifest } from './release.js';

export const POLICY_REPORT_FILE = 'policy-report.md';

export interface SbomStageOptions {
  /** The real root package dir (lockfiles and Cargo.toml live here, not in a staging copy). */
  readonly rootDir: string;
  /** The release dir `pack` wrote (tarballs and manifest); the SBOMs and the policy report go here too. */
  readonly releaseDir: string;
  readonly sourceDateEpoch?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Diagnostics of an earlier SBOM step (the shipped npm SBOM) to record with this stage. */
  readonly earlier?: readonly Diagnostic[];
  readonly onStep?: (step: string) => void;
}

function failed(error: unknown): Diagnostic[] {
  if (error instanceof DiagnosticError) return [...error.diagnostics];
  return [
    {
      code: 'NS_SBOM_FAILED',
      severity: 'error',
      message: `the SBOM stage failed: ${errorMessage(error)}`,
      hint: 'run `napi-ship sbom` to see the error on its own',
    },
  ];
}

/** Inventories → policy → SBOMs → report, recorded as the plan's `sbom` and `policy` stages. */
export async function runSbomAndPolicy(plan: ReleasePlan, options: SbomStageOptions): Promise<ReleasePlan> {
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
    for (const v of plan.stages.verify?.targets ?? []) if (v.digests !== null) binaryDigests.set(v.platformArchABI, v.digests);
    const packageManifests = new Map<string, Readonly<Record<string, unknown>>>();
    packageManifests.set(plan.root.name, plan.root.manifest);
    for (const p of plan.stages.stage?.packages ?? []) packageManifests.set(p.packageName, p.manifest);
    const sbom = await generateSboms({
      rootDir,
      outDir: releaseDir,
      inventories: project,
      corrections: correctionsFromPolicy(policy.packages),
      release: { dir: releaseDir, manifest: await readReleaseManifest(releaseDir), binaryDigests, packageManifests },
      ...(options.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: options.sourceDateEpoch }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    const reportFile = path.join(releaseDir, POLICY_REPORT_FILE);
    await writeFile(reportFile, renderPolicyMarkdown(policy));
    await addManifestFiles(releaseDir, [...sbom.outcome.documents.map((d) => d.file), reportFile]);
    const outcome: SbomOutcome = { ...sbom.outcome, diagnostics: [...earlier, ...sbom.outcome.diagnostics] };
    return withStage(withStage(plan, 'sbom', outcome), 'policy', policy);
  } catch (error) {
    const outcome: SbomOutcome = {
      format: 'spdx',
      outDir: releaseDir,
      documents: [],
      notes: [],
      diagnostics: [...earlier, ...failed(error)],
    };
    return withStage(plan, 'sbom', outcome);
  }
}

/**
 * `napiShip.sbom.shipNpmSbom`: before packing, write the npm SBOM into the (staged) root package dir
 * as `sbom.spdx.json`. Returns the diagnostics to pass on to `runSbomAndPolicy` (none when not configured).
 */
export async function shipNpmSbomBeforePack(
  plan: ReleasePlan,
  rootDir: string,
  options: { sourceDateEpoch?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Diagnostic[]> {
  try {
    if (!readSbomConfig(plan.root.manifest, plan.root.packageJsonPath).shipNpmSbom) return [];
    const project = await readProjectInventories({
      rootDir,
      targets: plan.targets.map((t) => t.spec.triple),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    const shipped = await writeShippedNpmSbom(project, plan.root.dir, { rootDir, ...options });
    return shipped.diagnostics;
  } catch (error) {
    return failed(error);
  }
}
