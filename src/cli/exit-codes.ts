/**
 * What napi-ship's exit status means, the same for every command (documented in docs/cli.md), and
 * the one rule that derives it from the diagnostics: each code's class in its table
 * (src/diagnostics/codes) — never the type of an exception.
 */
import { classOf, type CodeClass, type Diagnostic } from '../diagnostics/index.js';

export const ExitCode = {
  /** Everything asked for was done and every check passed. */
  Ok: 0,
  /** The command ran, but a check failed: the project, its config or the release (class `check`). */
  Failed: 1,
  /** The command line was wrong: an option, an argument, or a file or dir it names (class `usage`). */
  Usage: 2,
  /** The environment is wrong: the machine, its tools, the native core, the network, the registry (class `environment`). */
  Environment: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const BY_CLASS: Readonly<Record<CodeClass, ExitCode>> = {
  usage: ExitCode.Usage,
  check: ExitCode.Failed,
  environment: ExitCode.Environment,
};

/** The exit status a code's class stands for. */
export function exitCodeForClass(cls: CodeClass): ExitCode {
  return BY_CLASS[cls];
}

/**
 * The exit status of a run that reported `diagnostics`: 0 without an error; otherwise from the
 * errors' classes, the one that says most about what to fix first winning — usage (2: the command
 * line itself is wrong), then environment (3: the checks could not all run), then check (1).
 * Warnings and notes never fail a run, whatever their class.
 */
export function exitCodeOf(diagnostics: readonly Diagnostic[]): ExitCode {
  const classes = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => classOf(d.code)));
  if (classes.size === 0) return ExitCode.Ok;
  for (const cls of ['usage', 'environment', 'check'] as const) if (classes.has(cls)) return exitCodeForClass(cls);
  return ExitCode.Failed;
}
