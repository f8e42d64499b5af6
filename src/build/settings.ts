/**
 * `napiShip.build` in the root package.json (read, strictly, by src/config with the rest of
 * `napiShip` when the plan is made): what napi-ship cannot read from the project's own build script.
 */
import type { BuildSettings } from '../config/index.js';
import type { ReleasePlan } from '../plan/index.js';

export type { BuildSettings } from '../config/index.js';

export function buildSettings(plan: ReleasePlan): BuildSettings {
  return plan.root.config.build;
}
