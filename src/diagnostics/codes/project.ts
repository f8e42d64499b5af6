import type { CodeTable } from './types.js';

/** The project (src/plan, src/targets and the config readers): root package.json, napi config, napiShip config. */
export const projectCodes = {
  NS_CONFIG_INVALID: {
    class: 'environment',
    summary: 'the napiShip config (package.json `napiShip` or napi-ship.config.json) has a wrong key, type or value',
    hint: 'fix the key named in the message; see docs/config.md (every problem is listed at once)',
  },
  NS_ROOT_PACKAGE_INVALID: {
    class: 'environment',
    summary: 'the root package.json is not valid JSON or not an object',
    hint: 'fix package.json',
  },
  NS_ROOT_PACKAGE_MISSING: {
    class: 'environment',
    summary: 'the root package.json cannot be read',
    hint: 'run in the napi-rs root package dir, or pass --cwd DIR',
  },
  NS_TARGET_CONFIG: {
    class: 'environment',
    summary: 'the napi-rs config (`napi` in package.json) is not an object',
    hint: 'write the napi-rs config as an object: "napi": { "binaryName": …, "targets": [ … ] }',
  },
  NS_TARGET_CONFIG_V2: {
    class: 'environment',
    summary: 'the napi config uses napi-rs v2 keys (`napi.triples`, `napi.name`)',
    hint: 'migrate to the napi-rs v3 form: napi.targets and napi.binaryName',
  },
  NS_TARGET_DUPLICATE: {
    class: 'environment',
    summary: 'napi.targets lists a target twice (or two spellings of one package)',
    hint: 'keep one spelling of each target',
  },
  NS_TARGET_UNKNOWN: {
    class: 'environment',
    summary: 'napi.targets lists a triple @napi-rs/cli does not know',
    hint: 'use a triple from `napi-ship targets`; the message names the nearest known one',
  },
} as const satisfies CodeTable;
