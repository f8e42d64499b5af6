/**
 * One report of a release run (the plan and what each stage did: src/run), in three forms: terminal
 * text, GitHub-flavoured markdown (fit for `$GITHUB_STEP_SUMMARY`) and JSON. Pure: run record in, strings out.
 */
import path from 'node:path';
import { areaOf, formatDiagnostic, type Code, type Diagnostic } from '../diagnostics/index.js';
import { runDiagnostics, runJson, type RunRecord } from '../run/index.js';
import { VERIFY_CHECKS, type CheckMark, type VerifyCheck } from '../verify/index.js';
import { buildMark, buildMarkdownLines, buildNote, buildTextLines } from './build.js';
import { loadedCell, loadMarkdownLines, loadTextLines } from './load.js';
import { sbomMarkdownLines, sbomTextLines } from './sbom.js';
import { fitTable, formatGroup, groupDiagnostics, leadMarkdown, leadText, type LeadFacts } from './lead.js';
import { rehearsalLocal, rehearsalMarkdownLines, rehearsalTextLines } from './rehearsal.js';
import { textTable } from './table.js';

export type Mark = CheckMark;

/** Diagnostics that say a target was not built here: what a dry run reports as "skipped". */
export const MISSING_CODES: ReadonlySet<Code> = new Set<Code>(['NS_STAGE_MISSING_BINARY', 'NS_VERIFY_MISSING_PACKAGE']);

export interface ReportRow {
  readonly target: string;
  readonly triple: string;
  readonly packageName: string;
  readonly missing: boolean;
  readonly cells: Readonly<Record<VerifyCheck, Mark>>;
  /** Did `build` build it here (null: no build ran, e.g. `--no-build` or `--artifacts`). */
  readonly build: Mark | null;
  /** Why a target was skipped, or its first failure. */
  readonly note: string;
}

/** Targets with no binary built or staged: every other diagnostic about them is a consequence. */
export function missingTargets(run: RunRecord): Set<string> {
  return new Set(
    runDiagnostics(run)
      .filter((d) => MISSING_CODES.has(d.code) && d.target !== undefined)
      .map((d) => d.target ?? ''),
  );
}

export function reportRows(run: RunRecord): ReportRow[] {
  const verified = run.stages.verify?.result.targets ?? [];
  const absent = missingTargets(run);
  return run.plan.targets.map((t) => {
    const v = verified.find((x) => x.triple === t.spec.triple);
    const base = {
      target: t.spec.platformArchABI,
      triple: t.spec.triple,
      packageName: t.packageName,
      build: buildMark(run, t.spec.triple),
    };
    const why = buildNote(run, t.spec.triple);
    const skipAll = Object.fromEntries(VERIFY_CHECKS.map((c) => [c, 'skip'])) as Record<VerifyCheck, Mark>;
    if (!v) return { ...base, missing: true, cells: skipAll, note: 'not verified' };
    const missing = absent.has(t.spec.platformArchABI);
    if (missing) {
      return {
        ...base,
        missing,
        cells: { ...skipAll, pins: v.checks.pins },
        note: `skipped: no ${t.binaryFile} built or staged here${why === null ? '' : ` — ${why}`}`,
      };
    }
    const firstError = v.diagnostics.find((d) => d.severity === 'error');
    return { ...base, missing, cells: v.checks, note: firstError ? `${firstError.code}: ${firstError.message}` : '' };
  });
}

export interface ReportSummary {
  readonly targets: number;
  readonly ready: number;
  readonly missing: number;
  readonly failing: number;
  /** Errors other than "this target was not built here". */
  readonly errors: number;
  readonly warnings: number;
  readonly tarballs: number;
  /** True when a real publish would go ahead: every target present and no error. */
  readonly publishable: boolean;
}

