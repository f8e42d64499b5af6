/**
 * The napi-rs target table: every triple @napi-rs/cli 3.10 lists, with what napi-ship expects of it.
 *
 * Why a table of our own: @napi-rs/cli exports `parseTriple` publicly, but its target lists
 * (`AVAILABLE_TARGETS`, `DEFAULT_TARGETS`, `UNIVERSAL_TARGETS`, `UniArchsByPlatform`) are internal,
 * and the CLI is only a devDependency of napi-ship (its entry point also loads the whole CLI), so
 * runtime code cannot import it. The triple → `platformArchABI`/`platform`/`arch`/`abi` columns
 * below are therefore a literal copy of what napi-rs computes, spelled exactly as napi-rs spells
 * them; `test/targets.test.ts` checks every row against the CLI's public `parseTriple` and checks
 * the triple lists against the CLI's own, so a CLI upgrade that changes them fails the tests.
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

/** A triple's napi-rs columns: [triple, platformArchABI, platform, arch, abi]. */
type Row = readonly [string, string, NapiPlatform, NapiArch, string | null];

/** napi-rs's `AVAILABLE_TARGETS`, in its order, with what its `parseTriple` returns for each. */
const ROWS: readonly Row[] = [
  ['aarch64-apple-darwin', 'darwin-arm64', 'darwin', 'arm64', null],
  ['aarch64-linux-android', 'android-arm64', 'android', 'arm64', null],
  ['aarch64-unknown-linux-gnu', 'linux-arm64-gnu', 'linux', 'arm64', 'gnu'],
  ['aarch64-unknown-linux-musl', 'linux-arm64-musl', 'linux', 'arm64', 'musl'],
  ['aarch64-unknown-linux-ohos', 'openharmony-arm64', 'openharmony', 'arm64', null],
  ['aarch64-pc-windows-msvc', 'win32-arm64-msvc', 'win32', 'arm64', 'msvc'],
  ['aarch64-unknown-freebsd', 'freebsd-arm64', 'freebsd', 'arm64', null],
  ['x86_64-apple-darwin', 'darwin-x64', 'darwin', 'x64', null],
  ['x86_64-pc-windows-msvc', 'win32-x64-msvc', 'win32', 'x64', 'msvc'],
  ['x86_64-pc-windows-gnu', 'win32-x64-gnu', 'win32', 'x64', 'gnu'],
  ['x86_64-unknown-linux-gnu', 'linux-x64-gnu', 'linux', 'x64', 'gnu'],
  ['x86_64-unknown-linux-musl', 'linux-x64-musl', 'linux', 'x64', 'musl'],
  ['x86_64-unknown-linux-ohos', 'openharmony-x64', 'openharmony', 'x64', null],
  ['x86_64-unknown-freebsd', 'freebsd-x64', 'freebsd', 'x64', null],
  ['i686-pc-windows-msvc', 'win32-ia32-msvc', 'win32', 'ia32', 'msvc'],
  ['armv7-unknown-linux-gnueabihf', 'linux-arm-gnueabihf', 'linux', 'arm', 'gnueabihf'],
  ['armv7-unknown-linux-musleabihf', 'linux-arm-musleabihf', 'linux', 'arm', 'musleabihf'],
  ['armv7-linux-androideabi', 'android-arm-eabi', 'android', 'arm', 'eabi'],
  ['universal-apple-darwin', 'darwin-universal', 'darwin', 'universal', null],
  ['loongarch64-unknown-linux-gnu', 'linux-loong64-gnu', 'linux', 'loong64', 'gnu'],
  ['riscv64gc-unknown-linux-gnu', 'linux-riscv64-gnu', 'linux', 'riscv64', 'gnu'],
  ['powerpc64le-unknown-linux-gnu', 'linux-ppc64-gnu', 'linux', 'ppc64', 'gnu'],
  ['powerpc64le-unknown-freebsd', 'freebsd-ppc64', 'freebsd', 'ppc64', null],
  ['s390x-unknown-linux-gnu', 'linux-s390x-gnu', 'linux', 's390x', 'gnu'],
  ['wasm32-wasip1', 'wasm32-wasip1', 'wasi', 'wasm32', 'wasi'],
  ['wasm32-wasip1-threads', 'wasm32-wasi', 'wasi', 'wasm32', 'wasi'],
];

/** Older WASI spellings napi-rs still accepts, and the triple it builds for each (`getWasiTarget`). */
export const TRIPLE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'wasm32-wasi': 'wasm32-wasip1-threads',
  'wasm32-wasi-preview1-threads': 'wasm32-wasip1-threads',
});

