/**
 * The build section of the report: what was built with which toolchain, and what was skipped or
 * failed and why. Pure: run record in, lines out.
 */
import path from 'node:path';
import { formatDiagnostic } from '../diagnostics/index.js';
import type { BuildOutcome, BuildTargetResult } from '../build/types.js';
import type { RunRecord } from '../run/index.js';
import type { CheckMark } from '../verify/index.js';
import { textTable } from './table.js';

/** The build column of the target table: null when no build ran. */
export function buildMark(run: RunRecord, triple: string): CheckMark | null {
  const build = run.stages.build;
  if (!build) return null;
  const t = build.result.targets.find((x) => x.triple === triple);
  if (!t) return 'skip';
  return t.status === 'built' ? 'ok' : t.status === 'failed' ? 'fail' : 'skip';
}

/** Why a target was not built, for the table's note; null when it was built, or the reason is not about the target. */
export function buildNote(run: RunRecord, triple: string): string | null {
  const build = run.stages.build;
  if (!build || build.result.manifestPath === null) return null;
  const t = build.result.targets.find((x) => x.triple === triple);
  if (!t || t.status === 'built') return null;
  return t.status === 'failed' ? `build failed: ${short(t.reason)}` : `build skipped: ${short(t.reason)}`;
}

/** The first clause of a reason, without its parenthesised how-to (the Build section has it all). */
function short(reason: string): string {
  const first = reason.split('; ')[0] ?? reason;
  return first.replace(/\s*\([^()]*\)$/, '');
}

function headline(build: BuildOutcome): string {
  if (build.result.manifestPath === null) return 'Nothing built: the root package has no Cargo.toml, so binaries are taken as they are.';
  const counts = ['built', 'skipped', 'failed'].map((s) => `${build.result.targets.filter((t) => t.status === s).length} ${s}`).join(', ');
  const rustc = build.result.host.rustc ?? 'no rustc';
  const cli = build.result.host.napiCli ? `@napi-rs/cli ${build.result.host.napiCli.version}` : 'no @napi-rs/cli';
  return `${counts} — ${build.result.profile} profile, ${cli}, ${rustc}, host ${build.result.host.triple ?? `${build.result.host.platform}-${build.result.host.arch}`}.`;
}

function what(t: BuildTargetResult): string {
  if (t.status === 'built')
    return `${t.output === null ? '' : path.basename(t.output)}${t.binary ? ` — ${t.binary}` : ''}${t.reason ? ` (${t.reason})` : ''}`;
  return t.reason;
}

const STATUS = {
  built: { md: '✅ built', text: 'built' },
  skipped: { md: '➖ skipped', text: 'skipped' },
  failed: { md: '❌ failed', text: 'FAILED' },
} as const;

export function buildMarkdownLines(run: RunRecord): string[] {
  const build = run.stages.build;
  if (!build) return [];
  const lines = ['', '### Build', '', headline(build)];
  if (build.result.manifestPath === null || build.result.targets.length === 0) return lines;
  lines.push(
    '',
    '| target | status | toolchain | output, or why not |',
    '| --- | --- | --- | --- |',
    ...build.result.targets.map(
      (t) => `| \`${t.platformArchABI}\` | ${STATUS[t.status].md} | ${t.toolchain ?? '—'} | ${what(t).replaceAll('|', '\\|')} |`,
    ),
  );
  return lines;
}

export function buildTextLines(run: RunRecord): string[] {
  const build = run.stages.build;
  if (!build) return [];
  const lines = ['', `build: ${headline(build)}`];
  if (build.result.manifestPath === null || build.result.targets.length === 0) return lines;
  lines.push(
    textTable(
      ['target', 'status', 'toolchain', 'output, or why not'],
      build.result.targets.map((t) => [t.platformArchABI, STATUS[t.status].text, t.toolchain ?? '-', what(t)]),
    ).trimEnd(),
  );
  return lines;
}

/** `napi-ship build`'s own terminal output: the build table, then its diagnostics. */
export function renderBuildText(run: RunRecord): string {
  const build = run.stages.build;
  const diagnostics = (build?.diagnostics ?? []).map(formatDiagnostic);
  const out = [`${run.plan.root.packageName}@${run.plan.root.version}`, ...buildTextLines(run).slice(1)];
  const built = build?.result.targets.filter((t) => t.output !== null) ?? [];
  if (built.length > 0) out.push('', ...built.map((t) => `${t.platformArchABI}: ${t.output ?? ''}`));
  if (diagnostics.length > 0) out.push('', ...diagnostics);
  return out.join('\n') + '\n';
}
