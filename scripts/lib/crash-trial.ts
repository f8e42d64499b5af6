/**
 * One crash trial of `napi-ship publish` against a real registry: start the CLI publisher, SIGKILL it
 * at a chosen moment, then resume it; a monitor reads the registry the whole time.
 *
 * The invariants checked on every sample (root read first, then the platform packages, so a sample
 * can only under-report the platform packages, never the root):
 *   I1  the root version is visible only when every platform package it pins is visible at the
 *       pinned version with the release manifest's integrity;
 *   I2  whatever version the root's `latest` (and the requested tag) points at is complete: every
 *       package its published `optionalDependencies` pin is on the registry.
 * After the resume: every package published with our integrity, the requested tag on all of them,
 * the staging tag on none, the journal ending in a `published` run.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReleaseManifest } from '../../src/manifest/index.js';
import { JOURNAL_FILE, journalRuns, readJournal, releaseStatus } from '../../src/publish/index.js';
import { RegistryClient } from '../../src/registry/index.js';
import { readPackument, type Packument } from '../../src/registry/packument.js';
import { repoRoot } from './repo.js';
import { mulberry32 } from './fault-proxy.js';
import { buildFixtureRelease, type FixtureRelease } from './publish-release.js';
import { nerfDart } from '../../src/registry/npmrc.js';

export interface CrashTrialOptions {
  readonly registryUrl: string;
  readonly token: string;
  readonly release: FixtureRelease;
  /**
   * When to SIGKILL the publisher: once its journal holds `afterRecords` records (0: counting from
   * the spawn), `extraMs` later. Record counts spread the kills over every step of the publish;
   * the extra delay lands them inside a step rather than on its boundary.
   */
  readonly kill: { readonly afterRecords: number; readonly extraMs: number };
  /** The dist-tag the release must end under (default: what the CLI picks, `latest`/`next`). */
  readonly expectedTag: string;
  /** Pause between monitor samples (default 100 ms). */
  readonly pollMs?: number;
  /** Upper bound for each CLI run (default 120 s): a hung publisher fails the trial. */
  readonly runTimeoutMs?: number;
}

export interface CrashTrialResult {
  /** The publisher was still running when the kill came (otherwise it had already finished). */
  readonly killed: boolean;
  readonly firstExitCode: number | null;
  /** Journal records of this release on disk right after the kill, and the last one's type/package. */
  readonly journalRecordsAtKill: number;
  readonly lastRecordAtKill: string | null;
  /** What the registry held right after the kill. */
  readonly stateAtKill: { readonly platformsVisible: number; readonly platforms: number; readonly rootVisible: boolean };
  readonly resumedWith: '--resume' | 'plain re-run' | 'not needed';
  readonly resumeExitCode: number | null;
  readonly samples: number;
  /** ms from the spawn to the publisher's first journal record (`null`: it wrote none). */
  readonly startupMs: number | null;
  /** Every invariant violation seen, and anything wrong with the final state. Empty = the trial passed. */
  readonly violations: readonly string[];
}

interface Child {
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  readonly kill: () => boolean;
}

function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Child {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'napi-ship.js'), ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
  return { done, kill: () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL') };
}

