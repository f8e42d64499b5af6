/**
 * `napi-ship publish`, `status` and `deprecate` against a real registry (verdaccio on loopback):
 * a nine-package release published through the CLI and installed by npm, pnpm and bun (the addon
 * loads); dist-tags end right and the staging tag is gone; a prerelease goes to `next` without
 * moving `latest`; other bytes under a platform package's version stop everything (both hashes
 * printed); a root whose pins are not all in the release dir is refused; and a publish through a
 * proxy that fails 30 % of requests (500, 503/429 with Retry-After, resets, stalls, answers lost
 * after the write landed) completes with the right final state.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { ReleaseManifest } from '../src/manifest/index.js';
import { publishRelease, readJournal, releaseStatus, type PublishJson, type StatusReport } from '../src/publish/index.js';
import { RegistryClient } from '../src/registry/index.js';
import { readPackument } from '../src/registry/packument.js';
import { releaseDryRun } from '../src/release/dry-run.js';
import { hostCoreBinary, repoRoot, runCli } from './helpers/cli.js';
import { startFaultProxy } from '../scripts/lib/fault-proxy.js';
import { buildFixtureRelease, type FixtureRelease } from '../scripts/lib/publish-release.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';
import { startRegistry, type Registry } from './helpers/verdaccio.js';
import { nerfDart } from '../src/registry/npmrc.js';

const run = promisify(execFile);

let registry: Registry;
let scratch = '';
let env: NodeJS.ProcessEnv = {};
const coreVersion = (
  JSON.parse(await readFile(path.join(repoRoot, 'crates', 'napi-ship-node', 'package.json'), 'utf8')) as { version: string }
).version;

before(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-publish-'));
  // The token comes from npm's config in the environment, bound to this registry (NPM_TOKEN is for
  // registry.npmjs.org only); HOME is a scratch dir so no user .npmrc leaks in.
  env = {
    [`npm_config_${nerfDart(registry.url)}:_authToken`]: registry.token,
    NO_COLOR: '1',
    HOME: scratch,
    npm_config_userconfig: path.join(scratch, 'none.npmrc'),
  };
});
after(async () => {
  await registry.stop();
  await rm(scratch, { recursive: true, force: true });
});

function directStatus(release: FixtureRelease): Promise<StatusReport> {
  const client = new RegistryClient({ registry: registry.url });
  return releaseStatus({ name: release.manifest.name, version: release.manifest.version, client, manifest: release.manifest });
}

async function installProject(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, `${name}-`));
  await writeFile(path.join(dir, '.npmrc'), `registry=${registry.url}\n`);
  return dir;
}

/** Load the installed root under `runtime` and call into the addon: the core's version comes back. */
async function load(runtime: string, project: string, root: string): Promise<string> {
  const { stdout } = await run(runtime, ['-e', `console.log(require(${JSON.stringify(root)}).coreVersion())`], {
    cwd: project,
    timeout: 60_000,
  });
  return stdout.trim();
}

function assertFinal(status: StatusReport, manifest: ReleaseManifest, tag: string): void {
  assert.equal(status.complete, true, JSON.stringify(status, null, 2));
  assert.deepEqual(status.packages.map((p) => p.name).sort(), manifest.packages.map((p) => p.name).sort());
  for (const p of status.packages) {
    assert.equal(p.integrityMatch, true, p.name);
    assert.ok(p.tags.includes(tag), `${p.name} carries ${tag}: ${p.tags.join(',')}`);
    assert.ok(!p.tags.includes('napi-ship-staging'), `${p.name} staging tag removed`);
  }
}

