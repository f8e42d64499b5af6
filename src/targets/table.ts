/**
 * The napi-rs target model: every triple @napi-rs/cli 3.10 lists, and any other triple its
 * `parseTriple` names that napi-ship can check, with what napi-ship expects of each.
 *
 * The naming (triple → `platformArchABI`/`platform`/`arch`/`abi`) is napi-rs's: `napiParseTriple`
 * below is its `parseTriple`, computed, not a table. Why not call the CLI at run time: it is only
 * an optional peer of napi-ship and its entry point loads the whole CLI. `test/targets.test.ts`
 * checks `napiParseTriple` against the CLI's exported `parseTriple` for every triple `rustc` knows
 * and the lists below against the CLI's own, so a CLI upgrade that changes them fails the tests.
 * napi-ship's own facts (binary format, libc the binary links, glibc floors) extend napi-rs's
 * naming and never contradict it.
 */
import type { BinaryFormat, Crt, Libc } from '../core/index.js';

/** `platform` as napi-rs names it (Node's `process.platform`, plus `wasi` and `openharmony`). */
export type NapiPlatform = 'darwin' | 'linux' | 'win32' | 'android' | 'freebsd' | 'openharmony' | 'wasi';

/** `arch` as napi-rs names it (Node's `process.arch`, plus `universal` and `wasm32`). */
export type NapiArch = 'x64' | 'arm64' | 'ia32' | 'arm' | 'loong64' | 'riscv64' | 'ppc64' | 's390x' | 'universal' | 'wasm32';

/** The Rust `object` crate's `Architecture`, as its `Debug` prints it (what the core reports as `machine`). */
export type TargetMachine = 'X86_64' | 'Aarch64' | 'I386' | 'Arm' | 'Riscv64' | 'PowerPc64' | 'S390x' | 'LoongArch64' | 'Wasm32';

/** The C runtime a Windows binary must link: MSVC's or MinGW's. */
export type TargetCrt = Exclude<Crt, 'none'>;

/** One napi-rs target: its napi-rs names, the npm fields its platform package carries, and what its binary must be. */
export interface TargetSpec {
  /** The canonical Rust target triple, e.g. `x86_64-unknown-linux-gnu`. */
  readonly triple: string;
  /** napi-rs's `platformArchABI`, e.g. `linux-x64-gnu`, `darwin-universal`, `wasm32-wasi`. */
  readonly platformArchABI: string;
  /** napi-rs's `platform`. */
  readonly platform: NapiPlatform;
  /** napi-rs's `arch`. */
  readonly arch: NapiArch;
  /** napi-rs's `abi` (`gnu`, `musl`, `msvc`, `gnueabihf`, `eabi`, `wasi`, …), null when the triple has none. */
  readonly abi: string | null;
  /** npm `os` of the platform package; null for WASI (napi-rs writes no `os` there). */
  readonly os: string | null;
  /**
   * npm `cpu` the package serves. Two napi-rs caveats: for `universal-apple-darwin` this is
   * `['x64', 'arm64']` but `napi create-npm-dirs` writes no `cpu` field at all; for WASI it writes
   * `['wasm32']` only when native targets are also configured (and `napi.wasm.cpu` is not false).
   */
  readonly cpu: readonly string[];
  /**
   * npm `libc` of the platform package (Linux only): `glibc` for abi `gnu`, `musl` for abi `musl`,
   * otherwise null, as napi-rs writes it (none for `gnueabihf`/`musleabihf`). One deliberate
   * difference: napi-rs 3.10 also writes `libc: ['glibc']` for `x86_64-pc-windows-gnu`, which makes
   * npm refuse the package on Windows (npm-install-checks fails any `libc` off Linux); we expect null.
   */
  readonly libc: Libc | null;
  /**
   * The C library the binary itself must link (napi-ship's fact, beyond napi-rs's npm fields):
   * glibc for every linux-gnu* ABI, musl for linux-musl* and for OpenHarmony (musl-based), null
   * elsewhere. Differs from `libc` where napi-rs writes no npm field (gnueabihf, musleabihf, ohos).
   */
  readonly binaryLibc: Libc | null;
  /** For a glibc binary: the oldest glibc that exists for its architecture (riscv64: 2.27); null otherwise. */
  readonly glibcFloor: string | null;
  /** The container the binary must be. */
  readonly format: BinaryFormat;
  /** Pointer width of the binary. */
  readonly bits: 32 | 64;
  /** Byte order of the binary. */
  readonly endian: 'little' | 'big';
  /** The `object` crate architecture of the binary; null for a universal (fat) binary. */
  readonly machine: TargetMachine | null;
  /** For Windows: the C runtime (`windows-msvc` → msvc, `windows-gnu` → mingw); null elsewhere. */
  readonly crt: TargetCrt | null;
  /** For a universal target: the triples napi-rs merges into it (`UNIVERSAL_TARGETS`); null otherwise. */
  readonly universalOf: readonly string[] | null;
  /** The artifact napi-rs names for this target: `${binaryName}.${platformArchABI}.node` (`.wasm` for WASI). */
  readonly binaryFile: (binaryName: string) => string;
}

