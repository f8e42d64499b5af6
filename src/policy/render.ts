/** The policy outcome as terminal text and as GitHub-flavoured markdown (fit for `$GITHUB_STEP_SUMMARY`). Pure. */
import { formatDiagnostic } from '../diagnostics/index.js';
import { textTable } from '../util/table.js';
import type { PolicyOutcome, PolicyViolation } from './evaluate.js';

function counts(outcome: PolicyOutcome): { errors: number; warnings: number } {
  return {
    errors: outcome.result.violations.filter((v) => v.severity === 'error').length,
    warnings: outcome.result.violations.filter((v) => v.severity === 'warning').length,
  };
}

/** `policy passed: 87 packages checked, 0 errors, 1 warning` — the one-line verdict. */
export function policySummaryLine(outcome: PolicyOutcome): string {
  const { errors, warnings } = counts(outcome);
  return `policy ${outcome.ok ? 'passed' : 'failed'}: ${outcome.result.checked} package(s) checked, ${errors} error(s), ${warnings} warning(s)`;
}

function licenseCell(v: PolicyViolation): string {
  if (v.check === 'duplicate') return '-';
  if (v.expression !== null) return v.expression;
  return v.declared === null ? '(none)' : v.declared;
}

/** A table of the violations, then each as a diagnostic with its hint, then the verdict. */
export function renderPolicyText(outcome: PolicyOutcome): string {
  const lines: string[] = [];
  lines.push(
    `allowed licenses: ${outcome.result.allow.length === 0 ? '(none)' : outcome.result.allow.join(', ')}${outcome.result.configFile === null ? ' (no policy configured)' : ` (${outcome.result.configFile})`}`,
  );
  if (outcome.result.violations.length > 0) {
    lines.push(
      '',
      textTable(
        ['severity', 'code', 'ecosystem', 'package', 'version', 'license'],
        outcome.result.violations.map((v) => [v.severity, v.code, v.ecosystem, v.package, v.version, licenseCell(v)]),
      ).trimEnd(),
    );
  }
  if (outcome.diagnostics.length > 0) lines.push('', ...outcome.diagnostics.map(formatDiagnostic));
  lines.push('', policySummaryLine(outcome));
  return lines.join('\n') + '\n';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

const MARK = { error: '❌', warning: '⚠️', note: 'ℹ️' } as const;

/** A markdown section: verdict, allow list, one table row per violation with how to fix it, config notes. */
export function renderPolicyMarkdown(outcome: PolicyOutcome): string {
  const { errors, warnings } = counts(outcome);
  const lines = ['## License and source policy', ''];
  const verdict = outcome.ok
    ? `✅ ${outcome.result.checked} package(s) checked: no violations${warnings > 0 ? ` (${warnings} warning(s))` : ''}.`
    : `❌ ${outcome.result.checked} package(s) checked: ${errors} error(s), ${warnings} warning(s).`;
  lines.push(verdict, '');
  lines.push(
    `Allowed licenses: ${outcome.result.allow.length === 0 ? '(none)' : outcome.result.allow.map(code).join(', ')}${outcome.result.configFile === null ? ' — no policy configured.' : ` (from ${code(outcome.result.configFile)}).`}`,
  );
  if (outcome.result.violations.length > 0) {
    lines.push('', '| | ecosystem | package | version | license | problem | how to fix |', '|---|---|---|---|---|---|---|');
    for (const v of outcome.result.violations) {
      lines.push(
        `| ${MARK[v.severity]} | ${v.ecosystem} | ${code(v.package)} | ${cell(v.version)} | ${v.check === 'duplicate' ? '-' : code(cell(licenseCell(v)))} | ${cell(`${v.code}: ${v.message}`)} | ${cell(v.hint)} |`,
      );
    }
  }
  const notes = outcome.diagnostics.filter((d) => d.severity === 'note' || d.code === 'NS_POLICY_NOT_CONFIGURED');
  if (notes.length > 0) lines.push('', ...notes.map((d) => `- ${MARK[d.severity]} ${cell(`${d.code}: ${d.message} — ${d.hint}`)}`));
  return lines.join('\n') + '\n';
}
