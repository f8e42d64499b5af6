/**
 * 3. Pack: `napi-ship pack` vs `npm pack` for the nine packages — time, and tarball sizes (both
 * napi-ship: the core's libdeflate at level 6, level 12 up to 1 MiB; npm: pacote's zlib level 9).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fresh, type BenchContext } from '../lib/context.js';
import { compare, type Variant } from '../lib/measure.js';
import { mustRun, napiShip, show, type Cmd } from '../lib/proc.js';
import { asFastAs, mib, speedup, speedupValue, spread, type SuiteResult } from '../lib/results.js';

async function tarballSizes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.tgz')).sort()) out.set(f, (await stat(path.join(dir, f))).size);
  return out;
}

export async function packSuite(ctx: BenchContext): Promise<SuiteResult> {
  const started = Date.now();
  const size = ctx.settings.packSize;
  const release = await ctx.release('core8', size);
  const nsOut = ctx.path('pack', 'napi-ship');
  const npmOut = ctx.path('pack', 'npm');
  const nsCmd = napiShip(['pack', '--cwd', release.staged, '--out', nsOut]);
  // `./` keeps npm from reading `npm/<abi>` as a GitHub `user/repo` shorthand.
  const relative = release.packageDirs.map((d) => (d === release.staged ? '.' : `./${path.relative(release.staged, d)}`));
  const npmCmd: Cmd = { cmd: 'npm', args: ['pack', ...relative, '--pack-destination', npmOut], cwd: release.staged };
  const variants: Variant[] = [
    {
      id: 'ns',
      label: 'napi-ship pack',
      commands: [show(nsCmd, ctx.scratch)],
      setup: async () => {
        await fresh(nsOut);
        await ctx.emptyCache();
      },
      body: async () => {
        await mustRun(nsCmd);
      },
    },
    {
      id: 'npm',
      label: 'npm pack (all 9 dirs in one invocation)',
      commands: [show(npmCmd, ctx.scratch)],
      setup: () => fresh(npmOut),
      body: async () => {
        await mustRun(npmCmd);
      },
    },
  ];
  ctx.log(`pack, 9 packages, 8 × ${String(size)} MiB binaries`);
  const measured = await compare(variants, ctx.compareOptions);
  const [ns, npm] = measured;
  const nsSizes = await tarballSizes(nsOut);
  const npmSizes = await tarballSizes(npmOut);
  const names = [...new Set([...nsSizes.keys(), ...npmSizes.keys()])].sort();
  const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const sizeRows = names.map((n) => [
    n,
    String(nsSizes.get(n) ?? 'missing'),
    String(npmSizes.get(n) ?? 'missing'),
    diff(nsSizes.get(n), npmSizes.get(n)),
  ]);
  sizeRows.push([
    '**total**',
    `${String(total(nsSizes))} (${mib(total(nsSizes))})`,
    `${String(total(npmSizes))} (${mib(total(npmSizes))})`,
    diff(total(nsSizes), total(npmSizes)),
  ]);
  const x = speedupValue(ns, npm);
  return {
    id: 'pack',
    title: 'Pack',
    verdicts: [
      `9 packages with 8 × ${String(size)} MiB binaries: napi-ship pack is ${asFastAs(x, 'npm pack')}; its tarballs total ${String(total(nsSizes))} bytes vs npm's ${String(total(npmSizes))} (${diff(total(nsSizes), total(npmSizes))}); every napi-ship tarball ${names.every((n) => (nsSizes.get(n) ?? Infinity) <= (npmSizes.get(n) ?? -1)) ? 'is no larger than' : 'is NOT always within'} npm's of the same package.`,
    ],
    inputs: [
      `The staged ${String(size)} MiB release: root + 8 platform packages (binaries ${mib(release.binaryBytes)} in total; gzip brings them to ${((total(nsSizes) / release.binaryBytes) * 100).toFixed(0)} % of that, as the pad is real machine code).`,
    ],
    tables: [
      {
        title: 'Median wall time (min–max)',
        columns: ['tool', 'time', 'napi-ship speed-up'],
        rows: [
          [ns?.label ?? '', ns ? spread(ns) : 'n/a', '1×'],
          [npm?.label ?? '', npm ? spread(npm) : 'n/a', speedup(ns, npm)],
        ],
      },
      {
        title: "Tarball sizes in bytes (napi-ship: the core's libdeflate, level 6; npm: zlib level 9)",
        columns: ['tarball', 'napi-ship pack', 'npm pack', 'napi-ship vs npm'],
        rows: sizeRows,
      },
    ],
    notes: [
      'napi-ship pack also writes `SHA256SUMS` and `release-manifest.json` (every tarball and binary hashed three ways, binaries inspected) inside the timed run; npm pack writes the tarballs only.',
      "napi-ship gzips in the Rust core (crates/napi-ship-core/src/gzip.rs): libdeflate at level 6 (level 12 for tar streams up to 1 MiB), one deflate stream per tarball, the tarballs compressed side by side, one per core; npm: pacote's zlib level 9 on one thread. The tar streams also differ in fixed header fields (mtime, mode, owner, entry order). The tarball cache is emptied before every napi-ship run here, so every tarball is compressed.",
      'npm pack gets all nine directories in one invocation (one Node.js start), the fastest way to drive it.',
    ],
    measured,
    reproduce: [
      {
        label: 'both rows',
        commands: [
          `BENCH_ONLY=pack BENCH_PACK_SIZE=${String(size)} bench/run`,
          ...variants.flatMap((v) => [`# ${v.label}`, ...v.commands]),
        ],
      },
    ],
    suiteSeconds: (Date.now() - started) / 1000,
  };
}

function diff(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || b === 0) return 'n/a';
  const d = (a / b - 1) * 100;
  return `${d >= 0 ? '+' : ''}${d.toFixed(2)} %`;
}
