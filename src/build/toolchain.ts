/**
 * Which toolchain builds a target here, and whether this machine has what it needs — pure: a
 * target and a `BuildHost` in, a choice out.
 *
 * The rules follow napi-rs (@napi-rs/cli 3.10 `docs/build.md` and the package template's CI), by
 * what is installed and can run here:
 * - the host target builds natively, except Linux glibc, which goes through `useNapiCross`
 *   (@napi-rs/cross-toolchain's gcc over a glibc 2.17 sysroot) for a low glibc floor when
 *   napi-cross can run here;
 * - other Linux glibc targets: `useNapiCross` when it can run here (its `@napi-rs/lzma` loads on
 *   this Node), with cargo-zigbuild as the fallback when its toolchain cannot be set up; without
 *   napi-cross, cargo-zigbuild with the glibc floor as a target suffix (`aarch64-unknown-linux-gnu.2.17`);
 * - musl and FreeBSD: `crossCompile` (`-x`) → cargo-zigbuild + zig (napi-rs adds
 *   `-C target-feature=-crt-static` for musl; napi-ship sets it too, so a plain `cargo` run agrees);
 * - macOS from Linux/Windows: cargo-zigbuild + zig (enough for a crate that links no Apple
 *   framework), `MACOSX_DEPLOYMENT_TARGET` set (10.13 x64, 11.0 arm64 as napi-rs's CI, or the
 *   project's `napiShip.build.macosDeploymentTarget`);
 * - Windows MSVC from a non-Windows host: `crossCompile` (`-x`) → cargo-xwin (downloads
 *   Microsoft's CRT at build time).
 * A target whose Rust target or tool is missing is skipped with what to install — never faked.
 */
import type { TargetSpec } from '../targets/index.js';
import { shellQuote } from './script.js';
import type { BuildHost, Toolchain } from './types.js';

/** How one target is built: the toolchain, the `--target` spelling napi-rs gets, and the env napi-ship adds. */
export interface BuildPlanStep {
  readonly toolchain: Toolchain;
  /** What napi build gets as `--target` (may carry a glibc suffix for cargo-zigbuild, e.g. `….2.17`). */
  readonly target: string;
  readonly env: Readonly<Record<string, string>>;
  readonly note: string;
}

export type BuildChoice =
  | (BuildPlanStep & {
      readonly kind: 'build';
      /** What to try when the first toolchain cannot even be set up (napi-cross download/unpack). */
      readonly fallback?: BuildPlanStep;
    })
  | { readonly kind: 'skip'; readonly toolchain: Toolchain | null; readonly reason: string };

