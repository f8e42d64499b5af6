/**
 * Crash trials for `napi-ship publish` (issue 5): start verdaccio on loopback, then publish a
 * nine-package release N times, SIGKILLing the publisher at a seeded random moment each time and
 * resuming it, while a monitor checks the registry against the invariants (scripts/lib/crash-trial.ts).
 * With `--dirs`: crash trials for `stage` and `pack` instead (each trial kills both; the npm dir and
 * the release dir must be the old or the new complete state after every kill; scripts/lib/dir-crash.ts).
 *
 *   node dist/scripts/crash-trials.js --trials 50 [--seed N] [--targets 1-8] [--json]
 *   node dist/scripts/crash-trials.js --dirs --trials 50 [--seed N] [--json]
 *
 * Bounded: every publisher run has a 120 s limit, and the number of trials is fixed. Exit 0 when
 * every trial held, 1 when any did not, 2 on bad arguments.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeTrial, runCrashSeries } from './lib/crash-trial.js';
import { scriptArgs } from './lib/script-args.js';
import { startRegistry } from '../src/rehearsal/registry.js';
import { describeDirTrial, runDirCrashSeries } from './lib/dir-crash.js';

const USAGE = 'usage: node dist/scripts/crash-trials.js [--dirs] [--trials N (default 50)] [--seed N] [--targets 1-8] [--json]\n';

const { values, whole } = scriptArgs('crash-trials', USAGE, {
  options: {
    trials: { type: 'string', default: '50' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    targets: { type: 'string', default: '8' },
    json: { type: 'boolean', default: false },
    dirs: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
const trials = whole(values.trials, '--trials', 1, 1000);
const seed = whole(values.seed, '--seed', 0, 2 ** 31);
const targets = whole(values.targets, '--targets', 1, 8);

if (values.dirs) {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-crash-dirs-'));
  let failed = 0;
  try {
    process.stderr.write(`crash-trials --dirs: ${String(trials)} trials (a stage kill and a pack kill each), seed ${String(seed)}\n`);
    const series = await runDirCrashSeries({
      scratch,
      seed,
      trials,
      onTrial: (t) => {
        if (t.violations.length > 0) failed++;
        if (!values.json) process.stdout.write(describeDirTrial(t) + '\n');
      },
    });
    const count = (command: string, verdict: string): number =>
      series.trials.filter((t) => t.command === command && t.killed && t.verdict === verdict).length;
    const summary = {
      seed,
      trials,
      calibration: series.calibration,
      killed: series.trials.filter((t) => t.killed).length,
      states: Object.fromEntries(
        ['stage', 'pack'].map((c) => [c, { old: count(c, 'old'), new: count(c, 'new'), 'mid-swap': count(c, 'mid-swap') }]),
      ),
      failed,
    };
    if (values.json) process.stdout.write(JSON.stringify({ summary, trials: series.trials }, null, 2) + '\n');
    else
      process.stdout.write(
        `\n${JSON.stringify(summary, null, 2)}\n${failed === 0 ? 'all kills held' : `${String(failed)} kills FAILED`}\n`,
      );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  process.exit(failed === 0 ? 0 : 1);
}

const registry = await startRegistry();
const scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-crash-trials-'));
// Interrupted: stop verdaccio and remove the scratch dir before going.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([registry.stop(), rm(scratch, { recursive: true, force: true })]).then(() => {
      process.exit(130);
    });
  });
}
let failed = 0;
try {
  process.stderr.write(
    `crash-trials: ${String(trials)} trials, seed ${String(seed)}, ${String(targets + 1)} packages per release, verdaccio at ${registry.url}\n`,
  );
  const series = await runCrashSeries({
    registryUrl: registry.url,
    token: registry.token,
    scratch,
    trials,
    seed,
    targets,
    onTrial: (t) => {
      if (t.violations.length > 0) failed++;
      if (!values.json) process.stdout.write(describeTrial(t) + '\n');
    },
  });
  const killed = series.trials.filter((t) => t.killed);
  const phases = new Map<string, number>();
  for (const t of killed) {
    const phase = (t.lastRecordAtKill ?? 'before the journal').split(' ')[0] ?? '?';
    phases.set(phase, (phases.get(phase) ?? 0) + 1);
  }
  const summary = {
    seed,
    trials,
    calibration: series.calibration,
    killed: killed.length,
    rootVisibleAtKill: killed.filter((t) => t.stateAtKill.rootVisible).length,
    lastJournalRecordAtKill: Object.fromEntries([...phases].sort()),
    resumed: {
      '--resume': killed.filter((t) => t.resumedWith === '--resume').length,
      plain: killed.filter((t) => t.resumedWith === 'plain re-run').length,
    },
    samples: series.trials.reduce((n, t) => n + t.samples, 0),
    failed,
  };
  if (values.json) process.stdout.write(JSON.stringify({ summary, trials: series.trials }, null, 2) + '\n');
  else
    process.stdout.write(
      `\n${JSON.stringify(summary, null, 2)}\n${failed === 0 ? `all ${String(trials)} trials held` : `${String(failed)} of ${String(trials)} trials FAILED`}\n`,
    );
} finally {
  await registry.stop();
  await rm(scratch, { recursive: true, force: true });
}
process.exitCode = failed === 0 ? 0 : 1;
