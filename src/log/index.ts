/**
 * One logger for every long-running command: progress steps, info, warnings and debug detail on
 * stderr, as dim `› step…` lines for people or as JSON lines for machines.
 *
 *   text  `› building linux-x64-gnu with napi-cross…` then `  ✓ built … (1.2 s)`
 *   json  {"time":"…","level":"info","step":"build","target":"linux-x64-gnu","event":"start","message":"…"}
 *
 * Every line passes through `redact` first, so a token that reaches a message (an `.npmrc` line in
 * an error, an `npm_…` token in a URL) is never written out.
 */
import { redact } from './redact.js';

export { redact };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

/** What a line can say besides its message. */
export interface LogFields {
  /** The napi-rs `platform-arch-abi` (or triple) the line is about. */
  readonly target?: string;
  readonly durationMs?: number;
  /** Overrides the step the line is attributed to (default: the innermost open step). */
  readonly step?: string;
  /** The outcome a line reports (`ok`, `skipped`, `failed`, …). */
  readonly status?: string;
}

export interface StepOptions {
  readonly target?: string;
  /** What to print when the step starts (default: the step's name). */
  readonly message?: string;
}

export interface StepResult {
  readonly status?: 'ok' | 'skipped' | 'failed';
  /** Printed when the step ends; without one, the end is a debug line. */
  readonly message?: string;
}

/** Ends a step and returns how long it took, in milliseconds. */
export type StepEnd = (result?: StepResult) => number;

export interface Logger {
  readonly level: LogLevel;
  readonly format: LogFormat;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Start a (possibly long) step; call the returned function when it is done. */
  step(name: string, options?: StepOptions): StepEnd;
}

export type Style = 'dim' | 'red' | 'yellow' | 'green';

export interface LoggerOptions {
  readonly format?: LogFormat;
  readonly level?: LogLevel;
  /** Where lines go (one call per line, newline included): stderr for the CLI. */
  readonly write: (line: string) => void;
  /** Colour for text lines (the CLI passes its NO_COLOR-aware `paint`). */
  readonly style?: (style: Style, text: string) => string;
  /** The step lines outside any step are attributed to (e.g. the command's name). */
  readonly scope?: string;
  /** Clock, for tests. */
  readonly now?: () => Date;
}

/** `NAPI_SHIP_LOG` as a level (`debug`, `info`, `warn`, `error`); undefined when unset or unknown. */
export function levelFromEnv(env: NodeJS.ProcessEnv): LogLevel | undefined {
  const raw = env.NAPI_SHIP_LOG?.trim().toLowerCase();
  return LOG_LEVELS.find((l) => l === raw);
}

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

/** `1.2 s`, `340 ms`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

interface OpenStep {
  readonly name: string;
  readonly target: string | undefined;
}

export function createLogger(options: LoggerOptions): Logger {
  const format = options.format ?? 'text';
  const level = options.level ?? 'info';
  const style = options.style ?? ((_: Style, t: string): string => t);
  const now = options.now ?? ((): Date => new Date());
  const scope = options.scope ?? 'napi-ship';
  const open: OpenStep[] = [];

  const enabled = (l: LogLevel): boolean => RANK[l] >= RANK[level];

  const emit = (l: LogLevel, message: string, fields: LogFields & { event?: 'start' | 'end' }, text: string): void => {
    if (!enabled(l)) return;
    if (format === 'json') {
      const current = open[open.length - 1];
      const target = fields.target ?? (fields.step === undefined ? current?.target : undefined);
      const line: Record<string, string | number> = {
        time: now().toISOString(),
        level: l,
        step: redact(fields.step ?? current?.name ?? scope),
      };
      if (target !== undefined) line.target = redact(target);
      if (fields.event !== undefined) line.event = fields.event;
      if (fields.status !== undefined) line.status = fields.status;
      if (fields.durationMs !== undefined) line.durationMs = Math.round(fields.durationMs);
      line.message = redact(message);
      options.write(JSON.stringify(line) + '\n');
    } else {
      options.write(redact(text) + '\n');
    }
  };

  const line =
    (l: LogLevel) =>
    (message: string, fields: LogFields = {}): void => {
      const prefix = {
        debug: style('dim', `  · ${message}`),
        info: `  ${message}`,
        warn: `${style('yellow', 'warning')}: ${message}`,
        error: `${style('red', 'error')}: ${message}`,
      }[l];
      emit(l, message, fields, prefix);
    };

  return {
    level,
    format,
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    step(name, stepOptions = {}) {
      const started = performance.now();
      const entry: OpenStep = { name, target: stepOptions.target };
      const shown = stepOptions.message ?? name;
      emit(
        'info',
        shown,
        { step: name, event: 'start', ...(entry.target === undefined ? {} : { target: entry.target }) },
        style('dim', `› ${shown}…`),
      );
      open.push(entry);
      let ended = false;
      return (result = {}) => {
        const durationMs = performance.now() - started;
        if (ended) return durationMs;
        ended = true;
        const at = open.lastIndexOf(entry);
        if (at >= 0) open.splice(at, 1);
        const status = result.status ?? 'ok';
        const l: LogLevel = status === 'failed' ? 'error' : result.message === undefined ? 'debug' : 'info';
        const mark = status === 'failed' ? style('red', '✗') : status === 'skipped' ? style('dim', '-') : style('green', '✓');
        const message = result.message ?? `${name} done`;
        emit(
          l,
          message,
          { step: name, event: 'end', status, durationMs, ...(entry.target === undefined ? {} : { target: entry.target }) },
          `  ${mark} ${message}${status === 'skipped' ? '' : style('dim', ` (${formatDuration(durationMs)})`)}`,
        );
        return durationMs;
      };
    },
  };
}

/** A logger that writes nothing (library calls without a logger). */
export function silentLogger(): Logger {
  return createLogger({ write: () => undefined, level: 'error', format: 'text' });
}

/**
 * A logger for callers that only pass `onStep(string)` (the dry run's original progress hook):
 * each step start becomes one `onStep` call; everything else is dropped.
 */
export function loggerFromOnStep(onStep: (step: string) => void): Logger {
  const quiet = silentLogger();
  return {
    ...quiet,
    level: 'info',
    step(name, options = {}) {
      onStep(options.message ?? name);
      return quiet.step(name, options);
    },
  };
}

/** `step('name')` for sequential stages: each call ends the previous step; `end()` ends the last. */
export interface Stepper {
  (name: string, options?: StepOptions): void;
  end(result?: StepResult): void;
}

export function stepper(logger: Logger): Stepper {
  let current: StepEnd | null = null;
  const fn = (name: string, options?: StepOptions): void => {
    current?.();
    current = logger.step(name, options);
  };
  fn.end = (result?: StepResult): void => {
    current?.(result);
    current = null;
  };
  return fn;
}
