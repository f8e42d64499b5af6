/**
 * `napiShip.build` in the root package.json: what napi-ship cannot read from the project's own
 * build script. Read leniently here (a wrong type is ignored with the default kept); documented in
 * docs/config.md.
 */
import type { ReleasePlan } from '../plan/index.js';
import { isRecord } from '../util/json.js';

export interface BuildSettings {
  /** `MACOSX_DEPLOYMENT_TARGET` for macOS targets (default 10.13 x64, 11.0 arm64). */
  readonly macosDeploymentTarget?: string;
  /** glibc floor for cargo-zigbuild builds of Linux glibc targets (default 2.17). */
  readonly glibcFloor?: string;
}

const VERSION = /^\d+\.\d+$/;

export function buildSettings(plan: ReleasePlan): BuildSettings {
  const ship = plan.root.manifest.napiShip;
  const raw = isRecord(ship) ? ship.build : undefined;
  if (!isRecord(raw)) return {};
  const out: { macosDeploymentTarget?: string; glibcFloor?: string } = {};
  if (typeof raw.macosDeploymentTarget === 'string' && VERSION.test(raw.macosDeploymentTarget))
    out.macosDeploymentTarget = raw.macosDeploymentTarget;
  if (typeof raw.glibcFloor === 'string' && VERSION.test(raw.glibcFloor)) out.glibcFloor = raw.glibcFloor;
  return out;
}
