import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allowEntryProblem, licensesNeeded, normalizeLicense, satisfiesAllowList } from '../src/license/index.js';

describe('normalizeLicense', () => {
  test('a valid expression comes back as written', () => {
    assert.deepEqual(normalizeLicense('MIT OR Apache-2.0'), { expression: 'MIT OR Apache-2.0', valid: true });
    assert.deepEqual(normalizeLicense('(MIT OR Apache-2.0) AND Unicode-3.0'), {
      expression: '(MIT OR Apache-2.0) AND Unicode-3.0',
      valid: true,
    });
    assert.equal(
      normalizeLicense('Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT').expression,
      'Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT',
    );
  });

  test('the legacy slash form is read as OR, never reduced to one license', () => {
    assert.deepEqual(normalizeLicense('MIT/Apache-2.0'), { expression: 'MIT OR Apache-2.0', valid: true });
    assert.equal(normalizeLicense('Apache-2.0 / MIT').expression, 'Apache-2.0 OR MIT');
    assert.equal(normalizeLicense('MIT/Apache-2.0/BSD-3-Clause').expression, 'MIT OR Apache-2.0 OR BSD-3-Clause');
  });

  test('whitespace, operator case and id case are repaired; WITH exceptions are kept', () => {
    assert.equal(normalizeLicense('  MIT   or\tApache-2.0 ').expression, 'MIT OR Apache-2.0');
    assert.equal(normalizeLicense('mit').expression, 'MIT');
    assert.equal(normalizeLicense('apache-2.0 with llvm-exception').expression, 'Apache-2.0 WITH LLVM-exception');
    assert.equal(normalizeLicense('GPL-2.0+').expression, 'GPL-2.0+');
    assert.equal(normalizeLicense('(MIT)').expression, 'MIT');
    assert.equal(normalizeLicense('MIT AND (Apache-2.0 OR BSD-3-Clause)').expression, 'MIT AND (Apache-2.0 OR BSD-3-Clause)');
    assert.equal(normalizeLicense('LicenseRef-Proprietary').expression, 'LicenseRef-Proprietary');
  });

  test('absent, NOASSERTION and npm conventions are not expressions', () => {
    for (const raw of [null, '', '   ', 'NOASSERTION', 'NONE']) {
      const n = normalizeLicense(raw);
      assert.equal(n.valid, false, String(raw));
      assert.equal(n.expression, null);
      assert.equal(n.problem, 'absent');
      assert.ok(n.reason);
    }
    assert.equal(normalizeLicense('UNLICENSED').problem, 'not-spdx');
    assert.equal(normalizeLicense('SEE LICENSE IN LICENSE.md').problem, 'not-spdx');
  });

  test('unknown ids are not valid and are named', () => {
    const n = normalizeLicense('Apache 2');
    assert.equal(n.valid, false);
    assert.equal(n.expression, null);
    assert.equal(n.problem, 'unknown-id');
    assert.deepEqual(n.unknownIds, ['Apache', '2']);
    assert.match(n.reason ?? '', /"Apache"/);
    assert.equal(normalizeLicense('MIT OR BSD').problem, 'unknown-id');
    assert.equal(normalizeLicense('MIT License').problem, 'unknown-id');
  });

  test('syntax errors are invalid', () => {
    for (const raw of ['MIT OR', '(MIT', 'MIT AND AND Apache-2.0', 'MIT WITH Apache-2.0', 'LLVM-exception']) {
      const n = normalizeLicense(raw);
      assert.equal(n.valid, false, raw);
      assert.equal(n.problem, 'syntax', raw);
      assert.equal(n.expression, null);
    }
  });
});

describe('satisfiesAllowList (spdx-satisfies)', () => {
  test('an OR passes when one branch is allowed; AND needs all', () => {
    assert.equal(satisfiesAllowList('MIT OR Apache-2.0', ['MIT']), true);
    assert.equal(satisfiesAllowList('GPL-3.0-only', ['MIT']), false);
    assert.equal(satisfiesAllowList('(MIT OR Apache-2.0) AND Unicode-3.0', ['MIT']), false);
    assert.equal(satisfiesAllowList('(MIT OR Apache-2.0) AND Unicode-3.0', ['Apache-2.0', 'Unicode-3.0']), true);
    assert.equal(satisfiesAllowList('MIT', []), false);
  });

  test('a WITH exception needs its exact entry', () => {
    assert.equal(satisfiesAllowList('Apache-2.0 WITH LLVM-exception', ['Apache-2.0']), false);
    assert.equal(satisfiesAllowList('Apache-2.0 WITH LLVM-exception', ['Apache-2.0 WITH LLVM-exception']), true);
  });

  test('eight-character ids are not read as "or later" (spdx-satisfies 6 bug, guarded)', () => {
    // Unguarded, spdx-satisfies 6 says true to each of these.
    assert.equal(satisfiesAllowList('LGPL-2.1', ['LGPL-3.0']), false);
    assert.equal(satisfiesAllowList('LGPL-3.0', ['LGPL-2.1']), false);
    assert.equal(satisfiesAllowList('CDDL-1.0', ['CDDL-1.1']), false);
    assert.equal(satisfiesAllowList('CDDL-1.0', ['CDDL-1.0']), true);
    assert.equal(satisfiesAllowList('MIT OR CDDL-1.1', ['CDDL-1.1']), true);
  });

  test('licensesNeeded names the cheapest fix', () => {
    assert.deepEqual(licensesNeeded('(MIT OR Apache-2.0) AND Unicode-3.0', ['MIT']), ['Unicode-3.0']);
    assert.deepEqual(licensesNeeded('GPL-3.0-only', ['MIT']), ['GPL-3.0-only']);
    assert.deepEqual(licensesNeeded('MIT OR Apache-2.0', ['MIT']), []);
  });
});

describe('allowEntryProblem', () => {
  test('single ids as SPDX spells them pass', () => {
    for (const entry of ['MIT', 'Apache-2.0 WITH LLVM-exception', 'GPL-2.0-or-later', 'LicenseRef-Mine'])
      assert.equal(allowEntryProblem(entry), null, entry);
  });
  test('expressions, unknown ids and other spellings are refused, with the right spelling', () => {
    assert.match(allowEntryProblem('MIT OR Apache-2.0') ?? '', /expression/);
    assert.match(allowEntryProblem('Apache 2') ?? '', /not on the SPDX license list/);
    assert.match(allowEntryProblem('mit') ?? '', /write "MIT"/);
  });
});
