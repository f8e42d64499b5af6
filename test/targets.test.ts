import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// The CLI's public programmatic API (its package `exports` "."): parseTriple and readNapiConfig.
import { parseTriple, readNapiConfig as cliReadNapiConfig } from '@napi-rs/cli';
import { DiagnosticError, type Diagnostic } from '../src/diagnostics/index.js';
import { CORE_TARGETS, repoRoot } from './helpers/cli.js';
import {
  AVAILABLE_TARGETS,
  DEFAULT_TARGETS,
  TRIPLE_ALIASES,
  V2_DEFAULT_TARGETS,
  allTargets,
  napiParseTriple,
  lookupTarget,
  platformPackageName,
  readNapiConfig,
  readTargets,
  type TargetSpec,
} from '../src/targets/index.js';

const corePackageJsonPath = join(repoRoot, 'crates/napi-ship-node/package.json');
const cliDir = dirname(createRequire(import.meta.url).resolve('@napi-rs/cli/package.json'));

type Row = Omit<TargetSpec, 'binaryFile' | 'universalOf' | 'triple' | 'binaryLibc' | 'glibcFloor'>;

/** What every triple must be, written out by hand (not derived): npm fields and binary facts. */
const EXPECTED: Readonly<Record<string, Row>> = {
  // The eight targets of the repo's own core package.
  'x86_64-apple-darwin': {
    platformArchABI: 'darwin-x64',
    platform: 'darwin',
    arch: 'x64',
    abi: null,
    os: 'darwin',
    cpu: ['x64'],
    libc: null,
    format: 'macho',
    bits: 64,
    endian: 'little',
    machine: 'X86_64',
    crt: null,
  },
  'aarch64-apple-darwin': {
    platformArchABI: 'darwin-arm64',
    platform: 'darwin',
    arch: 'arm64',
    abi: null,
    os: 'darwin',
    cpu: ['arm64'],
    libc: null,
    format: 'macho',
    bits: 64,
    endian: 'little',
    machine: 'Aarch64',
    crt: null,
  },
  'x86_64-unknown-linux-gnu': {
    platformArchABI: 'linux-x64-gnu',
    platform: 'linux',
    arch: 'x64',
    abi: 'gnu',
    os: 'linux',
    cpu: ['x64'],
    libc: 'glibc',
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'X86_64',
    crt: null,
  },
  'x86_64-unknown-linux-musl': {
    platformArchABI: 'linux-x64-musl',
    platform: 'linux',
    arch: 'x64',
    abi: 'musl',
    os: 'linux',
    cpu: ['x64'],
    libc: 'musl',
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'X86_64',
    crt: null,
  },
  'aarch64-unknown-linux-gnu': {
    platformArchABI: 'linux-arm64-gnu',
    platform: 'linux',
    arch: 'arm64',
    abi: 'gnu',
    os: 'linux',
    cpu: ['arm64'],
    libc: 'glibc',
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'Aarch64',
    crt: null,
  },
  'aarch64-unknown-linux-musl': {
    platformArchABI: 'linux-arm64-musl',
    platform: 'linux',
    arch: 'arm64',
    abi: 'musl',
    os: 'linux',
    cpu: ['arm64'],
    libc: 'musl',
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'Aarch64',
    crt: null,
  },
  'x86_64-pc-windows-msvc': {
    platformArchABI: 'win32-x64-msvc',
    platform: 'win32',
    arch: 'x64',
    abi: 'msvc',
    os: 'win32',
    cpu: ['x64'],
    libc: null,
    format: 'pe',
    bits: 64,
    endian: 'little',
    machine: 'X86_64',
    crt: 'msvc',
  },
  'aarch64-pc-windows-msvc': {
    platformArchABI: 'win32-arm64-msvc',
    platform: 'win32',
    arch: 'arm64',
    abi: 'msvc',
    os: 'win32',
    cpu: ['arm64'],
    libc: null,
    format: 'pe',
    bits: 64,
    endian: 'little',
    machine: 'Aarch64',
    crt: 'msvc',
  },
  // Every other triple @napi-rs/cli lists.
  'aarch64-linux-android': {
    platformArchABI: 'android-arm64',
    platform: 'android',
    arch: 'arm64',
    abi: null,
    os: 'android',
    cpu: ['arm64'],
    libc: null,
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'Aarch64',
    crt: null,
  },
  'aarch64-unknown-linux-ohos': {
    platformArchABI: 'openharmony-arm64',
    platform: 'openharmony',
    arch: 'arm64',
    abi: null,
    os: 'openharmony',
    cpu: ['arm64'],
    libc: null,
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'Aarch64',
    crt: null,
  },
  'aarch64-unknown-freebsd': {
    platformArchABI: 'freebsd-arm64',
    platform: 'freebsd',
    arch: 'arm64',
    abi: null,
    os: 'freebsd',
    cpu: ['arm64'],
    libc: null,
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'Aarch64',
    crt: null,
  },
  // napi-rs writes libc ["glibc"] here (abi "gnu"); npm then refuses the package on Windows, so we expect none.
  'x86_64-pc-windows-gnu': {
    platformArchABI: 'win32-x64-gnu',
    platform: 'win32',
    arch: 'x64',
    abi: 'gnu',
    os: 'win32',
    cpu: ['x64'],
    libc: null,
    format: 'pe',
    bits: 64,
    endian: 'little',
    machine: 'X86_64',
    crt: 'mingw',
  },
  'x86_64-unknown-linux-ohos': {
    platformArchABI: 'openharmony-x64',
    platform: 'openharmony',
    arch: 'x64',
    abi: null,
    os: 'openharmony',
    cpu: ['x64'],
    libc: null,
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'X86_64',
    crt: null,
  },
  'x86_64-unknown-freebsd': {
    platformArchABI: 'freebsd-x64',
    platform: 'freebsd',
    arch: 'x64',
    abi: null,
    os: 'freebsd',
    cpu: ['x64'],
    libc: null,
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'X86_64',
    crt: null,
  },
  'i686-pc-windows-msvc': {
    platformArchABI: 'win32-ia32-msvc',
    platform: 'win32',
    arch: 'ia32',
    abi: 'msvc',
    os: 'win32',
    cpu: ['ia32'],
    libc: null,
    format: 'pe',
    bits: 32,
    endian: 'little',
    machine: 'I386',
    crt: 'msvc',
  },
  'armv7-unknown-linux-gnueabihf': {
    platformArchABI: 'linux-arm-gnueabihf',
    platform: 'linux',
    arch: 'arm',
    abi: 'gnueabihf',
    os: 'linux',
    cpu: ['arm'],
    libc: null,
    format: 'elf',
    bits: 32,
    endian: 'little',
    machine: 'Arm',
    crt: null,
  },
  'armv7-unknown-linux-musleabihf': {
    platformArchABI: 'linux-arm-musleabihf',
    platform: 'linux',
    arch: 'arm',
    abi: 'musleabihf',
    os: 'linux',
    cpu: ['arm'],
    libc: null,
    format: 'elf',
    bits: 32,
    endian: 'little',
    machine: 'Arm',
    crt: null,
  },
  'armv7-linux-androideabi': {
    platformArchABI: 'android-arm-eabi',
    platform: 'android',
    arch: 'arm',
    abi: 'eabi',
    os: 'android',
    cpu: ['arm'],
    libc: null,
    format: 'elf',
    bits: 32,
    endian: 'little',
    machine: 'Arm',
    crt: null,
  },
  'universal-apple-darwin': {
    platformArchABI: 'darwin-universal',
    platform: 'darwin',
    arch: 'universal',
    abi: null,
    os: 'darwin',
    cpu: ['x64', 'arm64'],
    libc: null,
    format: 'macho-fat',
    bits: 64,
    endian: 'little',
    machine: null,
    crt: null,
  },
  'loongarch64-unknown-linux-gnu': {
    platformArchABI: 'linux-loong64-gnu',
    platform: 'linux',
    arch: 'loong64',
    abi: 'gnu',
    os: 'linux',
    cpu: ['loong64'],
    libc: 'glibc',
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'LoongArch64',
    crt: null,
  },
  'riscv64gc-unknown-linux-gnu': {
    platformArchABI: 'linux-riscv64-gnu',
    platform: 'linux',
    arch: 'riscv64',
    abi: 'gnu',
    os: 'linux',
    cpu: ['riscv64'],
    libc: 'glibc',
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'Riscv64',
    crt: null,
  },
  'powerpc64le-unknown-linux-gnu': {
    platformArchABI: 'linux-ppc64-gnu',
    platform: 'linux',
    arch: 'ppc64',
    abi: 'gnu',
    os: 'linux',
    cpu: ['ppc64'],
    libc: 'glibc',
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'PowerPc64',
    crt: null,
  },
  'powerpc64le-unknown-freebsd': {
    platformArchABI: 'freebsd-ppc64',
    platform: 'freebsd',
    arch: 'ppc64',
    abi: null,
    os: 'freebsd',
    cpu: ['ppc64'],
    libc: null,
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'PowerPc64',
    crt: null,
  },
  's390x-unknown-linux-gnu': {
    platformArchABI: 'linux-s390x-gnu',
    platform: 'linux',
    arch: 's390x',
    abi: 'gnu',
    os: 'linux',
    cpu: ['s390x'],
    libc: 'glibc',
    format: 'elf',
    bits: 64,
    endian: 'big',
    machine: 'S390x',
    crt: null,
  },
  'wasm32-wasip1': {
    platformArchABI: 'wasm32-wasip1',
    platform: 'wasi',
    arch: 'wasm32',
    abi: 'wasi',
    os: null,
    cpu: ['wasm32'],
    libc: null,
    format: 'wasm',
    bits: 32,
    endian: 'little',
    machine: 'Wasm32',
    crt: null,
  },
  'wasm32-wasip1-threads': {
    platformArchABI: 'wasm32-wasi',
    platform: 'wasi',
    arch: 'wasm32',
    abi: 'wasi',
    os: null,
    cpu: ['wasm32'],
    libc: null,
    format: 'wasm',
    bits: 32,
    endian: 'little',
    machine: 'Wasm32',
    crt: null,
  },
};