export function summarize(run: RunRecord): ReportSummary {
  const rows = reportRows(run);
  const diagnostics = runDiagnostics(run);
  const missing = rows.filter((r) => r.missing).length;
  const failing = rows.filter((r) => !r.missing && Object.values(r.cells).includes('fail')).length;
  const absent = missingTargets(run);
  const errors = diagnostics.filter((d) => d.severity === 'error' && !consequenceOfAbsence(d, absent)).length;
  return {
    targets: rows.length,
    ready: rows.length - failing - missing,
    missing,
    failing,
    errors,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
    tarballs: run.stages.pack?.result?.packages.length ?? 0,
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

/**
 * A diagnostic about a target with no binary is a consequence of its absence — except a failed
 * build, which is why it is absent and counts as an error.
 */
function consequenceOfAbsence(d: Diagnostic, absent: ReadonlySet<string>): boolean {
  return d.target !== undefined && absent.has(d.target) && areaOf(d.code) !== 'build';
}

/** Diagnostics worth listing: those about targets not built here are already the table's notes. */
function listed(run: RunRecord): Diagnostic[] {
  const absent = missingTargets(run);
  return runDiagnostics(run).filter((d) => !consequenceOfAbsence(d, absent) && d.severity !== 'note');
}

function releaseLines(run: RunRecord, markdown: boolean): string[] {
  const outDir = run.stages.pack?.outDir;
  const pack = run.stages.pack?.result;
  if (!pack || outDir === undefined || pack.packages.length === 0) return [];
  const rows = pack.packages.map((p) => [p.name, p.tarball, String(p.size), p.integrity.slice(0, 27) + '…']);
  const sign = run.stages.sign;
  const signLine = sign
    ? `signature: ${path.basename(sign.result.signatureFile)} (ed25519 key ${sign.result.keyId}, throwaway) — ${sign.diagnostics.length === 0 ? 'verify-manifest passed' : `verify-manifest FAILED (${sign.diagnostics.length})`}`
    : 'signature: not made';
  if (!markdown) {
    return [
      '',
      `release dir: ${outDir}`,
      textTable(['package', 'tarball', 'bytes', 'integrity'], rows).trimEnd(),
      `manifest: ${path.basename(pack.manifestPath)}, ${path.basename(pack.sumsPath)}`,
      signLine,
    ];
  }
  return [
    '',
    '### Release',
    '',
    '| package | tarball | bytes | integrity |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${r[0] ?? ''}\` | \`${r[1] ?? ''}\` | ${r[2] ?? ''} | \`${r[3] ?? ''}\` |`),
    '',
    `Manifest \`${path.basename(pack.manifestPath)}\` and \`${path.basename(pack.sumsPath)}\`; ${signLine}.`,
  ];
}

function errorsOf(diagnostics: readonly Diagnostic[] | undefined, absent: ReadonlySet<string>): number {
  return (diagnostics ?? []).filter((d) => d.severity === 'error' && !consequenceOfAbsence(d, absent)).length;
}

/** The facts the report head is made of, read off the run. */
export function leadFacts(run: RunRecord): LeadFacts {
  const rows = reportRows(run);
  const s = summarize(run);
  const absent = missingTargets(run);
  const st = run.stages;
  const build = st.build;
  const policy = st.policy;
  const rehearsal = st.rehearsal;
  const local = rehearsal === undefined ? null : rehearsalLocal(rehearsal.result);
  const realConflicts = rehearsal?.result.realRegistry.packages.filter((p) => p.action === 'conflict').length ?? 0;
  const failedStages = [
    ...((build?.result.targets.filter((t) => t.status === 'failed').length ?? 0) > 0 ? ['build'] : []),
    ...(errorsOf(st.stage?.diagnostics, absent) > 0 ? ['stage'] : []),
    ...(errorsOf(st.verify?.diagnostics, absent) > 0 ? ['verify'] : []),
    ...(errorsOf(st.pack?.diagnostics, absent) > 0 ? ['pack'] : []),
    ...(errorsOf(st.sbom?.diagnostics, absent) > 0 ? ['sbom'] : []),
    ...(policy !== undefined && !policy.ok ? ['policy'] : []),
    ...(errorsOf(st.sign?.diagnostics, absent) > 0 ? ['sign'] : []),
    ...(local === 'failed' ? ['rehearsal'] : []),
    ...(realConflicts > 0 ? ['real-registry plan'] : []),
  ];
  const outDir = st.pack?.outDir;
  const packed = st.pack?.result?.packages.length ?? 0;
  const rel = outDir === undefined || outDir === '' ? null : path.relative(run.plan.root.dir, outDir);
  const firstVerifyError = st.verify?.diagnostics.find((d) => d.severity === 'error' && !consequenceOfAbsence(d, absent));
  const policyError = policy?.result.violations.find((v) => v.severity === 'error');
  return {
    targets: s.targets,
    ready: s.ready,
    missing: rows.filter((r) => r.missing).map((r) => r.target),
    failing: rows.filter((r) => !r.missing && Object.values(r.cells).includes('fail')).map((r) => r.target),
    errors: s.errors,
    warnings: s.warnings,
    publishable: s.publishable,
    releaseDir: packed === 0 || rel === null ? null : rel.startsWith('..') || path.isAbsolute(rel) ? (outDir ?? null) : rel,
    // Only a build that had a crate to build can be helped by more toolchains.
    buildSkipped:
      build === undefined || build.result.manifestPath === null ? null : build.result.targets.filter((t) => t.status === 'skipped').length,
    buildFailed: build?.result.targets.filter((t) => t.status === 'failed').length ?? 0,
    policy:
      policy === undefined
        ? null
        : {
            ok: policy.ok,
            errors: policy.result.violations.filter((v) => v.severity === 'error').length,
            configured: policy.result.configFile !== null,
            firstHint: policyError?.hint ?? null,
          },
    failedStages,
    rehearsal:
      rehearsal === undefined || local === null ? null : { local, realConflicts, realStatus: rehearsal.result.realRegistry.status },
    verifyHint: firstVerifyError?.hint ?? null,
  };
}

/** Listed diagnostics, grouped by code, as text. */
function groupedText(run: RunRecord): string[] {
  return groupDiagnostics(listed(run)).map((g) => formatGroup(g));
}

export interface RenderOptions {
  /** Fit tables to this many columns (the terminal's width); the full text stays in report.md / plan.json. */
  readonly columns?: number;
}

export function renderMarkdown(run: RunRecord, title = 'napi-ship release dry run'): string {
  const rows = reportRows(run);
  const built = run.stages.build !== undefined;
  const loaded = run.stages.load !== undefined;
  const header = ['target', 'package', ...(built ? ['build'] : []), ...VERIFY_CHECKS, ...(loaded ? ['loaded'] : []), 'note'];
  const lines = [
    `## ${title}: \`${run.plan.root.packageName}@${run.plan.root.version}\``,
    '',
    ...leadMarkdown(leadFacts(run), summaryLine(summarize(run))),
    '',
    '### Targets',
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map(
      (r) =>
        `| \`${r.target}\` | \`${r.packageName}\` | ${[...(built ? [symbols[r.build ?? 'skip'].md] : []), ...VERIFY_CHECKS.map((c) => symbols[r.cells[c]].md), ...(loaded ? [loadedCell(run, r.triple, true) ?? ''] : [])].join(' | ')} | ${r.note.replaceAll('|', '\\|')} |`,
    ),
    '',
    `Legend: ${symbols.ok.md} passed, ${symbols.warn.md} warning, ${symbols.fail.md} failed, ${symbols.skip.md} skipped.`,
    ...buildMarkdownLines(run),
    ...loadMarkdownLines(run),
    ...releaseLines(run, true),
    ...sbomMarkdownLines(run),
    ...rehearsalMarkdownLines(run),
  ];
  const groups = groupDiagnostics(listed(run));
  if (groups.length > 0) {
    lines.push('', '### Diagnostics', '');
    for (const g of groups) {
      // Every diagnostic is kept here; a group of several shows them under one heading.
      if (g.diagnostics.length > 1) lines.push(`${String(g.diagnostics.length)} × \`${g.code}\`:`, '');
      lines.push('```', ...g.diagnostics.map(formatDiagnostic), '```', '');
    }
    lines.pop();
  }
  return lines.join('\n') + '\n';
}

export function renderText(run: RunRecord, options: RenderOptions = {}): string {
  const rows = reportRows(run);
  const built = run.stages.build !== undefined;
  const columns = options.columns ?? Number.POSITIVE_INFINITY;
  const header = ['target', 'package', ...(built ? ['build'] : []), ...VERIFY_CHECKS, ...(run.stages.load ? ['loaded'] : []), 'note'];
  const cells = rows.map((r) => [
    r.target,
    r.packageName,
    ...(built ? [symbols[r.build ?? 'skip'].text] : []),
    ...VERIFY_CHECKS.map((c) => symbols[r.cells[c]].text),
    ...(run.stages.load ? [loadedCell(run, r.triple, false) ?? ''] : []),
    r.note,
  ]);
  // On a narrow terminal the package column goes first (it is the root's name plus the target; report.md has it).
  const natural = textTable(header, cells).split('\n')[0]?.length ?? 0;
  const narrow = natural > columns && cells.length > 0;
  const table = narrow
    ? fitTable(
        header.filter((_, i) => i !== 1),
        cells.map((c) => c.filter((_, i) => i !== 1)),
        columns,
      )
    : fitTable(header, cells, columns);
  const diagnostics = groupedText(run);
  return (
    [
      `${run.plan.root.packageName}@${run.plan.root.version}: ${rows.length} targets`,
      ...leadText(leadFacts(run), summaryLine(summarize(run))),
      '',
      table.trimEnd(),
      ...buildTextLines(run),
      ...loadTextLines(run),
      ...releaseLines(run, false),
      ...sbomTextLines(run),
      ...rehearsalTextLines(run),
      ...(diagnostics.length === 0 ? [] : ['', 'Diagnostics:', ...diagnostics]),
      // The verdict again where the eye ends up after scrolling.
      '',
      summaryLine(summarize(run)),
    ].join('\n') + '\n'
  );
}

export function renderJson(run: RunRecord): string {
  return JSON.stringify({ plan: runJson(run), rows: reportRows(run), summary: summarize(run) }, null, 2) + '\n';
}
