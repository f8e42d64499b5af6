import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiagnosticError } from '../src/diagnostics/index.js';
import {
  defaultPolicyConfig,
  evaluatePolicy,
  parsePolicyConfig,
  policyFailed,
  policySummaryLine,
  readPolicyConfig,
  renderPolicyMarkdown,
  renderPolicyText,
  type PolicyConfig,
  type PolicyOutcome,
} from '../src/policy/index.js';
import type { Ecosystem, Inventory, InventoryPackage } from '../src/sbom/inventory.js';

const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';
const LICENSE_SHA = 'a'.repeat(64);

function pkg(
  ecosystem: Ecosystem,
  name: string,
  version: string,
  licenseRaw: string | null,
  extra: Partial<InventoryPackage> = {},
): InventoryPackage {
  const purl = ecosystem === 'cargo' ? `pkg:cargo/${name}@${version}` : `pkg:npm/${name.replace('@', '%40')}@${version}`;
  return {
    ecosystem,
    name,
    version,
    purl,
    licenseRaw,
    licenseFiles: [],
    source:
      ecosystem === 'cargo' ? { kind: 'registry', location: CRATES_IO } : { kind: 'registry', location: 'https://registry.npmjs.org/' },
    checksum: null,
    supplier: null,
    homepage: null,
    downloadLocation: null,
    scope: 'normal',
    isRoot: false,
    dependsOn: [],
    ...extra,
  };
}

const crate = (name: string, version: string, license: string | null, extra: Partial<InventoryPackage> = {}): InventoryPackage =>
  pkg('cargo', name, version, license, extra);
const npm = (name: string, version: string, license: string | null, extra: Partial<InventoryPackage> = {}): InventoryPackage =>
  pkg('npm', name, version, license, extra);

/** A cargo inventory: the released crate depending on every package given. */
function cargoInventory(...deps: InventoryPackage[]): Inventory {
  const root = crate('my-addon', '1.0.0', 'MIT', {
    isRoot: true,
    source: { kind: 'path', location: '/work/my-addon' },
    dependsOn: deps.map((d) => d.purl),
  });
  return { ecosystem: 'cargo', source: 'Cargo.lock', roots: [root.purl], packages: [root, ...deps] };
}

function npmInventory(...deps: InventoryPackage[]): Inventory {
  const root = npm('my-addon', '1.0.0', 'MIT', {
    isRoot: true,
    source: { kind: 'path', location: '.' },
    dependsOn: deps.map((d) => d.purl),
  });
  return { ecosystem: 'npm', source: 'pnpm-lock.yaml', roots: [root.purl], packages: [root, ...deps] };
}

function policy(raw: Record<string, unknown>): PolicyConfig {
  return parsePolicyConfig(raw, '/work/my-addon/package.json', 'napiShip.policy');
}

function codes(outcome: PolicyOutcome): string[] {
  return outcome.result.violations.map((v) => v.code);
}

