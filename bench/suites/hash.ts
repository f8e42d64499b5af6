/**
 * 2. Hashing: the core's one-pass sha1+sha256+sha512 over every artifact of a release vs coreutils
 * (`sha1sum`, `sha256sum`, `sha512sum` one after another) vs node:crypto streaming; and start-up:
 * `--version`, `--help` and `inspect` next to `node -e 0` and Node.js loading the core.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { hashFiles } from '../../src/core/index.js';
import type { BenchContext } from '../lib/context.js';
import { CORE_BINARY } from '../lib/binaries.js';
import { compare, type Measured, type Variant } from '../lib/measure.js';
import { mustRun, napiShip, repoRoot, show, type Cmd } from '../lib/proc.js';
import { mib, seconds, spread, type SuiteResult } from '../lib/results.js';

const NODE_HASH = path.join(repoRoot, 'dist', 'bench', 'lib', 'node-hash.js');

export async function hashSuite(ctx: BenchContext): Promise<SuiteResult> {
  const started = Date.now();
  const size = ctx.settings.hashSize;
  const release = await ctx.release('core8', size);
  // The release's tarballs, packed once (untimed), are artifacts too.
  const packed = ctx.path('hash', 'packed');
  await mustRun(napiShip(['pack', '--cwd', release.staged, '--out', packed]));
  const tarballs = (await readdir(packed))
    .filter((f) => f.endsWith('.tgz'))
    .sort()
    .map((f) => path.join(packed, f));
  const binaries = release.packageDirs.slice(1).map((d) => path.join(d, `addon.${path.basename(d)}.node`));
  const files = [...binaries, ...tarballs, CORE_BINARY];
  const bytes = (await Promise.all(files.map((f) => stat(f)))).reduce((n, s) => n + s.size, 0);
  const list = '$FILES';

  const cmd = (label: string, c: Cmd, id: string): Variant => ({
    id,
    label,
    commands: [show({ ...c, args: c.args.filter((a) => !files.includes(a)).concat(list) }, ctx.scratch)],
    body: async () => {
      await mustRun(c);
    },
  });
  const coreutils = (tools: readonly string[]): Variant => ({
    id: tools.join('+'),
    label: tools.length === 1 ? `${tools[0] ?? ''} alone` : `${tools.join('; ')} (one after another)`,
    commands: tools.map((t) => `${t} ${list}`),
    body: async () => {
      for (const t of tools) await mustRun({ cmd: t, args: files });
    },
  });
  const variants: Variant[] = [
    cmd('napi-ship hash (CLI: node start-up + core, files in parallel)', napiShip(['hash', ...files]), 'ns-cli'),
    cmd('napi-ship hash, one thread (RAYON_NUM_THREADS=1)', napiShip(['hash', ...files], { env: { RAYON_NUM_THREADS: '1' } }), 'ns-cli-1'),
    {
      id: 'ns-lib',
      label: 'hashFiles() in process (library, no start-up)',
      commands: ['node -e "import(\'./dist/src/core/index.js\').then(m => m.hashFiles(process.argv.slice(1)))" $FILES'],
      body: async () => {
        const r = await hashFiles(files);
        if (r.some((x) => !x.ok)) throw new Error('hashFiles failed on a file');
      },
    },
    {
      ...cmd('napi-ship --version (start-up only, for reference)', napiShip(['--version']), 'ns-startup'),
      commands: ['node bin/napi-ship.js --version'],
    },
    cmd('node:crypto streaming (3 hashes per stream, files concurrently)', { cmd: process.execPath, args: [NODE_HASH, ...files] }, 'node'),
    coreutils(['sha1sum', 'sha256sum', 'sha512sum']),
    coreutils(['sha512sum']),
    coreutils(['sha256sum']),
    coreutils(['sha1sum']),
  ];
  ctx.log(`hashing ${files.length} files, ${mib(bytes)}`);
  const measured = await compare(variants, ctx.compareOptions);
  const byId = new Map(measured.map((m) => [m.id, m]));
  const base = byId.get('sha512sum');
  const ratio = (m: Measured | undefined): string =>
    m?.stats && base?.stats ? `${(m.stats.medianMs / base.stats.medianMs).toFixed(2)}×` : 'n/a';
  const rate = (m: Measured): string => (m.stats ? `${(bytes / (1024 * 1024) / (m.stats.medianMs / 1000)).toFixed(0)} MiB/s` : 'n/a');
  const rows = measured.map((m) => [m.label, spread(m), m.id === 'ns-startup' ? '–' : rate(m), ratio(m)]);
  const verdict = (id: string, what: string): string => {
    const m = byId.get(id);
    if (!m?.stats || !base?.stats) return `${what}: not measured.`;
    const r = m.stats.medianMs / base.stats.medianMs;
    return `${what}: all three digests in ${r.toFixed(2)}× the time of \`sha512sum\` alone (${seconds(m.stats.medianMs)} vs ${seconds(base.stats.medianMs)}) — goal ≤1.3×: ${r <= 1.3 ? 'met' : 'not met'}.`;
  };
  // Start-up (issue 17 item 1): each command that needs little next to Node.js alone and Node.js loading the core.
  const coreLoad: Cmd = {
    cmd: process.execPath,
    args: ['-e', `require(${JSON.stringify(path.join(repoRoot, 'crates', 'napi-ship-node'))})`],
  };
  const startupVariants: Variant[] = [
    { ...cmd('node -e 0', { cmd: process.execPath, args: ['-e', '0'] }, 'node-e-0'), commands: ['node -e 0'] },
    {
      ...cmd('node loading the core (require @napi-ship/core)', coreLoad, 'node-core'),
      commands: ['node -e "require(\'./crates/napi-ship-node\')"'],
    },
    { ...cmd('napi-ship --version', napiShip(['--version']), 'ns-version'), commands: ['node bin/napi-ship.js --version'] },
    { ...cmd('napi-ship --help', napiShip(['--help']), 'ns-help'), commands: ['node bin/napi-ship.js --help'] },
    {
      ...cmd('napi-ship inspect <one binary>', napiShip(['inspect', CORE_BINARY]), 'ns-inspect'),
      commands: ['node bin/napi-ship.js inspect crates/napi-ship-node/napi-ship-core.linux-x64-gnu.node'],
    },
  ];
  ctx.log('start-up: node -e 0, the core load, --version, --help, inspect');
  const startup = await compare(startupVariants, { ...ctx.compareOptions, runs: Math.max(ctx.compareOptions.runs * 2, 2) });
  const sById = new Map(startup.map((m) => [m.id, m]));
  const coreBase = sById.get('node-core');
  const startupVerdicts = ['ns-version', 'ns-help', 'ns-inspect'].map((id) => {
    const m = sById.get(id);
    if (!m?.stats || !coreBase?.stats) return `start-up, ${m?.label ?? id}: not measured.`;
    const r = m.stats.medianMs / coreBase.stats.medianMs;
    return `Start-up: ${m.label} in ${seconds(m.stats.medianMs)}, ${r.toFixed(2)}× of \`node -e 0\` plus the core's load (${seconds(coreBase.stats.medianMs)}) — goal ≤1.5×: ${r <= 1.5 ? 'met' : 'not met'}.`;
  });
  const startupRows = startup.map((m) => [
    m.label,
    spread(m),
    m.stats && coreBase?.stats ? `${(m.stats.medianMs / coreBase.stats.medianMs).toFixed(2)}×` : 'n/a',
  ]);
  return {
    id: 'hash',
    title: 'Hashing and start-up',
    verdicts: [
      verdict('ns-cli', '`napi-ship hash` (CLI)'),
      verdict('ns-cli-1', '`napi-ship hash` (CLI) on one thread'),
      verdict('ns-lib', 'the core (`hashFiles`, in process)'),
      ...startupVerdicts,
    ],
    inputs: [
      `${files.length} files, ${mib(bytes)}: the 8 platform binaries of the ${String(size)} MiB release, its 9 tarballs (packed once, untimed) and the repo's own core binary.`,
    ],
    tables: [
      {
        title: 'Median wall time (min–max), throughput, and time relative to `sha512sum` alone',
        columns: ['tool', 'time', 'throughput', '× sha512sum'],
        rows,
      },
      {
        title: "Start-up: median wall time (min–max) and relative to `node -e 0` plus the core's load (twice the runs: these are short)",
        columns: ['command', 'time', '× node + core load'],
        rows: startupRows,
      },
    ],
    notes: [
      'sha512 is the slowest of the three digests on CPUs without SHA-512 instructions, so "all three in ≤1.3× of sha512 alone" means sha1 and sha256 must cost little on top of it.',
      'napi-ship hashes files in parallel (rayon, one thread per core); coreutils hash one file at a time on one core. The one-thread row shows the per-core cost.',
      'The CLI rows include starting Node.js and loading the CLI and the core (the `napi-ship --version` row: start-up alone, hashing nothing); the library row is the core alone, called in an already running process.',
    ],
    measured: [...measured, ...startup],
    reproduce: [
      {
        label: 'all rows',
        commands: [
          'BENCH_ONLY=hash bench/run',
          `# FILES: ${String(files.length)} files, see the inputs`,
          ...variants.flatMap((v) => [`# ${v.label}`, ...v.commands]),
        ],
      },
      {
        label: 'start-up rows',
        commands: ['BENCH_ONLY=hash bench/run', ...startupVariants.flatMap((v) => [`# ${v.label}`, ...v.commands])],
      },
    ],
    suiteSeconds: (Date.now() - started) / 1000,
  };
}