/** The diagnostics a call threw (fails the test when it did not throw a DiagnosticError). */
function diagnosticsOf(fn: () => unknown): readonly Diagnostic[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DiagnosticError, `expected a DiagnosticError, got ${String(error)}`);
    return error.diagnostics;
  }
  assert.fail('expected a DiagnosticError, nothing was thrown');
}

function withNapi(napi: unknown): unknown {
  return { name: '@acme/addon', version: '1.0.0', napi };
}

/**
 * A `const NAME = [...]` list of @napi-rs/cli's dist: AVAILABLE_TARGETS, DEFAULT_TARGETS and
 * UniArchsByPlatform are not part of its public API, so the drift check reads the shipped code.
 */
function cliList(pattern: RegExp): string[] {
  const text = readFileSync(join(cliDir, 'dist/index.js'), 'utf8');
  const body = pattern.exec(text)?.[1];
  assert.ok(body !== undefined, `@napi-rs/cli dist/index.js no longer matches ${String(pattern)}: update the drift check`);
  return [...body.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '');
}

void test('the table lists exactly the triples @napi-rs/cli lists, in its order, with its defaults', () => {
  assert.deepEqual([...AVAILABLE_TARGETS], cliList(/const AVAILABLE_TARGETS = \[([^\]]*)\]/));
  assert.deepEqual([...DEFAULT_TARGETS], cliList(/const DEFAULT_TARGETS = \[([^\]]*)\]/));
  assert.deepEqual(
    allTargets().map((t) => t.triple),
    [...AVAILABLE_TARGETS],
  );
  assert.deepEqual(Object.keys(EXPECTED).sort(), [...AVAILABLE_TARGETS].sort());
});

