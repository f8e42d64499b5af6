/**
 * `-c/--config-path` (as @napi-rs/cli has it): a project whose napi-rs config lives in its own file
 * (package.json has no `napi`) is read through the file by every command that reads the napi config;
 * without the flag it is not a napi-rs package. Relative to --cwd, as napi-rs resolves it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

const COMMANDS_READING_CONFIG = [
  'targets',
  'stage',
  'verify',
  'version',
  'pack',
  'build',
  'ci',
  'policy',
  'sbom',
  'status',
  'doctor',
  'release',
];

void test('every command that reads the napi config declares -c/--config-path', async () => {
  for (const command of COMMANDS_READING_CONFIG) {
    const help = await runCli([command, '--help']);
    assert.equal(help.code, 0, command);
    assert.match(help.stdout, /-c, --config-path FILE/, `${command} --help`);
  }
});

void test('targets, stage, verify and version read the napi-rs config file given with -c / --config-path', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'napi-ship-config-path-'));
  try {
    writeFileSync(
      path.join(dir, 'package.json'),
      `${JSON.stringify({ name: '@cfg/addon', version: '1.0.0', main: 'index.js', repository: 'github:cfg/addon' }, null, 2)}\n`,
    );
    mkdirSync(path.join(dir, 'config'));
    writeFileSync(
      path.join(dir, 'config', 'napi.json'),
      JSON.stringify({ binaryName: 'cfg', targets: ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin'] }),
    );
    // Without the flag: not a napi-rs package.
    const plain = await runCli(['targets', '--cwd', dir, '--json']);
    // Exit status from the code's class (docs/cli.md): NS_TARGET_NO_CONFIG is check (1), no longer 3.
    assert.equal(plain.code, 1);
    assert.match(plain.stdout + plain.stderr, /NS_TARGET_NO_CONFIG/);

    const targets = await runCli(['targets', '--cwd', dir, '-c', 'config/napi.json', '--json']);
    assert.equal(targets.code, 0, targets.stderr);
    const listed = JSON.parse(targets.stdout) as unknown;
    const text = JSON.stringify(listed);
    assert.match(text, /@cfg\/addon-linux-x64-gnu/);
    assert.match(text, /cfg\.darwin-arm64\.node/);

    // stage through the long form: the build output named by the file's binaryName is staged.
    writeFileSync(path.join(dir, 'cfg.linux-x64-gnu.node'), 'x');
    const stage = await runCli(['stage', '--cwd', dir, '--config-path', 'config/napi.json', '--json']);
    const staged = JSON.parse(readFileSync(path.join(dir, 'npm', 'linux-x64-gnu', 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(staged.name, '@cfg/addon-linux-x64-gnu', stage.stderr);
    assert.equal(staged.main, 'cfg.linux-x64-gnu.node');
    const root = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(root.optionalDependencies, { '@cfg/addon-darwin-arm64': '1.0.0', '@cfg/addon-linux-x64-gnu': '1.0.0' });

    // verify reads the same two targets (darwin is not staged: missing, named by the file's config).
    const verify = await runCli(['verify', '--cwd', dir, '-c', 'config/napi.json', '--json']);
    assert.equal(verify.code, 1);
    assert.match(verify.stdout, /NS_VERIFY_MISSING_PACKAGE/);
    assert.match(verify.stdout, /darwin-arm64/);

    const version = await runCli(['version', 'patch', '--cwd', dir, '-c', 'config/napi.json', '--no-registry-check', '--json']);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(
      (JSON.parse(readFileSync(path.join(dir, 'npm', 'linux-x64-gnu', 'package.json'), 'utf8')) as { version: string }).version,
      '1.0.1',
    );

    // sbom reads its targets through the file too (a file that is not there is refused, not ignored).
    const sbom = await runCli(['sbom', '--cwd', dir, '-c', 'config/napi.json', '--out', path.join(dir, 'sbom-out'), '--json']);
    assert.equal(sbom.code, 0, sbom.stderr);
    const sbomMissing = await runCli(['sbom', '--cwd', dir, '-c', 'nope.json', '--json']);
    assert.equal(sbomMissing.code, 2, sbomMissing.stderr);
    assert.match(sbomMissing.stdout + sbomMissing.stderr, /NS_TARGET_CONFIG_FILE_UNREADABLE/);

    // A config file that is not there is one clear error.
    const missing = await runCli(['targets', '--cwd', dir, '-c', 'nope.json']);
    // Exit status from the code's class (docs/cli.md): a path on the command line that is not there
    // is a usage error (2), as a missing --cwd is; a config file that is there but wrong fails a check (1).
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /NS_TARGET_CONFIG_FILE_UNREADABLE\b.*cannot read the napi-rs config file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
