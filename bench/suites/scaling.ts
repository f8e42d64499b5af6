/**
 * 6. Scaling: `napi-ship release --dry-run` time for 2, 8 and 16 targets, and for 1, 5, 25 and 100 MiB
 * binaries — how the cost grows with the work.
 */
import { CORE_TARGETS, EXTRA_TARGETS } from '../lib/binaries.js';
import { fresh, type BenchContext, type TargetSet, targetCount } from '../lib/context.js';
import { compare, type Measured, type Variant } from '../lib/measure.js';
import { mustRun, napiShip, run, show, type Cmd } from '../lib/proc.js';
import { isRecord } from '../../src/util/json.js';
import type { Release } from '../lib/release.js';
import { mib, seconds, spread, type SuiteResult, type Table } from '../lib/results.js';

function setFor(n: number): TargetSet {
  if (n === 2) return 'first2';
  if (n === 8) return 'core8';
  if (n === 16) return 'all16';
  throw new Error(`BENCH_SCALING_TARGETS: ${String(n)} targets is not one of 2, 8, 16`);
}

interface Point {
  readonly key: string;
  readonly release: Release;
  readonly variant: Variant;
  readonly cmd: Cmd;
  readonly out: string;
}

/** Phases of a dry run, matched on the progress step names `--log-format json` prints. */
const PHASES: readonly (readonly [string, RegExp])[] = [
  ['plan + staging copy + stage', /release plan|staging|copying/i],
  ['verify', /verif(y|ying) every/i],
  ['pack', /packing/i],
  ['SBOM + policy', /sbom|dependency graphs|licen[cs]es|policy/i],
  ['sign + verify-manifest', /sign/i],
  ['report', /report/i],
];

/**
 * One extra, untimed run with `--log-format json`: each step's start time, so the table can show
 * where the time goes (a step lasts until the next one starts; the last until the process exits).
 */
async function breakdown(cmd: Cmd): Promise<Map<string, number> | null> {
  const started = Date.now();
  const r = await run({ ...cmd, args: [...cmd.args, '--log-format', 'json'] });
  const ended = Date.now();
  if (r.code !== 0) return null;
  const starts: { phase: string; at: number }[] = [];
  for (const line of r.stderr.split('\n')) {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(v) || v.event !== 'start' || typeof v.step !== 'string' || typeof v.time !== 'string') continue;
    const phase = PHASES.find(([, re]) => re.test(String(v.step)))?.[0] ?? 'other';
    starts.push({ phase, at: Date.parse(v.time) });
  }
  if (starts.length === 0) return null;
  const out = new Map<string, number>([['start-up (node, CLI, core)', (starts[0]?.at ?? started) - started]]);
  starts.forEach((st, i) => {
    const until = starts[i + 1]?.at ?? ended;
    out.set(st.phase, (out.get(st.phase) ?? 0) + Math.max(0, until - st.at));
  });
  return out;
}

