import { spawn } from 'node:child_process';

/** How a child process ended: what it printed, whether it timed out or could not start. */
export interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** The spawn error (e.g. ENOENT: the executable is not there). */
  readonly spawnError: string | null;
  readonly durationMs: number;
}

/** Run a command to completion with a hard time limit (SIGKILL), collecting its output; never throws. */
export function execute(command: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Exited> {
  return new Promise((resolve) => {
    const [file, ...args] = command;
    const started = performance.now();
    const done = (r: Omit<Exited, 'durationMs'>): void => {
      resolve({ ...r, durationMs: Math.round(performance.now() - started) });
    };
    if (file === undefined) {
      done({ code: null, stdout: '', stderr: '', timedOut: false, spawnError: 'empty command' });
      return;
    }
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: string | null = null;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (error) => {
      spawnError = error.message;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, timedOut, spawnError });
    });
  });
}
