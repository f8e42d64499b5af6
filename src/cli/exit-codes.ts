/**
 * What napi-ship's exit status means, the same for every command (documented in docs/cli.md).
 */
export const ExitCode = {
  /** Everything asked for was done and every check passed. */
  Ok: 0,
  /** The command ran, but a check failed or an input file could not be processed. */
  Failed: 1,
  /** The command line was wrong (unknown command or option, missing argument). */
  Usage: 2,
  /** The environment is wrong: the native core cannot load, a config cannot be read. */
  Environment: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
