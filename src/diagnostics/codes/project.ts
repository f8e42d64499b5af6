import type { CodeTable } from './types.js';

/**
 * The project (src/plan, src/targets and src/config): root package.json, napi config, napiShip config.
 * A project whose own config is wrong failed a check (exit 1), as a release that fails verify does;
 * a dir without package.json is the command line pointing at the wrong place (usage, exit 2).
 */
export const projectCodes = {
  NS_CONFIG_INVALID: {
    class: 'check',
    summary: 'the napiShip config (package.json `napiShip` or napi-ship.config.json) has a wrong key, type or value',
    hint: 'fix the key named in the message; see docs/config.md (every problem is listed at once)',
  },
  NS_ROOT_PACKAGE_INVALID: {
    class: 'check',
    summary: 'the root package.json is not valid JSON or not an object',
    hint: 'fix package.json',
  },
  NS_ROOT_PACKAGE_MISSING: {
    class: 'usage',
    summary: 'the root package.json cannot be read',
    hint: 'run in the napi-rs root package dir, or pass --cwd DIR',
  },
  NS_TARGET_CONFIG: {
    class: 'check',
    summary: 'the napi-rs config (`napi` in package.json) is not an object',
    hint: 'write the napi-rs config as an object: "napi": { "binaryName": …, "targets": [ … ] }',
  },
  NS_TARGET_CONFIG_V2: {
    class: 'check',
    summary:
      'the napi config uses napi-rs v2 keys (`napi.triples`, `napi.name`, `napi.package`): read as napi-rs v2 meant them (a note), or ignored next to napi.targets (a warning)',
    hint: 'when moving to napi-rs v3, write napi.targets and napi.binaryName (the note gives the list)',
  },
  NS_TARGET_NO_CONFIG: {
    class: 'check',
    summary: 'package.json has no `napi` config: not a napi-rs package, so nothing is staged, versioned, generated or packed',
    hint: 'run in the napi-rs package directory (--cwd DIR), or pass the napi-rs config file with --config-path FILE',
  },
  NS_TARGET_CONFIG_FILE_UNREADABLE: {
    class: 'usage',
    summary: 'the napi-rs config file given with -c/--config-path cannot be read (missing, a directory, no permission)',
    hint: 'pass the path of the file your napi build uses with --config-path (relative to the package directory)',
  },
  NS_TARGET_CONFIG_FILE: {
    class: 'check',
    summary: 'both package.json `napi` and a napi-rs config file are present; the file’s keys win, as in napi-rs (a note)',
    hint: 'keep one of them',
  },
  NS_TARGET_DUPLICATE: {
    class: 'check',
    summary: 'napi.targets lists a target twice (or two spellings of one package)',
    hint: 'keep one spelling of each target',
  },
  NS_TARGET_NODE_ARCH: {
    class: 'check',
    summary:
      'napi.targets spells a triple’s CPU as Node does (`x64-unknown-linux-musl`): napi-rs names the same platform package as for the Rust triple, so napi-ship uses that triple (a warning)',
    hint: 'write the Rust triple (`x86_64-unknown-linux-musl`): cargo cannot build the Node spelling',
  },
  NS_TARGET_UNKNOWN: {
    class: 'check',
    summary: 'napi.targets lists a triple napi-ship cannot check (napi-rs parseTriple names no platform, CPU and ABI napi-ship knows)',
    hint: 'use a triple from `napi-ship targets`; the message names the nearest known one',
  },
} as const satisfies CodeTable;
