import type { CodeTable } from './types.js';

/** `version` (src/version): bumping the root, the platform packages and Cargo.toml together. */
export const versionCodes = {
  NS_VERSION_INVALID: {
    class: 'usage',
    summary: 'the requested version is neither a bump keyword nor a semver version',
    hint: 'e.g. napi-ship version patch, or napi-ship version 1.4.0-beta.1',
  },
  NS_VERSION_NOT_NEWER: {
    class: 'usage',
    summary: 'the requested version is not newer than the current one',
    hint: 'versions only move forward',
  },
  NS_VERSION_EXISTS: {
    class: 'check',
    summary: 'the version is already on the registry; a version is published once',
    hint: 'pick the next version',
  },
  NS_VERSION_REGISTRY: {
    class: 'environment',
    summary: 'the registry cannot be asked whether the version exists',
    hint: 'check --registry and the network, or pass --no-registry-check to skip the check',
  },
  NS_VERSION_CARGO: {
    class: 'check',
    summary: 'Cargo.toml has no version line to update',
    hint: 'give the crate a `version = "x.y.z"` in [package] (or [workspace.package])',
  },
} as const satisfies CodeTable;
