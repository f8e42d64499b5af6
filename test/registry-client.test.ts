/**
 * The registry client against a real registry: verdaccio on loopback, directly and through the
 * fault-injecting proxy. Publishes real tarballs from a dry-run release dir, reads integrity back,
 * moves dist-tags, deprecates, survives a 30 % fault rate, resolves a lost publish answer to
 * `already-present`, stops on other bytes with both hashes, and ends with `npm install` of what it
 * published (the end-to-end check of the body shape).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { create as tarCreate } from 'tar';
import type { ManifestPackage, ReleaseManifest } from '../src/manifest/index.js';
import { readTarballManifest, RegistryClient, tarballDigests, type RegistryClientOptions } from '../src/registry/index.js';
import { releaseDryRun } from '../src/release/dry-run.js';
import { coreDir } from './helpers/cli.js';
import { ALL_FAULT_KINDS, startFaultProxy } from '../scripts/lib/fault-proxy.js';
import { startRegistry, type Registry } from './helpers/verdaccio.js';
import { rejection } from './helpers/diagnostics.js';

const run = promisify(execFile);

let registry: Registry;
let scratch = '';
let releaseDir = '';
let manifest: ReleaseManifest;
let direct: RegistryClient;

before(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-regclient-'));
  const result = await releaseDryRun({ cwd: coreDir, outDir: path.join(scratch, 'release'), build: false });
  releaseDir = result.files.releaseDir;
  manifest = JSON.parse(await readFile(path.join(releaseDir, 'release-manifest.json'), 'utf8')) as ReleaseManifest;
  direct = new RegistryClient({ registry: registry.url, token: registry.token });
});
after(async () => {
  await direct.close();
  await registry.stop();
  await rm(scratch, { recursive: true, force: true });
});

function pkg(kind: 'root' | 'platform'): ManifestPackage {
  // The platform package this machine installs and loads (the dry run may also hold cross-built targets).
  const host = `-${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}`;
  const found =
    kind === 'platform'
      ? manifest.packages.find((p) => p.kind === kind && p.name.endsWith(host))
      : manifest.packages.find((p) => p.kind === kind);
  assert.ok(found, `the dry run has a ${kind} package`);
  return found;
}

async function tarballOf(p: ManifestPackage): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path.join(releaseDir, p.tarball)));
}

/** A small real npm tarball (package/package.json + a file), for packages the tests invent. */
async function makeTarball(
  name: string,
  version: string,
  content = 'module.exports = 1;\n',
): Promise<{ tarball: Uint8Array; manifest: Record<string, unknown> }> {
  const dir = await mkdtemp(path.join(scratch, 'pkg-'));
  await mkdir(path.join(dir, 'package'));
  const m = { name, version, description: `test package ${name}`, main: 'index.js', license: 'MIT' };
  await writeFile(path.join(dir, 'package', 'package.json'), JSON.stringify(m, null, 2));
  await writeFile(path.join(dir, 'package', 'index.js'), content);
  const file = path.join(dir, 'out.tgz');
  await tarCreate({ gzip: true, cwd: dir, file, portable: true }, ['package']);
  return { tarball: new Uint8Array(await readFile(file)), manifest: m };
}