void test('every target agrees with @napi-rs/cli parseTriple (its public API)', () => {
  for (const spec of allTargets()) {
    const { triple, platformArchABI, platform, arch, abi } = spec;
    assert.deepEqual({ triple, platformArchABI, platform, arch, abi }, { ...parseTriple(spec.triple) }, spec.triple);
  }
  for (const [alias, canonical] of Object.entries(TRIPLE_ALIASES)) {
    const spec = lookupTarget(alias);
    assert.ok(spec, alias);
    assert.equal(spec.triple, canonical);
    const cli = parseTriple(alias);
    assert.deepEqual(
      { triple: spec.triple, platformArchABI: spec.platformArchABI, platform: spec.platform, arch: spec.arch, abi: spec.abi },
      { ...cli },
      alias,
    );
  }
});

void test('universal darwin serves the CPUs of napi-rs UniArchsByPlatform and merges both darwin triples', () => {
  const universal = lookupTarget('universal-apple-darwin');
  assert.ok(universal);
  assert.deepEqual([...universal.cpu], cliList(/const UniArchsByPlatform = \{ darwin: \[([^\]]*)\] \}/));
  assert.deepEqual(universal.universalOf, ['aarch64-apple-darwin', 'x86_64-apple-darwin']);
  assert.equal(lookupTarget('x86_64-apple-darwin')?.universalOf, null);
});

void test('every target has the npm fields and binary facts of the literal table', () => {
  for (const [triple, expected] of Object.entries(EXPECTED)) {
    const spec = lookupTarget(triple);
    assert.ok(spec, `${triple} is missing`);
    assert.equal(spec.triple, triple);
    const row: Row = {
      platformArchABI: spec.platformArchABI,
      platform: spec.platform,
      arch: spec.arch,
      abi: spec.abi,
      os: spec.os,
      cpu: [...spec.cpu],
      libc: spec.libc,
      format: spec.format,
      bits: spec.bits,
      endian: spec.endian,
      machine: spec.machine,
      crt: spec.crt,
    };
    assert.deepEqual(row, expected, triple);
    // No field of the spec goes unchecked.
    assert.deepEqual(
      Object.keys(spec).sort(),
      [...Object.keys(row), 'binaryFile', 'triple', 'universalOf', 'binaryLibc', 'glibcFloor'].sort(),
    );
  }
  // The eight core targets are all in the table.
  for (const triple of CORE_TARGETS) assert.ok(triple in EXPECTED, triple);
});

