import type { CodeTable } from './types.js';

/** `build` (src/build): building the addon through @napi-rs/cli. */
export const buildCodes = {
  NS_BUILD_FAILED: {
    class: 'check',
    summary: '`napi build` failed for a target',
    hint: "run the printed napi build command by hand for cargo's full output, or rerun with --verbose",
  },
  NS_BUILD_NO_CRATE: {
    class: 'environment',
    summary: 'the root package has no Cargo.toml: nothing to build, binaries are taken as they are',
    hint: 'run napi-ship in the napi-rs package directory that holds Cargo.toml and package.json',
  },
  NS_BUILD_NO_NAPI_CLI: {
    class: 'environment',
    summary: '@napi-rs/cli is not installed: nothing can be built',
    hint: "add @napi-rs/cli to the root package's devDependencies and install",
  },
  NS_BUILD_NO_RUST: {
    class: 'environment',
    summary: 'rustc does not run here: nothing can be built',
    hint: 'install Rust with rustup (https://rustup.rs)',
  },
  NS_BUILD_SCRIPT_UNREAD: {
    class: 'check',
    summary: "the project's build script runs no `napi build` napi-ship can read: it builds with `napi build --platform --release`",
    hint: 'set napiShip.build.args to the napi build flags your build passes, or napiShip.build.script to the script that runs napi build',
  },
  NS_BUILD_SCRIPT_FLAGS: {
    class: 'check',
    summary:
      "flags of the project's napi build that a release build leaves out (--watch, --verbose, --pipe) or that napi build does not declare",
    hint: 'napi-ship passes every other napi build flag as written; check the spelling of the unknown ones against `napi build --help`',
  },
  NS_BUILD_CRATE_DETECTED: {
    class: 'check',
    summary: 'the addon crate is not beside package.json: napi-ship found the one napi-rs cdylib crate in a subfolder',
    hint: 'set napiShip.build.crateDir to say so, or pass --manifest-path in the build script',
  },
  NS_BUILD_CRATE_AMBIGUOUS: {
    class: 'check',
    summary: 'several napi-rs crates under the package and none named: napi-ship does not guess',
    hint: 'set napiShip.build.crateDir to the one to build (or pass --manifest-path in the build script)',
  },
  NS_BUILD_LOADER_KEPT: {
    class: 'check',
    summary: 'a hand-written loader or typings file (no NAPI-RS header) was kept: the one napi-rs generated was not written over it',
    hint: 'pass --js/--dts with other names (or --no-js) in the build script to have napi-rs write its own files elsewhere',
  },
} as const satisfies CodeTable;