/** Per-project settings of the choice (from `napiShip.build`). */
export interface ToolchainSettings {
  /** `MACOSX_DEPLOYMENT_TARGET` for every macOS target; default 10.13 (x64) / 11.0 (arm64), as napi-rs's CI. */
  readonly macosDeploymentTarget?: string;
  /** The glibc floor for cargo-zigbuild builds of Linux glibc targets; default per arch (2.17, riscv64 2.27, loongarch64 2.36). */
  readonly glibcFloor?: string;
  /** The environment as the build will see it (for MACOSX_DEPLOYMENT_TARGET/RUSTFLAGS already set by the user). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** napi build options for a toolchain (the rest — platform naming, profile, target — is common). */
export function toolchainOptions(toolchain: Toolchain): { useNapiCross?: boolean; crossCompile?: boolean } {
  if (toolchain === 'napi-cross') return { useNapiCross: true };
  if (toolchain === 'zig' || toolchain === 'xwin') return { crossCompile: true };
  return {};
}

/** The `napi build` command line of one target (`triple` null: the host, no `--target`), for logs and the report. */
export function napiCommand(
  triple: string | null,
  toolchain: Toolchain,
  /** true: `--release`; a string: `--profile <it>`; false: neither (debug). */
  release: boolean | string,
  env: Readonly<Record<string, string>> = {},
  extra: readonly string[] = [],
): string {
  const flags = { native: '', 'napi-cross': ' --use-napi-cross', zig: ' -x', xwin: ' -x' }[toolchain];
  const prefix = Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(v)} `)
    .join('');
  const rest = extra.length > 0 ? ` ${extra.join(' ')}` : '';
  const profile = typeof release === 'string' ? ` --profile ${release}` : release ? ' --release' : '';
  return `${prefix}napi build --platform${profile}${triple === null ? '' : ` --target ${triple}`}${flags}${rest}`;
}

function hostName(host: BuildHost): string {
  return host.triple ?? `${host.platform}-${host.arch}`;
}

/** The glibc floor a cargo-zigbuild build pins for a Linux glibc target (napi-cross's sysroot is 2.17). */
export function defaultGlibcFloor(spec: TargetSpec): string {
  if (spec.arch === 'riscv64') return '2.27';
  if (spec.arch === 'loong64') return '2.36';
  return '2.17';
}

/** napi-rs's CI deployment targets: 10.13 for x64, 11.0 (the first arm64 macOS) for arm64. */
export function defaultMacosDeploymentTarget(spec: TargetSpec): string {
  return spec.arch === 'arm64' ? '11.0' : '10.13';
}

function isLinuxGnu(spec: TargetSpec): boolean {
  return spec.platform === 'linux' && spec.abi !== null && spec.abi.startsWith('gnu');
}

/** The env napi-ship adds for a target (user-set variables win: they are not repeated). */
function targetEnv(spec: TargetSpec, toolchain: Toolchain, host: BuildHost, settings: ToolchainSettings): Record<string, string> {
  const env: Record<string, string> = {};
  const userEnv = settings.env ?? {};
  if (spec.platform === 'darwin' && host.platform !== 'darwin' && !userEnv.MACOSX_DEPLOYMENT_TARGET) {
    env.MACOSX_DEPLOYMENT_TARGET = settings.macosDeploymentTarget ?? defaultMacosDeploymentTarget(spec);
  } else if (spec.platform === 'darwin' && !userEnv.MACOSX_DEPLOYMENT_TARGET && settings.macosDeploymentTarget) {
    env.MACOSX_DEPLOYMENT_TARGET = settings.macosDeploymentTarget;
  }
  if (spec.abi !== null && spec.abi.startsWith('musl') && toolchain !== 'native') {
    const rustflags = userEnv.RUSTFLAGS ?? userEnv.CARGO_BUILD_RUSTFLAGS ?? '';
    // A cdylib for musl needs a dynamic CRT; napi-rs adds it too, napi-ship says it out loud.
    if (!rustflags.includes('target-feature=-crt-static')) env.RUSTFLAGS = `${rustflags} -C target-feature=-crt-static`.trim();
  }
  return env;
}

type Pick = { toolchain: Toolchain; note: string } | { reason: string };

/** The toolchain a target takes on this host, or why there is none. */
function pickToolchain(spec: TargetSpec, host: BuildHost): Pick {
  const isHost = spec.triple === host.triple;
  const linuxGnu = isLinuxGnu(spec);
  const napiCrossServes = host.napiCrossTargets.includes(spec.triple);
  const napiCrossRuns = host.napiCross.usable;
  if (isHost) {
    if (linuxGnu && napiCrossServes && napiCrossRuns) return { toolchain: 'napi-cross', note: '' };
    if (linuxGnu) {
      const why = napiCrossServes ? host.napiCross.reason : '@napi-rs/cross-toolchain has no toolchain for this host';
      return { toolchain: 'native', note: `native build (${why}): the glibc floor is this machine's` };
    }
    return { toolchain: 'native', note: '' };
  }
  if (spec.universalOf) {
    return {
      reason: `${spec.triple} is ${spec.universalOf.join(' + ')} merged by \`napi universalize\` on macOS; napi-ship build does not drive that`,
    };
  }
  if (spec.platform === 'darwin') {
    if (host.platform === 'darwin') return { toolchain: 'native', note: '' };
    return {
      toolchain: 'zig',
      note: 'cargo-zigbuild without an Apple SDK: fine for a crate that links no Apple framework (one that does fails at link time; build it on a macOS runner)',
    };
  }
  if (spec.platform === 'win32') {
    if (host.platform === 'win32') return { toolchain: 'native', note: '' };
    if (spec.abi === 'msvc') return { toolchain: 'xwin', note: '' };
    return {
      reason: `no cross toolchain for ${spec.triple} from ${hostName(host)} (cargo-xwin builds MSVC targets only): build on a Windows runner`,
    };
  }
  if (linuxGnu && napiCrossServes && napiCrossRuns) return { toolchain: 'napi-cross', note: '' };
  if (linuxGnu) {
    const why = napiCrossServes ? host.napiCross.reason : `@napi-rs/cross-toolchain has no toolchain for ${spec.triple}`;
    return { toolchain: 'zig', note: `cargo-zigbuild with glibc ${defaultGlibcFloor(spec)} (napi-cross not used: ${why})` };
  }
  if (spec.platform === 'linux' || spec.platform === 'freebsd') return { toolchain: 'zig', note: '' };
  return {
    reason: `no cross toolchain for ${spec.platform} targets from ${hostName(host)} in napi-ship build (the CI workflow builds it on its own runner)`,
  };
}

