/**
 * What every suite shares: settings from the environment, the scratch dir, the inputs built once per
 * `bench/run` (binaries and synthetic releases), what this checkout's CLI offers, and a registry.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startRegistry, type Registry } from '../../src/rehearsal/registry.js';
import { ALL_TARGETS, CORE_TARGETS, ensureBinaries, MIB, type BenchTarget } from './binaries.js';
import type { Measured } from './measure.js';
import { napiShip, run } from './proc.js';
import { writeRelease, type Release } from './release.js';

export const SUITES = ['dry-run', 'hash', 'pack', 'publish', 'sbom', 'scaling'] as const;
export type SuiteId = (typeof SUITES)[number];

export interface Settings {
  readonly runs: number;
  readonly warmup: number;
  readonly quick: boolean;
  readonly suites: readonly SuiteId[];
  /** Binary sizes (MiB) of the dry-run comparison. */
  readonly dryRunSizes: readonly number[];
  /** Sizes at which `napi pre-publish --dry-run` joins the dry-run comparison. */
  readonly napiSizes: readonly number[];
  /** Binary size (MiB) of the hash, pack and publish inputs. */
  readonly hashSize: number;
  readonly packSize: number;
  readonly publishSize: number;
  readonly scalingTargets: readonly number[];
  readonly scalingSizes: readonly number[];
  /** Size (MiB) the target-count scaling rows use. */
  readonly scalingTargetSize: number;
  readonly keep: boolean;
}

function intEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}=${v} is not a whole number`);
  return n;
}

function listEnv(name: string, fallback: readonly number[]): number[] {
  const v = process.env[name];
  if (v === undefined || v === '') return [...fallback];
  return v.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${v}: "${s}" is not a positive number`);
    return n;
  });
}

/**
 * BENCH_QUICK=1: one run, 1 MiB binaries everywhere (a smoke test of the scripts, not figures).
 * BENCH_RUNS=N, BENCH_WARMUP=N, BENCH_ONLY=dry-run,hash,…, BENCH_KEEP=1 (keep the scratch dir),
 * BENCH_DRY_RUN_SIZES=5,25, BENCH_NAPI_SIZES=5 (where napi pre-publish joins), BENCH_HASH_SIZE, BENCH_PACK_SIZE, BENCH_PUBLISH_SIZE,
 * BENCH_SCALING_TARGETS=2,8,16, BENCH_SCALING_SIZES=1,5,25 (MiB).
 */
export function settingsFromEnv(): Settings {
  const quick = process.env.BENCH_QUICK === '1';
  const only = process.env.BENCH_ONLY;
  const suites = only === undefined || only === '' ? [...SUITES] : only.split(',').map((s) => s.trim());
  for (const s of suites)
    if (!(SUITES as readonly string[]).includes(s)) throw new Error(`BENCH_ONLY: unknown suite "${s}" (have ${SUITES.join(', ')})`);
  const runs = intEnv('BENCH_RUNS', quick ? 1 : 5);
  if (runs < 1) throw new Error('BENCH_RUNS must be at least 1');
  return {
    runs,
    warmup: intEnv('BENCH_WARMUP', 0),
    quick,
    suites: suites as SuiteId[],
    dryRunSizes: listEnv('BENCH_DRY_RUN_SIZES', quick ? [1] : [5, 25]),
    napiSizes: listEnv('BENCH_NAPI_SIZES', quick ? [1] : [5]),
    hashSize: listEnv('BENCH_HASH_SIZE', quick ? [1] : [25])[0] ?? 25,
    packSize: listEnv('BENCH_PACK_SIZE', quick ? [1] : [5])[0] ?? 5,
    publishSize: listEnv('BENCH_PUBLISH_SIZE', quick ? [1] : [5])[0] ?? 5,
    scalingTargets: listEnv('BENCH_SCALING_TARGETS', quick ? [2, 8] : [2, 8, 16]),
    scalingSizes: listEnv('BENCH_SCALING_SIZES', quick ? [1] : [1, 5, 25, 100]),
    scalingTargetSize: listEnv('BENCH_SCALING_TARGET_SIZE', quick ? [1] : [5])[0] ?? 5,
    keep: process.env.BENCH_KEEP === '1',
  };
}

/** What this checkout's CLI offers (features land concurrently; the suites adapt and say so). */
export interface CliFeatures {
  readonly commands: ReadonlySet<string>;
  /** Flags `release --help` lists, e.g. `--no-rehearsal`, `--no-build`. */
  readonly releaseFlags: ReadonlySet<string>;
  readonly help: Readonly<Record<string, string>>;
}

async function probeCli(): Promise<CliFeatures> {
  const top = await run(napiShip(['--help']));
  const commands = new Set<string>();
  let inList = false;
  for (const line of top.stdout.split('\n')) {
    if (/^Commands:/.test(line)) {
      inList = true;
      continue;
    }
    if (inList) {
      const m = /^ {2}([a-z][a-z-]*)\s/.exec(line);
      if (m?.[1] !== undefined) commands.add(m[1]);
      else if (line.trim() === '') inList = false;
    }
  }
  const help: Record<string, string> = {};
  for (const c of ['release', 'publish', 'sbom', 'pack', 'hash']) {
    if (commands.has(c)) help[c] = (await run(napiShip([c, '--help']))).stdout;
  }
  const releaseFlags = new Set((help.release ?? '').match(/--[a-z][a-z-]*/g) ?? []);
  return { commands, releaseFlags, help };
}

