/**
 * `build` runs the project's own build: its build script's `napi build` flags, features, `--js` /
 * `--dts` names, output dir and environment (src/build/script.ts, project.ts), a crate in a
 * subfolder, and never writes over a hand-written loader (src/build/outputs.ts).
 *
 * Real projects' build scripts come from their published package.json on the npm registry (cached
 * under .cache/corpus/manifests); the fixture crate in test/fixtures/subfolder-crate is built for
 * this machine's target only, in the repository's cargo target dir (it shares the napi crates the core
 * build compiled there).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  isGeneratedByNapiRs,
  napiApiOptions,
  parseNapiBuildArgs,
  projectArgs,
  projectBuild,
  readBuildScript,
  shellWords,
  type BuildResult,
} from '../src/build/index.js';
import type { Diagnostic } from '../src/diagnostics/index.js';
import { makeStaging, placeBuildOutputs, removeStaging } from '../src/build/outputs.js';
import { loadPlan } from '../src/plan/index.js';
import { manifest } from './helpers/corpus.js';
import { repoRoot, runCli } from './helpers/cli.js';

/** What `napi-ship build --json` prints: the build outcome's result and its diagnostics. */
type BuildJson = BuildResult & { readonly diagnostics: readonly Diagnostic[] };

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-build-project-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A root package dir holding `pkg` as its package.json. */
async function packageDir(name: string, pkg: Readonly<Record<string, unknown>>, sub = ''): Promise<string> {
  const dir = path.join(scratch, name, sub);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return dir;
}

/** The published package.json of a real napi-rs project (its scripts, napi config, publishConfig). */
async function published(name: string, version: string): Promise<Record<string, unknown>> {
  const m = await manifest(name, version);
  assert.ok(m, `${name}@${version} is on the registry`);
  const { name: n, version: v, napi, scripts, main, publishConfig, packageManager } = m;
  return { name: n, version: v, napi, scripts, main, publishConfig, packageManager };
}

