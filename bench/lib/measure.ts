/**
 * Timing: variants of one comparison run interleaved (A B C, A B C, …) so that drift on a shared
 * machine hits them alike; each variant's untimed `setup` runs right before its timed body.
 */

export interface Stats {
  /** Wall times in milliseconds, in run order. */
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface Variant {
  readonly id: string;
  /** What the table shows. */
  readonly label: string;
  /** The commands a reader runs to reproduce it (shown in BENCHMARKS.md). */
  readonly commands: readonly string[];
  /** Untimed preparation before every run (fresh output dir, fresh registry, …). */
  readonly setup?: () => Promise<void>;
  /** The timed body. */
  readonly body: () => Promise<void>;
  /** Untimed clean-up after every run. */
  readonly teardown?: () => Promise<void>;
  /** Set when the tool cannot run here at all: the variant is reported with this reason, never run. */
  readonly unavailable?: string | null;
  /**
   * napi-ship's own variant (default: an id starting with `ns`): when it fails, `bench/run` exits 1;
   * a baseline that cannot run is only reported.
   */
  readonly ours?: boolean;
}

export interface Measured {
  readonly id: string;
  readonly label: string;
  readonly commands: readonly string[];
  readonly stats: Stats | null;
  /** Why there are no figures (the tool cannot run here), when `stats` is null. */
  readonly unavailable: string | null;
  /** It ran and failed (as opposed to being skipped or not available in this checkout). */
  readonly failed: boolean;
  readonly ours: boolean;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function stats(runsMs: readonly number[]): Stats {
  return { runsMs, medianMs: median(runsMs), minMs: Math.min(...runsMs), maxMs: Math.max(...runsMs) };
}

export interface CompareOptions {
  readonly runs: number;
  /** Untimed runs of every variant first (warm page cache, JIT, lazily built caches). */
  readonly warmup: number;
  /** Progress on stderr. */
  readonly log: (line: string) => void;
}

/**
 * Run every variant `runs` times, interleaved. A variant whose first run throws is reported as
 * unavailable with the error (the others go on); an error in a later run is a real failure.
 */
export async function compare(variants: readonly Variant[], o: CompareOptions): Promise<Measured[]> {
  const samples = new Map<string, number[]>();
  const unavailable = new Map<string, string>();
  for (const v of variants) if (v.unavailable != null) unavailable.set(v.id, v.unavailable);
  for (let w = 0; w < o.warmup; w++) {
    for (const v of variants) {
      if (unavailable.has(v.id)) continue;
      try {
        o.log(`  warm-up ${v.label}`);
        await time(v);
      } catch (error) {
        unavailable.set(v.id, error instanceof Error ? error.message : String(error));
      }
    }
  }
  for (let i = 0; i < o.runs; i++) {
    for (const v of variants) {
      if (unavailable.has(v.id)) continue;
      const list = samples.get(v.id) ?? [];
      try {
        const ms = await time(v);
        list.push(ms);
        samples.set(v.id, list);
        o.log(`  run ${i + 1}/${o.runs} ${v.label}: ${(ms / 1000).toFixed(2)} s`);
      } catch (error) {
        if (list.length > 0) throw error;
        unavailable.set(v.id, error instanceof Error ? error.message : String(error));
        o.log(`  ${v.label}: unavailable (${(unavailable.get(v.id) ?? '').split('\n')[0] ?? ''})`);
      }
    }
  }
  return variants.map((v) => {
    const list = samples.get(v.id);
    return {
      id: v.id,
      label: v.label,
      commands: v.commands,
      stats: list !== undefined && list.length > 0 ? stats(list) : null,
      unavailable: list !== undefined && list.length > 0 ? null : (unavailable.get(v.id) ?? 'not run'),
      failed: (list === undefined || list.length === 0) && v.unavailable == null,
      ours: v.ours ?? v.id.startsWith('ns'),
    };
  });
}

/** The timed part only: setup before the clock starts, teardown after it stops. */
async function time(v: Variant): Promise<number> {
  if (v.setup) await v.setup();
  const started = process.hrtime.bigint();
  let ms: number;
  try {
    await v.body();
  } finally {
    ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (v.teardown) await v.teardown();
  }
  return ms;
}
