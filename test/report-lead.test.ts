/**
 * A report that leads: summary first, then "Next" with exact commands, diagnostics grouped, tables
 * fitted to the terminal. Snapshots of the text (100 columns) and markdown of three real dry runs
 * (rehearsal off: it has its own tests) — clean, with a missing target, and failing — plus the pure
 * parts (grouping, fitting, the rehearsal heading) on their own.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from '../src/diagnostics/index.js';
import { releaseDryRun } from '../src/release/dry-run.js';
import { renderMarkdown, renderText } from '../src/report/index.js';
import { blockers, fitTable, formatGroup, groupDiagnostics, nextSteps, verdict, type LeadFacts } from '../src/report/lead.js';
import { rehearsalLocal } from '../src/report/rehearsal.js';
import type { Rehearsal } from '../src/rehearsal/types.js';
import { repoRoot } from './helpers/cli.js';
import { buildFixtures, type FixtureSet } from '../scripts/lib/fixtures.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';

let scratch = '';
let fixtures: FixtureSet;
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-lead-'));
  fixtures = await buildFixtures();
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const SNAPSHOT_DIR = path.join(repoRoot, 'test', 'fixtures', 'report');

function normalise(text: string): string {
  return text
    .replaceAll(scratch, '<scratch>')
    .replaceAll(os.tmpdir(), '<tmp>')
    .replace(/ed25519 key [0-9a-f]+/g, 'ed25519 key <key-id>')
    .replace(/\| \d+ \| `sha512-[A-Za-z0-9+/=]+…` \|/g, '| <bytes> | `sha512-<integrity>…` |')
    .replace(/\b\d+ +sha512-[A-Za-z0-9+/=]+…/g, '<bytes>  sha512-<integrity>…')
    .replace(/`[0-9a-f]{12,}…`/g, '`<hex>…`')
    .replace(/\b\d+(\.\d+)? (ms|s)\b/g, '<duration>');
}

async function matchSnapshot(name: string, actual: string): Promise<void> {
  const file = path.join(SNAPSHOT_DIR, name);
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    await mkdir(SNAPSHOT_DIR, { recursive: true });
    await writeFile(file, actual);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${path.relative(repoRoot, file)} is missing: run the test with UPDATE_SNAPSHOTS=1 and commit it`);
  assert.equal(actual, await readFile(file, 'utf8'), `report differs from ${path.relative(repoRoot, file)} (UPDATE_SNAPSHOTS=1 to accept)`);
}

/** A dry run of a fixture package whose `binaries` are the host-built linux-x64-gnu fixture under each name. */
async function dryRun(name: string, targets: string[], binaries: string[], policy: boolean) {
  const dir = path.join(scratch, name);
  await writeRootPackage(dir, { name: `@fixture/${name}`, binaryName: 'addon', targets });
  if (policy) {
    const file = path.join(dir, 'package.json');
    const m = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...m, napiShip: { policy: { licenses: { allow: ['MIT'] } } } }, null, 2) + '\n');
  }
  for (const b of binaries) await copyFile(fixtures.fixtures['linux-x64-gnu'].path, path.join(dir, `addon.${b}.node`));
  return releaseDryRun({ cwd: dir, outDir: path.join(scratch, `${name}-out`), rehearsal: false });
}