/** One sample of the registry against the invariants; returns the violations and a summary. */
export async function checkInvariants(
  registryUrl: string,
  manifest: ReleaseManifest,
  tags: readonly string[],
): Promise<{ violations: string[]; platformsVisible: number; rootVisible: boolean }> {
  const root = manifest.packages.find((p) => p.kind === 'root');
  if (root === undefined) throw new Error('the manifest has no root');
  const platforms = manifest.packages.filter((p) => p.kind === 'platform');
  const violations: string[] = [];
  const rootDoc = await readPackument(root.name, { registry: registryUrl });
  const docs = new Map<string, Packument | null>();
  const doc = async (name: string): Promise<Packument | null> => {
    if (!docs.has(name)) docs.set(name, await readPackument(name, { registry: registryUrl }));
    return docs.get(name) ?? null;
  };
  let platformsVisible = 0;
  for (const p of platforms) {
    const v = (await doc(p.name))?.versions[p.version];
    if (v !== undefined && v.integrity === p.integrity) platformsVisible++;
    if (v !== undefined && v.integrity !== p.integrity)
      violations.push(`${p.name}@${p.version} is on the registry with integrity ${String(v.integrity)}, not ours`);
  }
  const rootVersion = rootDoc?.versions[root.version];
  const rootVisible = rootVersion !== undefined;
  if (rootVisible && platformsVisible < platforms.length) {
    violations.push(
      `I1: the root ${root.name}@${root.version} is visible while only ${String(platformsVisible)}/${String(platforms.length)} platform packages are`,
    );
  }
  for (const tag of tags) {
    const at = rootDoc?.distTags[tag];
    if (at === undefined) continue;
    const pins = rootDoc?.versions[at]?.optionalDependencies ?? {};
    for (const [name, pin] of Object.entries(pins)) {
      if ((await doc(name))?.versions[pin] === undefined)
        violations.push(`I2: the root's "${tag}" points at ${at}, whose pin ${name}@${pin} is not on the registry`);
    }
  }
  return { violations, platformsVisible, rootVisible };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Complete lines in the journal so far (0 when it does not exist yet). */
async function journalLines(file: string): Promise<number> {
  try {
    const text = await readFile(file, 'utf8');
    return text.split('\n').length - 1;
  } catch {
    return 0;
  }
}

export async function runCrashTrial(o: CrashTrialOptions): Promise<CrashTrialResult> {
  const { release, registryUrl } = o;
  const manifest = release.manifest;
  const tags = [...new Set(['latest', o.expectedTag])];
  const violations = new Set<string>();
  // The token bound to the registry the trial publishes to (npm's config key; NPM_TOKEN is for npmjs only).
  const env: NodeJS.ProcessEnv = { ...process.env, [`npm_config_${nerfDart(registryUrl)}:_authToken`]: o.token, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const args = ['publish', '--from', release.releaseDir, '--registry', registryUrl];
  const timeout = o.runTimeoutMs ?? 120_000;

  // The monitor: samples until stopped, every violation kept.
  let samples = 0;
  const control = { monitoring: true };
  const monitor = (async (): Promise<void> => {
    while (control.monitoring) {
      try {
        const s = await checkInvariants(registryUrl, manifest, tags);
        for (const v of s.violations) violations.add(v);
        samples++;
      } catch {
        // a read that failed says nothing about the invariants
      }
      await sleep(o.pollMs ?? 100);
    }
  })();

  try {
    const journalFile = path.join(release.releaseDir, JOURNAL_FILE);
    const spawnedAt = Date.now();
    const first = spawnCli(args, env, timeout);
    const finished = { yes: false };
    void first.done.then(() => {
      finished.yes = true;
    });
    // Wait for the journal to reach the chosen record, then the extra delay (or for the end).
    while (!finished.yes && o.kill.afterRecords > 0 && (await journalLines(journalFile)) < o.kill.afterRecords) await sleep(5);
    // A cancelled timer: a long wait must not keep the process alive after the publisher is done.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      first.done,
      new Promise<void>((r) => {
        timer = setTimeout(r, o.kill.extraMs);
      }),
    ]);
    clearTimeout(timer);
    const killed = first.kill();
    const firstExit = await first.done;
    if (!killed && firstExit.code !== 0)
      violations.add(`the publisher exited ${String(firstExit.code)} before the kill: ${firstExit.stderr.slice(-2000)}`);

    const atKill = await readJournal(journalFile);
    const firstRecord = atKill.records[0];
    const startupMs = firstRecord === undefined ? null : Date.parse(firstRecord.time) - spawnedAt;
    // Each trial has its own release dir, so every record in its journal is about this release.
    const mine = atKill.records;
    const last = mine.at(-1);
    const lastRecordAtKill = last === undefined ? null : `${last.type}${typeof last.package === 'string' ? ` ${last.package}` : ''}`;
    const stateAtKill = await checkInvariants(registryUrl, manifest, tags);
    for (const v of stateAtKill.violations) violations.add(v);

    let resumedWith: CrashTrialResult['resumedWith'] = 'not needed';
    let resumeExitCode: number | null = null;
    if (killed) {
      // Resume from the journal when the killed run got as far as writing it; a plain re-run otherwise.
      const hasRun = journalRuns(atKill.records).length > 0;
      resumedWith = hasRun ? '--resume' : 'plain re-run';
      const second = spawnCli(hasRun ? [...args, '--resume'] : args, env, timeout);
      const r = await second.done;
      resumeExitCode = r.code;
      if (r.code !== 0) violations.add(`the resumed publish exited ${String(r.code)}: ${r.stderr.slice(-2000)}`);
    }

    // The final state, read straight from the registry.
    const status = await releaseStatus({
      name: manifest.name,
      version: manifest.version,
      client: new RegistryClient({ registry: registryUrl }),
      manifest,
    });
    if (!status.complete)
      violations.add(`final: incomplete (${JSON.stringify(status.packages.map((p) => [p.name, p.published, p.integrityMatch, p.tags]))})`);
    for (const p of status.packages) {
      if (!p.tags.includes(o.expectedTag))
        violations.add(`final: ${p.name} does not carry "${o.expectedTag}" (tags: ${p.tags.join(', ') || 'none'})`);
    }
    const journal = await readJournal(journalFile);
    const lastDone = journal.records.filter((r) => r.type === 'done').at(-1);
    if (lastDone?.outcome !== 'published')
      violations.add(`final: the journal's last run did not end "published" (${JSON.stringify(lastDone ?? null)})`);

    control.monitoring = false;
    await monitor;
    const final = await checkInvariants(registryUrl, manifest, tags);
    for (const v of final.violations) violations.add(v);
    return {
      killed,
      firstExitCode: firstExit.code,
      journalRecordsAtKill: mine.length,
      lastRecordAtKill,
      stateAtKill: {
        platformsVisible: stateAtKill.platformsVisible,
        platforms: manifest.packages.length - 1,
        rootVisible: stateAtKill.rootVisible,
      },
      resumedWith,
      resumeExitCode,
      samples,
      startupMs,
      violations: [...violations],
    };
  } finally {
    control.monitoring = false;
    await monitor;
  }
}

