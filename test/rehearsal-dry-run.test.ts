/**
 * The rehearsal inside `release --dry-run`, for real: verdaccio started and stopped by the command,
 * the root published to it with napi-ship publish, installed by npm, pnpm, Bun and Deno, loaded
 * under Node, Deno and Bun (napi-ship's own core: the smoke checks, which hash and inspect files);
 * `--no-rehearsal` skips it. Then a fixture addon (the generic load script), loading and broken.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runFromJson, type RunJson } from '../src/run/index.js';
import { INSTALLERS, RUNTIMES, rehearse } from '../src/rehearsal/index.js';
import { releaseDryRun, type DryRunResult } from '../src/release/dry-run.js';
import { renderText, summarize } from '../src/report/index.js';
import { CORE_ABIS, coreBuiltAbis, coreDir, hostCoreBinary, repoRoot, runCli, runNode } from './helpers/cli.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';
import { portOpen } from './helpers/verdaccio.js';

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-rehearsal-it-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

// --no-build stages what the last build left in the core's dir.
const PRESENT = coreBuiltAbis();
const MISSING = CORE_ABIS.filter((abi) => !PRESENT.includes(abi));
const READY_LINE = `${String(PRESENT.length)} of 8 targets ready; ${String(MISSING.length)} missing \\(would block a real publish\\)`;

describe("release --dry-run on napi-ship's own core, with the rehearsal", () => {
  let plan: RunJson;
  let out = '';
  let stdout = '';
  let code: number | null = null;
  before(async () => {
    out = path.join(scratch, 'core');
    // --offline: the real-registry plan is tested in rehearsal.test.ts without the network.
    // `pnpm release:dry-run`'s script: the CLI with the repo's smoke checks injected as the rehearsal's loader.
    const r = await runNode(path.join(repoRoot, 'dist', 'scripts', 'release-dry-run.js'), [
      '--cwd',
      coreDir,
      '--out',
      out,
      '--no-build',
      '--offline',
      '--json',
    ]);
    code = r.code;
    stdout = r.stdout;
    assert.equal(r.code, 0, r.stderr);
    plan = (JSON.parse(r.stdout) as { plan: RunJson }).plan;
  });

  test('verdaccio was started and stopped by the command: its port is closed afterwards', async () => {
    const rehearsal = plan.stages.rehearsal;
    assert.ok(rehearsal);
    assert.equal(code, 0);
    assert.ok(rehearsal.result.registry);
    const url = new URL(rehearsal.result.registry);
    assert.equal(url.hostname, '127.0.0.1');
    assert.equal(await portOpen(Number(url.port)), false);
    assert.equal(rehearsal.result.verdaccio, '6.8.0');
  });

  test('the rehearsal root pins only the built target and says what blocks a real publish', () => {
    const r = plan.stages.rehearsal;
    assert.ok(r?.result.release);
    assert.equal(r.result.release.kind, 'rehearsal');
    assert.deepEqual([...r.result.release.pinned].sort(), PRESENT);
    assert.deepEqual([...r.result.release.missing].sort(), MISSING);
    assert.equal(
      r.result.release.label,
      `rehearsal root pins only the ${String(PRESENT.length)} built target(s) (${r.result.release.pinned.join(', ')}); a real publish needs all 8 — blocked by: ${r.result.release.missing.join(', ')}`,
    );
    assert.equal(r.result.release.platformTarballsIdentical, true);
    assert.equal(r.result.release.dir, path.join(out, 'rehearsal', 'packages'));
  });

  test('napi-ship publish put both packages on the embedded registry; the journal is beside the rehearsal release', async () => {
    const r = plan.stages.rehearsal;
    assert.ok(r);
    assert.deepEqual(
      r.result.published.map((p) => [p.name, p.action]).sort(),
      [['@napi-ship/core', 'published'], ...PRESENT.map((abi) => [`@napi-ship/core-${abi}`, 'published'])].sort(),
    );
    const journal = await readFile(path.join(out, 'rehearsal', 'publish-journal.jsonl'), 'utf8');
    assert.ok(journal.split('\n').filter((l) => l.trim() !== '').length > 2, journal);
  });

  test("npm, pnpm, bun and deno install the root and this platform's package, their lockfiles record our integrity", () => {
    const r = plan.stages.rehearsal;
    assert.ok(r);
    assert.deepEqual(
      r.result.installs.map((i) => i.installer),
      [...INSTALLERS],
    );
    for (const i of r.result.installs) {
      assert.equal(i.status, 'ok', `${i.installer}: ${i.detail}`);
      assert.match(i.version ?? '', /^\d+\.\d+\.\d+/);
      // npm, pnpm and Bun match os, cpu and libc; Deno matches os and cpu only, so it also takes the
      // musl package of this os/cpu when the last build left one (as after `pnpm release:dry-run`);
      // a known Deno bug, denoland/deno#35038. The loader still picks the gnu one at run time.
      const expected =
        i.installer === 'deno'
          ? PRESENT.filter((abi) => abi.startsWith('linux-x64-')).map((abi) => `@napi-ship/core-${abi}`)
          : ['@napi-ship/core-linux-x64-gnu'];
      assert.deepEqual([...i.platformPackages].sort(), expected, i.installer);
      assert.equal(i.lockIntegrity, true, i.installer);
      assert.ok(
        i.command.every((c) => !c.includes(':_authToken')),
        'no token on a command line',
      );
      assert.equal(existsSync(i.project), false, 'the scratch project is removed');
    }
  });

  test('each install loads under Node, Deno and Bun and answers the smoke checks (hash and inspect of real files)', () => {
    const r = plan.stages.rehearsal;
    assert.ok(r);
    assert.equal(r.result.loads.length, INSTALLERS.length * RUNTIMES.length);
    for (const l of r.result.loads) {
      const where = `${l.installer} → ${l.runtime}: ${l.detail}`;
      assert.equal(l.status, 'ok', where);
      assert.equal(l.mode, 'smoke', where);
      const checks = Object.fromEntries(l.checks.map((c) => [c.name, c]));
      for (const name of ['load', 'coreVersion', 'hashSync', 'hash', 'inspectSync', 'inspect'])
        assert.equal(checks[name]?.ok, true, `${where} / ${name}`);
      assert.equal(checks.inspectSync?.detail, 'elf linux x64 napiExport=true', where);
      assert.match(checks.load?.detail ?? '', /napi-ship-core\.linux-x64-gnu\.node$/, where);
    }
    assert.deepEqual(new Set(r.result.loads.map((l) => l.runtime)), new Set(RUNTIMES));
    assert.equal(r.result.status, 'ok');
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['NS_REHEARSAL_REAL_OFFLINE'],
    );
    assert.equal(r.result.realRegistry.status, 'skip');
  });

  test('the report has the rehearsal rows, in markdown and in the terminal (which still ends with the summary)', async () => {
    const md = await readFile(path.join(out, 'report.md'), 'utf8');
    assert.match(md, /### Rehearsal\n\nRehearsal passed on http:\/\/127\.0\.0\.1:\d+\/ \(verdaccio 6\.8\.0, loopback, stopped when done\)/);
    assert.match(
      md,
      new RegExp(
        `\\*\\*rehearsal root pins only the ${String(PRESENT.length)} built target\\(s\\) \\(.*linux-x64-gnu.*\\); a real publish needs all 8 — blocked by: `,
      ),
    );
    assert.match(md, /\| installer \| install \| node \| deno \| bun \| note \|/);
    for (const i of INSTALLERS) assert.match(md, new RegExp(`\\| ${i} \\d+\\.\\d+\\.\\d+\\S* \\| ✅ \\| ✅ \\| ✅ \\| ✅ \\|`), i);
    assert.match(md, /Plan against the real registry https:\/\/registry\.npmjs\.org\/ \(default; read-only\): skipped — offline/);
    const text = renderText(runFromJson(plan));
    assert.match(text, /installer +version +install +node 20\.\d+\.\d+ +deno \d+\.\d+\.\d+ +bun \d+\.\d+\.\d+ +note/);
    for (const i of INSTALLERS)
      assert.match(text, new RegExp(`\\n${i} +\\d+\\.\\d+\\.\\d+\\S* +✓ +✓ +✓ +✓ +\\+ @napi-ship/core-linux-x64-gnu[;,] `), i);
    assert.match(text, new RegExp(`${READY_LINE}; 0 error\\(s\\), 0 warning\\(s\\)\\. Not publishable\\.\\n$`));
    assert.ok(stdout.startsWith('{'));
  });
});

describe('--no-rehearsal', () => {
  test('skips it: no rehearsal stage, no rehearsal section, no rehearsal dir', async () => {
    const out = path.join(scratch, 'no-rehearsal');
    const r = await runCli(['release', '--dry-run', '--cwd', coreDir, '--out', out, '--no-build', '--no-rehearsal']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /Rehearsal/);
    assert.match(r.stdout, new RegExp(READY_LINE));
    const plan = (JSON.parse(await readFile(path.join(out, 'plan.json'), 'utf8')) as { plan: RunJson }).plan;
    assert.equal(plan.stages.rehearsal, undefined);
    assert.doesNotMatch(await readFile(path.join(out, 'report.md'), 'utf8'), /Rehearsal/);
    assert.equal(existsSync(path.join(out, 'rehearsal')), false);
  });
});

describe("a fixture napi-rs addon (not napi-ship's core): the generic load", () => {
  let dry: DryRunResult;
  before(async () => {
    const root = path.join(scratch, 'fixture');
    await writeRootPackage(root, {
      name: '@fixture/addon',
      binaryName: 'addon',
      version: '2.0.0',
      targets: ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin'],
    });
    const artifacts = path.join(scratch, 'fixture-artifacts', 'bindings-x86_64-unknown-linux-gnu');
    await mkdir(artifacts, { recursive: true });
    await copyFile(hostCoreBinary, path.join(artifacts, 'addon.linux-x64-gnu.node'));
    dry = await releaseDryRun({
      cwd: root,
      outDir: path.join(scratch, 'fixture-out'),
      artifactsDir: path.dirname(artifacts),
      rehearsal: false,
    });
    assert.equal(dry.summary.errors, 0);
  });

  test('installed by npm, it loads under Node, Deno and Bun, which list its functions', async () => {
    const r = await rehearse({
      plan: dry.plan,
      releaseDir: dry.files.releaseDir,
      outDir: path.join(scratch, 'fixture-out'),
      projectDir: path.join(scratch, 'fixture'),
      offline: true,
      installers: ['npm'],
    });
    assert.equal(r.result.status, 'ok', JSON.stringify(r.diagnostics));
    assert.equal(
      r.result.release?.label,
      'rehearsal root pins only the 1 built target(s) (linux-x64-gnu); a real publish needs all 2 — blocked by: darwin-arm64',
    );
    assert.deepEqual(
      r.result.loads.map((l) => [l.runtime, l.status, l.mode]),
      [
        ['node', 'ok', 'load'],
        ['deno', 'ok', 'load'],
        ['bun', 'ok', 'load'],
      ],
    );
    // The core's exports listed by name (the first few): HashTask among them.
    for (const l of r.result.loads) assert.match(l.detail, /^loaded; exports \d+ function\(s\): .*HashTask/, l.detail);
  });

  test('a loader that throws is a failed load, with the error and how to rerun it, and fails the dry run', async () => {
    // The staged root is what the rehearsal packs: break its loader there.
    await appendFile(path.join(dry.plan.root.dir, 'index.js'), '\nthrow new Error("fixture: the loader is broken");\n');
    const r = await rehearse({
      plan: dry.plan,
      releaseDir: dry.files.releaseDir,
      outDir: path.join(scratch, 'fixture-out'),
      projectDir: path.join(scratch, 'fixture'),
      offline: true,
      installers: ['npm'],
      runtimes: ['node', 'bun'],
    });
    assert.equal(r.result.status, 'fail');
    assert.deepEqual(
      r.result.installs.map((i) => i.status),
      ['ok'],
    );
    assert.deepEqual(
      r.result.loads.map((l) => [l.runtime, l.status]),
      [
        ['node', 'fail'],
        ['bun', 'fail'],
      ],
    );
    for (const l of r.result.loads) assert.match(l.detail, /fixture: the loader is broken/);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(
      errors.map((d) => [d.code, d.subject]),
      [
        ['NS_REHEARSAL_LOAD', 'npm → node'],
        ['NS_REHEARSAL_LOAD', 'npm → bun'],
      ],
    );
    assert.match(errors[0]?.hint ?? '', /^rerun by hand: .*load-addon\.mjs .*node_modules\/@fixture\/addon$/);
    assert.equal(summarize({ ...dry.run, stages: { ...dry.run.stages, rehearsal: r } }).errors, 2);
  });
});
