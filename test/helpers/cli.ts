/** Run the real `napi-ship` executable in a child process, as a user would. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../scripts/lib/repo.js';

export { CORE_ABIS, CORE_TARGETS, coreBuiltAbis, coreDir, hostCoreBinary, repoRoot } from '../../scripts/lib/repo.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a Node script in a child process; FORCE_COLOR/NO_COLOR only when the caller sets them. */
export function runNode(
  script: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    if (options.env?.FORCE_COLOR === undefined) delete env.FORCE_COLOR;
    if (options.env?.NO_COLOR === undefined) delete env.NO_COLOR;
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd ?? repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run the real `napi-ship` executable, as a user would. */
export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return runNode(path.join(repoRoot, 'bin', 'napi-ship.js'), args, options);
}