void test('binaryFile and platformPackageName follow napi-rs naming', () => {
  const gnu = lookupTarget('x86_64-unknown-linux-gnu');
  const universal = lookupTarget('universal-apple-darwin');
  const wasi = lookupTarget('wasm32-wasip1-threads');
  const wasip1 = lookupTarget('wasm32-wasip1');
  assert.ok(gnu && universal && wasi && wasip1);
  assert.equal(gnu.binaryFile('index'), 'index.linux-x64-gnu.node');
  assert.equal(universal.binaryFile('napi-ship-core'), 'napi-ship-core.darwin-universal.node');
  assert.equal(wasi.binaryFile('index'), 'index.wasm32-wasi.wasm');
  assert.equal(wasip1.binaryFile('index'), 'index.wasm32-wasip1.wasm');
  assert.equal(platformPackageName('@napi-ship/core', gnu), '@napi-ship/core-linux-x64-gnu');
  assert.equal(platformPackageName('addon', wasi), 'addon-wasm32-wasi');
});

void test('lookupTarget takes any triple napi-rs names that napi-ship can check, and nothing else', () => {
  assert.equal(lookupTarget('x86_64-unknown-linux-gnux'), undefined);
  assert.equal(lookupTarget('linux-x64-gnu'), undefined);
  assert.equal(lookupTarget(''), undefined);
  assert.equal(lookupTarget('sparc64-unknown-linux-gnu'), undefined);
  assert.equal(lookupTarget('wasm32-unknown-unknown'), undefined);
  // Real projects publish these; napi-rs 3 accepts them though they are not in AVAILABLE_TARGETS.
  const androideabi = lookupTarget('arm-linux-androideabi');
  assert.ok(androideabi);
  assert.deepEqual(
    [androideabi.platformArchABI, androideabi.os, androideabi.cpu, androideabi.libc, androideabi.machine, androideabi.bits],
    ['android-arm-eabi', 'android', ['arm'], null, 'Arm', 32],
  );
  const riscvMusl = lookupTarget('riscv64gc-unknown-linux-musl');
  assert.ok(riscvMusl);
  assert.deepEqual(
    [riscvMusl.platformArchABI, riscvMusl.libc, riscvMusl.binaryLibc, riscvMusl.glibcFloor, riscvMusl.machine],
    ['linux-riscv64-musl', 'musl', 'musl', null, 'Riscv64'],
  );
  assert.equal(lookupTarget('riscv64gc-unknown-linux-gnu')?.glibcFloor, '2.27');
  assert.equal(lookupTarget('loongarch64-unknown-linux-gnu')?.glibcFloor, '2.36');
  // napi-ship's libc facts extend napi-rs's npm fields: gnueabihf writes no libc but links glibc; OHOS links musl.
  assert.deepEqual(
    [lookupTarget('armv7-unknown-linux-gnueabihf')?.libc, lookupTarget('armv7-unknown-linux-gnueabihf')?.binaryLibc],
    [null, 'glibc'],
  );
  assert.deepEqual(
    [lookupTarget('aarch64-unknown-linux-ohos')?.libc, lookupTarget('aarch64-unknown-linux-ohos')?.binaryLibc],
    [null, 'musl'],
  );
});

void test('napiParseTriple is napi-rs parseTriple for every triple rustc knows, and every triple napi-ship accepts is named as napi-rs names it', () => {
  const rustc = spawnSync('rustc', ['--print', 'target-list'], { encoding: 'utf8' });
  assert.equal(rustc.status, 0, 'rustc --print target-list');
  const triples = rustc.stdout.split('\n').filter(Boolean);
  assert.ok(triples.length > 200, `${triples.length} triples`);
  let accepted = 0;
  for (const triple of [...triples, ...AVAILABLE_TARGETS, ...Object.keys(TRIPLE_ALIASES), 'arm-linux-androideabi']) {
    let cli: unknown;
    try {
      cli = { ...parseTriple(triple) };
    } catch {
      assert.throws(() => napiParseTriple(triple), triple);
      assert.equal(lookupTarget(triple), undefined, triple);
      continue;
    }
    assert.deepEqual({ ...napiParseTriple(triple) }, cli, triple);
    const spec = lookupTarget(triple);
    if (spec === undefined) continue;
    accepted++;
    const named = cli as { triple: string; platformArchABI: string; platform: string; arch: string; abi: string | null };
    assert.deepEqual(
      { triple: spec.triple, platformArchABI: spec.platformArchABI, platform: spec.platform, arch: spec.arch, abi: spec.abi },
      named,
      triple,
    );
    // npm's cpu field is napi-rs's arch, which must be one of Node's process.arch values (or universal/wasm32).
    assert.ok(['x64', 'arm64', 'ia32', 'arm', 'loong64', 'riscv64', 'ppc64', 's390x', 'universal', 'wasm32'].includes(spec.arch), triple);
  }
  assert.ok(accepted >= AVAILABLE_TARGETS.length + 5, `accepted ${accepted}`);
});

