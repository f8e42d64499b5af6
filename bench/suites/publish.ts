/**
 * 4. Publish: the nine tarballs of one release to a fresh local verdaccio per run —
 * `napi-ship publish` vs a sequential `npm publish <tgz>` loop of the same tarballs.
 */
import { cp, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { startRegistry, type Registry } from '../../test/helpers/verdaccio.js';
import { isRecord } from '../../src/util/json.js';
import { fresh, type BenchContext } from '../lib/context.js';
import { compare, type Variant } from '../lib/measure.js';
import { mustRun, napiShip, show, type Cmd } from '../lib/proc.js';
import { asFastAs, mib, reason, speedup, speedupValue, spread, type SuiteResult } from '../lib/results.js';

export async function publishSuite(ctx: BenchContext): Promise<SuiteResult> {
  const started = Date.now();
  const size = ctx.settings.publishSize;
  const release = await ctx.release('core8', size);
  const packed = ctx.path('publish', 'packed');
  await mustRun(napiShip(['pack', '--cwd', release.staged, '--out', packed]));
  const tarballs = (await readdir(packed)).filter((f) => f.endsWith('.tgz')).sort((a, b) => a.length - b.length || a.localeCompare(b));
  const [rootTgz, ...platformTgz] = tarballs;
  if (rootTgz === undefined || platformTgz.length !== release.binaries.length)
    throw new Error(`napi-ship pack wrote ${tarballs.length} tarballs`);
  const order = [...platformTgz, rootTgz].map((f) => path.join(packed, f));
  const tgzBytes = (await Promise.all(order.map((f) => stat(f)))).reduce((n, s) => n + s.size, 0);

  let registry: Registry | null = null;
  const current = (): Registry => {
    if (registry === null) throw new Error('no registry started');
    return registry;
  };
  const startFresh = async (): Promise<void> => {
    registry = await startRegistry();
  };
  const names = [release.name, ...release.binaries.map((b) => `${release.name}-${b.target.abi}`)];
  // Untimed, after each run: every package must really be on the registry at the release's version.
  const checkAndStop = async (): Promise<void> => {
    const r = registry;
    registry = null;
    if (r === null) return;
    try {
      for (const name of names) {
        const res = await fetch(new URL(name.replace('/', '%2f'), r.url), { signal: AbortSignal.timeout(10_000) });
        const body: unknown = res.ok ? await res.json() : null;
        const versions = isRecord(body) && isRecord(body.versions) ? Object.keys(body.versions) : [];
        if (!versions.includes(release.version))
          throw new Error(`after the run, ${name}@${release.version} is not on the registry (HTTP ${String(res.status)})`);
      }
    } finally {
      await r.stop();
    }
  };

  const from = ctx.path('publish', 'from');
  const nsCmd = (r: { url: string; token: string; npmrc: string }): Cmd =>
    napiShip(['publish', '--from', from, '--registry', r.url], { env: { NPM_TOKEN: r.token, npm_config_userconfig: r.npmrc } });
  const npmCmd = (tgz: string, r: { url: string; npmrc: string }): Cmd => ({
    cmd: 'npm',
    args: ['publish', tgz, '--registry', r.url, '--userconfig', r.npmrc],
    cwd: packed,
  });
  const placeholder = { url: '$REGISTRY', token: '$TOKEN', npmrc: '$NPMRC' };

  const publishHelp = ctx.cli.help.publish ?? '';
  const nsUnavailable = !ctx.cli.commands.has('publish')
    ? '`napi-ship publish` has not landed in this checkout (issue 5, src/publish)'
    : !publishHelp.includes('--from')
      ? '`napi-ship publish` here has no `--from DIR` option'
      : null;

  const variants: Variant[] = [
    {
      id: 'ns',
      label: 'napi-ship publish',
      unavailable: nsUnavailable,
      commands: [show(nsCmd(placeholder), ctx.scratch)],
      // A fresh copy of the release dir each run, so no journal of an earlier run is resumed.
      setup: async () => {
        await fresh(from);
        await cp(packed, from, { recursive: true });
        await startFresh();
      },
      body: async () => {
        await mustRun(nsCmd(current()));
      },
      teardown: checkAndStop,
    },
    {
      id: 'npm',
      label: 'npm publish <tgz> ×9, sequential',
      commands: ['for tgz in <8 platform tarballs> <root tarball>:', `  ${show(npmCmd('$tgz', placeholder), ctx.scratch)}`],
      setup: startFresh,
      body: async () => {
        for (const tgz of order) await mustRun(npmCmd(tgz, current()));
      },
      teardown: checkAndStop,
    },
  ];
  ctx.log(`publish, 9 tarballs (${mib(tgzBytes)}) to a fresh verdaccio per run`);
  const measured = await compare(variants, ctx.compareOptions);
  const [ns, npm] = measured;
  const x = speedupValue(ns, npm);
  return {
    id: 'publish',
    title: 'Publish',
    verdicts: [
      x === null
        ? `not measured: ${ns?.stats ? reason(npm) : reason(ns)}.`
        : `9 packages (${mib(tgzBytes)} of tarballs): napi-ship publish is ${asFastAs(x, 'a sequential npm publish loop')} — goal ≥5×: ${x >= 5 ? 'met' : 'not met'}.`,
    ],
    inputs: [
      `The 9 tarballs \`napi-ship pack\` made of the ${String(size)} MiB release (${mib(tgzBytes)}), published by both tools; a fresh verdaccio (127.0.0.1, no uplinks) per run, started and stopped outside the timing.`,
    ],
    tables: [
      {
        title: 'Median wall time (min–max)',
        columns: ['tool', 'time', 'napi-ship speed-up'],
        rows: measured.map((m) => [m.label, spread(m), m.id === 'ns' ? '1×' : speedup(ns, m)]),
      },
    ],
    notes: [
      'napi-ship publish does more than upload: a preflight read of every package, platform packages under a staging dist-tag, each read back until its integrity shows, then the root, then the dist-tag moves (issue 5). The npm loop only uploads, platform packages first and the root last.',
      'The registry is on loopback, so these figures are CPU and round-trip bound; against registry.npmjs.org each request costs network latency, which the parallel platform uploads of napi-ship overlap and the sequential loop does not.',
    ],
    measured,
    reproduce: [
      {
        label: 'both rows',
        commands: [
          `BENCH_ONLY=publish BENCH_PUBLISH_SIZE=${String(size)} bench/run`,
          ...variants.flatMap((v) => [`# ${v.label}`, ...v.commands]),
        ],
      },
    ],
    suiteSeconds: (Date.now() - started) / 1000,
  };
}
