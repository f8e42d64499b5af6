/**
 * The logging options every long-running command shares (`--log-format`, `--verbose`), and the
 * logger they make for a command's stderr.
 */
import type { Options, ParsedArgs } from './command.js';
import { flag, stringOption } from './command.js';
import { paint, type Io } from './output.js';
import { createLogger, isLogFormat, levelFromEnv, type Logger } from '../log/index.js';

export const LOG_OPTIONS: Options = {
  'log-format': { type: 'string' },
  verbose: { type: 'boolean' },
};

export const LOG_OPTION_HELP: readonly string[] = [
  '--log-format F      progress on stderr as `text` (default) or `json` lines {time, level, step, target, durationMs, message}',
  '--verbose           debug detail (commands run, tool output, timings); same as NAPI_SHIP_LOG=debug',
];

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