describe('reading a build script (pure)', () => {
  test('shell words: quotes, escapes, operators with and without spaces', () => {
    assert.deepEqual(shellWords(`A='x y' napi build --dts-header "/* a \\"b\\" */"&&tsc -d;echo ok|cat`), [
      'A=x y',
      'napi',
      'build',
      '--dts-header',
      '/* a "b" */',
      '&&',
      'tsc',
      '-d',
      ';',
      'echo',
      'ok',
      '|',
      'cat',
    ]);
  });

  test("napi build's flags: one declaration each; aliases, =values, repeats, negation, per-target and dropped ones, cargo's rest", () => {
    const f = parseNapiBuildArgs([
      '--platform',
      '-r',
      '-F',
      'simd',
      '--features=serde',
      '--js',
      'binding.js',
      '--dts=binding.d.ts',
      '--no-dts-cache',
      '--no-default-features',
      '-p',
      'addon',
      '-o',
      'dist',
      '--target',
      'x86_64-unknown-linux-gnu',
      '--use-napi-cross',
      '-x',
      '--watch',
      '--pipe',
      'prettier -w',
      '--frobnicate',
      '--',
      '--locked',
    ]);
    assert.deepEqual(f.options, {
      platform: true,
      release: true,
      features: ['simd', 'serde'],
      jsBinding: 'binding.js',
      dts: 'binding.d.ts',
      dtsCache: false,
      noDefaultFeatures: true,
      package: 'addon',
    });
    assert.equal(f.outputDir, 'dist');
    assert.deepEqual(f.perTarget, ['--target x86_64-unknown-linux-gnu', '--use-napi-cross', '-x']);
    assert.deepEqual(f.dropped, ['--watch', '--pipe prettier -w']);
    assert.deepEqual(f.unknown, ['--frobnicate']);
    assert.deepEqual(f.cargoOptions, ['--locked']);
    assert.deepEqual(f.args, [
      '--platform',
      '-r',
      '-F',
      'simd',
      '--features=serde',
      '--js',
      'binding.js',
      '--dts=binding.d.ts',
      '--no-dts-cache',
      '--no-default-features',
      '-p',
      'addon',
      '--frobnicate',
    ]);
  });

  test('env prefixes, cross-env, nested runs with appended args, other commands; a script that runs no napi build', () => {
    const s = readBuildScript({
      scripts: {
        build: 'cross-env TARGET_CC=clang CFLAGS="-O2 -g" pnpm run build:napi --release',
        'build:napi': 'tsc -d && CC=clang napi build --platform --features simd',
      },
    });
    assert.ok(s);
    assert.deepEqual(s.chain, ['build', 'build:napi']);
    assert.deepEqual(s.napiArgs, ['--platform', '--features', 'simd', '--release']);
    assert.deepEqual(s.env, { TARGET_CC: 'clang', CFLAGS: '-O2 -g', CC: 'clang' });
    assert.equal(s.forwardsArgs, true);
    assert.deepEqual(s.otherCommands, ['tsc -d']);
    const npm = readBuildScript({ scripts: { build: 'npm run napi -- --release && node post.js', napi: 'napi build --platform' } });
    assert.deepEqual(npm?.napiArgs, ['--platform', '--release']);
    assert.equal(npm.forwardsArgs, false, 'appended args would reach node post.js, not napi build');
    const wrapper = readBuildScript({ scripts: { build: 'oxnode ./build.ts --platform --release' } });
    assert.equal(wrapper?.napiArgs, null);
    assert.equal(readBuildScript({ scripts: {} }), null);
  });

  test('napi-rs marks its generated loaders and typings; hand-written ones have no mark', () => {
    assert.ok(isGeneratedByNapiRs('/* eslint-disable */\n// @ts-nocheck\n/* auto-generated by NAPI-RS */\n', 'js'));
    assert.ok(!isGeneratedByNapiRs("module.exports = require('./binding.js')\n", 'js'));
    assert.ok(isGeneratedByNapiRs('/* my header */\nexport declare function f(): void\n', 'dts', { dtsHeader: '/* my header */' }));
    assert.ok(isGeneratedByNapiRs('export declare function f(): void\n', 'dts', { dtsWithoutHeader: true }));
    assert.ok(!isGeneratedByNapiRs('export declare function f(): void\n', 'js', { dtsWithoutHeader: true }));
  });
});

