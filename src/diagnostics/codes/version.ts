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
  NS_VERSION_TAG: {
    class: 'usage',
    summary: 'the --tag given is not a dist-tag npm accepts (empty, or parses as a semver range)',
    hint: 'pick a tag name such as next, beta or v1-lts',
  },
  NS_VERSION_BELOW_LATEST: {
    class: 'check',
    summary: "the new version is below the registry's `latest`; under the default tag it would move latest backwards",
    hint: 'name the dist-tag explicitly for a backport (--tag v1-lts), and publish with the same --tag',
  },
  NS_VERSION_BASE: {
    class: 'check',
    summary: 'the registry has a newer version than the local one; the bump started from it',
    hint: 'this checkout is behind the registry: pull the release commit if there is one',
  },
  NS_VERSION_CARGO_INDEPENDENT: {
    class: 'check',
    summary: "the crate's version is not the package's, so it is its own and was left alone",
    hint: 'set the crate version to the package version once if it should move with the release',
  },
} as const satisfies CodeTable;
