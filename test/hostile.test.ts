/**
 * Hostile input: garbage, empty files, headers cut short, real binaries cut in half, seeded random
 * bytes, mutated real binaries and oversized files. Each must come back as a report or as a typed
 * error with the expected code — never a crash, a hang or E_INTERNAL (a caught panic).
 *
 * The inputs run in a CHILD node process (test/helpers/hostile-child.ts): an abort in native code
 * kills the child, not the runner, and a hang is cut off by a timeout; both fail the test.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildFixtures } from '../scripts/lib/fixtures.js';
import type { FixtureName, FixtureSet } from '../scripts/lib/fixtures.js';
import type { CaseResult, Done, FileCase, Plan } from './helpers/hostile-child.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'hostile-child.js');

/** What a parser may answer for bytes that are not a sound binary. */
const PARSE_ERRORS: ReadonlySet<string> = new Set(['E_UNKNOWN_FORMAT', 'E_TRUNCATED', 'E_MALFORMED', 'E_UNSUPPORTED']);
const ALL_CODES: ReadonlySet<string> = new Set([
  'E_NOT_FOUND',
  'E_IO',
  'E_NOT_A_FILE',
  'E_EMPTY',
  'E_TOO_LARGE',
  'E_UNKNOWN_FORMAT',
  'E_TRUNCATED',
  'E_MALFORMED',
  'E_UNSUPPORTED',
  'E_INTERNAL',
]);

interface ChildRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly results: readonly CaseResult[];
  readonly done: Done | undefined;
  readonly stderr: string;
}

async function runChild(plan: Plan, planPath: string, timeoutMs: number): Promise<ChildRun> {
  await writeFile(planPath, JSON.stringify(plan));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, planPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const results: CaseResult[] = [];
      let done: Done | undefined;
      for (const line of stdout.split('\n')) {
        if (line.trim() === '') continue;
        const parsed = JSON.parse(line) as CaseResult | Done;
        if ('done' in parsed) done = parsed;
        else results.push(parsed);
      }
      resolve({ status, signal, timedOut, results, done, stderr });
    });
  });
}

function describeRun(run: ChildRun): string {
  const last = run.results.at(-1);
  return [
    `status ${String(run.status)}, signal ${String(run.signal)}, timed out: ${String(run.timedOut)}`,
    `${run.results.length} results; last finished case: ${last ? `${last.label} (${last.via})` : 'none'}`,
    run.stderr.trim() === '' ? '' : `stderr:\n${run.stderr}`,
  ].join('\n');
}

/** Find the Mach-O 64 exports trie (LC_DYLD_INFO[_ONLY] or LC_DYLD_EXPORTS_TRIE): [offset, size]. */
function exportsTrie(bytes: Buffer): [number, number] {
  assert.equal(bytes.readUInt32LE(0), 0xfeedfacf, 'a little-endian 64-bit Mach-O');
  const ncmds = bytes.readUInt32LE(16);
  let at = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = bytes.readUInt32LE(at);
    const size = bytes.readUInt32LE(at + 4);
    if (cmd === 0x80000022 || cmd === 0x22) return [bytes.readUInt32LE(at + 40), bytes.readUInt32LE(at + 44)];
    if (cmd === 0x80000033) return [bytes.readUInt32LE(at + 8), bytes.readUInt32LE(at + 12)];
    at += size;
  }
  throw new Error('no exports trie in this Mach-O');
}

/**
 * A real dylib whose export trie's root announces one child edge whose name never ends (no NUL
 * before the end of the trie): a corrupt file a parser must refuse, and promptly.
 */
function unterminatedExportTrie(original: Buffer): Buffer {
  const bytes = Buffer.from(original);
  const [offset, size] = exportsTrie(bytes);
  assert.ok(size >= 3, 'an exports trie with room for a node');
  bytes[offset] = 0x00; // terminal size: not an export itself
  bytes[offset + 1] = 0x01; // one child
  bytes.fill(0x41, offset + 2, offset + size); // an edge string of 'A's with no terminator
  return bytes;
}

let set: FixtureSet;
let work: string;
let run: ChildRun;
const wholeFacts = new Map<FixtureName, CaseResult>();

const FIRST20: readonly [string, FixtureName][] = [
  ['ELF', 'linux-x64-gnu'],
  ['PE', 'win32-x64-msvc'],
  ['Mach-O', 'darwin-arm64'],
  ['fat Mach-O', 'darwin-universal'],
];

