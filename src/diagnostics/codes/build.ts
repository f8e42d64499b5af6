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
} as const satisfies CodeTable;
