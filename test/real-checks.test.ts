/**
 * Checks that must hold on what real napi-rs projects ship: the loader followed through wrappers
 * and custom names, static-CRT MSVC DLLs, per-architecture glibc floors, OpenHarmony vs musl.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BinaryFacts } from '../src/core/index.js';
import type { PlannedTarget } from '../src/plan/index.js';
import { lookupTarget, platformPackageName, type TargetSpec } from '../src/targets/index.js';
import { checkBinary } from '../src/verify/binary.js';
import { checkFloors, glibcCeiling } from '../src/verify/floors.js';
import { checkLoader, computesPackageName, localSpecifiers, traceLoader } from '../src/verify/loader.js';
import { resolvePolicy } from '../src/verify/policy.js';

function spec(triple: string): TargetSpec {
  const s = lookupTarget(triple);
  assert.ok(s, triple);
  return s;
}

function planned(triple: string, packageName = '@acme/addon', binaryName = 'addon'): PlannedTarget {
  const s = spec(triple);
  return {
    spec: s,
    packageName: platformPackageName(packageName, s),
    packageDir: `/x/${s.platformArchABI}`,
    binaryFile: s.binaryFile(binaryName),
  };
}

function facts(over: Partial<BinaryFacts>): BinaryFacts {
  return {
    format: 'elf',
    os: 'linux',
    cpu: 'x64',
    machine: 'X86_64',
    bits: 64,
    endian: 'little',
    sharedLibrary: true,
    libc: 'glibc',
    glibc: '2.17',
    interpreter: null,
    needed: ['libc.so.6'],
    macosMin: null,
    crt: null,
    napiExport: true,
    napiSymbols: ['napi_register_module_v1'],
    stripped: true,
    slices: [],
    size: 1000,
    ...over,
  };
}

/** A napi-rs generated loader's lines for some targets. */
function loaderText(targets: readonly PlannedTarget[]): string {
  return targets
    .map(
      (t) =>
        `try { return require('./${t.binaryFile}') } catch (e) { loadErrors.push(e) }\ntry { return require('${t.packageName}') } catch (e) {}\n`,
    )
    .join('');
}

void test('localSpecifiers finds relative require/import/export-from, not packages', () => {
  const text = `const a = require('./binding.js'); import b from "../x/y"; export * from './z.mjs'; import('./lazy'); require('node:fs'); require('@acme/addon-linux-x64-gnu')`;
  assert.deepEqual(localSpecifiers(text).sort(), ['../x/y', './binding.js', './lazy', './z.mjs']);
});

