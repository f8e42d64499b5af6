/**
 * Crash trials in CI (a handful; `node dist/scripts/crash-trials.js --trials 50` runs many): the CLI
 * publisher is SIGKILLed at seeded random moments of a nine-package publish to verdaccio, then
 * resumed. A monitor reads the registry throughout. After every trial: the root was never visible
 * unless every platform package was, with our integrity; the root's `latest` (and `next`) never
 * pointed at an incomplete release; after the resume the release is complete, tagged, and the
 * staging tag is gone. See scripts/lib/crash-trial.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { describeTrial, runCrashSeries } from '../scripts/lib/crash-trial.js';
import { startRegistry, type Registry } from './helpers/verdaccio.js';

let registry: Registry;
let scratch = '';

before(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-crash-'));
});
after(async () => {
  await registry.stop();
  await rm(scratch, { recursive: true, force: true });
});

test('5 publishes SIGKILLed at random moments, then resumed: the invariants hold throughout and each release ends complete', async (t) => {
  const series = await runCrashSeries({
    registryUrl: registry.url,
    token: registry.token,
    scratch,
    trials: 5,
    seed: 20261123,
    onTrial: (trial) => {
      t.diagnostic(describeTrial(trial));
    },
  });
  assert.equal(series.trials.length, 5);
  for (const trial of series.trials) {
    assert.deepEqual(trial.violations, [], describeTrial(trial));
    assert.ok(trial.samples > 0, 'the monitor read the registry');
  }
  assert.ok(
    series.trials.some((x) => x.killed),
    'at least one publisher was killed mid-way',
  );
});
