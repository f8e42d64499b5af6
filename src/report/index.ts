/**
 * One report of a release plan, in three forms: terminal text, GitHub-flavoured markdown (fit for
 * `$GITHUB_STEP_SUMMARY`) and JSON. Pure: plan in, strings out.
 */
import { formatDiagnostic, type Diagnostic } from '../diagnostics/index.js';
import { planDiagnostics, type BinaryFinding, type ReleasePlan } from '../plan/index.js';
import { textTable } from './table.js';

export type Mark = 'ok' | 'warn' | 'fail' | 'skip';

export interface ReportRow {
  readonly target: string;
  readonly triple: string;
  readonly packageName: string;
  readonly cells: Readonly<Record<CheckColumn, Mark>>;
  /** Why a target was skipped, when it was. */
  readonly note: string;
}

export const CHECK_COLUMNS = ['binary', 'format', 'os/cpu', 'libc/crt', 'napi export'] as const;
export type CheckColumn = (typeof CHECK_COLUMNS)[number];

const columnCodes: Record<Exclude<CheckColumn, 'binary'>, readonly string[]> = {
  format: ['NS_BINARY_FORMAT', 'NS_BINARY_BITS', 'NS_BINARY_ENDIAN'],
  'os/cpu': ['NS_BINARY_OS', 'NS_BINARY_CPU'],
  'libc/crt': ['NS_BINARY_LIBC', 'NS_BINARY_LIBC_UNPROVEN', 'NS_BINARY_CRT', 'NS_BINARY_CRT_UNPROVEN'],
  'napi export': ['NS_BINARY_NO_NAPI_EXPORT', 'NS_BINARY_NOT_SHARED'],
};

function markFor(diagnostics: readonly Diagnostic[], codes: readonly string[]): Mark {
  const hits = diagnostics.filter((d) => codes.includes(d.code));
  if (hits.some((d) => d.severity === 'error')) return 'fail';
  if (hits.length > 0) return 'warn';
  return 'ok';
}

function rowFor(plan: ReleasePlan, finding: BinaryFinding | undefined, triple: string): ReportRow {
  const target = plan.targets.find((t) => t.spec.triple === triple);
  const base = { target: target?.spec.platformArchABI ?? triple, triple, packageName: target?.packageName ?? '' };
  if (!finding || finding.status === 'missing') {
    const skip: Record<CheckColumn, Mark> = { binary: 'skip', format: 'skip', 'os/cpu': 'skip', 'libc/crt': 'skip', 'napi export': 'skip' };
    return { ...base, cells: skip, note: `skipped: no ${target?.binaryFile ?? 'binary'} built or staged here` };
  }
  if (finding.status === 'unreadable') {
    const fail: Record<CheckColumn, Mark> = { binary: 'fail', format: 'skip', 'os/cpu': 'skip', 'libc/crt': 'skip', 'napi export': 'skip' };
    return { ...base, cells: fail, note: finding.diagnostics[0]?.message ?? 'unreadable' };
  }
  const d = finding.diagnostics;
  return {
    ...base,
    cells: {
      binary: 'ok',
      format: markFor(d, columnCodes.format),
      'os/cpu': markFor(d, columnCodes['os/cpu']),
      'libc/crt': markFor(d, columnCodes['libc/crt']),
      'napi export': markFor(d, columnCodes['napi export']),
    },
    note: '',
  };
}

export function reportRows(plan: ReleasePlan): ReportRow[] {
  const findings = plan.stages.binaries ?? [];
  return plan.targets.map((t) => rowFor(plan, findings.find((f) => f.triple === t.spec.triple), t.spec.triple));
}

export interface ReportSummary {
  readonly targets: number;
  readonly ready: number;
  readonly missing: number;
  readonly failing: number;
  readonly errors: number;
  readonly warnings: number;
  /** True when a real publish would go ahead: every target present and no error. */
  readonly publishable: boolean;
}

export function summarize(plan: ReleasePlan): ReportSummary {
  const rows = reportRows(plan);
  const diagnostics = planDiagnostics(plan);
  const failing = rows.filter((r) => Object.values(r.cells).includes('fail')).length;
  const missing = rows.filter((r) => r.cells.binary === 'skip').length;
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  return {
    targets: rows.length,
    ready: rows.length - failing - missing,
    missing,
    failing,
    errors,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
    publishable: missing === 0 && errors === 0,
  };
}

const symbols: Record<Mark, { md: string; text: string }> = {
  ok: { md: '✅', text: '✓' },
  warn: { md: '⚠️', text: '!' },
  fail: { md: '❌', text: '✗' },
  skip: { md: '➖', text: '-' },
};

function summaryLine(s: ReportSummary): string {
  const parts = [`${s.ready} of ${s.targets} targets ready`];
  if (s.missing > 0) parts.push(`${s.missing} missing (would block a real publish)`);
  if (s.failing > 0) parts.push(`${s.failing} failing`);
  parts.push(`${s.errors} error(s), ${s.warnings} warning(s)`);
  return parts.join('; ') + (s.publishable ? '. Publishable.' : '. Not publishable.');
}

export function renderMarkdown(plan: ReleasePlan, title = 'napi-ship release dry run'): string {
  const rows = reportRows(plan);
  const s = summarize(plan);
  const header = ['target', 'package', ...CHECK_COLUMNS, 'note'];
  const lines = [
    `## ${title}: \`${plan.root.packageName}@${plan.root.version}\``,
    '',
    summaryLine(s),
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| \`${r.target}\` | \`${r.packageName}\` | ${CHECK_COLUMNS.map((c) => symbols[r.cells[c]].md).join(' | ')} | ${r.note.replaceAll('|', '\\|')} |`),
    '',
    `Legend: ${symbols.ok.md} passed, ${symbols.warn.md} warning, ${symbols.fail.md} failed, ${symbols.skip.md} skipped.`,
  ];
  const diagnostics = planDiagnostics(plan).filter((d) => d.code !== 'NS_TARGET_MISSING_BINARY');
  if (diagnostics.length > 0) {
    lines.push('', '### Diagnostics', '', '```', ...diagnostics.map(formatDiagnostic), '```');
  }
  return lines.join('\n') + '\n';
}

export function renderText(plan: ReleasePlan): string {
  const rows = reportRows(plan);
  const table = textTable(
    ['target', 'package', ...CHECK_COLUMNS, 'note'],
    rows.map((r) => [r.target, r.packageName, ...CHECK_COLUMNS.map((c) => symbols[r.cells[c]].text), r.note]),
  );
  const diagnostics = planDiagnostics(plan).filter((d) => d.code !== 'NS_TARGET_MISSING_BINARY');
  return [
    `${plan.root.packageName}@${plan.root.version}: ${rows.length} targets`,
    '',
    table,
    ...diagnostics.map(formatDiagnostic),
    ...(diagnostics.length > 0 ? [''] : []),
    summaryLine(summarize(plan)),
  ].join('\n') + '\n';
}

export function renderJson(plan: ReleasePlan): string {
  return JSON.stringify({ plan, rows: reportRows(plan), summary: summarize(plan) }, null, 2) + '\n';
}