describe('publish a nine-package release to verdaccio, then install it', () => {
  let release: FixtureRelease;
  let published: PublishJson;

  before(async () => {
    release = await buildFixtureRelease({ scratch, name: '@ship/addon', version: '1.0.0' });
  });

  test('napi-ship publish: exit 0, every package verified, latest on all, staging tag gone, journal without the token', async () => {
    const cli = await runCli(['publish', '--from', release.releaseDir, '--registry', registry.url, '--json'], { env });
    assert.equal(cli.code, 0, cli.stderr);
    published = JSON.parse(cli.stdout) as PublishJson;
    assert.equal(published.outcome, 'published');
    assert.equal(published.tag, 'latest');
    assert.equal(published.packages.length, 9);
    assert.ok(published.packages.every((p) => p.before === 'absent' && p.action === 'published' && p.verified));
    assert.equal(published.signature?.key, 'release-dir');
    assert.ok(!cli.stdout.includes(registry.token) && !cli.stderr.includes(registry.token), 'the token is never printed');
    assertFinal(await directStatus(release), release.manifest, 'latest');

    const journalText = await readFile(path.join(release.releaseDir, 'publish-journal.jsonl'), 'utf8');
    assert.ok(!journalText.includes(registry.token), 'the token is never journaled');
    const { records, skipped } = await readJournal(path.join(release.releaseDir, 'publish-journal.jsonl'));
    assert.equal(skipped, 0);
    const types = records.map((r) => r.type);
    assert.equal(types[0], 'start');
    assert.equal(types.at(-1), 'done');
    // The journal shows the order: the root's publish begins after every platform package was verified.
    const rootBegin = records.findIndex((r) => r.type === 'publish-begin' && r.package === '@ship/addon');
    const verified = records.flatMap((r, i) => (r.type === 'verified' && r.package !== '@ship/addon' ? [i] : []));
    assert.equal(verified.length, 8);
    assert.ok(verified.every((i) => i < rootBegin));
  });

  test("napi-ship status: complete, with each package's integrity matching the release", async () => {
    const cli = await runCli(['status', '1.0.0', '--name', '@ship/addon', '--from', release.releaseDir, '--registry', registry.url], {
      env,
    });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /complete: @ship\/addon@1\.0\.0/);
    for (const p of release.manifest.packages) assert.ok(cli.stdout.includes(p.integrity), p.name);
    const missing = await runCli(['status', '9.9.9', '--name', '@ship/addon', '--registry', registry.url, '--json'], { env });
    assert.equal(missing.code, 1);
    assert.equal((JSON.parse(missing.stdout) as StatusReport).rootPublished, false);
  });

  test('a second run is a no-op: every package already there, nothing written', async () => {
    const cli = await runCli(['publish', '--from', release.releaseDir, '--registry', registry.url, '--resume', '--json'], { env });
    assert.equal(cli.code, 0, cli.stderr);
    const again = JSON.parse(cli.stdout) as PublishJson;
    assert.equal(again.resumed, true);
    assert.ok(again.packages.every((p) => p.before === 'same' && p.action === 'none' && p.tagged.length === 0));
  });

  test("npm install resolves this platform's package and the addon loads", async () => {
    const project = await installProject('npm');
    await run(
      'npm',
      [
        'install',
        '@ship/addon@1.0.0',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `--registry=${registry.url}`,
        `--cache=${path.join(project, '.cache')}`,
      ],
      { cwd: project, timeout: 180_000, env: { ...process.env, npm_config_userconfig: path.join(project, '.npmrc') } },
    );
    assert.equal(await load(process.execPath, project, '@ship/addon'), coreVersion);
    const host = JSON.parse(await readFile(path.join(project, 'node_modules', '@ship', 'addon-linux-x64-gnu', 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(host.version, '1.0.0');
    const lock = await readFile(path.join(project, 'package-lock.json'), 'utf8');
    const hostPackage = release.manifest.packages.find((p) => p.target === 'linux-x64-gnu');
    assert.ok(hostPackage && lock.includes(hostPackage.integrity), 'the lockfile records the integrity we published');
  });

  test('pnpm install resolves it and the addon loads', async () => {
    const project = await installProject('pnpm');
    await writeFile(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '0.0.0', private: true, dependencies: { '@ship/addon': '1.0.0' } }),
    );
    // pnpm holds back versions younger than minimumReleaseAge; ours are seconds old.
    await writeFile(path.join(project, 'pnpm-workspace.yaml'), 'minimumReleaseAge: 0\n');
    await run(
      'pnpm',
      [
        'install',
        '--no-frozen-lockfile',
        '--reporter=append-only',
        `--registry=${registry.url}`,
        `--store-dir=${path.join(project, '.store')}`,
        `--cache-dir=${path.join(project, '.cache')}`,
      ],
      { cwd: project, timeout: 180_000, env: { ...process.env, npm_config_userconfig: path.join(project, '.npmrc') } },
    );
    assert.equal(await load(process.execPath, project, '@ship/addon'), coreVersion);
  });

  test('bun install resolves it and the addon loads under bun', async () => {
    const project = await installProject('bun');
    const cache = path.join(project, '.cache');
    await writeFile(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '0.0.0', private: true, dependencies: { '@ship/addon': '1.0.0' } }),
    );
    await writeFile(
      path.join(project, 'bunfig.toml'),
      `[install]\nregistry = ${JSON.stringify(registry.url)}\n\n[install.cache]\ndir = ${JSON.stringify(cache)}\n`,
    );
    const bun = path.join(repoRoot, 'node_modules', '.bin', 'bun');
    await run(bun, ['install', '--no-progress'], {
      cwd: project,
      timeout: 180_000,
      env: { ...process.env, BUN_INSTALL_CACHE_DIR: cache, DO_NOT_TRACK: '1' },
    });
    assert.equal(await load(bun, project, '@ship/addon'), coreVersion);
  });

  test('a prerelease goes to next; latest stays on the complete 1.0.0', async () => {
    const beta = await buildFixtureRelease({ scratch, name: '@ship/addon', version: '1.1.0-beta.1' });
    const cli = await runCli(['publish', '--from', beta.releaseDir, '--registry', registry.url], { env });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /published @ship\/addon@1\.1\.0-beta\.1 under "next"/);
    const root = await readPackument('@ship/addon', { registry: registry.url });
    assert.deepEqual(root?.distTags, { latest: '1.0.0', next: '1.1.0-beta.1' });
  });

  test('napi-ship deprecate marks the root and every platform package; --message "" takes it back', async () => {
    const cli = await runCli(['deprecate', '1.0.0', '--name', '@ship/addon', '--message', 'use 1.0.1', '--registry', registry.url], {
      env,
    });
    assert.equal(cli.code, 0, cli.stderr);
    let status = await directStatus(release);
    assert.deepEqual(
      status.packages.map((p) => p.deprecated),
      Array<string>(9).fill('use 1.0.1'),
    );
    const undo = await runCli(['deprecate', '1.0.0', '--name', '@ship/addon', '--message', '', '--registry', registry.url], { env });
    assert.equal(undo.code, 0, undo.stderr);
    status = await directStatus(release);
    assert.deepEqual(
      status.packages.map((p) => p.deprecated),
      Array<null>(9).fill(null),
    );
    const none = await runCli(['deprecate', '7.7.7', '--name', '@ship/addon', '--message', 'x', '--registry', registry.url], { env });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /NS_DEPRECATE_NOT_PUBLISHED/);
  });
});

