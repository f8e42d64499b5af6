/** The policy outcome as terminal text and as GitHub-flavoured markdown (fit for `$GITHUB_STEP_SUMMARY`). Pure. */
import { formatGroup, groupDiagnostics } from '../diagnostics/group.js';
import { formatDiagnostic } from '../diagnostics/index.js';
import { textTable } from '../util/table.js';
import type { PolicyOutcome, PolicyViolation } from './evaluate.js';
import type { LicenseGroup } from './licenses.js';

function counts(outcome: PolicyOutcome): { errors: number; warnings: number } {
  return {
    errors: outcome.result.violations.filter((v) => v.severity === 'error').length,
    warnings: outcome.result.violations.filter((v) => v.severity === 'warning').length,
  };
}

export interface PolicyRenderOptions {
  /**
   * Errors of the readers that made the inventories (e.g. dependencies but no lockfile): packages
   * went unchecked, so the run fails whatever the policy found. The verdict says so, once.
   */
  readonly readErrors?: number;
}

/** True when the run fails: a policy error, or a dependency graph that could not be read completely. */
export function policyFailed(outcome: PolicyOutcome, options: PolicyRenderOptions = {}): boolean {
  return !outcome.ok || (options.readErrors ?? 0) > 0;
}

/**
 * The one-line verdict, one word for the run: `policy passed: 87 package(s) checked, 0 error(s), 1 warning(s)`,
 * `policy failed: …` (a policy error, or the graph could not be read), or — no policy configured — a
 * report line that neither passes nor fails anything.
 */
export function policySummaryLine(outcome: PolicyOutcome, options: PolicyRenderOptions = {}): string {
  const { errors, warnings } = counts(outcome);
  const readErrors = options.readErrors ?? 0;
  const tally = `${errors} error(s), ${warnings} warning(s)`;
  if (readErrors > 0) {
    return `policy failed: the dependency graph could not be read completely (${readErrors} reader error(s)); ${outcome.result.checked} package(s) checked, ${tally}`;
  }
  if (!outcome.result.configured) {
    return `no policy configured: ${outcome.result.checked} package(s) reported under ${outcome.result.licenses.length} license(s), ${warnings} warning(s); nothing judged`;
  }
  return `policy ${outcome.ok ? 'passed' : 'failed'}: ${outcome.result.checked} package(s) checked, ${tally}`;
}

function licenseCell(v: PolicyViolation): string {
  if (v.check === 'duplicate') return '-';
  if (v.expression !== null) return v.expression;
  return v.declared === null ? '(none)' : v.declared;
}

/** How many packages of an unusual license are named in text before "… N more". */
const NAMED = 8;

function named(g: LicenseGroup): string {
  const shown = g.packages.slice(0, NAMED).join(', ');
  return g.packages.length > NAMED ? `${shown}, … ${g.packages.length - NAMED} more (all of them: --json)` : shown;
}

/** The licenses found, grouped: a license → packages table (unusual ones marked), then the unusual ones named. */
export function licenseSummaryText(groups: readonly LicenseGroup[], checked: number): string[] {
  if (groups.length === 0) return [`licenses found: none (${checked} third-party package(s))`];
  const lines = [
    `licenses found in ${checked} third-party package(s):`,
    textTable(
      ['license', 'packages', ''],
      groups.map((g) => [g.license, String(g.count), g.unusual ? 'unusual' : '']),
    ).trimEnd(),
  ];
  const unusual = groups.filter((g) => g.unusual);
  if (unusual.length > 0) {
    lines.push('', 'unusual licenses (read them before allowing them):', ...unusual.map((g) => `  ${g.license}: ${named(g)}`));
  }
  return lines;
}

/**
 * Terminal text. Configured: the allow list, a table of the violations, the diagnostics grouped by
 * code (each group's hint once; every one of them stays in `--json`), the verdict. Not configured:
 * the licenses found (grouped, unusual ones named), any warnings, how to configure one, a report line.
 */
