/**
 * The SBOM step before packing: `napiShip.sbom.shipNpmSbom` writes the npm SBOM into the staged root
 * package. (The SBOM and policy stages after packing are orchestrated in src/release/sbom-policy.ts.)
 */
import type { Diagnostic } from '../diagnostics/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { readProjectInventories, sbomStageFailure, writeShippedNpmSbom } from './index.js';

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
    if (!plan.root.config.sbom.shipNpmSbom) return [];
    const project = await readProjectInventories({
      rootDir,
      targets: plan.targets.map((t) => t.spec.triple),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    const shipped = await writeShippedNpmSbom(project, plan.root.dir, { rootDir, ...options });
    return shipped.diagnostics;
  } catch (error) {
    return sbomStageFailure(error);
  }
}
