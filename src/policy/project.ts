/**
 * Judge a project as its plan describes it: read its policy config and the inventories the SBOMs are
 * written from, then evaluate (the one wiring of `napi-ship policy` and the library's `policy()`).
 */
import type { Diagnostic } from '../diagnostics/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { readProjectInventories, type Inventory } from '../sbom/index.js';
import type { PolicyConfig } from '../config/policy.js';
import { readPolicyConfig } from './config.js';
import { evaluatePolicy, type PolicyOutcome } from './evaluate.js';

export interface ProjectPolicyOptions {
  /** Judge devDependencies too. */
  readonly includeDev?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Use the inventory cache (default: the reader's default). */
  readonly cache?: boolean;
  /** The policy config, when the caller has read it already (default: read from the plan's root). */
  readonly config?: PolicyConfig;
  /** Called as each step starts, for progress output. */
  readonly onStep?: (step: string) => void;
}

/** What a policy run reads: the config and the dependency graphs. */
export interface PolicyInputs {
  readonly config: PolicyConfig;
  /** What is judged: the cargo graph (when there is a crate) and the npm one. */
  readonly inventories: readonly Inventory[];
  /** What the dependency readers reported (an error means packages went unchecked). */
  readonly readerDiagnostics: readonly Diagnostic[];
}

export interface ProjectPolicy extends PolicyInputs {
  /** The verdict over every package read. */
  readonly policy: PolicyOutcome;
}

/** Read the policy config and the inventories the SBOMs are written from (what the policy judges is what they describe). */
export async function readPolicyInputs(plan: ReleasePlan, options: ProjectPolicyOptions = {}): Promise<PolicyInputs> {
  const config = options.config ?? (await readPolicyConfig(plan.root.dir, plan.root.manifest));
  options.onStep?.(`reading the crate graph (cargo metadata, ${plan.targets.length} targets) and the npm lockfile`);
  const inputs = await readProjectInventories({
    rootDir: plan.root.dir,
    targets: plan.targets.map((t) => t.spec.triple),
    ...(options.includeDev === true ? { includeDev: true } : {}),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.cache === undefined ? {} : { cache: options.cache }),
  });
  const inventories = inputs.cargo === null ? [inputs.npm] : [inputs.cargo, inputs.npm];
  return { config, inventories, readerDiagnostics: inputs.diagnostics };
}

/** Read, then judge: the policy verdict of the project. */
export async function judgeProject(plan: ReleasePlan, options: ProjectPolicyOptions = {}): Promise<ProjectPolicy> {
  const inputs = await readPolicyInputs(plan, options);
  options.onStep?.('judging licenses and sources');
  return { ...inputs, policy: evaluatePolicy(inputs.inventories, inputs.config) };
}
