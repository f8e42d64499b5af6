/**
 * The command line of a repo script (crash trials, the file fuzzer): node's own strict parser,
 * `--help` prints the usage (exit 0), anything that does not fit prints the message and the usage
 * on stderr (exit 2), and whole-number options are checked against their range.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** `text` as a whole number in [min, max] (`undefined` stays `undefined`); anything else stops with exit 2. */
export interface WholeOption {
  (text: string, name: string, min: number, max: number): number;
  (text: string | undefined, name: string, min: number, max: number): number | undefined;
}

export interface ScriptArgs<T extends ParseArgsConfig> {
  readonly values: ReturnType<typeof parseArgs<T>>['values'];
  /** Stop with exit 2: `name: message`, then the usage. */
  readonly fail: (message: string) => never;
  readonly whole: WholeOption;
}

export function scriptArgs<T extends ParseArgsConfig>(script: string, usage: string, config: T): ScriptArgs<T> {
  const fail = (message: string): never => {
    process.stderr.write(`${script}: ${message}\n${usage}`);
    process.exit(2);
  };
  let values: ReturnType<typeof parseArgs<T>>['values'];
  try {
    values = parseArgs(config).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if ((values as Record<string, unknown>).help === true) {
    process.stdout.write(usage);
    process.exit(0);
  }
  function whole(text: string, name: string, min: number, max: number): number;
  function whole(text: string | undefined, name: string, min: number, max: number): number | undefined;
  function whole(text: string | undefined, name: string, min: number, max: number): number | undefined {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) fail(`${name} must be a whole number from ${String(min)} to ${String(max)}`);
    return n;
  }
  return { values, fail, whole };
}
