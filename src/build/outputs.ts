/**
 * Where a build's outputs land, and how they get there without a gap.
 *
 * @napi-rs/cli 3.10 commits its outputs (the `.node`, the loader, the typings) as a transaction
 * that first moves the old file aside and then links the new one in: for that moment the package
 * dir has no binary and no loader, and anything that starts then — a test runner, a dev server, a
 * second `napi-ship` reading the core — fails with ENOENT. So napi-ship asks napi-rs to write into
 * a private staging dir beside the package (`outputDir`), and then renames each output over its
 * place. A rename over an existing file is atomic on POSIX (and replaces in one step on Windows),
 * so a reader always sees either the old file or the new one, never none.
 */
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../util/fs.js';
import { isRecord } from '../util/json.js';
import type { BuildOutput } from './types.js';

/** The prefix of the staging dirs in the package dir (ignored by git; removed after each build). */
export const STAGING_PREFIX = '.napi-ship-build-';

/** The `{ kind, path }` entries of an untrusted list (napi-rs's build result, the worker's reply); anything else is dropped. */
export function readOutputs(value: unknown): BuildOutput[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((o: unknown) =>
    isRecord(o) && typeof o.kind === 'string' && typeof o.path === 'string' ? [{ kind: o.kind, path: o.path }] : [],
  );
}

/** Make a staging dir for one build, in `packageDir` so that the final renames stay on one filesystem. */
export async function makeStaging(packageDir: string): Promise<string> {
  return mkdtemp(path.join(packageDir, STAGING_PREFIX));
}

/**
 * Move each output napi-rs wrote into `staging` to the same place under `packageDir`, one atomic
 * rename each. Outputs reported outside the staging dir stay where they are. Returns the outputs
 * with their final paths, in the order given.
 */
export async function placeOutputs(staging: string, packageDir: string, outputs: readonly BuildOutput[]): Promise<BuildOutput[]> {
  const placed: BuildOutput[] = [];
  for (const output of outputs) {
    if (!isInside(staging, output.path)) {
      placed.push(output);
      continue;
    }
    const destination = path.join(packageDir, path.relative(staging, output.path));
    await mkdir(path.dirname(destination), { recursive: true });
    await rename(output.path, destination);
    placed.push({ kind: output.kind, path: destination });
  }
  return placed;
}

/** Remove a staging dir and whatever a failed build left in it. */
export async function removeStaging(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
}
