/**
 * Runs a batch of hostile inputs through the native core in its own process, for
 * test/hostile.test.ts: an abort or a hang in native code then fails that test instead of taking
 * the test runner down with it.
 *
 * Usage: node hostile-child.js PLAN.json — prints one JSON line per case (see `CaseResult`), then
 * `{"done":true,"cases":N}` and exits 0. Without a plan it prints a note and exits 0, so a bare
 * `node --test` that picks this file up does no harm.
 */
import { readFileSync } from 'node:fs';
import { inspectBuffer, inspectFiles, inspectFileSync } from '../../src/core/index.js';
import type { Inspected } from '../../src/core/index.js';
import { prng } from '../../scripts/lib/prng.js';

export interface FileCase {
  readonly label: string;
  readonly path: string;
  readonly sizeLimit?: number;
}

export interface BufferCase {
  readonly label: string;
  readonly hex: string;
}

export interface RandomBatch {
  readonly label: string;
  readonly seed: number;
  readonly count: number;
  readonly maxLength: number;
  /** Hex bytes every buffer starts with (a magic number), or '' for pure noise. */
  readonly prefixHex: string;
}

export interface MutationBatch {
  readonly label: string;
  readonly path: string;
  readonly seed: number;
  readonly count: number;
}

export interface Plan {
  /** Inspected with inspectFiles (one batch call) and again with inspectFileSync. */
  readonly files: readonly FileCase[];
  readonly buffers: readonly BufferCase[];
  readonly random: readonly RandomBatch[];
  readonly mutations: readonly MutationBatch[];
}

export interface CaseResult {
  readonly label: string;
  readonly via: 'inspectFiles' | 'inspectFileSync' | 'inspectBuffer';
  readonly length?: number;
  readonly ok: boolean;
  readonly code?: string;
  readonly format?: string;
  readonly os?: string | null;
  readonly cpu?: string | null;
  readonly bits?: number;
}

export interface Done {
  readonly done: true;
  readonly cases: number;
}

let cases = 0;

function emit(label: string, via: CaseResult['via'], r: Inspected, length?: number): void {
  cases += 1;
  const base = length === undefined ? { label, via } : { label, via, length };
  const line: CaseResult = r.ok
    ? { ...base, ok: true, format: r.facts.format, os: r.facts.os, cpu: r.facts.cpu, bits: r.facts.bits }
    : { ...base, ok: false, code: r.error.code };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function buffer(label: string, data: Uint8Array): void {
  emit(label, 'inspectBuffer', inspectBuffer(data), data.length);
}

async function main(): Promise<void> {
  const planPath = process.argv[2];
  if (planPath === undefined) {
    process.stdout.write('hostile-child: no plan given; nothing to do (test/hostile.test.ts runs this)\n');
    return;
  }
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as Plan;

  // Files: one inspectFiles call per file (each may have its own limit), then every unlimited file
  // in one batched call, then inspectFileSync on each.
  for (const c of plan.files) {
    const options = c.sizeLimit === undefined ? {} : { sizeLimit: c.sizeLimit };
    const [r] = await inspectFiles([c.path], options);
    if (r === undefined) throw new Error(`inspectFiles returned nothing for ${c.label}`);
    emit(c.label, 'inspectFiles', r);
  }
  const unlimited = plan.files.filter((c) => c.sizeLimit === undefined);
  const together = await inspectFiles(unlimited.map((c) => c.path));
  together.forEach((r, i) => {
    emit(`${unlimited[i]?.label ?? '?'} (batched)`, 'inspectFiles', r);
  });
  for (const c of plan.files) {
    const options = c.sizeLimit === undefined ? {} : { sizeLimit: c.sizeLimit };
    emit(c.label, 'inspectFileSync', inspectFileSync(c.path, options));
  }

  for (const c of plan.buffers) buffer(c.label, Buffer.from(c.hex, 'hex'));

  for (const batch of plan.random) {
    const next = prng(batch.seed);
    const prefix = Buffer.from(batch.prefixHex, 'hex');
    for (let i = 0; i < batch.count; i++) {
      const length = prefix.length + (next() % (batch.maxLength + 1));
      const data = Buffer.alloc(length);
      prefix.copy(data);
      for (let j = prefix.length; j < length; j++) data[j] = next() & 0xff;
      buffer(`${batch.label} #${i}`, data);
    }
  }

  for (const batch of plan.mutations) {
    const original = readFileSync(batch.path);
    const next = prng(batch.seed);
    for (let i = 0; i < batch.count; i++) {
      const data = Buffer.from(original);
      const flips = 1 + (next() % 16);
      for (let k = 0; k < flips; k++) {
        // Most flips land in the headers, where the parsers make their decisions.
        const span = next() % 2 === 0 ? Math.min(512, data.length) : data.length;
        data[next() % span] = next() & 0xff;
      }
      const cut = next() % 3 === 0 ? next() % data.length : data.length;
      buffer(`${batch.label} #${i}`, data.subarray(0, cut));
    }
  }

  const done: Done = { done: true, cases };
  process.stdout.write(`${JSON.stringify(done)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`hostile-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
