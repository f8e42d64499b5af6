import { helpText, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { paint, type Io } from '../output.js';

export function usageError(io: Io, message: string, command?: Command): ExitCode {
  io.stderr(`${paint(io, 'red', 'error')}: ${message}\n`);
  if (command) io.stderr('\n' + helpText(command));
  return ExitCode.Usage;
}

/** Commands that take no positional arguments refuse one with a usage error; null when there is none. */
export function rejectPositionals(io: Io, positionals: readonly string[], command: Command): ExitCode | null {
  const first = positionals[0];
  return first === undefined ? null : usageError(io, `unexpected argument "${first}"`, command);
}
