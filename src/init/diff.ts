/**
 * A unified line diff (the `diff -u` shape: `---`/`+++`, `@@` hunks, 3 lines of context), enough to
 * show a person what a command is about to write. Pure.
 */

function lcsTable(a: readonly string[], b: readonly string[]): Uint32Array {
  const w = b.length + 1;
  const t = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      t[i * w + j] = a[i] === b[j] ? (t[(i + 1) * w + j + 1] ?? 0) + 1 : Math.max(t[(i + 1) * w + j] ?? 0, t[i * w + j + 1] ?? 0);
    }
  }
  return t;
}

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: string; readonly a: number; readonly b: number };

function ops(a: readonly string[], b: readonly string[]): Op[] {
  const t = lcsTable(a, b);
  const w = b.length + 1;
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ kind: ' ', line: a[i] ?? '', a: i++, b: j++ });
    } else if (i < a.length && (j >= b.length || (t[(i + 1) * w + j] ?? 0) >= (t[i * w + j + 1] ?? 0))) {
      out.push({ kind: '-', line: a[i] ?? '', a: i++, b: j });
    } else {
      out.push({ kind: '+', line: b[j] ?? '', a: i, b: j++ });
    }
  }
  return out;
}

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The unified diff of `before` → `after` for `name` (`before` null: a new file); '' when they are equal. */
export function lineDiff(name: string, before: string | null, after: string, context = 3): string {
  if (before === after) return '';
  const a = before === null ? [] : splitLines(before);
  const b = splitLines(after);
  const all = ops(a, b);
  const changed = all.map((o, k) => (o.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  const hunks: [number, number][] = [];
  for (const k of changed) {
    const start = Math.max(0, k - context);
    const end = Math.min(all.length - 1, k + context);
    const last = hunks[hunks.length - 1];
    if (last !== undefined && start <= last[1] + 1) last[1] = end;
    else hunks.push([start, end]);
  }
  const out = [`--- ${before === null ? '/dev/null' : `a/${name}`}`, `+++ b/${name}`];
  for (const [s, e] of hunks) {
    const slice = all.slice(s, e + 1);
    const first = slice[0];
    if (first === undefined) continue;
    const aCount = slice.filter((o) => o.kind !== '+').length;
    const bCount = slice.filter((o) => o.kind !== '-').length;
    out.push(
      `@@ -${String(aCount === 0 ? first.a : first.a + 1)},${String(aCount)} +${String(bCount === 0 ? first.b : first.b + 1)},${String(bCount)} @@`,
    );
    for (const o of slice) out.push(`${o.kind}${o.line}`);
  }
  return out.join('\n') + '\n';
}