export function renderPolicyText(outcome: PolicyOutcome, options: PolicyRenderOptions = {}): string {
  const lines: string[] = [];
  const notConfigured = outcome.diagnostics.filter((d) => d.code === 'NS_POLICY_NOT_CONFIGURED');
  const others = outcome.diagnostics.filter((d) => d.code !== 'NS_POLICY_NOT_CONFIGURED');
  if (outcome.result.configured) {
    lines.push(
      `allowed licenses: ${outcome.result.allow.length === 0 ? '(none)' : outcome.result.allow.join(', ')} (${outcome.result.configFile ?? ''})`,
    );
  } else {
    lines.push('no license policy configured: a report of the licenses that ship, nothing judged', '');
    lines.push(...licenseSummaryText(outcome.result.licenses, outcome.result.checked));
  }
  if (outcome.result.violations.length > 0) {
    lines.push(
      '',
      textTable(
        ['severity', 'code', 'ecosystem', 'package', 'version', 'license'],
        outcome.result.violations.map((v) => [v.severity, v.code, v.ecosystem, v.package, v.version, licenseCell(v)]),
      ).trimEnd(),
    );
  }
  const groups = groupDiagnostics(others).map((g) => formatGroup(g, 5, 'all of them: --json'));
  if (groups.length > 0) lines.push('', ...groups);
  if (notConfigured.length > 0) lines.push('', ...notConfigured.map(formatDiagnostic));
  lines.push('', policySummaryLine(outcome, options));
  return lines.join('\n') + '\n';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

const MARK = { error: '❌', warning: '⚠️', note: 'ℹ️' } as const;

/** A markdown section: verdict, allow list (or the licenses found), one table row per violation with how to fix it, config notes. */
export function renderPolicyMarkdown(outcome: PolicyOutcome): string {
  const { errors, warnings } = counts(outcome);
  const lines = ['## License and source policy', ''];
  if (outcome.result.configured) {
    const verdict = outcome.ok
      ? `✅ ${outcome.result.checked} package(s) checked: no violations${warnings > 0 ? ` (${warnings} warning(s))` : ''}.`
      : `❌ ${outcome.result.checked} package(s) checked: ${errors} error(s), ${warnings} warning(s).`;
    lines.push(verdict, '');
    lines.push(
      `Allowed licenses: ${outcome.result.allow.length === 0 ? '(none)' : outcome.result.allow.map(code).join(', ')} (from ${code(outcome.result.configFile ?? '')}).`,
    );
  } else {
    lines.push(
      `ℹ️ No license policy configured: ${outcome.result.checked} package(s) reported under ${outcome.result.licenses.length} license(s), nothing judged${warnings > 0 ? ` (${warnings} warning(s))` : ''}.`,
    );
    if (outcome.result.licenses.length > 0) {
      lines.push('', '| license | packages | unusual: read before allowing |', '|---|---|---|');
      for (const g of outcome.result.licenses) {
        lines.push(`| ${code(cell(g.license))} | ${g.count} | ${g.unusual ? cell(g.packages.map(code).join(', ')) : ''} |`);
      }
    }
  }
  if (outcome.result.violations.length > 0) {
    lines.push('', '| | ecosystem | package | version | license | problem | how to fix |', '|---|---|---|---|---|---|---|');
    for (const v of outcome.result.violations) {
      lines.push(
        `| ${MARK[v.severity]} | ${v.ecosystem} | ${code(v.package)} | ${cell(v.version)} | ${v.check === 'duplicate' ? '-' : code(cell(licenseCell(v)))} | ${cell(`${v.code}: ${v.message}`)} | ${cell(v.hint)} |`,
      );
    }
  }
  const notes = outcome.diagnostics.filter((d) => d.severity === 'note');
  if (notes.length > 0) lines.push('', ...notes.map((d) => `- ${MARK[d.severity]} ${cell(`${d.code}: ${d.message} — ${d.hint}`)}`));
  return lines.join('\n') + '\n';
}
