/**
 * A complete, signed release dir for publish tests: a fixture napi-rs root package whose platform
 * packages carry real binaries (this host's one is napi-ship's own core, so an install can load it;
 * the others are the cross-built fixtures), staged, verified, packed and signed by `releaseDryRun`.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReleaseManifest } from '../../src/manifest/index.js';
import { releaseDryRun } from '../../src/release/dry-run.js';
import { PUBLIC_KEY_FILE } from '../../src/sign/index.js';
import { hostCoreBinary } from './repo.js';
import { buildFixtures, type FixtureName } from './fixtures.js';
import { writeRootPackage } from './root-package.js';

/** Triple → the fixture binary shipped for it (`linux-x64-gnu` is replaced by the real core). */
export const RELEASE_TARGETS: readonly (readonly [string, FixtureName])[] = [
  ['x86_64-unknown-linux-gnu', 'linux-x64-gnu'],
  ['x86_64-apple-darwin', 'darwin-x64'],
  ['aarch64-apple-darwin', 'darwin-arm64'],
  ['x86_64-unknown-linux-musl', 'linux-x64-musl'],
  ['aarch64-unknown-linux-gnu', 'linux-arm64-gnu'],
  ['aarch64-unknown-linux-musl', 'linux-arm64-musl'],
  ['x86_64-pc-windows-msvc', 'win32-x64-msvc'],
  ['aarch64-pc-windows-msvc', 'win32-arm64-msvc'],
];

export interface FixtureRelease {
  /** The root package directory. */
  readonly rootDir: string;
  /** The release dir (tarballs, release-manifest.json, its signature and public key). */
  readonly releaseDir: string;
  readonly manifest: ReleaseManifest;
  readonly publicKeyPem: string;
}

export interface FixtureReleaseOptions {
  /** Parent directory for the root package, artifacts and release (one subdirectory per call). */
  readonly scratch: string;
  readonly name: string;
  readonly version: string;
  /** How many platform targets (the host's first), 1–8; default 8. */
  readonly targets?: number;
  readonly binaryName?: string;
  /** Fields merged into the root package.json before staging (e.g. publishConfig, optionalDependencies). */
  readonly rootFields?: Readonly<Record<string, unknown>>;
}

/** Build a complete release: every target the root pins has its package in the release dir. */
export async function buildFixtureRelease(o: FixtureReleaseOptions): Promise<FixtureRelease> {
  const fixtures = await buildFixtures();
  const binaryName = o.binaryName ?? 'addon';
  const label = `${o.name.replace(/[@/]/g, '_')}-${o.version}`;
  const base = path.join(o.scratch, label);
  const rootDir = path.join(base, 'root');
  const targets = RELEASE_TARGETS.slice(0, o.targets ?? RELEASE_TARGETS.length);
  await writeRootPackage(rootDir, { name: o.name, binaryName, version: o.version, targets: targets.map(([t]) => t) });
  if (o.rootFields !== undefined) {
    const file = path.join(rootDir, 'package.json');
    const pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    for (const [k, v] of Object.entries(o.rootFields)) {
      const cur = pkg[k];
      pkg[k] = typeof cur === 'object' && cur !== null && typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...cur, ...v } : v;
    }
    await writeFile(file, JSON.stringify(pkg, null, 2) + '\n');
  }
  const artifacts = path.join(base, 'artifacts');
  for (const [triple, fixture] of targets) {
    const dir = path.join(artifacts, `bindings-${triple}`);
    await mkdir(dir, { recursive: true });
    const source = fixture === 'linux-x64-gnu' ? hostCoreBinary : fixtures.fixtures[fixture].path;
    await copyFile(source, path.join(dir, `${binaryName}.${fixture}.node`));
  }
  const result = await releaseDryRun({ cwd: rootDir, outDir: path.join(base, 'out'), artifactsDir: artifacts });
  const releaseDir = result.files.releaseDir;
  const manifest = JSON.parse(await readFile(path.join(releaseDir, 'release-manifest.json'), 'utf8')) as ReleaseManifest;
  if (manifest.packages.length !== targets.length + 1) {
    throw new Error(`the fixture release has ${String(manifest.packages.length)} packages, expected ${String(targets.length + 1)}`);
  }
  const publicKeyPem = await readFile(path.join(releaseDir, PUBLIC_KEY_FILE), 'utf8');
  return { rootDir, releaseDir, manifest, publicKeyPem };
}
