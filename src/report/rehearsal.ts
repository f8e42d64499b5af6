/**
 * The rehearsal section of the report: the embedded registry, what was published to it, an
 * installer × runtime table (✓/✗/skipped with why) and the read-only plan against the real
 * registry. Pure: run record in, lines out.
 */
import type { RunRecord } from '../run/index.js';
import {
  RUNTIMES,
  type InstallResult,
  type LoadResult,
  type RealAction,
  type Rehearsal,
  type Runtime,
  type StepStatus,
} from '../rehearsal/types.js';
import { textTable } from './table.js';

const MARK: Record<StepStatus, { md: string; text: string }> = {
  ok: { md: '✅', text: '✓' },
  fail: { md: '❌', text: '✗' },
  skip: { md: '➖', text: '-' },
};

const ACTION: Record<RealAction, string> = {
  'would-publish': 'would publish',
  same: 'already there, same bytes',
  conflict: 'CONFLICT',
  'not-built': 'not built here (blocks a real publish)',
};

function runtimesOf(r: Rehearsal): Runtime[] {
  return RUNTIMES.filter((rt) => r.loads.some((l) => l.runtime === rt));
}

function load(r: Rehearsal, i: InstallResult, runtime: Runtime): LoadResult | undefined {
  return r.loads.find((l) => l.installer === i.installer && l.runtime === runtime);
}

/** One line per installer: what went wrong first, else what it installed and how it loaded. */
function rowNote(r: Rehearsal, i: InstallResult): string {
  if (i.status !== 'ok') return i.detail;
  const bad = r.loads.find((l) => l.installer === i.installer && l.status === 'fail');
  if (bad) return `${bad.runtime}: ${bad.detail}`;
  const skipped = r.loads.find((l) => l.installer === i.installer && l.status === 'skip');
  const loaded = r.loads.find((l) => l.installer === i.installer && l.status === 'ok');
  const how =
    loaded === undefined
      ? ''
      : loaded.mode === 'smoke'
        ? `smoke: ${String(loaded.checks.length)} checks per runtime (${loaded.checks
            .map((c) => c.name)
            .filter((n) => /^(hash|inspect)$/.test(n))
            .join(', ')}, …)`
        : loaded.detail;
  return [i.detail, how, skipped ? `${skipped.runtime}: ${skipped.detail}` : ''].filter((x) => x !== '').join('; ');
}

/**
 * The local part of the rehearsal (embedded-registry publish, installs, loads) on its own: a conflict
 * found by the read-only real-registry plan fails the rehearsal's outcome, but not this.
 */
export function rehearsalLocal(r: Rehearsal): 'passed' | 'failed' | 'skipped' {
  if (r.status === 'skip') return 'skipped';
  if (r.installs.some((i) => i.status === 'fail') || r.loads.some((l) => l.status === 'fail')) return 'failed';
  if (r.status === 'ok') return 'passed';
  const realFailed = r.realRegistry.status === 'fail' || r.realRegistry.packages.some((p) => p.action === 'conflict');
  return realFailed && r.installs.length > 0 && r.installs.every((i) => i.status !== 'fail') ? 'passed' : 'failed';
}

function headline(r: Rehearsal): string {
  const state = { passed: 'passed', failed: 'FAILED', skipped: 'skipped' }[rehearsalLocal(r)];
  const where =
    r.registry === null
      ? ''
      : ` on ${r.registry} (${r.verdaccio === null ? 'verdaccio' : `verdaccio ${r.verdaccio}`}, loopback, stopped when done)`;
  const note = r.note === '' ? '' : ` — ${r.note}`;
  return `Rehearsal ${state}${where} in ${(r.durationMs / 1000).toFixed(1)} s${note}.`;
}

function publishedLine(r: Rehearsal): string | null {
  if (r.published.length === 0) return null;
  const list = r.published.map((p) => `${p.name}@${p.version}${p.action === 'already-there' ? ' (already there)' : ''}`).join(', ');
  return `Published with napi-ship publish (platform packages first, read back, then the root): ${list}.`;
}

