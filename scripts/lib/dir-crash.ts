/**
 * Crash trials for `napi-ship stage` and `napi-ship pack` (issue 14, item 5: all or nothing on disk).
 *
 * A fixture project is staged, packed and signed once (the OLD state: npm dir, root package.json,
 * a signed release dir); a reference copy is bumped to the next version and staged and packed from
 * other binaries, uncrashed (the NEW state). Each trial starts from a hard-linked copy of the OLD
 * project, bumps its version, runs the real CLI's `stage` and SIGKILLs it at a seeded random
 * moment, checks the npm dir, runs stage again to the end, then does the same with `pack`.
 *
 * After each kill, the dir must be the OLD complete state or the NEW complete state (file lists and
 * sha256 of every file compared with the snapshots), or — the instant between the swap's two
 * renames — absent with the OLD state and the NEW state complete in their sibling dirs. A signature
 * is only ever found in the OLD release dir (the one it signs). The next run must exit 0, leave the
 * NEW state, and leave no swap dir behind. The root package.json is replaced after the npm dir's
 * swap, so (new npm dir, old root) may be seen, (old npm dir, new root) never.
 *
 * Kill moments: half of the kills at a uniform time over a calibrated run, half at a uniform delay
 * after the run's swap dir appears (inside the writing itself), so they do not all land in Node's
 * start-up. Bounded: every CLI run has a time limit and the number of trials is fixed.
 */
import { spawn } from 'node:child_process';
import { createHash, createPrivateKey } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { appendFile, copyFile, lstat, mkdir, readdir, readFile, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { defaultReleaseDir, packProject } from '../../src/pack/index.js';
import { loadPlan } from '../../src/plan/index.js';
import { generateKeyPair } from '../../src/sign/keys.js';
import { signStage } from '../../src/sign/index.js';
import { stagePackages } from '../../src/stage/index.js';
import { linkTree, writeAtomic } from '../../src/util/fs.js';
import { buildFixtures } from './fixtures.js';
import { mulberry32 } from './prng.js';
import { hostCoreBinary, repoRoot } from './repo.js';
import { writeRootPackage } from './root-package.js';
import { SIGNATURE_FILE } from '../../src/manifest/index.js';

/** Relative path → `dir`, `file <sha256>` or `link <target>`. */
export type Snapshot = ReadonlyMap<string, string>;

export async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const full = path.join(d, name);
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      const st = await lstat(full);
      if (st.isDirectory()) {
        out.set(rel, 'dir');
        await walk(full, rel);
      } else if (st.isSymbolicLink()) out.set(rel, `link ${await readlink(full)}`);
      else
        out.set(
          rel,
          `file ${createHash('sha256')
            .update(await readFile(full))
            .digest('hex')}`,
        );
    }
  };
  await walk(dir, '');
  return out;
}

function same(a: Snapshot, b: Snapshot): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** What differs between two snapshots (for messages). */
export function difference(a: Snapshot, b: Snapshot): string {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort().filter((k) => a.get(k) !== b.get(k));
  return keys
    .slice(0, 6)
    .map((k) => `${k}: ${a.get(k) ?? 'absent'} / ${b.get(k) ?? 'absent'}`)
    .join('; ');
}

const TARGETS: readonly (readonly [string, string])[] = [
  ['x86_64-unknown-linux-gnu', 'linux-x64-gnu'],
  ['aarch64-apple-darwin', 'darwin-arm64'],
  ['aarch64-unknown-linux-musl', 'linux-arm64-musl'],
  ['x86_64-pc-windows-msvc', 'win32-x64-msvc'],
];

const NAME = '@dircrash/addon';
const BINARY = 'addon';
export const OLD_VERSION = '1.0.0';
export const NEW_VERSION = '1.0.1';

/** The env of every run: a fixed SOURCE_DATE_EPOCH (byte-reproducible tarballs), no tarball cache. */
export const RUN_ENV: NodeJS.ProcessEnv = { SOURCE_DATE_EPOCH: '1700000000', NAPI_SHIP_CACHE: '0', NO_COLOR: '1' };

async function artifacts(dir: string, padSeed: number | null): Promise<void> {
  const fixtures = await buildFixtures();
  const random = mulberry32(padSeed ?? 1);
  for (const [triple, abi] of TARGETS) {
    const d = path.join(dir, `bindings-${triple}`);
    await mkdir(d, { recursive: true });
    const file = path.join(d, `${BINARY}.${abi}.node`);
    await copyFile(abi === 'linux-x64-gnu' ? hostCoreBinary : fixtures.fixtures[abi as 'darwin-arm64'].path, file);
    // The other build: the same binaries with 64 KiB of trailing bytes (other bytes, the same target).
    if (padSeed !== null) await appendFile(file, Buffer.from(Array.from({ length: 65536 }, () => Math.floor(random() * 256))));
  }
}

