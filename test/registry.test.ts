import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { ReleaseManifest } from '../src/manifest/index.js';
import { packagePath, publishState, readPackument } from '../src/registry/packument.js';
import { releaseDryRun } from '../src/release/dry-run.js';
import { coreDir } from './helpers/cli.js';
import { startRegistry, type Registry } from './helpers/verdaccio.js';

const run = promisify(execFile);

let registry: Registry;
let scratch = '';
let releaseDir = '';
let manifest: ReleaseManifest;

function npm(args: readonly string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return run('npm', [...args, '--userconfig', registry.npmrc, '--registry', registry.url, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    timeout: 120_000,
  });
}

before(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-registry-'));
  // --no-build: the core `pnpm test` built (a second six-target build here would only cost minutes).
  const result = await releaseDryRun({ cwd: coreDir, outDir: path.join(scratch, 'release'), build: false, rehearsal: false });
  releaseDir = result.files.releaseDir;
  manifest = JSON.parse(await readFile(path.join(releaseDir, 'release-manifest.json'), 'utf8')) as ReleaseManifest;
});
after(async () => {
  await registry.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('a real registry (verdaccio on loopback)', () => {
  test('scoped names are addressed as npm does', () => {
    assert.equal(packagePath('@napi-ship/core-linux-x64-gnu'), '@napi-ship%2Fcore-linux-x64-gnu');
    assert.equal(packagePath('napi-ship'), 'napi-ship');
  });

  test('absent, then published with our integrity, then other bytes under the same version', async () => {
    const platform = manifest.packages.find((p) => p.kind === 'platform');
    assert.ok(platform);
    assert.equal(await readPackument(platform.name, { registry: registry.url }), null);
    assert.deepEqual(publishState(null, platform.version, platform.integrity), { state: 'absent' });

    // Published by the real npm client: the registry's dist.integrity is the manifest's.
    await npm(['publish', path.join(releaseDir, platform.tarball), '--tag', 'napi-ship-staging'], scratch);
    const packument = await readPackument(platform.name, { registry: registry.url, token: registry.token });
    assert.ok(packument);
    assert.equal(packument.versions[platform.version]?.integrity, platform.integrity);
    assert.equal(packument.versions[platform.version]?.shasum, platform.sha1);
    assert.deepEqual(publishState(packument, platform.version, platform.integrity), { state: 'same', integrity: platform.integrity });
    const other = 'sha512-' + Buffer.alloc(64, 7).toString('base64');
    assert.deepEqual(publishState(packument, platform.version, other), { state: 'different', ours: other, theirs: platform.integrity });

    // The registry refuses a republish of that version.
    await assert.rejects(npm(['publish', path.join(releaseDir, platform.tarball)], scratch));
  });

  test("npm installs the root from the registry, resolves this platform's package and loads the addon", async () => {
    const root = manifest.packages.find((p) => p.kind === 'root');
    const platform = manifest.packages.find((p) => p.target === 'linux-x64-gnu');
    assert.ok(root && platform);
    if ((await readPackument(platform.name, { registry: registry.url })) === null) {
      await npm(['publish', path.join(releaseDir, platform.tarball), '--tag', 'napi-ship-staging'], scratch);
    }
    await npm(['publish', path.join(releaseDir, root.tarball)], scratch);
    const project = await mkdtemp(path.join(scratch, 'install-'));
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    await npm(['install', `${root.name}@${root.version}`], project);
    const { stdout } = await run(
      process.execPath,
      ['-e', `const c = require('${root.name}'); console.log(JSON.stringify({ v: c.coreVersion(), t: c.__napiBindingTarget ?? null }))`],
      { cwd: project },
    );
    const loaded = JSON.parse(stdout) as { v: string };
    assert.equal(loaded.v, manifest.tools.core);
    const installed = JSON.parse(
      await readFile(path.join(project, 'node_modules', ...platform.name.split('/'), 'package.json'), 'utf8'),
    ) as { version: string };
    assert.equal(installed.version, platform.version);
  });
});
