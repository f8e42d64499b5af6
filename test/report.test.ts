import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { releaseDryRun } from '../src/release/dry-run.js';
import { renderMarkdown, renderText, reportRows } from '../src/report/index.js';
import { repoRoot } from './helpers/cli.js';
import { buildFixtures, type FixtureSet } from '../scripts/lib/fixtures.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';

let scratch = '';
let fixtures: FixtureSet;
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-report-'));
  fixtures = await buildFixtures();
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const SNAPSHOT_DIR = path.join(repoRoot, 'test', 'fixtures', 'report');

/**
 * The parts of a report that change from run to run or machine to machine: the scratch dir and
 * other temp dirs, the throwaway signing key, durations, and the tarballs' bytes and digests (the
 * fixture binaries come from this machine's toolchains). Everything else — marks, notes,
 * diagnostics, layout — is compared as is.
 */
function normalise(markdown: string): string {
  return markdown
    .replaceAll(scratch, '<scratch>')
    .replaceAll(os.tmpdir(), '<tmp>')
    .replace(/<tmp>\/napi-ship-[A-Za-z-]+-[A-Za-z0-9]{6}/g, '<tmp>/<dir>')
    .replace(/ed25519 key [0-9a-f]+/g, 'ed25519 key <key-id>')
    .replace(/\| \d+ \| `sha512-[A-Za-z0-9+/=]+…` \|/g, '| <bytes> | `sha512-<integrity>…` |')
    .replace(/`[0-9a-f]{12,}…`/g, '`<hex>…`')
    .replace(/\b\d+(\.\d+)? (ms|s)\b/g, '<duration>');
}

/** Compare with the committed snapshot; `UPDATE_SNAPSHOTS=1` rewrites it. */
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

describe('dry-run report', () => {
  test('markdown snapshot of a dry run with a failing target (an x64 binary in the arm64 package) and a missing one', async () => {
    const dir = path.join(scratch, 'pkg');
    await writeRootPackage(dir, {
      name: '@fixture/report',
      binaryName: 'addon',
      targets: ['x86_64-unknown-linux-gnu', 'aarch64-unknown-linux-gnu', 'aarch64-apple-darwin'],
    });
    await copyFile(fixtures.fixtures['linux-x64-gnu'].path, path.join(dir, 'addon.linux-x64-gnu.node'));
    await copyFile(fixtures.fixtures['linux-x64-gnu'].path, path.join(dir, 'addon.linux-arm64-gnu.node'));
    // The rehearsal (embedded registry, installs, loads, a real-registry read) has its own tests.
    const result = await releaseDryRun({ cwd: dir, outDir: path.join(scratch, 'out'), rehearsal: false });

    const rows = new Map(reportRows(result.run).map((r) => [r.target, r]));
    assert.equal(rows.get('linux-x64-gnu')?.cells.binary, 'ok');
    assert.equal(rows.get('linux-arm64-gnu')?.cells.binary, 'fail');
    assert.equal(rows.get('darwin-arm64')?.missing, true);
    assert.deepEqual([result.summary.ready, result.summary.failing, result.summary.missing, result.summary.publishable], [1, 1, 1, false]);
    const errors = result.run.stages.verify?.diagnostics.filter((d) => d.severity === 'error' && d.target !== 'darwin-arm64') ?? [];
    assert.deepEqual(
      errors.map((d) => `${d.code} ${d.target ?? ''}`),
      ['NS_BINARY_CPU linux-arm64-gnu'],
      'the one failure is the CPU mismatch',
    );

    const markdown = await readFile(result.files.markdown, 'utf8');
    assert.equal(markdown, renderMarkdown(result.run));
    assert.match(markdown, /\| `linux-arm64-gnu` \| `@fixture\/report-linux-arm64-gnu` \| ➖ \| ✅ \| ✅ \| ❌ \|/);
    assert.match(markdown, /### Build\n\nNothing built: the root package has no Cargo.toml/);
    assert.doesNotMatch(normalise(markdown), /\/tmp\/|napi-ship-report-/, 'no temp path is left after normalising');
    await matchSnapshot('dry-run-failing-target.md', normalise(markdown));

    // The terminal form says the same: the failing target's first error and the build line.
    const text = renderText(result.run);
    assert.match(text, /linux-arm64-gnu\s+@fixture\/report-linux-arm64-gnu\s+-\s+✓\s+✓\s+✗/);
    assert.match(text, /build: Nothing built/);
  });
});
