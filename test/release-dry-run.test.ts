import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { releaseDryRun } from '../src/release/dry-run.js';
import { renderMarkdown, reportRows } from '../src/report/index.js';
import { coreDir, hostCoreBinary, repoRoot, runCli, type CliResult } from './helpers/cli.js';
import { tarballCheckId } from '../src/util/tarball.js';
import { buildFixtures, type FixtureName, type FixtureSet } from '../scripts/lib/fixtures.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';

let scratch = '';
let fixtures: FixtureSet;
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-dry-run-'));
  fixtures = await buildFixtures();
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function sha512(file: string): Promise<string> {
  return createHash('sha512')
    .update(await readFile(file))
    .digest('base64');
}

async function gitStatus(): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  return execFileSync('git', ['status', '--porcelain', '--', 'crates/napi-ship-node', 'npm'], { cwd: repoRoot, encoding: 'utf8' });
}

describe("release --dry-run on napi-ship's own core", () => {
  test('builds, stages, verifies, packs and signs six of eight targets (MSVC skipped), loads two of them, leaves the tree alone', async () => {
    const before = await gitStatus();
    const out = path.join(scratch, 'core');
    const result = await releaseDryRun({ cwd: coreDir, outDir: out, rehearsal: false });
    assert.equal(await gitStatus(), before, 'the working tree is not modified');

    const host = result.run.stages.verify?.result.targets.find((t) => t.platformArchABI === 'linux-x64-gnu');
    assert.ok(host);
    assert.deepEqual(
      host.diagnostics.filter((d) => d.severity !== 'note'),
      [],
    );
    assert.equal(host.facts?.libc, 'glibc');
    assert.deepEqual(result.summary, {
      targets: 8,
      ready: 6,
      missing: 2,
      failing: 0,
      errors: 0,
      warnings: 0,
      tarballs: 7,
      publishable: false,
    });
    // The loaded column: the host target under this Node (no rehearsal here), linux-arm64-gnu under
    // qemu-aarch64 with Node's arm64 build from npm, the rest not loadable here with the reason.
    const loads = new Map((result.run.stages.load?.result.targets ?? []).map((t) => [t.target, t]));
    assert.equal(loads.get('linux-x64-gnu')?.status, 'ok', loads.get('linux-x64-gnu')?.detail);
    assert.equal(loads.get('linux-arm64-gnu')?.status, 'ok', loads.get('linux-arm64-gnu')?.detail);
    assert.match(loads.get('linux-arm64-gnu')?.runtimes ?? '', /^node \d+\.\d+\.\d+ \(arm64\) under qemu-aarch64$/);
    assert.match(loads.get('linux-arm64-gnu')?.detail ?? '', /loaded; exports \d+ function\(s\): .*HashTask/);
    for (const abi of ['darwin-x64', 'darwin-arm64', 'linux-x64-musl', 'linux-arm64-musl']) {
      assert.equal(loads.get(abi)?.status, 'not-loadable', abi);
      assert.match(loads.get(abi)?.detail ?? '', /^not loadable here: /);
    }
    assert.equal(loads.has('win32-x64-msvc'), false, 'not built, so not staged, so nothing to load');
    assert.deepEqual(result.run.stages.sign?.diagnostics, []);

    const md = await readFile(result.files.markdown, 'utf8');
    assert.match(md, /\| `linux-x64-gnu` \| `@napi-ship\/core-linux-x64-gnu` \| ✅ \| ✅ \| ✅ \| ✅ \| ✅ \| ✅ \| ✅ \| ✅ \|/);
    assert.match(
      md,
      /\| `linux-arm64-gnu` \| `@napi-ship\/core-linux-arm64-gnu` \| ✅ (\| ✅ ){8}\| ✅ node [\d.]+ \(arm64\) under qemu-aarch64 \|/,
    );
    assert.match(md, /\| `darwin-arm64` \| `@napi-ship\/core-darwin-arm64` \| ✅ (\| ✅ ){8}\| ➖ not loadable here \|/);
    // The first thing missing is named: the rust target (setup.sh does not add the MSVC ones), else cargo-xwin.
    assert.match(
      md,
      /\| `win32-x64-msvc` \| `@napi-ship\/core-win32-x64-msvc` \| ➖ .*skipped: no napi-ship-core\.win32-x64-msvc\.node built or staged here — build skipped: (rust target x86_64-pc-windows-msvc not installed|cargo-xwin not installed)/,
    );
    assert.match(md, /verify-manifest passed/);
    const files = (await readdir(result.files.releaseDir)).sort();
    assert.deepEqual(files, [
      'SHA256SUMS',
      'napi-ship-core-0.1.0.tgz',
      'napi-ship-core-darwin-arm64-0.1.0.tgz',
      'napi-ship-core-darwin-x64-0.1.0.tgz',
      'napi-ship-core-linux-arm64-gnu-0.1.0.tgz',
      'napi-ship-core-linux-arm64-musl-0.1.0.tgz',
      'napi-ship-core-linux-x64-gnu-0.1.0.tgz',
      'napi-ship-core-linux-x64-musl-0.1.0.tgz',
      'policy-report.md',
      'release-manifest.json',
      'release-manifest.json.sig',
      'release-manifest.pub',
      'sbom.npm.spdx.json',
      'sbom.release.spdx.json',
      'sbom.rust.spdx.json',
    ]);

    // The manifest's binary entry is what verify read, not a second inspection.
    const manifest = JSON.parse(await readFile(path.join(result.files.releaseDir, 'release-manifest.json'), 'utf8')) as {
      binaries: { target: string; integrity: string; facts: { glibc: string | null } }[];
    };
    assert.deepEqual(
      manifest.binaries.filter((b) => b.target === 'linux-x64-gnu').map((b) => [b.target, b.integrity, b.facts.glibc]),
      [['linux-x64-gnu', host.digests?.integrity, host.facts.glibc]],
    );
    assert.equal(manifest.binaries.length, 6);

    // A second run (which builds again) gives a byte-identical tarball wherever its inputs are the
    // same: always for the root; for a platform package exactly when its binary came out the same.
    // (A re-link is not always byte-identical: cargo-zigbuild's Mach-O output has differed between
    // two builds here; that is the toolchain's, and the tarball then differs, as it must.)
    const again = await releaseDryRun({ cwd: coreDir, outDir: path.join(scratch, 'core-again'), rehearsal: false });
    const manifestAgain = JSON.parse(await readFile(path.join(again.files.releaseDir, 'release-manifest.json'), 'utf8')) as typeof manifest;
    assert.equal(
      await sha512(path.join(again.files.releaseDir, 'napi-ship-core-0.1.0.tgz')),
      await sha512(path.join(result.files.releaseDir, 'napi-ship-core-0.1.0.tgz')),
    );
    for (const b of manifest.binaries) {
      const tgz = `napi-ship-core-${b.target}-0.1.0.tgz`;
      const sameBinary = manifestAgain.binaries.find((x) => x.target === b.target)?.integrity === b.integrity;
      const sameTarball =
        (await sha512(path.join(again.files.releaseDir, tgz))) === (await sha512(path.join(result.files.releaseDir, tgz)));
      assert.equal(sameTarball, sameBinary, `${tgz}: same binary ${String(sameBinary)}`);
    }
  });
});

