/** What a benchmark run records: the machine, the tools, and one result per suite (bench/results.json). */
import type { Measured } from './measure.js';

export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface Reproduce {
  /** Which figure(s) these commands produce. */
  readonly label: string;
  readonly commands: readonly string[];
}

export interface SuiteResult {
  readonly id: string;
  readonly title: string;
  /** The goal from issue 7 and whether this run met it, one line each. */
  readonly verdicts: readonly string[];
  /** What was measured on (sizes, package counts, …). */
  readonly inputs: readonly string[];
  readonly tables: readonly Table[];
  readonly reproduce: readonly Reproduce[];
  readonly notes: readonly string[];
  /** Every raw sample, for re-analysis. */
  readonly measured: readonly Measured[];
  /** Wall time the suite took, preparation included. */
  readonly suiteSeconds: number;
}

export interface Machine {
  readonly date: string;
  readonly host: string;
  readonly os: string;
  readonly kernel: string;
  readonly cpuModel: string;
  readonly nproc: number;
  readonly ramGiB: number;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly commit: string;
}

export interface BenchResults {
  readonly schema: 'napi-ship.bench/1';
  readonly machine: Machine;
  readonly tools: readonly { readonly name: string; readonly version: string }[];
  readonly settings: { readonly runs: number; readonly warmup: number; readonly quick: boolean; readonly suites: readonly string[] };
  readonly suites: readonly SuiteResult[];
  readonly totalSeconds: number;
}

// ---------------------------------------------------------------------------------------------
// Number formatting shared by the suites.

export function seconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/** Why a variant has no figures: the first line of its error, short. */
export function reason(m: Measured | undefined): string {
  return (m?.unavailable ?? 'not measured').split('\n')[0]?.slice(0, 240) ?? 'not measured';
}

/** `1.23 s (1.10–1.40)`: median with min–max; `n/a: why` when the tool could not run. */
export function spread(m: Measured): string {
  if (m.stats === null) return `n/a: ${reason(m)}`;
  const s = m.stats;
  return `${seconds(s.medianMs)} (${seconds(s.minMs)}–${seconds(s.maxMs)})`;
}

/** How many times faster `ours` is than `theirs` (medians): `12.3×`; `0.8×` when slower. */
export function speedup(ours: Measured | undefined, theirs: Measured | undefined): string {
  if (!ours?.stats || !theirs?.stats) return 'n/a';
  return `${(theirs.stats.medianMs / ours.stats.medianMs).toFixed(theirs.stats.medianMs / ours.stats.medianMs >= 10 ? 1 : 2)}×`;
}

/** `3.2× as fast as` / `1.5× slower than`, from a speed-up ratio. */
export function asFastAs(x: number | null, what: string): string {
  if (x === null) return `not compared with ${what} (not measured)`;
  return x >= 1 ? `${x.toFixed(x >= 10 ? 1 : 2)}× as fast as ${what}` : `${(1 / x).toFixed(2)}× slower than ${what}`;
}

export function speedupValue(ours: Measured | undefined, theirs: Measured | undefined): number | null {
  if (!ours?.stats || !theirs?.stats) return null;
  return theirs.stats.medianMs / ours.stats.medianMs;
}

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes >= 100 * 1024 * 1024 ? 0 : 1)} MiB`;
}

export function runsNote(m: Measured): string {
  return m.stats === null ? '' : `${m.stats.runsMs.length}`;
}
