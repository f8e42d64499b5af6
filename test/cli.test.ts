import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { coreDir, hostCoreBinary, runCli } from './helpers/cli.js';

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-cli-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

interface InspectEntry {
  path: string;
  format: string | null;
  os: string | null;
  cpu: string | null;
  libc: string | null;
  glibc: string | null;
  napiExport: boolean | null;
  error: { code: string; message: string } | null;
}

describe('help and usage', () => {
  test('--help lists every command and exits 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const name of ['inspect', 'hash', 'targets', 'release']) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
  });

  test('every command has --help that shows its usage and exits 0', async () => {
    for (const name of ['inspect', 'hash', 'targets', 'release']) {
      const r = await runCli([name, '--help']);
      assert.equal(r.code, 0, name);
      assert.match(r.stdout, new RegExp(`Usage: napi-ship ${name}`), name);
      assert.match(r.stdout, /Exit codes:/, name);
    }
  });

  test('no command, an unknown command and an unknown option are usage errors (exit 2)', async () => {
    assert.equal((await runCli([])).code, 2);
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const badOption = await runCli(['inspect', '--bogus', hostCoreBinary]);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /--bogus/);
    assert.equal((await runCli(['inspect'])).code, 2);
    assert.equal((await runCli(['inspect', '--size-limit', 'lots', hostCoreBinary])).code, 2);
  });

  test('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(path.join(coreDir, '..', '..', 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), `napi-ship ${pkg.version}`);
  });
});

