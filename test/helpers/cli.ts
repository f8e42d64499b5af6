/** Run the real `napi-ship` executable in a child process, as a user would. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('repo root (pnpm-workspace.yaml) not found');
    dir = parent;
  }
  return dir;
}

export const repoRoot = findRepoRoot();
export const coreDir = path.join(repoRoot, 'crates', 'napi-ship-node');
export const hostCoreBinary = path.join(coreDir, 'napi-ship-core.linux-x64-gnu.node');

/** The core's eight npm ABIs, sorted. */
export const CORE_ABIS: readonly string[] = [
  'darwin-arm64',
  'darwin-x64',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'linux-x64-gnu',
  'linux-x64-musl',
  'win32-arm64-msvc',
  'win32-x64-msvc',
];

/**
 * The ABIs whose binary the last build left in the core's dir (sorted): the host target after
 * `pnpm run build`, six after `pnpm release:dry-run` on a machine set up by setup.sh (as in CI).
 * Tests that stage the core with `build: false` expect exactly these.
 */
export function coreBuiltAbis(): string[] {
  return CORE_ABIS.filter((abi) => existsSync(path.join(coreDir, `napi-ship-core.${abi}.node`)));
}

/** The eight targets napi-ship's own core ships, in the order of its `napi.targets`. */
export const CORE_TARGETS: readonly string[] = [
  'x86_64-apple-darwin',
  'aarch64-apple-darwin',
  'x86_64-unknown-linux-gnu',
  'x86_64-unknown-linux-musl',
  'aarch64-unknown-linux-gnu',
  'aarch64-unknown-linux-musl',
  'x86_64-pc-windows-msvc',
  'aarch64-pc-windows-msvc',
];

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
