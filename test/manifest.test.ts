/**
 * release-manifest.json: its schema as a snapshot (so a change of shape is a deliberate one, with a
 * new MANIFEST_SCHEMA), and the one reader (src/manifest/read.ts) over what pack really writes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiagnosticError } from '../src/diagnostics/index.js';
import { MANIFEST_FILE, MANIFEST_SCHEMA, SHA256SUMS_FILE, serializeManifest } from '../src/manifest/index.js';
import { decodeManifest, manifestFromText, readManifest } from '../src/manifest/read.js';
import { parseSha256Sums, sha256Sums } from '../src/manifest/sums.js';
import { releaseDryRun } from '../src/release/dry-run.js';
import { coreDir, repoRoot } from './helpers/cli.js';

const SNAPSHOT = path.join(repoRoot, 'test', 'fixtures', 'manifest', 'release-manifest.shape.json');

/** Every path in a JSON value (array items as `[]`) with the JSON types found there. */
function shape(value: unknown, at = '$', out: Record<string, string[]> = {}): Record<string, string[]> {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const seen = (out[at] ??= []);
  if (!seen.includes(type)) seen.push(type);
  seen.sort();
  if (Array.isArray(value)) for (const item of value) shape(item, `${at}[]`, out);
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) shape(v, `${at}.${k}`, out);
  return out;
}

let scratch = '';
let releaseDir = '';
let text = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-manifest-'));
  // napi-ship's own core, packed, with its SBOMs and policy report listed in `files`.
  const dry = await releaseDryRun({ cwd: coreDir, outDir: path.join(scratch, 'release'), build: false, rehearsal: false });
  releaseDir = dry.files.releaseDir;
  text = await readFile(path.join(releaseDir, MANIFEST_FILE), 'utf8');
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('release-manifest.json', () => {
  test('has the shape of the schema snapshot (change both, and MANIFEST_SCHEMA, together)', async () => {
    const snapshot = JSON.parse(await readFile(SNAPSHOT, 'utf8')) as { schema: string; shape: Record<string, string[]> };
    const got = shape(JSON.parse(text));
    assert.equal(snapshot.schema, MANIFEST_SCHEMA);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(snapshot.shape).sort());
    // Each type found must be one the snapshot allows (a nullable field may show either here).
    for (const [at, types] of Object.entries(got)) for (const t of types) assert.ok(snapshot.shape[at]?.includes(t), `${at}: ${t}`);
  });

  test('the reader gives back what pack wrote: serialising it again is byte-identical', async () => {
    const decoded = decodeManifest(text);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.problems.join('; '));
    assert.equal(serializeManifest(decoded.manifest), text);
    assert.ok(decoded.manifest.files.length >= 4, 'the SBOMs and the policy report are listed');
    assert.deepEqual(await readManifest(releaseDir, { code: 'NS_MANIFEST_SCHEMA', hint: '' }), decoded.manifest);
  });

  test('SHA256SUMS is what the one writer makes of the manifest, and reads back line for line', async () => {
    const decoded = decodeManifest(text);
    assert.ok(decoded.ok);
    const m = decoded.manifest;
    const sums = await readFile(path.join(releaseDir, SHA256SUMS_FILE), 'utf8');
    const want = sha256Sums([
      ...m.packages.map((p) => ({ file: p.tarball, sha256: p.sha256 })),
      ...m.files.map((f) => ({ file: f.path, sha256: f.sha256 })),
    ]);
    assert.equal(sums, want);
    const parsed = parseSha256Sums(sums);
    assert.deepEqual(parsed.malformed, []);
    assert.equal(parsed.lines.length, m.packages.length + m.files.length);
  });

  test("every problem of a broken manifest is reported at once, under the caller's code", () => {
    const m = JSON.parse(text) as Record<string, unknown> & { packages: Record<string, unknown>[]; binaries: Record<string, unknown>[] };
    const broken = {
      ...m,
      tools: { napiShip: 1 },
      packages: [{ ...m.packages[0], sha256: 'nope' }, ...m.packages.slice(1)],
      binaries: [{ ...m.binaries[0], facts: 'elf' }],
      files: 'none',
    };
    const decoded = decodeManifest(JSON.stringify(broken));
    assert.ok(!decoded.ok);
    assert.deepEqual(decoded.problems, [
      '`files` is not an array',
      '`tools` needs the strings `napiShip`, `core` and `node`',
      'packages[0] has missing or malformed fields',
      'binaries[0] has missing or malformed fields',
    ]);
    const { manifest, diagnostics } = manifestFromText(JSON.stringify(broken), 'x/release-manifest.json', {
      code: 'NS_PUBLISH_MANIFEST',
      hint: 'h',
    });
    assert.equal(manifest, null);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.subject]),
      Array.from({ length: 4 }, () => ['NS_PUBLISH_MANIFEST', 'x/release-manifest.json']),
    );
    assert.deepEqual(decodeManifest('{').ok, false);
    const other = decodeManifest(JSON.stringify({ ...m, schema: 'napi-ship.release-manifest/2' }));
    assert.deepEqual(other.ok ? [] : other.problems, [`${MANIFEST_FILE} is not a ${MANIFEST_SCHEMA} manifest`]);
  });

  test('a missing manifest is the caller\'s "cannot read" diagnostic', async () => {
    await assert.rejects(
      readManifest(scratch, {
        code: 'NS_MANIFEST_SCHEMA',
        hint: 'h',
        unreadableCode: 'NS_SBOM_RELEASE_MISSING',
        unreadableHint: 'pack first',
      }),
      (error: unknown) =>
        error instanceof DiagnosticError &&
        error.diagnostics.length === 1 &&
        error.diagnostics[0]?.code === 'NS_SBOM_RELEASE_MISSING' &&
        error.diagnostics[0].hint === 'pack first',
    );
  });
});
