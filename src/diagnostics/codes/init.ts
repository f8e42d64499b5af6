import type { CodeTable } from './types.js';

/** `init` (src/init): setting napi-ship up in an existing napi-rs project. */
export const initCodes = {
  NS_INIT_NO_CRATE: {
    class: 'check',
    summary: 'there is no Cargo.toml next to package.json: napi-ship will take binaries as they are and build nothing',
    hint: 'run init in the napi-rs package directory that holds Cargo.toml',
  },
  NS_INIT_INSTALL_FAILED: {
    class: 'environment',
    summary: "the project's package manager did not add the dev dependencies",
    hint: 'run the command shown yourself, or `napi-ship init --yes --no-install` to only write them into package.json',
  },
} as const satisfies CodeTable;
