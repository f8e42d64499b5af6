import { helpText, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { paint, type Io } from '../output.js';

export function usageError(io: Io, message: string, command?: Command): ExitCode {
  io.stderr(`${paint(io, 'red', 'error')}: ${message}\n`);
  if (command) io.stderr('\n' + helpText(command));
  return ExitCode.Usage;
}
