/**
 * Crash trials for stage and pack (issue 14, item 5): the real CLI's `stage` and `pack` are
 * SIGKILLed at seeded random moments (16 trials, each killing both: 32 kills), and after each kill
 * the npm dir / release dir is the old complete state or the new complete state (file lists and
 * sha256 of every file against snapshots of uncrashed runs), a signature is only ever beside the
 * manifest it signs, and the next run succeeds, reaches the new state and leaves no swap dir.
 * `node dist/scripts/crash-trials.js --dirs --trials 100` runs many. See scripts/lib/dir-crash.ts;
 * the swap's states (including the one between its two renames) are tested one by one in
 * test/staging.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { describeDirTrial, runDirCrashSeries } from '../scripts/lib/dir-crash.js';

let scratch = '';

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-crash-dirs-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

test('stage and pack SIGKILLed at 32 random moments: each dir is the old or the new complete state, never a mix; the next run finishes', async (t) => {
  const series = await runDirCrashSeries({
    scratch,
    seed: 20261203,
    trials: 16,
    onTrial: (trial) => {
      t.diagnostic(describeDirTrial(trial));
    },
  });
  t.diagnostic(`calibration: ${JSON.stringify(series.calibration)}`);
  assert.equal(series.trials.length, 32);
  for (const trial of series.trials) assert.deepEqual(trial.violations, [], describeDirTrial(trial));
  // The kills are spread: most kill a running command, some while its swap dir is being written.
  const killed = series.trials.filter((x) => x.killed);
  assert.ok(killed.length >= 12, `${String(killed.length)} of 32 runs killed`);
  assert.ok(
    killed.some((x) => x.verdict === 'old'),
    'no kill left the old state',
  );
  assert.ok(
    killed.some((x) => x.leftovers > 0),
    'no kill fell while a swap dir existed',
  );
});
