import assert from 'node:assert/strict';
import { DiagnosticError, formatDiagnostic } from '../../src/diagnostics/index.js';

/** The first diagnostic code of a rejected promise, and all its diagnostics formatted, for matching. */
export async function rejection(p: Promise<unknown>): Promise<{ code: string; text: string }> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof DiagnosticError, `expected a DiagnosticError, got ${String(error)}`);
    const first = error.diagnostics[0];
    assert.ok(first);
    return { code: first.code, text: `${error.message}\n${error.diagnostics.map(formatDiagnostic).join('\n')}` };
  }
  assert.fail('expected a rejection');
}