export type TargetSet = 'first2' | 'core8' | 'all16';

export function targetsOf(set: TargetSet): readonly BenchTarget[] {
  return set === 'first2' ? CORE_TARGETS.slice(0, 2) : set === 'core8' ? CORE_TARGETS : ALL_TARGETS;
}

export function targetCount(set: TargetSet): number {
  return targetsOf(set).length;
}

export class BenchContext {
  private readonly releases = new Map<string, Promise<Release>>();
  private readonly cleanups: (() => Promise<void>)[] = [];
  /** Dry-run measurements by `<targets>/<MiB>`, so scaling reuses what the dry-run suite measured. */
  readonly dryRuns = new Map<string, Measured>();
  private sharedRegistry: Promise<Registry> | null = null;

  private constructor(
    readonly settings: Settings,
    readonly scratch: string,
    readonly cli: CliFeatures,
    readonly log: (line: string) => void,
  ) {}

  static async create(settings: Settings, log: (line: string) => void): Promise<BenchContext> {
    const base = process.env.BENCH_DIR;
    let scratch: string;
    if (base !== undefined && base !== '') {
      scratch = path.resolve(base);
      await mkdir(scratch, { recursive: true });
    } else {
      scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-bench-'));
    }
    // Every napi-ship command run by the bench packs through a tarball cache inside the scratch dir.
    process.env.NAPI_SHIP_CACHE_DIR = path.join(scratch, 'cache');
    return new BenchContext(settings, scratch, await probeCli(), log);
  }

  /** The bench's own tarball cache dir (NAPI_SHIP_CACHE_DIR of every napi-ship command it runs). */
  get cacheDir(): string {
    return this.path('cache');
  }

  /** Empty the tarball cache: the next napi-ship run is a first run (untimed set-up). */
  async emptyCache(): Promise<void> {
    await rm(this.cacheDir, { recursive: true, force: true });
  }

  /** How `compare` runs: the settings' runs and warm-ups, progress to the log. */
  get compareOptions(): { runs: number; warmup: number; log: (line: string) => void } {
    return { runs: this.settings.runs, warmup: this.settings.warmup, log: this.log };
  }

  path(...parts: string[]): string {
    return path.join(this.scratch, ...parts);
  }

  /** A synthetic release of `set`'s targets with binaries of `mib` MiB each (built once per run). */
  release(set: TargetSet, mib: number): Promise<Release> {
    const key = `${set}-${String(mib)}`;
    let p = this.releases.get(key);
    if (p === undefined) {
      p = (async (): Promise<Release> => {
        const binaries = await ensureBinaries(targetsOf(set), Math.round(mib * MIB), this.log);
        this.log(`writing the synthetic release ${key} (${binaries.length} targets)`);
        return writeRelease(this.path('releases', key), `@bench/addon-${set}`, binaries);
      })();
      this.releases.set(key, p);
    }
    return p;
  }

  /** Release flags this checkout's `release --dry-run` should get for a pure local dry run. */
  dryRunFlags(): string[] {
    const flags: string[] = [];
    if (this.cli.releaseFlags.has('--no-rehearsal')) flags.push('--no-rehearsal');
    // Belt and braces: nothing in a timed dry run may wait on the network.
    if (this.cli.releaseFlags.has('--offline')) flags.push('--offline');
    // The fixture binaries are padded C objects with the napi symbol, not real addons: they are not loaded.
    if (this.cli.releaseFlags.has('--no-load')) flags.push('--no-load');
    return flags;
  }

  /**
   * One verdaccio for the whole run (`npm publish --dry-run` asks a registry for the packument; against
   * a dead one it retries for about 70 s and still exits 0, so it is checked before every use and
   * restarted when it stopped answering).
   */
  async registry(): Promise<Registry> {
    if (this.sharedRegistry !== null) {
      const r = await this.sharedRegistry;
      if (await registryAlive(r.url)) return r;
      this.log(`the shared verdaccio at ${r.url} stopped answering: starting another`);
      await r.stop();
    }
    this.sharedRegistry = startRegistry();
    const r = await this.sharedRegistry;
    this.onCleanup(() => r.stop());
    return r;
  }

  onCleanup(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        this.log(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (!this.settings.keep) await rm(this.scratch, { recursive: true, force: true });
    else this.log(`kept the scratch dir ${this.scratch}`);
  }
}

/** Does the registry answer its ping within 2 s? */
export async function registryAlive(url: string): Promise<boolean> {
  try {
    const r = await fetch(new URL('-/ping', url), { signal: AbortSignal.timeout(2000) });
    return r.ok;
  } catch {
    return false;
  }
}

/** Remove a dir (untimed set-up between runs). */
export async function fresh(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}
