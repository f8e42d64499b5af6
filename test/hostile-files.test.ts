/**
 * Hostile files, each case of issue 14 reproduced through the real CLI (a child process that is
 * killed after a generous bound, so a hang fails the test rather than the run): symlinks out of an
 * artifacts dir, keygen over a FIFO or a link, FIFOs named like every file we read, a device as a
 * public key, a journal that is a link or a directory, a 300k-entry manifest, a missing out dir,
 * bad names and versions in pack, non-UTF-8 and newline names, a gzip bomb as the root tarball,
 * and tarballs with entries that leave `package/`. Every case ends in one line with a typed code.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { generateKeyPair, keyId, serializeSignature, verifyRelease } from '../src/sign/index.js';
import { createPrivateKey, sign } from 'node:crypto';
import { checkTarball, tarballCheckId } from '../src/util/tarball.js';
import { readRegularFile, writeAtomic } from '../src/util/fs.js';
import { DiagnosticError } from '../src/diagnostics/index.js';
import { PackError, packRelease } from '../src/pack/index.js';
import { repoRoot } from './helpers/cli.js';
import { tarball, type TarEntry } from '../scripts/lib/tar.js';
import { buildFixtureRelease, type FixtureRelease } from '../scripts/lib/publish-release.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';

const CLI = path.join(repoRoot, 'bin', 'napi-ship.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly killed: boolean;
}

/** Run the CLI; a run still going after `boundMs` is killed and reported as `killed` (a hang). */
function cli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; boundMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', NPM_TOKEN: '', NODE_AUTH_TOKEN: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, options.boundMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

