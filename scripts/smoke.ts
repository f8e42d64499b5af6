/**
 * `pnpm smoke`: load napi-ship's own core (@napi-ship/core) on Node.js, Deno and Bun and call it.
 * A thin shell over `runSmoke` (scripts/lib/smoke.ts):
 *
 *   pnpm smoke                                  from the build dir (crates/napi-ship-node)
 *   pnpm smoke --from tarballs                  from a fresh dry run's tarballs, installed offline
 *   pnpm smoke --from tarballs --release-dir dist/release
 *   pnpm smoke --runtime deno,bun --json
 *
 * Exit 0 when every runtime passed, 1 when one failed, 2 on bad arguments, 3 when the run itself
 * could not happen (no release dir, npm install failed).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { paint, processIo, textTable } from '../src/cli/output.js';
import { rerunLine, runSmoke, SMOKE_RUNTIMES, type SmokeReport, type SmokeRuntime } from './lib/smoke.js';

const USAGE =
  'usage: node dist/scripts/smoke.js [--from build|tarballs] [--release-dir DIR] [--build-dir DIR] [--runtime node,deno,bun] [--keep] [--json]\n';
const io = processIo();

function fail(message: string, code: number): never {
  io.stderr(`smoke: ${message}\n`);
  process.exit(code);
}

function options(): {
  from: 'build' | 'tarballs';
  releaseDir?: string;
  buildDir?: string;
  runtimes: SmokeRuntime[];
  keep: boolean;
  json: boolean;
} {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        from: { type: 'string', default: 'build' },
        'release-dir': { type: 'string' },
        'build-dir': { type: 'string' },
        runtime: { type: 'string', multiple: true },
        keep: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, 2);
  }
  if (parsed.help) {
    io.stdout(USAGE);
    process.exit(0);
  }
  const from = parsed.from;
  if (from !== 'build' && from !== 'tarballs') fail(`--from is build or tarballs, not ${from}\n${USAGE}`, 2);
  if (parsed['release-dir'] !== undefined && from !== 'tarballs') fail('--release-dir goes with --from tarballs', 2);
  const names = (parsed.runtime ?? [])
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const runtimes =
    names.length === 0
      ? [...SMOKE_RUNTIMES]
      : names.map((n) => SMOKE_RUNTIMES.find((r) => r === n) ?? fail(`unknown runtime ${n} (${SMOKE_RUNTIMES.join(', ')})`, 2));
  return {
    from,
    ...(parsed['release-dir'] === undefined ? {} : { releaseDir: path.resolve(parsed['release-dir']) }),
    ...(parsed['build-dir'] === undefined ? {} : { buildDir: path.resolve(parsed['build-dir']) }),
    runtimes,
    keep: parsed.keep,
    json: parsed.json,
  };
}

function render(report: SmokeReport, kept: boolean): string {
  const where =
    report.install === null
      ? `the build dir ${path.relative(process.cwd(), report.dir) || '.'}`
      : `${report.install.packages.map((p) => p.tarball).join(' + ')} of ${report.install.releaseDir}, installed offline in ${kept ? report.install.scratch : 'a scratch project (removed; --keep keeps it)'}`;
  const rows = report.results.map((r) => [
    r.runtime,
    r.version ?? '?',
    r.ok ? paint(io, 'green', 'ok') : paint(io, 'red', 'FAILED'),
    `${r.checks.filter((c) => c.ok).length}/${r.checks.length}`,
    `${r.durationMs} ms`,
  ]);
  const lines = [
    `smoke: @napi-ship/core ${report.expectVersion} from ${where}`,
    '',
    textTable(['runtime', 'version', 'result', 'checks', 'time'], rows),
    `runtimes: ${report.results.map((r) => `${r.runtime} ${r.version ?? '?'}`).join(', ')}`,
  ];
  for (const r of report.results.filter((x) => !x.ok)) {
    lines.push('', paint(io, 'red', `${r.runtime} failed:`));
    for (const c of r.checks.filter((x) => !x.ok)) lines.push(`  ${c.name}: ${c.detail}`);
    // The script echoes each failed check to stderr; show what else it said (a crash, a warning).
    const echoes = new Set(r.checks.map((c) => `smoke-${r.runtime}: ${c.name} failed: ${c.detail}`));
    const other = (r.stderr ?? '')
      .trimEnd()
      .split('\n')
      .filter((l) => l.trim() !== '' && !echoes.has(l));
    if (other.length > 0) lines.push('  stderr:', ...other.map((l) => `    ${l}`));
    lines.push(`  rerun: ${rerunLine(r)}`);
  }
  return `${lines.join('\n')}\n`;
}

const opts = options();
let report: SmokeReport;
try {
  report = await runSmoke({
    from: opts.from,
    runtimes: opts.runtimes,
    keepScratch: opts.keep,
    ...(opts.releaseDir === undefined ? {} : { releaseDir: opts.releaseDir }),
    ...(opts.buildDir === undefined ? {} : { buildDir: opts.buildDir }),
    onStep: (s) => {
      if (!opts.json) io.stderr(paint(io, 'dim', `› ${s}\n`));
    },
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error), 3);
}
io.stdout(opts.json ? `${JSON.stringify(report, null, 2)}\n` : render(report, opts.keep));
process.exitCode = report.ok ? 0 : 1;
