/**
 * The CI build matrix: for each napi-rs target, which GitHub-hosted runner builds it and the exact
 * `napi build` command (pure: targets in, entries out).
 *
 * The choices follow napi-rs's own recommended workflow (napi-rs/package-template
 * `.github/workflows/CI.yml`, the file `napi new` copies) and @napi-rs/cli 3.10's documented
 * cross-compilation flags (`docs/build.md`):
 *
 * - macOS targets build natively on `macos-latest` (Apple's toolchain builds both arm64 and x64;
 *   `universal-apple-darwin` is both builds merged by `napi universalize`).
 * - Windows targets build natively on `windows-latest` (MSVC builds x64, ia32 and arm64). napi-rs
 *   would cross-compile MSVC targets from a non-Windows host with `-x` (cargo-xwin); we never
 *   put one there, but `crossCompilerFor` keeps the rule.
 * - Every other target builds on `ubuntu-latest` (x64), arm64 Linux included: napi-rs's template
 *   builds `aarch64-unknown-linux-*` on `ubuntu-latest` too and only *tests* on `ubuntu-24.04-arm`.
 *   Cross-building keeps the glibc floor low: `--use-napi-cross` links against
 *   @napi-rs/cross-toolchain's glibc 2.17 sysroot, while a native build on an Ubuntu 24.04 runner
 *   would link against its glibc 2.39.
 *   - Linux glibc targets @napi-rs/cross-toolchain ships (x86_64, aarch64, armv7, powerpc64le,
 *     s390x) build with `--use-napi-cross`, even x86_64 (for that 2.17 floor).
 *   - musl, the other Linux glibc targets (loongarch64, riscv64) and FreeBSD build with `-x`
 *     (cargo-zigbuild), which needs zig on PATH (`setup: ['zig']`).
 *   - Android (the runner's NDK) and WASI build with no extra flag, as in napi-rs's template.
 *   - OpenHarmony needs the OpenHarmony SDK, which GitHub-hosted runners do not have
 *     (`setup: ['ohos-sdk']`: the workflow stops with a message unless `OHOS_SDK_PATH` is set).
 */
import type { TargetSpec } from '../targets/index.js';

/** The GitHub-hosted runner labels the matrix uses. */
export type Runner = 'ubuntu-latest' | 'macos-latest' | 'windows-latest';

/** How a target is compiled on its runner. */
export type CrossCompiler = 'native' | 'napi-cross' | 'zigbuild' | 'xwin';

/** Something a runner must have before `napi build` runs. */
export type SetupNeed = 'zig' | 'ohos-sdk';

/** One entry of the build matrix (`jobs.build.strategy.matrix.settings[]`). */
export interface MatrixEntry {
  /** The Rust target triple. */
  readonly target: string;
  /** napi-rs's `platformArchABI`: the `.node` file is `<binaryName>.<platformArchABI>.node`. */
  readonly platformArchABI: string;
  /** The runner that builds it. */
  readonly host: Runner;
  /** The triples rustup must install (two for `universal-apple-darwin`). */
  readonly rustTargets: readonly string[];
  /** How it is compiled (`napi-cross`: `--use-napi-cross`; `zigbuild`/`xwin`: `-x`). */
  readonly cross: CrossCompiler;
  /** The exact build command, run in the root package directory. */
  readonly build: string;
  /** What the runner needs first. */
  readonly setup: readonly SetupNeed[];
  /** The artifact the binary is uploaded as: `bindings-<triple>`. */
  readonly artifact: string;
}

/** Linux glibc triples @napi-rs/cross-toolchain 1.0 ships a (glibc 2.17) toolchain for, on x64 hosts. */
export const NAPI_CROSS_TARGETS: readonly string[] = Object.freeze([
  'x86_64-unknown-linux-gnu',
  'aarch64-unknown-linux-gnu',
  'armv7-unknown-linux-gnueabihf',
  'powerpc64le-unknown-linux-gnu',
  's390x-unknown-linux-gnu',
]);

/** The zig release napi-rs's template installs for cargo-zigbuild. */
export const ZIG_VERSION = '0.14.1';