/** Ended by itself, with one of `codes` in its output, and no stack trace. */
function assertTyped(r: Run, codes: readonly string[], exit?: number): void {
  assert.equal(r.killed, false, `hung: ${r.stderr}`);
  const out = r.stdout + r.stderr;
  assert.ok(
    codes.some((c) => out.includes(c)),
    `expected one of ${codes.join(', ')} in:\n${out}`,
  );
  assert.doesNotMatch(out, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace reached the user:\n${out}`);
  assert.doesNotMatch(out, /RangeError|TypeError|EISDIR:|ENOENT:/);
  if (exit !== undefined) assert.equal(r.code, exit, out);
  else assert.notEqual(r.code, 0, out);
}

function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

let scratch: string;
let release: FixtureRelease;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-hostile-files-'));
  release = await buildFixtureRelease({ scratch, name: 'hostile-files-addon', version: '1.0.0', targets: 2 });
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A fresh copy of the signed fixture release dir. */
async function copyRelease(label: string): Promise<string> {
  const dir = path.join(scratch, `copy-${label}`);
  await cp(release.releaseDir, dir, { recursive: true });
  return dir;
}

/** Rewrite a release dir's manifest with `edit`, fix SHA256SUMS and sign it with a new key (returned). */
async function resign(dir: string, edit: (m: Record<string, unknown>) => void): Promise<string> {
  const manifestPath = path.join(dir, 'release-manifest.json');
  const m = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  edit(m);
  const text = JSON.stringify(m, null, 2) + '\n';
  await writeFile(manifestPath, text);
  const pkgs = m.packages as { tarball: string; sha256: string }[];
  await writeFile(
    path.join(dir, 'SHA256SUMS'),
    pkgs
      .filter((p) => typeof p.sha256 === 'string')
      .map((p) => `${p.sha256}  ${p.tarball}\n`)
      .join(''),
  );
  const pair = generateKeyPair();
  // Signed by hand (signManifest itself refuses a manifest it cannot parse, such as a huge one).
  const key = createPrivateKey(pair.privateKeyPem);
  const signature = sign(null, Buffer.from(text), key).toString('base64');
  await writeFile(path.join(dir, 'release-manifest.json.sig'), serializeSignature({ algorithm: 'ed25519', keyId: keyId(key), signature }));
  await writeFile(path.join(dir, 'release-manifest.pub'), pair.publicKeyPem);
  const pub = path.join(scratch, `${path.basename(dir)}.pub`);
  await writeFile(pub, pair.publicKeyPem);
  return pub;
}

/** Replace one tarball of a release by `bytes` and re-sign the manifest so the signature and digests hold. */
async function swapTarball(dir: string, kind: 'root' | 'platform', bytes: Buffer): Promise<string> {
  let file = '';
  const pub = await resign(dir, (m) => {
    const pkgs = m.packages as Record<string, unknown>[];
    const p = pkgs.find((x) => x.kind === kind);
    assert.ok(p);
    p.size = bytes.length;
    p.sha256 = createHash('sha256').update(bytes).digest('hex');
    p.sha1 = createHash('sha1').update(bytes).digest('hex');
    p.integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    file = String(p.tarball);
  });
  await writeFile(path.join(dir, file), bytes);
  return pub;
}

const PKG = (name: string, version: string): string => JSON.stringify({ name, version });

describe('the file layer', () => {
  test('readRegularFile refuses a symlink, a FIFO and a device, and caps the size, each with its code and without blocking', async () => {
    const dir = path.join(scratch, 'layer');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'ok'), 'hello');
    await symlink('/etc/passwd', path.join(dir, 'link'));
    mkfifo(path.join(dir, 'fifo'));
    const code = async (file: string, maxBytes = 1024, within?: string): Promise<string> => {
      try {
        await readRegularFile(file, { maxBytes, ...(within === undefined ? {} : { within }) });
        return 'read';
      } catch (error) {
        assert.ok(error instanceof DiagnosticError);
        return error.diagnostics[0]?.code ?? '?';
      }
    };
    assert.equal((await readRegularFile(path.join(dir, 'ok'), { maxBytes: 5, within: dir })).toString(), 'hello');
    assert.equal(await code(path.join(dir, 'ok'), 4), 'NS_FS_TOO_LARGE');
    assert.equal(await code(path.join(dir, 'link')), 'NS_FS_SYMLINK');
    assert.equal(await code(path.join(dir, 'fifo')), 'NS_FS_NOT_REGULAR');
    assert.equal(await code('/dev/zero'), 'NS_FS_NOT_REGULAR');
    assert.equal(await code(path.join(dir, 'missing')), 'NS_FS_NOT_FOUND');
    assert.equal(await code(path.join(scratch, 'layer', 'ok'), 1024, path.join(scratch, 'elsewhere-dir')), 'NS_FS_NOT_FOUND');
  });

  test('writeAtomic replaces a regular file but refuses a symlink, a FIFO and a directory, leaving each as it was', async () => {
    const dir = path.join(scratch, 'writer');
    await mkdir(path.join(dir, 'sub'), { recursive: true });
    const victim = path.join(dir, 'victim');
    await writeFile(victim, 'precious');
    await symlink(victim, path.join(dir, 'link'));
    mkfifo(path.join(dir, 'fifo'));
    await writeAtomic(path.join(dir, 'plain'), 'one');
    await writeAtomic(path.join(dir, 'plain'), 'two');
    assert.equal(await readFile(path.join(dir, 'plain'), 'utf8'), 'two');
    for (const name of ['link', 'fifo', 'sub']) {
      await assert.rejects(
        writeAtomic(path.join(dir, name), 'x'),
        (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0]?.code === 'NS_FS_REPLACE_REFUSED',
      );
    }
    assert.equal(await readFile(victim, 'utf8'), 'precious');
    assert.equal(await readlink(path.join(dir, 'link')), victim);
    assert.ok((await lstat(path.join(dir, 'fifo'))).isFIFO());
  });
});

describe('hostile files through the CLI', () => {
  test('stage --artifacts: a symlink to /etc/passwd named like a binary, and one to a real .node elsewhere, are refused and not staged', async () => {
    const base = path.join(scratch, 'stage-links');
    const rootDir = path.join(base, 'root');
    await writeRootPackage(rootDir, {
      name: 'stage-links-addon',
      binaryName: 'addon',
      version: '1.0.0',
      targets: ['x86_64-unknown-linux-gnu', 'x86_64-apple-darwin'],
    });
    const artifacts = path.join(base, 'artifacts');
    await mkdir(path.join(artifacts, 'bindings-x86_64-unknown-linux-gnu'), { recursive: true });
    await mkdir(path.join(artifacts, 'bindings-x86_64-apple-darwin'), { recursive: true });
    await symlink('/etc/passwd', path.join(artifacts, 'bindings-x86_64-unknown-linux-gnu', 'addon.linux-x64-gnu.node'));
    const elsewhere = path.join(base, 'outside.node');
    await cp(path.join(repoRoot, 'crates', 'napi-ship-node', 'napi-ship-core.linux-x64-gnu.node'), elsewhere);
    await symlink(elsewhere, path.join(artifacts, 'bindings-x86_64-apple-darwin', 'addon.darwin-x64.node'));
    const r = await cli(['stage', '--cwd', rootDir, '--artifacts', artifacts]);
    assertTyped(r, ['NS_STAGE_NOT_A_FILE'], 1);
    const staged = path.join(rootDir, 'npm', 'linux-x64-gnu', 'addon.linux-x64-gnu.node');
    await assert.rejects(stat(staged), 'nothing was staged from the link');
  });

  test('keygen --out onto a FIFO or a symlink with --force refuses and leaves them; into a missing dir is one typed line', async () => {
    const dir = path.join(scratch, 'keygen');
    await mkdir(dir, { recursive: true });
    const fifo = path.join(dir, 'null-like');
    mkfifo(fifo);
    const r1 = await cli(['keygen', '--out', fifo, '--force']);
    assertTyped(r1, ['NS_FS_REPLACE_REFUSED']);
    assert.ok((await lstat(fifo)).isFIFO(), 'the FIFO is still there');
    const target = path.join(dir, 'precious');
    await writeFile(target, 'precious');
    await symlink(target, path.join(dir, 'link'));
    const r2 = await cli(['keygen', '--out', path.join(dir, 'link'), '--force']);
    assertTyped(r2, ['NS_FS_REPLACE_REFUSED']);
    assert.equal(await readFile(target, 'utf8'), 'precious');
    assert.ok((await lstat(path.join(dir, 'link'))).isSymbolicLink());
    const r3 = await cli(['keygen', '--out', path.join(dir, 'no', 'such', 'dir', 'key')]);
    assertTyped(r3, ['NS_FS_NOT_FOUND']);
    const r4 = await cli(['keygen', '--out', path.join(dir, 'fine')]);
    assert.equal(r4.code, 0, r4.stderr);
    assert.equal((await stat(path.join(dir, 'fine'))).mode & 0o777, 0o600);
  });

  test('a FIFO named like a binary, key, manifest, SHA256SUMS or tarball: hash, inspect, sign, verify-manifest and publish end with a typed error', async () => {
    const dir = path.join(scratch, 'fifos');
    await mkdir(dir, { recursive: true });
    const fifo = path.join(dir, 'addon.linux-x64-gnu.node');
    mkfifo(fifo);
    assertTyped(await cli(['hash', fifo]), ['NS_FS_NOT_REGULAR'], 1);
    assertTyped(await cli(['inspect', fifo]), ['NS_INSPECT_E_NOT_A_FILE'], 1);
    const keyFifo = path.join(dir, 'key.pem');
    mkfifo(keyFifo);
    assertTyped(await cli(['sign', '--dir', dir, '--key', keyFifo]), ['NS_SIGN_KEY_MISSING', 'NS_FS_NOT_REGULAR']);
    assertTyped(await cli(['verify-manifest', '--dir', dir, '--public-key', keyFifo]), ['NS_FS_NOT_REGULAR']);

    const manifestFifo = await copyRelease('fifo-manifest');
    await rm(path.join(manifestFifo, 'release-manifest.json'));
    mkfifo(path.join(manifestFifo, 'release-manifest.json'));
    const pub = path.join(release.releaseDir, 'release-manifest.pub');
    const pair = generateKeyPair();
    const keyFile = path.join(dir, 'real.key');
    await writeFile(keyFile, pair.privateKeyPem, { mode: 0o600 });
    assertTyped(await cli(['sign', '--dir', manifestFifo, '--key', keyFile]), ['NS_FS_NOT_REGULAR']);
    assertTyped(await cli(['verify-manifest', '--dir', manifestFifo, '--public-key', pub]), ['NS_FS_NOT_REGULAR'], 1);
    assertTyped(await cli(['publish', '--from', manifestFifo, '--registry', 'http://127.0.0.1:9/']), [
      'NS_PUBLISH_NO_RELEASE',
      'NS_FS_NOT_REGULAR',
    ]);

    const sumsFifo = await copyRelease('fifo-sums');
    await rm(path.join(sumsFifo, 'SHA256SUMS'));
    mkfifo(path.join(sumsFifo, 'SHA256SUMS'));
    assertTyped(await cli(['verify-manifest', '--dir', sumsFifo, '--public-key', pub]), ['NS_FS_NOT_REGULAR'], 1);

    const tarFifo = await copyRelease('fifo-tarball');
    const m = JSON.parse(await readFile(path.join(tarFifo, 'release-manifest.json'), 'utf8')) as { packages: { tarball: string }[] };
    const first = m.packages[0]?.tarball;
    assert.ok(first);
    await rm(path.join(tarFifo, first));
    mkfifo(path.join(tarFifo, first));
    assertTyped(
      await cli(['verify-manifest', '--dir', tarFifo, '--public-key', pub]),
      ['NS_MANIFEST_MISSING_FILE', 'NS_FS_NOT_REGULAR'],
      1,
    );
    assertTyped(
      await cli(['publish', '--from', tarFifo, '--registry', 'http://127.0.0.1:9/']),
      ['NS_FS_NOT_REGULAR', 'NS_MANIFEST_MISSING_FILE'],
      1,
    );
  });

  test('verify-manifest --public-key /dev/zero is refused at once, not read', async () => {
    assertTyped(await cli(['verify-manifest', '--dir', release.releaseDir, '--public-key', '/dev/zero']), ['NS_FS_NOT_REGULAR']);
  });

  test('a journal that is a symlink is never appended through; one that is a directory is one typed line', async () => {
    const dir = await copyRelease('journal-link');
    const outside = path.join(scratch, 'outside-journal.txt');
    await writeFile(outside, 'untouched\n');
    await symlink(outside, path.join(dir, 'publish-journal.jsonl'));
    const r1 = await cli(['publish', '--from', dir, '--registry', 'http://127.0.0.1:9/']);
    assertTyped(r1, ['NS_FS_SYMLINK']);
    assert.equal(await readFile(outside, 'utf8'), 'untouched\n');
    const dir2 = await copyRelease('journal-dir');
    await mkdir(path.join(dir2, 'publish-journal.jsonl'));
    assertTyped(await cli(['publish', '--from', dir2, '--registry', 'http://127.0.0.1:9/']), ['NS_FS_NOT_REGULAR']);
  });

  test('a manifest with 300k entries is a typed error for verify-manifest and publish, not a RangeError', async () => {
    const dir = await copyRelease('huge');
    const pub = await resign(dir, (m) => {
      const pkgs = m.packages as Record<string, unknown>[];
      m.files = Array.from({ length: 300_000 }, (_, i) => ({ path: `f${String(i)}` }));
      m.packages = [...pkgs, ...Array.from({ length: 300_000 }, (_, i) => ({ name: `p${String(i)}`, kind: 'platform' }))];
    });
    assertTyped(await cli(['verify-manifest', '--dir', dir, '--public-key', pub]), ['NS_MANIFEST_SCHEMA'], 1);
    assertTyped(
      await cli(['publish', '--from', dir, '--public-key', pub, '--registry', 'http://127.0.0.1:9/']),
      ['NS_MANIFEST_SCHEMA', 'NS_PUBLISH_MANIFEST'],
      1,
    );
  });

  test('pack refuses a non-semver version and a name of ../../../x, and --out onto a file is one typed line', async () => {
    for (const [name, version, code] of [
      ['../../../x', '1.0.0', 'NS_PACK_BAD_NAME'],
      ['fine-name', 'not.a.version', 'NS_PACK_BAD_VERSION'],
    ] as const) {
      const rootDir = path.join(scratch, `pack-${code}`, 'a', 'b', 'c');
      await mkdir(rootDir, { recursive: true });
      await writeFile(path.join(rootDir, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
      await writeFile(path.join(rootDir, 'index.js'), '');
      const out = path.join(scratch, `pack-${code}`, 'out');
      await assert.rejects(
        packRelease({ packages: [{ dir: rootDir, kind: 'root', target: null }], outDir: out, sourceDateEpoch: 0 }),
        (e: unknown) => e instanceof PackError && e.diagnostics.some((d) => d.code === code),
      );
      await assert.rejects(stat(out), 'nothing was written');
    }
    const file = path.join(scratch, 'an-existing-file');
    await writeFile(file, 'x');
    const staged = await cli(['stage', '--cwd', release.rootDir, '--artifacts', path.join(path.dirname(release.rootDir), 'artifacts')]);
    assert.equal(staged.code, 0, staged.stderr);
    const r = await cli(['pack', '--cwd', release.rootDir, '--out', file]);
    assertTyped(r, ['NS_FS_EXISTS'], 3);
    assert.equal(await readFile(file, 'utf8'), 'x');
  });

  test('a non-UTF-8 file name is explained, and a newline in a name never splits a diagnostic line', async () => {
    const dir = path.join(scratch, 'names');
    await mkdir(dir, { recursive: true });
    const r = await new Promise<Run>((resolve) => {
      const child = spawn('bash', ['-c', `exec "${process.execPath}" "${CLI}" hash "$(printf '${dir}/bad\\xff.node')"`], {
        env: { ...process.env, NO_COLOR: '1' },
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('close', (code) => {
        resolve({ code, stdout: '', stderr, killed: false });
      });
    });
    assertTyped(r, ['not UTF-8'], 1);
    const evil = path.join(dir, 'evil\nerror[NS_FAKE] injected.node');
    const r2 = await cli(['hash', evil]);
    assert.equal(r2.code, 1);
    assert.ok(r2.stderr.includes('evil\\nerror[NS_FAKE]'), r2.stderr);
    assert.ok(!r2.stderr.split('\n').some((l) => l.startsWith('error[NS_FAKE]')), r2.stderr);
  });
});

describe('tarball checks (before any PUT, and in verify-manifest)', () => {
  test('checkTarball: ../, absolute, symlink and hard-link entries, no package.json, not gzip, a name mismatch, a gzip bomb', async () => {
    const ok = tarball([
      { name: 'package/package.json', body: PKG('a', '1.0.0') },
      { name: 'package/index.js', body: 'x' },
    ]);
    assert.deepEqual((await checkTarball(ok, 'ok', { name: 'a', version: '1.0.0' })).diagnostics, []);
    const codes = async (bytes: Buffer, expected = { name: 'a', version: '1.0.0' }): Promise<string[]> =>
      (await checkTarball(bytes, 't', expected)).diagnostics.map((d) => d.code);
    const withPkg = (extra: TarEntry) => tarball([{ name: 'package/package.json', body: PKG('a', '1.0.0') }, extra]);
    assert.deepEqual(await codes(withPkg({ name: 'package/../../etc/x', body: 'x' })), ['NS_TARBALL_ENTRY_PATH']);
    assert.deepEqual(await codes(withPkg({ name: '/etc/x', body: 'x' })), ['NS_TARBALL_ENTRY_PATH']);
    assert.deepEqual(await codes(withPkg({ name: 'package/link', type: '2', link: '/etc/passwd' })), ['NS_TARBALL_ENTRY_TYPE']);
    assert.deepEqual(await codes(withPkg({ name: 'package/hard', type: '1', link: 'package/package.json' })), ['NS_TARBALL_ENTRY_TYPE']);
    assert.deepEqual(await codes(tarball([{ name: 'package/index.js', body: 'x' }])), ['NS_TARBALL_NO_PACKAGE_JSON']);
    assert.deepEqual(await codes(Buffer.from('not gzip at all')), ['NS_TARBALL_NOT_GZIP']);
    assert.deepEqual(await codes(ok, { name: 'b', version: '1.0.0' }), ['NS_TARBALL_PACKAGE_MISMATCH']);
    // 4 MB of gzip that inflates to ~4 GB of zeros: stopped at the cap.
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
    const checked = await checkTarball(bomb, 'bomb', { name: 'a', version: '1.0.0' }, { maxInflatedBytes: 64 * 1024 * 1024 });
    assert.ok(checked.diagnostics.some((d) => d.code === 'NS_TARBALL_TOO_LARGE'));
    assert.ok(checked.inflated <= 64 * 1024 * 1024 + 1024 * 1024);
  });

  test('a signed release whose tarball has hostile entries is refused by verify-manifest and by publish before any request', async () => {
    for (const [label, bytes, code] of [
      [
        'dotdot',
        tarball([
          { name: 'package/package.json', body: PKG('x', '1') },
          { name: '../../evil', body: 'x' },
        ]),
        'NS_TARBALL_ENTRY_PATH',
      ],
      ['symlink', tarball([{ name: 'package/link', type: '2', link: '/etc/passwd' }]), 'NS_TARBALL_ENTRY_TYPE'],
      ['notgzip', Buffer.from('plain text, not a tarball'), 'NS_TARBALL_NOT_GZIP'],
    ] as const) {
      const dir = await copyRelease(`entries-${label}`);
      const pub = await swapTarball(dir, 'platform', bytes);
      assertTyped(await cli(['verify-manifest', '--dir', dir, '--public-key', pub]), [code], 1);
      // The registry is a closed port: a request would be NS_REGISTRY_UNREACHABLE, not the tarball's code.
      const r = await cli(['publish', '--from', dir, '--public-key', pub, '--registry', 'http://127.0.0.1:9/']);
      assertTyped(r, [code], 1);
      assert.doesNotMatch(r.stderr, /NS_REGISTRY_UNREACHABLE/);
    }
  });

  test("verifyRelease's checkedBefore: a tarball is left uninflated only when its bytes and the check's package are the ones recorded", async () => {
    const bytes = tarball([
      { name: 'package/package.json', body: PKG('x', '1') },
      { name: '../../evil', body: 'x' },
    ]);
    const dir = await copyRelease('checked-before');
    const pubFile = await swapTarball(dir, 'platform', bytes);
    const pem = await readFile(pubFile, 'utf8');
    const m = JSON.parse(await readFile(path.join(dir, 'release-manifest.json'), 'utf8')) as {
      packages: { kind: string; name: string; version: string; tarball: string; sha256: string }[];
    };
    const p = m.packages.find((x) => x.kind === 'platform');
    assert.ok(p);
    const codes = async (checkedBefore?: Map<string, { sha256: string; checked: string }>): Promise<string[]> =>
      (await verifyRelease(dir, pem, checkedBefore === undefined ? {} : { checkedBefore })).map((d) => d.code);
    // Without a record, and with records that do not fit (other bytes, another package's check), it is inflated and refused.
    const refused = ['NS_TARBALL_ENTRY_PATH', 'NS_TARBALL_PACKAGE_MISMATCH'];
    assert.deepEqual(await codes(), refused);
    assert.deepEqual(await codes(new Map([[p.tarball, { sha256: 'f'.repeat(64), checked: tarballCheckId(p.name, p.version) }]])), refused);
    assert.deepEqual(await codes(new Map([[p.tarball, { sha256: p.sha256, checked: tarballCheckId('other', p.version) }]])), refused);
    // A record of these very bytes passing the check for this package: trusted, not inflated again.
    assert.deepEqual(await codes(new Map([[p.tarball, { sha256: p.sha256, checked: tarballCheckId(p.name, p.version) }]])), []);
  });

  test('a gzip bomb as the root tarball: unsigned it is refused by digest, signed it stops at the inflate cap; no registry request either way', async () => {
    const bomb = gzipSync(Buffer.alloc(512 * 1024 * 1024), { level: 9 });
    const unsigned = await copyRelease('bomb-unsigned');
    const m = JSON.parse(await readFile(path.join(unsigned, 'release-manifest.json'), 'utf8')) as {
      packages: { kind: string; tarball: string }[];
    };
    const rootTarball = m.packages.find((p) => p.kind === 'root')?.tarball;
    assert.ok(rootTarball);
    await writeFile(path.join(unsigned, rootTarball), bomb);
    const r1 = await cli(['publish', '--from', unsigned, '--registry', 'http://127.0.0.1:9/']);
    assertTyped(r1, ['NS_MANIFEST_HASH_MISMATCH', 'NS_PUBLISH_TARBALL_MISMATCH'], 1);
    const signed = await copyRelease('bomb-signed');
    const pub = await swapTarball(signed, 'root', bomb);
    const r2 = await cli(['publish', '--from', signed, '--public-key', pub, '--registry', 'http://127.0.0.1:9/']);
    assertTyped(r2, ['NS_TARBALL_TOO_LARGE'], 1);
    assert.doesNotMatch(r2.stderr, /NS_REGISTRY_UNREACHABLE/);
  });
});

describe('every registry exchange has an overall deadline', () => {
  test('a registry that answers headers then trickles one byte at a time (each gap under the timeout) is given up on, not waited for', async () => {
    const { createServer } = await import('node:http');
    const { RegistryClient } = await import('../src/registry/index.js');
    const timers = new Set<NodeJS.Timeout>();
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // One byte every 200 ms for ever: the per-gap timeout (1 s) never fires.
      const t = setInterval(() => res.write(' '), 200);
      timers.add(t);
      res.on('close', () => {
        clearInterval(t);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    const client = new RegistryClient({
      registry: `http://127.0.0.1:${String(address.port)}/`,
      timeoutMs: 1000,
      retries: 1,
      retryBaseMs: 10,
      env: {},
    });
    try {
      await assert.rejects(client.getPackument('trickle'), (e: unknown) => {
        assert.ok(e instanceof DiagnosticError);
        assert.equal(e.diagnostics[0]?.code, 'NS_REGISTRY_RETRIES_EXHAUSTED');
        assert.match(e.message, /E_DEADLINE/);
        return true;
      });
    } finally {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      await client.close();
    }
  });
});