/** napi-rs's `UNIVERSAL_TARGETS`: a universal triple and the triples merged into it. */
const UNIVERSAL: Readonly<Record<string, readonly string[]>> = {
  'universal-apple-darwin': ['aarch64-apple-darwin', 'x86_64-apple-darwin'],
};

/** Binary facts of each Rust CPU (the triple's first component). */
const CPUS: Readonly<Record<string, { bits: 32 | 64; endian: 'little' | 'big'; machine: TargetMachine | null }>> = {
  x86_64: { bits: 64, endian: 'little', machine: 'X86_64' },
  aarch64: { bits: 64, endian: 'little', machine: 'Aarch64' },
  i686: { bits: 32, endian: 'little', machine: 'I386' },
  armv7: { bits: 32, endian: 'little', machine: 'Arm' },
  loongarch64: { bits: 64, endian: 'little', machine: 'LoongArch64' },
  riscv64gc: { bits: 64, endian: 'little', machine: 'Riscv64' },
  powerpc64le: { bits: 64, endian: 'little', machine: 'PowerPc64' },
  s390x: { bits: 64, endian: 'big', machine: 'S390x' },
  wasm32: { bits: 32, endian: 'little', machine: 'Wasm32' },
  universal: { bits: 64, endian: 'little', machine: null },
};

function formatOf(platform: NapiPlatform, arch: NapiArch): BinaryFormat {
  if (platform === 'wasi') return 'wasm';
  if (platform === 'darwin') return arch === 'universal' ? 'macho-fat' : 'macho';
  if (platform === 'win32') return 'pe';
  return 'elf';
}

function specOf([triple, platformArchABI, platform, arch, abi]: Row): TargetSpec {
  const rustCpu = triple.slice(0, triple.indexOf('-'));
  const cpuFacts = CPUS[rustCpu];
  if (!cpuFacts) throw new Error(`napi-ship target table: no CPU facts for ${triple}`);
  const universalOf = UNIVERSAL[triple] ?? null;
  const wasm = platform === 'wasi';
  const extension = wasm ? 'wasm' : 'node';
  return Object.freeze({
    triple,
    platformArchABI,
    platform,
    arch,
    abi,
    os: wasm ? null : platform,
    cpu: Object.freeze(arch === 'universal' ? ['x64', 'arm64'] : [arch]),
    libc: abi === 'gnu' && platform === 'linux' ? 'glibc' : abi === 'musl' ? 'musl' : null,
    format: formatOf(platform, arch),
    bits: cpuFacts.bits,
    endian: cpuFacts.endian,
    machine: cpuFacts.machine,
    crt: platform === 'win32' ? (abi === 'gnu' ? 'mingw' : 'msvc') : null,
    universalOf: universalOf ? Object.freeze([...universalOf]) : null,
    binaryFile: (binaryName: string): string => `${binaryName}.${platformArchABI}.${extension}`,
  });
}

const SPECS: readonly TargetSpec[] = Object.freeze(ROWS.map(specOf));
const BY_TRIPLE: ReadonlyMap<string, TargetSpec> = new Map(SPECS.map((s) => [s.triple, s]));

/** Every triple @napi-rs/cli 3.10 lists (its `AVAILABLE_TARGETS`), in its order. */
export const AVAILABLE_TARGETS: readonly string[] = Object.freeze(SPECS.map((s) => s.triple));

/** napi-rs v3's `DEFAULT_TARGETS` (what `napi new` preselects and v2 `triples.defaults` meant), in its order. */
export const DEFAULT_TARGETS: readonly string[] = Object.freeze([
  'x86_64-apple-darwin',
  'aarch64-apple-darwin',
  'x86_64-pc-windows-msvc',
  'x86_64-unknown-linux-gnu',
]);

/** The spec of a triple (or of an older WASI spelling napi-rs accepts), undefined when napi-rs does not list it. */
export function lookupTarget(triple: string): TargetSpec | undefined {
  return BY_TRIPLE.get(TRIPLE_ALIASES[triple] ?? triple);
}

/** Every target napi-rs lists, in napi-rs's order. */
export function allTargets(): readonly TargetSpec[] {
  return SPECS;
}

/** The npm name of a target's platform package, as napi-rs names it: `${packageName}-${platformArchABI}`. */
export function platformPackageName(packageName: string, target: Pick<TargetSpec, 'platformArchABI'>): string {
  return `${packageName}-${target.platformArchABI}`;
}
