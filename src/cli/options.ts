/**
 * Options several commands share, declared once: the same flag name for the same thing in every
 * command. Old per-command names keep working as aliases.
 */
import path from 'node:path';
import { DEFAULT_REGISTRY } from '../util/registry-defaults.js';
import type { OptionSpec } from './command.js';

/** Where `pack` writes and `sbom`, `sign`, `verify-manifest`, `publish`, `status` read a packed release. */
export const DEFAULT_RELEASE_DIR = path.join('dist', 'release', 'packages');

export const CWD_OPTION: OptionSpec = {
  name: 'cwd',
  type: 'string',
  value: 'DIR',
  description: 'the napi-rs root package directory, with package.json (napi config) and Cargo.toml',
  defaultText: '.',
};

/**
 * `-c/--config-path`, as @napi-rs/cli has it: a separate napi-rs config file (JSON, what package.json
 * `napi` would hold) whose keys override package.json's `napi`; relative to `--cwd`, as napi-rs resolves it.
 */
export const CONFIG_PATH_OPTION: OptionSpec = {
  name: 'config-path',
  short: 'c',
  type: 'string',
  value: 'FILE',
  description: "the napi-rs config file (as `napi build -c`): its keys override package.json's napi; relative to --cwd",
};

/** `--json` with what the command prints. */
export function jsonOption(what: string): OptionSpec {
  return { name: 'json', type: 'boolean', description: `print ${what} as JSON on stdout (progress and errors stay on stderr)` };
}

/**
 * The packed release dir (tarballs, SHA256SUMS, release-manifest.json): one name everywhere.
 * `aliases` are the names each command used before (`--from`, `--dir`, `--out`, `--release`).
 */
export function releaseDirOption(description: string, aliases: readonly string[], defaultText = DEFAULT_RELEASE_DIR): OptionSpec {
  return { name: 'release-dir', type: 'string', value: 'DIR', description, defaultText, aliases };
}

export const REGISTRY_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'registry',
    type: 'string',
    value: 'URL',
    description: 'the registry',
    defaultText: `as npm: the root's publishConfig.registry, @scope:registry, npm_config_registry, .npmrc registry, else ${DEFAULT_REGISTRY}`,
  },
  { name: 'ca-file', type: 'string', value: 'FILE', description: 'trust this CA bundle too', defaultText: 'cafile from .npmrc' },
  { name: 'allow-insecure-registry', type: 'boolean', description: 'allow plain http to a registry that is not on loopback' },
];

export const OTP_OPTION: OptionSpec = {
  name: 'otp',
  type: 'string',
  value: 'CODE',
  description: 'one-time password for registries that ask for 2FA',
};

export const LOG_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'log-format',
    type: 'string',
    value: 'F',
    description: 'progress on stderr as `text` or `json` lines {time, level, step, target, durationMs, message}',
    default: 'text',
  },
  {
    name: 'verbose',
    type: 'boolean',
    description: 'debug detail (commands run, tool output, timings); same as NAPI_SHIP_LOG=debug',
  },
];
