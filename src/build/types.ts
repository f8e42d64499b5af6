/** What `build` records in the release plan (`plan.stages.build`). */
import type { Outcome } from '../diagnostics/index.js';

/**
 * How a target is compiled here, as @napi-rs/cli's build options say it:
 * `native` (plain `cargo build`), `napi-cross` (`useNapiCross`: @napi-rs/cross-toolchain's glibc 2.17
 * gcc), `zig` (`crossCompile` → cargo-zigbuild), `xwin` (`crossCompile` → cargo-xwin, MSVC from
 * a non-Windows host).
 */
export type Toolchain = 'native' | 'napi-cross' | 'zig' | 'xwin';

export type BuildStatus = 'built' | 'skipped' | 'failed';

/** A file napi-rs wrote for one build: `node`, `js`, `dts`, … and where. */
export interface BuildOutput {
  readonly kind: string;
  readonly path: string;
}

export interface BuildTargetResult {
  readonly triple: string;
  readonly platformArchABI: string;
  readonly status: BuildStatus;
  /** The toolchain used (built/failed) or the one it would take (skipped); null when there is none here. */
  readonly toolchain: Toolchain | null;
  /** Why it was skipped or failed; for a built target, a note on the choice (may be empty). */
  readonly reason: string;
  /** The `.node` file napi build wrote (`<root>/<binaryName>.<platformArchABI>.node`). */
  readonly output: string | null;
  /** `rustc -V` of the toolchain that built it. */
  readonly rustc: string | null;
  readonly durationMs: number;
  /** The `napi build` command line the same build would be by hand (with the env napi-ship set in front). */
  readonly command: string | null;
  /** The environment napi-ship set for this target's build (MACOSX_DEPLOYMENT_TARGET, RUSTFLAGS, the project's per-target env). */
  readonly env?: Readonly<Record<string, string>>;
  /** What the built binary is, as `inspect` read it (e.g. `ELF arm64, glibc 2.17`); null when not built. */
  readonly binary?: string | null;
  /** Hand-written loaders/typings napi-ship left in place (napi-rs's generated ones were dropped). */
  readonly kept?: readonly string[];
}

/** This machine, as far as building is concerned. */
export interface BuildHost {
  /** rustc's host triple; null when rustc cannot run. */
  readonly triple: string | null;
  /** `rustc -V`, e.g. `rustc 1.95.0 (59807616e 2026-04-14)`. */
  readonly rustc: string | null;
  /** Node's view of the host (napi-cross runs on linux x64/arm64 only). */
  readonly platform: string;
  readonly arch: string;
  /** Installed Rust targets (`rustup target list --installed`); null when they cannot be listed. */
  readonly installedTargets: readonly string[] | null;
  /** Versions of the cross tools found on PATH (null: not found). */
  readonly tools: {
    readonly zig: string | null;
    readonly cargoZigbuild: string | null;
    readonly cargoXwin: string | null;
  };
  /** Triples @napi-rs/cross-toolchain has a toolchain for on this host (empty: not installed, or host unsupported). */
  readonly napiCrossTargets: readonly string[];
  /** Whether `--use-napi-cross` can run here at all (its lzma dependency loads on this Node), and which toolchains are cached. */
  readonly napiCross: NapiCrossState;
  /** The @napi-rs/cli that builds: resolved from the root package first, then from napi-ship. */
  readonly napiCli: { readonly version: string; readonly entry: string } | null;
}

/** @napi-rs/cross-toolchain as napi-rs would use it on this machine. */
export interface NapiCrossState {
  /** The @napi-rs/cross-toolchain version @napi-rs/cli resolves; null when it is not installed. */
  readonly version: string | null;
  /** It can unpack a toolchain here: installed, Linux x64/arm64 host, and its `@napi-rs/lzma` loads on this Node. */
  readonly usable: boolean;
  /** Why it is not usable (empty when it is). */
  readonly reason: string;
  /** Triples whose toolchain is already unpacked under `~/.napi-rs/cross-toolchain/<version>/` (no download needed). */
  readonly cached: readonly string[];
}

export interface BuildResult {
  readonly cwd: string;
  /** The crate's Cargo.toml; null when the root package has none (nothing to build). */
  readonly manifestPath: string | null;
  /** `release`, `debug`, or the project's `--profile`. */
  readonly profile: string;
  /** This machine as probed (not probed — all null — when there is no Cargo.toml). */
  readonly host: BuildHost;
  readonly targets: readonly BuildTargetResult[];
}

/**
 * The build stage's outcome; its diagnostics are `NS_BUILD_FAILED` per failed target,
 * `NS_BUILD_NO_CRATE`/`NS_BUILD_NO_RUST`/`NS_BUILD_NO_NAPI_CLI` for the machine.
 */
export type BuildOutcome = Outcome<BuildResult>;
