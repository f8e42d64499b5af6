/**
 * The code tables (src/diagnostics/codes/), in the spirit of cargo-deny's `codes_unique`: every code
 * is unique across areas and well formed, docs/codes.md is exactly what the tables say, every code
 * is used in src/, every code written in src/ or mentioned in docs/ is in a table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CODE_AREAS,
  CODE_TABLES,
  allCodes,
  areaOf,
  classOf,
  diagnostic,
  isCode,
  type Code,
  type CodeInfo,
} from '../src/diagnostics/index.js';
import { exitCodeForClass, exitCodeOf } from '../src/cli/exit-codes.js';
import { renderCodesDoc } from '../scripts/codes-doc.js';
import { repoRoot } from './helpers/cli.js';

const tablesDir = path.join(repoRoot, 'src', 'diagnostics', 'codes');

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.join(e.parentPath, e.name));
}

/** src/ outside the tables themselves. */
const sources = files(path.join(repoRoot, 'src'), '.ts')
  .filter((f) => !f.startsWith(tablesDir + path.sep))
  .map((f) => ({ file: path.relative(repoRoot, f), text: readFileSync(f, 'utf8') }));

test('every code is unique across the area tables, well formed and described', () => {
  const seen = new Map<string, string>();
  for (const area of CODE_AREAS) {
    const table = CODE_TABLES[area] as Readonly<Record<string, CodeInfo>>;
    assert.ok(Object.keys(table).length > 0, `${area}: empty table`);
    for (const [code, info] of Object.entries(table)) {
      assert.equal(seen.get(code), undefined, `${code} is in both ${seen.get(code) ?? ''} and ${area}`);
      seen.set(code, area);
      assert.match(code, /^NS_[A-Z0-9]+(?:_[A-Z0-9]+)+$/, `${code}: not NS_<AREA>_<WHAT>`);
      assert.ok(['usage', 'check', 'environment'].includes(info.class), `${code}: class ${info.class}`);
      assert.ok(info.summary.trim().length > 10, `${code}: no summary`);
      assert.ok(info.hint.trim().length > 5, `${code}: no default hint`);
      assert.equal(areaOf(code as never), area);
      assert.equal(classOf(code as never), info.class);
      assert.ok(isCode(code));
    }
  }
  assert.equal(allCodes().length, seen.size);
  assert.ok(seen.size > 150, `only ${seen.size} codes`);
  assert.equal(isCode('NS_NOT_A_CODE'), false);
});

test('docs/codes.md is generated from the tables (pnpm run docs:codes)', () => {
  const committed = readFileSync(path.join(repoRoot, 'docs', 'codes.md'), 'utf8');
  assert.equal(committed, renderCodesDoc(), 'docs/codes.md is stale: run `pnpm run docs:codes` and commit it');
  for (const { code, class: cls } of allCodes()) {
    assert.ok(committed.includes(`| \`${code}\` | ${cls} |`), `${code} is not documented in docs/codes.md`);
  }
});

test('every code is used in src/, and every code written in src/ is in a table', () => {
  const all = sources.map((s) => s.text).join('\n');
  const unused = allCodes()
    .map((c) => c.code)
    .filter((code) => !all.includes(`'${code}'`));
  assert.deepEqual(unused, [], 'codes in a table that nothing in src/ reports');
  const unknown: string[] = [];
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/'(NS_[A-Z0-9_]+)'/g)) {
      const code = m[1] ?? '';
      if (!isCode(code)) unknown.push(`${file}: ${code}`);
    }
  }
  assert.deepEqual(unknown, [], 'codes written in src/ that no table declares');
});

test('every code the docs mention exists (a prefix ending in _ or _* names a family)', () => {
  const docs = [path.join(repoRoot, 'README.md'), ...files(path.join(repoRoot, 'docs'), '.md')];
  const stale: string[] = [];
  for (const file of docs) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?<![A-Z0-9_])NS_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_])/g)) {
      if (!isCode(m[0])) stale.push(`${path.relative(repoRoot, file)}: ${m[0]}`);
    }
  }
  assert.deepEqual(stale, [], 'docs mention codes that no table declares');
});

test("every code's class maps to its exit status through one function (exitCodeOf), usage before environment before check", () => {
  const expected = { usage: 2, check: 1, environment: 3 } as const;
  for (const { code, class: cls } of allCodes()) {
    assert.equal(exitCodeForClass(cls), expected[cls], `${code}: ${cls}`);
    assert.equal(exitCodeOf([diagnostic({ code, message: 'm', hint: 'h' })]), expected[cls], `${code}: ${cls}`);
    // A warning or a note never fails a run, whatever its class.
    assert.equal(exitCodeOf([diagnostic({ code, severity: 'warning', message: 'm', hint: 'h' })]), 0, code);
  }
  const of = (...codes: Code[]): number => exitCodeOf(codes.map((code) => diagnostic({ code, message: 'm', hint: 'h' })));
  assert.equal(exitCodeOf([]), 0);
  assert.equal(of('NS_VERIFY_SIZE', 'NS_CORE_LOAD'), 3);
  assert.equal(of('NS_CORE_LOAD', 'NS_SIGN_PUBLIC_KEY', 'NS_VERIFY_SIZE'), 2);
  assert.equal(of('NS_VERIFY_SIZE', 'NS_TARGET_UNKNOWN'), 1);
  // The CLI's table agrees with docs/cli.md's.
  const doc = readFileSync(path.join(repoRoot, 'docs', 'cli.md'), 'utf8');
  for (const [cls, status] of Object.entries(expected))
    assert.match(doc, new RegExp(`\\| ${status} \\| .*\`${cls}\``), `docs/cli.md: ${cls} → ${status}`);
});
