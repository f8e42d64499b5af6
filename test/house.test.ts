/**
 * House habits of napi-ship's own packages: both licenses (MIT and Apache-2.0) in the repo and in
 * every tarball napi-ship ships of itself, and no source maps in the published build.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { selectFiles } from '../src/pack/files.js';
import { platformManifest } from '../src/stage/index.js';
import { loadPlan } from '../src/plan/index.js';
import { repoRoot } from './helpers/cli.js';

const LICENSES = ['LICENSE-MIT', 'LICENSE-APACHE'] as const;
const coreDir = path.join(repoRoot, 'crates', 'napi-ship-node');
const platformDirs = readdirSync(path.join(repoRoot, 'npm'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => path.join(repoRoot, 'npm', e.name));

test('the repo root holds the full MIT and Apache-2.0 texts', () => {
  const mit = readFileSync(path.join(repoRoot, 'LICENSE-MIT'), 'utf8');
  assert.match(mit, /^MIT License\n\nCopyright \(c\) the napi-ship developers\n/);
  assert.match(mit, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  const apache = readFileSync(path.join(repoRoot, 'LICENSE-APACHE'), 'utf8');
  assert.match(apache, /Apache License\s+Version 2\.0, January 2004/);
  for (const section of [
    '1. Definitions.',
    '4. Redistribution.',
    '9. Accepting Warranty or Additional Liability.',
    'END OF TERMS AND CONDITIONS',
  ]) {
    assert.ok(apache.includes(section), section);
  }
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { license: string };
  assert.equal(pkg.license, 'MIT OR Apache-2.0');
});

test('every package napi-ship ships of itself packs both licenses, byte-identical to the root', async () => {
  assert.ok(platformDirs.length >= 8);
  for (const dir of [repoRoot, coreDir, ...platformDirs]) {
    const selection = await selectFiles(dir);
    const packed = selection.files.map((f) => f.path);
    for (const name of LICENSES) {
      assert.ok(packed.includes(name), `${selection.name} does not pack ${name}`);
      assert.equal(
        readFileSync(path.join(dir, name), 'utf8'),
        readFileSync(path.join(repoRoot, name), 'utf8'),
        `${path.relative(repoRoot, dir) || '.'}/${name} differs from the root's`,
      );
    }
  }
});

test('the napi-ship tarball ships no source maps (their sources are not shipped)', async () => {
  const selection = await selectFiles(repoRoot);
  const maps = selection.files.filter((f) => f.path.endsWith('.map'));
  assert.deepEqual(maps, []);
  assert.ok(selection.files.some((f) => f.path === 'dist/src/index.js'));
  const index = readFileSync(path.join(repoRoot, 'dist', 'src', 'index.js'), 'utf8');
  assert.doesNotMatch(index, /sourceMappingURL/);
});

test('stage keeps the license files a platform package lists, and nothing else it did not write', async () => {
  const plan = await loadPlan(coreDir);
  const t = plan.targets[0];
  assert.ok(t);
  const existing = { files: [t.binaryFile, 'LICENSE-MIT', 'LICENSE-APACHE', 'COPYING', 'stray.js', 'lib/'] };
  const manifest = platformManifest({ root: plan.root.manifest, target: t, version: plan.root.version, wasiOnly: false, existing });
  assert.deepEqual(manifest.files, [t.binaryFile, 'LICENSE-MIT', 'LICENSE-APACHE', 'COPYING']);
});

test("every runtime dependency is explained in the README's dependency list", () => {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Why each dependency is here'));
  const unexplained = Object.keys(manifest.dependencies ?? {}).filter((name) => !section.includes(`\`${name}\``));
  assert.deepEqual(unexplained, []);
});
