/**
 * The one diagnostics layer every stage reports through (as cargo-deny's checks share one).
 *
 * A diagnostic has a stable `code`, a `severity`, a human `message` and a `hint` that says how to
 * fix it; `target`, `expected` and `found` locate it when it concerns one platform target.
 * The codes live in one typed table per area (`./codes/`); see docs/codes.md.
 */
import type { Code } from './codes/index.js';

export { CODE_AREAS, CODE_TABLES, allCodes, areaOf, classOf, codeInfo, isCode } from './codes/index.js';
export type { AreaCode, Code, CodeArea, CodeClass, CodeInfo, CodeTable } from './codes/index.js';

/** Control characters (C0, DEL, C1, U+2028/9) escaped, so text from a file name never breaks a line or drives the terminal. */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  /** Stable, grep-able code from the area tables, e.g. `NS_TARGET_UNKNOWN`, `NS_INSPECT_E_TRUNCATED`. */
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly hint: string;
  /** The napi-rs triple or `platform-arch[-abi]` this is about, when it is about one. */
  readonly target?: string;
  /** The file or package this is about. */
  readonly subject?: string;
  readonly expected?: string;
  readonly found?: string;
}

export function diagnostic(d: Omit<Diagnostic, 'severity'> & { severity?: Severity }): Diagnostic {
  return { severity: 'error', ...d };
}

/** An exception carrying diagnostics: thrown by library functions on bad input. */
export class DiagnosticError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const first = diagnostics[0];
    super(first ? `${first.code}: ${first.message}` : 'napi-ship: unknown error');
    this.name = 'DiagnosticError';
    this.diagnostics = diagnostics;
  }
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/**
 * The one shape every stage returns (build, stage, verify, pack, sbom, policy, sign, publish, the
 * rehearsal and the load): `ok` (no diagnostic of severity error), the diagnostics, and what the
 * stage produced. A stage throws (a `DiagnosticError`) only when it cannot start; whatever it finds
 * once running is in `diagnostics`. The CLI's exit status comes from their classes (src/cli/exit-codes.ts).
 */
export interface Outcome<R> {
  readonly ok: boolean;
  readonly diagnostics: readonly Diagnostic[];
  readonly result: R;
}

/** An outcome whose `ok` is "no error among `diagnostics`". */
export function outcome<R>(result: R, diagnostics: readonly Diagnostic[]): Outcome<R> {
  return { ok: !hasErrors(diagnostics), diagnostics, result };
}

/** One line per diagnostic, then its hint, indented: for terminals and logs. */
export function formatDiagnostic(d: Diagnostic): string {
  // A file or package name may hold a newline or an escape sequence: each field stays on its line.
  const e = escapeControl;
  const where = [d.target, d.subject].filter((x): x is string => typeof x === 'string').join(' ');
  const head = `${d.severity}[${d.code}]${where ? ` ${e(where)}` : ''}: ${e(d.message)}`;
  const lines = [head];
  if (d.expected !== undefined || d.found !== undefined) {
    lines.push(`  expected: ${e(d.expected ?? '-')}`, `  found:    ${e(d.found ?? '-')}`);
  }
  if (d.hint) lines.push(`  hint: ${e(d.hint)}`);
  return lines.join('\n');
}

/** The message of anything thrown, for a diagnostic's text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