void test("the repo's core config reads to its eight targets", () => {
  const packageJson: unknown = JSON.parse(readFileSync(corePackageJsonPath, 'utf8'));
  const targets = readTargets(packageJson, corePackageJsonPath);
  assert.deepEqual(
    targets.map((t) => t.triple),
    CORE_TARGETS,
  );
  const config = readNapiConfig(packageJson, corePackageJsonPath);
  assert.equal(config.binaryName, 'napi-ship-core');
  assert.equal(config.packageName, '@napi-ship/core');
  assert.deepEqual(
    config.targets.map((t) => platformPackageName(config.packageName, t)),
    [
      '@napi-ship/core-darwin-x64',
      '@napi-ship/core-darwin-arm64',
      '@napi-ship/core-linux-x64-gnu',
      '@napi-ship/core-linux-x64-musl',
      '@napi-ship/core-linux-arm64-gnu',
      '@napi-ship/core-linux-arm64-musl',
      '@napi-ship/core-win32-x64-msvc',
      '@napi-ship/core-win32-arm64-msvc',
    ],
  );
});

void test('readNapiConfig agrees with @napi-rs/cli readNapiConfig on the same package.json', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'napi-ship-targets-'));
  try {
    const cases: unknown[] = [
      JSON.parse(readFileSync(corePackageJsonPath, 'utf8')),
      { name: 'plain', version: '1.0.0', napi: { targets: ['armv7-linux-androideabi', 'wasm32-wasi', 'x86_64-unknown-linux-gnu.2.17'] } },
      { name: '@scope/pkg', version: '1.0.0', napi: { binaryName: 'b', packageName: '@other/p', targets: [...AVAILABLE_TARGETS] } },
      // Triples real projects publish that are not in AVAILABLE_TARGETS, and a v2 name next to v3 targets.
      {
        name: 'snappy',
        version: '1.0.0',
        napi: { name: 'snappy', targets: ['arm-linux-androideabi', 'riscv64gc-unknown-linux-musl', 'aarch64-unknown-linux-ohos'] },
      },
      // A v2 config with defaults off means the same to both.
      {
        name: 'v2',
        version: '1.0.0',
        napi: { name: 'v2', triples: { defaults: false, additional: ['aarch64-unknown-linux-musl', 'x86_64-unknown-freebsd'] } },
      },
    ];
    for (const [i, packageJson] of cases.entries()) {
      const path = join(dir, `package-${i}.json`);
      writeFileSync(path, JSON.stringify(packageJson));
      const warn = console.warn;
      console.warn = (): void => {};
      const cli = await cliReadNapiConfig(path).finally(() => {
        console.warn = warn;
      });
      const ours = readNapiConfig(packageJson, path);
      assert.equal(ours.binaryName, cli.binaryName, path);
      assert.equal(ours.packageName, cli.packageName, path);
      assert.deepEqual(
        ours.targets.map((t) => t.platformArchABI),
        cli.targets.map((t) => t.platformArchABI),
        path,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('absent napi.targets means napi-rs DEFAULT_TARGETS; binaryName defaults to index, packageName to name', () => {
  const expected = ['x86_64-apple-darwin', 'aarch64-apple-darwin', 'x86_64-pc-windows-msvc', 'x86_64-unknown-linux-gnu'];
  assert.deepEqual(
    readTargets(withNapi({ binaryName: 'x' })).map((t) => t.triple),
    expected,
  );
  const config = readNapiConfig({ name: '@acme/addon', version: '1.0.0', napi: {} });
  assert.equal(config.binaryName, 'index');
  assert.equal(config.packageName, '@acme/addon');
  assert.deepEqual(
    config.targets.map((t) => t.triple),
    expected,
  );
  assert.deepEqual(config.wasm, { cpu: true, optionalDependency: true, asyncRuntime: false, browserBuffer: false, browserFs: false });
});

void test('a package.json without a napi config is refused, unless a napi-rs config file is given', () => {
  const diagnostics = diagnosticsOf(() => readNapiConfig({ name: 'left-pad', version: '1.0.0' }, 'package.json'));
  assert.deepEqual(
    diagnostics.map((d) => d.code),
    ['NS_TARGET_NO_CONFIG'],
  );
  assert.match(diagnostics[0]!.message, /not a napi-rs package/);
  assert.match(diagnostics[0]!.hint, /--config-path/);
  assert.deepEqual(
    diagnosticsOf(() => readTargets({ name: 'a', version: '1.0.0' })).map((d) => d.code),
    ['NS_TARGET_NO_CONFIG'],
  );
  // A separate config file (napi --config-path) stands in for the napi field, and wins over it key by key.
  const fromFile = readNapiConfig({ name: 'a', version: '1.0.0' }, 'napi.json', {
    binaryName: 'b',
    targets: ['x86_64-unknown-linux-musl'],
  });
  assert.equal(fromFile.binaryName, 'b');
  assert.deepEqual(
    fromFile.targets.map((t) => t.triple),
    ['x86_64-unknown-linux-musl'],
  );
  const both = readNapiConfig(withNapi({ binaryName: 'pkg', targets: ['x86_64-unknown-linux-gnu'] }), 'napi.json', { binaryName: 'file' });
  assert.equal(both.binaryName, 'file');
  assert.deepEqual(
    both.targets.map((t) => t.triple),
    ['x86_64-unknown-linux-gnu'],
  );
  assert.deepEqual(
    both.notes.map((n) => [n.code, n.severity]),
    [['NS_TARGET_CONFIG_FILE', 'note']],
  );
});

void test('napi.wasm options are read, and a wrong type is an error naming the key', () => {
  const config = readNapiConfig(
    withNapi({ targets: ['wasm32-wasip1-threads'], wasm: { cpu: false, optionalDependency: false, browser: { fs: true } } }),
  );
  assert.deepEqual(config.wasm, { cpu: false, optionalDependency: false, asyncRuntime: false, browserBuffer: false, browserFs: true });
  const bad = diagnosticsOf(() => readNapiConfig(withNapi({ targets: ['wasm32-wasip1'], wasm: { cpu: 'no' } })));
  assert.deepEqual(
    bad.map((d) => d.code),
    ['NS_TARGET_CONFIG'],
  );
  assert.match(bad[0]!.message, /napi\.wasm\.cpu/);
});

void test('an unknown triple is named, with the nearest known triple as a hint', () => {
  const diagnostics = diagnosticsOf(() => readTargets(withNapi({ targets: ['x86_64-unknown-linux-gnux'] }), 'package.json'));
  assert.equal(diagnostics.length, 1);
  const [d] = diagnostics;
  assert.ok(d);
  assert.equal(d.code, 'NS_TARGET_UNKNOWN');
  assert.equal(d.severity, 'error');
  assert.equal(d.target, 'x86_64-unknown-linux-gnux');
  assert.equal(d.subject, 'package.json');
  assert.match(d.message, /x86_64-unknown-linux-gnux/);
  assert.match(d.hint, /did you mean "x86_64-unknown-linux-gnu"\?/);
});

void test('every unknown triple gets its own diagnostic; far-off ones list the known triples', () => {
  const diagnostics = diagnosticsOf(() =>
    readTargets(withNapi({ targets: ['aarch64-apple-darwin', 'aarch64-apple-darwn', 'sparc64-sun-solaris', 'linux-x64-gnu'] })),
  );
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.target]),
    [
      ['NS_TARGET_UNKNOWN', 'aarch64-apple-darwn'],
      ['NS_TARGET_UNKNOWN', 'sparc64-sun-solaris'],
      ['NS_TARGET_UNKNOWN', 'linux-x64-gnu'],
    ],
  );
  assert.match(diagnostics[0]!.hint, /"aarch64-apple-darwin"/);
  assert.doesNotMatch(diagnostics[1]!.hint, /did you mean/);
  assert.match(diagnostics[1]!.hint, /x86_64-unknown-linux-gnu/);
  assert.match(diagnostics[2]!.hint, /not platformArchABI names: did you mean "x86_64-unknown-linux-gnu"/);
});

