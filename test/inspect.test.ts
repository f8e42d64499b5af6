/**
 * The core's inspection of REAL binaries, each built here by a real toolchain (see
 * scripts/lib/fixtures.ts), compared field by field with what that toolchain was told to make.
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { before, describe, test } from 'node:test';
import { inspectBuffer, inspectFiles, inspectFileSync } from '../src/core/index.js';
import type { BinaryFacts, Inspected } from '../src/core/index.js';
import { buildFixtures } from '../scripts/lib/fixtures.js';
import type { Expectation, Fixture, FixtureName, FixtureSet } from '../scripts/lib/fixtures.js';

let set: FixtureSet;
const results = new Map<string, Inspected>();

before(async () => {
  set = await buildFixtures();
  const paths = [...set.all.map((f) => f.path), set.hostAddon];
  const inspected = await inspectFiles(paths);
  assert.equal(inspected.length, paths.length, 'one result per path');
  inspected.forEach((r, i) => {
    assert.equal(r.path, paths[i], 'results come back in the order of the paths');
    results.set(r.path, r);
  });
});

function factsOf(path: string): BinaryFacts {
  const r = results.get(path);
  assert.ok(r, `no result for ${path}`);
  if (!r.ok) assert.fail(`${path}: expected a report, got ${r.error.code}: ${r.error.message}`);
  return r.facts;
}

function fixture(name: FixtureName): Fixture {
  return set.fixtures[name];
}

function facts(name: FixtureName): BinaryFacts {
  return factsOf(fixture(name).path);
}

/** Every field the toolchain decided, one assertion each, so a failure names the field. */
function checkFacts(actual: BinaryFacts, expected: Expectation, label: string): void {
  const at = (field: string): string => `${label}: ${field}`;
  assert.equal(actual.format, expected.format, at('format'));
  assert.equal(actual.os, expected.os, at('os'));
  assert.equal(actual.cpu, expected.cpu, at('cpu'));
  assert.equal(actual.machine, expected.machine, at('machine'));
  assert.equal(actual.bits, expected.bits, at('bits'));
  assert.equal(actual.endian, expected.endian, at('endian'));
  assert.equal(actual.sharedLibrary, expected.sharedLibrary, at('sharedLibrary'));
  assert.equal(actual.libc, expected.libc, at('libc'));
  assert.equal(actual.glibc, expected.glibc, at('glibc (ceiling)'));
  assert.equal(actual.interpreter, expected.interpreter, at('interpreter'));
  if (expected.neededExact) {
    assert.deepEqual(actual.needed, expected.needed, at('needed'));
  } else {
    for (const lib of expected.needed)
      assert.ok(actual.needed.includes(lib), at(`needed includes ${lib} (got ${actual.needed.join(', ')})`));
  }
  assert.equal(actual.macosMin, expected.macosMin, at('macosMin'));
  assert.equal(actual.crt, expected.crt, at('crt'));
  assert.equal(actual.napiExport, expected.napiExport, at('napiExport'));
  assert.deepEqual(actual.napiSymbols, expected.napiSymbols, at('napiSymbols'));
  assert.equal(actual.slices.length, expected.slices.length, at('slice count'));
  // Slices may sit in the fat file in any order; match them by cpu.
  for (const want of expected.slices) {
    const got = actual.slices.find((s) => s.cpu === want.cpu);
    assert.ok(got, at(`a ${want.cpu} slice (got ${actual.slices.map((s) => s.cpu ?? '?').join(', ')})`));
    checkFacts(got, want, `${label} [slice ${want.cpu}]`);
  }
}

describe('every fixture, field by field against its recipe', () => {
  // The names are known before the fixtures are built; the tests look them up at run time.
  const names: FixtureName[] = [
    'linux-x64-gnu',
    'linux-x64-gnu-pthread',
    'linux-x64-gnu-arc4random',
    'linux-x64-gnu-no-export',
    'linux-arm64-gnu',
    'linux-x64-musl',
    'linux-arm64-musl',
    'win32-x64-mingw',
    'win32-x64-nocrt',
    'win32-arm64-nocrt',
    'win32-x64-msvc',
    'win32-arm64-msvc',
    'darwin-x64',
    'darwin-arm64',
    'darwin-universal',
    'android-arm64',
    'freebsd-x64',
  ];

  test('the list here covers every fixture the helper builds', () => {
    assert.deepEqual([...names].sort(), set.all.map((f) => f.name).sort());
  });

  for (const name of names) {
    test(name, async () => {
      const f = fixture(name);
      const actual = facts(name);
      checkFacts(actual, f.expect, `${name} (${f.description})`);
      assert.equal(actual.size, (await stat(f.path)).size, `${name}: size`);
    });
  }
});

