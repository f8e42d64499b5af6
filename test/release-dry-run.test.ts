import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { releaseDryRun } from '../src/release/dry-run.js';
import { renderMarkdown, summarize } from '../src/report/index.js';
import { coreDir, hostCoreBinary, runCli } from './helpers/cli.js';

let scratch = '';
before(async () => { scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-dry-run-')); });
after(async () => { await rm(scratch, { recursive: true, force: true }); });

/** A napi-rs root package with the given targets and no binaries yet. */
async function rootPackage(name: string, targets: readonly string[]): Promise<string> {
  const dir = path.join(scratch, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({
    name: `@fixture/${name}`,
    version: '1.2.3',
    napi: { binaryName: 'addon', packageName: `@fixture/${name}`, targets },
  }, null, 2));
  return dir;
}

describe('release --dry-run', () => {
  test('the repo\'s own core: the host target passes every check, the others are skipped', async () => {
    const out = path.join(scratch, 'core-report');
    const result = await releaseDryRun({ cwd: coreDir, outDir: out });
    const host = result.plan.stages.binaries?.find((b) => b.platformArchABI === 'linux-x64-gnu');
    assert.equal(host?.status, 'found');
    assert.equal(host.path, hostCoreBinary);
    assert.deepEqual(host.diagnostics, []);
    assert.match(host.digests?.integrity ?? '', /^sha512-/);
    assert.equal(result.summary.targets, 8);
    assert.equal(result.summary.ready, 1);
    assert.equal(result.summary.missing, 7);
    assert.equal(result.summary.errors, 0);
    assert.equal(result.summary.publishable, false);
    const md = await readFile(result.files.markdown, 'utf8');
    assert.match(md, /\| `linux-x64-gnu` \| `@napi-ship\/core-linux-x64-gnu` \| ✅ \| ✅ \| ✅ \| ✅ \| ✅ \|/);
    assert.match(md, /\| `darwin-arm64` \| `@napi-ship\/core-darwin-arm64` \| ➖ /);
    const plan = JSON.parse(await readFile(result.files.json, 'utf8')) as { summary: { missing: number } };
    assert.equal(plan.summary.missing, 7);
  });

  test('a glibc binary shipped as musl, and a corrupt one, fail with their codes', async () => {
    const dir = await rootPackage('wrong', ['x86_64-unknown-linux-gnu', 'x86_64-unknown-linux-musl', 'aarch64-unknown-linux-gnu', 'aarch64-apple-darwin']);
    await copyFile(hostCoreBinary, path.join(dir, 'addon.linux-x64-gnu.node'));
    await copyFile(hostCoreBinary, path.join(dir, 'addon.linux-x64-musl.node'));
    const bytes = await readFile(hostCoreBinary);
    await mkdir(path.join(dir, 'npm', 'linux-arm64-gnu'), { recursive: true });
    await writeFile(path.join(dir, 'npm', 'linux-arm64-gnu', 'addon.linux-arm64-gnu.node'), bytes.subarray(0, 40));
    const result = await releaseDryRun({ cwd: dir });
    const byTarget = new Map((result.plan.stages.binaries ?? []).map((b) => [b.platformArchABI, b]));
    assert.deepEqual(byTarget.get('linux-x64-gnu')?.diagnostics, []);
    const musl = byTarget.get('linux-x64-musl');
    assert.deepEqual(musl?.diagnostics.map((d) => [d.code, d.expected, d.found]), [['NS_BINARY_LIBC', 'musl', 'glibc']]);
    const arm = byTarget.get('linux-arm64-gnu');
    assert.equal(arm?.status, 'unreadable');
    assert.equal(arm.diagnostics[0]?.code, 'NS_INSPECT_E_TRUNCATED');
    assert.equal(byTarget.get('darwin-arm64')?.status, 'missing');
    const s = summarize(result.plan);
    assert.equal(s.errors, 2);
    assert.equal(s.failing, 2);
    assert.equal(s.publishable, false);
    const md = renderMarkdown(result.plan);
    assert.match(md, /\| `linux-x64-musl` \| `@fixture\/wrong-linux-x64-musl` \| ✅ \| ✅ \| ✅ \| ❌ \| ✅ \|/);
    assert.match(md, /error\[NS_BINARY_LIBC\] linux-x64-musl/);
    const cli = await runCli(['release', '--dry-run', '--cwd', dir, '--out', path.join(scratch, 'wrong-out')]);
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, /Not publishable/);
  });

  test('x64 code in an arm64 package fails the CPU check', async () => {
    const dir = await rootPackage('cpu', ['aarch64-unknown-linux-gnu']);
    await copyFile(hostCoreBinary, path.join(dir, 'addon.linux-arm64-gnu.node'));
    const result = await releaseDryRun({ cwd: dir });
    const codes = result.plan.stages.binaries?.[0]?.diagnostics.map((d) => d.code);
    assert.deepEqual(codes, ['NS_BINARY_CPU']);
  });

  test('--strict turns missing targets into exit 1; without it the dry run passes', async () => {
    const dir = await rootPackage('strict', ['x86_64-unknown-linux-gnu', 'x86_64-pc-windows-msvc']);
    await copyFile(hostCoreBinary, path.join(dir, 'addon.linux-x64-gnu.node'));
    const summaryFile = path.join(scratch, 'step-summary.md');
    const relaxed = await runCli(['release', '--dry-run', '--cwd', dir], { env: { GITHUB_STEP_SUMMARY: summaryFile } });
    assert.equal(relaxed.code, 0, relaxed.stderr);
    assert.match(await readFile(summaryFile, 'utf8'), /## napi-ship release dry run: `@fixture\/strict@1\.2\.3`/);
    const strict = await runCli(['release', '--dry-run', '--strict', '--cwd', dir]);
    assert.equal(strict.code, 1);
    const json = await runCli(['release', '--dry-run', '--json', '--cwd', dir]);
    const parsed = JSON.parse(json.stdout) as { summary: { ready: number; missing: number } };
    assert.deepEqual([parsed.summary.ready, parsed.summary.missing], [1, 1]);
  });

  test('release without --dry-run is refused as a usage error', async () => {
    const r = await runCli(['release', '--cwd', coreDir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--dry-run/);
  });
});