void test('duplicate triples are named once each, and two spellings of one artifact are duplicates', () => {
  const diagnostics = diagnosticsOf(() =>
    readTargets(
      withNapi({
        targets: [
          'x86_64-unknown-linux-gnu',
          'aarch64-apple-darwin',
          'x86_64-unknown-linux-gnu',
          'x86_64-unknown-linux-gnu',
          'wasm32-wasip1-threads',
          'wasm32-wasi',
        ],
      }),
    ),
  );
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.target]),
    [
      ['NS_TARGET_DUPLICATE', 'x86_64-unknown-linux-gnu'],
      ['NS_TARGET_DUPLICATE', 'wasm32-wasi'],
    ],
  );
  assert.match(diagnostics[0]!.message, /x86_64-unknown-linux-gnu/);
  assert.match(diagnostics[1]!.message, /wasm32-wasip1-threads and wasm32-wasi, which produce the same wasm32-wasi package/);
});

void test('malformed napi.targets: not an array, non-string entries, empty', () => {
  for (const targets of ['x86_64-unknown-linux-gnu', { a: 1 }, null, 7]) {
    const diagnostics = diagnosticsOf(() => readTargets(withNapi({ targets })));
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['NS_TARGET_CONFIG'],
      JSON.stringify(targets),
    );
  }
  const entries = diagnosticsOf(() => readTargets(withNapi({ targets: ['x86_64-unknown-linux-gnu', 3, null, 'bogus-triple'] })));
  assert.deepEqual(
    entries.map((d) => d.code),
    ['NS_TARGET_CONFIG', 'NS_TARGET_CONFIG', 'NS_TARGET_UNKNOWN'],
  );
  assert.match(entries[0]!.message, /napi\.targets\[1\]/);
  assert.match(entries[1]!.message, /napi\.targets\[2\] is null/);
  assert.deepEqual(
    diagnosticsOf(() => readTargets(withNapi({ targets: [] }))).map((d) => d.code),
    ['NS_TARGET_CONFIG'],
  );
  assert.deepEqual(
    diagnosticsOf(() => readTargets(withNapi('x86_64-unknown-linux-gnu'))).map((d) => d.code),
    ['NS_TARGET_CONFIG'],
  );
  assert.deepEqual(
    diagnosticsOf(() => readTargets(['not', 'a', 'package.json'])).map((d) => d.code),
    ['NS_TARGET_CONFIG'],
  );
});

