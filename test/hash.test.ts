/**
 * The core's one-pass sha1 + sha256 + sha512 against node:crypto and the coreutils
 * `sha1sum` / `sha256sum` / `sha512sum` commands, on files at the edges of the core's 1 MiB read
 * chunk and one over 100 MB, with a missing file and a directory in the same call.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { hashFiles, hashFilesSync } from '../src/core/index.js';
import type { Hashed } from '../src/core/index.js';

const execFileAsync = promisify(execFile);

const MiB = 1024 * 1024;

/** xorshift32: a seeded, deterministic source for the pattern. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}
const BIG = 100 * MiB + 4097; // 104,861,697 bytes: over 100 MB, and not a whole number of chunks

interface Expected {
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly sha1: string;
  readonly sha256: string;
  readonly sha512: string;
  readonly sha512Base64: string;
}

/**
 * Write `size` bytes of a fast deterministic pattern — one seeded 1 MiB block, stamped with its
 * block index so no two blocks are equal — hashing with node:crypto on the way.
 */
async function writePattern(path: string, size: number, base: Buffer): Promise<Omit<Expected, 'name' | 'path'>> {
  const hashes: Hash[] = [createHash('sha1'), createHash('sha256'), createHash('sha512')];
  const block = Buffer.from(base);
  const file = await open(path, 'w');
  try {
    for (let offset = 0, index = 0; offset < size; offset += block.length, index++) {
      block.writeUInt32LE(index, 0);
      block.writeUInt32LE(size, 4);
      const chunk = block.subarray(0, Math.min(block.length, size - offset));
      await file.write(chunk);
      for (const h of hashes) h.update(chunk);
    }
  } finally {
    await file.close();
  }
  const [sha1, sha256, sha512] = hashes.map((h) => h.digest());
  assert.ok(sha1 && sha256 && sha512);
  return {
    size,
    sha1: sha1.toString('hex'),
    sha256: sha256.toString('hex'),
    sha512: sha512.toString('hex'),
    sha512Base64: sha512.toString('base64'),
  };
}

/** `sha1sum a b …` → path → hex digest. */
async function coreutils(command: 'sha1sum' | 'sha256sum' | 'sha512sum', paths: readonly string[]): Promise<Map<string, string>> {
  const { stdout } = await execFileAsync(command, ['--', ...paths], { maxBuffer: 4 * MiB });
  const digests = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^([0-9a-f]+) [ *](.+)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) digests.set(m[2], m[1]);
  }
  return digests;
}

let dir: string;
let files: Expected[];
let missing: string;
let directory: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'napi-ship-hash-'));
  const next = xorshift(0x4a5b);
  const base = Buffer.alloc(MiB);
  for (let i = 0; i < MiB; i += 4) base.writeUInt32LE(next(), i);
  const sizes: [string, number][] = [
    ['empty', 0],
    ['one-byte', 1],
    ['mib-minus-1', MiB - 1],
    ['mib', MiB],
    ['mib-plus-1', MiB + 1],
    ['big', BIG],
  ];
  files = [];
  for (const [name, size] of sizes) {
    const path = join(dir, `${name}.bin`);
    files.push({ name, path, ...(await writePattern(path, size, base)) });
  }
  missing = join(dir, 'missing.bin');
  directory = join(dir, 'a-directory');
  await mkdir(directory);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function checkDigests(results: readonly Hashed[], label: string): void {
  // Asked for: files[0..2], missing, files[3], directory, files[4..]
  const byPath = new Map(results.map((r) => [r.path, r]));
  for (const f of files) {
    const r = byPath.get(f.path);
    assert.ok(r, `${label}: a result for ${f.name}`);
    if (!r.ok) assert.fail(`${label}: ${f.name} failed with ${r.error.code}: ${r.error.message}`);
    assert.equal(r.size, f.size, `${label}: ${f.name} size`);
    assert.equal(r.sha1, f.sha1, `${label}: ${f.name} sha1`);
    assert.equal(r.sha256, f.sha256, `${label}: ${f.name} sha256`);
    assert.equal(r.sha512, f.sha512, `${label}: ${f.name} sha512`);
    assert.equal(r.integrity, `sha512-${f.sha512Base64}`, `${label}: ${f.name} integrity`);
    assert.equal(
      r.integrity,
      `sha512-${Buffer.from(r.sha512, 'hex').toString('base64')}`,
      `${label}: ${f.name} integrity is its own sha512`,
    );
  }
  const lost = byPath.get(missing);
  assert.ok(lost && !lost.ok, `${label}: the missing file is an error`);
  assert.equal(lost.error.code, 'E_NOT_FOUND', `${label}: missing file`);
  const dirResult = byPath.get(directory);
  assert.ok(dirResult && !dirResult.ok, `${label}: the directory is an error`);
  assert.equal(dirResult.error.code, 'E_NOT_A_FILE', `${label}: directory`);
}

function mixedPaths(): string[] {
  const p = files.map((f) => f.path);
  return [...p.slice(0, 3), missing, ...p.slice(3, 4), directory, ...p.slice(4)];
}

describe('hashFiles', () => {
  test('the files are the sizes asked for (the big one over 100 MB)', async () => {
    for (const f of files) assert.equal((await stat(f.path)).size, f.size, f.name);
    assert.ok(BIG > 100_000_000);
  });

  test('agrees with node:crypto, in path order, while a missing file and a directory fail beside them', async () => {
    const paths = mixedPaths();
    const results = await hashFiles(paths);
    assert.deepEqual(
      results.map((r) => r.path),
      paths,
      'one result per path, in order',
    );
    checkDigests(results, 'hashFiles');
  });

  test('hashFilesSync gives the same answers', () => {
    const paths = mixedPaths();
    const results = hashFilesSync(paths);
    assert.deepEqual(
      results.map((r) => r.path),
      paths,
    );
    checkDigests(results, 'hashFilesSync');
  });

  test('agrees with sha1sum, sha256sum and sha512sum', async () => {
    const paths = files.map((f) => f.path);
    const [core, sha1, sha256, sha512] = await Promise.all([
      hashFiles(paths),
      coreutils('sha1sum', paths),
      coreutils('sha256sum', paths),
      coreutils('sha512sum', paths),
    ]);
    for (const [i, f] of files.entries()) {
      const r = core[i];
      assert.ok(r?.ok, `${f.name}: hashed`);
      assert.equal(r.sha1, sha1.get(f.path), `${f.name}: sha1sum`);
      assert.equal(r.sha256, sha256.get(f.path), `${f.name}: sha256sum`);
      assert.equal(r.sha512, sha512.get(f.path), `${f.name}: sha512sum`);
    }
  });

  test('the empty file has the well-known empty digests', async () => {
    const [r] = await hashFiles([files[0]!.path]);
    assert.ok(r?.ok);
    assert.equal(r.size, 0);
    assert.equal(r.sha1, 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
    assert.equal(r.sha256, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
