/**
 * The library surface: the package's `exports` map gives one entry point with one function per
 * command and the curated types; everything else is internal. Imported by the package's own name
 * (Node's self-reference), as a user's `import … from 'napi-ship'` resolves it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hostCoreBinary, repoRoot, runCli } from './helpers/cli.js';

type Api = typeof import('../src/index.js');
const SELF = 'napi-ship';
const load = async (specifier: string): Promise<unknown> => import(specifier);
const api = (await load(SELF)) as Api;

const COMMANDS = [
  'inspect',
  'hash',
  'targets',
  'build',
  'stage',
  'verify',
  'pack',
  'sbom',
  'policy',
  'keygen',
  'sign',
  'verifyManifest',
  'releaseDryRun',
  'ciGenerate',
  'version',
  'publish',
  'status',
  'deprecate',
] as const;

test('one function per command, and a small curated surface', () => {
  for (const name of COMMANDS) assert.equal(typeof api[name], 'function', name);
  const names = Object.keys(api).sort();
  assert.deepEqual(
    names.filter((n) => !(COMMANDS as readonly string[]).includes(n)),
    [
      'CODE_TABLES',
      'DiagnosticError',
      'RegistryClient',
      'chooseRegistry',
      'codeInfo',
      'formatDiagnostic',
      'isCode',
      'loadNpmrc',
      'loadPlan',
      'main',
      'resolveAuth',
    ],
  );
  assert.ok(names.length < 40, `${names.length} names`);
});

test('the exports map: the entry point and package.json only', async () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  assert.deepEqual(Object.keys(pkg.exports), ['.', './package.json']);
  const own = (await import(`${SELF}/package.json`, { with: { type: 'json' } })) as { default: { name: string } };
  assert.equal(own.default.name, 'napi-ship');
  await assert.rejects(
    load(`${SELF}/dist/src/verify/index.js`),
    (error: NodeJS.ErrnoException) => error.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED',
  );
});

test('the functions work on the repo’s own @napi-ship/core', async () => {
  const coreDir = path.join(repoRoot, 'crates', 'napi-ship-node');
  const targets = await api.targets({ cwd: coreDir });
  assert.equal(targets.length, 8);
  assert.ok(targets.some((t) => t.packageName === '@napi-ship/core-linux-x64-gnu'));

  const [hashed] = await api.hash([hostCoreBinary]);
  assert.ok(hashed?.ok);
  assert.equal(hashed.sha256, createHash('sha256').update(readFileSync(hostCoreBinary)).digest('hex'));

  const [inspected] = await api.inspect([hostCoreBinary]);
  assert.ok(inspected?.ok);
  assert.equal(inspected.facts.format, 'elf');
  assert.equal(inspected.facts.napiExport, true);

  const [missing] = await api.hash([path.join(coreDir, 'no-such-file.node')]);
  assert.ok(missing && !missing.ok);
  assert.equal(missing.error.code, 'E_NOT_FOUND');

  const ci = await api.ciGenerate({ cwd: coreDir });
  assert.equal(ci.matrix.length, 8);
  assert.match(ci.workflow, /napi-ship/);
});

test('the CLI still runs from bin/', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^napi-ship \d+\.\d+\.\d+/);
});

test('configPath: the facade reads a napi-rs config file as the CLI’s -c does', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(path.join(tmpdir(), 'napi-ship-api-config-'));
  try {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@cfg/api', version: '1.0.0' }));
    writeFileSync(path.join(dir, 'napi.json'), JSON.stringify({ binaryName: 'cfg', targets: ['aarch64-apple-darwin'] }));
    await assert.rejects(api.targets({ cwd: dir }), /NS_TARGET_NO_CONFIG|no "napi" config/);
    const targets = await api.targets({ cwd: dir, configPath: 'napi.json' });
    assert.deepEqual(
      targets.map((t) => t.packageName),
      ['@cfg/api-darwin-arm64'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