void test('the loader check follows a wrapper main and a custom --js name, names the loader, and still catches a missing target', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'napi-ship-loader-'));
  try {
    const targets = [planned('x86_64-unknown-linux-gnu'), planned('aarch64-apple-darwin'), planned('wasm32-wasip1-threads')];
    writeFileSync(path.join(dir, 'main.js'), "'use strict'\nconst binding = require('./lib/wrap')\nmodule.exports = binding\n");
    const lib = path.join(dir, 'lib');
    mkdirSync(lib);
    writeFileSync(path.join(lib, 'wrap.js'), "module.exports = require('../binding')\n");
    writeFileSync(path.join(dir, 'binding.js'), loaderText(targets));
    const root = { name: '@acme/addon', main: 'main.js' };
    const trace = await traceLoader(dir, root, '@acme/addon');
    assert.deepEqual(trace.entries, ['main.js']);
    assert.deepEqual(trace.followed, ['main.js', 'lib/wrap.js', 'binding.js']);
    assert.deepEqual(
      trace.loaders.map((l) => l.file),
      ['binding.js'],
    );
    // WASI: napi-rs's loader requires the .cjs loader, not the .wasm: a loader naming only the .wasm lacks it.
    assert.deepEqual(
      checkLoader(trace, targets, 'package.json').map((d) => d.target),
      ['wasm32-wasi'],
    );
    writeFileSync(path.join(dir, 'binding.js'), loaderText(targets).replace(/addon\.wasm32-wasi\.wasm/g, 'addon.wasi.cjs'));
    assert.deepEqual(checkLoader(await traceLoader(dir, root, '@acme/addon'), targets, 'package.json'), []);

    // A loader that really lacks a target fails, on that target, naming the loader file.
    writeFileSync(path.join(dir, 'binding.js'), loaderText(targets.slice(0, 1)));
    const lacking = checkLoader(await traceLoader(dir, root, '@acme/addon'), targets, 'package.json');
    assert.deepEqual(
      lacking.map((d) => [d.code, d.target, d.subject]),
      [
        ['NS_VERIFY_LOADER', 'darwin-arm64', 'binding.js'],
        ['NS_VERIFY_LOADER', 'wasm32-wasi', 'binding.js'],
      ],
    );
    assert.match(lacking[0]!.message, /binding\.js/);

    // exports instead of main; and a main that reaches no loader at all.
    writeFileSync(path.join(dir, 'binding.js'), loaderText(targets).replace(/addon\.wasm32-wasi\.wasm/g, 'addon.wasi.cjs'));
    const viaExports = await traceLoader(dir, { exports: { '.': { require: './main.js', import: './main.js' } } }, '@acme/addon');
    assert.deepEqual(checkLoader(viaExports, targets, 'package.json'), []);
    writeFileSync(path.join(dir, 'other.js'), 'module.exports = 1\n');
    const none = checkLoader(await traceLoader(dir, { main: 'other.js' }, '@acme/addon'), targets, 'package.json');
    assert.deepEqual(
      none.map((d) => [d.code, d.target]),
      [['NS_VERIFY_LOADER', undefined]],
    );
    assert.match(none[0]!.message, /no file reached from other\.js/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('the loader check follows package.json `imports` (#index, as @tursodatabase/database reaches its loader) and notes a loader that computes the package name (lightningcss)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'napi-ship-loader-imports-'));
  try {
    const targets = [planned('x86_64-unknown-linux-gnu'), planned('aarch64-apple-darwin')];
    // @tursodatabase/database 0.7.2: main dist/promise.js imports "#index" (imports: { "#index": "./index.js" })
    // and names @tursodatabase/database-common, which is no platform package.
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(
      path.join(dir, 'dist', 'promise.js'),
      'import { DatabasePromise } from "@acme/addon-common";\nimport { Database as NativeDB } from "#index";\nexport { NativeDB, DatabasePromise };\n',
    );
    writeFileSync(path.join(dir, 'index.js'), loaderText(targets));
    const root = { name: '@acme/addon', type: 'module', main: './dist/promise.js', imports: { '#index': './index.js' } };
    const trace = await traceLoader(dir, root, '@acme/addon');
    assert.deepEqual(trace.followed, ['dist/promise.js', 'index.js']);
    assert.deepEqual(checkLoader(trace, targets, 'package.json'), []);
    // Without the imports map entry, the loader is out of reach: each target fails.
    const unmapped = checkLoader(await traceLoader(dir, { ...root, imports: {} }, '@acme/addon'), targets, 'package.json');
    assert.deepEqual(
      unmapped.map((d) => [d.code, d.severity, d.target]),
      [
        ['NS_VERIFY_LOADER', 'error', 'linux-x64-gnu'],
        ['NS_VERIFY_LOADER', 'error', 'darwin-arm64'],
      ],
    );

    // lightningcss 1.33.0's loader (node/index.js): require(`lightningcss-${parts.join('-')}`).
    const computedLoader =
      "let parts = [process.platform, process.arch];\nif (process.platform === 'linux') parts.push('gnu');\nlet native;\ntry {\n  native = require(`@acme/addon-${parts.join('-')}`);\n} catch (err) {\n  native = require(`../addon.${parts.join('-')}.node`);\n}\nmodule.exports = native;\n";
    writeFileSync(path.join(dir, 'computed.js'), computedLoader);
    const computed = checkLoader(await traceLoader(dir, { main: 'computed.js' }, '@acme/addon'), targets, 'package.json');
    assert.deepEqual(
      computed.map((d) => [d.code, d.severity]),
      [['NS_VERIFY_LOADER', 'note']],
    );
    assert.match(computed[0]!.message, /computes the platform package's name at run time \(2 target\(s\)/);
    assert.ok(computesPackageName("require('@acme/addon-' + suffix)", targets));
    // A computed name under another prefix is no answer for these packages: still an error per target.
    writeFileSync(
      path.join(dir, 'other-prefix.js'),
      "const n = require(`@acme/other-${process.arch}`); module.exports = require('@acme/addon-core');\n",
    );
    const other = checkLoader(await traceLoader(dir, { main: 'other-prefix.js' }, '@acme/addon'), targets, 'package.json');
    assert.deepEqual(
      other.map((d) => [d.severity, d.target]),
      [
        ['error', 'linux-x64-gnu'],
        ['error', 'darwin-arm64'],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a static-CRT MSVC DLL (imports no C runtime) verifies clean; in a windows-gnu slot it is a warning', () => {
  const pe = facts({ format: 'pe', os: 'win32', libc: null, glibc: null, crt: 'none', needed: ['KERNEL32.dll', 'ntdll.dll'] });
  assert.deepEqual(checkBinary(spec('x86_64-pc-windows-msvc'), pe, 'a.node'), []);
  assert.deepEqual(
    checkBinary(spec('x86_64-pc-windows-gnu'), pe, 'a.node').map((d) => [d.code, d.severity]),
    [['NS_BINARY_CRT_UNPROVEN', 'warning']],
  );
  assert.deepEqual(
    checkBinary(spec('x86_64-pc-windows-msvc'), { ...pe, crt: 'mingw' }, 'a.node').map((d) => d.code),
    ['NS_BINARY_CRT'],
  );
});

void test('glibc ceilings are raised to each architecture’s oldest glibc, and hints name toolchains that exist', () => {
  const policy = resolvePolicy({ engines: { node: '>=10' } }, {}, {});
  assert.equal(policy.glibcMax, '2.17');
  assert.equal(glibcCeiling(spec('riscv64gc-unknown-linux-gnu'), policy), '2.27');
  assert.equal(glibcCeiling(spec('loongarch64-unknown-linux-gnu'), policy), '2.36');
  assert.equal(glibcCeiling(spec('x86_64-unknown-linux-gnu'), policy), '2.17');
  const riscv = spec('riscv64gc-unknown-linux-gnu');
  const rv = (glibc: string): BinaryFacts => facts({ cpu: 'riscv64', machine: 'Riscv64', glibc });
  assert.deepEqual(checkFloors(riscv, rv('2.27'), policy, 'a.node'), []);
  const over = checkFloors(riscv, rv('2.34'), policy, 'a.node');
  assert.deepEqual(
    over.map((d) => d.code),
    ['NS_VERIFY_GLIBC_CEILING'],
  );
  assert.match(over[0]!.hint, /riscv64gc-unknown-linux-gnu\.2\.27/);
  assert.doesNotMatch(over[0]!.hint, /use-napi-cross/);
  const gnu = checkFloors(spec('x86_64-unknown-linux-gnu'), facts({ glibc: '2.28' }), policy, 'a.node');
  assert.match(gnu[0]!.hint, /--use-napi-cross/);
  // armv7 gnueabihf has no npm libc field, but its binary links glibc: its ceiling is checked too.
  const arm = spec('armv7-unknown-linux-gnueabihf');
  assert.equal(arm.libc, null);
  assert.equal(checkFloors(arm, facts({ cpu: 'arm', machine: 'Arm', bits: 32, glibc: '2.28' }), policy, 'a.node').length, 1);
});

void test('OpenHarmony: an OHOS binary passes its slot, a linux-musl binary there is caught as the wrong OS', () => {
  const ohos = spec('aarch64-unknown-linux-ohos');
  const ohosFacts = facts({ os: 'openharmony', cpu: 'arm64', machine: 'Aarch64', libc: 'musl', glibc: null, needed: ['libc.so'] });
  assert.deepEqual(checkBinary(ohos, ohosFacts, 'a.node'), []);
  const musl = checkBinary(ohos, { ...ohosFacts, os: 'linux' }, 'a.node');
  assert.deepEqual(
    musl.map((d) => [d.code, d.expected, d.found]),
    [['NS_BINARY_OS', 'openharmony', 'linux']],
  );
  // And the other way: an OHOS binary in a linux-musl slot.
  assert.deepEqual(
    checkBinary(spec('aarch64-unknown-linux-musl'), ohosFacts, 'a.node').map((d) => d.code),
    ['NS_BINARY_OS'],
  );
});