before(async () => {
  set = await buildFixtures();
  work = await mkdtemp(join(tmpdir(), 'napi-ship-hostile-'));
  const files: FileCase[] = [];
  const add = async (label: string, name: string, data: Uint8Array | string, sizeLimit?: number): Promise<void> => {
    const path = join(work, name);
    await writeFile(path, data);
    files.push(sizeLimit === undefined ? { label, path } : { label, path, sizeLimit });
  };

  await add('garbage text', 'garbage.txt', '#!/bin/sh\necho "this is not an addon"\n'.repeat(20));
  await add('empty file', 'empty.node', '');
  for (const [kind, name] of FIRST20) {
    const bytes = await readFile(set.fixtures[name].path);
    await add(`first 20 bytes of a ${kind}`, `first20-${name}.node`, bytes.subarray(0, 20));
  }
  for (const f of set.all) {
    files.push({ label: `whole ${f.name}`, path: f.path });
    const bytes = await readFile(f.path);
    await add(`half of ${f.name}`, `half-${f.name}.node`, bytes.subarray(0, Math.floor(bytes.length / 2)));
  }
  files.push({ label: 'missing file', path: join(work, 'does-not-exist.node') });
  await mkdir(join(work, 'a-directory.node'));
  files.push({ label: 'directory', path: join(work, 'a-directory.node') });

  const elf = set.fixtures['linux-x64-gnu'].path;
  const elfSize = (await readFile(elf)).length;
  files.push({ label: 'real ELF one byte over sizeLimit', path: elf, sizeLimit: elfSize - 1 });
  files.push({ label: 'real ELF exactly at sizeLimit', path: elf, sizeLimit: elfSize });
  await add('64 KiB of garbage over a 1 KiB sizeLimit', 'big-garbage.bin', Buffer.alloc(64 * 1024, 0x5a), 1024);

  const plan: Plan = {
    files,
    buffers: [
      { label: 'buffer: empty', hex: '' },
      { label: 'buffer: garbage text', hex: Buffer.from('hello, not a binary\n').toString('hex') },
    ],
    random: [
      { label: 'random noise', seed: 0x5eed0001, count: 300, maxLength: 4096, prefixHex: '' },
      { label: 'random after ELF64 magic', seed: 0x5eed0002, count: 60, maxLength: 1024, prefixHex: '7f454c46020101' },
      { label: 'random after ELF32 BE magic', seed: 0x5eed0003, count: 60, maxLength: 1024, prefixHex: '7f454c46010201' },
      { label: 'random after MZ', seed: 0x5eed0004, count: 60, maxLength: 1024, prefixHex: '4d5a' },
      { label: 'random after Mach-O 64 magic', seed: 0x5eed0005, count: 60, maxLength: 1024, prefixHex: 'cffaedfe' },
      { label: 'random after fat magic', seed: 0x5eed0006, count: 60, maxLength: 1024, prefixHex: 'cafebabe' },
      { label: 'random after wasm magic', seed: 0x5eed0007, count: 20, maxLength: 64, prefixHex: '0061736d' },
    ],
    // Mach-O is left out here: see the export-trie case below.
    mutations: (['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'win32-x64-mingw', 'win32-x64-msvc', 'freebsd-x64'] as const).map(
      (name, i) => ({ label: `mutated ${name}`, path: set.fixtures[name].path, seed: 0xbad0 + i, count: 60 }),
    ),
  };
  run = await runChild(plan, join(work, 'plan.json'), 120_000);
  for (const f of set.all) {
    const r = run.results.find((x) => x.label === `whole ${f.name}`);
    if (r) wholeFacts.set(f.name, r);
  }
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Every answer for one case: inspectFiles alone, inspectFiles batched, inspectFileSync. */
function answers(label: string): CaseResult[] {
  const found = run.results.filter((r) => r.label === label || r.label === `${label} (batched)`);
  assert.ok(found.length > 0, `no result for "${label}" — the child stopped early?\n${describeRun(run)}`);
  return found;
}

function expectCode(label: string, code: string): void {
  for (const r of answers(label)) {
    assert.equal(r.ok, false, `${label} (${r.via}): expected ${code}, got a report`);
    assert.equal(r.code, code, `${label} (${r.via})`);
  }
}

describe('hostile input, in a child process', () => {
  test('the child ran every case and exited 0', () => {
    assert.equal(run.timedOut, false, describeRun(run));
    assert.equal(run.signal, null, describeRun(run));
    assert.equal(run.status, 0, describeRun(run));
    assert.ok(run.done, `no completion line\n${describeRun(run)}`);
    assert.equal(run.done.cases, run.results.length);
  });

  test('every answer is a report or a known typed code, and never E_INTERNAL', () => {
    for (const r of run.results) {
      if (r.ok) continue;
      assert.ok(r.code !== undefined && ALL_CODES.has(r.code), `${r.label}: unknown code ${String(r.code)}`);
      assert.notEqual(r.code, 'E_INTERNAL', `${r.label} (${r.via}): the core panicked`);
    }
  });

  test('garbage text is E_UNKNOWN_FORMAT, an empty file E_EMPTY', () => {
    expectCode('garbage text', 'E_UNKNOWN_FORMAT');
    expectCode('buffer: garbage text', 'E_UNKNOWN_FORMAT');
    expectCode('empty file', 'E_EMPTY');
    expectCode('buffer: empty', 'E_EMPTY');
  });

  test('the first 20 bytes of a real ELF, PE and Mach-O are E_TRUNCATED', () => {
    for (const [kind] of FIRST20.filter(([k]) => k !== 'fat Mach-O')) expectCode(`first 20 bytes of a ${kind}`, 'E_TRUNCATED');
  });

  test('the first 20 bytes of a fat Mach-O are E_TRUNCATED', () => {
    expectCode('first 20 bytes of a fat Mach-O', 'E_TRUNCATED');
  });

  test('a real binary cut in half is E_TRUNCATED', () => {
    for (const f of set.all) {
      assert.ok(wholeFacts.get(f.name)?.ok, `${f.name}: the whole file inspects`);
      for (const r of answers(`half of ${f.name}`)) {
        assert.equal(r.ok ? 'a report' : r.code, 'E_TRUNCATED', `half of ${f.name} (${r.via})`);
      }
    }
  });

  test('a missing path is E_NOT_FOUND, a directory E_NOT_A_FILE', () => {
    expectCode('missing file', 'E_NOT_FOUND');
    expectCode('directory', 'E_NOT_A_FILE');
  });

  test('a file over sizeLimit is E_TOO_LARGE, one at the limit is read', () => {
    expectCode('real ELF one byte over sizeLimit', 'E_TOO_LARGE');
    expectCode('64 KiB of garbage over a 1 KiB sizeLimit', 'E_TOO_LARGE');
    for (const r of answers('real ELF exactly at sizeLimit')) {
      assert.ok(r.ok, `at the limit (${r.via}): ${String(r.code)}`);
      assert.equal(r.format, 'elf');
    }
  });

  test('seeded random bytes (bare and after each magic) give parse errors or reports', () => {
    const random = run.results.filter((r) => r.label.startsWith('random '));
    assert.equal(random.length, 300 + 60 * 5 + 20, 'every random buffer was answered');
    for (const r of random) {
      if (r.ok) continue;
      if (r.length === 0) assert.equal(r.code, 'E_EMPTY', r.label);
      else assert.ok(r.code !== undefined && PARSE_ERRORS.has(r.code), `${r.label} (${String(r.length)} bytes): ${String(r.code)}`);
    }
    // Noise that starts with no magic is never taken for a binary.
    for (const r of random.filter((x) => x.label.startsWith('random noise') && x.length !== 0)) {
      assert.equal(r.code, 'E_UNKNOWN_FORMAT', r.label);
    }
  });

  test('mutated real ELF and PE binaries give parse errors or reports', () => {
    const mutated = run.results.filter((r) => r.label.startsWith('mutated '));
    assert.equal(mutated.length, 6 * 60);
    for (const r of mutated) {
      if (r.ok) continue;
      if (r.length === 0) assert.equal(r.code, 'E_EMPTY', r.label);
      else assert.ok(r.code !== undefined && PARSE_ERRORS.has(r.code), `${r.label}: ${String(r.code)}`);
    }
  });

  test('a Mach-O whose export trie has an unterminated edge name is answered promptly', async () => {
    const bytes = unterminatedExportTrie(await readFile(set.fixtures['darwin-arm64'].path));
    const plan: Plan = {
      files: [],
      buffers: [{ label: 'unterminated export trie', hex: bytes.toString('hex') }],
      random: [],
      mutations: [],
    };
    const trie = await runChild(plan, join(work, 'plan-trie.json'), 10_000);
    assert.equal(trie.timedOut, false, `the core did not answer within 10 s\n${describeRun(trie)}`);
    assert.equal(trie.status, 0, describeRun(trie));
    const [r] = trie.results;
    assert.ok(r, describeRun(trie));
    assert.equal(r.ok ? 'a report' : r.code, 'E_MALFORMED');
  });
});
