import type { CodeTable } from './types.js';

/** `policy` (src/policy): licenses, bans, sources and duplicates of everything a release ships. */
export const policyCodes = {
  NS_POLICY_NOT_CONFIGURED: {
    class: 'check',
    summary: 'no license policy is configured: the licenses found are reported, nothing is judged',
    hint: 'run `napi-ship policy --init` to see a starter policy made from the licenses found, `--init --yes` to write it (see docs/config.md)',
  },
  NS_POLICY_LICENSE_DENIED: {
    class: 'check',
    summary: "a package's license is not allowed by the policy",
    hint: 'if its terms are acceptable, add it to licenses.allow, or allow it for this package only (licenses.exceptions)',
  },
  NS_POLICY_LICENSE_UNKNOWN: {
    class: 'check',
    summary: 'a package declares no license',
    hint: 'have the package declare an SPDX expression upstream; meanwhile clarify it (licenses.clarify) once you have read its license',
  },
  NS_POLICY_LICENSE_INVALID: {
    class: 'check',
    summary: "a package's license is not a valid SPDX expression",
    hint: 'have the package declare an SPDX expression upstream; meanwhile clarify it (licenses.clarify) once you have read its license',
  },
  NS_POLICY_CLARIFY_STALE: {
    class: 'check',
    summary: 'a license clarification no longer holds: its license files changed',
    hint: "read the package's license again and update the licenseFiles of its licenses.clarify entry",
  },
  NS_POLICY_BANNED: {
    class: 'check',
    summary: 'a banned package ships',
    hint: 'remove the dependency, or lift the ban',
  },
  NS_POLICY_DUPLICATE: {
    class: 'check',
    summary: 'several versions of one package ship',
    hint: 'unify the versions, or skip the package in duplicates.skip',
  },
  NS_POLICY_SOURCE_GIT: {
    class: 'check',
    summary: 'a dependency comes from git, not from a registry',
    hint: 'depend on a published release instead, or allow the repository (sources.allowGit)',
  },
  NS_POLICY_SOURCE_PATH: {
    class: 'check',
    summary: 'a dependency comes from a local path, not from a registry',
    hint: 'publish it and depend on the release, or allow it (sources.allowPath)',
  },
  NS_POLICY_SOURCE_REGISTRY: {
    class: 'check',
    summary: 'a dependency comes from a registry the policy does not allow',
    hint: 'depend on it from the allowed registry, or allow its registry (sources.allowRegistries / sources.npmRegistries)',
  },
  NS_POLICY_SOURCE_UNKNOWN: {
    class: 'check',
    summary: 'a dependency comes from a source the policy cannot check',
    hint: 'depend on it from crates.io or the npm registry',
  },
  NS_POLICY_UNUSED: {
    class: 'check',
    summary: 'a policy entry matches no package checked',
    hint: 'remove it if the dependency is gone',
  },
} as const satisfies CodeTable;