/** What is missing on this machine for `toolchain` to build `spec` (empty: nothing). */
export function missingFor(spec: TargetSpec, toolchain: Toolchain, host: BuildHost): string[] {
  const gaps: string[] = [];
  if (host.installedTargets !== null && !host.installedTargets.includes(spec.triple)) {
    gaps.push(`rust target ${spec.triple} not installed (rustup target add ${spec.triple})`);
  }
  if (toolchain === 'zig') {
    if (host.tools.zig === null)
      gaps.push('zig not found on PATH (cargo-zigbuild links with zig; napi-rs uses zig 0.14: napi-ship doctor --install)');
    if (host.tools.cargoZigbuild === null)
      gaps.push('cargo-zigbuild not installed (napi-ship doctor --install, or pip install cargo-zigbuild)');
    if (gaps.length > 0 && spec.platform === 'darwin' && host.platform !== 'darwin') gaps.push('or build it on a macOS runner');
  }
  if (toolchain === 'xwin' && host.tools.cargoXwin === null) {
    gaps.push(
      "cargo-xwin not installed (cargo install --locked cargo-xwin; it downloads Microsoft's CRT and SDK at build time) — or build on a Windows runner",
    );
  }
  return gaps;
}

/** The `--target` napi build gets: the triple, with the glibc floor for a cargo-zigbuild Linux glibc build. */
function targetSpelling(spec: TargetSpec, toolchain: Toolchain, settings: ToolchainSettings): string {
  if (toolchain === 'zig' && isLinuxGnu(spec)) return `${spec.triple}.${settings.glibcFloor ?? defaultGlibcFloor(spec)}`;
  return spec.triple;
}

function step(spec: TargetSpec, toolchain: Toolchain, note: string, host: BuildHost, settings: ToolchainSettings): BuildPlanStep {
  return { toolchain, target: targetSpelling(spec, toolchain, settings), env: targetEnv(spec, toolchain, host, settings), note };
}

/** Build `spec` here with which toolchain, or skip it and why. */
export function chooseToolchain(spec: TargetSpec, host: BuildHost, settings: ToolchainSettings = {}): BuildChoice {
  if (host.napiCli === null)
    return { kind: 'skip', toolchain: null, reason: "@napi-rs/cli not found (add it to the root package's devDependencies)" };
  if (host.triple === null) return { kind: 'skip', toolchain: null, reason: 'rustc not found or not working (install Rust with rustup)' };
  const picked = pickToolchain(spec, host);
  if ('reason' in picked) return { kind: 'skip', toolchain: null, reason: picked.reason };
  const gaps = missingFor(spec, picked.toolchain, host);
  if (gaps.length > 0) return { kind: 'skip', toolchain: picked.toolchain, reason: gaps.join('; ') };
  const chosen = step(spec, picked.toolchain, picked.note, host, settings);
  // napi-cross for a target whose toolchain is not unpacked yet: napi-rs downloads it with `npm pack`;
  // when that cannot happen here (offline, a registry without that version), cargo-zigbuild builds it.
  if (
    picked.toolchain === 'napi-cross' &&
    spec.triple !== host.triple &&
    !host.napiCross.cached.includes(spec.triple) &&
    missingFor(spec, 'zig', host).length === 0
  ) {
    const fallback = step(
      spec,
      'zig',
      `cargo-zigbuild with glibc ${settings.glibcFloor ?? defaultGlibcFloor(spec)}, because the napi-cross toolchain could not be set up`,
      host,
      settings,
    );
    return { kind: 'build', ...chosen, fallback };
  }
  return { kind: 'build', ...chosen };
}
