import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, link, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { extract } from 'tar';
import { serializeManifest, type ReleaseManifest } from '../src/manifest/index.js';
import {
  compressTar,
  markTarballsChecked,
  NPM_FIXED_DATE_EPOCH,
  PackError,
  packRelease,
  SMALL_TAR,
  TarballCache,
  tarballKey,
  resolveSourceDateEpoch,
  selectFiles,
  tarballName,
  writeTarball,
} from '../src/pack/index.js';
import { tarballCheckId } from '../src/util/tarball.js';
import { hostCoreBinary, repoRoot, runCli } from './helpers/cli.js';

const execFileAsync = promisify(execFile);

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-pack-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

let counter = 0;
async function freshDir(label: string): Promise<string> {
  const dir = path.join(scratch, `${label}-${++counter}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

type Tree = Readonly<Record<string, string | Buffer>>;

async function writeTree(dir: string, tree: Tree): Promise<void> {
  for (const [rel, content] of Object.entries(tree)) {
    const file = path.join(dir, ...rel.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

async function makePackage(label: string, tree: Tree): Promise<string> {
  const dir = await freshDir(label);
  await writeTree(dir, tree);
  return dir;
}

/** npm's own environment for the child: no color, no update check, a private cache. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    npm_config_update_notifier: 'false',
    npm_config_cache: path.join(scratch, 'npm-cache'),
  };
  delete env.SOURCE_DATE_EPOCH;
  return env;
}

interface NpmPackJson {
  readonly filename: string;
  readonly files: readonly { readonly path: string; readonly size: number; readonly mode: number }[];
}

async function npmPack(dir: string, extra: readonly string[]): Promise<NpmPackJson> {
  const { stdout } = await execFileAsync('npm', ['pack', '--json', '--ignore-scripts', ...extra], {
    cwd: dir,
    env: npmEnv(),
    maxBuffer: 64 << 20,
  });
  const parsed = JSON.parse(stdout) as NpmPackJson[];
  const first = parsed[0];
  assert.ok(first, 'npm pack --json printed no package');
  return first;
}

async function ourPaths(dir: string): Promise<string[]> {
  const selection = await selectFiles(dir);
  assert.deepEqual(
    selection.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return selection.files.map((f) => f.path);
}

async function readAll(dir: string, rel = ''): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const sub = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) for (const [k, v] of await readAll(dir, sub)) out.set(k, v);
    else out.set(sub, await readFile(path.join(dir, sub)));
  }
  return out;
}

async function unpack(tgz: string): Promise<Map<string, Buffer>> {
  const dir = await freshDir('unpacked');
  await extract({ file: tgz, cwd: dir });
  const entries = await readdir(dir);
  assert.deepEqual(entries, ['package'], `${tgz} holds everything under package/`);
  return readAll(path.join(dir, 'package'));
}

function digest(algorithm: string, data: Buffer, encoding: 'hex' | 'base64' = 'hex'): string {
  return createHash(algorithm).update(data).digest(encoding);
}

interface RawHeader {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly type: string;
  readonly uname: string;
  readonly gname: string;
  readonly magic: string;
  readonly body: Buffer;
}

function cstr(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octal(buf: Buffer, start: number, length: number): number {
  const text = cstr(buf, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** Every 512-byte header of an uncompressed tar, read by hand (pax headers included, as entries). */
function rawHeaders(tarBytes: Buffer): RawHeader[] {
  const out: RawHeader[] = [];
  let offset = 0;
  while (offset + 512 <= tarBytes.length) {
    const h = tarBytes.subarray(offset, offset + 512);
    if (h.every((b) => b === 0)) break;
    const size = octal(h, 124, 12);
    const prefix = cstr(h, 345, 155);
    const name = cstr(h, 0, 100);
    out.push({
      path: prefix ? `${prefix}/${name}` : name,
      mode: octal(h, 100, 8),
      uid: octal(h, 108, 8),
      gid: octal(h, 116, 8),
      size,
      mtime: octal(h, 136, 12),
      type: String.fromCharCode(h[156] ?? 0),
      magic: cstr(h, 257, 6),
      uname: cstr(h, 265, 32),
      gname: cstr(h, 297, 32),
      body: tarBytes.subarray(offset + 512, offset + 512 + size),
    });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

const platformFiles = async (label: string): Promise<string> => {
  const dir = await freshDir(label);
  await copyFile(path.join(repoRoot, 'npm', 'linux-x64-gnu', 'package.json'), path.join(dir, 'package.json'));
  await copyFile(path.join(repoRoot, 'npm', 'linux-x64-gnu', 'README.md'), path.join(dir, 'README.md'));
  await copyFile(hostCoreBinary, path.join(dir, 'napi-ship-core.linux-x64-gnu.node'));
  // Not in `files`: left out by npm and by us.
  await writeTree(dir, { 'notes.txt': 'scratch\n', 'build/out.o': 'obj', '.DS_Store': 'x' });
  return dir;
};

/** No `files` field: everything but what .npmignore, nested .npmignore and npm's defaults exclude. */
const npmignoreTree: Tree = {
  'package.json': JSON.stringify({ name: 'ignore-me', version: '1.2.3', main: 'index.js', bin: { 'ignore-me': 'bin/cli' } }, null, 2),
  'index.js': 'module.exports = 1;\n',
  'bin/cli': '#!/usr/bin/env node\nrequire("../index.js");\n',
  'lib/a.js': 'a\n',
  'lib/a.test.js': 'test\n',
  'test/x.js': 'x\n',
  'docs/guide.md': '# guide\n',
  'sub/ok.txt': 'ok\n',
  'sub/secret.txt': 'secret\n',
  'sub/.npmignore': 'secret.txt\n',
  '.npmignore': 'test/\n*.test.js\n# comment\ndocs\n',
  '.gitignore': 'lib/\nsub/\n',
  '.npmrc': 'fund=false\n',
  'package-lock.json': '{}\n',
  'npm-debug.log': 'log\n',
  '.DS_Store': 'ds\n',
  'index.js.orig': 'orig\n',
  '.index.js.swp': 'swp\n',
  'CVS/Entries': 'cvs\n',
  '.git/HEAD': 'ref: refs/heads/main\n',
  '.svn/entries': 'svn\n',
  'node_modules/dep/index.js': 'dep\n',
  'node_modules/dep/package.json': '{"name":"dep","version":"1.0.0"}',
  LICENSE: 'MIT\n',
  'CHANGELOG.md': '# changes\n',
};

/** `files` globs (with a negation and a directory), README/LICENSE/LICENCE/COPYING, scoped name, `main` outside `files`. */
const filesTree: Tree = {
  'package.json': JSON.stringify(
    {
      name: '@scope/globbed',
      version: '0.0.1-beta.1',
      main: 'main.js',
      browser: 'browser.js',
      files: ['lib/**/*.js', 'dist', '!dist/**/*.map', './types/'],
    },
    null,
    2,
  ),
  'main.js': 'main\n',
  'browser.js': 'browser\n',
  'lib/a.js': 'a\n',
  'lib/sub/b.js': 'b\n',
  'lib/c.ts': 'c\n',
  'dist/x.js': 'x\n',
  'dist/x.js.map': '{}\n',
  'dist/@at/y.js': 'y\n',
  'dist/.hidden': 'hidden\n',
  'types/index.d.ts': 'export {};\n',
  'other.js': 'other\n',
  'README.md': '# readme\n',
  LICENSE: 'MIT\n',
  'LICENCE.txt': 'MIT too\n',
  COPYING: 'copying\n',
  'readme.txt~': 'backup\n',
};

/** A bundled dependency (and its own dependency) under node_modules, next to one that is not bundled. */
const bundledTree: Tree = {
  'package.json': JSON.stringify(
    {
      name: 'bundler',
      version: '1.0.0',
      dependencies: { dep: '1.0.0', other: '1.0.0' },
      bundleDependencies: ['dep'],
    },
    null,
    2,
  ),
  'index.js': 'x\n',
  'node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0', dependencies: { inner: '1.0.0' }, files: ['index.js'] }),
  'node_modules/dep/index.js': 'dep\n',
  'node_modules/dep/unlisted.js': 'not in files\n',
  'node_modules/inner/package.json': JSON.stringify({ name: 'inner', version: '1.0.0' }),
  'node_modules/inner/index.js': 'inner\n',
  'node_modules/other/package.json': JSON.stringify({ name: 'other', version: '1.0.0' }),
  'node_modules/other/index.js': 'other\n',
};

describe('file selection agrees with npm pack', () => {
  const cases: { name: string; make: () => Promise<string> }[] = [
    { name: 'a platform package with a .node binary (like npm/*)', make: () => platformFiles('platform') },
    { name: 'no `files`, with .npmignore (and a nested one)', make: () => makePackage('npmignore', npmignoreTree) },
    { name: '`files` globs with README/LICENSE', make: () => makePackage('files', filesTree) },
    { name: 'bundled dependencies', make: () => makePackage('bundled', bundledTree) },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = await c.make();
      const dry = await npmPack(dir, ['--dry-run']);
      const ours = await ourPaths(dir);
      assert.deepEqual(ours, dry.files.map((f) => f.path).sort(), 'npm pack --dry-run lists the same files');
      assert.ok(ours.length >= 2);

      // Same file contents: npm's real tarball and ours, both extracted.
      const out = await freshDir('out');
      const real = await npmPack(dir, ['--pack-destination', out]);
      const selection = await selectFiles(dir);
      assert.equal(tarballName(selection.name, selection.version), real.filename, 'tarball named as npm names it');
      const oursTgz = path.join(out, `ours-${real.filename}`);
      await writeTarball(dir, selection.files, oursTgz, { mtime: NPM_FIXED_DATE_EPOCH });
      const theirs = await unpack(path.join(out, real.filename));
      const mine = await unpack(oursTgz);
      assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort());
      for (const [rel, bytes] of theirs) assert.ok(bytes.equals(mine.get(rel) ?? Buffer.alloc(0)), `${rel} has npm's bytes`);
      const [ourSize, npmSize] = [(await stat(oursTgz)).size, (await stat(path.join(out, real.filename))).size];
      // Never larger than zlib-9 (npm's compressor) makes our tar stream; with a binary — the bulk of
      // any real platform package — never larger than npm's own tarball either. (A package of a few
      // tiny files can differ by a few bytes either way: npm's entry order is its walk order, ours sorted.)
      const ourTar = gunzipSync(await readFile(oursTgz));
      assert.ok(ourSize <= gzipSync(ourTar, { level: 9 }).length, 'not larger than zlib-9 on the same tar stream');
      if (selection.files.some((f) => f.path.endsWith('.node')))
        assert.ok(ourSize <= npmSize, `our tarball (${String(ourSize)} B) is not larger than npm pack's (${String(npmSize)} B)`);
    });
  }

  test('what the fixtures select, spelled out', async () => {
    assert.deepEqual(await ourPaths(await platformFiles('platform-list')), [
      'README.md',
      'napi-ship-core.linux-x64-gnu.node',
      'package.json',
    ]);
    assert.deepEqual(await ourPaths(await makePackage('npmignore-list', npmignoreTree)), [
      'CHANGELOG.md',
      'LICENSE',
      'bin/cli',
      'index.js',
      'lib/a.js',
      'package.json',
      'sub/ok.txt',
    ]);
    assert.deepEqual(await ourPaths(await makePackage('files-list', filesTree)), [
      'COPYING',
      'LICENCE.txt',
      'LICENSE',
      'README.md',
      'browser.js',
      'dist/.hidden',
      'dist/@at/y.js',
      'dist/x.js',
      'lib/a.js',
      'lib/sub/b.js',
      'main.js',
      'package.json',
      'types/index.d.ts',
    ]);
    assert.deepEqual(await ourPaths(await makePackage('bundled-list', bundledTree)), [
      'index.js',
      'node_modules/dep/index.js',
      'node_modules/dep/package.json',
      'node_modules/inner/index.js',
      'node_modules/inner/package.json',
      'package.json',
    ]);
  });

  test('.gitignore applies when there is no .npmignore', async () => {
    const dir = await makePackage('gitignore', {
      'package.json': '{"name":"gi","version":"1.0.0"}',
      'index.js': '1',
      'build/x.js': '2',
      '.gitignore': 'build\n',
    });
    assert.deepEqual(await ourPaths(dir), ['index.js', 'package.json']);
    assert.deepEqual(await ourPaths(dir), (await npmPack(dir, ['--dry-run'])).files.map((f) => f.path).sort());
  });
});

