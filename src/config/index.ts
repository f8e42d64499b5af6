/**
 * napi-ship's own settings: the root package.json's `napiShip` key, read once, strictly, every
 * section at once (`npmDir`, `verify`, `build`, `sbom`, `policy`). Every problem of every section is
 * one `NS_CONFIG_INVALID` diagnostic, all thrown together; an unknown key names the nearest known one.
 * The policy may instead live in `napi-ship.config.json` (read by src/policy, parsed by the same
 * section reader). Documented key by key in docs/config.md (a test keeps the two in step).
 */
import { DiagnosticError } from '../diagnostics/index.js';
import { BUILD_KEYS, readBuildSection, type BuildSettings } from './build.js';
import { POLICY_KEYS, readPolicySection, type PolicyConfig } from './policy.js';
import { ConfigReader } from './reader.js';
import { readSbomSection, SBOM_KEYS, type SbomConfig } from './sbom.js';
import { readVerifySection, VERIFY_KEYS, type PolicyOverrides } from './verify.js';

export type { BuildSettings } from './build.js';
export type { PolicyOverrides } from './verify.js';
export { DEFAULT_NAMESPACE, type SbomConfig, type SbomFormat } from './sbom.js';
export { ConfigReader } from './reader.js';

/** The sections of `napiShip`, in the order docs/config.md documents them. */
export const NAPI_SHIP_KEYS = ['npmDir', 'verify', 'build', 'sbom', 'policy'] as const;

/** Every key the reader knows, by section: what docs/config.md must document (test/config.test.ts checks). */
export const CONFIG_KEYS = {
  napiShip: NAPI_SHIP_KEYS,
  'napiShip.verify': VERIFY_KEYS,
  'napiShip.build': BUILD_KEYS,
  'napiShip.sbom': SBOM_KEYS,
  'napiShip.policy': POLICY_KEYS.policy,
  'napiShip.policy.licenses': POLICY_KEYS.licenses,
  'napiShip.policy.sources': POLICY_KEYS.sources,
} as const;

/** napi-ship's own settings, from the root package.json's `napiShip` key. */
export interface NapiShipConfig {
  /** Where the platform package directories live, relative to the root package (default `npm`). */
  readonly npmDir: string;
  /** Overrides of the verify policy (defaults follow `engines.node`). */
  readonly verify: PolicyOverrides;
  /** What the build cannot read from the project's build script. */
  readonly build: BuildSettings;
  /** Where the SBOM stage looks and what it writes. */
  readonly sbom: SbomConfig;
  /** `napiShip.policy` when the package.json has one (else the policy is napi-ship.config.json's, or none). */
  readonly policy: PolicyConfig | null;
}

function readConfig(r: ConfigReader, pkg: Readonly<Record<string, unknown>>): NapiShipConfig {
  const raw = pkg.napiShip;
  const value = r.record(raw, 'napiShip', 'e.g. "napiShip": { "npmDir": "npm" } (see docs/config.md)') ?? {};
  r.keys(value, 'napiShip', NAPI_SHIP_KEYS, 'napiShip');
  const npmDir = r.text(value.npmDir, 'napiShip.npmDir', 'e.g. "napiShip": { "npmDir": "npm" } (see docs/config.md)') ?? 'npm';
  return {
    npmDir,
    verify: readVerifySection(r, value.verify, 'napiShip.verify'),
    build: readBuildSection(r, value.build, 'napiShip.build'),
    sbom: readSbomSection(r, value.sbom, 'napiShip.sbom'),
    policy: value.policy === undefined ? null : readPolicySection(r, value.policy, 'napiShip.policy'),
  };
}

/**
 * Read `napiShip` of the package.json at `source` (already parsed as `pkg`). Absent keys take their
 * defaults; any problem anywhere throws one `DiagnosticError` listing all of them.
 */
export function readNapiShipConfig(pkg: Readonly<Record<string, unknown>>, source: string): NapiShipConfig {
  const r = new ConfigReader(source);
  const config = readConfig(r, pkg);
  if (r.errors.length > 0) throw new DiagnosticError(r.errors);
  return config;
}
