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

/** The GitHub-hosted runner labels the matrices use (the arm ones only test, as in napi-rs's template). */
export type Runner = 'ubuntu-latest' | 'macos-latest' | 'windows-latest' | 'ubuntu-24.04-arm' | 'windows-11-arm';

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
  /** The exact build command, run in the root package directory: the project's build with the target and toolchain flags. */
  readonly build: string;
  /** What the runner needs first. */
  readonly setup: readonly SetupNeed[];
  /** The artifact the binary is uploaded as: `bindings-<triple>`. */
  readonly artifact: string;
}

/**
 * The build command of one target: `triple` and the toolchain flags (`' --use-napi-cross'`, `' -x'`
 * or `''`) in, a command line out. The default is napi-rs's template build; `ci generate` passes
 * the project's own (see workflow.ts `projectBuildCommand`).
 */
export type BuildCommand = (spec: TargetSpec, triple: string, flags: string) => string;

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

/** napi-rs's template build: `napi build --platform --release --target T` plus the toolchain flags. */
export const templateBuild: BuildCommand = (_spec, triple, flags) => `napi build --platform --release --target ${triple}${flags}`;

/** The matrix entry of one target. */
export function matrixEntry(spec: TargetSpec, command: BuildCommand = templateBuild): MatrixEntry {
  const host = runnerFor(spec);
  const cross = crossCompilerFor(spec, host);
  const parts = spec.universalOf ?? [spec.triple];
  const build = spec.universalOf
    ? [...spec.universalOf.map((t) => command(spec, t, FLAGS[cross])), 'napi universalize'].join(' && ')
    : command(spec, spec.triple, FLAGS[cross]);
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
export function ciMatrix(targets: readonly TargetSpec[], command: BuildCommand = templateBuild): MatrixEntry[] {
  return targets.map((spec) => matrixEntry(spec, command));
}

/** The Node.js lines the test jobs run the project's tests on (napi-rs's template: 22 and 24). */
export const TEST_NODE_VERSIONS: readonly string[] = Object.freeze(['22', '24']);

/**
 * macOS and Windows targets a GitHub-hosted runner runs natively, with the Node.js architecture
 * setup-node installs (napi-rs's template `test-macOS-windows-binding`: x64 macOS through Rosetta
 * on `macos-latest`).
 */
export const TESTABLE_TARGETS: Readonly<Record<string, { readonly host: Runner; readonly architecture: string }>> = Object.freeze({
  'x86_64-apple-darwin': { host: 'macos-latest', architecture: 'x64' },
  'aarch64-apple-darwin': { host: 'macos-latest', architecture: 'arm64' },
  'x86_64-pc-windows-msvc': { host: 'windows-latest', architecture: 'x64' },
  'aarch64-pc-windows-msvc': { host: 'windows-11-arm', architecture: 'arm64' },
});

/**
 * Linux targets tested in a Docker container of the official `node` image (napi-rs's template
 * `test-linux-binding`): `-slim` (Debian, glibc) or `-alpine` (musl); arm64 on the arm64 runner,
 * armv7/ppc64le/s390x under QEMU on `ubuntu-latest`. These are the architectures the `node` images
 * are published for.
 */
export const DOCKER_TARGETS: Readonly<
  Record<string, { readonly platform: string; readonly image: 'slim' | 'alpine'; readonly host: Runner }>
> = Object.freeze({
  'x86_64-unknown-linux-gnu': { platform: 'linux/amd64', image: 'slim', host: 'ubuntu-latest' },
  'x86_64-unknown-linux-musl': { platform: 'linux/amd64', image: 'alpine', host: 'ubuntu-latest' },
  'aarch64-unknown-linux-gnu': { platform: 'linux/arm64', image: 'slim', host: 'ubuntu-24.04-arm' },
  'aarch64-unknown-linux-musl': { platform: 'linux/arm64', image: 'alpine', host: 'ubuntu-24.04-arm' },
  'armv7-unknown-linux-gnueabihf': { platform: 'linux/arm/v7', image: 'slim', host: 'ubuntu-latest' },
  'powerpc64le-unknown-linux-gnu': { platform: 'linux/ppc64le', image: 'slim', host: 'ubuntu-latest' },
  's390x-unknown-linux-gnu': { platform: 'linux/s390x', image: 'slim', host: 'ubuntu-latest' },
});

/** One entry of the macOS/Windows test matrix (`jobs.test.strategy.matrix.settings[]`): a target on one Node line. */
export interface TestEntry {
  readonly target: string;
  readonly platformArchABI: string;
  readonly host: Runner;
  readonly node: string;
  /** setup-node's `architecture`. */
  readonly architecture: string;
  readonly artifact: string;
}

/** One entry of the Linux test matrix (`jobs.test-linux`): a target in a `node` container on one Node line. */
export interface LinuxTestEntry {
  readonly target: string;
  readonly platformArchABI: string;
  readonly host: Runner;
  readonly node: string;
  /** `docker run --platform`. */
  readonly platform: string;
  /** The container image, e.g. `node:22-slim`. */
  readonly image: string;
  /** The runner emulates the architecture (QEMU binfmt) rather than running it. */
  readonly qemu: boolean;
  readonly artifact: string;
}

/** One entry of the WASI test matrix (`jobs.test-wasi`). */
export interface WasiTestEntry {
  readonly target: string;
  readonly platformArchABI: string;
  readonly artifact: string;
}

function untestedReason(spec: TargetSpec): string | null {
  if (TESTABLE_TARGETS[spec.triple] || DOCKER_TARGETS[spec.triple] || spec.platform === 'wasi') return null;
  if (spec.platform === 'android')
    return "Android: no GitHub-hosted runner or container runs it (napi-rs's template builds it untested too)";
  if (spec.platform === 'freebsd')
    return "FreeBSD: napi-rs's template builds and tests it inside a FreeBSD VM (cross-platform-actions/action), which napi-ship does not pin; here it is cross-built with cargo-zigbuild and not run";
  if (spec.platform === 'openharmony') return 'OpenHarmony: needs the OpenHarmony SDK and a device or emulator';
  if (spec.universalOf) return 'the universal macOS binary: its two halves are the darwin targets';
  if (spec.triple === 'i686-pc-windows-msvc') return 'Node.js has no 32-bit Windows build since Node 23';
  if (spec.platform === 'linux')
    return `no official \`node\` Docker image for ${spec.arch}${spec.abi?.startsWith('musl') ? ' on Alpine' : ''}`;
  return 'no GitHub-hosted runner runs it';
}

/** The configured targets no test job runs, each with why (written into the workflow's header). */
export function untestedTargets(targets: readonly TargetSpec[]): { readonly target: string; readonly why: string }[] {
  return targets.flatMap((spec) => {
    const why = untestedReason(spec);
    return why === null ? [] : [{ target: spec.triple, why }];
  });
}

/** The macOS/Windows targets the `test` job runs, × each Node line, in configured order. */
export function testMatrix(targets: readonly TargetSpec[]): TestEntry[] {
  return targets.flatMap((spec) => {
    const t = TESTABLE_TARGETS[spec.triple];
    if (t === undefined) return [];
    return TEST_NODE_VERSIONS.map((node) => ({
      target: spec.triple,
      platformArchABI: spec.platformArchABI,
      host: t.host,
      node,
      architecture: t.architecture,
      artifact: `bindings-${spec.triple}`,
    }));
  });
}

/** The Linux targets the `test-linux` job runs in Docker, × each Node line (armv7 on 22 only: the `node` images stop at 22 for it, as napi-rs's template excludes it on 24). */
export function linuxTestMatrix(targets: readonly TargetSpec[]): LinuxTestEntry[] {
  return targets.flatMap((spec) => {
    const t = DOCKER_TARGETS[spec.triple];
    if (t === undefined) return [];
    const nodes = spec.arch === 'arm' ? TEST_NODE_VERSIONS.slice(0, 1) : TEST_NODE_VERSIONS;
    return nodes.map((node) => ({
      target: spec.triple,
      platformArchABI: spec.platformArchABI,
      host: t.host,
      node,
      platform: t.platform,
      image: `node:${node}-${t.image}`,
      qemu: !(t.host === 'ubuntu-24.04-arm' || t.platform === 'linux/amd64'),
      artifact: `bindings-${spec.triple}`,
    }));
  });
}

/** The WASI targets the `test-wasi` job runs (with `NAPI_RS_FORCE_WASI=1`). */
export function wasiTestMatrix(targets: readonly TargetSpec[]): WasiTestEntry[] {
  return targets
    .filter((spec) => spec.platform === 'wasi')
    .map((spec) => ({ target: spec.triple, platformArchABI: spec.platformArchABI, artifact: `bindings-${spec.triple}` }));
}
