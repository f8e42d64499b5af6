/**
 * `napiShip.build`: what napi-ship cannot read from the project's own build script (documented in
 * docs/config.md).
 */
import type { ConfigReader } from './reader.js';

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
export const BUILD_KEYS = ['script', 'args', 'env', 'targetEnv', 'crateDir', 'macosDeploymentTarget', 'glibcFloor'] as const;

function example(body: string): string {
  return `e.g. "build": { ${body} } (see docs/config.md)`;
}

function envMap(r: ConfigReader, raw: unknown, key: string): Record<string, string> | undefined {
  const hint = example(`"env": { "CC": "clang" }`);
  const value = r.record(raw, key, hint);
  if (value === null) return undefined;
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!ENV_NAME.test(name)) r.fail(`${key}.${name}`, 'is not a variable name', 'letters, digits and _, not starting with a digit');
    else if (typeof v !== 'string') r.fail(`${key}.${name}`, 'must be a string', hint);
    else out[name] = v;
  }
  return out;
}

export function readBuildSection(r: ConfigReader, raw: unknown, key: string): BuildSettings {
  const value = r.record(raw, key, example('"crateDir": "napi"'));
  if (value === null) return {};
  r.keys(value, key, BUILD_KEYS, 'build');
  const out: { -readonly [K in keyof BuildSettings]: BuildSettings[K] } = {};
  for (const k of ['macosDeploymentTarget', 'glibcFloor'] as const) {
    const v = value[k];
    if (v === undefined) continue;
    if (typeof v === 'string' && VERSION.test(v)) out[k] = v;
    else r.fail(`${key}.${k}`, 'must be a version like "11.0"', 'quote it: "X.Y"');
  }
  const script = r.text(value.script, `${key}.script`, example('"script": "build:release"'));
  if (script !== undefined) out.script = script;
  if (value.args !== undefined) {
    if (Array.isArray(value.args) && value.args.every((a): a is string => typeof a === 'string')) out.args = value.args;
    else r.fail(`${key}.args`, 'must be an array of napi build flags', example('"args": ["--release", "--features", "simd"]'));
  }
  const env = envMap(r, value.env, `${key}.env`);
  if (env !== undefined) out.env = env;
  const perTarget = r.record(value.targetEnv, `${key}.targetEnv`, example('"targetEnv": { "linux-arm64-gnu": { "CC": "clang" } }'));
  if (perTarget !== null) {
    const per: Record<string, Record<string, string>> = {};
    for (const [target, vars] of Object.entries(perTarget)) {
      const m = envMap(r, vars, `${key}.targetEnv.${target}`);
      if (m !== undefined) per[target] = m;
    }
    out.targetEnv = per;
  }
  const crateDir = r.text(value.crateDir, `${key}.crateDir`, example('"crateDir": "napi"'));
  if (crateDir !== undefined) out.crateDir = crateDir;
  return out;
}
