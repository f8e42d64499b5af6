/** Terminal output conventions: colour only on a TTY without NO_COLOR, and streams we can test. */
import type { RuntimeLoader } from '../rehearsal/load.js';

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly color: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /**
   * How `release --dry-run`'s rehearsal loads each install (default: the generic load script). Set by
   * a program embedding the CLI, e.g. napi-ship's own `pnpm release:dry-run` (its smoke checks).
   */
  readonly rehearsalLoader?: RuntimeLoader;
  /** The terminal's width when stdout is one; text output is fitted to it (default 100). */
  readonly columns?: number;
  /** Ask a yes/no question on the terminal; absent when stdin or stdout is not a terminal. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

async function askTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function processIo(): Io {
  const env = process.env;
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const color = env.NO_COLOR === undefined && (forced || process.stdout.isTTY);
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    color,
    env,
    cwd: process.cwd(),
    ...(process.stdout.isTTY && process.stdout.columns > 0 ? { columns: process.stdout.columns } : {}),
    ...(process.stdin.isTTY && process.stdout.isTTY ? { confirm: askTerminal } : {}),
  };
}

const codes = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

export function paint(io: Io, style: keyof typeof codes, text: string): string {
  return io.color ? `\u001b[${codes[style]}m${text}\u001b[0m` : text;
}

export { textTable } from '../util/table.js';
