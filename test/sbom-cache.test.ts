/**
 * The dependency-graph cache (src/sbom/cache.ts): a second read of unchanged inputs runs no cargo and
 * parses no lockfile, says so, and gives the same inventories and the same documents; any input the
 * graph came from — Cargo.lock, the addon's or a path crate's Cargo.toml, a path crate's license
 * files, the npm lockfile, the targets — changing makes it read again; no Cargo.lock, no cache.
 * The project: a napi-rs crate (napi 3; Cargo.lock resolved offline from the local cargo cache) with
 * a path crate of its own workspace, and an npm lockfile.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { readProjectInventories, type ProjectInventories } from '../src/sbom/index.js';
import { runCli } from './helpers/cli.js';

const run = promisify(execFile);

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-sbom-cache-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function writeProject(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await mkdir(path.join(dir, 'helper', 'src'), { recursive: true });
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'cache-addon',
        version: '1.0.0',
        license: 'MIT',
        napi: { binaryName: 'cache', targets: ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin'] },
        dependencies: { 'ok-thing': '2.1.0' },
      },
      null,
      2,
    ) + '\n',
  );
  await writeFile(
    path.join(dir, 'package-lock.json'),
    JSON.stringify({
      name: 'cache-addon',
      version: '1.0.0',
      lockfileVersion: 3,
      packages: {
        '': { name: 'cache-addon', version: '1.0.0', dependencies: { 'ok-thing': '2.1.0' } },
        'node_modules/ok-thing': {
          version: '2.1.0',
          resolved: 'https://registry.npmjs.org/ok-thing/-/ok-thing-2.1.0.tgz',
          integrity: `sha512-${Buffer.from('ok-thing'.padEnd(64, '.')).toString('base64')}`,
          license: 'MIT',
        },
      },
    }),
  );
  await writeFile(
    path.join(dir, 'Cargo.toml'),
    [
      '[package]',
      'name = "cache-addon"',
      'version = "0.1.0"',
      'edition = "2021"',
      'license = "MIT"',
      '',
      '[lib]',
      'crate-type = ["cdylib"]',
      '',
      '[dependencies]',
      'napi = { version = "3", default-features = false, features = ["napi4"] }',
      'helper = { path = "helper" }',
      '',
      '[workspace]',
      'members = ["helper"]',
      '',
    ].join('\n'),
  );
  await writeFile(path.join(dir, 'src', 'lib.rs'), '');
  await writeFile(
    path.join(dir, 'helper', 'Cargo.toml'),
    '[package]\nname = "helper"\nversion = "0.1.0"\nedition = "2021"\nlicense = "MIT"\n',
  );
  await writeFile(path.join(dir, 'helper', 'src', 'lib.rs'), '');
  await run('cargo', ['generate-lockfile', '--offline', '--manifest-path', path.join(dir, 'Cargo.toml')], { env: process.env });
}

function graphs(p: ProjectInventories): unknown {
  return { cargo: p.cargo, npm: p.npm };
}

describe('the dependency-graph cache', () => {
  let dir = '';
  let cache = '';
  before(async () => {
    dir = path.join(scratch, 'project');
    cache = path.join(scratch, 'cache');
    await writeProject(dir);
  });

  test('miss, then hit with the same graphs and a note; each input that changes makes it read again', async () => {
    const read = (targets?: string[]): Promise<ProjectInventories> =>
      readProjectInventories({ rootDir: dir, cache, fetch: false, ...(targets === undefined ? {} : { targets }) });
    const first = await read();
    assert.equal(first.cache?.state, 'miss');
    assert.ok(first.cargo?.packages.some((p) => p.name === 'napi'));
    const second = await read();
    assert.equal(second.cache?.state, 'hit');
    assert.deepEqual(graphs(second), graphs(first));
    assert.ok(second.notes.some((n) => /dependency graphs from napi-ship's cache .*--no-cache reads them again/.test(n)));
    assert.equal((await readProjectInventories({ rootDir: dir, fetch: false })).cache?.state, 'off', 'off unless asked for');

    // Other targets: their own entry.
    assert.equal((await read(['x86_64-unknown-linux-gnu'])).cache?.state, 'miss');
    assert.equal((await read()).cache?.state, 'hit');

    // A path crate's Cargo.toml (not in the key itself: checked file by file).
    const helper = path.join(dir, 'helper', 'Cargo.toml');
    await writeFile(helper, (await readFile(helper, 'utf8')).replace('license = "MIT"', 'license = "Apache-2.0"'));
    const relicensed = await read();
    assert.equal(relicensed.cache?.state, 'miss');
    assert.equal(relicensed.cargo?.packages.find((p) => p.name === 'helper')?.licenseRaw, 'Apache-2.0');
    assert.equal((await read()).cache?.state, 'hit');

    // A license file added to a path crate.
    await writeFile(path.join(dir, 'helper', 'LICENSE'), 'Apache License 2.0 text\n');
    const withFile = await read();
    assert.equal(withFile.cache?.state, 'miss');
    assert.deepEqual(
      withFile.cargo?.packages.find((p) => p.name === 'helper')?.licenseFiles.map((f) => f.path),
      ['LICENSE'],
    );

    // The npm lockfile.
    const lock = path.join(dir, 'package-lock.json');
    await writeFile(lock, (await readFile(lock, 'utf8')).replace('"license":"MIT"', '"license":"ISC"'));
    const relocked = await read();
    assert.equal(relocked.cache?.state, 'miss');
    assert.equal(relocked.npm.packages.find((p) => p.name === 'ok-thing')?.licenseRaw, 'ISC');

    // Cargo.lock.
    const cargoLock = path.join(dir, 'Cargo.lock');
    const lockText = await readFile(cargoLock, 'utf8');
    await writeFile(cargoLock, lockText + '\n');
    assert.equal((await read()).cache?.state, 'miss');
    assert.equal((await read()).cache?.state, 'hit');

    // No Cargo.lock: resolved now, never cached.
    await rm(cargoLock);
    const unlocked = await read();
    assert.equal(unlocked.cache?.state, 'off');
    assert.ok(unlocked.diagnostics.some((d) => d.code === 'NS_SBOM_CARGO_UNLOCKED'));
    await writeFile(cargoLock, lockText);
  });

  test('napi-ship sbom: the second run says hit and writes the same bytes; --no-cache reads again, same bytes', async () => {
    const env = { NAPI_SHIP_CACHE_DIR: path.join(scratch, 'cli-cache'), SOURCE_DATE_EPOCH: '1700000000' };
    const sbom = async (out: string, extra: string[] = []): Promise<string> => {
      const r = await runCli(['sbom', '--cwd', dir, '--out', path.join(scratch, out), '--no-fetch', '--json', ...extra], { env });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      return (JSON.parse(r.stdout) as { cache: { state: string } }).cache.state;
    };
    assert.equal(await sbom('a'), 'miss');
    assert.equal(await sbom('b'), 'hit');
    assert.equal(await sbom('c', ['--no-cache']), 'off');
    for (const f of ['sbom.rust.spdx.json', 'sbom.npm.spdx.json']) {
      const a = await readFile(path.join(scratch, 'a', f), 'utf8');
      assert.equal(await readFile(path.join(scratch, 'b', f), 'utf8'), a, f);
      assert.equal(await readFile(path.join(scratch, 'c', f), 'utf8'), a, f);
    }
    const text = await runCli(['sbom', '--cwd', dir, '--out', path.join(scratch, 'd'), '--no-fetch'], { env: { ...env, NO_COLOR: '1' } });
    assert.match(text.stdout, /note: dependency graphs from napi-ship's cache/);
  });
});
