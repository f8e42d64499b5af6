/**
 * A directory that is not a napi-rs package (no `napi` config) is refused by every command that
 * would write — stage, version, ci generate, pack — with one clear error, and nothing is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

/** Every file under `dir` with its bytes, so "nothing written" is checked, not assumed. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(path.relative(dir, full), readFileSync(full, 'base64'));
    }
  };
  walk(dir);
  return out;
}

void test('stage, version, ci generate and pack refuse a package without a napi config and write nothing', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'napi-ship-no-napi-'));
  try {
    writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'left-pad', version: '1.3.0', main: 'index.js' }, null, 2)}\n`);
    writeFileSync(path.join(dir, 'index.js'), 'module.exports = (s) => s;\n');
    writeFileSync(path.join(dir, 'left-pad.linux-x64-gnu.node'), 'not really a binary');
    const before = snapshot(dir);
    for (const args of [['stage'], ['version', 'patch'], ['ci', 'generate', '--out', 'release.yml'], ['pack'], ['stage', '--json']]) {
      const result = await runCli([...args, '--cwd', dir]);
      // Exit status from the code's class (docs/cli.md): NS_TARGET_NO_CONFIG is check (1), no longer 3.
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      const output = result.stdout + result.stderr;
      assert.match(output, /NS_TARGET_NO_CONFIG/, args.join(' '));
      assert.equal(output.split('NS_TARGET_NO_CONFIG').length - 1, 1, `one error, not several: ${output}`);
      assert.match(output, /not a napi-rs package/, args.join(' '));
      assert.deepEqual(snapshot(dir), before, `${args.join(' ')} wrote something`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