describe('reproducible tarballs', () => {
  const longName = `${'l'.repeat(120)}.js`;
  const tree: Tree = {
    'package.json': JSON.stringify({ name: 'repro', version: '1.0.0', bin: { repro: 'cli.js' } }),
    'cli.js': '#!/usr/bin/env node\n',
    'index.js': 'module.exports = 1;\n',
    'lib/deep/nested/file.js': 'nested\n',
    'lib/zeta.js': 'z\n',
    'lib/Alpha.js': 'A\n',
    'lib/é.js': 'non-ascii name\n',
    'run.sh': '#!/bin/sh\n',
    [`lib/${longName}`]: 'long name\n',
  };

  test('different mtimes, umask and mode bits give byte-identical tarballs', async () => {
    const a = await makePackage('repro-a', tree);
    await chmod(path.join(a, 'run.sh'), 0o755);
    const previous = process.umask(0o077);
    let b: string;
    try {
      b = await makePackage('repro-b', tree);
    } finally {
      process.umask(previous);
    }
    // b: private modes (0600 files, 0700 executable), other timestamps, another directory.
    await chmod(path.join(b, 'run.sh'), 0o700);
    await chmod(path.join(b, 'index.js'), 0o640);
    await chmod(path.join(b, 'lib', 'zeta.js'), 0o664);
    for (const rel of Object.keys(tree))
      await utimes(path.join(b, ...rel.split('/')), new Date('2001-02-03T04:05:06Z'), new Date('2011-12-13T14:15:16Z'));
    assert.notEqual((await stat(path.join(a, 'index.js'))).mode & 0o777, (await stat(path.join(b, 'index.js'))).mode & 0o777);

    const out = await freshDir('repro-out');
    const epoch = 1_700_000_000;
    const tgzA = path.join(out, 'a.tgz');
    const tgzB = path.join(out, 'b.tgz');
    await writeTarball(a, (await selectFiles(a)).files, tgzA, { mtime: epoch });
    await writeTarball(b, (await selectFiles(b)).files, tgzB, { mtime: epoch });
    const bytesA = await readFile(tgzA);
    const bytesB = await readFile(tgzB);
    assert.equal(digest('sha512', bytesA), digest('sha512', bytesB));
    assert.ok(bytesA.equals(bytesB));

    // A different sourceDateEpoch is a different tarball.
    const tgzC = path.join(out, 'c.tgz');
    await writeTarball(a, (await selectFiles(a)).files, tgzC, { mtime: epoch + 1 });
    assert.notEqual(digest('sha512', await readFile(tgzC)), digest('sha512', bytesA));
  });

  test('headers: package/ prefix, byte order, 0644/0755, uid/gid 0, no names, fixed mtime, no atime/ctime; gzip header fixed', async () => {
    const dir = await makePackage('headers', tree);
    await chmod(path.join(dir, 'run.sh'), 0o750);
    const tgz = path.join(await freshDir('headers-out'), 'h.tgz');
    const epoch = 1_234_567_890;
    await writeTarball(dir, (await selectFiles(dir)).files, tgz, { mtime: epoch });
    const gz = await readFile(tgz);
    assert.deepEqual([...gz.subarray(0, 4)], [0x1f, 0x8b, 8, 0], 'gzip magic, deflate, no flags (no name, no comment)');
    assert.equal(gz.readUInt32LE(4), 0, 'gzip mtime is 0');
    assert.equal(gz[8], 2, 'XFL 2: maximum compression (level 9)');
    assert.equal(gz[9], 3, 'OS byte 3 (Unix)');

    const headers = rawHeaders(gunzipSync(gz));
    const pax = headers.filter((h) => h.type === 'x' || h.type === 'g');
    assert.equal(pax.length, 2, 'pax records for the 120-character and the non-ASCII name only');
    for (const h of pax) {
      const keys = h.body
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ')[1]?.split('=')[0]);
      // node-tar's pax record for a long or non-ASCII name: path, size and the fixed mtime only.
      assert.ok(
        keys.every((k) => k === 'path' || k === 'size' || k === 'mtime'),
        `pax keys ${keys.join(',')}`,
      );
      assert.ok(h.body.toString('utf8').includes(` mtime=${epoch}\n`));
      assert.equal(h.mtime, epoch);
    }
    const files = headers.filter((h) => h.type === '0');
    assert.equal(files.length + pax.length, headers.length, 'only regular files (and pax records for long names), no directories');
    const expected = Object.keys(tree).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const named = headers
      .map((h, i) => {
        const prev = headers[i - 1];
        if (prev?.type !== 'x') return h.path;
        const line = prev.body
          .toString('utf8')
          .split('\n')
          .find((l) => l.includes(' path='));
        return line === undefined ? h.path : line.slice(line.indexOf('=') + 1);
      })
      .filter((_, i) => headers[i]?.type === '0');
    assert.deepEqual(
      named,
      expected.map((p) => `package/${p}`),
    );
    for (const h of files) {
      const rel = h.path.replace(/^package\//, '');
      const executable = rel === 'cli.js' || rel === 'run.sh';
      assert.equal(h.mode, executable ? 0o755 : 0o644, `${rel} mode`);
      assert.equal(h.uid, 0);
      assert.equal(h.gid, 0);
      assert.equal(h.uname, '');
      assert.equal(h.gname, '');
      assert.equal(h.mtime, epoch);
      assert.equal(h.magic, 'ustar');
    }
  });

  test('hard-linked files are written as two regular files, never as a link entry', async () => {
    const dir = await makePackage('hardlink', { 'package.json': '{"name":"hl","version":"1.0.0"}', 'a.js': 'same\n' });
    await link(path.join(dir, 'a.js'), path.join(dir, 'b.js'));
    const tgz = path.join(await freshDir('hardlink-out'), 'hl.tgz');
    await writeTarball(dir, (await selectFiles(dir)).files, tgz, { mtime: 1 });
    const headers = rawHeaders(gunzipSync(await readFile(tgz)));
    assert.deepEqual(
      headers.map((h) => [h.path, h.type, h.size]),
      [
        ['package/a.js', '0', 5],
        ['package/b.js', '0', 5],
        ['package/package.json', '0', 31],
      ],
    );
  });

  test("sourceDateEpoch: explicit, SOURCE_DATE_EPOCH, git commit time, npm's 1985 date", async () => {
    const outside = await freshDir('no-git');
    assert.equal(await resolveSourceDateEpoch(outside, 42, {}), 42);
    assert.equal(await resolveSourceDateEpoch(outside, undefined, { SOURCE_DATE_EPOCH: '1600000000' }), 1_600_000_000);
    assert.equal(await resolveSourceDateEpoch(outside, undefined, {}), NPM_FIXED_DATE_EPOCH);
    assert.equal(new Date(NPM_FIXED_DATE_EPOCH * 1000).toISOString(), '1985-10-26T08:15:00.000Z');
    const { stdout } = await execFileAsync('git', ['log', '-1', '--format=%ct'], { cwd: repoRoot });
    assert.equal(await resolveSourceDateEpoch(repoRoot, undefined, {}), Number(stdout.trim()));
    await assert.rejects(resolveSourceDateEpoch(outside, undefined, { SOURCE_DATE_EPOCH: 'yesterday' }), /NS_PACK_SOURCE_DATE_EPOCH/);
    await assert.rejects(resolveSourceDateEpoch(outside, -1, {}), /NS_PACK_SOURCE_DATE_EPOCH/);
  });
});

describe('our tarball installs with npm', () => {
  test('npm install --offline <tarball> puts the same package.json and .node in node_modules', async () => {
    const pkgDir = await platformFiles('install');
    const selection = await selectFiles(pkgDir);
    const out = await freshDir('install-out');
    const tgz = path.join(out, tarballName(selection.name, selection.version));
    await writeTarball(pkgDir, selection.files, tgz, { mtime: NPM_FIXED_DATE_EPOCH });

    const project = await makePackage('scratch-project', {
      'package.json': JSON.stringify({ name: 'scratch', version: '1.0.0', private: true }),
    });
    await execFileAsync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tgz], {
      cwd: project,
      env: npmEnv(),
    });
    const installed = path.join(project, 'node_modules', ...selection.name.split('/'));
    for (const rel of ['package.json', 'napi-ship-core.linux-x64-gnu.node', 'README.md']) {
      assert.ok((await readFile(path.join(installed, rel))).equals(await readFile(path.join(pkgDir, rel))), `${rel} is byte-equal`);
    }
  });
});

