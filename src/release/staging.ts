/**
 * A throwaway copy of a release to rehearse on: the root package (the files it would publish, its
 * package.json and any napi-rs build output) and its platform package dirs, laid out as
 * `<dir>/package.json` + `<dir>/npm/<platform-arch-abi>/`. A dry run stages, packs and signs the copy,
 * so the working tree is never modified.
 *
 * Files are hard-linked (else reflinked, else copied: `linkOrCopy`), not copied: the binaries are the
 * bulk of a release. Safe because nothing writes a staged file in place — stage, the SBOM and pack
 * replace files by rename, and package.json is written anew here (with the same bytes).
 */
import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { selectFiles } from '../pack/files.js';
import { loadPlan, type ReleasePlan } from '../plan/index.js';
import { linkOrCopy, linkTree } from '../util/fs.js';

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

export async function stagingCopy(plan: ReleasePlan, dir: string): Promise<ReleasePlan> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const root = plan.root.dir;
  const selection = await selectFiles(root);
  const buildOutputs = (await listDir(root)).filter((f) => f.endsWith('.node') || f.endsWith('.wasm'));
  for (const rel of [...new Set([...selection.files.map((f) => f.path), ...buildOutputs])]) {
    if (rel === 'package.json') continue;
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    const from = path.join(root, rel);
    if ((await lstat(from)).isSymbolicLink()) await symlink(await readlink(from), path.join(dir, rel));
    else await linkOrCopy(from, path.join(dir, rel));
  }
  // package.json as it is, byte for byte (stage rewrites it by rename): the staged platform dirs are
  // found through loadPlan's npmDir, not by editing the file that is packed and published.
  await writeFile(path.join(dir, 'package.json'), await readFile(plan.root.packageJsonPath));
  for (const t of plan.targets) {
    const entries = await listDir(t.packageDir);
    if (entries.length === 0) continue;
    await linkTree(t.packageDir, path.join(dir, 'npm', t.spec.platformArchABI));
  }
  // The napi-rs config file (if any) is read where it is: its absolute path, not a copy. The platform
  // package dirs are the copy's npm/ (package.json keeps its own npmDir, byte for byte).
  return loadPlan(dir, { npmDir: path.join(dir, 'npm'), ...(plan.root.configPath === null ? {} : { configPath: plan.root.configPath }) });
}
