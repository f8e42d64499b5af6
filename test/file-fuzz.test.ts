/**
 * The hostile-release fuzzer (scripts/lib/file-fuzz.ts; `node dist/scripts/file-fuzz.js` runs it for
 * a bounded time in CI, seeded and printed): here one fixed case of every kind, run through the real
 * CLI. Each run must end within its bound in a typed error (an NS_ code, no stack trace, no raw
 * control character), and publish must send no PUT to the loopback registry — which, first, is
 * shown to receive the PUTs of the same release when it is not hostile.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { KINDS, makeCase, prepareFuzzBase, runCase, runCli, type FuzzBase } from '../scripts/lib/file-fuzz.js';

let scratch = '';
let base: FuzzBase;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-file-fuzz-'));
  base = await prepareFuzzBase(scratch);
});
after(async () => {
  await base.registry.stop();
  await rm(scratch, { recursive: true, force: true });
});

test('the untouched release passes verify-manifest, and its publish reaches the recording registry (so "no PUT" means something)', async () => {
  const c = await makeCase(base, 1, path.join(scratch, 'sane'), 'dev-zero');
  const dir = path.join(scratch, 'sane', 'release');
  const verified = await runCli(['verify-manifest', '--release-dir', dir, '--public-key', base.publicKey], scratch, 30_000);
  assert.equal(verified.code, 0, verified.output);
  const before = base.registry.puts.length;
  const publish = c.commands.find((x) => x.publish === true);
  assert.ok(publish !== undefined);
  // The same publish command with the release's own key (the dev-zero case swaps in /dev/zero).
  const args = publish.args.map((a) => (typeof a === 'string' && a.startsWith('/dev/') ? base.publicKey : a));
  await runCli(args, publish.cwd ?? scratch, 60_000, { npm_config_userconfig: path.join(scratch, 'no-user-npmrc') });
  assert.ok(base.registry.puts.length > before, 'the valid release was PUT to the recording registry');
});

test(`one hostile release of each of the ${String(KINDS.length)} kinds: every command ends in a typed error, no PUT`, async (t) => {
  let runs = 0;
  for (const [i, kind] of KINDS.entries()) {
    const seed = 20261203 + i;
    const c = await makeCase(base, seed, path.join(scratch, `case-${String(seed)}`), kind);
    const r = await runCase(base, c, 20_000);
    runs += r.runs;
    t.diagnostic(`${kind} (seed ${String(seed)}): ${c.detail} — ${String(r.runs)} runs, ${String(r.failures.length)} failed`);
    assert.deepEqual(r.failures, [], `${kind} (seed ${String(seed)}): ${c.detail}`);
  }
  assert.ok(runs >= KINDS.length * 1, `${String(runs)} runs`);
});