async function bumpVersion(projectDir: string, version: string): Promise<void> {
  const file = path.join(projectDir, 'package.json');
  const pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  // Through a rename: the project is a hard-linked copy, its files are never written in place.
  await writeAtomic(file, JSON.stringify({ ...pkg, version }, null, 2) + '\n');
}

function fail(what: string, diagnostics: readonly { code: string; message: string }[]): never {
  throw new Error(`${what}: ${diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
}

async function stageAndPack(projectDir: string, artifactsDir: string): Promise<string> {
  const plan = await loadPlan(projectDir);
  const staged = await stagePackages(plan, { artifactsDir });
  if (!staged.ok) fail('fixture stage', staged.diagnostics);
  const packed = await packProject(await loadPlan(projectDir), { env: { ...process.env, ...RUN_ENV } });
  if (!packed.ok) fail('fixture pack', packed.diagnostics);
  return packed.outDir;
}

export interface DirStates {
  readonly base: string;
  /** The OLD project (staged, packed and signed at OLD_VERSION). */
  readonly project: string;
  /** The binaries of the NEW state. */
  readonly artifactsNew: string;
  readonly old: { readonly npm: Snapshot; readonly release: Snapshot; readonly rootJson: string };
  readonly new: { readonly npm: Snapshot; readonly release: Snapshot; readonly rootJson: string; readonly rootJsonBeforeStage: string };
}

/** Build the OLD and NEW states under `scratch`. */
export async function prepareDirStates(scratch: string, seed: number): Promise<DirStates> {
  const base = path.join(scratch, 'base');
  const project = path.join(base, 'project');
  const artifactsOld = path.join(base, 'artifacts-old');
  const artifactsNew = path.join(base, 'artifacts-new');
  await writeRootPackage(project, { name: NAME, binaryName: BINARY, version: OLD_VERSION, targets: TARGETS.map(([t]) => t) });
  await artifacts(artifactsOld, null);
  await artifacts(artifactsNew, seed);
  const releaseDir = await stageAndPack(project, artifactsOld);
  const keys = generateKeyPair();
  const signed = await signStage(releaseDir, createPrivateKey(keys.privateKeyPem), keys.publicKeyPem);
  if (!signed.ok) fail('fixture sign', signed.diagnostics);
  const plan = await loadPlan(project);
  const old = {
    npm: await snapshot(plan.root.npmDir),
    release: await snapshot(releaseDir),
    rootJson: await readFile(path.join(project, 'package.json'), 'utf8'),
  };
  if (!old.release.has(SIGNATURE_FILE)) throw new Error('the OLD release dir is not signed');

  const reference = path.join(scratch, 'reference');
  await linkTree(project, reference);
  await bumpVersion(reference, NEW_VERSION);
  const rootJsonBeforeStage = await readFile(path.join(reference, 'package.json'), 'utf8');
  const newRelease = await stageAndPack(reference, artifactsNew);
  const refPlan = await loadPlan(reference);
  const next = {
    npm: await snapshot(refPlan.root.npmDir),
    release: await snapshot(newRelease),
    rootJson: await readFile(path.join(reference, 'package.json'), 'utf8'),
    rootJsonBeforeStage,
  };
  if (next.release.has(SIGNATURE_FILE)) throw new Error('the NEW release dir kept the signature of the OLD manifest');
  if (same(old.npm, next.npm) || same(old.release, next.release)) throw new Error('the OLD and NEW states do not differ');
  return { base, project, artifactsNew, old, new: next };
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** ms from the spawn to the swap dir's appearance (`null`: not seen), and to the end. */
  readonly swapSeenMs: number | null;
  readonly durationMs: number;
  readonly killed: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The swap dirs beside `final` (`.<base>.napi-ship-new-…`, `…-old-…`). */
export function swapSiblings(final: string): string[] {
  const prefix = `.${path.basename(final)}.napi-ship-`;
  try {
    return readdirSync(path.dirname(final))
      .filter((n) => n.startsWith(prefix))
      .map((n) => path.join(path.dirname(final), n));
  } catch {
    return [];
  }
}

export type KillAt = { readonly kind: 'uniform'; readonly ms: number } | { readonly kind: 'after-swap-dir'; readonly ms: number } | null;

/**
 * Run the CLI with `args`; watch for a swap dir beside `final`; SIGKILL per `kill` (null: never).
 * Every run is bounded by `timeoutMs`.
 */
export async function runCli(args: readonly string[], final: string, kill: KillAt, timeoutMs = 60_000): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'napi-ship.js'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...RUN_ENV },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const state = { done: false, killed: false, swapSeenMs: null as number | null };
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const limit = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(limit);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      state.done = true;
      resolve({ code, signal });
    });
  });
  const killNow = (): void => {
    if (!state.done && child.exitCode === null && child.signalCode === null) state.killed = child.kill('SIGKILL');
  };
  const watch = (async (): Promise<void> => {
    let killAt = kill?.kind === 'uniform' ? started + kill.ms : Infinity;
    while (!state.done) {
      if (state.swapSeenMs === null && swapSiblings(final).some((d) => path.basename(d).includes(`-new-${String(child.pid)}-`))) {
        state.swapSeenMs = Date.now() - started;
        if (kill?.kind === 'after-swap-dir') killAt = Date.now() + kill.ms;
      }
      if (Date.now() >= killAt) {
        killNow();
        return;
      }
      await sleep(1);
    }
  })();
  const r = await done;
  await watch;
  return { ...r, stderr, swapSeenMs: state.swapSeenMs, durationMs: Date.now() - started, killed: state.killed };
}

export type DirVerdict = 'old' | 'new' | 'mid-swap';

/** Which complete state `final` is in after a kill; a violation message when it is none. */
export async function classify(
  final: string,
  old: Snapshot,
  next: Snapshot,
): Promise<{ verdict: DirVerdict | null; violation: string | null }> {
  const present = await lstat(final).then(
    () => true,
    () => false,
  );
  if (present) {
    const now = await snapshot(final);
    if (same(now, old)) return { verdict: 'old', violation: null };
    if (same(now, next)) return { verdict: 'new', violation: null };
    const sig = now.has(SIGNATURE_FILE) ? ' (a signature is present)' : '';
    return {
      verdict: null,
      violation: `${final} is a mix${sig}: vs OLD ${difference(now, old)} | vs NEW ${difference(now, next)}`,
    };
  }
  // Between the swap's two renames: the old state and the complete new one beside it.
  const siblings = swapSiblings(final);
  const oldDir = siblings.find((d) => /-old-\d+-[0-9a-f]+$/.test(d));
  const newDir = siblings.find((d) => /-new-\d+-[0-9a-f]+$/.test(d));
  if (oldDir === undefined || newDir === undefined)
    return { verdict: null, violation: `${final} is missing and there is no old+new pair beside it (${siblings.join(', ')})` };
  const [o, n] = await Promise.all([snapshot(oldDir), snapshot(newDir)]);
  if (!same(o, old) || !same(n, next))
    return { verdict: null, violation: `${final} is missing and the dirs beside it are not the OLD and NEW states` };
  return { verdict: 'mid-swap', violation: null };
}

export interface DirTrial {
  readonly trial: number;
  readonly command: 'stage' | 'pack';
  readonly kill: KillAt;
  readonly killed: boolean;
  readonly verdict: DirVerdict | null;
  /** Swap dirs beside the final dir right after the kill. */
  readonly leftovers: number;
  readonly violations: readonly string[];
}

export interface DirCrashSeries {
  readonly calibration: { readonly stage: { swapMs: number; totalMs: number }; readonly pack: { swapMs: number; totalMs: number } };
  readonly trials: readonly DirTrial[];
}

/** One kill of `command` in `project`, the check, and the run to the end. */
async function killAndCheck(
  o: {
    trial: number;
    command: 'stage' | 'pack';
    args: readonly string[];
    final: string;
    old: Snapshot;
    next: Snapshot;
    kill: KillAt;
    timeoutMs: number;
  },
  extra: (verdict: DirVerdict | null) => Promise<string[]>,
): Promise<DirTrial> {
  const violations: string[] = [];
  const first = await runCli(o.args, o.final, o.kill, o.timeoutMs);
  if (!first.killed && first.code !== 0)
    violations.push(`${o.command} exited ${String(first.code)} before the kill: ${first.stderr.slice(-1500)}`);
  const leftovers = swapSiblings(o.final).length;
  const { verdict, violation } = await classify(o.final, o.old, o.next);
  if (violation !== null) violations.push(violation);
  violations.push(...(await extra(verdict)));
  const second = await runCli(o.args, o.final, null, o.timeoutMs);
  if (second.code !== 0) violations.push(`the next ${o.command} exited ${String(second.code)}: ${second.stderr.slice(-1500)}`);
  const after = await classify(o.final, o.old, o.next);
  if (after.verdict !== 'new') violations.push(`after the next ${o.command}: ${after.violation ?? `the ${after.verdict ?? '?'} state`}`);
  const left = swapSiblings(o.final);
  if (left.length > 0) violations.push(`after the next ${o.command}, swap dirs are left: ${left.join(', ')}`);
  return { trial: o.trial, command: o.command, kill: o.kill, killed: first.killed, verdict, leftovers, violations };
}

export interface DirCrashOptions {
  readonly scratch: string;
  readonly seed: number;
  /** Trials; each kills `stage` once and `pack` once. */
  readonly trials: number;
  readonly timeoutMs?: number;
  readonly onTrial?: (t: DirTrial) => void;
}

export async function runDirCrashSeries(o: DirCrashOptions): Promise<DirCrashSeries> {
  const states = await prepareDirStates(o.scratch, o.seed);
  const random = mulberry32(o.seed);
  const timeoutMs = o.timeoutMs ?? 60_000;
  const projectOf = (name: string): string => path.join(o.scratch, name, 'project');
  const argsOf = (command: 'stage' | 'pack', project: string): string[] =>
    command === 'stage' ? ['stage', '--cwd', project, '--artifacts', states.artifactsNew] : ['pack', '--cwd', project];
  const clone = async (name: string): Promise<string> => {
    const project = projectOf(name);
    await linkTree(states.project, project);
    await bumpVersion(project, NEW_VERSION);
    return project;
  };

  // Calibration: one uncrashed stage and pack, timed, and checked to end in the NEW state.
  const cal = await clone('calibration');
  const plan = await loadPlan(cal);
  const stageCal = await runCli(argsOf('stage', cal), plan.root.npmDir, null, timeoutMs);
  const packCal = await runCli(argsOf('pack', cal), defaultReleaseDir(plan), null, timeoutMs);
  if (stageCal.code !== 0 || packCal.code !== 0) throw new Error(`the calibration runs failed: ${stageCal.stderr} ${packCal.stderr}`);
  for (const [final, want] of [
    [plan.root.npmDir, states.new.npm],
    [defaultReleaseDir(plan), states.new.release],
  ] as const) {
    const got = await snapshot(final);
    if (!same(got, want)) throw new Error(`the calibration run did not reach the NEW state: ${difference(got, want)}`);
  }
  const calibration = {
    stage: { swapMs: stageCal.swapSeenMs ?? stageCal.durationMs, totalMs: stageCal.durationMs },
    pack: { swapMs: packCal.swapSeenMs ?? packCal.durationMs, totalMs: packCal.durationMs },
  };
  await rm(path.dirname(cal), { recursive: true, force: true });

  const trials: DirTrial[] = [];
  for (let i = 1; i <= o.trials; i++) {
    const project = await clone(`trial-${String(i)}`);
    const p = await loadPlan(project);
    for (const command of ['stage', 'pack'] as const) {
      const c = calibration[command];
      const r = random();
      // Alternate: a uniform moment over the whole run, or a moment inside the writing (after the swap dir appears).
      const kill: KillAt =
        (i + (command === 'pack' ? 1 : 0)) % 2 === 0
          ? { kind: 'uniform', ms: Math.round(r * c.totalMs * 1.1) }
          : { kind: 'after-swap-dir', ms: Math.round(r * Math.max(1, c.totalMs - c.swapMs) * 1.2) };
      const final = command === 'stage' ? p.root.npmDir : defaultReleaseDir(p);
      const t = await killAndCheck(
        {
          trial: i,
          command,
          args: argsOf(command, project),
          final,
          old: command === 'stage' ? states.old.npm : states.old.release,
          next: command === 'stage' ? states.new.npm : states.new.release,
          kill,
          timeoutMs,
        },
        async (verdict) => {
          if (command !== 'stage') return [];
          // The root package.json is replaced after the npm dir's swap: never new pins beside the old npm dir.
          const root = await readFile(path.join(project, 'package.json'), 'utf8');
          if (root !== states.new.rootJsonBeforeStage && root !== states.new.rootJson)
            return ['the root package.json is neither before nor after'];
          if (verdict === 'old' && root === states.new.rootJson && root !== states.new.rootJsonBeforeStage)
            return ['the root pins the NEW packages while the npm dir is the OLD one'];
          return [];
        },
      );
      trials.push(t);
      o.onTrial?.(t);
    }
    await rm(path.dirname(project), { recursive: true, force: true });
  }
  return { calibration, trials };
}

/** One line per trial, for logs. */
export function describeDirTrial(t: DirTrial): string {
  const when =
    t.kill === null
      ? 'no kill'
      : t.kill.kind === 'uniform'
        ? `${String(t.kill.ms)} ms after the spawn`
        : `${String(t.kill.ms)} ms after its swap dir appeared`;
  const what = t.killed
    ? `killed ${when}: ${t.verdict ?? '?'} state, ${String(t.leftovers)} swap dir(s) beside it`
    : `finished before the kill (${when})`;
  return `trial ${String(t.trial).padStart(2)} ${t.command.padEnd(5)}: ${what}; ${t.violations.length === 0 ? 'ok' : `FAILED: ${t.violations.join(' | ')}`}`;
}