describe('inspect', () => {
  test('the freshly built core reports linux / x64 / glibc / napi export', async () => {
    const r = await runCli(['inspect', '--json', hostCoreBinary]);
    assert.equal(r.code, 0, r.stderr);
    const [entry] = JSON.parse(r.stdout) as InspectEntry[];
    assert.ok(entry);
    assert.equal(entry.path, hostCoreBinary);
    assert.equal(entry.format, 'elf');
    assert.equal(entry.os, 'linux');
    assert.equal(entry.cpu, 'x64');
    assert.equal(entry.libc, 'glibc');
    assert.match(entry.glibc ?? '', /^2\.\d+(\.\d+)?$/);
    assert.equal(entry.napiExport, true);
    assert.equal(entry.error, null);
  });

  test('a bad file fails with its code and exit 1, and the good one is still reported', async () => {
    const garbage = path.join(scratch, 'garbage.node');
    await writeFile(garbage, 'this is not a binary at all, just text\n');
    const missing = path.join(scratch, 'missing.node');
    const r = await runCli(['inspect', '--json', hostCoreBinary, garbage, missing]);
    assert.equal(r.code, 1);
    const entries = JSON.parse(r.stdout) as InspectEntry[];
    assert.deepEqual(
      entries.map((e) => e.error?.code ?? 'ok'),
      ['ok', 'E_UNKNOWN_FORMAT', 'E_NOT_FOUND'],
    );
    assert.equal(entries[1]?.format, null);
  });

  test('--size-limit refuses a larger file', async () => {
    const r = await runCli(['inspect', '--json', '--size-limit', '1024', hostCoreBinary]);
    assert.equal(r.code, 1);
    const [entry] = JSON.parse(r.stdout) as InspectEntry[];
    assert.equal(entry?.error?.code, 'E_TOO_LARGE');
  });

  test('colour follows NO_COLOR and FORCE_COLOR', async () => {
    const garbage = path.join(scratch, 'colour.node');
    await writeFile(garbage, 'x');
    const forced = await runCli(['inspect', garbage], { env: { FORCE_COLOR: '1' } });
    assert.match(forced.stderr, /\u001b\[31m/);
    const off = await runCli(['inspect', garbage], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    assert.doesNotMatch(off.stderr, /\u001b\[/);
    assert.match(off.stderr, /error\[NS_INSPECT_E_UNKNOWN_FORMAT\]/);
  });
});

describe('hash', () => {
  test('--json digests agree with node:crypto, and a missing file is an error entry', async () => {
    const file = path.join(scratch, 'data.bin');
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 256));
    await writeFile(file, bytes);
    const r = await runCli(['hash', '--json', file, path.join(scratch, 'nope')]);
    assert.equal(r.code, 1);
    const entries = JSON.parse(r.stdout) as {
      size: number | null;
      sha1: string | null;
      sha256: string | null;
      sha512: string | null;
      integrity: string | null;
      error: { code: string } | null;
    }[];
    const good = entries[0];
    const bad = entries[1];
    assert.ok(good && bad);
    assert.equal(good.size, bytes.length);
    assert.equal(good.sha1, createHash('sha1').update(bytes).digest('hex'));
    assert.equal(good.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(good.sha512, createHash('sha512').update(bytes).digest('hex'));
    assert.equal(good.integrity, `sha512-${createHash('sha512').update(bytes).digest('base64')}`);
    assert.equal(bad.error?.code, 'E_NOT_FOUND');
    assert.equal(bad.sha256, null);
  });
});

describe('targets', () => {
  test("lists the core's eight platform packages", async () => {
    const r = await runCli(['targets', '--json', '--cwd', coreDir]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { triple: string; packageName: string; binaryFile: string }[];
    assert.deepEqual(rows.map((t) => t.packageName).sort(), [
      '@napi-ship/core-darwin-arm64',
      '@napi-ship/core-darwin-x64',
      '@napi-ship/core-linux-arm64-gnu',
      '@napi-ship/core-linux-arm64-musl',
      '@napi-ship/core-linux-x64-gnu',
      '@napi-ship/core-linux-x64-musl',
      '@napi-ship/core-win32-arm64-msvc',
      '@napi-ship/core-win32-x64-msvc',
    ]);
    assert.ok(rows.some((t) => t.binaryFile === 'napi-ship-core.linux-x64-musl.node'));
  });

  // Exit status from the code's class (docs/cli.md): the project's own config failing a check is 1
  // (NS_TARGET_UNKNOWN is class check), no longer 3 as when every thrown error exited 3.
  test('a triple spelled with Node’s CPU name is listed as the Rust triple, the warning on stderr (stdout stays JSON)', async () => {
    const dir = await mkdtemp(path.join(scratch, 'node-arch-'));
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: 'x',
        version: '1.0.0',
        napi: { binaryName: 'x', targets: ['x86_64-unknown-linux-gnu', 'x64-unknown-linux-musl'] },
      }),
    );
    const r = await runCli(['targets', '--cwd', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { triple: string; packageName: string }[];
    assert.deepEqual(
      rows.map((t) => [t.triple, t.packageName]),
      [
        ['x86_64-unknown-linux-gnu', 'x-linux-x64-gnu'],
        ['x86_64-unknown-linux-musl', 'x-linux-x64-musl'],
      ],
    );
    assert.match(r.stderr, /warning\[NS_TARGET_NODE_ARCH\] x64-unknown-linux-musl/);
    assert.match(r.stderr, /write "x86_64-unknown-linux-musl"/);
  });

  test('an unknown triple in napi.targets exits 1 and names it', async () => {
    const dir = await mkdtemp(path.join(scratch, 'bad-'));
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: 'x',
        version: '1.0.0',
        napi: { binaryName: 'x', targets: ['x86_64-unknown-linux-gnu', 'aarch64-unknown-linux-gnux'] },
      }),
    );
    const r = await runCli(['targets', '--cwd', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NS_TARGET_UNKNOWN/);
    assert.match(r.stderr, /aarch64-unknown-linux-gnux/);
    assert.match(r.stderr, /aarch64-unknown-linux-gnu\b/);
  });

  // --cwd naming a dir without package.json is the command line pointing at the wrong place:
  // NS_ROOT_PACKAGE_MISSING is class usage (2), no longer 3.
  test('a directory without package.json exits 2 with a hint', async () => {
    const r = await runCli(['targets', '--cwd', scratch]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /NS_ROOT_PACKAGE_MISSING/);
    assert.match(r.stderr, /hint:/);
  });
});