/** The runner that builds a target. */
export function runnerFor(spec: TargetSpec): Runner {
  if (spec.platform === 'darwin') return 'macos-latest';
  if (spec.platform === 'win32') return 'windows-latest';
  return 'ubuntu-latest';
}

/** How `spec` is compiled on `host`. */
export function crossCompilerFor(spec: TargetSpec, host: Runner): CrossCompiler {
  if (spec.platform === 'win32') return host === 'windows-latest' ? 'native' : 'xwin';
  if (spec.platform === 'darwin') return host === 'macos-latest' ? 'native' : 'zigbuild';
  if (NAPI_CROSS_TARGETS.includes(spec.triple)) return 'napi-cross';
  if (spec.platform === 'android' || spec.platform === 'wasi' || spec.platform === 'openharmony') return 'native';
  return 'zigbuild';
}

const FLAGS: Readonly<Record<CrossCompiler, string>> = {
  native: '',
  'napi-cross': ' --use-napi-cross',
  zigbuild: ' -x',
  xwin: ' -x',
};

function napiBuild(triple: string, cross: CrossCompiler): string {
  return `napi build --platform --release --target ${triple}${FLAGS[cross]}`;
}

/** The matrix entry of one target. */
export function matrixEntry(spec: TargetSpec): MatrixEntry {
  const host = runnerFor(spec);
  const cross = crossCompilerFor(spec, host);
  const parts = spec.universalOf ?? [spec.triple];
  const build = spec.universalOf
    ? [...spec.universalOf.map((t) => napiBuild(t, cross)), 'napi universalize'].join(' && ')
    : napiBuild(spec.triple, cross);
  const setup: SetupNeed[] = [];
  if (cross === 'zigbuild') setup.push('zig');
  if (spec.platform === 'openharmony') setup.push('ohos-sdk');
  return {
    target: spec.triple,
    platformArchABI: spec.platformArchABI,
    host,
    rustTargets: [...parts],
    cross,
    build,
    setup,
    artifact: `bindings-${spec.triple}`,
  };
}

/** The build matrix: one entry per target, in configured order. */
export function ciMatrix(targets: readonly TargetSpec[]): MatrixEntry[] {
  return targets.map(matrixEntry);
}

/** A runtime a test job loads the addon with. */
export interface TestRuntime {
  readonly name: 'node' | 'deno' | 'bun';
  /** The version the setup action installs. */
  readonly version: string;
}

/** Node's LTS lines the addon is loaded on, then Deno and Bun. */
export const TEST_RUNTIMES: readonly TestRuntime[] = Object.freeze([
  { name: 'node', version: '20' },
  { name: 'node', version: '22' },
  { name: 'node', version: '24' },
  { name: 'deno', version: 'v2.x' },
  { name: 'bun', version: 'latest' },
]);

/**
 * The targets a GitHub-hosted runner can load directly: linux-x64-gnu on `ubuntu-latest` (x64,
 * glibc), darwin-arm64 on `macos-latest` (Apple silicon) and win32-x64-msvc on `windows-latest`
 * (x64). Other targets are built but not loaded (they would need an arm64 or Alpine runner, an
 * emulator, or a device).
 */
export const TESTABLE_TARGETS: Readonly<Record<string, Runner>> = Object.freeze({
  'x86_64-unknown-linux-gnu': 'ubuntu-latest',
  'aarch64-apple-darwin': 'macos-latest',
  'x86_64-pc-windows-msvc': 'windows-latest',
});

/** One entry of the test matrix (`jobs.test.strategy.matrix.settings[]`). */
export interface TestEntry {
  readonly target: string;
  readonly platformArchABI: string;
  readonly host: Runner;
  readonly artifact: string;
}

/** The configured targets the test job loads, in configured order. */
export function testMatrix(targets: readonly TargetSpec[]): TestEntry[] {
  return targets.flatMap((spec) => {
    const host = TESTABLE_TARGETS[spec.triple];
    return host === undefined
      ? []
      : [{ target: spec.triple, platformArchABI: spec.platformArchABI, host, artifact: `bindings-${spec.triple}` }];
  });
}
