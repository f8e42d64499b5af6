/**
 * Where things are in napi-ship's own repository, for the repo tools (scripts/, bench/) and the
 * tests (which may import scripts/lib, never the other way round).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo root, from this module's place: `<repo>/{scripts,dist/scripts}/lib/repo.{ts,js}`. */
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
