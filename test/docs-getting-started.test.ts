/**
 * docs/getting-started.md is the output of a real run (scripts/docs-getting-started.ts on a scratch
 * copy of the napi-rs package template): regenerated here and compared, volatile parts masked. A
 * failure says which line drifted and to run `pnpm run docs:getting-started`.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { comparable, DOC, driftMessage, generate, normalise } from '../scripts/docs-getting-started.js';
import { repoRoot } from './helpers/cli.js';

describe('getting started', () => {
  test('the volatile parts of a run become placeholders; counts that follow the cargo cache are masked for the check', () => {
    const project = path.join(os.tmpdir(), 'napi-ship-getting-started-Ab12Cd', 'package-template');
    const raw = [
      `report: ${project}/dist/release/report.md`,
      `rehearsal registry http://127.0.0.1:43121/ from ${path.join(os.tmpdir(), 'napi-ship-verdaccio-x1Y2z3')}/storage`,
      'napi-rs-package-template-1.0.0.tgz  6769   sha512-fCf/igBRWFa8s6Ickx5y…',
      'signature: release-manifest.json.sig (ed25519 key 53c2d9e457c27022, throwaway)',
      `built in 1.25 s, verified in 830 ms at 2026-12-03T13:07:47.611Z; napi-ship in ${repoRoot}   `,
    ].join('\n');
    assert.equal(
      normalise(raw, project),
      [
        'report: ~/package-template/dist/release/report.md',
        'rehearsal registry http://127.0.0.1:<port>/ from <tmp>/storage',
        'napi-rs-package-template-1.0.0.tgz  6769   sha512-<hash>',
        'signature: release-manifest.json.sig (ed25519 key <key-id>, throwaway)',
        'built in <time>, verified in <time> at <time>; napi-ship in <napi-ship>',
      ].join('\n'),
    );
    assert.equal(
      comparable(
        'SBOMs: sbom.rust.spdx.json (33 packages)\npolicy passed: 32 package(s) checked\nallow MIT (found in 32 third-party packages)',
      ),
      'SBOMs: sbom.rust.spdx.json (N packages)\npolicy passed: N package(s) checked\nallow MIT (found in N third-party packages)',
    );
    // What the check still sees: a target count, a command, a word.
    assert.notEqual(comparable('0 of 14 targets ready'), comparable('0 of 13 targets ready'));
  });

  test('docs/getting-started.md says what napi-ship prints now (pnpm run docs:getting-started regenerates it)', async () => {
    const committed = await readFile(DOC, 'utf8');
    const now = await generate();
    assert.equal(driftMessage(committed, now, DOC), null, driftMessage(committed, now, DOC) ?? '');
    // The check can fail: one changed line in the doc, and one line napi-ship no longer prints.
    const tampered = committed.replace('napi config:     binaryName package-template, 14 targets', 'napi config: 13 targets');
    assert.notEqual(tampered, committed);
    const message = driftMessage(tampered, now, DOC);
    assert.ok(message !== null);
    assert.match(
      message,
      /first difference at line \d+\):\n {2}doc: .*13 targets\n {2}now: .*14 targets\nregenerate it: pnpm run docs:getting-started/,
    );
    assert.match(driftMessage(committed, now + 'a new line\n', DOC) ?? '', /first difference/);
    // It is the page README links to.
    assert.match(await readFile(path.join(repoRoot, 'README.md'), 'utf8'), /\(docs\/getting-started\.md\)/);
  });
});