describe('release --dry-run on planted binaries', () => {
  test('a glibc binary built as musl and a corrupt one fail with their codes; exit 1', async () => {
    const dir = path.join(scratch, 'wrong');
    await writeRootPackage(dir, {
      name: '@fixture/wrong',
      binaryName: 'addon',
      targets: ['x86_64-unknown-linux-gnu', 'x86_64-unknown-linux-musl', 'aarch64-unknown-linux-gnu', 'aarch64-apple-darwin'],
    });
    await copyFile(hostCoreBinary, path.join(dir, 'addon.linux-x64-gnu.node'));
    await copyFile(hostCoreBinary, path.join(dir, 'addon.linux-x64-musl.node'));
    await writeFile(
      path.join(dir, 'addon.linux-arm64-gnu.node'),
      (await readFile(fixtures.fixtures['linux-arm64-gnu'].path)).subarray(0, 40),
    );
    const result = await releaseDryRun({ cwd: dir, rehearsal: false });
    const rows = new Map(reportRows(result.run).map((r) => [r.target, r]));
    assert.equal(rows.get('linux-x64-gnu')?.cells.binary, 'ok');
    assert.equal(rows.get('linux-x64-musl')?.cells.binary, 'fail');
    assert.match(rows.get('linux-x64-musl')?.note ?? '', /^NS_BINARY_LIBC/);
    assert.equal(rows.get('darwin-arm64')?.missing, true);
    const codes =
      result.run.stages.verify?.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => `${d.code} ${d.target ?? ''}`)
        .sort() ?? [];
    assert.ok(codes.includes('NS_BINARY_LIBC linux-x64-musl'), String(codes));
    assert.ok(
      codes.some((c) => c.startsWith('NS_INSPECT_E_TRUNCATED linux-arm64-gnu') || c.startsWith('NS_STAGE')),
      String(codes),
    );
    assert.equal(result.summary.publishable, false);
    assert.ok(result.summary.errors >= 2);
    const md = renderMarkdown(result.run);
    assert.match(md, /error\[NS_BINARY_LIBC\] linux-x64-musl/);
    const cli = await runCli(['release', '--dry-run', '--no-rehearsal', '--cwd', dir, '--out', path.join(scratch, 'wrong-out')]);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stdout, /Not publishable/);
  });

  test('eight real binaries from a download-artifact layout: publishable, nine tarballs, --strict passes', async () => {
    const dir = path.join(scratch, 'eight');
    const triples: Record<string, FixtureName> = {
      'x86_64-apple-darwin': 'darwin-x64',
      'aarch64-apple-darwin': 'darwin-arm64',
      'x86_64-unknown-linux-gnu': 'linux-x64-gnu',
      'x86_64-unknown-linux-musl': 'linux-x64-musl',
      'aarch64-unknown-linux-gnu': 'linux-arm64-gnu',
      'aarch64-unknown-linux-musl': 'linux-arm64-musl',
      'x86_64-pc-windows-msvc': 'win32-x64-msvc',
      'aarch64-pc-windows-msvc': 'win32-arm64-msvc',
    };
    await writeRootPackage(dir, { name: '@fixture/eight', binaryName: 'addon', targets: Object.keys(triples) });
    const artifacts = path.join(scratch, 'eight-artifacts');
    for (const [triple, fixture] of Object.entries(triples)) {
      const abi = fixture;
      await mkdir(path.join(artifacts, `bindings-${triple}`), { recursive: true });
      await copyFile(fixtures.fixtures[fixture].path, path.join(artifacts, `bindings-${triple}`, `addon.${abi}.node`));
    }
    const summaryFile = path.join(scratch, 'step-summary.md');
    const cacheDir = path.join(scratch, 'eight-cache');
    const dryRun = (): Promise<CliResult> =>
      runCli(
        [
          'release',
          '--dry-run',
          '--no-rehearsal',
          '--strict',
          '--json',
          '--cwd',
          dir,
          '--artifacts',
          artifacts,
          '--out',
          path.join(scratch, 'eight-out'),
        ],
        { env: { GITHUB_STEP_SUMMARY: summaryFile, NAPI_SHIP_CACHE_DIR: cacheDir } },
      );
    const cli = await dryRun();
    assert.equal(cli.code, 0, cli.stderr);
    const parsed = JSON.parse(cli.stdout) as {
      summary: { ready: number; missing: number; errors: number; tarballs: number; publishable: boolean };
    };
    assert.deepEqual(parsed.summary, { ...parsed.summary, ready: 8, missing: 0, errors: 0, tarballs: 9, publishable: true });
    assert.match(await readFile(summaryFile, 'utf8'), /## napi-ship release dry run: `@fixture\/eight@1\.2\.3`/);
    // The signed release's check inflated every tarball and passed: each cache entry records it, for those bytes.
    const manifest = JSON.parse(await readFile(path.join(scratch, 'eight-out', 'packages', 'release-manifest.json'), 'utf8')) as {
      packages: { name: string; version: string; sha256: string }[];
    };
    const entries: { sha256: string; checked?: string }[] = [];
    for (const sub of await readdir(path.join(cacheDir, 'tarballs')))
      for (const f of await readdir(path.join(cacheDir, 'tarballs', sub)))
        if (f.endsWith('.json'))
          entries.push(JSON.parse(await readFile(path.join(cacheDir, 'tarballs', sub, f), 'utf8')) as { sha256: string });
    assert.equal(entries.length, 9);
    for (const p of manifest.packages)
      assert.equal(entries.find((e) => e.sha256 === p.sha256)?.checked, tarballCheckId(p.name, p.version), p.name);
    // A re-run re-uses them all (not inflated again) and reaches the same verdict.
    const again = await dryRun();
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as typeof parsed).summary, parsed.summary);
  });

  test('--strict makes a missing target exit 1; without it the dry run exits 0', async () => {
    const dir = path.join(scratch, 'strict');
    await writeRootPackage(dir, {
      name: '@fixture/strict',
      binaryName: 'addon',
      targets: ['x86_64-unknown-linux-gnu', 'x86_64-pc-windows-msvc'],
    });
    await copyFile(hostCoreBinary, path.join(dir, 'addon.linux-x64-gnu.node'));
    const relaxed = await runCli(['release', '--dry-run', '--no-rehearsal', '--cwd', dir]);
    assert.equal(relaxed.code, 0, relaxed.stderr);
    assert.match(relaxed.stdout, /1 of 2 targets ready; 1 missing/);
    const strict = await runCli(['release', '--dry-run', '--no-rehearsal', '--strict', '--cwd', dir]);
    assert.equal(strict.code, 1);
  });

  test('release without --dry-run is refused as a usage error', async () => {
    const r = await runCli(['release', '--cwd', coreDir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--dry-run/);
  });
});
