/**
 * 1. Dry run: `napi-ship release --dry-run` vs the corsa-bind style loop (`pnpm pack` +
 * `npm publish --dry-run` per package) vs `napi pre-publish --dry-run`, on the same release.
 */
import { cp, link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { coreDir } from '../../scripts/lib/repo.js';
import { fresh, registryAlive, type BenchContext } from '../lib/context.js';
import type { Registry } from '../../src/rehearsal/registry.js';
import { compare, type Measured, type Variant } from '../lib/measure.js';
import { CORE_BINARY } from '../lib/binaries.js';
import { localBin, mustRun, napiShip, show, type Cmd } from '../lib/proc.js';
import { asFastAs, mib, speedup, speedupValue, spread, type SuiteResult } from '../lib/results.js';

/**
 * The corsa-bind style pipeline: per package, `pnpm pack`, then `npm publish --dry-run` of that
 * tarball. The registry is checked (and restarted if needed) before each run and checked again
 * after it: a registry that died mid-run would make npm retry for a minute per package.
 */
export function loopVariant(ctx: BenchContext, id: string, label: string, dirs: readonly string[]): Variant {
  const out = ctx.path('loop-out', id);
  const pnpmPack = (dir: string, dest: string): Cmd => ({ cmd: 'pnpm', args: ['pack', '--pack-destination', dest], cwd: dir });
  const npmPublish = (tgz: string, r: { url: string; npmrc: string }, dir: string): Cmd => ({
    cmd: 'npm',
    args: ['publish', '--dry-run', tgz, '--registry', r.url, '--userconfig', r.npmrc],
    cwd: dir,
  });
  let registry: Registry | null = null;
  return {
    id,
    label,
    commands: [
      `for each package dir (platform packages, then the root):`,
      `  ${show(pnpmPack('$PKG', '$OUT/$i'), ctx.scratch)}`,
      `  ${show(npmPublish('$OUT/$i/<name>-<version>.tgz', { url: '$REGISTRY', npmrc: '$NPMRC' }, '$PKG'), ctx.scratch)}`,
    ],
    setup: async () => {
      await fresh(out);
      registry = await ctx.registry();
    },
    body: async () => {
      const r = registry;
      if (r === null) throw new Error('no registry');
      let n = 0;
      for (const dir of dirs) {
        const dest = path.join(out, String(n++));
        await mustRun(pnpmPack(dir, dest));
        const tgz = (await readdir(dest)).filter((f) => f.endsWith('.tgz'));
        if (tgz.length !== 1 || tgz[0] === undefined) throw new Error(`pnpm pack in ${dir} left ${String(tgz.length)} tarballs`);
        const published = await mustRun(npmPublish(path.join(dest, tgz[0]), r, dir));
        if (published.ms > 20_000)
          ctx.log(
            `  slow: npm publish --dry-run took ${(published.ms / 1000).toFixed(0)} s: ${published.stderr.trim().split('\n').slice(-3).join(' | ')}`,
          );
      }
    },
    teardown: async () => {
      if (registry !== null && !(await registryAlive(registry.url)))
        throw new Error(`the registry ${registry.url} died during the run: its timing is void`);
    },
  };
}

/**
 * The release's artifacts with the host target's binary replaced by the repo's real core (padded
 * with zeros after its end to the same size): the fixture addons export no function, so the
 * rehearsal's loads of the host target could never pass on them. The other targets stay as they are
 * (hard links).
 */
async function loadableArtifacts(artifacts: string, into: string, hostTriple: string): Promise<string> {
  await rm(into, { recursive: true, force: true });
  for (const sub of await readdir(artifacts)) {
    await mkdir(path.join(into, sub), { recursive: true });
    for (const file of await readdir(path.join(artifacts, sub))) {
      const from = path.join(artifacts, sub, file);
      const to = path.join(into, sub, file);
      if (sub === `bindings-${hostTriple}`) {
        const size = (await readFile(from)).length;
        const core = await readFile(CORE_BINARY);
        await writeFile(to, Buffer.concat([core, Buffer.alloc(Math.max(0, size - core.length))]));
      } else await link(from, to);
    }
  }
  return into;
}

/** Platform packages first, the root last (how a release must publish them). */
export function publishOrder(packageDirs: readonly string[]): string[] {
  const [root, ...platforms] = packageDirs;
  return root === undefined ? [] : [...platforms, root];
}

export async function dryRunSuite(ctx: BenchContext): Promise<SuiteResult> {
  const started = Date.now();
  const flags = ctx.dryRunFlags();
  const measured: Measured[] = [];
  const rows: string[][] = [];
  const reproduce: { label: string; commands: string[] }[] = [];
  const verdicts: string[] = [];
  const notes: string[] = [];

  for (const size of ctx.settings.dryRunSizes) {
    const release = await ctx.release('core8', size);
    const out = ctx.path('dry-run', `ns-${String(size)}`);
    const nsCmd = napiShip([
      'release',
      '--dry-run',
      ...flags,
      '--strict',
      '--cwd',
      release.root,
      '--artifacts',
      release.artifacts,
      '--out',
      out,
    ]);
    const napiCmd: Cmd = {
      cmd: localBin('napi'),
      args: ['pre-publish', '--dry-run', '--no-gh-release', '--cwd', release.staged, '--npm-dir', 'npm'],
    };
    // First run: an empty tarball cache before every run. Re-run: the same command again over its own
    // earlier output and cache (warmed once, untimed) — the binaries unchanged.
    const rerunOut = ctx.path('dry-run', `ns-rerun-${String(size)}`);
    const rerunCache = ctx.path('cache-rerun', String(size));
    const rerunCmd = napiShip(
      ['release', '--dry-run', ...flags, '--strict', '--cwd', release.root, '--artifacts', release.artifacts, '--out', rerunOut],
      { env: { NAPI_SHIP_CACHE_DIR: rerunCache } },
    );
    let warmed = false;
    const fullOut = ctx.path('dry-run', `ns-full-${String(size)}`);
    const fullFlags = flags.filter((f) => f !== '--no-rehearsal');
    const withFull = size === ctx.settings.dryRunSizes[0] && flags.includes('--no-rehearsal');
    const fullArtifacts = withFull
      ? await loadableArtifacts(release.artifacts, path.join(release.dir, 'artifacts-loadable'), 'x86_64-unknown-linux-gnu')
      : release.artifacts;
    const fullCmd = napiShip([
      'release',
      '--dry-run',
      ...fullFlags,
      '--strict',
      '--cwd',
      release.root,
      '--artifacts',
      fullArtifacts,
      '--out',
      fullOut,
    ]);
    const variants: Variant[] = [
      {
        id: `ns-${String(size)}`,
        label: 'napi-ship release --dry-run',
        commands: [show(nsCmd, ctx.scratch)],
        setup: async () => {
          await fresh(out);
          await ctx.emptyCache();
        },
        body: async () => {
          await mustRun(nsCmd);
        },
      },
      {
        id: `ns-rerun-${String(size)}`,
        label: 'napi-ship release --dry-run, re-run',
        commands: [`${show(rerunCmd, ctx.scratch)}   # twice: the second run is timed`],
        setup: async () => {
          if (warmed) return;
          await rm(rerunCache, { recursive: true, force: true });
          await mustRun(rerunCmd);
          warmed = true;
        },
        body: async () => {
          await mustRun(rerunCmd);
        },
      },
      loopVariant(ctx, `loop-${String(size)}`, 'pnpm pack + npm publish --dry-run ×9', publishOrder(release.packageDirs)),
      {
        id: `napi-${String(size)}`,
        label: 'napi pre-publish --dry-run',
        commands: [show(napiCmd, ctx.scratch)],
        body: async () => {
          await mustRun(napiCmd);
        },
        unavailable: ctx.settings.napiSizes.includes(size)
          ? null
          : `skipped at ${String(size)} MiB to keep bench/run within 10 minutes (BENCH_NAPI_SIZES=${[...ctx.settings.napiSizes, size].join(',')} adds it)`,
      },
      {
        id: `ns-full-${String(size)}`,
        // Reported beside the local pipeline, not a gate of bench/run. The host target's binary is the
        // repo's real core here (loadableArtifacts): the fixture addons export no function to load.
        ours: false,
        label: 'napi-ship release --dry-run with the rehearsal',
        commands: [show(fullCmd, ctx.scratch)],
        setup: async () => {
          await fresh(fullOut);
          await ctx.emptyCache();
        },
        body: async () => {
          await mustRun(fullCmd);
        },
        unavailable: withFull ? null : `measured at ${String(ctx.settings.dryRunSizes[0] ?? '')} MiB only`,
      },
    ];
    ctx.log(`dry run, 8 targets × ${String(size)} MiB`);
    const [ns, rerun, loop, napi, full] = await compare(variants, ctx.compareOptions);
    if (ns === undefined || rerun === undefined || loop === undefined || napi === undefined || full === undefined)
      throw new Error('dry-run: a variant is missing');
    measured.push(ns, rerun, loop, napi, full);
    ctx.dryRuns.set(`core8/${String(size)}`, ns);
    rows.push([
      `8 targets × ${String(size)} MiB + root (${mib(release.binaryBytes)} of binaries)`,
      spread(ns),
      spread(rerun),
      spread(loop),
      spread(napi),
      spread(full),
      speedup(ns, loop),
      speedup(rerun, loop),
      speedup(ns, napi),
    ]);
    reproduce.push({
      label: `8 targets × ${String(size)} MiB`,
      commands: [
        `BENCH_ONLY=dry-run BENCH_DRY_RUN_SIZES=${String(size)} bench/run`,
        ...variants.flatMap((v) => [`# ${v.label}`, ...v.commands]),
      ],
    });
    const x = speedupValue(ns, loop);
    const xr = speedupValue(rerun, loop);
    const goal = size <= 5 ? 5 : 3;
    verdicts.push(
      `8 × ${String(size)} MiB, first run: napi-ship release --dry-run is ${asFastAs(x, 'the pnpm pack + npm publish --dry-run loop')} — goal ≥${String(goal)}×: ${x === null ? 'not measured' : x >= goal ? 'met' : 'not met'}.`,
      `8 × ${String(size)} MiB, re-run with unchanged binaries: ${asFastAs(xr, 'the loop')} — goal ≥10×: ${xr === null ? 'not measured' : xr >= 10 ? 'met' : 'not met'}.`,
    );
    if (full.stats)
      verdicts.push(
        `8 × ${String(size)} MiB, the full dry run with the rehearsal (verdaccio publish, installs, loads; --offline): ${spread(full)}.`,
      );
  }

  // The repo's own core: the host target only (the other seven cannot build on one Linux machine).
  {
    const out = ctx.path('dry-run', 'core');
    const noBuild = ctx.cli.releaseFlags.has('--no-build') ? ['--no-build'] : [];
    const nsCmd = napiShip(['release', '--dry-run', ...flags, ...noBuild, '--cwd', coreDir, '--out', out]);
    // The loop starts from the same staged packages the dry run stages (root + the host target's package).
    const staged = ctx.path('dry-run', 'core-staged');
    await mustRun(nsCmd);
    await cp(path.join(out, 'staging'), staged, { recursive: true });
    const coreDirs = [path.join(staged, 'npm', 'linux-x64-gnu'), staged];
    const napiCmd: Cmd = {
      cmd: localBin('napi'),
      args: ['pre-publish', '--dry-run', '--no-gh-release', '--cwd', staged, '--npm-dir', 'npm'],
    };
    const variants: Variant[] = [
      {
        id: 'ns-core',
        label: 'napi-ship release --dry-run',
        commands: [show(nsCmd, ctx.scratch)],
        setup: async () => {
          await fresh(out);
          await ctx.emptyCache();
        },
        body: async () => {
          await mustRun(nsCmd);
        },
      },
      loopVariant(ctx, 'loop-core', 'pnpm pack + npm publish --dry-run ×2', coreDirs),
      {
        id: 'napi-core',
        label: 'napi pre-publish --dry-run',
        commands: [show(napiCmd, ctx.scratch)],
        body: async () => {
          await mustRun(napiCmd);
        },
      },
    ];
    ctx.log("dry run, the repo's own core (host target)");
    const [ns, loop, napi] = await compare(variants, ctx.compareOptions);
    if (ns === undefined || loop === undefined || napi === undefined) throw new Error('dry-run: a variant is missing');
    measured.push(ns, loop, napi);
    rows.push([
      '@napi-ship/core: root + linux-x64-gnu (the 7 other targets are not built here)',
      spread(ns),
      'n/a',
      spread(loop),
      spread(napi),
      'n/a',
      speedup(ns, loop),
      'n/a',
      speedup(ns, napi),
    ]);
    reproduce.push({
      label: '@napi-ship/core',
      commands: ['BENCH_ONLY=dry-run bench/run', ...variants.flatMap((v) => [`# ${v.label}`, ...v.commands])],
    });
  }

  if (!ctx.cli.releaseFlags.has('--no-rehearsal')) {
    notes.push(
      "This checkout's `release --dry-run` has no `--no-rehearsal` flag (no registry rehearsal inside the dry run yet), so it ran without it.",
    );
  } else {
    notes.push(
      `\`release --dry-run\` ran with ${flags.map((f) => `\`${f}\``).join(' and ')}: no registry rehearsal (verdaccio publish, installs, loads) and no read of the real registry inside the timing — the local pipeline only, like the baselines.`,
    );
  }
  notes.push(
    "First run: the tarball cache (src/pack/cache.ts) is emptied before every run, so every tarball is compressed. Re-run: the same command a second time over its own earlier output, the binaries unchanged — the tarballs come byte-identical from the cache (keyed by the digest of their exact inputs); staging, verify, hashing, SBOM and signing all run again; the signed-release check hashes every tarball against the signed manifest but does not inflate those whose cache entry records that these very bytes passed the check in the untimed first run (the first-run column always inflates every tarball). Every napi-ship command of bench/run uses a cache dir inside the scratch dir (NAPI_SHIP_CACHE_DIR), never the user's.",
    "With the rehearsal: the same dry run without `--no-rehearsal` (still `--offline`): an embedded verdaccio on loopback, the publish into it, installs with npm/pnpm/Bun/Deno and loads of the host target. Its linux-x64-gnu binary is the repo's real core padded with zeros to the same size (the fixture addons export no function, so a load of them cannot pass); the other seven are the same files.",
    'napi-ship starts from the CI artifacts dir and does its whole local pipeline in the timed run: stage into a throwaway copy, verify every binary (read by the core), pack nine reproducible tarballs with the manifest, write the SBOMs and check the license policy, sign the manifest and verify the signed release dir (the scaling suite shows how long each step takes).',
    'The loop starts from packages already staged (binaries in `npm/<abi>/`, pins in the root) — that staging is not timed, so the loop is credited with less work than napi-ship does.',
    '`npm publish --dry-run` asks the registry for the packument before it reports; it runs against a local verdaccio on 127.0.0.1 (against a closed port it retries for over a minute per package), so the loop pays no network time.',
    '`napi pre-publish --dry-run` (@napi-rs/cli) validates each platform package dir with one `npm pack --dry-run --json` per platform package (npm builds the gzip-9 tarball in memory to report its size and integrity, then discards it) and prints what it would do; it writes no tarball and publishes nothing in dry-run mode. It runs with `--no-gh-release`: its default `--gh-release` runs `git log` in the package dir (a git checkout is required) and needs GITHUB_REPOSITORY/GITHUB_TOKEN for the GitHub release it would create.',
  );
  return {
    id: 'dry-run',
    title: 'Dry run',
    verdicts,
    notes,
    measured,
    reproduce,
    inputs: [
      "A synthetic napi-rs release: the root package plus 8 platform packages (the core's 8 targets), each `.node` a real cross-built binary (bench/lib/binaries.ts) padded to the size shown with a read-only data section of real machine code.",
      "The repo's own core, `@napi-ship/core`, with its host binary.",
    ],
    tables: [
      {
        title: 'Median wall time (min–max) and how many times faster napi-ship is',
        columns: [
          'input',
          'napi-ship release --dry-run (first run)',
          'napi-ship, re-run',
          'pnpm pack + npm publish --dry-run',
          'napi pre-publish --dry-run',
          'napi-ship with the rehearsal',
          'first run vs loop',
          're-run vs loop',
          'vs napi',
        ],
        rows,
      },
    ],
    suiteSeconds: (Date.now() - started) / 1000,
  };
}