describe('refusals', () => {
  test("other bytes already under a platform package's version: nothing published, exit 1, both hashes printed", async () => {
    const release = await buildFixtureRelease({ scratch, name: '@clash/addon', version: '2.0.0', targets: 4 });
    const victim = release.manifest.packages.find((p) => p.target === 'darwin-arm64');
    assert.ok(victim);
    // Someone else publishes that name and version first, with other bytes (the real npm client).
    const other = path.join(scratch, 'other-bytes');
    await mkdir(other, { recursive: true });
    await writeFile(
      path.join(other, 'package.json'),
      JSON.stringify({ name: victim.name, version: victim.version, description: 'not ours' }),
    );
    await run('npm', ['publish', '--registry', registry.url, '--userconfig', registry.npmrc, '--tag', 'other', '--loglevel=error'], {
      cwd: other,
      timeout: 120_000,
    });
    const theirs = (await readPackument(victim.name, { registry: registry.url }))?.versions[victim.version]?.integrity;
    assert.ok(theirs !== undefined && theirs !== null && theirs !== victim.integrity);

    const cli = await runCli(['publish', '--from', release.releaseDir, '--registry', registry.url], { env });
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /NS_PUBLISH_CONFLICT/);
    assert.ok(cli.stderr.includes(victim.integrity), 'our hash is printed');
    assert.ok(cli.stderr.includes(theirs), "the registry's hash is printed");
    for (const p of release.manifest.packages) {
      if (p.name === victim.name) continue;
      assert.equal(await readPackument(p.name, { registry: registry.url }), null, `${p.name} was not published`);
    }
    const dry = await runCli(['publish', '--from', release.releaseDir, '--registry', registry.url, '--dry-run'], { env });
    assert.equal(dry.code, 1);
  });

  test('a root that pins platform packages the release dir lacks: NS_PUBLISH_INCOMPLETE, exit 1, no override', async () => {
    const dir = path.join(scratch, 'incomplete');
    await writeRootPackage(dir, {
      name: '@partial/addon',
      binaryName: 'addon',
      version: '1.0.0',
      targets: ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin', 'x86_64-pc-windows-msvc'],
    });
    const artifacts = path.join(scratch, 'incomplete-artifacts');
    await mkdir(artifacts, { recursive: true });
    await copyFile(hostCoreBinary, path.join(artifacts, 'addon.linux-x64-gnu.node'));
    const dry = await releaseDryRun({ cwd: dir, outDir: path.join(scratch, 'incomplete-out'), artifactsDir: artifacts });
    const cli = await runCli(['publish', '--from', dry.files.releaseDir, '--registry', registry.url], { env });
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /NS_PUBLISH_INCOMPLETE/);
    assert.match(cli.stderr, /@partial\/addon-darwin-arm64@1\.0\.0, @partial\/addon-win32-x64-msvc@1\.0\.0/);
    assert.equal(await readPackument('@partial/addon-linux-x64-gnu', { registry: registry.url }), null);
  });

  test('usage and environment: a bad --concurrency is exit 2; a token the registry refuses is exit 3, never printed', async () => {
    const usage = await runCli(['publish', '--concurrency', '0'], { env });
    assert.equal(usage.code, 2);
    const release = await buildFixtureRelease({ scratch, name: '@denied/addon', version: '1.0.0', targets: 1 });
    const badToken = 'not-a-valid-token-4f1e2d';
    const denied = await runCli(['publish', '--from', release.releaseDir, '--registry', registry.url], {
      env: { ...env, [`npm_config_${nerfDart(registry.url)}:_authToken`]: badToken },
    });
    assert.equal(denied.code, 3, denied.stderr);
    assert.match(denied.stderr, /NS_REGISTRY_AUTH/);
    assert.ok(!denied.stderr.includes(badToken) && !denied.stdout.includes(badToken));
    for (const p of release.manifest.packages) assert.equal(await readPackument(p.name, { registry: registry.url }), null);
    const { records } = await readJournal(path.join(release.releaseDir, 'publish-journal.jsonl'));
    assert.equal(records.at(-1)?.type, 'error');
    assert.ok(!(await readFile(path.join(release.releaseDir, 'publish-journal.jsonl'), 'utf8')).includes(badToken));
  });
});

describe('a flaky registry: 30 % of requests fail', () => {
  test('the publish completes and the final state is right', async () => {
    const release = await buildFixtureRelease({ scratch, name: '@flaky/addon', version: '3.0.0' });
    const proxy = await startFaultProxy({ target: registry.url, rate: 0.3, seed: 7, stallMs: 1500, retryAfterSeconds: 1 });
    try {
      const retries: string[] = [];
      const client = new RegistryClient({
        registry: proxy.url,
        token: registry.token,
        timeoutMs: 1000,
        retries: 12,
        retryBaseMs: 20,
        onRetry: (info) => {
          retries.push(info.reason);
        },
      });
      const result = await publishRelease({ releaseDir: release.releaseDir, client, readBackTimeoutMs: 60_000 });
      assert.equal(result.result.outcome, 'published', JSON.stringify(result.diagnostics));
      const stats = proxy.stats();
      assert.ok((stats.faults ?? 0) >= 10, `faults injected: ${JSON.stringify(stats)}`);
      assert.ok(retries.length > 0);
      // Judge the final state straight from verdaccio, not through the proxy.
      assertFinal(await directStatus(release), release.manifest, 'latest');
    } finally {
      await proxy.stop();
    }
  });
});