describe('refusals', () => {
  test('a symlink the rules would pack is NS_PACK_SYMLINK; one they exclude is not', async () => {
    const dir = await makePackage('symlink', {
      'package.json': '{"name":"sl","version":"1.0.0"}',
      'real.js': '1',
      'ignored/x': '2',
      '.npmignore': 'ignored\n',
    });
    await symlink('real.js', path.join(dir, 'link.js'));
    await symlink('../real.js', path.join(dir, 'ignored', 'link.js'));
    const selection = await selectFiles(dir);
    const links = selection.diagnostics.filter((d) => d.code === 'NS_PACK_SYMLINK');
    const [link] = links;
    assert.ok(link && links.length === 1);
    assert.equal(link.severity, 'error');
    assert.equal(link.subject, path.join(dir, 'link.js'));
    assert.ok(!selection.files.some((f) => f.path.includes('link')));

    const out = path.join(await freshDir('symlink-out'), 'release');
    await assert.rejects(
      packRelease({ packages: [{ dir, kind: 'root', target: null }], outDir: out, sourceDateEpoch: 1 }),
      (error: unknown) => {
        assert.ok(error instanceof PackError);
        assert.ok(error.diagnostics.some((d) => d.code === 'NS_PACK_SYMLINK'));
        return true;
      },
    );
    await assert.rejects(stat(out), 'nothing was written');
  });

  test('a symlinked directory or `files` entry is NS_PACK_SYMLINK', async () => {
    const target = await makePackage('elsewhere', { 'secret.txt': 'secret\n' });
    const dir = await makePackage('symlink-dir', {
      'package.json': JSON.stringify({ name: 'sd', version: '1.0.0', files: ['vendor', 'index.js'] }),
      'index.js': '1',
    });
    await symlink(target, path.join(dir, 'vendor'));
    const codes = (await selectFiles(dir)).diagnostics.map((d) => d.code);
    assert.ok(codes.includes('NS_PACK_SYMLINK'), codes.join());

    const noFiles = await makePackage('symlink-dir2', { 'package.json': '{"name":"sd2","version":"1.0.0"}', 'index.js': '1' });
    await symlink(target, path.join(noFiles, 'vendor'));
    assert.ok(
      (await selectFiles(noFiles)).diagnostics.some((d) => d.code === 'NS_PACK_SYMLINK' && d.subject === path.join(noFiles, 'vendor')),
    );
  });

  test('`files`, `main` or `bin` outside the package is NS_PACK_PATH_ESCAPE', async () => {
    const parent = await freshDir('escape');
    await writeFile(path.join(parent, 'outside.js'), 'x');
    const dir = path.join(parent, 'pkg');
    await writeTree(dir, {
      'package.json': JSON.stringify({
        name: 'esc',
        version: '1.0.0',
        files: ['../outside.js', 'lib/../../outside.js', 'index.js'],
        main: '../outside.js',
        bin: { esc: '../outside.js' },
      }),
      'index.js': '1',
    });
    const selection = await selectFiles(dir);
    const escapes = selection.diagnostics.filter((d) => d.code === 'NS_PACK_PATH_ESCAPE');
    assert.equal(escapes.length, 4, escapes.map((d) => d.message).join('\n'));
    assert.ok(escapes.every((d) => d.severity === 'error'));
    assert.ok(!selection.files.some((f) => f.path.includes('outside')));
    await assert.rejects(
      packRelease({ packages: [{ dir, kind: 'root', target: null }], outDir: path.join(parent, 'out') }),
      /NS_PACK_PATH_ESCAPE/,
    );
  });

  test('an output dir whose files the package would pack is NS_PACK_OUT_INSIDE', async () => {
    const dir = await makePackage('out-inside', {
      'package.json': '{"name":"oi","version":"1.0.0"}',
      'index.js': '1',
      'dist/release/oi-0.9.0.tgz': 'old',
    });
    await assert.rejects(
      packRelease({ packages: [{ dir, kind: 'root', target: null }], outDir: path.join(dir, 'dist', 'release') }),
      /NS_PACK_OUT_INSIDE/,
    );
    // Excluded from the package, the same dir is fine.
    await writeFile(path.join(dir, '.npmignore'), 'dist/\n');
    const result = await packRelease({
      packages: [{ dir, kind: 'root', target: null }],
      outDir: path.join(dir, 'dist', 'release'),
      sourceDateEpoch: 1,
    });
    assert.deepEqual(
      result.packages.map((p) => p.tarball),
      ['oi-1.0.0.tgz'],
    );
  });

  test('a platform package without its binary is NS_PACK_NO_BINARY', async () => {
    const root = await makePackage('nobin-root', { 'package.json': '{"name":"nb","version":"1.0.0"}', 'index.js': '1' });
    const platform = await freshDir('nobin-platform');
    await copyFile(path.join(repoRoot, 'npm', 'linux-x64-gnu', 'package.json'), path.join(platform, 'package.json'));
    await assert.rejects(
      packRelease({
        packages: [
          { dir: root, kind: 'root', target: null },
          { dir: platform, kind: 'platform', target: 'linux-x64-gnu' },
        ],
        outDir: path.join(root, '..', 'nobin-out'),
      }),
      (error: unknown) => error instanceof PackError && error.diagnostics.some((d) => d.code === 'NS_PACK_NO_BINARY'),
    );
  });
});