describe('the registry client against verdaccio', () => {
  test("publishes a real platform tarball: integrity read back equals the release manifest's", async () => {
    const platform = pkg('platform');
    const tarball = await tarballOf(platform);
    const m = await readTarballManifest(tarball);
    assert.equal(m.name, platform.name);
    assert.equal(await direct.getPackument(platform.name), null, 'absent before');
    const outcome = await direct.publish({ manifest: m, tarball, tag: 'napi-ship-staging', access: 'public' });
    assert.deepEqual(outcome, { state: 'published', integrity: platform.integrity });

    for (const opts of [{}, { full: true }, { fresh: true }]) {
      const packument = await direct.getPackument(platform.name, opts);
      assert.ok(packument);
      const v = packument.versions[platform.version];
      assert.equal(v?.integrity, platform.integrity, JSON.stringify(opts));
      assert.equal(v.shasum, platform.sha1);
      assert.equal(packument.distTags['napi-ship-staging'], platform.version);
    }
    assert.equal((await direct.getDistTags(platform.name))['napi-ship-staging'], platform.version);

    // The tarball the registry serves is byte for byte ours.
    const served = await fetch(new URL(`${platform.name}/-/${platform.name.split('/').pop() ?? ''}-${platform.version}.tgz`, registry.url));
    assert.equal(served.status, 200);
    assert.equal(tarballDigests(new Uint8Array(await served.arrayBuffer())).integrity, platform.integrity);
  });

  test('publishing the same bytes again is already-present; other bytes are NS_PUBLISH_CONFLICT naming both hashes', async () => {
    const platform = pkg('platform');
    const tarball = await tarballOf(platform);
    const m = await readTarballManifest(tarball);
    assert.deepEqual(await direct.publish({ manifest: m, tarball, tag: 'napi-ship-staging' }), {
      state: 'already-present',
      integrity: platform.integrity,
    });

    const other = await makeTarball(platform.name, platform.version, '// other bytes\n');
    const ours = tarballDigests(other.tarball).integrity;
    const r = await rejection(direct.publish({ manifest: other.manifest, tarball: other.tarball, tag: 'napi-ship-staging' }));
    assert.equal(r.code, 'NS_PUBLISH_CONFLICT');
    assert.ok(r.text.includes(platform.name) && r.text.includes(platform.version), r.text);
    assert.ok(r.text.includes(ours), 'our integrity');
    assert.ok(r.text.includes(platform.integrity), "the registry's integrity");
    assert.ok(!r.text.includes(registry.token));
    // Nothing changed on the registry.
    assert.equal((await direct.getPackument(platform.name))?.versions[platform.version]?.integrity, platform.integrity);
  });

  test('dist-tags: set, move, remove (twice is fine)', async () => {
    const name = 'napi-ship-tags-test';
    for (const version of ['1.0.0', '1.1.0']) {
      const { tarball, manifest: m } = await makeTarball(name, version);
      await direct.publish({ manifest: m, tarball, tag: 'napi-ship-staging' });
    }
    await direct.setDistTag(name, 'latest', '1.0.0');
    await direct.setDistTag(name, 'next', '1.1.0');
    let tags = await direct.getDistTags(name);
    assert.equal(tags.latest, '1.0.0');
    assert.equal(tags.next, '1.1.0');
    await direct.setDistTag(name, 'latest', '1.1.0');
    await direct.removeDistTag(name, 'next');
    await direct.removeDistTag(name, 'next');
    await direct.removeDistTag(name, 'napi-ship-staging');
    tags = await direct.getDistTags(name);
    assert.deepEqual(tags, { latest: '1.1.0' });
    assert.deepEqual(await direct.getDistTags('napi-ship-no-such-package'), {});
  });

  test('deprecate and un-deprecate one version', async () => {
    const name = 'napi-ship-deprecate-test';
    for (const version of ['2.0.0', '2.0.1']) {
      const { tarball, manifest: m } = await makeTarball(name, version);
      await direct.publish({ manifest: m, tarball, tag: 'latest' });
    }
    await direct.deprecate(name, '2.0.0', 'broken build, use 2.0.1');
    await direct.deprecate(name, '2.0.0', 'broken build, use 2.0.1');
    let p = await direct.getPackument(name, { full: true });
    assert.equal(p?.versions['2.0.0']?.deprecated, 'broken build, use 2.0.1');
    assert.equal(p.versions['2.0.1']?.deprecated, null);
    assert.equal((await direct.getPackument(name))?.versions['2.0.0']?.deprecated, 'broken build, use 2.0.1', 'abbreviated too');
    await direct.deprecate(name, '2.0.0', '');
    p = await direct.getPackument(name, { full: true });
    assert.ok(p);
    assert.equal(p.versions['2.0.0']?.deprecated, null);
    // Integrity survived the rewrite of the document.
    assert.match(p.versions['2.0.0'].integrity ?? '', /^sha512-/);
    assert.equal((await rejection(direct.deprecate(name, '9.9.9', 'x'))).code, 'NS_REGISTRY_HTTP');
  });

  test('a bad token: NS_REGISTRY_AUTH, and the token is in no message', async () => {
    const token = `${registry.token.slice(0, 10)}-not-the-real-token-9f8e7d`;
    const client = new RegistryClient({ registry: registry.url, token });
    const { tarball, manifest: m } = await makeTarball('napi-ship-auth-test', '1.0.0');
    const r = await rejection(client.publish({ manifest: m, tarball, tag: 'latest' }));
    assert.equal(r.code, 'NS_REGISTRY_AUTH');
    assert.ok(!r.text.includes(token), r.text);
    const none = new RegistryClient({ registry: registry.url });
    const n = await rejection(none.publish({ manifest: m, tarball, tag: 'latest' }));
    assert.equal(n.code, 'NS_REGISTRY_AUTH');
    assert.match(n.text, /NPM_TOKEN/);
    await client.close();
    await none.close();
  });

  test('the answer to a PUT that landed is lost (reset after forward): the retry finds our bytes → already-present', async () => {
    const proxy = await startFaultProxy({ target: registry.url, rate: 1, kinds: ['reset-after-forward'], methods: ['PUT'], maxFaults: 1 });
    const retries: string[] = [];
    const client = new RegistryClient({
      registry: proxy.url,
      token: registry.token,
      retryBaseMs: 10,
      onRetry: (i) => retries.push(`${i.method} ${i.reason}`),
    });
    try {
      const { tarball, manifest: m } = await makeTarball('napi-ship-lost-answer', '1.0.0');
      const outcome = await client.publish({ manifest: m, tarball, tag: 'latest' });
      assert.deepEqual(outcome, { state: 'already-present', integrity: tarballDigests(tarball).integrity });
      assert.equal(proxy.stats()['reset-after-forward'], 1);
      assert.equal(retries.length, 1, retries.join('\n'));
      assert.match(retries[0] ?? '', /^PUT /);
      assert.equal((await direct.getPackument('napi-ship-lost-answer'))?.versions['1.0.0']?.integrity, outcome.integrity);
    } finally {
      await client.close();
      await proxy.stop();
    }
  });

  test('Retry-After is honoured: the wait is never shorter than the registry asked', async () => {
    const proxy = await startFaultProxy({ target: registry.url, rate: 1, kinds: ['429'], retryAfterSeconds: 2, maxFaults: 1 });
    const waits: number[] = [];
    const client = new RegistryClient({ registry: proxy.url, token: registry.token, retryBaseMs: 1, onRetry: (i) => waits.push(i.waitMs) });
    try {
      assert.ok(await client.getPackument(pkg('platform').name));
      assert.equal(waits.length, 1);
      assert.ok((waits[0] ?? 0) >= 2000, `waited ${String(waits[0])} ms`);
    } finally {
      await client.close();
      await proxy.stop();
    }
  });

  // Seed 42 injects every kind within the first 22 requests; this test makes more than 40.
  test('at a 30 % fault rate of every kind, publishes, tags and deprecations all end right', async () => {
    const proxy = await startFaultProxy({
      target: registry.url,
      rate: 0.3,
      seed: 42,
      kinds: ALL_FAULT_KINDS,
      stallMs: 2500,
      retryAfterSeconds: 1,
    });
    const options: RegistryClientOptions = { registry: proxy.url, token: registry.token, timeoutMs: 1500, retries: 12, retryBaseMs: 20 };
    const retries: string[] = [];
    const client = new RegistryClient({ ...options, onRetry: (i) => retries.push(`${i.method} ${i.path}: ${i.reason}`) });
    const started = Date.now();
    const packages = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((s) => `napi-ship-fault-${s}`);
    const integrity: Record<string, string> = {};
    try {
      for (const name of packages) {
        const { tarball, manifest: m } = await makeTarball(name, '3.0.0', `module.exports = ${JSON.stringify(name)};\n`);
        integrity[name] = tarballDigests(tarball).integrity;
        const outcome = await client.publish({ manifest: m, tarball, tag: 'napi-ship-staging' });
        assert.equal(outcome.integrity, integrity[name]);
        assert.ok(['published', 'already-present'].includes(outcome.state));
        const seen = await client.getPackument(name);
        assert.equal(seen?.versions['3.0.0']?.integrity, integrity[name]);
      }
      for (const name of packages) {
        await client.setDistTag(name, 'latest', '3.0.0');
        await client.removeDistTag(name, 'napi-ship-staging');
      }
      await client.deprecate(packages[0] ?? '', '3.0.0', 'fault test');
    } finally {
      await client.close();
      await proxy.stop();
    }
    // The final state, read directly (no proxy).
    for (const name of packages) {
      const p = await direct.getPackument(name, { full: true });
      assert.ok(p, name);
      assert.equal(p.versions['3.0.0']?.integrity, integrity[name], name);
      assert.deepEqual(p.distTags, { latest: '3.0.0' }, name);
      assert.equal(p.versions['3.0.0']?.deprecated, name === packages[0] ? 'fault test' : null);
    }
    const stats = proxy.stats();
    if (process.env.NAPI_SHIP_TEST_DEBUG) console.error(JSON.stringify(stats), Date.now() - started, retries);
    assert.ok((stats.faults ?? 0) >= 10, `faults were injected: ${JSON.stringify(stats)}`);
    for (const kind of ALL_FAULT_KINDS) assert.ok((stats[kind] ?? 0) > 0, `${kind} was injected: ${JSON.stringify(stats)}`);
    assert.ok(
      retries.length >= (stats.faults ?? 0) - 1,
      `each fault cost a retry: ${String(retries.length)} retries, ${JSON.stringify(stats)}`,
    );
  });

  test("npm installs the root we published; it resolves this platform's package and loads the addon", async () => {
    const root = pkg('root');
    const platform = pkg('platform');
    const tarball = await tarballOf(root);
    const outcome = await direct.publish({ manifest: await readTarballManifest(tarball), tarball, tag: 'latest', access: 'public' });
    assert.deepEqual(outcome, { state: 'published', integrity: root.integrity });
    await direct.setDistTag(platform.name, 'latest', platform.version);
    const project = await mkdtemp(path.join(scratch, 'install-'));
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    await run(
      'npm',
      [
        'install',
        `${root.name}@${root.version}`,
        '--userconfig',
        registry.npmrc,
        '--registry',
        registry.url,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
      ],
      { cwd: project, timeout: 120_000 },
    );
    const lock = JSON.parse(await readFile(path.join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { integrity?: string }>;
    };
    assert.equal(lock.packages[`node_modules/${root.name}`]?.integrity, root.integrity);
    assert.equal(lock.packages[`node_modules/${platform.name}`]?.integrity, platform.integrity);
    const { stdout } = await run(process.execPath, ['-e', `console.log(require('${root.name}').coreVersion())`], { cwd: project });
    assert.equal(stdout.trim(), manifest.tools.core);
  });
});
