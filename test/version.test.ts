import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { distTagFor, nextVersion, setCargoVersion, setLockVersions } from '../src/version/index.js';
import { runCli } from './helpers/cli.js';
import { writeRootPackage } from './helpers/root-package.js';
import { startRegistry, type Registry } from './helpers/verdaccio.js';

let registry: Registry;
let scratch = '';
let counter = 0;

before(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-version-'));
  // 1.2.4 of @fixture/ver is already published: the real npm client puts it there.
  const pkg = path.join(scratch, 'published');
  await mkdir(pkg);
  await writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: '@fixture/ver', version: '1.2.4' }));
  execFileSync('npm', ['publish', '--userconfig', registry.npmrc, '--registry', registry.url, '--loglevel=error'], { cwd: pkg });
});
after(async () => {
  await registry.stop();
  await rm(scratch, { recursive: true, force: true });
});

const TARGETS = ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin'] as const;

/** A napi-rs project at 1.2.3: crate, Cargo.lock, root package with pins, two platform packages. */
async function project(): Promise<string> {
  const dir = path.join(scratch, `p${String(counter++)}`);
  await writeRootPackage(dir, { name: '@fixture/ver', binaryName: 'ver', targets: TARGETS, version: '1.2.3' });
  const rootFile = path.join(dir, 'package.json');
  const root = JSON.parse(await readFile(rootFile, 'utf8')) as Record<string, unknown>;
  root.optionalDependencies = {
    '@fixture/ver-linux-x64-gnu': '1.2.3',
    '@fixture/ver-darwin-arm64': '1.2.3',
    'unrelated-optional': '^4.0.0',
  };
  await writeFile(rootFile, JSON.stringify(root, null, 2) + '\n');
  for (const abi of ['linux-x64-gnu', 'darwin-arm64']) {
    await mkdir(path.join(dir, 'npm', abi), { recursive: true });
    await writeFile(
      path.join(dir, 'npm', abi, 'package.json'),
      JSON.stringify({ name: `@fixture/ver-${abi}`, version: '1.2.3', main: `ver.${abi}.node` }, null, 2) + '\n',
    );
  }
  await mkdir(path.join(dir, 'src'));
  await writeFile(path.join(dir, 'src', 'lib.rs'), '');
  await writeFile(
    path.join(dir, 'Cargo.toml'),
    '[package]\nname = "fixture-ver"\nversion = "1.2.3" # keep in step with package.json\nedition = "2021"\n\n[lib]\npath = "src/lib.rs"\n',
  );
  execFileSync('cargo', ['generate-lockfile', '--offline', '--manifest-path', path.join(dir, 'Cargo.toml')], { stdio: 'ignore' });
  return dir;
}