describe('packRelease', () => {
  test('SHA256SUMS passes sha256sum -c; the manifest matches node:crypto over every tarball', async () => {
    const root = await makePackage('release-root', {
      'package.json': JSON.stringify({ name: '@napi-ship/core', version: '0.1.0', files: ['index.js'], main: 'index.js' }),
      'index.js': 'module.exports = {};\n',
      'README.md': '# core\n',
    });
    const platform = await platformFiles('release-platform');
    const outDir = path.join(await freshDir('release-out'), 'dist', 'release');
    const result = await packRelease({
      packages: [
        { dir: root, kind: 'root', target: null },
        { dir: platform, kind: 'platform', target: 'linux-x64-gnu' },
      ],
      outDir,
      sourceDateEpoch: 1_700_000_000,
    });
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual((await readdir(outDir)).sort(), [
      'SHA256SUMS',
      'napi-ship-core-0.1.0.tgz',
      'napi-ship-core-linux-x64-gnu-0.1.0.tgz',
      'release-manifest.json',
    ]);

    const check = await execFileAsync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: outDir });
    assert.equal(check.stdout, 'napi-ship-core-0.1.0.tgz: OK\nnapi-ship-core-linux-x64-gnu-0.1.0.tgz: OK\n');

    const text = await readFile(result.manifestPath, 'utf8');
    const manifest = JSON.parse(text) as ReleaseManifest;
    assert.equal(text, serializeManifest(manifest), 'written by serializeManifest');
    assert.deepEqual(manifest, JSON.parse(serializeManifest(result.manifest)));
    assert.equal(manifest.schema, 'napi-ship.release-manifest/1');
    assert.equal(manifest.name, '@napi-ship/core');
    assert.equal(manifest.version, '0.1.0');
    assert.equal(manifest.source.sourceDateEpoch, 1_700_000_000);
    assert.equal(manifest.source.commit, null, 'the scratch dir is outside git');
    assert.equal(manifest.tools.node, process.version);
    assert.match(manifest.tools.core, /^\d+\.\d+\.\d+/);
    const ownVersion = (JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(manifest.tools.napiShip, ownVersion);
    assert.deepEqual(manifest.files, []);

    assert.deepEqual(
      manifest.packages.map((p) => [p.name, p.kind, p.target]),
      [
        ['@napi-ship/core', 'root', null],
        ['@napi-ship/core-linux-x64-gnu', 'platform', 'linux-x64-gnu'],
      ],
    );
    for (const p of manifest.packages) {
      const bytes = await readFile(path.join(outDir, p.tarball));
      assert.equal(p.size, bytes.length);
      assert.equal(p.sha1, digest('sha1', bytes));
      assert.equal(p.sha256, digest('sha256', bytes));
      assert.equal(p.integrity, `sha512-${digest('sha512', bytes, 'base64')}`);
    }
    const binary = await readFile(hostCoreBinary);
    assert.equal(manifest.binaries.length, 1);
    const b = manifest.binaries[0]!;
    assert.deepEqual(
      [b.target, b.triple, b.package, b.file],
      ['linux-x64-gnu', 'x86_64-unknown-linux-gnu', '@napi-ship/core-linux-x64-gnu', 'napi-ship-core.linux-x64-gnu.node'],
    );
    assert.equal(b.size, binary.length);
    assert.equal(b.sha256, digest('sha256', binary));
    assert.equal(b.integrity, `sha512-${digest('sha512', binary, 'base64')}`);
    assert.equal(b.facts.format, 'elf');
    assert.equal(b.facts.libc, 'glibc');
    assert.equal(b.facts.napiExport, true);

    // Packing again gives the same bytes, the same manifest.
    const again = await packRelease({
      packages: [
        { dir: root, kind: 'root', target: null },
        { dir: platform, kind: 'platform', target: 'linux-x64-gnu' },
      ],
      outDir: path.join(outDir, '..', 'again'),
      sourceDateEpoch: 1_700_000_000,
    });
    assert.equal(serializeManifest(again.manifest), text);
  });
});

