/**
 * Start-up: `--version`, `--help` and `inspect` load only what they use. A module hook (node:module
 * `register`) records every module the CLI process loads; no timing is asserted (bench/run measures
 * start-up), only which modules were loaded.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { hostCoreBinary, repoRoot } from './helpers/cli.js';

const execFileAsync = promisify(execFile);

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-startup-'));
  await writeFile(
    path.join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.NAPI_SHIP_TEST_LOAD_LOG, url + '\\n');
  return next(url, context);
}
`,
  );
  await writeFile(
    path.join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`,
  );
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let runs = 0;
/** The modules (`file:` URLs, relative to the repo) the CLI loaded for `args`; `node:` builtins left out. */
async function loaded(args: readonly string[]): Promise<string[]> {
  const log = path.join(dir, `load-${String(++runs)}.log`);
  await writeFile(log, '');
  await execFileAsync(process.execPath, ['--import', path.join(dir, 'register.mjs'), path.join(repoRoot, 'bin', 'napi-ship.js'), ...args], {
    env: { ...process.env, NAPI_SHIP_TEST_LOAD_LOG: log, NO_COLOR: '1' },
  });
  const root = pathToFileURL(repoRoot).href + '/';
  return (await readFile(log, 'utf8'))
    .split('\n')
    .filter((u) => u.startsWith('file:'))
    .map((u) => (u.startsWith(root) ? u.slice(root.length) : u));
}

const HEAVY = ['undici', 'node_modules/tar', 'npm-packlist', 'spdx', 'yaml', 'ignore-walk', 'semver', 'verdaccio'];

describe('start-up loads only what the command uses', () => {
  for (const args of [['--version'], ['--help'], ['inspect', hostCoreBinary]]) {
    test(`napi-ship ${args[0] ?? ''}`, async () => {
      const modules = await loaded(args);
      assert.ok(
        modules.some((m) => m.endsWith('dist/src/cli/main.js')),
        'the hook saw the CLI load',
      );
      for (const heavy of HEAVY) assert.ok(!modules.some((m) => m.includes(heavy)), `${heavy} not loaded: ${modules.join(' ')}`);
      const commandModules = modules.filter((m) => m.includes('dist/src/cli/commands/') && !m.endsWith('/usage.js'));
      assert.deepEqual(
        commandModules.map((m) => path.basename(m)),
        args[0] === 'inspect' ? ['inspect.js'] : [],
        'only the command that runs is loaded',
      );
      const allowed = /^(bin\/napi-ship\.js|dist\/src\/(cli|diagnostics|util|core)\/.*|dist\/src\/report\/table\.js)$/;
      assert.deepEqual(
        modules.filter((m) => !allowed.test(m)),
        [],
        'only the CLI shell, diagnostics, utils and (for inspect) the core wrapper',
      );
    });
  }

  test('a heavy command still loads its own code (the hook sees it)', async () => {
    const modules = await loaded(['pack', '--help']);
    assert.ok(modules.some((m) => m.endsWith('dist/src/cli/commands/pack.js')));
    assert.ok(
      modules.some((m) => m.includes('node_modules') && m.includes('tar')),
      'pack loads tar',
    );
  });
});
