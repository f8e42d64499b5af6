/**
 * 5. SBOM: `napi-ship sbom` vs `cdxgen` on the same workspace, and vs `npm sbom --sbom-format spdx`
 * for the npm part: time, and completeness (share of packages with PURL, license and checksum).
 *
 * Workspace: test/fixtures/sbom-workspace (a napi-rs root package whose Cargo.lock and
 * pnpm-lock.yaml are real lockfiles with a few hundred crates and npm packages), copied to scratch;
 * its npm-lock/ dir is the same kind of package locked by npm (package-lock.json), which is what
 * `npm sbom` needs (napi-ship and npm sbom there; cdxgen is compared on the whole workspace). Everything runs offline (CARGO_NET_OFFLINE, no license fetching).
 */
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fresh, type BenchContext } from '../lib/context.js';
import { compare, type Measured, type Variant } from '../lib/measure.js';
import { localBin, mustRun, napiShip, repoRoot, show, type Cmd } from '../lib/proc.js';
import { asFastAs, reason, spread, type SuiteResult, type Table } from '../lib/results.js';
import { completeness, percent, readSboms } from '../lib/sbom-stats.js';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'sbom-workspace');
const OFFLINE: Record<string, string> = { CARGO_NET_OFFLINE: 'true', FETCH_LICENSE: 'false' };

interface Tool {
  readonly variant: Variant;
  /** Where its SBOM(s) end up. */
  readonly out: string;
}