describe('gzip in the Rust core (libdeflate)', () => {
  test('a binary of several MiB round-trips through gunzip, same bytes every time, smaller than zlib-9', async () => {
    const binary = await readFile(hostCoreBinary);
    // Larger than SMALL_TAR, so the core's output is the one kept.
    const tar = Buffer.concat([binary, Buffer.from('napi-ship'), binary, binary]);
    assert.ok(tar.length > SMALL_TAR);
    const a = await compressTar(tar);
    const b = await compressTar(tar);
    assert.ok(a.equals(b), 'byte-reproducible');
    assert.ok(gunzipSync(a).equals(tar), 'one gzip member any gunzip reads');
    assert.deepEqual([...a.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3], 'fixed header: mtime 0, OS Unix');
    const zlib9 = gzipSync(tar, { level: 9 });
    assert.ok(a.length <= zlib9.length, `${String(a.length)} B vs zlib-9's ${String(zlib9.length)} B`);
  });

  test('a small tar stream is never larger than zlib-9 makes it', async () => {
    const text = Buffer.from(await readFile(path.join(repoRoot, 'src', 'pack', 'index.ts')));
    const gz = await compressTar(text);
    assert.ok(gunzipSync(gz).equals(text));
    assert.ok(gz.length <= gzipSync(text, { level: 9 }).length);
    assert.equal(gz[9], 3, 'OS byte Unix whichever compressor won');
  });
});