describe('the report leads (snapshots)', () => {
  test('a clean run: ready to publish, and Next says the exact publish command', async () => {
    const r = await dryRun('clean', ['x86_64-unknown-linux-gnu'], ['linux-x64-gnu'], true);
    assert.equal(r.summary.publishable, true);
    const text = renderText(r.run, { columns: 100 });
    assert.match(text, /^@fixture\/clean@1\.2\.3: 1 targets\nResult: ready to publish\n {2}1 of 1 targets ready;/);
    assert.match(text, new RegExp(`Next:\\n {2}napi-ship publish --release-dir ${path.join(scratch, 'clean-out', 'packages')} `));
    assert.doesNotMatch(text, /\?@\?|FAILED/);
    for (const line of text.split('\n').filter((l) => /^[a-z]+-[a-z0-9]+-?[a-z]*\s/.test(l))) assert.ok(line.length <= 100, line);
    await matchSnapshot('lead-clean.txt', normalise(text));
    await matchSnapshot('lead-clean.md', normalise(renderMarkdown(r.run)));
  });

  test('a run with a missing target: not publishable yet, build it in CI', async () => {
    const r = await dryRun('missing', ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin'], ['linux-x64-gnu'], true);
    assert.equal(r.summary.errors, 0);
    const text = renderText(r.run, { columns: 100 });
    assert.match(text, /Result: not publishable yet: 1 target not built here\n/);
    assert.match(text, /Blocks a real publish: 1 target missing \(darwin-arm64\)/);
    assert.match(text, /Next:\n {2}napi-ship ci generate +build the 1 missing target in CI/);
    assert.match(text, /--dry-run +see what a publish would do once nothing blocks it/);
    await matchSnapshot('lead-missing.txt', normalise(text));
    const md = renderMarkdown(r.run);
    assert.match(md, /### Next\n\n- `napi-ship ci generate` — build the 1 missing target in CI/);
    await matchSnapshot('lead-missing.md', normalise(md));
  });

  test('a failing run: the heading names the stage, Next says how to fix it; summary before the table, diagnostics last', async () => {
    const r = await dryRun(
      'failing',
      ['x86_64-unknown-linux-gnu', 'aarch64-unknown-linux-gnu'],
      ['linux-x64-gnu', 'linux-arm64-gnu'],
      false,
    );
    const text = renderText(r.run, { columns: 100 });
    assert.match(text, /Result: FAILED: verify\n/);
    assert.match(text, /Blocks a real publish: 1 target failing verify \(linux-arm64-gnu\)/);
    assert.match(text, /napi-ship verify +fix linux-arm64-gnu: the file holds x64 code; build it with --target aarch64-unknown-linux-gnu/);
    assert.ok(text.indexOf('Next:') < text.indexOf('\ntarget ') && text.indexOf('\ntarget ') < text.indexOf('Diagnostics:'));
    await matchSnapshot('lead-failing.txt', normalise(text));
    await matchSnapshot('lead-failing.md', normalise(renderMarkdown(r.run)));
  });
});

describe('no license policy configured', () => {
  test('the dry run reports the licenses found (grouped, the unusual one named), is not failed by them, and says how to configure one', async () => {
    const dir = path.join(scratch, 'unconfigured');
    await writeRootPackage(dir, { name: '@fixture/unconfigured', binaryName: 'addon', targets: ['x86_64-unknown-linux-gnu'] });
    const file = path.join(dir, 'package.json');
    const m = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    const deps = { 'ok-thing': '2.1.0', 'also-ok': '1.0.0', 'gpl-thing': '1.0.0' };
    await writeFile(file, JSON.stringify({ ...m, dependencies: deps }, null, 2) + '\n');
    const licenses: Record<string, string> = { 'ok-thing': 'MIT', 'also-ok': 'MIT', 'gpl-thing': 'GPL-3.0-only' };
    const entry = (name: string): Record<string, unknown> => ({
      version: deps[name as keyof typeof deps],
      resolved: `https://registry.npmjs.org/${name}/-/${name}-${deps[name as keyof typeof deps]}.tgz`,
      integrity: `sha512-${Buffer.from(name).toString('base64')}`,
      license: licenses[name],
    });
    await writeFile(
      path.join(dir, 'package-lock.json'),
      JSON.stringify({
        name: '@fixture/unconfigured',
        version: '1.2.3',
        lockfileVersion: 3,
        packages: {
          '': { name: '@fixture/unconfigured', version: '1.2.3', dependencies: deps },
          ...Object.fromEntries(Object.keys(deps).map((n) => [`node_modules/${n}`, entry(n)])),
        },
      }),
    );
    await copyFile(fixtures.fixtures['linux-x64-gnu'].path, path.join(dir, 'addon.linux-x64-gnu.node'));
    const r = await releaseDryRun({ cwd: dir, outDir: path.join(scratch, 'unconfigured-out'), rehearsal: false });
    assert.equal(r.run.stages.policy?.result.configured, false);
    assert.equal(r.summary.errors, 0, 'no policy is not an error');
    const text = renderText(r.run, { columns: 100 });
    assert.doesNotMatch(text, /NS_POLICY_LICENSE_DENIED|FAILED: policy|policy passed|policy failed/);
    assert.match(text, /licenses found in 3 third-party package\(s\):\nlicense +packages/);
    assert.match(text, /^MIT +2\s*$/m);
    assert.match(text, /^ {2}GPL-3\.0-only: npm gpl-thing@1\.0\.0$/m);
    assert.match(text, /no policy configured: 3 package\(s\) reported under 2 license\(s\), 0 warning\(s\); nothing judged/);
    assert.match(text, /Next:\n(.*\n)*? {2}napi-ship policy --init +no license policy yet/);
    const md = renderMarkdown(r.run);
    assert.match(md, /\| `GPL-3\.0-only` \| 1 \| `npm gpl-thing@1\.0\.0` \|/);
    const report = await readFile(path.join(scratch, 'unconfigured-out', 'packages', 'policy-report.md'), 'utf8');
    assert.match(report, /ℹ️ No license policy configured: 3 package\(s\) reported under 2 license\(s\)/);
  });
});

describe('one policy verdict in the dry run', () => {
  test('dependencies but no lockfile: the SBOM stage fails and the policy line says "failed" too, never "passed"', async () => {
    const dir = path.join(scratch, 'no-lockfile');
    await writeRootPackage(dir, { name: '@fixture/no-lockfile', binaryName: 'addon', targets: ['x86_64-unknown-linux-gnu'] });
    const file = path.join(dir, 'package.json');
    const m = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(
      file,
      JSON.stringify({ ...m, dependencies: { 'ok-thing': '2.1.0' }, napiShip: { policy: { licenses: { allow: ['MIT'] } } } }, null, 2) +
        '\n',
    );
    await copyFile(fixtures.fixtures['linux-x64-gnu'].path, path.join(dir, 'addon.linux-x64-gnu.node'));
    const r = await releaseDryRun({ cwd: dir, outDir: path.join(scratch, 'no-lockfile-out'), rehearsal: false, load: false });
    assert.equal(r.run.stages.policy?.ok, true, 'nothing it read broke the policy');
    const text = renderText(r.run, { columns: 100 });
    assert.match(text, /Result: FAILED: sbom/);
    assert.match(text, /^policy failed: the dependency graph could not be read completely \(1 reader error\(s\)\)/m);
    assert.doesNotMatch(text, /policy passed/);
    assert.match(renderMarkdown(r.run), /❌ policy failed: the dependency graph could not be read completely/);
  });
});

describe('pure parts', () => {
  const d = (code: string, target: string): Diagnostic =>
    ({
      code,
      severity: 'error',
      target,
      subject: `pkg-${target}`,
      message: 'license X is not allowed',
      hint: 'allow it',
    }) as unknown as Diagnostic;

  test('one code repeated is one group: the first in full, then one line each, capped', () => {
    const list = Array.from({ length: 8 }, (_, i) => d('NS_POLICY_LICENSE_DENIED', `t${String(i)}`));
    const groups = groupDiagnostics([...list, d('NS_BINARY_CPU', 'x')]);
    assert.deepEqual(
      groups.map((g) => [g.code, g.diagnostics.length]),
      [
        ['NS_POLICY_LICENSE_DENIED', 8],
        ['NS_BINARY_CPU', 1],
      ],
    );
    const [policy] = groups;
    assert.ok(policy);
    const text = formatGroup(policy, 3);
    assert.match(
      text,
      /^error\[NS_POLICY_LICENSE_DENIED\] ×8 t0 pkg-t0: license X is not allowed\n {2}hint: allow it\n {2}also: t1 pkg-t1:/,
    );
    assert.equal(text.match(/also:/g)?.length, 3);
    assert.match(text, /… and 4 more \(all of them in report\.md and plan\.json\)$/);
  });

  test('tables fit the width: the widest columns are cut with …, never below the floor', () => {
    const rows = [['linux-x64-gnu', 'x'.repeat(80), 'ok', 'a long note that says a great deal about very little '.repeat(3)]];
    const fitted = fitTable(['target', 'package', 'ok', 'note'], rows, 80);
    for (const line of fitted.split('\n')) assert.ok(line.length <= 80, `${String(line.length)}: ${line}`);
    assert.match(fitted, /x…/);
    assert.match(fitted, /linux-x64-gnu/);
    assert.equal(fitTable(['a'], [['b']], 80), 'a\n-\nb\n');
  });

  const facts: LeadFacts = {
    targets: 2,
    ready: 1,
    missing: ['darwin-arm64'],
    failing: [],
    errors: 0,
    warnings: 0,
    publishable: false,
    releaseDir: 'dist/release/packages',
    buildSkipped: 1,
    buildFailed: 0,
    policy: { ok: false, errors: 32, configured: true, firstHint: 'add "MPL-2.0" to napiShip.policy.licenses.allow' },
    failedStages: ['policy'],
    rehearsal: { local: 'passed', realConflicts: 0, realStatus: 'ok' },
    verifyHint: null,
  };

  test('Next: policy, CI for missing targets, doctor when the build skipped, then publish', () => {
    assert.deepEqual(
      nextSteps(facts).map((s) => s.command),
      [
        'napi-ship policy',
        'napi-ship ci generate',
        'napi-ship doctor --install',
        'napi-ship publish --release-dir dist/release/packages --dry-run',
      ],
    );
    assert.match(nextSteps(facts)[0]?.why ?? '', /32 findings; e\.g\. add "MPL-2\.0"/);
    assert.equal(verdict(facts), 'FAILED: policy');
    assert.deepEqual(blockers(facts), ['1 target missing (darwin-arm64)', '32 policy findings']);
    const clean = { ...facts, missing: [], policy: null, failedStages: [], publishable: true, buildSkipped: 0 };
    assert.deepEqual(nextSteps(clean), [
      {
        command: 'napi-ship publish --release-dir dist/release/packages',
        why: 'publish this release (add --dry-run to see the plan first)',
      },
    ]);
    assert.equal(verdict(clean), 'ready to publish');
  });

  test('"Rehearsal FAILED" only when the rehearsal itself failed, not for a real-registry conflict', () => {
    const base = {
      status: 'fail',
      installs: [{ installer: 'npm', status: 'ok' }],
      loads: [{ installer: 'npm', runtime: 'node', status: 'ok' }],
      realRegistry: { status: 'fail', packages: [{ action: 'conflict' }] },
    } as unknown as Rehearsal;
    assert.equal(rehearsalLocal(base), 'passed');
    assert.equal(rehearsalLocal({ ...base, loads: [{ ...base.loads[0], status: 'fail' }] } as unknown as Rehearsal), 'failed');
    assert.equal(rehearsalLocal({ ...base, status: 'ok' }), 'passed');
    assert.equal(rehearsalLocal({ ...base, status: 'skip' }), 'skipped');
    assert.equal(
      rehearsalLocal({ ...base, realRegistry: { status: 'ok', packages: [] } } as unknown as Rehearsal),
      'failed',
      'a failure that is not the real registry is the rehearsal',
    );
  });
});