function realHeadline(r: Rehearsal): string {
  const real = r.realRegistry;
  const head = `Plan against the real registry ${real.registry} (${real.registrySource}; read-only)`;
  if (real.status === 'skip') return `${head}: skipped — ${real.note}.`;
  if (real.status === 'fail' && real.packages.every((p) => p.action !== 'conflict')) return `${head}: failed — ${real.note}.`;
  const conflicts = real.packages.filter((p) => p.action === 'conflict').length;
  return `${head}: ${conflicts > 0 ? `${String(conflicts)} CONFLICT(s) — a real publish would stop` : 'no conflicts'}.`;
}

export function rehearsalMarkdownLines(run: RunRecord): string[] {
  const r = run.stages.rehearsal?.result;
  if (!r) return [];
  const lines = ['', '### Rehearsal', '', headline(r)];
  if (r.release)
    lines.push(
      '',
      `**${r.release.label}.**${r.release.kind === 'rehearsal' ? ` Platform tarballs ${r.release.platformTarballsIdentical ? 'byte-identical to' : 'DIFFERENT from'} the release's.` : ''}`,
    );
  const published = publishedLine(r);
  if (published) lines.push('', published);
  if (r.installs.length > 0) {
    const runtimes = runtimesOf(r);
    const header = ['installer', 'install', ...runtimes, 'note'];
    lines.push(
      '',
      `| ${header.join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...r.installs.map(
        (i) =>
          `| ${i.installer} ${i.version ?? ''} | ${MARK[i.status].md} | ${runtimes
            .map((rt) => {
              const l = load(r, i, rt);
              return l ? MARK[l.status].md : MARK.skip.md;
            })
            .join(' | ')} | ${rowNote(r, i).replaceAll('|', '\\|').replaceAll('\n', ' ')} |`,
      ),
    );
    const versions = runtimes.map(
      (rt) => `${rt} ${r.loads.find((l) => l.runtime === rt && l.runtimeVersion !== null)?.runtimeVersion ?? '(version unknown)'}`,
    );
    lines.push('', `Runtimes: ${versions.join(', ')}.`);
  }
  lines.push('', realHeadline(r));
  if (r.realRegistry.packages.length > 0) {
    lines.push(
      '',
      '| package | version | plan |',
      '| --- | --- | --- |',
      ...r.realRegistry.packages.map(
        (p) => `| \`${p.name}\` | ${p.version} | ${p.action === 'conflict' ? `❌ ${p.detail}` : ACTION[p.action]} |`,
      ),
    );
  }
  return lines;
}

export function rehearsalTextLines(run: RunRecord): string[] {
  const r = run.stages.rehearsal?.result;
  if (!r) return [];
  const lines = ['', headline(r)];
  if (r.release)
    lines.push(
      `  ${r.release.label}${r.release.kind === 'rehearsal' ? `; platform tarballs ${r.release.platformTarballsIdentical ? 'byte-identical to' : 'DIFFERENT from'} the release's` : ''}`,
    );
  const published = publishedLine(r);
  if (published) lines.push(`  ${published}`);
  if (r.installs.length > 0) {
    const runtimes = runtimesOf(r);
    const table = textTable(
      [
        'installer',
        'version',
        'install',
        ...runtimes.map((rt) => `${rt} ${r.loads.find((l) => l.runtime === rt && l.runtimeVersion !== null)?.runtimeVersion ?? ''}`.trim()),
        'note',
      ],
      r.installs.map((i) => [
        i.installer,
        i.version ?? '-',
        MARK[i.status].text,
        ...runtimes.map((rt) => MARK[load(r, i, rt)?.status ?? 'skip'].text),
        rowNote(r, i).replaceAll('\n', ' '),
      ]),
    );
    lines.push('', table.trimEnd());
  }
  lines.push('', realHeadline(r));
  if (r.realRegistry.packages.length > 0) {
    lines.push(
      textTable(
        ['package', 'version', 'plan'],
        r.realRegistry.packages.map((p) => [p.name, p.version, p.action === 'conflict' ? p.detail : ACTION[p.action]]),
      ).trimEnd(),
    );
  }
  return lines;
}
