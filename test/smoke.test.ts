/**
 * Smoke loads of the real addon on the real runtimes: Node.js (this one), Deno and Bun (the repo's
 * devDependencies). One dry-run release dir and one offline install serve every tarball test.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { releaseDryRun } from '../src/release/dry-run.js';
import {
  crateVersion,
  runSmoke,
  smokeRuntime,
  SMOKE_RUNTIMES,
  type SmokeReport,
  type SmokeResult,
  type SmokeRuntime,
} from '../scripts/lib/smoke.js';
import { coreDir, hostCoreBinary, repoRoot, runNode, type CliResult } from './helpers/cli.js';

const CHECKS = ['load', 'coreVersion', 'hashSync', 'hash', 'hashSync(missing)', 'inspectSync', 'inspect'];
const BINARY = 'napi-ship-core.linux-x64-gnu.node';

/** The version each runtime must report: this Node, and the Deno and Bun of the devDependencies. */
function expectedRuntimeVersion(runtime: SmokeRuntime): string {
  if (runtime === 'node') return process.versions.node;
  const manifest = createRequire(path.join(repoRoot, 'package.json')).resolve(`${runtime}/package.json`);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function assertPassed(result: SmokeResult, binary: string, version: string): void {
  const context = JSON.stringify(result, null, 2);
  assert.equal(result.ok, true, context);
  assert.equal(result.exitCode, 0, context);
  assert.equal(result.stderr, undefined);
  assert.deepEqual(
    result.checks.map((c) => c.name),
    CHECKS,
    context,
  );
  assert.ok(
    result.checks.every((c) => c.ok),
    context,
  );
  assert.equal(result.version, expectedRuntimeVersion(result.runtime));
  const detail = (name: string): string | undefined => result.checks.find((c) => c.name === name)?.detail;
  assert.equal(detail('load'), binary, 'the .node file the runtime loaded');
  assert.equal(detail('coreVersion'), version);
  assert.equal(detail('inspectSync'), 'elf linux x64 napiExport=true');
}

let scratch = '';
let version = '';
let releaseDir = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-smoke-test-'));
  version = await crateVersion(coreDir);
  // --no-build: the core `pnpm test` built; the release build itself is tested in release-dry-run.test.ts.
  const dry = await releaseDryRun({ cwd: coreDir, outDir: path.join(scratch, 'release'), build: false, rehearsal: false });
  assert.equal(dry.summary.errors, 0);
  releaseDir = dry.files.releaseDir;
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('from the build dir (crates/napi-ship-node)', () => {
  for (const runtime of SMOKE_RUNTIMES) {
    test(`${runtime} loads the local .node and passes every check`, async () => {
      assertPassed(await smokeRuntime(runtime, { dir: coreDir, expectVersion: version }), hostCoreBinary, version);
    });
  }
});

describe('from the release tarballs, installed offline by npm', () => {
  let report: SmokeReport;
  let project = '';
  before(async () => {
    // One install for every test here: runSmoke keeps its scratch dir, removed in after().
    report = await runSmoke({ from: 'tarballs', releaseDir, keepScratch: true });
    assert.ok(report.install);
    project = report.install.scratch;
  });
  after(async () => {
    if (project !== '') await rm(path.dirname(project), { recursive: true, force: true });
  });

  test('npm put exactly the root and the host platform package in node_modules, from the two files', async () => {
    assert.ok(report.install);
    assert.deepEqual(
      report.install.packages.map((p) => [p.name, p.tarball]),
      [
        ['@napi-ship/core', 'napi-ship-core-0.1.0.tgz'],
        ['@napi-ship/core-linux-x64-gnu', 'napi-ship-core-linux-x64-gnu-0.1.0.tgz'],
      ].map(([name, tgz]) => [name, tgz?.replace('0.1.0', version)]),
    );
    assert.deepEqual((await readdir(path.join(project, 'node_modules', '@napi-ship'))).sort(), ['core', 'core-linux-x64-gnu']);
    assert.deepEqual(report.install.command.slice(0, 6), [
      'npm',
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
    ]);
    const lock = JSON.parse(await readFile(path.join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string; integrity?: string }>;
    };
    for (const p of report.install.packages) {
      assert.match(lock.packages[`node_modules/${p.name}`]?.resolved ?? '', new RegExp(`^file:.*${p.tarball.replaceAll('.', '\\.')}$`));
      assert.equal(lock.packages[`node_modules/${p.name}`]?.integrity, p.integrity, 'npm installed the bytes the manifest lists');
    }
    assert.ok(existsSync(path.join(project, '.npm-cache')), "npm's cache is the scratch dir's, not ~/.npm");
    assert.equal(report.dir, path.join(project, 'node_modules', '@napi-ship', 'core'));
  });

  for (const runtime of SMOKE_RUNTIMES) {
    test(`${runtime} loads the installed @napi-ship/core and passes every check`, async () => {
      const result = report.results.find((r) => r.runtime === runtime);
      assert.ok(result);
      const binary = await realpath(path.join(project, 'node_modules', '@napi-ship', 'core-linux-x64-gnu', BINARY));
      assertPassed(result, binary, version);
    });
  }
});

describe('a broken build dir: the loader next to a garbage .node', () => {
  let broken = '';
  before(async () => {
    broken = path.join(scratch, 'broken');
    await mkdir(broken);
    for (const f of ['index.js', 'package.json']) await copyFile(path.join(coreDir, f), path.join(broken, f));
    await writeFile(path.join(broken, BINARY), 'garbage: this is not a shared object\n'.repeat(200));
  });

  for (const runtime of SMOKE_RUNTIMES) {
    test(`${runtime}'s script exits non-zero and says why the load failed`, async () => {
      const result = await smokeRuntime(runtime, { dir: broken, expectVersion: version });
      const context = JSON.stringify(result, null, 2);
      assert.equal(result.ok, false, context);
      assert.equal(result.exitCode, 1, context);
      assert.equal(result.version, expectedRuntimeVersion(runtime));
      assert.deepEqual(
        result.checks.map((c) => [c.name, c.ok]),
        [['load', false]],
        context,
      );
      const detail = result.checks[0]!.detail;
      assert.match(detail, new RegExp(`^cannot load ${broken.replaceAll('/', '\\/')}: Cannot find native binding`));
      // The loader's own reason for the local file, whatever the runtime's dlopen calls it.
      assert.match(detail, new RegExp(`${BINARY.replaceAll('.', '\\.')}: (invalid ELF header|file too short)`), detail);
      assert.match(result.stderr ?? '', new RegExp(`^smoke-${runtime}: load failed: cannot load`, 'm'));
    });
  }
});

function runDriver(args: readonly string[]): Promise<CliResult> {
  return runNode(path.join(repoRoot, 'dist', 'scripts', 'smoke.js'), args);
}

describe('the pnpm smoke driver', () => {
  test('prints the table and the runtime versions, exit 0', async () => {
    const { code, stdout, stderr } = await runDriver(['--runtime', 'node,bun']);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, new RegExp(`^smoke: @napi-ship/core ${version} from the build dir crates/napi-ship-node$`, 'm'));
    assert.match(stdout, /^runtime +version +result +checks +time$/m);
    assert.match(stdout, new RegExp(`^node +${process.versions.node.replaceAll('.', '\\.')} +ok +7/7 +\\d+ ms$`, 'm'));
    assert.match(stdout, new RegExp(`^bun +${expectedRuntimeVersion('bun').replaceAll('.', '\\.')} +ok +7/7 +\\d+ ms$`, 'm'));
    assert.match(stdout, new RegExp(`^runtimes: node ${process.versions.node}, bun ${expectedRuntimeVersion('bun')}$`, 'm'));
  });

  test('a broken build dir: FAILED, the reason and a rerun line, exit 1', async () => {
    const broken = path.join(scratch, 'broken-driver');
    await mkdir(broken);
    for (const f of ['index.js', 'package.json']) await copyFile(path.join(coreDir, f), path.join(broken, f));
    await writeFile(path.join(broken, BINARY), Buffer.alloc(4096, 0xa5));
    const { code, stdout, stderr } = await runDriver(['--build-dir', broken, '--runtime', 'deno']);
    assert.equal(code, 1, stdout + stderr);
    assert.match(stdout, /^deno +\S+ +FAILED +0\/1 /m);
    assert.match(stdout, /^deno failed:\n {2}load: cannot load .*invalid ELF header/m);
    assert.match(stdout, /^ {2}rerun: DENO_DIR=\S+\/\.cache\/deno .*--allow-ffi=\S+ '--allow-env=NAPI_RS_\*' .*smoke-deno\.ts /m);
  });

  test('bad arguments: exit 2 with the usage', async () => {
    const { code, stderr } = await runDriver(['--from', 'nowhere']);
    assert.equal(code, 2);
    assert.match(stderr, /--from is build or tarballs, not nowhere\nusage: /);
  });
});