describe('the three entry points agree', () => {
  test('inspectFileSync and inspectBuffer give the same facts as inspectFiles', async () => {
    for (const f of set.all) {
      const sync = inspectFileSync(f.path);
      assert.ok(sync.ok, `${f.name}: inspectFileSync`);
      assert.deepEqual(sync.facts, facts(f.name), `${f.name}: inspectFileSync vs inspectFiles`);
      const buffered = inspectBuffer(await readFile(f.path));
      assert.ok(buffered.ok, `${f.name}: inspectBuffer`);
      assert.deepEqual(buffered.facts, facts(f.name), `${f.name}: inspectBuffer vs inspectFiles`);
    }
  });
});

describe('what must be told apart', () => {
  test('the host-built napi-rs addon of the core is linux/x64/glibc with the napi export', () => {
    const host = factsOf(set.hostAddon);
    assert.equal(host.format, 'elf');
    assert.equal(host.os, 'linux');
    assert.equal(host.cpu, 'x64');
    assert.equal(host.bits, 64);
    assert.equal(host.endian, 'little');
    assert.equal(host.sharedLibrary, true);
    assert.equal(host.libc, 'glibc');
    assert.ok(host.glibc !== null && /^2\.\d+(\.\d+)?$/.test(host.glibc), `a glibc ceiling, got ${String(host.glibc)}`);
    assert.ok(host.needed.includes('libc.so.6'), `needed: ${host.needed.join(', ')}`);
    assert.equal(host.napiExport, true);
    assert.ok(host.napiSymbols.includes('napi_register_module_v1'));
    assert.equal(host.crt, null);
    assert.equal(host.macosMin, null);
  });

  test('musl and glibc builds of the same source are told apart', () => {
    const gnu = facts('linux-x64-gnu');
    const musl = facts('linux-x64-musl');
    assert.equal(gnu.libc, 'glibc');
    assert.equal(musl.libc, 'musl');
    assert.equal(musl.glibc, null, 'a musl build requires no GLIBC_ version');
    assert.equal(gnu.os, musl.os);
    assert.equal(gnu.cpu, musl.cpu);
  });

  test('MinGW, MSVC and no-CRT DLLs are told apart', () => {
    assert.equal(facts('win32-x64-mingw').crt, 'mingw');
    assert.equal(facts('win32-x64-msvc').crt, 'msvc');
    assert.equal(facts('win32-arm64-msvc').crt, 'msvc');
    assert.equal(facts('win32-x64-nocrt').crt, 'none');
    assert.equal(facts('win32-arm64-nocrt').crt, 'none');
    assert.ok(facts('win32-x64-mingw').needed.includes('msvcrt.dll'));
    assert.ok(facts('win32-x64-msvc').needed.includes('VCRUNTIME140.dll'));
    assert.ok(facts('win32-x64-msvc').needed.some((d) => d.startsWith('api-ms-win-crt-')));
    assert.deepEqual(facts('win32-x64-nocrt').needed, []);
  });

  test('pthread_create and arc4random builds report exactly GLIBC_2.34 and GLIBC_2.36', () => {
    assert.equal(facts('linux-x64-gnu-pthread').glibc, '2.34');
    assert.equal(facts('linux-x64-gnu-arc4random').glibc, '2.36');
    // The plain build only needs the x86-64 baseline.
    assert.equal(facts('linux-x64-gnu').glibc, '2.2.5');
  });

  test('android and freebsd ELF files are not reported as linux (and have no libc)', () => {
    for (const name of ['android-arm64', 'freebsd-x64'] as const) {
      const f = facts(name);
      assert.notEqual(f.os, 'linux', name);
      assert.equal(f.libc, null, `${name}: libc`);
    }
    assert.equal(facts('android-arm64').os, 'android');
    assert.equal(facts('freebsd-x64').os, 'freebsd');
  });

  test('the build without the export has napiExport false and no napi symbols', () => {
    const f = facts('linux-x64-gnu-no-export');
    assert.equal(f.napiExport, false);
    assert.deepEqual(f.napiSymbols, []);
    // …while everything else about it is the same as the exporting build.
    assert.equal(f.libc, 'glibc');
    assert.equal(facts('linux-x64-gnu').napiExport, true);
  });

  test('the universal Mach-O holds the two thin dylibs, byte sizes and minimums included', async () => {
    const fat = facts('darwin-universal');
    assert.equal(fat.cpu, 'universal');
    assert.equal(fat.macosMin, '11.0', 'the strictest slice minimum');
    for (const name of ['darwin-x64', 'darwin-arm64'] as const) {
      const thin = facts(name);
      const slice = fat.slices.find((s) => s.cpu === thin.cpu);
      assert.ok(slice, `${name} slice`);
      assert.equal(slice.size, (await stat(fixture(name).path)).size, `${name}: slice size equals the thin file`);
      assert.deepEqual({ ...slice, size: 0 }, { ...thin, size: 0 }, `${name}: the slice reads like the thin file`);
    }
  });
});