export async function sbomSuite(ctx: BenchContext): Promise<SuiteResult> {
  const started = Date.now();
  if (!existsSync(path.join(FIXTURE, 'Cargo.lock'))) throw new Error(`the SBOM fixture workspace ${FIXTURE} is missing (issue 4)`);
  const ws = ctx.path('sbom', 'workspace');
  await fresh(ws);
  await cp(FIXTURE, ws, { recursive: true });
  const npmWs = path.join(ws, 'npm-lock');
  // napi-ship's cache of dependency graphs, in this run's scratch (filled by the untimed first run).
  const nsEnv = { ...OFFLINE, NAPI_SHIP_CACHE_DIR: ctx.path('sbom', 'napi-ship-cache') };
  await fresh(nsEnv.NAPI_SHIP_CACHE_DIR);

  const help = ctx.cli.help.sbom ?? '';
  const nsUnavailable = !ctx.cli.commands.has('sbom')
    ? '`napi-ship sbom` has not landed in this checkout (issue 4, src/sbom)'
    : !help.includes('--out')
      ? '`napi-ship sbom --help` lists no `--out` option to write the documents to'
      : null;
  // The whole graph, dev dependencies included, as npm sbom and cdxgen list it by default; offline.
  const nsFlags = [...(help.includes('--include-dev') ? ['--include-dev'] : []), ...(help.includes('--no-fetch') ? ['--no-fetch'] : [])];
  const nsArgs = (cwd: string, out: string, flags: readonly string[] = nsFlags): string[] => [
    'sbom',
    ...(help.includes('--cwd') ? ['--cwd', cwd] : []),
    '--out',
    out,
    ...flags,
  ];
  if (nsUnavailable === null && help.includes('--no-fetch')) {
    // Untimed: let napi-ship fill the local cargo registry cache once (`cargo fetch --locked`), as a
    // CI job would have; the timed runs then read it with --no-fetch.
    ctx.log('SBOM: filling the cargo registry cache for the fixture (untimed)');
    await mustRun({
      ...napiShip(nsArgs(ws, ctx.path('sbom', 'prefetch'), help.includes('--include-dev') ? ['--include-dev'] : []), { cwd: ws }),
      env: nsEnv,
    });
  }

  const tool = (
    id: string,
    label: string,
    out: string,
    cmd: Cmd,
    after?: (stdout: string) => Promise<void>,
    unavailable: string | null = null,
  ): Tool => ({
    out,
    variant: {
      id,
      label,
      unavailable,
      commands: [show(cmd, ctx.scratch)],
      setup: () => fresh(out),
      body: async () => {
        const r = await mustRun(cmd);
        if (after) await after(r.stdout);
      },
    },
  });

  const o = (name: string): string => ctx.path('sbom', 'out', name);
  const cached = help.includes('--no-cache');
  const full: Tool[] = [
    tool(
      'ns-ws',
      cached ? 'napi-ship sbom (graphs from its cache)' : 'napi-ship sbom',
      o('ns-ws'),
      { ...napiShip(nsArgs(ws, o('ns-ws'))), cwd: ws, env: nsEnv },
      undefined,
      nsUnavailable,
    ),
    tool('cdx-ws', 'cdxgen -t js -t rust', o('cdx-ws'), {
      cmd: localBin('cdxgen'),
      args: ['-t', 'js', '-t', 'rust', '--no-install-deps', '-o', path.join(o('cdx-ws'), 'bom.json'), ws],
      cwd: ws,
      env: OFFLINE,
    }),
  ];
  if (cached)
    full.push(
      tool(
        'ns-ws-nocache',
        'napi-ship sbom --no-cache',
        o('ns-ws-nocache'),
        { ...napiShip(nsArgs(ws, o('ns-ws-nocache'), [...nsFlags, '--no-cache'])), cwd: ws, env: nsEnv },
        undefined,
        nsUnavailable,
      ),
    );
  const npmPart: Tool[] = [
    tool(
      'ns-npm',
      'napi-ship sbom',
      o('ns-npm'),
      { ...napiShip(nsArgs(npmWs, o('ns-npm'))), cwd: npmWs, env: nsEnv },
      undefined,
      nsUnavailable,
    ),
    tool(
      'npm-npm',
      'npm sbom --sbom-format spdx --package-lock-only',
      o('npm-npm'),
      { cmd: 'npm', args: ['sbom', '--sbom-format', 'spdx', '--package-lock-only'], cwd: npmWs, env: OFFLINE },
      async (stdout) => {
        await mkdir(o('npm-npm'), { recursive: true });
        await writeFile(path.join(o('npm-npm'), 'npm.spdx.json'), stdout);
      },
    ),
  ];

  ctx.log('SBOM: workspace (Cargo.lock + pnpm-lock.yaml), then its npm-lock/ package');
  const measuredFull = await compare(
    full.map((t) => t.variant),
    ctx.compareOptions,
  );
  const measuredNpm = await compare(
    npmPart.map((t) => t.variant),
    ctx.compareOptions,
  );

  const completenessRows = async (tools: readonly Tool[], measured: readonly Measured[]): Promise<string[][]> => {
    const rows: string[][] = [];
    for (const [i, t] of tools.entries()) {
      const m = measured[i];
      if (!m?.stats) {
        rows.push([t.variant.label, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
        continue;
      }
      const docs = existsSync(t.out) ? await readSboms(t.out) : [];
      const stats = completeness(docs.map((d) => d.doc));
      if (stats.length === 0) rows.push([t.variant.label, 'no SBOM found', '', '', '', '']);
      for (const s of stats)
        rows.push([
          t.variant.label,
          s.ecosystem,
          String(s.packages),
          percent(s.withPurl, s.packages),
          percent(s.withLicense, s.packages),
          percent(s.withChecksum, s.packages),
        ]);
    }
    return rows;
  };
  const timeRows = (measured: readonly Measured[]): string[][] => measured.map((m) => [m.label, spread(m)]);
  const columns = ['tool', 'ecosystem', 'packages', 'with PURL', 'with license', 'with checksum'];
  const tables: Table[] = [
    { title: 'Workspace (Rust + npm): median wall time (min–max)', columns: ['tool', 'time'], rows: timeRows(measuredFull) },
    { title: "Workspace: completeness of the last run's SBOM(s)", columns, rows: await completenessRows(full, measuredFull) },
    {
      title: 'npm part (npm-lock/, package-lock.json): median wall time (min–max)',
      columns: ['tool', 'time'],
      rows: timeRows(measuredNpm),
    },
    { title: 'npm part: completeness', columns, rows: await completenessRows(npmPart, measuredNpm) },
  ];
  const ns = measuredFull[0];
  const cdx = measuredFull[1];
  const cold = cached ? measuredFull[2] : undefined;
  // What the timed runs did: ask napi-ship once more, with --json, whether the graphs came from its cache.
  let cacheState = 'not reported';
  if (nsUnavailable === null && help.includes('--json')) {
    const r = await mustRun({ ...napiShip([...nsArgs(ws, ctx.path('sbom', 'state')), '--json']), cwd: ws, env: nsEnv });
    const parsed = JSON.parse(r.stdout) as { cache?: { state?: string } };
    cacheState = parsed.cache?.state ?? 'not reported';
  }
  return {
    id: 'sbom',
    title: 'SBOM',
    verdicts: [
      ns?.stats && cdx?.stats
        ? `workspace: napi-ship sbom ${spread(ns)} (dependency graphs from its cache: ${cacheState}) vs cdxgen ${spread(cdx)}: ${asFastAs(cdx.stats.medianMs / ns.stats.medianMs, 'cdxgen')} — goal ≥20×: ${cdx.stats.medianMs / ns.stats.medianMs >= 20 ? 'met' : 'not met'}; completeness in the tables.`
        : `workspace: not measured: ${ns?.stats ? reason(cdx) : reason(ns)}`,
      ...(cold?.stats && cdx?.stats
        ? [
            `workspace, cache not used (--no-cache: cargo and the lockfile read again): napi-ship sbom ${spread(cold)}: ${asFastAs(cdx.stats.medianMs / cold.stats.medianMs, 'cdxgen')}.`,
          ]
        : []),
    ],
    inputs: [
      'test/fixtures/sbom-workspace (copied to scratch): a napi-rs root package with a Rust crate whose Cargo.lock is real (a few hundred crates) and a real pnpm-lock.yaml; node_modules is not installed, as in a fresh CI checkout.',
      "Its npm-lock/ directory: the same kind of package locked by npm (package-lock.json v3) — `npm sbom` refuses pnpm-installed trees (ESBOMPROBLEMS on pnpm's layout and `workspace:` specs), so it gets the npm lockfile.",
    ],
    tables,
    notes: [
      "napi-ship keeps the dependency graphs it read in a cache keyed by the digests of Cargo.lock, every Cargo.toml of the workspace's path crates (and their license files), the npm lockfile, node_modules' install state, package.json, the targets and its options; the untimed first run fills it, so the timed `napi-ship sbom` runs read the graphs from it (the verdict gives the cache state the run reported with --json) and still write every document anew. `--no-cache` is the same command reading cargo and the lockfile again.",
      'All tools run offline: CARGO_NET_OFFLINE=true, napi-ship with --no-fetch (the cargo registry cache was filled once before timing), cdxgen with --no-install-deps and FETCH_LICENSE=false, npm with --package-lock-only.',
      'napi-ship runs with --include-dev, so that all three tools describe the whole graph (npm sbom and cdxgen include dev dependencies by default; napi-ship lists only what ships unless asked).',
      "No node_modules is installed in the workspace, so an npm package's license can only come from its lockfile entry: package-lock.json v3 records licenses, pnpm-lock.yaml does not (every tool reports them as missing there).",
      '"with license" counts a declared or concluded license other than NOASSERTION/NONE; "with checksum" any checksum/hash; a workspace\'s own (path) packages have no registry checksum in any tool.',
      'cdxgen writes CycloneDX (its default spec version); napi-ship and npm write SPDX 2.3. The counts are per document package/component, by PURL type.',
    ],
    measured: [...measuredFull, ...measuredNpm],
    reproduce: [
      {
        label: 'workspace',
        commands: ['BENCH_ONLY=sbom bench/run', ...full.flatMap((t) => [`# ${t.variant.label}`, ...t.variant.commands])],
      },
      { label: 'npm part', commands: npmPart.flatMap((t) => [`# ${t.variant.label}`, ...t.variant.commands]) },
    ],
    suiteSeconds: (Date.now() - started) / 1000,
  };
}
