/**
 * Fuzz napi-ship's file layer with seeded hostile releases (scripts/lib/file-fuzz.ts) for a bounded
 * time: every case must end, within its bound, in a typed error (an NS_ code, no stack trace, no raw
 * control character) and a publish must send no PUT to the loopback registry.
 *
 *   node dist/scripts/file-fuzz.js [--seconds 60] [--seed N] [--cases N] [--run-timeout 15]
 *
 * Case i uses seed N+i; the seed is printed first, and a failing case is printed with its own seed:
 * `--seed <that seed> --cases 1` replays it. Exit 0 when every case held, 1 when one did not, 2 on
 * bad arguments.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeCase, prepareFuzzBase, runCase } from './lib/file-fuzz.js';
import { scriptArgs } from './lib/script-args.js';

const USAGE =
  'usage: node dist/scripts/file-fuzz.js [--seconds N (default 60)] [--seed N] [--cases N] [--run-timeout SECONDS (default 15)]\n';

const { values, whole } = scriptArgs('file-fuzz', USAGE, {
  options: {
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string' },
    cases: { type: 'string' },
    'run-timeout': { type: 'string', default: '15' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
const seconds = whole(values.seconds, '--seconds', 1, 86_400);
const seed = whole(values.seed, '--seed', 0, 2 ** 31) ?? Date.now() % 1_000_000;
const maxCases = whole(values.cases, '--cases', 1, 1_000_000) ?? Infinity;
const boundMs = whole(values['run-timeout'], '--run-timeout', 1, 600) * 1000;

const scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-file-fuzz-'));
process.stdout.write(
  `file-fuzz: seed ${String(seed)}, ${String(seconds)} s, ${String(boundMs / 1000)} s per run (replay a case: --seed <its seed> --cases 1)\n`,
);
const base = await prepareFuzzBase(scratch);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([base.registry.stop(), rm(scratch, { recursive: true, force: true })]).then(() => process.exit(130));
  });
}
const deadline = Date.now() + seconds * 1000;
let cases = 0;
let runs = 0;
let failed = 0;
const kinds = new Map<string, number>();
try {
  while (cases < maxCases && Date.now() < deadline) {
    const caseSeed = seed + cases;
    const dir = path.join(scratch, `case-${String(caseSeed)}`);
    const c = await makeCase(base, caseSeed, dir);
    const r = await runCase(base, c, boundMs);
    cases++;
    runs += r.runs;
    kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    if (r.failures.length > 0) {
      failed++;
      process.stdout.write(
        `FAILED case seed ${String(caseSeed)} (${c.kind}: ${JSON.stringify(c.detail)}):\n  ${r.failures.join('\n  ')}\n`,
      );
    }
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  await base.registry.stop();
  await rm(scratch, { recursive: true, force: true });
}
process.stdout.write(
  `file-fuzz: ${String(cases)} cases (${[...kinds].map(([k, n]) => `${k} ${String(n)}`).join(', ')}), ${String(runs)} runs, ${String(failed)} failed; seed ${String(seed)}\n`,
);
process.exit(failed === 0 ? 0 : 1);
