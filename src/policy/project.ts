/**
 * Judge a project as its plan describes it: read its policy config and the inventories the SBOMs are
 * written from, then evaluate (the one wiring of `napi-ship policy` and the library's `policy()`).
 */
import type { Diagnostic } from '../diagnostics/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { readProjectInventories, type Inventory } from '../sbom/index.js';
import { readPolicyConfig } from './config.js';
import { evaluatePolicy, type PolicyOutcome } from './evaluate.js';

export interface ProjectPolicyOptions {
  /** Judge devDependencies too. */
  readonly includeDev?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Called as each step starts, for progress output. */
  readonly onStep?: (step: string) => void;
}

export interface ProjectPolicy {
  /** The verdict over every package read. */
  readonly policy: PolicyOutcome;
  /** What the dependency readers reported (an error means packages went unchecked). */
  readonly readerDiagnostics: readonly Diagnostic[];
  /** What was judged: the cargo graph (when there is a crate) and the npm one. */
  readonly inventories: readonly Inventory[];
}

export async function judgeProject(plan: ReleasePlan, options: ProjectPolicyOptions = {}): Promise<ProjectPolicy> {
  const step = options.onStep ?? ((): void => undefined);
  const config = await readPolicyConfig(plan.root.dir, plan.root.manifest);
  step(`reading the crate graph (cargo metadata, ${plan.targets.length} targets) and the npm lockfile`);
  // The same reader the SBOMs are written from: what the policy judges is what they describe.
  const inputs = await readProjectInventories({
    rootDir: plan.root.dir,
    targets: plan.targets.map((t) => t.spec.triple),
    ...(options.includeDev === true ? { includeDev: true } : {}),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const inventories = inputs.cargo === null ? [inputs.npm] : [inputs.cargo, inputs.npm];
  step('judging licenses and sources');
  return { policy: evaluatePolicy(inventories, config), readerDiagnostics: inputs.diagnostics, inventories };
}