async function json(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

describe('version: pure parts', () => {
  test('bumps, explicit versions, prerelease ids and dist-tags', () => {
    assert.equal(nextVersion('1.2.3', 'patch'), '1.2.4');
    assert.equal(nextVersion('1.2.3', 'minor'), '1.3.0');
    assert.equal(nextVersion('1.2.3', 'major'), '2.0.0');
    assert.equal(nextVersion('1.2.3', 'prerelease', 'beta'), '1.2.4-beta.0');
    assert.equal(nextVersion('1.2.4-beta.0', 'prerelease'), '1.2.4-beta.1');
    assert.equal(nextVersion('1.2.3', '1.5.0'), '1.5.0');
    assert.throws(() => nextVersion('1.2.3', 'banana'), /NS_VERSION_INVALID/);
    assert.throws(() => nextVersion('1.2.3', '1.2.3'), /NS_VERSION_NOT_NEWER/);
    assert.equal(distTagFor('1.2.4'), 'latest');
    assert.equal(distTagFor('1.2.4-beta.0'), 'next');
  });

  test('Cargo.toml and Cargo.lock edits touch only the version lines they mean', () => {
    const toml =
      '[workspace]\nmembers = ["a"]\n\n[workspace.package]\nversion = "0.1.0"\n\n[workspace.dependencies]\nfoo = { version = "0.1.0" }\n';
    assert.equal(
      setCargoVersion(toml, 'workspace.package', '0.2.0'),
      toml.replace('version = "0.1.0"\n\n[workspace.dependencies]', 'version = "0.2.0"\n\n[workspace.dependencies]'),
    );
    assert.equal(setCargoVersion(toml, 'package', '0.2.0'), null);
    const lock = '[[package]]\nname = "a"\nversion = "0.1.0"\n\n[[package]]\nname = "dep"\nversion = "0.1.0"\n';
    assert.equal(
      setLockVersions(lock, new Set(['a']), '0.1.0', '0.2.0'),
      lock.replace('name = "a"\nversion = "0.1.0"', 'name = "a"\nversion = "0.2.0"'),
    );
  });
});

describe('napi-ship version against a real registry', () => {
  test('a version already on the registry is refused and nothing changes', async () => {
    const dir = await project();
    const before = await readFile(path.join(dir, 'package.json'), 'utf8');
    const r = await runCli(['version', 'patch', '--cwd', dir, '--registry', registry.url]);
    // Exit status from the code's class (docs/cli.md): NS_VERSION_EXISTS is check (1), no longer 3.
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NS_VERSION_EXISTS/);
    assert.match(r.stderr, /@fixture\/ver@1\.2\.4/);
    assert.equal(await readFile(path.join(dir, 'package.json'), 'utf8'), before);
  });

  test('minor moves root, pins, platform packages, Cargo.toml and Cargo.lock together', async () => {
    const dir = await project();
    const r = await runCli(['version', 'minor', '--cwd', dir, '--registry', registry.url, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { from: string; to: string; distTag: string };
    assert.deepEqual([out.from, out.to, out.distTag], ['1.2.3', '1.3.0', 'latest']);
    const root = await json(path.join(dir, 'package.json'));
    assert.equal(root.version, '1.3.0');
    assert.deepEqual(root.optionalDependencies, {
      '@fixture/ver-linux-x64-gnu': '1.3.0',
      '@fixture/ver-darwin-arm64': '1.3.0',
      'unrelated-optional': '^4.0.0',
    });
    assert.equal(root.description, 'fixture addon');
    for (const abi of ['linux-x64-gnu', 'darwin-arm64'])
      assert.equal((await json(path.join(dir, 'npm', abi, 'package.json'))).version, '1.3.0');
    const toml = await readFile(path.join(dir, 'Cargo.toml'), 'utf8');
    assert.match(toml, /^version = "1\.3\.0" # keep in step with package\.json$/m);
    assert.match(await readFile(path.join(dir, 'Cargo.lock'), 'utf8'), /name = "fixture-ver"\nversion = "1\.3\.0"/);
    // cargo agrees the lockfile is in step (it would rewrite it otherwise).
    execFileSync('cargo', ['metadata', '--locked', '--offline', '--format-version', '1', '--manifest-path', path.join(dir, 'Cargo.toml')], {
      stdio: 'ignore',
    });
  });

  test('a prerelease goes to the next dist-tag; an older version is refused', async () => {
    const dir = await project();
    const pre = await runCli(['version', 'prerelease', '--preid', 'beta', '--cwd', dir, '--no-registry-check']);
    assert.equal(pre.code, 0, pre.stderr);
    assert.match(pre.stdout, /1\.2\.3 → 1\.2\.4-beta\.0 \(publishes under the "next" dist-tag\)/);
    const older = await runCli(['version', '1.0.0', '--cwd', dir, '--no-registry-check']);
    // NS_VERSION_NOT_NEWER is usage (2): the version asked for on the command line is wrong.
    assert.equal(older.code, 2);
    assert.match(older.stderr, /NS_VERSION_NOT_NEWER/);
    assert.equal((await runCli(['version', '--cwd', dir])).code, 2);
  });
});
