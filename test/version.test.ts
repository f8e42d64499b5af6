import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { distTagFor, nextVersion, setCargoVersion, setLockVersions } from '../src/version/index.js';
import { repoRoot, runCli } from './helpers/cli.js';
import { bindingVersions } from '../src/targets/loader-version.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';
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
    const r = await runCli(['version', '1.2.4', '--cwd', dir, '--registry', registry.url]);
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

describe('version is safe (issue 11 item 8)', () => {
  test('a patch from a stale checkout starts from the registry’s newest, not below it', async () => {
    const dir = await project(); // local 1.2.3, the registry has 1.2.4
    const r = await runCli(['version', 'patch', '--cwd', dir, '--registry', registry.url, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { from: string; base: string; to: string; distTag: string };
    assert.deepEqual([out.from, out.base, out.to, out.distTag], ['1.2.3', '1.2.4', '1.2.5', 'latest']);
    assert.match(r.stderr, /NS_VERSION_BASE/);
    assert.equal((await json(path.join(dir, 'package.json'))).version, '1.2.5');
    // The crate was at the package's version: it moves with it.
    assert.match(await readFile(path.join(dir, 'Cargo.toml'), 'utf8'), /^version = "1\.2\.5"/m);
  });

  test('below the registry’s latest is refused unless a dist-tag is named; a tag npm would refuse is a usage error', async () => {
    const dir = await project();
    const rootFile = path.join(dir, 'package.json');
    const root = await json(rootFile);
    root.version = '1.0.0';
    await writeFile(rootFile, JSON.stringify(root, null, 2) + '\n');
    const before = await readFile(rootFile, 'utf8');
    const refused = await runCli(['version', '1.1.0', '--cwd', dir, '--registry', registry.url]);
    assert.notEqual(refused.code, 0, refused.stderr); // 1 once the exit code follows the code's class (arch lane); 3 before
    assert.match(refused.stderr, /NS_VERSION_BELOW_LATEST/);
    assert.match(refused.stderr, /below @fixture\/ver's latest \(1\.2\.4\)/);
    assert.equal(await readFile(rootFile, 'utf8'), before, 'nothing written');
    const badTag = await runCli(['version', '1.1.0', '--cwd', dir, '--registry', registry.url, '--tag', 'v1']);
    assert.notEqual(badTag.code, 0, badTag.stderr);
    assert.match(badTag.stderr, /NS_VERSION_TAG/);
    const tagged = await runCli(['version', '1.1.0', '--cwd', dir, '--registry', registry.url, '--tag', 'v1-lts']);
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.match(tagged.stdout, /1\.0\.0 → 1\.1\.0 \(publishes under the "v1-lts" dist-tag\)/);
    // A backport branch that names its tag in publishConfig.tag (publish honours it): the same as --tag.
    root.version = '1.0.0';
    root.publishConfig = { tag: 'v1-lts' };
    await writeFile(rootFile, JSON.stringify(root, null, 2) + '\n');
    const configured = await runCli(['version', '1.1.0', '--cwd', dir, '--registry', registry.url]);
    assert.equal(configured.code, 0, configured.stderr);
    assert.match(configured.stdout, /1\.0\.0 → 1\.1\.0 \(publishes under the "v1-lts" dist-tag\)/);
    // A configured "latest" is not a backport tag: below latest is still refused.
    root.publishConfig = { tag: 'latest' };
    await writeFile(rootFile, JSON.stringify(root, null, 2) + '\n');
    const latest = await runCli(['version', '1.1.0', '--cwd', dir, '--registry', registry.url]);
    assert.notEqual(latest.code, 0, latest.stderr);
    assert.match(latest.stderr, /NS_VERSION_BELOW_LATEST/);
  });

  test('an independent crate version is left alone, with a note', async () => {
    const dir = await project();
    const cargo = path.join(dir, 'Cargo.toml');
    await writeFile(cargo, (await readFile(cargo, 'utf8')).replace('version = "1.2.3"', 'version = "0.0.0"'));
    execFileSync('cargo', ['generate-lockfile', '--offline', '--manifest-path', cargo], { stdio: 'ignore' });
    const [toml, lock] = [await readFile(cargo, 'utf8'), await readFile(path.join(dir, 'Cargo.lock'), 'utf8')];
    const r = await runCli(['version', 'minor', '--cwd', dir, '--no-registry-check', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /NS_VERSION_CARGO_INDEPENDENT/);
    assert.match(r.stderr, /fixture-ver is at 0\.0\.0/);
    assert.equal(await readFile(cargo, 'utf8'), toml);
    assert.equal(await readFile(path.join(dir, 'Cargo.lock'), 'utf8'), lock);
    assert.equal((await json(path.join(dir, 'package.json'))).version, '1.3.0');
  });

  test('a workspace-inherited version moves every inheriting member, never a crate that only shares the number', async () => {
    const dir = await project();
    await writeFile(
      path.join(dir, 'Cargo.toml'),
      '[workspace]\nmembers = [".", "helper", "other"]\n\n[workspace.package]\nversion = "1.2.3"\nedition = "2021"\n\n' +
        '[package]\nname = "fixture-ver"\nversion.workspace = true\nedition.workspace = true\n\n[lib]\npath = "src/lib.rs"\n\n' +
        '[dependencies]\nhelper = { path = "helper" }\nother = { path = "other" }\n',
    );
    for (const [name, version] of [
      ['helper', 'version.workspace = true'],
      ['other', 'version = "1.2.3"'],
    ] as const) {
      await mkdir(path.join(dir, name, 'src'), { recursive: true });
      await writeFile(path.join(dir, name, 'src', 'lib.rs'), '');
      await writeFile(path.join(dir, name, 'Cargo.toml'), `[package]\nname = "${name}"\n${version}\nedition = "2021"\n`);
    }
    execFileSync('cargo', ['generate-lockfile', '--offline', '--manifest-path', path.join(dir, 'Cargo.toml')], { stdio: 'ignore' });
    const r = await runCli(['version', 'minor', '--cwd', dir, '--no-registry-check']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await readFile(path.join(dir, 'Cargo.toml'), 'utf8'), /\[workspace\.package\]\nversion = "1\.3\.0"/);
    assert.match(await readFile(path.join(dir, 'other', 'Cargo.toml'), 'utf8'), /version = "1\.2\.3"/);
    const lock = await readFile(path.join(dir, 'Cargo.lock'), 'utf8');
    assert.match(lock, /name = "fixture-ver"\nversion = "1\.3\.0"/);
    assert.match(lock, /name = "helper"\nversion = "1\.3\.0"/);
    assert.match(lock, /name = "other"\nversion = "1\.2\.3"/);
    execFileSync('cargo', ['metadata', '--locked', '--offline', '--format-version', '1', '--manifest-path', path.join(dir, 'Cargo.toml')], {
      stdio: 'ignore',
    });
  });

  test('the version checks a napi-rs 3 loader embeds move with the release; verify fails on a stale one', async () => {
    const dir = await project();
    // A real loader generated by @napi-rs/cli 3.10 (napi-ship's core), renamed for the fixture.
    const generated = await readFile(path.join(repoRoot, 'crates', 'napi-ship-node', 'index.js'), 'utf8');
    const core = (
      JSON.parse(await readFile(path.join(repoRoot, 'crates', 'napi-ship-node', 'package.json'), 'utf8')) as { version: string }
    ).version;
    const loader = generated
      .replaceAll('@napi-ship/core', '@fixture/ver')
      .replaceAll('napi-ship-core', 'ver')
      .replaceAll(`!== '${core}'`, "!== '1.2.3'")
      .replaceAll(`expected ${core} but`, 'expected 1.2.3 but');
    const checks = bindingVersions(loader).length;
    assert.ok(checks >= 8, `the generated loader has a version check per platform (${String(checks)})`);
    await writeFile(path.join(dir, 'index.js'), loader);
    const rootFile = path.join(dir, 'package.json');
    const root = await json(rootFile);
    root.main = 'index.js';
    await writeFile(rootFile, JSON.stringify(root, null, 2) + '\n');

    const r = await runCli(['version', 'minor', '--cwd', dir, '--no-registry-check', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const after = await readFile(path.join(dir, 'index.js'), 'utf8');
    assert.deepEqual(new Set(bindingVersions(after)), new Set(['1.3.0']));
    assert.equal(bindingVersions(after).length, checks);
    assert.ok(!after.includes('expected 1.2.3 but'));
    // Nothing else in the loader changed.
    assert.equal(after.replaceAll("'1.3.0'", "'1.2.3'").replaceAll('expected 1.3.0 but', 'expected 1.2.3 but'), loader);
    const out = JSON.parse(r.stdout) as { changes: { file: string; what: string }[] };
    assert.ok(out.changes.some((c) => c.file.endsWith('index.js') && c.what === `${String(checks)} binding version check(s) → 1.3.0`));

    // Put the old loader back: verify names the stale version.
    await writeFile(path.join(dir, 'index.js'), loader);
    const { loadPlan } = await import('../src/plan/index.js');
    const { traceLoader, checkLoader } = await import('../src/verify/loader.js');
    const plan = await loadPlan(dir);
    const stale = checkLoader(
      await traceLoader(dir, plan.root.manifest, plan.root.packageName),
      plan.targets,
      rootFile,
      plan.root.version,
    ).filter((d) => d.code === 'NS_VERIFY_LOADER_VERSION');
    assert.equal(stale.length, 1);
    assert.match(stale[0]?.message ?? '', /against version 1\.2\.3, but the release is 1\.3\.0/);
  });
});
