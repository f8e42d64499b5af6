/**
 * Which toolchain builds a target here, and whether this machine has what it needs — pure: a
 * target and a `BuildHost` in, a choice out.
 *
 * The rules are napi-rs's own recommendations (@napi-rs/cli 3.10 `docs/build.md` and the
 * package template's CI):
 * - the host target builds natively, except Linux glibc, which goes through `useNapiCross`
 *   (@napi-rs/cross-toolchain's gcc over a glibc 2.17 sysroot) for a low glibc floor;
 * - other Linux glibc targets @napi-rs/cross-toolchain serves: `useNapiCross`;
 * - musl and the remaining Linux/FreeBSD targets: `crossCompile` (`-x`) → cargo-zigbuild + zig;
 * - Windows MSVC from a non-Windows host: `crossCompile` (`-x`) → cargo-xwin;
 * - macOS from anything but macOS: not possible (Apple's SDK and linker), so skipped.
 * A target whose Rust target or tool is missing is skipped with what to install — never faked.
 */
import type { TargetSpec } from '../targets/index.js';
import type { BuildHost, Toolchain } from './types.js';

export type BuildChoice =
  | { readonly kind: 'build'; readonly toolchain: Toolchain; readonly note: string }
  | { readonly kind: 'skip'; readonly toolchain: Toolchain | null; readonly reason: string };

/** napi build options for a toolchain (the rest — platform naming, profile, target — is common). */
export function toolchainOptions(toolchain: Toolchain): { useNapiCross?: boolean; crossCompile?: boolean } {
  if (toolchain === 'napi-cross') return { useNapiCross: true };
  if (toolchain === 'zig' || toolchain === 'xwin') return { crossCompile: true };
  return {};
}

/** The `napi build` command line of one target (`triple` null: the host, no `--target`), for logs and the report. */
export function napiCommand(triple: string | null, toolchain: Toolchain, release: boolean): string {
  const flags = { native: '', 'napi-cross': ' --use-napi-cross', zig: ' -x', xwin: ' -x' }[toolchain];
  return `napi build --platform${release ? ' --release' : ''}${triple === null ? '' : ` --target ${triple}`}${flags}`;
}

function hostName(host: BuildHost): string {
  return host.triple ?? `${host.platform}-${host.arch}`;
}

/** The toolchain a target takes on this host, or why there is none. */
function pickToolchain(spec: TargetSpec, host: BuildHost): { toolchain: Toolchain; note: string } | { reason: string } {
  const isHost = spec.triple === host.triple;
  const linuxGnu = spec.platform === 'linux' && spec.abi !== null && spec.abi.startsWith('gnu');
  const napiCross = host.napiCrossTargets.includes(spec.triple);
  if (isHost) {
    if (linuxGnu && napiCross) return { toolchain: 'napi-cross', note: '' };
    if (linuxGnu)
      return {
        toolchain: 'native',
        note: "native build: @napi-rs/cross-toolchain has no toolchain for this host, so the glibc floor is this machine's",
      };
    return { toolchain: 'native', note: '' };
  }
  if (spec.universalOf) {
    return {
      reason: `${spec.triple} is ${spec.universalOf.join(' + ')} merged by \`napi universalize\` on macOS; napi-ship build does not drive that`,
    };
  }
  if (spec.platform === 'darwin') {
    if (host.platform === 'darwin') return { toolchain: 'native', note: '' };
    return { reason: `cannot build macOS targets on ${hostName(host)}: they need Apple's SDK and linker (build on a macOS runner)` };
  }
  if (spec.platform === 'win32') {
    if (host.platform === 'win32') return { toolchain: 'native', note: '' };
    if (spec.abi === 'msvc') return { toolchain: 'xwin', note: '' };
    return {
      reason: `no cross toolchain for ${spec.triple} from ${hostName(host)} (cargo-xwin builds MSVC targets only): build on a Windows runner`,
    };
  }
  if (linuxGnu && napiCross) return { toolchain: 'napi-cross', note: '' };
  if (spec.platform === 'linux' || spec.platform === 'freebsd') return { toolchain: 'zig', note: '' };
  return {
    reason: `no cross toolchain for ${spec.platform} targets from ${hostName(host)} in napi-ship build (the CI workflow builds it on its own runner)`,
  };
}

/** What is missing on this machine for `toolchain` to build `spec` (empty: nothing). */
function missing(spec: TargetSpec, toolchain: Toolchain, host: BuildHost): string[] {
  const gaps: string[] = [];
  if (host.installedTargets !== null && !host.installedTargets.includes(spec.triple)) {
    gaps.push(`rust target ${spec.triple} not installed (rustup target add ${spec.triple})`);
  }
  if (toolchain === 'zig') {
    if (host.tools.zig === null) gaps.push('zig not found on PATH (cargo-zigbuild links with zig; napi-rs uses zig 0.14)');
    if (host.tools.cargoZigbuild === null) gaps.push('cargo-zigbuild not installed (cargo install --locked cargo-zigbuild)');
  }
  if (toolchain === 'xwin' && host.tools.cargoXwin === null) {
    gaps.push('cargo-xwin not installed (cargo install --locked cargo-xwin)');
  }
  return gaps;
}

/** Build `spec` here with which toolchain, or skip it and why. */
export function chooseToolchain(spec: TargetSpec, host: BuildHost): BuildChoice {
  if (host.napiCli === null)
    return { kind: 'skip', toolchain: null, reason: "@napi-rs/cli not found (add it to the root package's devDependencies)" };
  if (host.triple === null) return { kind: 'skip', toolchain: null, reason: 'rustc not found or not working (install Rust with rustup)' };
  const picked = pickToolchain(spec, host);
  if ('reason' in picked) return { kind: 'skip', toolchain: null, reason: picked.reason };
  const gaps = missing(spec, picked.toolchain, host);
  if (gaps.length > 0) return { kind: 'skip', toolchain: picked.toolchain, reason: gaps.join('; ') };
  return { kind: 'build', toolchain: picked.toolchain, note: picked.note };
}
