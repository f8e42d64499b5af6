/**
 * Only the release is touched (issue 14, item 7): a root with an unrelated optional dependency
 * (`fsevents`, really on the registry) is staged, verified, packed and published like any root —
 * the dependency kept, not a release package — and `status` / `deprecate` act on the root and its
 * platform packages only, whether the release comes from --release-dir, --cwd or --name.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { RegistryClient } from '../src/registry/client.js';
import { nerfDart } from '../src/registry/npmrc.js';
import { buildFixtureRelease, type FixtureRelease } from '../scripts/lib/publish-release.js';
import { runCli } from './helpers/cli.js';
import { startRegistry, type Registry } from './helpers/verdaccio.js';

const run = promisify(execFile);

describe('a root with a non-platform optional dependency: only the release is touched', () => {
  let registry: Registry;
  let scratch = '';
  let env: NodeJS.ProcessEnv = {};
  let release: FixtureRelease;
  let client: RegistryClient;

  before(async () => {
    registry = await startRegistry();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-release-only-'));
    env = {
      [`npm_config_${nerfDart(registry.url)}:_authToken`]: registry.token,
      npm_config_registry: registry.url,
      HOME: scratch,
      NO_COLOR: '1',
      npm_config_userconfig: path.join(scratch, 'none.npmrc'),
    };
    client = new RegistryClient({ registry: registry.url, token: registry.token });
    // The unrelated optional dependency, really published.
    const dep = path.join(scratch, 'fsevents');
    await mkdir(dep, { recursive: true });
    await writeFile(path.join(dep, 'package.json'), '{"name":"fsevents","version":"2.3.3","os":["darwin"]}\n');
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: dep, env: { ...process.env, ...env } });
    const tgz = path.join(scratch, (JSON.parse(stdout) as { filename: string }[])[0]?.filename ?? '');
    const published = await client.publish({
      manifest: { name: 'fsevents', version: '2.3.3', os: ['darwin'] },
      tarball: await readFile(tgz),
      tag: 'latest',
    });
    assert.equal(published.state, 'published');
    // stage, verify, pack (and sign) accept it: it stays a pin of the root, not a release package.
    release = await buildFixtureRelease({
      scratch,
      name: '@only/addon',
      version: '1.0.0',
      targets: 2,
      rootFields: { optionalDependencies: { fsevents: '2.3.3' } },
    });
  });
  after(async () => {
    await client.close();
    await registry.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  test('pack keeps the pin and lists only the release; publish accepts it', async () => {
    assert.deepEqual(
      release.manifest.packages.map((p) => p.name).sort(),
      ['@only/addon', '@only/addon-darwin-x64', '@only/addon-linux-x64-gnu'].sort(),
    );
    const pub = await runCli(['publish', '--from', release.releaseDir], { env });
    assert.equal(pub.code, 0, pub.stderr + pub.stdout);
    const root = await client.getPackument('@only/addon', { full: true });
    assert.equal(root?.versions['1.0.0']?.optionalDependencies.fsevents, '2.3.3');
  });

  test('status and deprecate leave fsevents alone (--release-dir, --cwd, --name)', async () => {
    const ways: string[][] = [
      ['--release-dir', release.releaseDir],
      ['--cwd', release.rootDir],
      ['--name', '@only/addon'],
    ];
    for (const way of ways) {
      const status = await runCli(['status', '1.0.0', ...way, '--json'], { env });
      assert.equal(status.code, 0, status.stderr + status.stdout);
      const report = JSON.parse(status.stdout) as { packages: { name: string }[]; pins: Record<string, string> };
      assert.deepEqual(report.packages.map((p) => p.name).sort(), release.manifest.packages.map((p) => p.name).sort(), way.join(' '));
      assert.equal(report.pins.fsevents, undefined);
    }
    for (const way of ways) {
      const dep = await runCli(['deprecate', '1.0.0', ...way, '--message', `bad build (${way[0] ?? ''})`, '--json'], { env });
      assert.equal(dep.code, 0, dep.stderr + dep.stdout);
      const result = JSON.parse(dep.stdout) as { packages: { name: string; state: string }[] };
      assert.deepEqual(result.packages.map((p) => p.name).sort(), release.manifest.packages.map((p) => p.name).sort(), way.join(' '));
      const fsevents = await client.getPackument('fsevents', { full: true });
      assert.equal(fsevents?.versions['2.3.3']?.deprecated, null, `fsevents was deprecated by ${way.join(' ')}`);
    }
    for (const p of release.manifest.packages) {
      const doc = await client.getPackument(p.name, { full: true });
      assert.match(doc?.versions[p.version]?.deprecated ?? '', /bad build/);
    }
  });
});
