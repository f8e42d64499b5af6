/** The release plan a command reads, from its `--cwd` and `-c/--config-path` (see CONFIG_PATH_OPTION). */
import path from 'node:path';
import { loadPlan, type ReleasePlan } from '../plan/index.js';
import { stringOption, type ParsedArgs } from './command.js';
import type { Io } from './output.js';

/** `--cwd` resolved against the shell's cwd. */
export function cwdFromArgs(args: ParsedArgs, io: Io): string {
  return path.resolve(io.cwd, stringOption(args, 'cwd') ?? '.');
}

/** Load the plan of `--cwd`, reading the napi-rs config from `--config-path` (relative to `--cwd`, as napi-rs resolves it) when given. */
export function planFromArgs(args: ParsedArgs, io: Io): Promise<ReleasePlan> {
  const configPath = stringOption(args, 'config-path');
  return loadPlan(cwdFromArgs(args, io), configPath === undefined ? {} : { configPath });
}