export interface CrashSeriesOptions {
  readonly registryUrl: string;
  readonly token: string;
  /** Parent directory for the releases (one per trial). */
  readonly scratch: string;
  readonly trials: number;
  readonly seed: number;
  /** Platform targets per release (1–8, default 8: nine packages). */
  readonly targets?: number;
  readonly onTrial?: (t: SeriesTrial) => void;
}

export interface SeriesTrial extends CrashTrialResult {
  readonly trial: number;
  readonly name: string;
  readonly version: string;
  readonly tag: string;
  readonly kill: CrashTrialOptions['kill'];
}

export interface CrashSeries {
  /** What one uncrashed publish looked like: ms from spawn to its first journal record, its records, ms from first to last. */
  readonly calibration: { readonly startupMs: number; readonly records: number; readonly stepsMs: number };
  readonly trials: readonly SeriesTrial[];
}

/**
 * A series of crash trials on one registry. A calibration publish (not killed) measures the run:
 * how long the publisher takes to write its first journal record and how many records a full run
 * writes. Each trial then packs a new release and kills its publisher at a point drawn by a seeded
 * PRNG: after a random number of journal records (0 = during start-up and preflight; trial i of n
 * draws from the i-th n-th of the run) plus a random
 * delay of up to two average steps — so kills fall in every phase, not mostly in Node's start-up.
 * The trials vary what "before" looks like: new versions of a package whose `latest` is an
 * earlier complete release, every fourth a prerelease (tag `next`), every seventh a brand-new
 * package (whose first publish sets `latest` by itself).
 */
export async function runCrashSeries(o: CrashSeriesOptions): Promise<CrashSeries> {
  const random = mulberry32(o.seed);
  const targets = o.targets ?? 8;
  const family = (n: number): string => `@crash${String(o.seed)}-${String(n)}/addon`;
  const base = family(0);
  const calibrationRelease = await buildFixtureRelease({ scratch: o.scratch, name: base, version: '1.0.0', targets });
  const cal = await runCrashTrial({
    registryUrl: o.registryUrl,
    token: o.token,
    release: calibrationRelease,
    kill: { afterRecords: 0, extraMs: 10 * 60_000 },
    expectedTag: 'latest',
  });
  if (cal.violations.length > 0) throw new Error(`the calibration publish (no kill) failed: ${cal.violations.join('; ')}`);
  const { records } = await readJournal(path.join(calibrationRelease.releaseDir, JOURNAL_FILE));
  const times = records.map((r) => Date.parse(r.time));
  const startupMs = cal.startupMs ?? 1000;
  const stepsMs = times.length > 1 ? (times.at(-1) ?? 0) - (times[0] ?? 0) : 1000;
  const calibration = { startupMs, records: records.length, stepsMs };
  const stepMs = stepsMs / Math.max(1, records.length - 1);
  const trials: SeriesTrial[] = [];
  for (let i = 1; i <= o.trials; i++) {
    const fresh = i % 7 === 0;
    const prerelease = !fresh && i % 4 === 0;
    const name = fresh ? family(i) : base;
    const version = prerelease ? `1.0.${String(i)}-rc.0` : `1.0.${String(i)}`;
    const tag = prerelease ? 'next' : 'latest';
    // Stratified: trial i draws from the i-th slice of the run, so a few trials still cover every phase.
    const afterRecords = Math.min(records.length, Math.floor(((i - 1 + random()) / o.trials) * (records.length + 1)));
    const extraMs = Math.round(random() * (afterRecords === 0 ? startupMs * 1.2 : 2 * stepMs));
    const release = await buildFixtureRelease({ scratch: o.scratch, name, version, targets });
    const kill = { afterRecords, extraMs };
    const result = await runCrashTrial({ registryUrl: o.registryUrl, token: o.token, release, kill, expectedTag: tag });
    const t = { ...result, trial: i, name, version, tag, kill };
    trials.push(t);
    o.onTrial?.(t);
  }
  return { calibration, trials };
}

/** One line per trial, for logs. */
export function describeTrial(t: SeriesTrial): string {
  const when = t.killed
    ? `killed ${String(t.kill.extraMs)} ms after journal record ${String(t.kill.afterRecords)}, with ${String(t.journalRecordsAtKill)} records (last: ${t.lastRecordAtKill ?? 'none'}); registry then: ${String(t.stateAtKill.platformsVisible)}/${String(t.stateAtKill.platforms)} platform packages, root ${t.stateAtKill.rootVisible ? 'visible' : 'absent'}; ${t.resumedWith} → exit ${String(t.resumeExitCode)}`
    : `finished before the kill (record ${String(t.kill.afterRecords)} + ${String(t.kill.extraMs)} ms; exit ${String(t.firstExitCode)})`;
  const verdict = t.violations.length === 0 ? 'ok' : `FAILED: ${t.violations.join(' | ')}`;
  return `trial ${String(t.trial).padStart(2)} ${t.name}@${t.version} (${t.tag}): ${when}; ${String(t.samples)} samples; ${verdict}`;
}
