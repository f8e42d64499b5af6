/**
 * `napiShip.build` in the root package.json: what napi-ship cannot read from the project's own
 * build script. Documented in docs/config.md. The two version keys are read leniently (a wrong
 * value keeps the default); the keys that change what is built (`script`, `args`, `env`,
 * `targetEnv`, `crateDir`) are checked, and a wrong type is `NS_CONFIG_INVALID`.
 */
import { DiagnosticError } from '../diagnostics/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { isRecord } from '../util/json.js';

export interface BuildSettings {
  /** `MACOSX_DEPLOYMENT_TARGET` for macOS targets (default 10.13 x64, 11.0 arm64). */
  readonly macosDeploymentTarget?: string;
  /** glibc floor for cargo-zigbuild builds of Linux glibc targets (default 2.17). */
  readonly glibcFloor?: string;
  /** The package.json script that runs the project's `napi build` (default `build`). */
  readonly script?: string;
  /** `napi build` flags to build with instead of the script's (a script that runs a wrapper, not `napi build`). */
  readonly args?: readonly string[];
  /** Variables set for every target's build. */
  readonly env?: Readonly<Record<string, string>>;
  /** Variables per target, keyed by triple or platform-arch-abi (`x86_64-unknown-linux-gnu`, `linux-x64-gnu`). */
  readonly targetEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The directory of the addon crate's Cargo.toml, relative to the root package (when it is not beside package.json). */
  readonly crateDir?: string;
}

const VERSION = /^\d+\.\d+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function invalid(source: string, key: string, expected: string, example: string): DiagnosticError {
  return new DiagnosticError([
    {
      code: 'NS_CONFIG_INVALID',
      severity: 'error',
      subject: source,
      message: `\`napiShip.build.${key}\` must be ${expected}`,
      hint: `e.g. "build": { ${example} } (see docs/config.md)`,
    },
  ]);
}

function envMap(raw: unknown, source: string, key: string): Record<string, string> {
  if (!isRecord(raw)) throw invalid(source, key, 'an object of variable names to strings', `"${key}": { "CC": "clang" }`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!ENV_NAME.test(name) || typeof value !== 'string')
      throw invalid(source, key, 'an object of variable names to strings', `"${key}": { "CC": "clang" }`);
    out[name] = value;
  }
  return out;
}

export function buildSettings(plan: ReleasePlan): BuildSettings {
  const ship = plan.root.manifest.napiShip;
  const raw = isRecord(ship) ? ship.build : undefined;
  if (!isRecord(raw)) return {};
  const source = plan.root.packageJsonPath;
  const out: {
    -readonly [K in keyof BuildSettings]: BuildSettings[K];
  } = {};
  if (typeof raw.macosDeploymentTarget === 'string' && VERSION.test(raw.macosDeploymentTarget))
    out.macosDeploymentTarget = raw.macosDeploymentTarget;
  if (typeof raw.glibcFloor === 'string' && VERSION.test(raw.glibcFloor)) out.glibcFloor = raw.glibcFloor;
  if (raw.script !== undefined) {
    if (typeof raw.script !== 'string' || raw.script === '') throw invalid(source, 'script', 'a script name', '"script": "build:release"');
    out.script = raw.script;
  }
  if (raw.args !== undefined) {
    if (!Array.isArray(raw.args) || !raw.args.every((a): a is string => typeof a === 'string'))
      throw invalid(source, 'args', 'an array of napi build flags', '"args": ["--release", "--features", "simd"]');
    out.args = raw.args;
  }
  if (raw.env !== undefined) out.env = envMap(raw.env, source, 'env');
  if (raw.targetEnv !== undefined) {
    if (!isRecord(raw.targetEnv))
      throw invalid(source, 'targetEnv', 'an object of targets to variables', '"targetEnv": { "linux-arm64-gnu": { "CC": "clang" } }');
    const per: Record<string, Record<string, string>> = {};
    for (const [target, vars] of Object.entries(raw.targetEnv)) per[target] = envMap(vars, source, `targetEnv.${target}`);
    out.targetEnv = per;
  }
  if (raw.crateDir !== undefined) {
    if (typeof raw.crateDir !== 'string' || raw.crateDir === '')
      throw invalid(source, 'crateDir', "the directory of the addon crate's Cargo.toml, relative to package.json", '"crateDir": "napi"');
    out.crateDir = raw.crateDir;
  }
  return out;
}