describe('licenses', () => {
  test('MIT OR Apache-2.0 passes an allow list with MIT', () => {
    const outcome = evaluatePolicy(
      [cargoInventory(crate('either', '1.19.0', 'MIT OR Apache-2.0'))],
      policy({ licenses: { allow: ['MIT'] } }),
    );
    assert.deepEqual(outcome.result.violations, []);
    assert.equal(outcome.ok, true);
    assert.equal(outcome.result.checked, 1);
    const either = outcome.result.packages.find((p) => p.name === 'either');
    assert.equal(either?.licenseAllowed, true);
    assert.equal(either.expression, 'MIT OR Apache-2.0');
  });

  test('a GPL-3.0-only dependency fails it, and the violation says what and how to fix', () => {
    const gpl = crate('copyleft', '2.1.0', 'GPL-3.0-only');
    const outcome = evaluatePolicy([cargoInventory(gpl)], policy({ licenses: { allow: ['MIT'] } }));
    assert.equal(outcome.ok, false);
    assert.deepEqual(codes(outcome), ['NS_POLICY_LICENSE_DENIED']);
    const [v] = outcome.result.violations;
    assert.ok(v);
    assert.equal(v.package, 'copyleft');
    assert.equal(v.version, '2.1.0');
    assert.equal(v.ecosystem, 'cargo');
    assert.equal(v.expression, 'GPL-3.0-only');
    assert.deepEqual(v.allow, ['MIT']);
    assert.deepEqual(v.requiredBy, ['my-addon@1.0.0']);
    assert.match(v.hint, /"GPL-3\.0-only" to napiShip\.policy\.licenses\.allow/);
    assert.match(v.hint, /napiShip\.policy\.licenses\.exceptions/);
    const [d] = outcome.diagnostics;
    assert.equal(d?.severity, 'error');
    assert.equal(d.subject, 'cargo copyleft@2.1.0');
    assert.equal(d.expected, 'MIT');
    assert.equal(d.found, 'GPL-3.0-only');
  });

  test('the same rules hold for npm packages', () => {
    const outcome = evaluatePolicy(
      [npmInventory(npm('left-pad', '1.3.0', 'WTFPL'), npm('@scope/ok', '1.0.0', 'MIT'))],
      policy({ licenses: { allow: ['MIT'] } }),
    );
    assert.deepEqual(
      outcome.result.violations.map((v) => [v.ecosystem, v.package, v.code]),
      [['npm', 'left-pad', 'NS_POLICY_LICENSE_DENIED']],
    );
    assert.equal(outcome.result.checked, 2);
  });

  test('an exception lets one package through, only where it matches', () => {
    const gpl = crate('copyleft', '2.1.0', 'GPL-3.0-only');
    const other = crate('copyleft-too', '1.0.0', 'GPL-3.0-only');
    const config = policy({
      licenses: { allow: ['MIT'], exceptions: [{ name: 'copyleft', version: '^2', ecosystem: 'cargo', allow: ['GPL-3.0-only'] }] },
    });
    const outcome = evaluatePolicy([cargoInventory(gpl, other)], config);
    assert.deepEqual(
      outcome.result.violations.map((v) => v.package),
      ['copyleft-too'],
    );
    assert.deepEqual(outcome.result.violations[0]?.allow, ['MIT']);

    const wrongVersion = evaluatePolicy([cargoInventory(crate('copyleft', '3.0.0', 'GPL-3.0-only'))], config);
    assert.deepEqual(codes(wrongVersion), ['NS_POLICY_LICENSE_DENIED']);
    const wrongEcosystem = evaluatePolicy([npmInventory(npm('copyleft', '2.1.0', 'GPL-3.0-only'))], config);
    assert.deepEqual(codes(wrongEcosystem), ['NS_POLICY_LICENSE_DENIED']);
    assert.ok(wrongEcosystem.diagnostics.some((d) => d.code === 'NS_POLICY_UNUSED' && d.severity === 'note'));
  });

  test('a clarify entry fixes a crate without a license while its license file hashes the same', () => {
    const files = [{ path: 'LICENSE', sha256: LICENSE_SHA }];
    const config = policy({
      licenses: {
        allow: ['MIT', 'ISC'],
        clarify: [{ name: 'no-license', version: '0.3.1', expression: 'ISC', licenseFiles: files }],
      },
    });
    const good = evaluatePolicy(
      [cargoInventory(crate('no-license', '0.3.1', null, { licenseFiles: [{ path: './LICENSE', sha256: LICENSE_SHA.toUpperCase() }] }))],
      config,
    );
    assert.deepEqual(good.result.violations, []);
    const clarified = good.result.packages.find((p) => p.name === 'no-license');
    assert.equal(clarified?.clarified, true);
    assert.equal(clarified.expression, 'ISC');
    assert.equal(clarified.declared, null);
    assert.match(clarified.comment ?? '', /clarification/);

    // Without the clarification, the same crate is reported as having no license.
    const unclarified = evaluatePolicy(
      [cargoInventory(crate('no-license', '0.3.1', null))],
      policy({ licenses: { allow: ['MIT', 'ISC'] } }),
    );
    assert.deepEqual(codes(unclarified), ['NS_POLICY_LICENSE_UNKNOWN']);
    assert.match(unclarified.result.violations[0]?.hint ?? '', /napiShip\.policy\.licenses\.clarify/);
  });

  test('a stale clarification (the license file changed or is gone) fails and does not apply', () => {
    const config = policy({
      licenses: {
        allow: ['ISC'],
        clarify: [{ name: 'no-license', expression: 'ISC', licenseFiles: [{ path: 'LICENSE', sha256: LICENSE_SHA }] }],
      },
    });
    const changed = 'b'.repeat(64);
    const outcome = evaluatePolicy(
      [cargoInventory(crate('no-license', '0.3.2', null, { licenseFiles: [{ path: 'LICENSE', sha256: changed }] }))],
      config,
    );
    assert.equal(outcome.ok, false);
    assert.deepEqual(codes(outcome).sort(), ['NS_POLICY_CLARIFY_STALE', 'NS_POLICY_LICENSE_UNKNOWN']);
    const stale = outcome.result.violations.find((v) => v.code === 'NS_POLICY_CLARIFY_STALE');
    assert.match(stale?.message ?? '', new RegExp(changed));
    assert.match(stale?.hint ?? '', new RegExp(`"sha256": "${changed}"`));
    assert.equal(outcome.result.packages.find((p) => p.name === 'no-license')?.clarified, false);

    const gone = evaluatePolicy([cargoInventory(crate('no-license', '0.3.2', null))], config);
    assert.deepEqual(codes(gone).sort(), ['NS_POLICY_CLARIFY_STALE', 'NS_POLICY_LICENSE_UNKNOWN']);
  });

  test('Apache-2.0 WITH LLVM-exception needs its exact entry', () => {
    const llvm = crate('llvm-ish', '1.0.0', 'Apache-2.0 WITH LLVM-exception');
    const denied = evaluatePolicy([cargoInventory(llvm)], policy({ licenses: { allow: ['Apache-2.0', 'MIT'] } }));
    assert.deepEqual(codes(denied), ['NS_POLICY_LICENSE_DENIED']);
    assert.match(denied.result.violations[0]?.hint ?? '', /"Apache-2\.0 WITH LLVM-exception"/);
    const allowed = evaluatePolicy([cargoInventory(llvm)], policy({ licenses: { allow: ['Apache-2.0 WITH LLVM-exception'] } }));
    assert.deepEqual(allowed.result.violations, []);
    // rustix's real expression offers MIT too.
    const rustix = evaluatePolicy(
      [cargoInventory(crate('rustix', '1.1.6', 'Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT'))],
      policy({ licenses: { allow: ['MIT'] } }),
    );
    assert.deepEqual(rustix.result.violations, []);
  });

  test('MIT/Apache-2.0 is read as OR, not silently reduced to one license', () => {
    const legacy = crate('quick-error', '1.2.3', 'MIT/Apache-2.0');
    assert.deepEqual(evaluatePolicy([cargoInventory(legacy)], policy({ licenses: { allow: ['MIT'] } })).result.violations, []);
    assert.deepEqual(evaluatePolicy([cargoInventory(legacy)], policy({ licenses: { allow: ['Apache-2.0'] } })).result.violations, []);
    const denied = evaluatePolicy([cargoInventory(legacy)], policy({ licenses: { allow: ['ISC'] } }));
    assert.equal(denied.result.violations[0]?.expression, 'MIT OR Apache-2.0');
    assert.equal(denied.result.violations[0].declared, 'MIT/Apache-2.0');
    assert.equal(denied.result.packages.find((p) => p.name === 'quick-error')?.expression, 'MIT OR Apache-2.0');
  });

  test('unknown and invalid expressions are reported as such and never allowed', () => {
    const outcome = evaluatePolicy(
      [
        cargoInventory(
          crate('words', '1.0.0', 'Apache 2'),
          crate('broken', '1.0.0', 'MIT OR'),
          crate('silent', '1.0.0', null),
          crate('see-file', '1.0.0', 'SEE LICENSE IN LICENSE'),
        ),
      ],
      policy({ licenses: { allow: ['Apache-2.0', 'MIT'] } }),
    );
    assert.deepEqual(
      outcome.result.violations.map((v) => [v.package, v.code]),
      [
        ['broken', 'NS_POLICY_LICENSE_INVALID'],
        ['see-file', 'NS_POLICY_LICENSE_UNKNOWN'],
        ['silent', 'NS_POLICY_LICENSE_UNKNOWN'],
        ['words', 'NS_POLICY_LICENSE_UNKNOWN'],
      ],
    );
    assert.match(outcome.result.violations.find((v) => v.package === 'words')?.message ?? '', /"Apache"/);
    assert.ok(outcome.result.packages.filter((p) => !p.firstParty).every((p) => p.licenseAllowed === false && p.expression === null));
  });

  test('eight-character ids are matched exactly (spdx-satisfies bug guarded)', () => {
    const outcome = evaluatePolicy(
      [npmInventory(npm('old-lgpl', '1.0.0', 'LGPL-2.1'))],
      policy({ licenses: { allow: ['LGPL-3.0-only'] } }),
    );
    assert.deepEqual(codes(outcome), ['NS_POLICY_LICENSE_DENIED']);
  });

  test('first-party packages (roots, workspace members) are not judged', () => {
    const member = crate('my-core', '1.0.0', 'LicenseRef-Mine', {
      workspaceMember: true,
      source: { kind: 'path', location: '../my-core' },
    });
    const outcome = evaluatePolicy([cargoInventory(member)], policy({ licenses: { allow: ['MIT'] } }));
    assert.deepEqual(outcome.result.violations, []);
    assert.equal(outcome.result.checked, 0);
    assert.ok(outcome.result.packages.every((p) => p.firstParty && p.licenseAllowed === null));
  });

  test('a package listed by two inventories is judged once', () => {
    const gpl = npm('dup', '1.0.0', 'GPL-3.0-only');
    const outcome = evaluatePolicy([npmInventory(gpl), npmInventory(gpl)], policy({ licenses: { allow: ['MIT'] } }));
    assert.equal(outcome.result.violations.length, 1);
    assert.equal(outcome.result.checked, 1);
  });

  test('no policy configured: a report — licenses grouped, the unusual ones named, nothing denied, ok', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-policy-none-'));
    try {
      const config = await readPolicyConfig(dir, { name: 'x' });
      assert.equal(config.file, null);
      const git = crate('forked', '0.1.0', 'MIT', { source: { kind: 'git', location: 'https://github.com/someone/forked?rev=1#abc' } });
      const deps = [
        crate('either', '1.0.0', 'MIT'),
        crate('serde', '1.0.0', 'MIT OR Apache-2.0'),
        crate('syn', '2.0.0', 'MIT/Apache-2.0'),
        crate('copyleft', '2.1.0', 'GPL-3.0-only'),
        crate('nolicense', '0.3.2', null),
        git,
      ];
      const outcome = evaluatePolicy(
        [cargoInventory(...deps), npmInventory(npm('weird', '1.0.0', 'Apache 2'), npm('ok', '1.0.0', 'ISC'))],
        config,
      );
      assert.equal(outcome.ok, true);
      assert.equal(outcome.result.configured, false);
      assert.equal(outcome.result.checked, 8);
      // Nothing judged against an allow list nobody wrote; a git source is still worth a warning.
      assert.deepEqual(
        outcome.result.violations.map((v) => `${v.severity} ${v.code}`),
        ['warning NS_POLICY_SOURCE_GIT'],
      );
      assert.ok(outcome.result.packages.every((p) => p.licenseAllowed === null));
      assert.deepEqual(
        outcome.result.licenses.map((g) => [g.license, g.count, g.unusual, g.packages]),
        [
          ['MIT', 2, false, []],
          ['MIT OR Apache-2.0', 2, false, []],
          ['ISC', 1, false, []],
          ['(none)', 1, true, ['cargo nolicense@0.3.2']],
          ['Apache 2 (not SPDX)', 1, true, ['npm weird@1.0.0']],
          ['GPL-3.0-only', 1, true, ['cargo copyleft@2.1.0']],
        ],
      );
      const note = outcome.diagnostics.find((d) => d.code === 'NS_POLICY_NOT_CONFIGURED');
      assert.ok(note !== undefined);
      assert.equal(note.severity, 'note');
      assert.match(note.hint, /napi-ship policy --init/);
      assert.match(note.message, /8 package\(s\) reported under 6 license\(s\) \(3 under unusual ones, named\)/);

      const text = renderPolicyText(outcome);
      assert.match(text, /^no license policy configured: a report of the licenses that ship, nothing judged/);
      assert.match(text, /licenses found in 8 third-party package\(s\):\nlicense +packages/);
      assert.match(text, /^MIT OR Apache-2\.0 +2\s*$/m);
      assert.match(text, /^GPL-3\.0-only +1 +unusual$/m);
      assert.match(text, /^ {2}GPL-3\.0-only: cargo copyleft@2\.1\.0$/m);
      assert.match(text, /note\[NS_POLICY_NOT_CONFIGURED\]/);
      assert.match(text, /no policy configured: 8 package\(s\) reported under 6 license\(s\), 1 warning\(s\); nothing judged\n$/);
      assert.doesNotMatch(text, /passed|failed|NS_POLICY_LICENSE_DENIED/);
      const md = renderPolicyMarkdown(outcome);
      assert.match(
        md,
        /ℹ️ No license policy configured: 8 package\(s\) reported under 6 license\(s\), nothing judged \(1 warning\(s\)\)\./,
      );
      assert.match(md, /\| `GPL-3\.0-only` \| 1 \| `cargo copyleft@2\.1\.0` \|/);
      assert.match(md, /ℹ️ NS_POLICY_NOT_CONFIGURED: /);

      // The same packages under a configured policy fail exactly as before.
      const judged = evaluatePolicy(
        [cargoInventory(...deps), npmInventory(npm('weird', '1.0.0', 'Apache 2'), npm('ok', '1.0.0', 'ISC'))],
        policy({ licenses: { allow: ['MIT'] } }),
      );
      assert.equal(judged.ok, false);
      assert.equal(judged.result.configured, true);
      assert.deepEqual(codes(judged).sort(), [
        'NS_POLICY_LICENSE_DENIED',
        'NS_POLICY_LICENSE_DENIED',
        'NS_POLICY_LICENSE_UNKNOWN',
        'NS_POLICY_LICENSE_UNKNOWN',
        'NS_POLICY_SOURCE_GIT',
      ]);
      assert.ok(judged.result.violations.every((v) => v.severity === 'error'));
      assert.equal(judged.result.licenses.length, 6, 'the grouped licenses are in the outcome (--json) either way');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sources', () => {
  const allowMit = { licenses: { allow: ['MIT'] } };

  test('a git dependency fails the sources check until its repository is allowed', () => {
    const git = crate('forked', '0.1.0', 'MIT', {
      source: { kind: 'git', location: 'git+https://github.com/Someone/Forked.git?rev=abc123#abc123def' },
    });
    const outcome = evaluatePolicy([cargoInventory(git)], policy(allowMit));
    assert.deepEqual(codes(outcome), ['NS_POLICY_SOURCE_GIT']);
    assert.equal(outcome.ok, false);
    assert.match(
      outcome.result.violations[0]?.hint ?? '',
      /"https:\/\/github\.com\/Someone\/Forked\.git" to napiShip\.policy\.sources\.allowGit/,
    );

    for (const allowGit of [
      ['https://github.com/someone/forked'],
      ['https://github.com/Someone'],
      ['git+ssh://git@github.com/someone/forked.git'],
    ]) {
      assert.deepEqual(
        evaluatePolicy([cargoInventory(git)], policy({ ...allowMit, sources: { allowGit } })).result.violations,
        [],
        allowGit.join(),
      );
    }
    assert.deepEqual(
      codes(
        evaluatePolicy([cargoInventory(git)], policy({ ...allowMit, sources: { allowGit: ['https://github.com/someone/forked-other'] } })),
      ),
      ['NS_POLICY_SOURCE_GIT'],
    );

    const npmGit = npm('gitdep', '1.0.0', 'MIT', { source: { kind: 'git', location: 'github:someone/gitdep#0123abc' } });
    assert.deepEqual(codes(evaluatePolicy([npmInventory(npmGit)], policy(allowMit))), ['NS_POLICY_SOURCE_GIT']);
    assert.deepEqual(
      evaluatePolicy([npmInventory(npmGit)], policy({ ...allowMit, sources: { allowGit: ['https://github.com/someone/gitdep'] } })).result
        .violations,
      [],
    );
  });

  test('path dependencies are flagged unless first-party or allowed', () => {
    const local = crate('vendored', '0.1.0', 'MIT', { source: { kind: 'path', location: '../vendored' } });
    assert.deepEqual(codes(evaluatePolicy([cargoInventory(local)], policy(allowMit))), ['NS_POLICY_SOURCE_PATH']);
    assert.deepEqual(
      evaluatePolicy([cargoInventory(local)], policy({ ...allowMit, sources: { allowPath: ['vendored'] } })).result.violations,
      [],
    );
  });

  test('crates only from crates.io (git index or sparse) unless the registry is allowed', () => {
    const sparse = crate('a', '1.0.0', 'MIT', { source: { kind: 'registry', location: 'sparse+https://index.crates.io/' } });
    const mirror = crate('b', '1.0.0', 'MIT', { source: { kind: 'registry', location: 'sparse+https://crates.example.com/index/' } });
    const outcome = evaluatePolicy([cargoInventory(sparse, mirror)], policy(allowMit));
    assert.deepEqual(
      outcome.result.violations.map((v) => [v.package, v.code]),
      [['b', 'NS_POLICY_SOURCE_REGISTRY']],
    );
    assert.match(outcome.result.violations[0]?.hint ?? '', /allowRegistries/);
    assert.deepEqual(
      evaluatePolicy(
        [cargoInventory(sparse, mirror)],
        policy({ ...allowMit, sources: { allowRegistries: ['sparse+https://crates.example.com/index'] } }),
      ).result.violations,
      [],
    );
  });

  test('npm packages only from the configured registries', () => {
    const fromNpmjs = npm('a', '1.0.0', 'MIT', {
      source: { kind: 'registry', location: null },
      downloadLocation: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz',
    });
    const fromElsewhere = npm('b', '1.0.0', 'MIT', { source: { kind: 'registry', location: 'https://npm.evil.example/' } });
    const outcome = evaluatePolicy([npmInventory(fromNpmjs, fromElsewhere)], policy(allowMit));
    assert.deepEqual(
      outcome.result.violations.map((v) => [v.package, v.code]),
      [['b', 'NS_POLICY_SOURCE_REGISTRY']],
    );
    const mirrorOnly = policy({ ...allowMit, sources: { npmRegistries: ['https://npm.evil.example'] } });
    assert.deepEqual(
      evaluatePolicy([npmInventory(fromNpmjs, fromElsewhere)], mirrorOnly).result.violations.map((v) => v.package),
      ['a'],
    );
  });
});

describe('bans and duplicates', () => {
  test('a banned package fails, within its version range and ecosystem only', () => {
    const config = policy({
      licenses: { allow: ['MIT', 'Apache-2.0'] },
      ban: [{ name: 'openssl-sys', version: '<0.10', ecosystem: 'cargo', reason: 'use rustls' }, 'leftpad'],
    });
    const outcome = evaluatePolicy(
      [
        cargoInventory(crate('openssl-sys', '0.9.100', 'MIT'), crate('openssl-sys', '0.10.1', 'MIT')),
        npmInventory(npm('openssl-sys', '0.9.0', 'MIT'), npm('leftpad', '1.0.0', 'MIT')),
      ],
      config,
    );
    const banned = outcome.result.violations
      .filter((v) => v.code === 'NS_POLICY_BANNED')
      .map((v) => `${v.ecosystem}:${v.package}@${v.version}`);
    assert.deepEqual(banned, ['cargo:openssl-sys@0.9.100', 'npm:leftpad@1.0.0']);
    assert.match(
      outcome.result.violations.find((v) => v.package === 'openssl-sys' && v.code === 'NS_POLICY_BANNED')?.message ?? '',
      /use rustls/,
    );
    assert.equal(outcome.ok, false);
  });

  test('duplicate versions are a warning by default, an error when configured, and can be skipped', () => {
    const inv = cargoInventory(
      crate('windows-sys', '0.52.0', 'MIT'),
      crate('windows-sys', '0.61.2', 'MIT'),
      crate('syn', '2.0.0', 'MIT'),
      crate('syn', '3.0.10', 'MIT'),
    );
    const warned = evaluatePolicy([inv], policy({ licenses: { allow: ['MIT'] } }));
    assert.deepEqual(
      warned.result.violations.map((v) => [v.package, v.code, v.severity, v.version]),
      [
        ['syn', 'NS_POLICY_DUPLICATE', 'warning', '2.0.0, 3.0.10'],
        ['windows-sys', 'NS_POLICY_DUPLICATE', 'warning', '0.52.0, 0.61.2'],
      ],
    );
    assert.equal(warned.ok, true);

    const strict = evaluatePolicy([inv], policy({ licenses: { allow: ['MIT'] }, duplicates: { level: 'error', skip: ['windows-sys'] } }));
    assert.deepEqual(
      strict.result.violations.map((v) => [v.package, v.severity]),
      [['syn', 'error']],
    );
    assert.equal(strict.ok, false);
    assert.deepEqual(evaluatePolicy([inv], policy({ licenses: { allow: ['MIT'] }, duplicates: 'allow' })).result.violations, []);
  });
});

describe('config', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-policy-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function configErrors(manifest: Record<string, unknown>, file?: string): Promise<string[]> {
    const sub = await mkdtemp(path.join(dir, 'case-'));
    if (file !== undefined) await writeFile(path.join(sub, 'napi-ship.config.json'), file);
    try {
      await readPolicyConfig(sub, manifest);
    } catch (error) {
      assert.ok(error instanceof DiagnosticError, String(error));
      assert.ok(error.diagnostics.every((d) => d.code === 'NS_CONFIG_INVALID' && d.hint !== ''));
      return error.diagnostics.map((d) => d.message);
    }
    assert.fail('expected NS_CONFIG_INVALID');
  }

  test('read from package.json napiShip.policy, or napi-ship.config.json policy', async () => {
    const fromPkg = await readPolicyConfig(dir, { napiShip: { policy: { licenses: { allow: ['MIT'] } } } });
    assert.equal(fromPkg.key, 'napiShip.policy');
    assert.equal(fromPkg.file, path.join(dir, 'package.json'));
    assert.deepEqual(fromPkg.licenses.allow, ['MIT']);
    assert.equal(fromPkg.duplicates.level, 'warn');

    const sub = await mkdtemp(path.join(dir, 'file-'));
    await writeFile(
      path.join(sub, 'napi-ship.config.json'),
      JSON.stringify({ policy: { licenses: { allow: ['ISC'] }, duplicates: 'error' } }),
    );
    const fromFile = await readPolicyConfig(sub, { name: 'x' });
    assert.equal(fromFile.key, 'policy');
    assert.equal(fromFile.file, path.join(sub, 'napi-ship.config.json'));
    assert.deepEqual(fromFile.licenses.allow, ['ISC']);
    assert.equal(fromFile.duplicates.level, 'error');
    // Hints then name the key of that file.
    const outcome = evaluatePolicy([cargoInventory(crate('x', '1.0.0', 'MIT'))], fromFile);
    assert.match(
      outcome.result.violations[0]?.hint ?? '',
      /add "MIT" to policy\.licenses\.allow, .* to policy\.licenses\.exceptions \(.*napi-ship\.config\.json\)/,
    );
  });

  test('bad entries are NS_CONFIG_INVALID, every one reported with its key', async () => {
    const messages = await configErrors({
      napiShip: {
        policy: {
          licenses: {
            allow: ['mit', 'MIT OR Apache-2.0', 'Apache 2', 42],
            exceptions: [{ name: 'x', version: 'not a range', allow: ['MIT'] }, { name: 'y' }],
            clarify: [
              { name: 'z', expression: 'MIT', licenseFiles: [] },
              { name: 'w', expression: 'Nope-1.0', licenseFiles: [{ path: 'LICENSE', sha256: 'xyz' }] },
            ],
          },
          sources: { allowGit: ['not a url'] },
          ban: [{ name: 'q', ecosystem: 'pypi' }],
          duplicates: 'sometimes',
          licences: {},
        },
      },
    });
    const expect = [
      /napiShip\.policy\.licenses\.allow\[0\]` .*write "MIT"/,
      /napiShip\.policy\.licenses\.allow\[1\]` .*expression/,
      /napiShip\.policy\.licenses\.allow\[2\]` .*"Apache"/,
      /napiShip\.policy\.licenses\.allow\[3\]` must be a non-empty string/,
      /exceptions\[0\]\.version` must be a semver/,
      /exceptions\[1\]\.allow` must list/,
      /clarify\[0\]\.licenseFiles` must list at least one/,
      /clarify\[1\]\.expression` is not a valid SPDX expression/,
      /clarify\[1\]\.licenseFiles\[0\]\.sha256` must be 64 hex digits/,
      /sources\.allowGit\[0\]` is not a URL/,
      /ban\[0\]\.ecosystem` must be "cargo" or "npm"/,
      /napiShip\.policy\.duplicates` must be/,
      /napiShip\.policy\.licences` is not a policy setting/,
    ];
    for (const re of expect)
      assert.ok(
        messages.some((m) => re.test(m)),
        `${String(re)} in\n${messages.join('\n')}`,
      );
    assert.equal(messages.length, expect.length, messages.join('\n'));
  });

  test('not an object, invalid JSON, or configured twice', async () => {
    assert.match((await configErrors({ napiShip: { policy: ['MIT'] } }))[0] ?? '', /must be an object/);
    assert.match((await configErrors({ name: 'x' }, '{ "policy": ')).join(), /not valid JSON/);
    assert.match((await configErrors({ napiShip: { policy: {} } }, '{ "policy": {} }')).join(), /configured twice/);
    assert.deepEqual(await configErrors({ name: 'x' }, '{ "policy": {}, "polcy": {} }'), [
      '`polcy` is not a napi-ship.config.json setting (did you mean `policy`?)',
    ]);
  });
});

describe('reports', () => {
  test('text and markdown name each violation, its allow list and the fix', () => {
    const outcome = evaluatePolicy(
      [cargoInventory(crate('copyleft', '2.1.0', 'GPL-3.0-only'), crate('ok', '1.0.0', 'MIT'))],
      policy({ licenses: { allow: ['MIT', 'Apache-2.0'] } }),
    );
    const text = renderPolicyText(outcome);
    assert.match(text, /copyleft\s+2\.1\.0\s+GPL-3\.0-only/);
    assert.match(text, /error\[NS_POLICY_LICENSE_DENIED\] cargo copyleft@2\.1\.0/);
    assert.match(text, /expected: MIT, Apache-2\.0/);
    assert.match(text, /policy failed: 2 package\(s\) checked, 1 error\(s\), 0 warning\(s\)/);
    const md = renderPolicyMarkdown(outcome);
    assert.match(md, /^## License and source policy/);
    assert.match(md, /❌ 2 package\(s\) checked: 1 error\(s\)/);
    assert.match(
      md,
      /\| ❌ \| cargo \| `copyleft` \| 2\.1\.0 \| `GPL-3\.0-only` \| NS_POLICY_LICENSE_DENIED: .* \| if its terms are acceptable, add "GPL-3\.0-only" to napiShip\.policy\.licenses\.allow/,
    );
    const clean = evaluatePolicy([cargoInventory(crate('ok', '1.0.0', 'MIT'))], policy({ licenses: { allow: ['MIT'] } }));
    assert.match(renderPolicyMarkdown(clean), /✅ 1 package\(s\) checked: no violations\./);
    assert.match(renderPolicyText(clean), /policy passed/);
  });

  test('one verdict per run: never "passed" and "failed" together, also when the graph could not be read', () => {
    const clean = evaluatePolicy([cargoInventory(crate('ok', '1.0.0', 'MIT'))], policy({ licenses: { allow: ['MIT'] } }));
    const dirty = evaluatePolicy([cargoInventory(crate('gpl', '1.0.0', 'GPL-3.0-only'))], policy({ licenses: { allow: ['MIT'] } }));
    const none = evaluatePolicy([cargoInventory(crate('ok', '1.0.0', 'MIT'))], defaultPolicyConfig());
    const cases: [PolicyOutcome, number, RegExp, boolean][] = [
      [clean, 0, /^policy passed: /, false],
      [clean, 2, /^policy failed: the dependency graph could not be read completely \(2 reader error\(s\)\); 1 package\(s\) checked/, true],
      [dirty, 0, /^policy failed: 1 package\(s\) checked, 1 error\(s\)/, true],
      [dirty, 1, /^policy failed: the dependency graph could not be read completely/, true],
      [none, 0, /^no policy configured: /, false],
      [none, 1, /^policy failed: the dependency graph could not be read completely/, true],
    ];
    for (const [outcome, readErrors, line, failed] of cases) {
      const text = renderPolicyText(outcome, { readErrors });
      assert.match(policySummaryLine(outcome, { readErrors }), line);
      assert.equal(policyFailed(outcome, { readErrors }), failed);
      const verdicts = text.match(/\b(passed|failed)\b/g) ?? [];
      assert.ok(new Set(verdicts).size <= 1, `both verdicts in:\n${text}`);
      assert.equal(verdicts.length, line.source.includes('passed') || line.source.includes('failed') ? 1 : 0, text);
    }
  });

  test('repeated findings of one code are one group in the text (hint once); every one stays in the outcome', () => {
    const many = Array.from({ length: 9 }, (_, i) => crate(`gpl-${String(i)}`, '1.0.0', 'GPL-3.0-only'));
    const outcome = evaluatePolicy([cargoInventory(...many)], policy({ licenses: { allow: ['MIT'] } }));
    assert.equal(outcome.diagnostics.filter((d) => d.code === 'NS_POLICY_LICENSE_DENIED').length, 9);
    const text = renderPolicyText(outcome);
    assert.equal(text.match(/error\[NS_POLICY_LICENSE_DENIED\]/g)?.length, 1);
    assert.match(text, /error\[NS_POLICY_LICENSE_DENIED\] ×9 cargo gpl-0@1\.0\.0: /);
    assert.equal(text.match(/^ {2}hint: /gm)?.length, 1);
    assert.equal(text.match(/^ {2}also: cargo gpl-\d@1\.0\.0: /gm)?.length, 5);
    assert.match(text, /^ {2}… and 3 more \(all of them: --json\)$/m);
    assert.match(text, /policy failed: 9 package\(s\) checked, 9 error\(s\)/);
  });
});
