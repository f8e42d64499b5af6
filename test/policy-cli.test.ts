/**
 * `napi-ship policy` end to end: over the repo's own core (the real crate graph from cargo metadata
 * and the real pnpm lockfile), and over a fixture root package with an npm lockfile and installed
 * packages that break the policy.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadPlan } from '../src/plan/index.js';
import { evaluatePolicy, parsePolicyConfig, readPolicyConfig } from '../src/policy/index.js';
import type { Inventory } from '../src/sbom/inventory.js';
import { readProjectInventories } from '../src/sbom/index.js';
import { isRecord } from '../src/util/json.js';
import { coreDir, runCli } from './helpers/cli.js';

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-policy-cli-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function parseJson(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  assert.ok(isRecord(value));
  return value;
}

describe("the repo's own core", () => {
  let inventories: Inventory[] = [];
  before(async () => {
    const read = await readProjectInventories({ rootDir: coreDir });
    assert.ok(read.cargo !== null);
    inventories = [read.cargo, read.npm];
  });

  test('its real crate graph passes its own policy', async () => {
    const plan = await loadPlan(coreDir);
    const config = await readPolicyConfig(plan.root.dir, plan.root.manifest);
    assert.deepEqual(config.licenses.allow, ['MIT', 'Apache-2.0', 'ISC', 'Unicode-3.0', 'Zlib']);
    const outcome = evaluatePolicy(inventories, config);
    assert.deepEqual(
      outcome.result.violations.filter((v) => v.severity === 'error'),
      [],
    );
    assert.equal(outcome.ok, true);
    const cargo = outcome.result.packages.filter((p) => p.ecosystem === 'cargo' && !p.firstParty);
    assert.ok(cargo.length >= 40, `only ${cargo.length} crates`);
    assert.ok(cargo.every((p) => p.licenseAllowed === true && p.expression !== null));
    // The crates that need the two less common entries are really there.
    assert.equal(cargo.find((p) => p.name === 'libloading')?.expression, 'ISC');
    assert.equal(cargo.find((p) => p.name === 'unicode-ident')?.expression, '(MIT OR Apache-2.0) AND Unicode-3.0');
    assert.equal(cargo.find((p) => p.name === 'libdeflate-sys')?.expression, 'Apache-2.0');
    // zlib-rs is only a dev-dependency now (the gzip tests read back through flate2): not shipped, not judged.
    assert.equal(
      cargo.find((p) => p.name === 'zlib-rs'),
      undefined,
    );
    // napi-ship's own crates are first-party, not judged.
    assert.ok(outcome.result.packages.some((p) => p.name === 'napi-ship-core' && p.firstParty && p.licenseAllowed === null));
  });

  test('a narrower allow list over the same real graph names exactly what it lacks', () => {
    const outcome = evaluatePolicy(inventories, parsePolicyConfig({ licenses: { allow: ['MIT'] } }, 'test', 'napiShip.policy'));
    const denied = outcome.result.violations.filter((v) => v.code === 'NS_POLICY_LICENSE_DENIED');
    assert.deepEqual(denied.map((v) => v.package).sort(), ['libdeflate-sys', 'libdeflater', 'libloading', 'unicode-ident']);
    assert.match(denied.find((v) => v.package === 'unicode-ident')?.hint ?? '', /add "Unicode-3\.0" to napiShip\.policy\.licenses\.allow/);
    // `MIT OR Apache-2.0`, `Apache-2.0 OR MIT` and `Unicode-3.0`-free crates pass on MIT alone.
    assert.ok(outcome.result.packages.filter((p) => p.expression === 'Apache-2.0 OR MIT').every((p) => p.licenseAllowed === true));
  });

  test('napi-ship policy exits 0; --json reports the same, --log-format json logs JSON lines', async () => {
    const text = await runCli(['policy', '--cwd', coreDir], { env: { NO_COLOR: '1' } });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^allowed licenses: MIT, Apache-2\.0, ISC, Unicode-3\.0, Zlib/);
    assert.match(text.stdout, /policy passed: \d+ package\(s\) checked, 0 error\(s\)/);
    assert.match(text.stderr, /reading the crate graph \(cargo metadata, 8 targets\)/);

    const json = await runCli(['policy', '--cwd', coreDir, '--json', '--log-format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    // Progress is JSON lines on stderr; stdout is the one JSON outcome.
    const logLines = json.stderr.split('\n').filter((l) => l !== '');
    assert.ok(logLines.length > 0);
    for (const line of logLines) assert.ok(isRecord(JSON.parse(line)), line);
    const out = parseJson(json.stdout);
    assert.equal(out.ok, true);
    assert.equal(typeof out.checked, 'number');
    assert.ok(Array.isArray(out.violations));
    assert.ok(Array.isArray(out.packages) && out.packages.length > 40);
  });
});

/** A root package with an npm lockfile whose installed dependencies break `allow: ["MIT"]`. */
async function writeFixture(dir: string, policy: unknown): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'fixture-addon',
        version: '1.0.0',
        license: 'MIT',
        napi: { binaryName: 'fixture', targets: ['x86_64-unknown-linux-gnu'] },
        dependencies: { 'ok-thing': '^2.0.0', 'gpl-thing': '1.0.0', forked: 'github:someone/forked' },
        napiShip: { policy },
      },
      null,
      2,
    ),
  );
  const registry = (name: string, version: string): Record<string, unknown> => ({
    version,
    resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`,
    integrity: `sha512-${Buffer.from(name).toString('base64')}`,
  });
  await writeFile(
    path.join(dir, 'package-lock.json'),
    JSON.stringify(
      {
        name: 'fixture-addon',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': {
            name: 'fixture-addon',
            version: '1.0.0',
            license: 'MIT',
            dependencies: { 'ok-thing': '^2.0.0', 'gpl-thing': '1.0.0', forked: 'github:someone/forked' },
          },
          'node_modules/ok-thing': { ...registry('ok-thing', '2.1.0'), license: 'MIT' },
          'node_modules/gpl-thing': { ...registry('gpl-thing', '1.0.0'), license: 'GPL-3.0-only' },
          'node_modules/forked': {
            version: '0.3.0',
            resolved: 'git+ssh://git@github.com/someone/forked.git#0123456789abcdef0123456789abcdef01234567',
            license: 'MIT',
          },
        },
      },
      null,
      2,
    ),
  );
  const install = async (name: string, version: string, license: string): Promise<void> => {
    await mkdir(path.join(dir, 'node_modules', name), { recursive: true });
    await writeFile(path.join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version, license }));
  };
  await install('ok-thing', '2.1.0', 'MIT');
  await install('gpl-thing', '1.0.0', 'GPL-3.0-only');
  await install('forked', '0.3.0', 'MIT');
}

describe('a fixture that breaks the policy', () => {
  test('exit 1, each violation with how to fix it, the markdown report appended to GITHUB_STEP_SUMMARY', async () => {
    const dir = path.join(scratch, 'bad');
    await writeFixture(dir, { licenses: { allow: ['MIT'] } });
    const summary = path.join(scratch, 'summary.md');
    await writeFile(summary, '# earlier step\n');

    const text = await runCli(['policy', '--cwd', dir], { env: { NO_COLOR: '1', GITHUB_STEP_SUMMARY: summary } });
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /error\[NS_POLICY_LICENSE_DENIED\] npm gpl-thing@1\.0\.0: license "GPL-3\.0-only" is not allowed/);
    assert.match(text.stdout, /error\[NS_POLICY_SOURCE_GIT\] npm forked@0\.3\.0/);
    assert.match(text.stdout, /hint: .*add "ssh:\/\/git@github\.com\/someone\/forked\.git" to napiShip\.policy\.sources\.allowGit/);
    assert.match(text.stdout, /policy failed: 3 package\(s\) checked, 2 error\(s\)/);
    assert.doesNotMatch(text.stdout, /\u001b\[/);
    const md = await readFile(summary, 'utf8');
    assert.match(md, /^# earlier step\n## License and source policy/);
    assert.match(md, /\| ❌ \| npm \| `gpl-thing` \| 1\.0\.0 \| `GPL-3\.0-only` \|/);

    const json = await runCli(['policy', '--cwd', dir, '--json']);
    assert.equal(json.code, 1);
    const out = parseJson(json.stdout);
    assert.equal(out.ok, false);
    assert.ok(Array.isArray(out.violations));
    const found = out.violations.map((v: unknown) => (isRecord(v) ? `${String(v.code)} ${String(v.package)}` : '')).sort();
    assert.deepEqual(found, ['NS_POLICY_LICENSE_DENIED gpl-thing', 'NS_POLICY_SOURCE_GIT forked']);
  });

  test('exit 0 once the policy accepts them', async () => {
    const dir = path.join(scratch, 'fixed');
    await writeFixture(dir, {
      licenses: { allow: ['MIT'], exceptions: [{ name: 'gpl-thing', ecosystem: 'npm', allow: ['GPL-3.0-only'] }] },
      sources: { allowGit: ['https://github.com/someone/forked'] },
    });
    const result = await runCli(['policy', '--cwd', dir, '--json']);
    assert.equal(result.code, 0, result.stdout);
    assert.equal(parseJson(result.stdout).ok, true);
  });

  test('no policy configured: the licenses found, the unusual one named, exit 0 with how to configure one; --init shows, --yes writes, once', async () => {
    const dir = path.join(scratch, 'unconfigured');
    await writeFixture(dir, undefined);
    const packageJson = path.join(dir, 'package.json');
    const original = await readFile(packageJson, 'utf8');

    const text = await runCli(['policy', '--cwd', dir], { env: { NO_COLOR: '1' } });
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, /^no license policy configured: a report of the licenses that ship, nothing judged/);
    assert.match(text.stdout, /^MIT +2\s*$/m);
    assert.match(text.stdout, /^ {2}GPL-3\.0-only: npm gpl-thing@1\.0\.0$/m);
    assert.match(text.stdout, /warning\[NS_POLICY_SOURCE_GIT\] npm forked@0\.3\.0/);
    assert.match(text.stdout, /note\[NS_POLICY_NOT_CONFIGURED\].*\n {2}hint: run `napi-ship policy --init`/);
    assert.match(text.stdout, /no policy configured: 3 package\(s\) reported under 2 license\(s\), 1 warning\(s\); nothing judged/);
    assert.doesNotMatch(text.stdout, /LICENSE_DENIED|passed|failed/);
    const json = parseJson((await runCli(['policy', '--cwd', dir, '--json'])).stdout);
    assert.deepEqual([json.ok, json.configured], [true, false]);
    assert.ok(Array.isArray(json.licenses));
    assert.deepEqual(json.licenses[1], { license: 'GPL-3.0-only', count: 1, unusual: true, packages: ['npm gpl-thing@1.0.0'] });

    const shown = await runCli(['policy', '--init', '--cwd', dir], { env: { NO_COLOR: '1' } });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^starter policy from the licenses of 3 third-party package\(s\): allow MIT, GPL-3\.0-only$/m);
    assert.match(shown.stdout, /allows an unusual license: GPL-3\.0-only \(npm gpl-thing@1\.0\.0\)/);
    assert.match(shown.stdout, /needs a decision \(no allow entry fixes it\): npm forked@0\.3\.0: comes from git/);
    assert.match(shown.stdout, /with it: policy failed: 3 package\(s\) checked, 1 error\(s\)/);
    assert.match(shown.stdout, /^\+ {4}"policy": \{$/m);
    assert.match(shown.stdout, /nothing was written: run `napi-ship policy --init --yes`/);
    assert.equal(await readFile(packageJson, 'utf8'), original);
    assert.equal((await runCli(['policy', '--yes', '--cwd', dir])).code, 2, '--yes without --init is a usage error');

    const written = await runCli(['policy', '--init', '--yes', '--cwd', dir], { env: { NO_COLOR: '1' } });
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /wrote napiShip\.policy to /);
    const manifest = parseJson(await readFile(packageJson, 'utf8'));
    assert.ok(isRecord(manifest.napiShip));
    assert.deepEqual(manifest.napiShip.policy, { licenses: { allow: ['MIT', 'GPL-3.0-only'] } });
    assert.equal(manifest.name, 'fixture-addon', 'the rest of package.json is kept');

    const again = await runCli(['policy', '--init', '--yes', '--cwd', dir], { env: { NO_COLOR: '1' } });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /^nothing to do: a license policy is configured in .*package\.json/);
    const againJson = parseJson((await runCli(['policy', '--init', '--yes', '--json', '--cwd', dir])).stdout);
    assert.deepEqual([againJson.upToDate, againJson.written], [true, []]);

    // Configured now: judged as before — the git source fails.
    const judged = await runCli(['policy', '--cwd', dir], { env: { NO_COLOR: '1' } });
    assert.equal(judged.code, 1);
    assert.match(judged.stdout, /error\[NS_POLICY_SOURCE_GIT\] npm forked@0\.3\.0/);
    assert.match(judged.stdout, /policy failed: 3 package\(s\) checked, 1 error\(s\)/);
  });

  test('a dependency graph that cannot be read: one verdict, "failed", never "passed" as well', async () => {
    const dir = path.join(scratch, 'no-lockfile');
    await writeFixture(dir, { licenses: { allow: ['MIT'] } });
    await rm(path.join(dir, 'package-lock.json'));
    const result = await runCli(['policy', '--cwd', dir], { env: { NO_COLOR: '1' } });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /policy failed: the dependency graph could not be read completely \(1 reader error\(s\)\)/);
    assert.doesNotMatch(result.stdout, /passed/);
    assert.equal(result.stdout.match(/policy failed/g)?.length, 1, result.stdout);
  });

  // Exit status from the code's class (docs/cli.md): a wrong napiShip.policy is the project's config
  // failing a check (NS_CONFIG_INVALID, class check: 1), no longer 3 as when every thrown error exited 3.
  test('a bad policy is a config error (exit 1); a stray argument a usage error (exit 2)', async () => {
    const dir = path.join(scratch, 'bad-config');
    await writeFixture(dir, { licenses: { allow: ['Apache 2'] } });
    const result = await runCli(['policy', '--cwd', dir], { env: { NO_COLOR: '1' } });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /error\[NS_CONFIG_INVALID\] .*package\.json: `napiShip\.policy\.licenses\.allow\[0\]` is not an SPDX license id/,
    );
    const usage = await runCli(['policy', 'extra'], { env: { NO_COLOR: '1' } });
    assert.equal(usage.code, 2);
    const help = await runCli(['policy', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: napi-ship policy/);
  });
});
