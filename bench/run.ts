/**
 * Run the benchmark suites of issue 7 and write BENCHMARKS.md from their results.
 *
 *   bench/run                      every suite, 5 runs each: writes BENCHMARKS.md and bench/results.json
 *   BENCH_QUICK=1 bench/run        a smoke test of the scripts (1 run, 1 MiB binaries)
 *   BENCH_ONLY=hash,pack bench/run some suites
 *   node dist/bench/run.js --report-only   BENCHMARKS.md again from bench/results.json
 *
 * A full run (every suite, ≥5 runs, not quick) writes the committed BENCHMARKS.md and
 * bench/results.json; any other run writes them under .cache/bench/ so a smoke test never
 * replaces the real figures (BENCH_WRITE=1 forces the committed paths).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BenchContext, settingsFromEnv, SUITES, type SuiteId } from './lib/context.js';
import { machine, toolVersions } from './lib/machine.js';
import { renderBenchmarks } from './lib/report.js';
import { repoRoot } from './lib/proc.js';
import type { BenchResults, SuiteResult } from './lib/results.js';
import { dryRunSuite } from './suites/dry-run.js';
import { hashSuite } from './suites/hash.js';
import { packSuite } from './suites/pack.js';
import { publishSuite } from './suites/publish.js';
import { sbomSuite } from './suites/sbom.js';
import { scalingSuite } from './suites/scaling.js';

const RUNNERS: Readonly<Record<SuiteId, (ctx: BenchContext) => Promise<SuiteResult>>> = {
  'dry-run': dryRunSuite,
  hash: hashSuite,
  pack: packSuite,
  publish: publishSuite,
  sbom: sbomSuite,
  scaling: scalingSuite,
};

const TITLES: Readonly<Record<SuiteId, string>> = {
  'dry-run': 'Dry run',
  hash: 'Hashing and start-up',
  pack: 'Pack',
  publish: 'Publish',
  sbom: 'SBOM',
  scaling: 'Scaling',
};

const committed = { results: path.join(repoRoot, 'bench', 'results.json'), markdown: path.join(repoRoot, 'BENCHMARKS.md') };
const scratchOut = {
  results: path.join(repoRoot, '.cache', 'bench', 'results.json'),
  markdown: path.join(repoRoot, '.cache', 'bench', 'BENCHMARKS.md'),
};

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function write(results: BenchResults, to: { results: string; markdown: string }): Promise<void> {
  await mkdir(path.dirname(to.results), { recursive: true });
  await writeFile(to.results, JSON.stringify(results, null, 2) + '\n');
  await writeFile(to.markdown, renderBenchmarks(results));
  log(`wrote ${path.relative(repoRoot, to.markdown)} and ${path.relative(repoRoot, to.results)}`);
}

async function main(): Promise<number> {
  if (process.argv.includes('--report-only')) {
    const from = process.argv.includes('--scratch') ? scratchOut : committed;
    const results = JSON.parse(await readFile(from.results, 'utf8')) as BenchResults;
    await writeFile(from.markdown, renderBenchmarks(results));
    log(`rewrote ${path.relative(repoRoot, from.markdown)} from ${path.relative(repoRoot, from.results)}`);
    return 0;
  }
  const started = Date.now();
  const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const settings = settingsFromEnv();
  log(`suites: ${settings.suites.join(', ')}; ${String(settings.runs)} run(s) each${settings.quick ? ' (quick)' : ''}`);
  const ctx = await BenchContext.create(settings, log);
  log(`napi-ship commands: ${[...ctx.cli.commands].join(' ')}; release flags used: ${ctx.dryRunFlags().join(' ') || '(none)'}`);
  const suites: SuiteResult[] = [];
  let failed = false;
  try {
    for (const id of SUITES) {
      if (!settings.suites.includes(id)) continue;
      log(`— ${TITLES[id]} —`);
      const t0 = Date.now();
      try {
        suites.push(await RUNNERS[id](ctx));
      } catch (error) {
        failed = true;
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        log(`${id} failed: ${message}`);
        suites.push({
          id,
          title: TITLES[id],
          verdicts: [`the suite failed: ${message.split('\n')[0] ?? ''}`],
          inputs: [],
          tables: [],
          reproduce: [],
          notes: ['```', ...message.split('\n').slice(0, 20), '```'],
          measured: [],
          suiteSeconds: (Date.now() - t0) / 1000,
        });
      }
      log(`${id} took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await ctx.close();
  }
  const results: BenchResults = {
    schema: 'napi-ship.bench/1',
    machine: await machine(loadBefore),
    tools: await toolVersions(),
    settings: { runs: settings.runs, warmup: settings.warmup, quick: settings.quick, suites: settings.suites },
    suites,
    totalSeconds: (Date.now() - started) / 1000,
  };
  for (const m of suites.flatMap((x) => x.measured)) {
    if (m.ours && m.failed) {
      failed = true;
      log(`napi-ship failed in "${m.label}": ${(m.unavailable ?? '').split('\n')[0] ?? ''}`);
    }
  }
  const full = !settings.quick && settings.runs >= 5 && SUITES.every((s) => settings.suites.includes(s));
  await write(results, full || process.env.BENCH_WRITE === '1' ? committed : scratchOut);
  log(`total ${results.totalSeconds.toFixed(0)} s`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
