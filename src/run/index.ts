/**
 * The run record: what each stage of a release run did, kept apart from the plan (what will be
 * done). The orchestrator (src/release) writes it, stage by stage; the report (src/report) reads
 * it. No stage reads it: a stage gets what it needs from the plan and from explicit inputs.
 */
import type { BuildOutcome } from '../build/types.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadOutcome } from '../load/index.js';
import type { PackOutcome } from '../pack/index.js';
import type { ReleasePlan } from '../plan/index.js';
import type { PolicyOutcome } from '../policy/index.js';
import type { RehearsalOutcome } from '../rehearsal/types.js';
import type { SbomOutcome } from '../sbom/index.js';
import type { SignOutcome } from '../sign/index.js';
import type { StageOutcome } from '../stage/types.js';
import type { VerifyOutcome } from '../verify/index.js';

/** Each stage's outcome, in pipeline order. */
export interface StageResults {
  /** What `build` compiled here, with which toolchain, and what it skipped and why. */
  readonly build: BuildOutcome;
  readonly stage: StageOutcome;
  readonly verify: VerifyOutcome;
  readonly pack: PackOutcome;
  /** The SBOMs written into the release dir (src/sbom). */
  readonly sbom: SbomOutcome;
  /** The license and source policy over the same inventories (src/policy). */
  readonly policy: PolicyOutcome;
  readonly sign: SignOutcome;
  /** The rehearsal: embedded-registry publish, installs, runtime loads, real-registry plan (src/rehearsal). */
  readonly rehearsal: RehearsalOutcome;
  /** Per staged target: did its binary load here (natively, or under qemu), or why it cannot (src/load). */
  readonly load: LoadOutcome;
}

export interface RunRecord {
  /** The plan the run carried out (read only). */
  readonly plan: ReleasePlan;
  /** What the stages that ran did; a stage that did not run is absent. */
  readonly stages: Partial<StageResults>;
}

/** A record of `plan` before any stage ran. */
export function startRun(plan: ReleasePlan): RunRecord {
  return { plan, stages: {} };
}

/** Record one stage's outcome, returning a new record. */
export function withStage<K extends keyof StageResults>(run: RunRecord, stage: K, outcome: StageResults[K]): RunRecord {
  return { ...run, stages: { ...run.stages, [stage]: outcome } };
}

/** Every diagnostic any stage has recorded so far, in pipeline order. */
export function runDiagnostics(run: RunRecord): Diagnostic[] {
  const s = run.stages;
  return [
    ...(s.build?.diagnostics ?? []),
    ...(s.stage?.diagnostics ?? []),
    ...(s.verify?.diagnostics ?? []),
    ...(s.pack?.diagnostics ?? []),
    ...(s.sign?.diagnostics ?? []),
    ...(s.sbom?.diagnostics ?? []),
    ...(s.policy?.diagnostics ?? []),
    ...(s.rehearsal?.diagnostics ?? []),
    ...(s.load?.diagnostics ?? []),
  ];
}

/** The record as JSON: the plan with its stages (the `plan` of `plan.json` and of `--json`). */
export type RunJson = ReleasePlan & { readonly stages: Partial<StageResults> };

export function runJson(run: RunRecord): RunJson {
  return { ...run.plan, stages: run.stages };
}

/** The record back from its JSON (`plan.json`'s `plan`). */
export function runFromJson(json: RunJson): RunRecord {
  const { stages, ...plan } = json;
  return { plan, stages };
}