describe("real projects' build scripts (published package.json from the npm registry)", () => {
  test('@napi-rs/canvas: --js js-binding.js is kept; the loader goes beside package.json', async () => {
    const dir = await packageDir('canvas', await published('@napi-rs/canvas', '1.2.1'));
    await writeFile(path.join(dir, 'Cargo.toml'), '[package]\nname = "skia"\n');
    const p = projectBuild(await loadPlan(dir));
    assert.equal(p.flagsFrom, 'script');
    assert.equal(p.flags.options.jsBinding, 'js-binding.js');
    assert.equal(p.crateFrom, 'beside');
    assert.equal(p.outputDir, dir);
    assert.deepEqual(projectArgs(p), ['--js', 'js-binding.js']);
    assert.equal(p.script?.forwardsArgs, true);
    const api = napiApiOptions(p, undefined);
    assert.equal(api.release, true);
    assert.equal(api.platform, true);
    assert.equal(api.jsBinding, 'js-binding.js');
  });

  test('@swc/core: the crate two levels up (--manifest-path, -p), --js/--dts names, -o . and `tsc -d` before it', async () => {
    const pkg = await published('@swc/core', '1.16.22');
    const dir = await packageDir('swc', pkg, path.join('packages', 'core'));
    await writeFile(path.join(scratch, 'swc', 'Cargo.toml'), '[workspace]\nmembers = ["bindings/binding_core_node"]\n');
    const p = projectBuild(await loadPlan(dir));
    assert.equal(p.crateFrom, 'script');
    assert.equal(p.manifestPath, path.join(scratch, 'swc', 'Cargo.toml'));
    assert.equal(p.flags.options.package, 'binding_core_node');
    assert.equal(p.flags.options.jsBinding, './binding.js');
    assert.equal(p.flags.options.dts, './binding.d.ts');
    assert.equal(p.outputDir, dir, '-o . is the package dir');
    assert.deepEqual(p.script?.otherCommands, ['tsc -d']);
    assert.deepEqual(projectArgs(p), [
      '--manifest-path',
      '../../Cargo.toml',
      '-p',
      'binding_core_node',
      '--js',
      './binding.js',
      '--dts',
      './binding.d.ts',
      '--output-dir',
      '.',
    ]);
    assert.deepEqual(
      p.diagnostics.map((d) => d.code),
      [],
    );
  });

  test('oxc-parser: `pnpm run build-dev --features allocator --release` followed into build-dev (--esm, --js, --dts, --output-dir src-js)', async () => {
    const dir = await packageDir('oxc-parser', await published('oxc-parser', '0.159.0'));
    await writeFile(path.join(dir, 'Cargo.toml'), '[package]\nname = "oxc_parser_napi"\n');
    const p = projectBuild(await loadPlan(dir));
    assert.deepEqual(p.script?.chain, ['build', 'build-dev']);
    assert.deepEqual(p.flags.options.features, ['allocator']);
    assert.equal(p.flags.options.release, true);
    assert.equal(p.flags.options.esm, true);
    assert.equal(p.flags.options.jsBinding, 'bindings.js');
    assert.equal(p.flags.options.dts, 'index.d.ts');
    assert.equal(p.outputDir, path.join(dir, 'src-js'));
    // Its typings carry napi.dtsHeaderFile's text, not napi-rs's mark: still napi-rs's, so rewritten.
    assert.equal(p.dtsHeader, null, 'the header file is not there yet');
    await mkdir(path.join(dir, 'src-js'), { recursive: true });
    await writeFile(path.join(dir, 'src-js', 'header.d.ts'), '/* oxc header */\nimport type { Program } from "./ast"\n');
    const q = projectBuild(await loadPlan(dir));
    assert.equal(q.dtsHeader, '/* oxc header */\nimport type { Program } from "./ast"\n');
    const typings = `${q.dtsHeader}export declare function parseSync(): Program\n`;
    assert.ok(isGeneratedByNapiRs(typings, 'dts', { dtsHeader: q.dtsHeader }));
    assert.ok(!isGeneratedByNapiRs(typings, 'dts'));
  });

  test('@node-rs/argon2: its build runs a wrapper (oxnode ./build.ts): a warning saying so, napiShip.build.args takes over', async () => {
    const pkg = await published('@node-rs/argon2', '2.2.1');
    const dir = await packageDir('argon2', pkg);
    const p = projectBuild(await loadPlan(dir));
    assert.equal(p.flagsFrom, 'default');
    assert.deepEqual(
      p.diagnostics.map((d) => [d.code, d.severity]),
      [['NS_BUILD_SCRIPT_UNREAD', 'warning']],
    );
    assert.match(p.diagnostics[0]?.message ?? '', /oxnode \.\/build\.ts/);
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({ ...pkg, napiShip: { build: { args: ['--platform', '--release', '--features', 'fast'] } } }),
    );
    const q = projectBuild(await loadPlan(dir));
    assert.equal(q.flagsFrom, 'config');
    assert.deepEqual(q.flags.options.features, ['fast']);
    assert.deepEqual(q.diagnostics, []);
  });

  test('a wrong napiShip.build key is NS_CONFIG_INVALID; several candidate crates and none named is NS_BUILD_CRATE_AMBIGUOUS (exit 1)', async () => {
    const bad = await packageDir('bad-config', {
      name: 'bad',
      version: '1.0.0',
      napi: { binaryName: 'bad', targets: ['x86_64-unknown-linux-gnu'] },
      napiShip: { build: { env: { CC: 1 } } },
    });
    await assert.rejects(async () => projectBuild(await loadPlan(bad)), /napiShip\.build\.env/);
    const two = await packageDir('two-crates', {
      name: 'two',
      version: '1.0.0',
      napi: { binaryName: 'two', targets: ['x86_64-unknown-linux-gnu'] },
      scripts: { build: 'napi build --platform --release' },
    });
    const crate = '[package]\nname = "x"\n[lib]\ncrate-type = ["cdylib"]\n[dependencies]\nnapi = "3"\n';
    for (const sub of ['a', 'b']) {
      await mkdir(path.join(two, sub), { recursive: true });
      await writeFile(path.join(two, sub, 'Cargo.toml'), crate);
    }
    const r = await runCli(['build', '--cwd', two, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const outcome = JSON.parse(r.stdout) as BuildJson;
    assert.deepEqual(
      outcome.diagnostics.map((d) => d.code),
      ['NS_BUILD_CRATE_AMBIGUOUS'],
    );
    assert.match(outcome.diagnostics[0]?.message ?? '', /a\/Cargo\.toml, b\/Cargo\.toml/);
    assert.deepEqual(
      outcome.targets.map((t) => t.status),
      ['skipped'],
    );
  });
});

describe('placing outputs', () => {
  test('a hand-written loader and typings stay; generated ones are replaced; binaries and loaders go to their own dirs', async () => {
    const pkg = path.join(scratch, 'place');
    const loaders = path.join(pkg, 'js');
    await mkdir(loaders, { recursive: true });
    await writeFile(path.join(pkg, 'index.js'), "module.exports = require('./js/binding.js')\n");
    await writeFile(path.join(loaders, 'binding.js'), '/* auto-generated by NAPI-RS */\nold\n');
    const staging = await makeStaging(pkg);
    try {
      await writeFile(path.join(staging, 'a.linux-x64-gnu.node'), 'binary');
      await writeFile(path.join(staging, 'binding.js'), '/* auto-generated by NAPI-RS */\nnew\n');
      await writeFile(path.join(staging, 'index.js'), '/* auto-generated by NAPI-RS */\nwould overwrite\n');
      const moved = await placeBuildOutputs(staging, { binaryDir: pkg, loaderDir: loaders }, [
        { kind: 'node', path: path.join(staging, 'a.linux-x64-gnu.node') },
        { kind: 'js', path: path.join(staging, 'binding.js') },
        { kind: 'js', path: path.join(staging, 'index.js') },
      ]);
      assert.deepEqual(moved.kept, []);
      assert.equal(readFileSync(path.join(loaders, 'binding.js'), 'utf8'), '/* auto-generated by NAPI-RS */\nnew\n');
      assert.equal(readFileSync(path.join(pkg, 'a.linux-x64-gnu.node'), 'utf8'), 'binary');
      const again = await makeStaging(pkg);
      await writeFile(path.join(again, 'index.js'), '/* auto-generated by NAPI-RS */\nwould overwrite\n');
      const second = await placeBuildOutputs(again, { binaryDir: pkg, loaderDir: pkg }, [
        { kind: 'js', path: path.join(again, 'index.js') },
      ]);
      await removeStaging(again);
      assert.deepEqual(second.kept, [path.join(pkg, 'index.js')]);
      assert.equal(readFileSync(path.join(pkg, 'index.js'), 'utf8'), "module.exports = require('./js/binding.js')\n");
    } finally {
      await removeStaging(staging);
    }
  });
});

describe('a crate in a subfolder with a hand-written loader, built for this machine', () => {
  const hostTarget = 'x86_64-unknown-linux-gnu';
  const skip = process.platform !== 'linux' || process.arch !== 'x64' ? 'builds the fixture for linux x64 only' : false;

  test(
    "the build script's features, --js/--dts names and napiShip.build.env reach the binary; index.js/index.d.ts untouched; napiShip.build.args overrides, and the loader it would generate is kept out",
    { skip },
    async () => {
      const dir = path.join(scratch, 'subfolder-crate');
      cpSync(path.join(repoRoot, 'test', 'fixtures', 'subfolder-crate'), dir, { recursive: true });
      const handLoader = await readFile(path.join(dir, 'index.js'), 'utf8');
      const handTypes = await readFile(path.join(dir, 'index.d.ts'), 'utf8');
      const env = { ...process.env, CARGO_TARGET_DIR: path.join(repoRoot, 'target') };

      const r = await runCli(['build', '--cwd', dir, '--json', '-t', hostTarget], { env });
      assert.equal(r.code, 0, r.stderr);
      const outcome = JSON.parse(r.stdout) as BuildJson;
      assert.equal(outcome.manifestPath, path.join(dir, 'native', 'Cargo.toml'));
      assert.deepEqual(
        outcome.diagnostics.map((d) => d.code),
        ['NS_BUILD_CRATE_DETECTED'],
      );
      const t = outcome.targets[0];
      assert.equal(t?.status, 'built', t?.reason);
      assert.equal(t.output, path.join(dir, 'subcrate.linux-x64-gnu.node'));
      assert.match(
        t.command ?? '',
        /^FIXTURE_GREETING='hello from napiShip\.build\.env' napi build --platform --release( --use-napi-cross)? --features loud --js binding\.js --dts binding\.d\.ts --manifest-path native\/Cargo\.toml --output-dir \.$/,
      );
      assert.equal(await readFile(path.join(dir, 'index.js'), 'utf8'), handLoader, 'the hand-written loader is untouched');
      assert.equal(await readFile(path.join(dir, 'index.d.ts'), 'utf8'), handTypes);
      assert.ok(isGeneratedByNapiRs(await readFile(path.join(dir, 'binding.js'), 'utf8'), 'js'), 'napi-rs wrote binding.js');
      assert.match(await readFile(path.join(dir, 'binding.d.ts'), 'utf8'), /export declare function greeting\(\): string/);
      assert.equal(existsSync(path.join(dir, 'native', 'binding.js')), false, 'nothing written into the crate dir');
      const load = (): { shout: () => string; greeting: () => string } =>
        createRequire(path.join(dir, 'index.js'))(path.join(dir, 'index.js')) as { shout: () => string; greeting: () => string };
      assert.equal(load().shout(), 'HELLO FROM NAPISHIP.BUILD.ENV!', 'the loud feature and the env var were both in the build');

      // napiShip.build.args without --js/--dts: napi-rs generates index.js and index.d.ts, which
      // must not replace the hand-written ones; the binary is rebuilt without the loud feature.
      const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(
        path.join(dir, 'package.json'),
        JSON.stringify({
          ...pkg,
          napiShip: { build: { args: ['--platform', '--release'], env: { FIXTURE_GREETING: 'quiet' }, crateDir: 'native' } },
        }),
      );
      const r2 = await runCli(['build', '--cwd', dir, '--json', '-t', hostTarget], { env });
      assert.equal(r2.code, 0, r2.stderr);
      const second = JSON.parse(r2.stdout) as BuildJson;
      assert.deepEqual([...(second.targets[0]?.kept ?? [])].sort(), [path.join(dir, 'index.d.ts'), path.join(dir, 'index.js')]);
      assert.match(second.targets[0]?.reason ?? '', /kept the hand-written (index\.js, index\.d\.ts|index\.d\.ts, index\.js)/);
      assert.deepEqual(
        second.diagnostics.map((d) => d.code),
        ['NS_BUILD_LOADER_KEPT', 'NS_BUILD_LOADER_KEPT'],
      );
      assert.equal(await readFile(path.join(dir, 'index.js'), 'utf8'), handLoader);
      assert.equal(await readFile(path.join(dir, 'index.d.ts'), 'utf8'), handTypes);
      const check = await runCli(['inspect', path.join(dir, 'subcrate.linux-x64-gnu.node'), '--json']);
      assert.equal(check.code, 0, check.stderr);
      const probe = `process.stdout.write(require(${JSON.stringify(path.join(dir, 'binding.js'))}).greeting())`;
      const { execFileSync } = await import('node:child_process');
      assert.equal(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }), 'quiet');
    },
  );
});
