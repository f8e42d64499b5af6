/**
 * 4. Publish: the nine tarballs of one release to a fresh local verdaccio per run —
 * `napi-ship publish` vs a sequential `npm publish <tgz>` loop of the same tarballs, on loopback and
 * through a latency proxy (bench/lib/latency-proxy.ts) that makes the registry behave like a distant one.
 */
import { cp, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startRegistry, type Registry } from '../../src/rehearsal/registry.js';
import { isRecord } from '../../src/util/json.js';
import { fresh, type BenchContext } from '../lib/context.js';
import { startLatencyProxy, type LatencyProxy } from '../lib/latency-proxy.js';
import { compare, type Measured, type Variant } from '../lib/measure.js';
import { mustRun, napiShip, show, type Cmd } from '../lib/proc.js';
import { asFastAs, mib, reason, speedup, speedupValue, spread, type SuiteResult } from '../lib/results.js';

/** The distant registry the latency rows model: 40 ms each way, 5 MiB/s per connection each way. */
export const LATENCY = { delayMs: 40, bytesPerSecond: 5 * 1024 * 1024 } as const;

interface FloorClient {
  /** Send the requests once; resolves when they are all answered. */
  go(): Promise<void>;
  stop(): Promise<void>;
}

/** Start bench/lib/publish-floor.ts in its own process and wait until it has loaded the release. */
async function startFloorClient(releaseDir: string, registry: string, token: string): Promise<FloorClient> {
  const script = fileURLToPath(new URL('../lib/publish-floor.js', import.meta.url));
  const child = spawn(process.execPath, [script, releaseDir, registry], {
    env: { ...process.env, NPM_TOKEN: token },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (want: string): Promise<void> => {
    const line = await lines.next();
    if (line.done === true || line.value !== want)
      throw new Error(
        `the publish floor client said ${line.done === true ? 'nothing (it exited)' : JSON.stringify(line.value)}, not ${want}`,
      );
  };
  await next('ready');
  return {
    go: async () => {
      child.stdin.write('go\n');
      await next('done');
    },
    stop: async () => {
      const exited = new Promise<void>((resolve) =>
        child.once('close', () => {
          resolve();
        }),
      );
      child.stdin.end();
      await exited;
    },
  };
}

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

  const comparison = async (latency: boolean): Promise<{ variants: Variant[]; measured: Measured[] }> => {
    interface Endpoint {
      readonly url: string;
      readonly token: string;
      readonly npmrc: string;
    }
    let registry: Registry | null = null;
    let proxy: LatencyProxy | null = null;
    let endpoint: Endpoint | null = null;
    const current = (): Endpoint => {
      if (endpoint === null) throw new Error('no registry started');
      return endpoint;
    };
    const startFresh = async (): Promise<void> => {
      const r = await startRegistry();
      registry = r;
      endpoint = r;
      if (latency) {
        const p = await startLatencyProxy({ target: r.url, ...LATENCY });
        proxy = p;
        const npmrc = ctx.path('publish', 'proxy.npmrc');
        const host = new URL(p.url).host;
        await writeFile(npmrc, `registry=${p.url}\n//${host}/:_authToken=${r.token}\n`, { mode: 0o600 });
        endpoint = { url: p.url, token: r.token, npmrc };
      }
    };
    const names = [release.name, ...release.binaries.map((b) => `${release.name}-${b.target.abi}`)];
    // Untimed, after each run: every package must really be on the registry at the release's version.
    const checkAndStop = async (): Promise<void> => {
      const r = registry;
      registry = null;
      endpoint = null;
      if (proxy !== null) await proxy.stop();
      proxy = null;
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

    const from = ctx.path('publish', latency ? 'from-latency' : 'from');
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
        id: latency ? 'ns-latency' : 'ns',
        label: latency ? 'napi-ship publish, via the latency proxy' : 'napi-ship publish',
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
        id: latency ? 'npm-latency' : 'npm',
        ours: false,
        label: latency ? 'npm publish <tgz> ×9, sequential, via the latency proxy' : 'npm publish <tgz> ×9, sequential',
        commands: ['for tgz in <8 platform tarballs> <root tarball>:', `  ${show(npmCmd('$tgz', placeholder), ctx.scratch)}`],
        setup: startFresh,
        body: async () => {
          for (const tgz of order) await mustRun(npmCmd(tgz, current()));
        },
        teardown: checkAndStop,
      },
    ];
    if (latency) {
      // The floor: the requests napi-ship's order needs and nothing else, from a process of its own
      // that is already running — no start-up, no release checks, the tarballs already in memory.
      let floor: FloorClient | null = null;
      variants.push({
        id: 'floor-latency',
        ours: false,
        label: 'the same requests alone, via the latency proxy (floor)',
        commands: [
          `${show({ cmd: 'node', args: ['dist/bench/lib/publish-floor.js', packed, '$REGISTRY'] }, ctx.scratch)}   # NPM_TOKEN set; timed from "go" to "done", after it says "ready":`,
          '# GET ×9 (preflight) → PUT ×8 platform packages under the staging tag → GET ×8 (read-back)',
          '# → PUT root under latest, alongside PUT latest then DELETE staging on each platform package → GET root (read-back)',
        ],
        setup: async () => {
          await startFresh();
          floor = await startFloorClient(packed, current().url, current().token);
        },
        body: async () => {
          if (floor === null) throw new Error('floor: not set up');
          await floor.go();
        },
        teardown: async () => {
          await floor?.stop();
          floor = null;
          await checkAndStop();
        },
      });
    }
    ctx.log(`publish, 9 tarballs (${mib(tgzBytes)}) to a fresh verdaccio per run${latency ? ', through the latency proxy' : ''}`);
    return { variants, measured: await compare(variants, ctx.compareOptions) };
  };
  const loopback = await comparison(false);
  const distant = await comparison(true);
  const measured = [...loopback.measured, ...distant.measured];
  const variants = [...loopback.variants, ...distant.variants];
  const [ns, npm] = loopback.measured;
  const [nsL, npmL, floorL] = distant.measured;
  const x = speedupValue(ns, npm);
  const xL = speedupValue(nsL, npmL);
  const xFloor = speedupValue(floorL, npmL);
  const overheadMs = nsL?.stats && floorL?.stats ? nsL.stats.medianMs - floorL.stats.medianMs : null;
  return {
    id: 'publish',
    title: 'Publish',
    verdicts: [
      x === null
        ? `not measured: ${ns?.stats ? reason(npm) : reason(ns)}.`
        : `9 packages (${mib(tgzBytes)} of tarballs), loopback: napi-ship publish is ${asFastAs(x, 'a sequential npm publish loop')} — goal ≥5×: ${x >= 5 ? 'met' : 'not met'}.`,
      xL === null
        ? `through the latency proxy: not measured: ${nsL?.stats ? reason(npmL) : reason(nsL)}.`
        : `9 packages through a latency proxy (${String(LATENCY.delayMs)} ms each way, ${String(LATENCY.bytesPerSecond / 1024 / 1024)} MiB/s per connection): napi-ship publish is ${asFastAs(xL, 'the sequential npm publish loop')} — goal ≥10×: ${xL >= 10 ? 'met' : 'not met'}.`,
      ...(xFloor === null || overheadMs === null
        ? []
        : [
            `through the latency proxy, the floor — the same requests in the same order and nothing else, from an already-running process — is ${asFastAs(xFloor, 'the npm loop')}; napi-ship's process start, module loading and release checks (reading, hashing and inflating every tarball) add ${String(Math.round(overheadMs))} ms to it. ${xFloor < 10 ? 'The floor itself is short of 10× in this run: at this latency and bandwidth, even these requests alone, with nothing before them, do not reach 10× the loop against this registry while keeping the invariants (preflight, platform packages first, each read back, the root last and read back).' : `At 10× the loop they would have ${String(Math.round((npmL?.stats?.medianMs ?? 0) / 10 - (floorL?.stats?.medianMs ?? 0)))} ms.`}`,
          ]),
    ],
    inputs: [
      `The 9 tarballs \`napi-ship pack\` made of the ${String(size)} MiB release (${mib(tgzBytes)}), published by both tools; a fresh verdaccio (127.0.0.1, no uplinks) per run, started and stopped outside the timing.`,
    ],
    tables: [
      {
        title: 'Median wall time (min–max)',
        columns: ['tool', 'time', 'napi-ship speed-up'],
        rows: measured.map((m) => [
          m.label,
          spread(m),
          m.id === 'ns' || m.id === 'ns-latency'
            ? '1×'
            : m.id === 'floor-latency'
              ? `floor: ${speedup(m, npmL)} the npm loop`
              : speedup(m.id.endsWith('-latency') ? nsL : ns, m),
        ]),
      },
    ],
    notes: [
      'napi-ship publish does more than upload: a preflight read of every package, platform packages under a staging dist-tag, each read back until its integrity shows, then the dist-tag moves on them, then the root goes out under it and is read back (issue 5). The npm loop only uploads, platform packages first and the root last.',
      "The floor row (latency proxy only) sends the requests napi-ship publish sends, in its order (preflight reads, the platform packages under the staging tag, their read-backs, then the root alongside the platform packages' tag moves and staging-tag removals, the root's read-back), with napi-ship's registry client, from a process of its own (bench/lib/publish-floor.ts) that has already started, loaded its modules and read and checked the release before the timing: only the requests are timed. It is what the invariants and the registry cost at this latency; napi-ship's row minus it is napi-ship's own overhead.",
      `Loopback rows: CPU bound, round trips cost nothing. Latency-proxy rows: the same fresh verdaccio behind a loopback proxy (bench/lib/latency-proxy.ts) that holds every request ${String(LATENCY.delayMs)} ms before forwarding it and every response ${String(LATENCY.delayMs)} ms before its first byte (an ${String(2 * LATENCY.delayMs)} ms round trip per request), and paces each request and response body at ${String(LATENCY.bytesPerSecond / 1024 / 1024)} MiB/s (a per-connection cap; one request at a time per connection). TCP/TLS set-up is not modelled. The invariants are the same in both: platform packages first, each read back by integrity, the root last; every package is checked on the registry after each run.`,
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