/** napi-rs's naming of one triple: what its `parseTriple` returns. */
export interface NapiTriple {
  readonly triple: string;
  readonly platformArchABI: string;
  readonly platform: string;
  readonly arch: string;
  readonly abi: string | null;
}

/** napi-rs's `getWasiTarget`: the WASI spellings it accepts, their canonical triple and artifact name. */
const WASI: Readonly<Record<string, { readonly canonical: string; readonly platformArchABI: string }>> = {
  'wasm32-wasi': { canonical: 'wasm32-wasip1-threads', platformArchABI: 'wasm32-wasi' },
  'wasm32-wasi-preview1-threads': { canonical: 'wasm32-wasip1-threads', platformArchABI: 'wasm32-wasi' },
  'wasm32-wasip1-threads': { canonical: 'wasm32-wasip1-threads', platformArchABI: 'wasm32-wasi' },
  'wasm32-wasip1': { canonical: 'wasm32-wasip1', platformArchABI: 'wasm32-wasip1' },
};

/** napi-rs's `CpuToNodeArch`. */
const CPU_TO_NODE_ARCH: Readonly<Record<string, string>> = {
  x86_64: 'x64',
  aarch64: 'arm64',
  i686: 'ia32',
  armv7: 'arm',
  loongarch64: 'loong64',
  riscv64gc: 'riscv64',
  powerpc64le: 'ppc64',
  powerpc64: 'ppc64',
};

/** napi-rs's `SysToNodePlatform`. */
const SYS_TO_PLATFORM: Readonly<Record<string, string>> = {
  linux: 'linux',
  freebsd: 'freebsd',
  darwin: 'darwin',
  windows: 'win32',
  ohos: 'openharmony',
};

/**
 * napi-rs's `parseTriple`, statement for statement (@napi-rs/cli 3.10 `src/utils/target.ts`): the
 * platform/arch/abi naming of any triple. `test/targets.test.ts` checks it against the CLI's own
 * `parseTriple` for every triple rustc knows, so the two cannot drift apart unnoticed. Throws for
 * WASI spellings napi-rs refuses, as napi-rs does.
 */
export function napiParseTriple(rawTriple: string): NapiTriple {
  const wasi = WASI[rawTriple];
  if (wasi) return { triple: wasi.canonical, platformArchABI: wasi.platformArchABI, platform: 'wasi', arch: 'wasm32', abi: 'wasi' };
  if (/^wasm32-(?:wasip|wasi(?:-|$))/.test(rawTriple)) throw new TypeError(`Unsupported WASI target ${rawTriple}`);
  const triple = rawTriple.endsWith('eabi') ? `${rawTriple.slice(0, -4)}-eabi` : rawTriple;
  const parts = triple.split('-');
  let cpu: string;
  let sys: string;
  let abi: string | null = null;
  if (parts.length === 2) {
    cpu = parts[0] ?? '';
    sys = parts[1] ?? '';
  } else {
    cpu = parts[0] ?? '';
    sys = parts[2] ?? '';
    abi = parts[3] ?? null;
  }
  if (abi !== null && (abi === 'android' || abi === 'ohos')) {
    sys = abi;
    abi = null;
  }
  // `sys` can be undefined in napi-rs for a one-part triple; it then names the platform "undefined".
  const platform = SYS_TO_PLATFORM[sys] ?? (parts.length === 1 ? 'undefined' : sys);
  const arch = CPU_TO_NODE_ARCH[cpu] ?? cpu;
  return { triple: rawTriple, platformArchABI: abi ? `${platform}-${arch}-${abi}` : `${platform}-${arch}`, platform, arch, abi };
}

