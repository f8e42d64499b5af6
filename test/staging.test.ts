/**
 * The directory swap of stage and pack (src/util/staging.ts), state by state: each state a kill can
 * leave (building, between the two renames, swapped) is made on disk with a dead process's pid and
 * the recovery of the next run is checked; then pack's signature rule (a signature stays only beside
 * the manifest it signs) and its clean-up of what older runs left.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiagnosticError } from '../src/diagnostics/index.js';
import { SIGNATURE_FILE } from '../src/manifest/index.js';
import { packRelease } from '../src/pack/index.js';
import { beginDirSwap, recoverDirSwap, swapPrefix } from '../src/util/staging.js';

let scratch = '';
/** The pid of a process that has exited. */
let deadPid = 0;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-staging-'));
  deadPid = spawnSync(process.execPath, ['-e', '']).pid;
  assert.ok(deadPid > 0);
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function dirWith(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
}

async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(path.join(dir, name), 'utf8');
  return out;
}

const OLD = { 'a.txt': 'old a', 'b.txt': 'old b' };
const NEW = { 'a.txt': 'new a', 'c.txt': 'new c' };

describe('the directory swap: every state a kill leaves is recovered by the next run', () => {
  test('a swap commits: the new state in place, nothing beside it', async () => {
    const final = path.join(scratch, 'commit', 'dir');
    await dirWith(final, OLD);
    const swap = await beginDirSwap(final);
    assert.deepEqual(await contents(swap.temp), OLD, 'the new state starts as a copy of the old one');
    await rm(path.join(swap.temp, 'b.txt'));
    // The copy is hard links: a file is replaced (as every writer of napi-ship does), never written in place.
    await rm(path.join(swap.temp, 'a.txt'));
    await writeFile(path.join(swap.temp, 'a.txt'), 'new a');
    await writeFile(path.join(swap.temp, 'c.txt'), 'new c');
    assert.deepEqual(await contents(final), OLD, 'the old state is untouched until the commit');
    await swap.commit();
    assert.deepEqual(await contents(final), NEW);
    assert.deepEqual(await readdir(path.dirname(final)), ['dir']);
  });

  test('killed while building: the partial new dir is removed, the old state stays', async () => {
    const final = path.join(scratch, 'building', 'dir');
    await dirWith(final, OLD);
    await dirWith(path.join(path.dirname(final), `${swapPrefix(final)}new-${String(deadPid)}-abc123`), { 'a.txt': 'half' });
    const r = await recoverDirSwap(final);
    assert.equal(r.removed.length, 1);
    assert.deepEqual(await contents(final), OLD);
    assert.deepEqual(await readdir(path.dirname(final)), ['dir']);
  });

  test('killed between the two renames: the next run finishes the swap (the new dir was complete)', async () => {
    const parent = path.join(scratch, 'between');
    const final = path.join(parent, 'dir');
    await dirWith(path.join(parent, `${swapPrefix(final)}old-${String(deadPid)}-abc123`), OLD);
    await dirWith(path.join(parent, `${swapPrefix(final)}new-${String(deadPid)}-abc123`), NEW);
    const r = await recoverDirSwap(final);
    assert.deepEqual([r.finished, r.restored], [true, false]);
    assert.deepEqual(await contents(final), NEW);
    assert.deepEqual(await readdir(parent), ['dir']);
  });

  test('between the renames with the new dir gone: the old state is restored', async () => {
    const parent = path.join(scratch, 'restore');
    const final = path.join(parent, 'dir');
    await dirWith(path.join(parent, `${swapPrefix(final)}old-${String(deadPid)}-abc123`), OLD);
    const r = await recoverDirSwap(final);
    assert.deepEqual([r.finished, r.restored], [false, true]);
    assert.deepEqual(await contents(final), OLD);
    assert.deepEqual(await readdir(parent), ['dir']);
  });

  test('killed after the swap, before the old dir was removed: the old dir goes', async () => {
    const parent = path.join(scratch, 'swapped');
    const final = path.join(parent, 'dir');
    await dirWith(final, NEW);
    await dirWith(path.join(parent, `${swapPrefix(final)}old-${String(deadPid)}-abc123`), OLD);
    await recoverDirSwap(final);
    assert.deepEqual(await contents(final), NEW);
    assert.deepEqual(await readdir(parent), ['dir']);
  });

  test("a live run's dirs are left alone; a swap onto a file is one typed error", async () => {
    const parent = path.join(scratch, 'live');
    const final = path.join(parent, 'dir');
    await dirWith(final, OLD);
    const live = path.join(parent, `${swapPrefix(final)}new-${String(process.ppid)}-abc123`);
    await dirWith(live, { 'a.txt': 'someone else is writing' });
    const r = await recoverDirSwap(final);
    assert.deepEqual(r.removed, []);
    assert.deepEqual(await contents(live), { 'a.txt': 'someone else is writing' });
    const file = path.join(parent, 'a-file');
    await writeFile(file, 'x');
    await assert.rejects(beginDirSwap(file), (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0]?.code === 'NS_FS_EXISTS');
    assert.equal(await readFile(file, 'utf8'), 'x');
  });
});

describe('pack swaps the release dir: a signature stays only beside the manifest it signs', () => {
  test('a re-pack of the same bytes keeps the signature; a changed manifest drops it; leftovers of killed writes go; other files stay', async () => {
    const root = path.join(scratch, 'pack', 'root');
    const outDir = path.join(scratch, 'pack', 'out');
    const writeRoot = (version: string): Promise<void> =>
      dirWith(root, { 'package.json': JSON.stringify({ name: 'sig-rule', version, main: 'index.js' }), 'index.js': '' });
    const pack = (): Promise<unknown> =>
      packRelease({ packages: [{ dir: root, kind: 'root', target: null }], outDir, sourceDateEpoch: 0, cache: false });
    await writeRoot('1.0.0');
    await pack();
    await writeFile(path.join(outDir, SIGNATURE_FILE), 'a signature of 1.0.0');
    await writeFile(path.join(outDir, 'sbom.spdx.json'), '{}');
    await writeFile(path.join(outDir, '.release-manifest.json.4242.0123456789ab.tmp'), 'half a manifest');
    await pack();
    const again = await readdir(outDir);
    assert.ok(again.includes(SIGNATURE_FILE), 'the same manifest bytes: the signature still signs it');
    assert.ok(again.includes('sbom.spdx.json'));
    assert.ok(!again.some((n) => n.endsWith('.tmp')), again.join(', '));
    await writeRoot('1.0.1');
    await rename(path.join(outDir, 'sbom.spdx.json'), path.join(outDir, 'notes.txt'));
    await pack();
    const next = await readdir(outDir);
    assert.ok(!next.includes(SIGNATURE_FILE), 'the signature of 1.0.0 is not beside the manifest of 1.0.1');
    assert.ok(next.includes('sig-rule-1.0.1.tgz') && next.includes('notes.txt'), next.join(', '));
    assert.deepEqual((await readdir(path.dirname(outDir))).sort(), ['out', 'root'], 'no swap dir is left beside the release dir');
  });
});