void test('the napi-rs v2 form is read as napi-rs v2 meant it, with a deprecation note', () => {
  // A real v2 config: additional repeats aarch64-apple-darwin, which v2's three defaults lack.
  const v2 = withNapi({
    name: 'addon',
    package: { name: '@acme/addon-bin' },
    triples: { defaults: true, additional: ['aarch64-apple-darwin', 'aarch64-unknown-linux-gnu'] },
  });
  const config = readNapiConfig(v2, 'package.json');
  assert.equal(config.binaryName, 'addon');
  assert.equal(config.packageName, '@acme/addon-bin');
  assert.deepEqual(
    config.targets.map((t) => t.triple),
    ['x86_64-apple-darwin', 'x86_64-pc-windows-msvc', 'x86_64-unknown-linux-gnu', 'aarch64-apple-darwin', 'aarch64-unknown-linux-gnu'],
  );
  assert.deepEqual(config.targets.map((t) => t.triple).slice(0, 3), [...V2_DEFAULT_TARGETS]);
  assert.ok(config.notes.every((n) => n.code === 'NS_TARGET_CONFIG_V2' && n.severity === 'note' && n.subject === 'package.json'));
  assert.equal(config.notes.length, 3);
  const triplesNote = config.notes.find((n) => n.found === 'napi.triples');
  assert.ok(triplesNote);
  assert.match(triplesNote.message, /three defaults/);
  assert.ok(
    triplesNote.hint.includes(
      JSON.stringify([
        'x86_64-apple-darwin',
        'x86_64-pc-windows-msvc',
        'x86_64-unknown-linux-gnu',
        'aarch64-apple-darwin',
        'aarch64-unknown-linux-gnu',
      ]),
    ),
    triplesNote.hint,
  );

  // Next to napi.targets, a stale napi.triples is ignored (as napi-rs does) with a warning saying so.
  const stale = readNapiConfig(withNapi({ targets: ['x86_64-unknown-linux-gnu'], triples: { defaults: true } }));
  assert.deepEqual(
    stale.targets.map((t) => t.triple),
    ['x86_64-unknown-linux-gnu'],
  );
  assert.deepEqual(
    stale.notes.map((n) => [n.code, n.severity]),
    [['NS_TARGET_CONFIG_V2', 'warning']],
  );
  assert.match(stale.notes[0]!.hint, /remove napi\.triples/);

  // v2 defaulted `defaults` to true: `{ additional }` alone (as @napi-rs/uuid 0.2.2 publishes it) ships the three defaults too.
  assert.deepEqual(
    readTargets(withNapi({ name: 'uuid', triples: { additional: ['aarch64-apple-darwin'] } })).map((t) => t.triple),
    [...V2_DEFAULT_TARGETS, 'aarch64-apple-darwin'],
  );

  // A malformed or empty v2 block is an error.
  assert.deepEqual(
    diagnosticsOf(() => readTargets(withNapi({ triples: { defaults: false } }))).map((d) => d.code),
    ['NS_TARGET_CONFIG'],
  );
  assert.deepEqual(
    diagnosticsOf(() => readTargets(withNapi({ triples: { additional: 'x' } }))).map((d) => d.code),
    ['NS_TARGET_CONFIG'],
  );
});