/** napi-rs's `AVAILABLE_TARGETS`, in its order. */
const AVAILABLE: readonly string[] = [
  'aarch64-apple-darwin',
  'aarch64-linux-android',
  'aarch64-unknown-linux-gnu',
  'aarch64-unknown-linux-musl',
  'aarch64-unknown-linux-ohos',
  'aarch64-pc-windows-msvc',
  'aarch64-unknown-freebsd',
  'x86_64-apple-darwin',
  'x86_64-pc-windows-msvc',
  'x86_64-pc-windows-gnu',
  'x86_64-unknown-linux-gnu',
  'x86_64-unknown-linux-musl',
  'x86_64-unknown-linux-ohos',
  'x86_64-unknown-freebsd',
  'i686-pc-windows-msvc',
  'armv7-unknown-linux-gnueabihf',
  'armv7-unknown-linux-musleabihf',
  'armv7-linux-androideabi',
  'universal-apple-darwin',
  'loongarch64-unknown-linux-gnu',
  'riscv64gc-unknown-linux-gnu',
  'powerpc64le-unknown-linux-gnu',
  'powerpc64le-unknown-freebsd',
  's390x-unknown-linux-gnu',
  'wasm32-wasip1',
  'wasm32-wasip1-threads',
];

/** Older WASI spellings napi-rs still accepts, and the triple it builds for each (`getWasiTarget`). */
export const TRIPLE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'wasm32-wasi': 'wasm32-wasip1-threads',
  'wasm32-wasi-preview1-threads': 'wasm32-wasip1-threads',
});

/**
 * Node's names for CPUs that napi-rs's `parseTriple` passes through unchanged (it maps only Rust's
 * names), and the Rust CPU napi-rs maps to the same Node arch. A config entry spelled with one
 * (`x64-unknown-linux-musl`, published by @ast-grep/napi) names the same platform package as the Rust
 * triple, so `napi artifacts` and `napi prepublish` treat both alike; only cargo cannot build it.
 */
const NODE_ARCH_TO_RUST_CPU: Readonly<Record<string, string>> = {
  x64: 'x86_64',
  arm64: 'aarch64',
  ia32: 'i686',
  loong64: 'loongarch64',
  ppc64: 'powerpc64le',
};

/**
 * The Rust triple of a triple whose CPU is spelled as Node names it (`x64-unknown-linux-musl` →
 * `x86_64-unknown-linux-musl`), when napi-rs names both the same platform package; else undefined.
 */
export function rustTripleOfNodeSpelling(triple: string): string | undefined {
  const dash = triple.indexOf('-');
  if (dash <= 0) return undefined;
  const nodeArch = triple.slice(0, dash);
  if (!Object.hasOwn(NODE_ARCH_TO_RUST_CPU, nodeArch)) return undefined;
  const rust = `${NODE_ARCH_TO_RUST_CPU[nodeArch]}${triple.slice(dash)}`;
  try {
    if (napiParseTriple(triple).platformArchABI !== napiParseTriple(rust).platformArchABI) return undefined;
  } catch {
    return undefined;
  }
  return rust;
}

/** napi-rs's `UNIVERSAL_TARGETS`: a universal triple and the triples merged into it. */
const UNIVERSAL: Readonly<Record<string, readonly string[]>> = {
  'universal-apple-darwin': ['aarch64-apple-darwin', 'x86_64-apple-darwin'],
};

interface CpuFacts {
  readonly bits: 32 | 64;
  readonly endian: 'little' | 'big';
  readonly machine: TargetMachine | null;
  /**
   * The oldest glibc that exists for this architecture (the first release that supported it):
   * no binary for it can need less, so a glibc ceiling below it is raised to it.
   */
  readonly glibcFloor: string;
}

