import { usageLine, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { paint, type Io } from '../output.js';

/** The one-line usage for `command`, or the overview's when there is no command yet. */
export function usageHint(command?: Command): string {
  return command === undefined
    ? 'Usage: napi-ship <command> [options]  (napi-ship --help lists the commands)'
    : `Usage: ${usageLine(command)}  (napi-ship ${command.name} --help for more)`;
}

/** A usage error: one line saying what is wrong (with a did-you-mean when there is one), one line of usage; exit 2. */
export function usageError(io: Io, message: string, command?: Command, suggestion: string | null = null): ExitCode {
  io.stderr(`${paint(io, 'red', 'error')}: ${message}${suggestion === null ? '' : `; did you mean ${suggestion}?`}\n`);
  io.stderr(`${usageHint(command)}\n`);
  return ExitCode.Usage;
}

/** Commands that take no positional arguments refuse one with a usage error; null when there is none. */
export function rejectPositionals(io: Io, positionals: readonly string[], command: Command): ExitCode | null {
  const first = positionals[0];
  return first === undefined ? null : usageError(io, `unexpected argument "${first}"`, command);
}
