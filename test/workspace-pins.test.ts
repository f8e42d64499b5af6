/**
 * Platform packages that are members of the project's pnpm workspace, pinned `workspace:*` in the
 * root: tailwindcss's layout (crates/node/package.json pins `"@tailwindcss/oxide-…": "workspace:*"`,
 * its pnpm-workspace.yaml lists `crates/node` and `crates/node/npm/*`, and `pnpm publish` turns each
 * pin into the exact version). napi-ship keeps those pins as written, judges them as pnpm packs them,
 * and packs the same package.json pins as `pnpm pack` (real pnpm).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { extract } from 'tar';
import { buildFixtures, type FixtureSet } from '../scripts/lib/fixtures.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';
import { runCli } from './helpers/cli.js';

const execFileAsync = promisify(execFile);

let fixtures: FixtureSet;
let scratch = '';

before(async () => {
  fixtures = await buildFixtures();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-ws-pins-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const PINS = { '@tw/oxide-darwin-arm64': 'workspace:*', '@tw/oxide-linux-x64-gnu': 'workspace:*' };

/** tailwindcss's shape: a pnpm workspace whose member crates/node is the napi-rs root package. */
async function twLayout(name: string, workspace: boolean): Promise<string> {
  const repo = path.join(scratch, name);
  const dir = path.join(repo, 'crates', 'node');
  await mkdir(path.join(repo, '.git'), { recursive: true });
  if (workspace) {
    await writeFile(path.join(repo, 'package.json'), JSON.stringify({ name: 'tw-root', private: true, packageManager: 'pnpm@12.21.0' }));
    await writeFile(path.join(repo, 'pnpm-workspace.yaml'), "packages:\n  - 'crates/node'\n  - 'crates/node/npm/*'\n");
  }
  await writeRootPackage(dir, {
    name: '@tw/oxide',
    binaryName: 'oxide',
    targets: ['aarch64-apple-darwin', 'x86_64-unknown-linux-gnu'],
    version: '4.3.3',
  });
  const file = path.join(dir, 'package.json');
  const pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...pkg, optionalDependencies: PINS }, null, 2) + '\n');
  for (const [triple, abi] of [
    ['aarch64-apple-darwin', 'darwin-arm64'],
    ['x86_64-unknown-linux-gnu', 'linux-x64-gnu'],
  ] as const) {
    const to = path.join(dir, 'artifacts', `bindings-${triple}`);
    await mkdir(to, { recursive: true });
    // linux-x64-gnu: the core's own addon for this host, so the dry run can load it.
    await copyFile(abi === 'linux-x64-gnu' ? fixtures.hostAddon : fixtures.fixtures[abi].path, path.join(to, `oxide.${abi}.node`));
  }
  return dir;
}

async function optionalDependencies(file: string): Promise<unknown> {
  return (JSON.parse(await readFile(file, 'utf8')) as { optionalDependencies?: unknown }).optionalDependencies;
}

/** The package.json inside a .tgz (as publish-manifest.test.ts reads it). */
async function packedManifest(tgz: string): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(path.join(scratch, 'x-'));
  await extract({ file: tgz, cwd: dir });
  return JSON.parse(await readFile(path.join(dir, 'package', 'package.json'), 'utf8')) as Record<string, unknown>;
}

test('workspace:* pins in a pnpm workspace (tailwindcss): stage and version keep them, verify passes, pack writes the exact pins pnpm pack writes', async () => {
  const dir = await twLayout('tw', true);
  const rootFile = path.join(dir, 'package.json');

  const staged = await runCli(['stage', '--cwd', dir, '--artifacts', path.join(dir, 'artifacts')]);
  assert.equal(staged.code, 0, staged.stderr);
  assert.deepEqual(await optionalDependencies(rootFile), PINS, 'stage leaves the workspace pins as written');

  const verified = await runCli(['verify', '--cwd', dir, '--json']);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  const report = JSON.parse(verified.stdout) as { diagnostics: { code: string }[] };
  assert.deepEqual(
    report.diagnostics.filter((d) => d.code.startsWith('NS_VERIFY_PIN') || d.code.startsWith('NS_PACK_DEP')),
    [],
  );

  const out = path.join(scratch, 'tw-release');
  const packed = await runCli(['pack', '--cwd', dir, '--release-dir', out]);
  assert.equal(packed.code, 0, packed.stderr);
  const rootTgz = (await readdir(out)).find((f) => f.startsWith('tw-oxide-4.3.3'));
  assert.ok(rootTgz, (await readdir(out)).join(' '));
  const ours = await packedManifest(path.join(out, rootTgz));
  assert.deepEqual(ours.optionalDependencies, { '@tw/oxide-darwin-arm64': '4.3.3', '@tw/oxide-linux-x64-gnu': '4.3.3' });

  // pnpm itself packs the same pins (pmOnFail=ignore: see sbom-lockfiles.test.ts).
  const pnpmOut = await mkdtemp(path.join(scratch, 'pnpm-pack-'));
  await execFileAsync('pnpm', ['pack', '--pack-destination', pnpmOut, '--config.pm-on-fail=ignore'], {
    cwd: dir,
    timeout: 120_000,
    env: { ...process.env, CI: '1' },
  });
  const [theirTgz] = await readdir(pnpmOut);
  assert.ok(theirTgz !== undefined);
  assert.deepEqual(ours.optionalDependencies, (await packedManifest(path.join(pnpmOut, theirTgz))).optionalDependencies);

  // The dry run stages, verifies and packs a throwaway copy: the pins resolve to the copy's staged
  // packages there too, and the project's package.json is left as it was.
  const dry = await runCli([
    'release',
    '--dry-run',
    '--no-rehearsal',
    '--offline',
    '--strict',
    '--cwd',
    dir,
    '--artifacts',
    path.join(dir, 'artifacts'),
  ]);
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /2 of 2 targets ready; 0 error\(s\)/);
  assert.deepEqual(await optionalDependencies(rootFile), PINS);

  // napi-ship version moves the platform packages; `workspace:*` follows them by itself.
  const bumped = await runCli(['version', '4.3.4', '--cwd', dir, '--no-registry-check']);
  assert.equal(bumped.code, 0, bumped.stderr);
  assert.deepEqual(await optionalDependencies(rootFile), PINS);
  const platform = JSON.parse(await readFile(path.join(dir, 'npm', 'linux-x64-gnu', 'package.json'), 'utf8')) as { version: string };
  assert.equal(platform.version, '4.3.4');
});

test('without a package manager that rewrites workspace: (npm), stage writes exact pins over workspace:*', async () => {
  const dir = await twLayout('tw-npm', false);
  const staged = await runCli(['stage', '--cwd', dir, '--artifacts', path.join(dir, 'artifacts')]);
  assert.equal(staged.code, 0, staged.stderr);
  assert.deepEqual(await optionalDependencies(path.join(dir, 'package.json')), {
    '@tw/oxide-darwin-arm64': '4.3.3',
    '@tw/oxide-linux-x64-gnu': '4.3.3',
  });
});