/**
 * Binary facts of each Rust CPU (the triple's first component) napi-ship can check. Only CPUs
 * whose napi-rs `arch` is also Node's `process.arch` (so npm's `cpu` field works) are here.
 * glibc floors: the glibc release that first supported the architecture (x86_64 and aarch64
 * binaries built on napi-rs's cross toolchain need 2.17; armv7 hard-float symbols start at 2.4;
 * ppc64le at 2.17; s390x at 2.2; riscv64 at 2.27; loongarch64 at 2.36).
 */
const CPUS: Readonly<Record<string, CpuFacts>> = {
  x86_64: { bits: 64, endian: 'little', machine: 'X86_64', glibcFloor: '2.2.5' },
  aarch64: { bits: 64, endian: 'little', machine: 'Aarch64', glibcFloor: '2.17' },
  i686: { bits: 32, endian: 'little', machine: 'I386', glibcFloor: '2.0' },
  armv7: { bits: 32, endian: 'little', machine: 'Arm', glibcFloor: '2.4' },
  arm: { bits: 32, endian: 'little', machine: 'Arm', glibcFloor: '2.4' },
  loongarch64: { bits: 64, endian: 'little', machine: 'LoongArch64', glibcFloor: '2.36' },
  riscv64gc: { bits: 64, endian: 'little', machine: 'Riscv64', glibcFloor: '2.27' },
  riscv64: { bits: 64, endian: 'little', machine: 'Riscv64', glibcFloor: '2.27' },
  powerpc64le: { bits: 64, endian: 'little', machine: 'PowerPc64', glibcFloor: '2.17' },
  s390x: { bits: 64, endian: 'big', machine: 'S390x', glibcFloor: '2.2' },
  wasm32: { bits: 32, endian: 'little', machine: 'Wasm32', glibcFloor: '0' },
  universal: { bits: 64, endian: 'little', machine: null, glibcFloor: '0' },
};

/** The ABIs napi-ship can check, per napi-rs platform (null: the triple has none). */
const ABIS: Readonly<Record<NapiPlatform, readonly (string | null)[]>> = {
  linux: ['gnu', 'musl', 'gnueabihf', 'musleabihf', 'gnueabi', 'musleabi'],
  android: [null, 'eabi'],
  openharmony: [null],
  darwin: [null],
  win32: ['msvc', 'gnu', 'gnullvm'],
  freebsd: [null],
  wasi: ['wasi'],
};

function isPlatform(value: string): value is NapiPlatform {
  return Object.hasOwn(ABIS, value);
}

function formatOf(platform: NapiPlatform, arch: NapiArch): BinaryFormat {
  if (platform === 'wasi') return 'wasm';
  if (platform === 'darwin') return arch === 'universal' ? 'macho-fat' : 'macho';
  if (platform === 'win32') return 'pe';
  return 'elf';
}

/** The C library the binary links: glibc for linux-gnu*, musl for linux-musl* and OpenHarmony (musl-based). */
function binaryLibcOf(platform: NapiPlatform, abi: string | null): Libc | null {
  if (platform === 'openharmony') return 'musl';
  if (platform !== 'linux' || abi === null) return null;
  if (abi.startsWith('gnu')) return 'glibc';
  if (abi.startsWith('musl')) return 'musl';
  return null;
}