describe('tarball cache (keyed by the digest of the exact inputs)', () => {
  async function release(label: string): Promise<{ root: string; platform: string }> {
    const root = await makePackage(`${label}-root`, {
      'package.json': JSON.stringify({ name: '@napi-ship/core', version: '0.1.0', files: ['index.js'], main: 'index.js' }),
      'index.js': 'module.exports = {};\n',
    });
    return { root, platform: await platformFiles(`${label}-platform`) };
  }
  const packages = (r: { root: string; platform: string }): { dir: string; kind: 'root' | 'platform'; target: string | null }[] => [
    { dir: r.root, kind: 'root', target: null },
    { dir: r.platform, kind: 'platform', target: 'linux-x64-gnu' },
  ];

  test('an unchanged package is re-used byte-identically; a changed byte, mode or mtime packs anew', async () => {
    const cache = await freshDir('cache');
    const r = await release('cached');
    const first = await packRelease({ packages: packages(r), outDir: await freshDir('c1'), sourceDateEpoch: 1, cache });
    assert.deepEqual(first.reused, []);
    const second = await packRelease({ packages: packages(r), outDir: await freshDir('c2'), sourceDateEpoch: 1, cache });
    assert.deepEqual([...second.reused].sort(), first.packages.map((p) => p.tarball).sort());
    assert.equal(serializeManifest(second.manifest), serializeManifest(first.manifest), 'same bytes, same manifest');
    const fresh = await packRelease({ packages: packages(r), outDir: await freshDir('c3'), sourceDateEpoch: 1, cache: false });
    assert.deepEqual(fresh.reused, []);
    assert.deepEqual(
      fresh.packages.map((p) => p.sha256),
      first.packages.map((p) => p.sha256),
      'what the cache gives is what packing writes',
    );

    await writeFile(path.join(r.root, 'index.js'), 'module.exports = { changed: 1 };\n');
    const changed = await packRelease({ packages: packages(r), outDir: await freshDir('c4'), sourceDateEpoch: 1, cache });
    assert.deepEqual(changed.reused, ['napi-ship-core-linux-x64-gnu-0.1.0.tgz'], 'only the untouched platform package');
    const otherEpoch = await packRelease({ packages: packages(r), outDir: await freshDir('c5'), sourceDateEpoch: 2, cache });
    assert.deepEqual(otherEpoch.reused, []);
  });

  test('a damaged cache entry is dropped and the tarball packed again', async () => {
    const cache = await freshDir('cache-damaged');
    const r = await release('damaged');
    const first = await packRelease({ packages: packages(r), outDir: await freshDir('d1'), sourceDateEpoch: 1, cache });
    // Flip a byte in every cached tarball, keeping its size.
    const entries: string[] = [];
    for (const sub of await readdir(path.join(cache, 'tarballs')))
      for (const f of await readdir(path.join(cache, 'tarballs', sub)))
        if (f.endsWith('.tgz')) entries.push(path.join(cache, 'tarballs', sub, f));
    assert.equal(entries.length, 2);
    for (const e of entries) {
      const bytes = await readFile(e);
      bytes[bytes.length - 9] = (bytes[bytes.length - 9] ?? 0) ^ 0xff;
      await rm(e);
      await writeFile(e, bytes);
    }
    const again = await packRelease({ packages: packages(r), outDir: await freshDir('d2'), sourceDateEpoch: 1, cache });
    assert.deepEqual(again.reused, []);
    assert.deepEqual(
      again.packages.map((p) => p.sha256),
      first.packages.map((p) => p.sha256),
    );
  });

  test('a tarball check is recorded per entry, for those bytes only: re-used with it, dropped with a damaged entry', async () => {
    const cache = await freshDir('cache-checked');
    const r = await release('checked');
    const first = await packRelease({ packages: packages(r), outDir: await freshDir('k1'), sourceDateEpoch: 1, cache });
    assert.ok(first.cache);
    assert.equal(first.cache.dir, cache);
    assert.deepEqual(
      first.cache.tarballs.map((t) => t.checked),
      [null, null],
      'nothing is checked by packing alone',
    );
    const second = await packRelease({ packages: packages(r), outDir: await freshDir('k2'), sourceDateEpoch: 1, cache });
    assert.ok(second.cache);
    assert.deepEqual(
      second.cache.tarballs.map((t) => t.checked),
      [null, null],
    );
    await markTarballsChecked(second.cache, second.packages);
    const third = await packRelease({ packages: packages(r), outDir: await freshDir('k3'), sourceDateEpoch: 1, cache });
    assert.ok(third.cache);
    assert.deepEqual(
      third.cache.tarballs.map((t) => t.checked).sort(),
      third.packages.map((p) => tarballCheckId(p.name, p.version)).sort(),
    );
    assert.deepEqual(third.cache.tarballs.map((t) => t.sha256).sort(), third.packages.map((p) => p.sha256).sort());
    // A record for other bytes is not written; a damaged entry is packed again and loses its record.
    const [one] = third.cache.tarballs;
    assert.ok(one);
    const store = new TarballCache(cache);
    await store.markChecked(one.key, 'f'.repeat(64), 'forged');
    const fourth = await packRelease({ packages: packages(r), outDir: await freshDir('k4'), sourceDateEpoch: 1, cache });
    assert.notEqual(fourth.cache?.tarballs.find((t) => t.key === one.key)?.checked, 'forged');
    const tgz = path.join(cache, 'tarballs', one.key.slice(0, 2), `${one.key}.tgz`);
    const bytes = await readFile(tgz);
    bytes[bytes.length - 9] = (bytes[bytes.length - 9] ?? 0) ^ 0xff;
    await rm(tgz);
    await writeFile(tgz, bytes);
    const fifth = await packRelease({ packages: packages(r), outDir: await freshDir('k5'), sourceDateEpoch: 1, cache });
    assert.equal(fifth.cache?.tarballs.find((t) => t.key === one.key)?.checked, null);
    assert.deepEqual(
      fifth.packages.map((p) => p.sha256),
      first.packages.map((p) => p.sha256),
    );
  });

  test('the key covers path, mode, size, contents, mtime and the packer', () => {
    const f = { path: 'a.node', mode: 0o644 as const, size: 3, sha256: 'ab' };
    const k = tarballKey([f], 1, 'p');
    assert.match(k, /^[0-9a-f]{64}$/);
    assert.equal(tarballKey([f], 1, 'p'), k);
    for (const other of [
      tarballKey([{ ...f, path: 'b.node' }], 1, 'p'),
      tarballKey([{ ...f, mode: 0o755 }], 1, 'p'),
      tarballKey([{ ...f, size: 4 }], 1, 'p'),
      tarballKey([{ ...f, sha256: 'cd' }], 1, 'p'),
      tarballKey([f], 2, 'p'),
      tarballKey([f], 1, 'q'),
    ])
      assert.notEqual(other, k);
  });
});

