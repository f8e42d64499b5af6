/**
 * The logger a long-running command makes for its stderr from the shared logging options
 * (`--log-format`, `--verbose`, declared in src/cli/options.ts).
 */
import type { ParsedArgs } from './command.js';
import { flag, stringOption } from './command.js';
import { paint, type Io } from './output.js';
import { createLogger, isLogFormat, levelFromEnv, type Logger } from '../log/index.js';

/** The command's logger, or a usage message when `--log-format` is not `text`/`json`. */
export function loggerFromArgs(args: ParsedArgs, io: Io, scope: string): Logger | { readonly usage: string } {
  const format = stringOption(args, 'log-format') ?? 'text';
  if (!isLogFormat(format)) return { usage: `--log-format must be text or json, not "${format}"` };
  const level = flag(args, 'verbose') ? 'debug' : (levelFromEnv(io.env) ?? 'info');
  return createLogger({
    format,
    level,
    scope,
    write: (line) => {
      io.stderr(line);
    },
    style: (style, text) => paint(io, style, text),
  });
}