void test('@napi-rs/cli 3 readNapiConfig refuses that v2 config (its four defaults repeat aarch64-apple-darwin); napi-ship reads it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'napi-ship-v2-'));
  try {
    const packageJson = withNapi({ name: 'addon', triples: { defaults: true, additional: ['aarch64-apple-darwin'] } });
    const file = join(dir, 'package.json');
    writeFileSync(file, JSON.stringify(packageJson));
    const warn = console.warn;
    console.warn = (): void => {};
    try {
      await assert.rejects(cliReadNapiConfig(file), /Duplicate targets are not allowed: aarch64-apple-darwin/);
    } finally {
      console.warn = warn;
    }
    assert.equal(readNapiConfig(packageJson, file).targets.length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('readNapiConfig collects name problems together with target problems', () => {
  const diagnostics = diagnosticsOf(() => readNapiConfig({ version: '1.0.0', napi: { binaryName: 5, targets: ['nope-nope'] } }));
  assert.deepEqual(
    diagnostics.map((d) => d.code),
    ['NS_TARGET_CONFIG', 'NS_TARGET_CONFIG', 'NS_TARGET_UNKNOWN'],
  );
  assert.match(diagnostics[0]!.message, /napi\.binaryName is a number/);
  assert.match(diagnostics[1]!.message, /napi\.packageName is not set and the package\.json has no name/);
});

void test('a cargo-zigbuild glibc pin names its base triple', () => {
  assert.deepEqual(
    readTargets(withNapi({ targets: ['x86_64-unknown-linux-gnu.2.17'] })).map((t) => t.triple),
    ['x86_64-unknown-linux-gnu'],
  );
  const diagnostics = diagnosticsOf(() =>
    readTargets(withNapi({ targets: ['x86_64-unknown-linux-gnu.2.17', 'x86_64-unknown-linux-gnu'] })),
  );
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.target]),
    [['NS_TARGET_DUPLICATE', 'x86_64-unknown-linux-gnu']],
  );
});

void test('specs are frozen', () => {
  const spec = lookupTarget('x86_64-unknown-linux-gnu');
  assert.ok(spec);
  assert.ok(Object.isFrozen(spec));
  assert.ok(Object.isFrozen(spec.cpu));
  assert.ok(Object.isFrozen(allTargets()));
});

void test('a triple whose CPU is spelled as Node does (x64-unknown-linux-musl, as @ast-grep/napi publishes) is read as napi-rs reads it, with a warning', () => {
  // napi-rs's own parseTriple passes an unknown CPU through: the Node spelling names the same package.
  for (const [node, rust] of [
    ['x64-unknown-linux-musl', 'x86_64-unknown-linux-musl'],
    ['arm64-apple-darwin', 'aarch64-apple-darwin'],
    ['ia32-pc-windows-msvc', 'i686-pc-windows-msvc'],
    ['ppc64-unknown-linux-gnu', 'powerpc64le-unknown-linux-gnu'],
  ] as const) {
    assert.equal(parseTriple(node).platformArchABI, parseTriple(rust).platformArchABI, node);
    const config = readNapiConfig(withNapi({ targets: [node] }), 'package.json');
    assert.deepEqual(
      config.targets.map((t) => t.triple),
      [rust],
      'built, staged and checked as the Rust triple',
    );
    assert.deepEqual(
      config.notes.map((n) => [n.code, n.severity, n.target, n.subject]),
      [['NS_TARGET_NODE_ARCH', 'warning', node, 'package.json']],
    );
    assert.match(config.notes[0]!.hint, new RegExp(`write "${rust}"`));
  }
  // Listed next to its Rust spelling: one package twice, an error.
  const both = diagnosticsOf(() => readTargets(withNapi({ targets: ['aarch64-apple-darwin', 'arm64-apple-darwin'] })));
  assert.deepEqual(
    both.map((d) => d.code),
    ['NS_TARGET_DUPLICATE'],
  );
  // A zig glibc pin keeps its suffix in the hint; a CPU name napi-rs maps nowhere stays unknown.
  const pinned = readNapiConfig(withNapi({ targets: ['arm64-unknown-linux-gnu.2.17'] }));
  assert.equal(pinned.targets[0]?.triple, 'aarch64-unknown-linux-gnu');
  assert.match(pinned.notes[0]!.hint, /write "aarch64-unknown-linux-gnu\.2\.17"/);
  const unknown = diagnosticsOf(() => readTargets(withNapi({ targets: ['x32-unknown-linux-gnu'] })));
  assert.deepEqual(
    unknown.map((d) => [d.code, d.target]),
    [['NS_TARGET_UNKNOWN', 'x32-unknown-linux-gnu']],
  );
});
