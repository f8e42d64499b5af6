/**
 * The one `napiShip` reader (src/config): every section strict, every problem of every section in one
 * error, unknown keys with a did-you-mean, each key documented in docs/config.md, and the CLI exits 1
 * with all of them listed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CONFIG_KEYS, readNapiShipConfig } from '../src/config/index.js';
import { DiagnosticError } from '../src/diagnostics/index.js';
import { repoRoot, runCli } from './helpers/cli.js';

function problems(napiShip: unknown): string[] {
  try {
    readNapiShipConfig({ name: 'x', version: '1.0.0', napiShip }, '/p/package.json');
  } catch (error) {
    assert.ok(error instanceof DiagnosticError, String(error));
    for (const d of error.diagnostics) {
      assert.equal(d.code, 'NS_CONFIG_INVALID');
      assert.equal(d.subject, '/p/package.json');
      assert.notEqual(d.hint, '');
    }
    return error.diagnostics.map((d) => d.message);
  }
  assert.fail('expected NS_CONFIG_INVALID');
}

describe('napiShip config reader', () => {
  test('absent: every section takes its defaults', () => {
    const c = readNapiShipConfig({ name: 'x' }, '/p/package.json');
    assert.equal(c.npmDir, 'npm');
    assert.deepEqual(c.verify, {});
    assert.deepEqual(c.build, {});
    assert.equal(c.sbom.includeBuild, true);
    assert.equal(c.sbom.includeDev, false);
    assert.equal(c.policy, null);
  });

  test('every section is read into one value', () => {
    const c = readNapiShipConfig(
      {
        napiShip: {
          npmDir: 'packages',
          verify: { glibcMax: '2.31', sizeWarn: 1024 },
          build: { crateDir: 'napi', args: ['--release'], targetEnv: { 'linux-arm64-gnu': { CC: 'clang' } }, glibcFloor: '2.28' },
          sbom: { includeDev: true, organization: 'Acme' },
          policy: { licenses: { allow: ['MIT'] }, duplicates: 'error' },
        },
      },
      '/p/package.json',
    );
    assert.equal(c.npmDir, 'packages');
    assert.equal(c.verify.glibcMax, '2.31');
    assert.equal(c.verify.sizeWarn, 1024);
    assert.deepEqual(c.build, {
      crateDir: 'napi',
      args: ['--release'],
      targetEnv: { 'linux-arm64-gnu': { CC: 'clang' } },
      glibcFloor: '2.28',
    });
    assert.equal(c.sbom.includeDev, true);
    assert.equal(c.sbom.organization, 'Acme');
    assert.ok(c.policy !== null);
    assert.deepEqual(c.policy.licenses.allow, ['MIT']);
    assert.equal(c.policy.duplicates.level, 'error');
    assert.equal(c.policy.file, '/p/package.json');
  });

  test('all problems of all sections at once, unknown keys with the nearest known one', () => {
    const messages = problems({
      npmdir: 'npm',
      verify: { glibcMax: 2.28, sizeEror: 5, glibcMaxByTarget: { 'riscv64gc-unknown-linux-gnu': 2.35 } },
      build: { crateDir: '', env: { CC: 1, '1X': 'a' }, macosDeploymentTarget: 'eleven' },
      sbom: { includeDev: 'yes', namespce: 'https://x/' },
      policy: { licences: {}, licenses: { allow: ['mit'] } },
      extra: true,
    });
    const expect = [
      /^`napiShip\.npmdir` is not a napiShip setting \(did you mean `npmDir`\?\)$/,
      /^`napiShip\.extra` is not a napiShip setting$/,
      /^`napiShip\.verify\.sizeEror` is not a verify setting \(did you mean `sizeError`\?\)$/,
      /^`napiShip\.verify\.glibcMax` must be a string like "2\.28"$/,
      /^`napiShip\.verify\.glibcMaxByTarget\.riscv64gc-unknown-linux-gnu` must be a string like "2\.35"$/,
      /^`napiShip\.build\.crateDir` must be a non-empty string$/,
      /^`napiShip\.build\.env\.CC` must be a string$/,
      /^`napiShip\.build\.env\.1X` is not a variable name$/,
      /^`napiShip\.build\.macosDeploymentTarget` must be a version like "11\.0"$/,
      /^`napiShip\.sbom\.namespce` is not a sbom setting \(did you mean `namespace`\?\)$/,
      /^`napiShip\.sbom\.includeDev` must be true or false$/,
      /^`napiShip\.policy\.licences` is not a policy setting \(did you mean `licenses`\?\)$/,
      /^`napiShip\.policy\.licenses\.allow\[0\]` is not an SPDX license id/,
    ];
    for (const re of expect)
      assert.ok(
        messages.some((m) => re.test(m)),
        `${String(re)} in\n${messages.join('\n')}`,
      );
    assert.equal(messages.length, expect.length, messages.join('\n'));
  });

  test('napiShip itself and each section must be objects', () => {
    assert.deepEqual(problems('npm'), ['`napiShip` must be an object']);
    assert.deepEqual(problems({ verify: [], build: 'x', sbom: 1, policy: ['MIT'] }), [
      '`napiShip.verify` must be an object',
      '`napiShip.build` must be an object',
      '`napiShip.sbom` must be an object',
      '`napiShip.policy` must be an object',
    ]);
  });

  test('every key the reader knows is documented in docs/config.md', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'config.md'), 'utf8');
    const missing: string[] = [];
    for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
      for (const key of keys) {
        const full = `${section}.${key}`;
        // The policy table names keys relative to the policy (`licenses.allow`), as they may also sit in napi-ship.config.json.
        const relative = full.replace(/^napiShip\.policy\./, '');
        // A section counts as documented through its keys (`napiShip.verify.glibcMax` documents `napiShip.verify`).
        const documented = [full, relative].some((k) => doc.includes(`\`${k}\``) || doc.includes(`\`${k}.`));
        if (!documented) missing.push(full);
      }
    }
    assert.deepEqual(missing, []);
  });
});

test('the CLI: a wrong napiShip anywhere is exit 1 with every problem listed, before anything runs', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'napi-ship-config-'));
  try {
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: 'cfg',
        version: '1.0.0',
        napi: { binaryName: 'cfg', targets: ['x86_64-unknown-linux-gnu'] },
        napiShip: { build: { script: 3 }, sbom: { shipNpmSbom: 'true' }, polcy: {} },
      }),
    );
    const r = await runCli(['targets', '--cwd', dir]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.includes('NS_CONFIG_INVALID'));
    assert.equal(lines.length, 3, r.stderr);
    assert.match(r.stderr, /`napiShip\.polcy` is not a napiShip setting \(did you mean `policy`\?\)/);
    assert.match(r.stderr, /`napiShip\.build\.script` must be a non-empty string/);
    assert.match(r.stderr, /`napiShip\.sbom\.shipNpmSbom` must be true or false/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