describe('napi-ship pack (CLI)', () => {
  async function napiProject(label: string): Promise<string> {
    const dir = await makePackage(label, {
      'package.json': JSON.stringify(
        {
          name: 'demo-addon',
          version: '2.0.0',
          main: 'index.js',
          files: ['index.js'],
          napi: { binaryName: 'demo', targets: ['x86_64-unknown-linux-gnu'] },
        },
        null,
        2,
      ),
      'index.js': 'module.exports = require("demo-addon-linux-x64-gnu");\n',
      'npm/linux-x64-gnu/package.json': JSON.stringify(
        {
          name: 'demo-addon-linux-x64-gnu',
          version: '2.0.0',
          os: ['linux'],
          cpu: ['x64'],
          libc: ['glibc'],
          main: 'demo.linux-x64-gnu.node',
          files: ['demo.linux-x64-gnu.node'],
        },
        null,
        2,
      ),
    });
    await copyFile(hostCoreBinary, path.join(dir, 'npm', 'linux-x64-gnu', 'demo.linux-x64-gnu.node'));
    return dir;
  }
  const env = { SOURCE_DATE_EPOCH: '1700000000' };

  interface PackJson {
    ok: boolean;
    manifestPath?: string;
    manifest?: ReleaseManifest;
    diagnostics: { code: string; severity: string }[];
  }

  test('packs the root and its platform packages (exit 0, --json)', async () => {
    const dir = await napiProject('cli-ok');
    const out = path.join(dir, '..', 'cli-ok-out');
    const r = await runCli(['pack', '--cwd', dir, '--out', out, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as PackJson;
    assert.equal(json.ok, true);
    assert.equal(json.manifestPath, path.join(out, 'release-manifest.json'));
    const manifest = json.manifest;
    assert.ok(manifest);
    assert.deepEqual(
      manifest.packages.map((p) => p.tarball),
      ['demo-addon-2.0.0.tgz', 'demo-addon-linux-x64-gnu-2.0.0.tgz'],
    );
    assert.equal(manifest.source.sourceDateEpoch, 1_700_000_000);
    assert.equal(manifest.binaries[0]?.triple, 'x86_64-unknown-linux-gnu');

    const text = await runCli(['pack', '--cwd', dir, '--out', out], { env });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /demo-addon-linux-x64-gnu-2\.0\.0\.tgz\s+\d+\s+sha512-/);
    assert.match(text.stdout, new RegExp(`manifest: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/release-manifest.json`));
  });

  test('a missing platform package or a symlink is exit 1 with the diagnostic', async () => {
    const dir = await napiProject('cli-missing');
    await rm(path.join(dir, 'npm'), { recursive: true });
    const missing = await runCli(['pack', '--cwd', dir, '--out', path.join(dir, '..', 'cli-missing-out'), '--json'], { env });
    assert.equal(missing.code, 1, missing.stderr);
    const json = JSON.parse(missing.stdout) as PackJson;
    assert.equal(json.ok, false);
    assert.deepEqual(
      json.diagnostics.map((d) => d.code),
      ['NS_PACK_MISSING_PACKAGE'],
    );

    const linked = await napiProject('cli-symlink');
    await symlink('demo.linux-x64-gnu.node', path.join(linked, 'npm', 'linux-x64-gnu', 'extra.node'));
    const pkg = path.join(linked, 'npm', 'linux-x64-gnu', 'package.json');
    const manifest = JSON.parse(await readFile(pkg, 'utf8')) as Record<string, unknown>;
    await writeFile(pkg, JSON.stringify({ ...manifest, files: ['*.node'] }));
    const out = path.join(linked, '..', 'cli-symlink-out');
    const r = await runCli(['pack', '--cwd', linked, '--out', out], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error\[NS_PACK_SYMLINK\]/);
    await assert.rejects(stat(out), 'nothing was written');
  });

  // Exit status from the code's class (docs/cli.md), no longer 3 for every thrown error:
  // NS_ROOT_PACKAGE_MISSING (--cwd names a dir without package.json) and NS_PACK_SOURCE_DATE_EPOCH
  // (a bad value where --mtime could be given) are both usage (2).
  test('no root package or a bad SOURCE_DATE_EPOCH is exit 2; a stray argument exit 2', async () => {
    const empty = await freshDir('cli-empty');
    assert.equal((await runCli(['pack', '--cwd', empty, '--json'], { env })).code, 2);
    const dir = await napiProject('cli-epoch');
    const bad = await runCli(['pack', '--cwd', dir, '--out', path.join(dir, 'o')], { env: { SOURCE_DATE_EPOCH: 'soon' } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /NS_PACK_SOURCE_DATE_EPOCH/);
    assert.equal((await runCli(['pack', 'extra', '--cwd', dir], { env })).code, 2);
  });
});