export async function scalingSuite(ctx: BenchContext): Promise<SuiteResult> {
  const started = Date.now();
  const flags = ctx.dryRunFlags();
  const points = new Map<string, Point>();
  const point = async (set: TargetSet, size: number): Promise<void> => {
    const key = `${set}/${String(size)}`;
    if (points.has(key)) return;
    const release = await ctx.release(set, size);
    const out = ctx.path('scaling', `${set}-${String(size)}`);
    const cmd = napiShip([
      'release',
      '--dry-run',
      ...flags,
      '--strict',
      '--cwd',
      release.root,
      '--artifacts',
      release.artifacts,
      '--out',
      out,
    ]);
    points.set(key, {
      key,
      release,
      cmd,
      out,
      variant: {
        id: key,
        ours: true,
        label: `${String(targetCount(set))} targets × ${String(size)} MiB`,
        commands: [show(cmd, ctx.scratch)],
        setup: async () => {
          await fresh(out);
          await ctx.emptyCache();
        },
        body: async () => {
          await mustRun(cmd);
        },
      },
    });
  };
  for (const n of ctx.settings.scalingTargets) await point(setFor(n), ctx.settings.scalingTargetSize);
  for (const s of ctx.settings.scalingSizes) await point('core8', s);

  // What the dry-run suite already measured in this run (same command, same inputs) is reused.
  const reused = new Map<string, Measured>();
  for (const p of points.values()) {
    const m = ctx.dryRuns.get(p.key.replace(/^core8\//, 'core8/'));
    if (m?.stats && p.key.startsWith('core8/')) reused.set(p.key, m);
  }
  const toRun = [...points.values()].filter((p) => !reused.has(p.key)).map((p) => p.variant);
  ctx.log(`scaling: ${String(toRun.length)} dry runs to measure, ${String(reused.size)} reused from the dry-run suite`);
  const measured = await compare(toRun, ctx.compareOptions);
  const all = new Map<string, Measured>([...reused, ...measured.map((m): [string, Measured] => [m.id, m])]);

  const row = (key: string, per: (m: Measured, r: Release) => string): string[] => {
    const p = points.get(key);
    const m = all.get(key);
    if (p === undefined || m === undefined) return [key, 'n/a', 'n/a', 'n/a'];
    return [p.variant.label, mib(p.release.binaryBytes), spread(m), m.stats ? per(m, p.release) : 'n/a'];
  };
  const targetRows = ctx.settings.scalingTargets.map((n) =>
    row(`${setFor(n)}/${String(ctx.settings.scalingTargetSize)}`, (m, r) => seconds(m.stats ? m.stats.medianMs / r.binaries.length : 0)),
  );
  const sizeRows = ctx.settings.scalingSizes.map((s) =>
    row(`core8/${String(s)}`, (m, r) => `${(r.binaryBytes / (1024 * 1024) / ((m.stats?.medianMs ?? 1) / 1000)).toFixed(0)} MiB/s`),
  );
  // Where the time goes, for each size (one untimed run each).
  const tables: Table[] = [];
  if (ctx.cli.releaseFlags.has('--log-format')) {
    const phaseNames = ['start-up (node, CLI, core)', ...PHASES.map(([n]) => n), 'other'];
    const rows: string[][] = [];
    for (const s of ctx.settings.scalingSizes) {
      const p = points.get(`core8/${String(s)}`);
      if (p === undefined) continue;
      await fresh(p.out);
      await ctx.emptyCache();
      const b = await breakdown(p.cmd);
      if (b === null) continue;
      const total = [...b.values()].reduce((a, v) => a + v, 0);
      rows.push([
        p.variant.label,
        ...phaseNames.map((n) => (b.has(n) ? `${seconds(b.get(n) ?? 0)} (${(((b.get(n) ?? 0) / total) * 100).toFixed(0)} %)` : '–')),
      ]);
    }
    if (rows.length > 0)
      tables.push({
        title: 'Where the time goes (one extra run per size with `--log-format json`: a step lasts until the next starts)',
        columns: ['release', ...phaseNames],
        rows,
      });
  }

  const medianOf = (key: string): string => {
    const m = all.get(key);
    return m?.stats ? seconds(m.stats.medianMs) : 'n/a';
  };
  const first = <T>(list: readonly T[]): T | undefined => list[0];
  const last = <T>(list: readonly T[]): T | undefined => list[list.length - 1];
  const verdicts: string[] = [];
  const t0 = first(ctx.settings.scalingTargets);
  const t1 = last(ctx.settings.scalingTargets);
  if (t0 !== undefined && t1 !== undefined && t0 !== t1) {
    const size = String(ctx.settings.scalingTargetSize);
    verdicts.push(
      `dry run with ${size} MiB binaries: ${medianOf(`${setFor(t0)}/${size}`)} for ${String(t0)} targets, ${medianOf(`${setFor(t1)}/${size}`)} for ${String(t1)}.`,
    );
  }
  const s0 = first(ctx.settings.scalingSizes);
  const s1 = last(ctx.settings.scalingSizes);
  if (s0 !== undefined && s1 !== undefined && s0 !== s1) {
    verdicts.push(
      `dry run of 8 targets: ${medianOf(`core8/${String(s0)}`)} with ${String(s0)} MiB binaries, ${medianOf(`core8/${String(s1)}`)} with ${String(s1)} MiB.`,
    );
  }

  return {
    id: 'scaling',
    title: 'Scaling',
    verdicts,
    inputs: [
      `Targets: the first 2 of the core's targets (${CORE_TARGETS.slice(0, 2)
        .map((t) => t.abi)
        .join(
          ', ',
        )}), the core's 8, and 16 — the core's 8 plus ${EXTRA_TARGETS.map((t) => t.abi).join(', ')}: 16 distinct napi-rs triples in one root package, each with a real binary cross-built for it (napi-rs refuses one triple twice, so copies under extra names would not be a valid release).`,
      `Sizes: the 8 core targets with every binary padded to ${ctx.settings.scalingSizes.join(', ')} MiB.`,
      'No 32-target row: napi-rs knows fewer than 32 distinct triples it would put in one root package (it refuses one triple twice), so a 32-target release cannot be built honestly; 16 is the largest real one here.',
    ],
    tables: [
      {
        title: `napi-ship release --dry-run by target count (${String(ctx.settings.scalingTargetSize)} MiB binaries)`,
        columns: ['release', 'binaries', 'time', 'per target'],
        rows: targetRows,
      },
      {
        title: 'napi-ship release --dry-run by binary size (8 targets)',
        columns: ['release', 'binaries', 'time', 'throughput over binary bytes'],
        rows: sizeRows,
      },
      ...tables,
    ],
    notes: ['Rows the dry-run suite measured in the same run (same command, same inputs) are taken from it rather than measured twice.'],
    measured: [...all.values()],
    reproduce: [
      {
        label: 'every row',
        commands: ['BENCH_ONLY=scaling bench/run', ...[...points.values()].flatMap((p) => [`# ${p.variant.label}`, ...p.variant.commands])],
      },
    ],
    suiteSeconds: (Date.now() - started) / 1000,
  };
}