/** The spec of a triple napi-rs parses and napi-ship can check, or undefined. */
function specOf(raw: string): TargetSpec | undefined {
  let parsed: NapiTriple;
  try {
    parsed = napiParseTriple(raw);
  } catch {
    return undefined;
  }
  const { triple, platformArchABI, platform, arch, abi } = parsed;
  const rustCpu = platform === 'wasi' ? 'wasm32' : triple.slice(0, triple.indexOf('-'));
  const cpuFacts = Object.hasOwn(CPUS, rustCpu) ? CPUS[rustCpu] : undefined;
  if (!cpuFacts || !isPlatform(platform) || !ABIS[platform].includes(abi)) return undefined;
  if ((arch === 'universal') !== (platform === 'darwin' && triple === 'universal-apple-darwin')) return undefined;
  if ((platform === 'wasi') !== (arch === 'wasm32')) return undefined;
  const napiArch = arch as NapiArch;
  const universalOf = UNIVERSAL[triple] ?? null;
  const wasm = platform === 'wasi';
  const extension = wasm ? 'wasm' : 'node';
  const binaryLibc = binaryLibcOf(platform, abi);
  return Object.freeze({
    triple,
    platformArchABI,
    platform,
    arch: napiArch,
    abi,
    os: wasm ? null : platform,
    cpu: Object.freeze(arch === 'universal' ? ['x64', 'arm64'] : [arch]),
    libc: abi === 'gnu' && platform === 'linux' ? 'glibc' : abi === 'musl' && platform === 'linux' ? 'musl' : null,
    binaryLibc,
    glibcFloor: binaryLibc === 'glibc' ? cpuFacts.glibcFloor : null,
    format: formatOf(platform, napiArch),
    bits: cpuFacts.bits,
    endian: cpuFacts.endian,
    machine: cpuFacts.machine,
    crt: platform === 'win32' ? (abi === 'msvc' ? 'msvc' : 'mingw') : null,
    universalOf: universalOf ? Object.freeze([...universalOf]) : null,
    binaryFile: (binaryName: string): string => `${binaryName}.${platformArchABI}.${extension}`,
  });
}

function required(triple: string): TargetSpec {
  const spec = specOf(triple);
  if (!spec) throw new Error(`napi-ship target table: cannot describe ${triple}`);
  return spec;
}

const SPECS: readonly TargetSpec[] = Object.freeze(AVAILABLE.map(required));
const CACHE = new Map<string, TargetSpec | undefined>(SPECS.map((s) => [s.triple, s]));

/** Every triple @napi-rs/cli 3.10 lists (its `AVAILABLE_TARGETS`), in its order. */
export const AVAILABLE_TARGETS: readonly string[] = Object.freeze(SPECS.map((s) => s.triple));

/** napi-rs v3's `DEFAULT_TARGETS` (what `napi new` preselects and v3 `triples.defaults` adds), in its order. */
export const DEFAULT_TARGETS: readonly string[] = Object.freeze([
  'x86_64-apple-darwin',
  'aarch64-apple-darwin',
  'x86_64-pc-windows-msvc',
  'x86_64-unknown-linux-gnu',
]);

/**
 * napi-rs v2's default platforms (`@napi-rs/cli` 2.x `DefaultPlatforms`): what `triples.defaults: true`
 * meant to a project that builds with napi-rs v2.
 */
export const V2_DEFAULT_TARGETS: readonly string[] = Object.freeze([
  'x86_64-apple-darwin',
  'x86_64-pc-windows-msvc',
  'x86_64-unknown-linux-gnu',
]);

/**
 * The spec of any triple napi-rs's `parseTriple` names and napi-ship can check (a CPU whose
 * binaries it can tell apart, on linux/android/openharmony/darwin/win32/freebsd/wasi with an ABI
 * those have) — `AVAILABLE_TARGETS` and more, e.g. `arm-linux-androideabi`,
 * `riscv64gc-unknown-linux-musl`. Older WASI spellings resolve to their canonical triple.
 * Undefined otherwise.
 */
export function lookupTarget(triple: string): TargetSpec | undefined {
  if (CACHE.has(triple)) return CACHE.get(triple);
  const spec = specOf(triple);
  CACHE.set(triple, spec);
  return spec;
}

/** Every target napi-rs lists (`AVAILABLE_TARGETS`), in napi-rs's order. */
export function allTargets(): readonly TargetSpec[] {
  return SPECS;
}

/** The npm name of a target's platform package, as napi-rs names it: `${packageName}-${platformArchABI}`. */
export function platformPackageName(packageName: string, target: Pick<TargetSpec, 'platformArchABI'>): string {
  return `${packageName}-${target.platformArchABI}`;
}

/**
 * Whether `name` is shaped like a platform package of `packageName` (`${packageName}-${abi}` for an
 * ABI napi-rs knows). A root's other `optionalDependencies` (e.g. `fsevents`) are not.
 */
export function isPlatformPackageName(packageName: string, name: string): boolean {
  if (!name.startsWith(`${packageName}-`)) return false;
  return SPECS.some((t) => platformPackageName(packageName, t) === name);
}
