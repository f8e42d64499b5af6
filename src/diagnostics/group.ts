/**
 * Diagnostics of one code shown together: a terminal shows the first in full and one line for each
 * other subject, so thirty findings of one kind read as one finding with thirty places. Every
 * diagnostic stays in the JSON forms (`--json`, report.md, plan.json); this is only how text shows them.
 */
import { formatDiagnostic, type Diagnostic } from './index.js';

export interface DiagnosticGroup {
  readonly code: string;
  readonly severity: Diagnostic['severity'];
  readonly diagnostics: readonly Diagnostic[];
}

/** Diagnostics of one code and severity together, in order of first appearance. */
export function groupDiagnostics(diagnostics: readonly Diagnostic[]): DiagnosticGroup[] {
  const groups = new Map<string, { code: string; severity: Diagnostic['severity']; diagnostics: Diagnostic[] }>();
  for (const d of diagnostics) {
    const key = `${d.severity} ${d.code}`;
    const g = groups.get(key) ?? { code: d.code, severity: d.severity, diagnostics: [] };
    g.diagnostics.push(d);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/**
 * A group as text: one diagnostic as is; several as the first in full, then one line per other
 * subject (up to `shown`), then how many more and where all of them are (`elsewhere`).
 */
export function formatGroup(g: DiagnosticGroup, shown = 5, elsewhere = 'all of them in report.md and plan.json'): string {
  const [first, ...rest] = g.diagnostics;
  if (first === undefined) return '';
  if (rest.length === 0) return formatDiagnostic(first);
  const others = rest
    .slice(0, shown)
    .map((d) => `  also: ${[d.target, d.subject].filter((x) => x !== undefined && x !== '').join(' ')}: ${d.message}`);
  const more = rest.length > shown ? [`  … and ${String(rest.length - shown)} more (${elsewhere})`] : [];
  return [formatDiagnostic(first).replace(`[${g.code}]`, `[${g.code}] ×${String(g.diagnostics.length)}`), ...others, ...more].join('\n');
}
