/**
 * A synthetic napi-rs release on disk, as a project has it in the publish job of its CI:
 *   root/       the root package (napi config, loader, typings), as scripts/lib/root-package.ts writes it
 *   artifacts/  one `bindings-<triple>/addon.<abi>.node` per target (actions/download-artifact layout)
 *   staged/     a copy of root/ after `napi-ship stage` (binaries in npm/<abi>/, exact pins): the
 *               input the baselines start from (what `napi artifacts` + `napi pre-publish` leave)
 */
import { copyFile, cp, link, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeRootPackage } from '../../scripts/lib/root-package.js';
import type { BuiltBinary } from './binaries.js';
import { mustRun, napiShip } from './proc.js';
import { isRecord } from '../../src/util/json.js';

export interface Release {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly root: string;
  readonly artifacts: string;
  readonly staged: string;
  /** The staged root first, then every staged platform package dir: the packages a release publishes. */
  readonly packageDirs: readonly string[];
  readonly binaries: readonly BuiltBinary[];
  /** Total bytes of the binaries. */
  readonly binaryBytes: number;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

export async function writeRelease(dir: string, name: string, binaries: readonly BuiltBinary[]): Promise<Release> {
  await rm(dir, { recursive: true, force: true });
  const root = path.join(dir, 'root');
  const artifacts = path.join(dir, 'artifacts');
  const staged = path.join(dir, 'staged');
  await writeRootPackage(root, { name, binaryName: 'addon', targets: binaries.map((b) => b.target.triple) });
  for (const b of binaries) {
    const into = path.join(artifacts, `bindings-${b.target.triple}`);
    await mkdir(into, { recursive: true });
    await linkOrCopy(b.path, path.join(into, `addon.${b.target.abi}.node`));
  }
  await cp(root, staged, { recursive: true });
  await mustRun(napiShip(['stage', '--cwd', staged, '--artifacts', artifacts]));
  const npmDir = path.join(staged, 'npm');
  const platformDirs = (await readdir(npmDir)).sort().map((d) => path.join(npmDir, d));
  if (platformDirs.length !== binaries.length)
    throw new Error(`staging ${name} made ${platformDirs.length} platform packages, not ${binaries.length}`);
  const manifest: unknown = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  const version = isRecord(manifest) && typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  return {
    name,
    version,
    dir,
    root,
    artifacts,
    staged,
    packageDirs: [staged, ...platformDirs],
    binaries,
    binaryBytes: binaries.reduce((n, b) => n + b.size, 0),
  };
}
