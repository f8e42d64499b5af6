import type { CodeTable } from './types.js';

/** `publish`, `status`, `deprecate` (src/publish): the atomic, resumable publish of a packed release. */
export const publishCodes = {
  NS_PUBLISH_NO_RELEASE: {
    class: 'usage',
    summary: 'the release manifest of the release dir cannot be read',
    hint: 'run `napi-ship pack` (or `release --dry-run`) first, or pass the release dir with --from DIR',
  },
  NS_PUBLISH_MANIFEST: {
    class: 'check',
    summary: 'the release manifest is not one napi-ship wrote, or does not match the release dir',
    hint: 'publish the directory `napi-ship pack` wrote, unchanged',
  },
  NS_PUBLISH_PUBLIC_KEY: {
    class: 'usage',
    summary: 'the --public-key file cannot be read',
    hint: 'pass the `.pub` file written by `napi-ship keygen`',
  },
  NS_PUBLISH_TARBALL_MISSING: {
    class: 'check',
    summary: 'a tarball the manifest lists is not in the release dir',
    hint: 'the release dir must hold every tarball the manifest lists',
  },
  NS_PUBLISH_TARBALL_MISMATCH: {
    class: 'check',
    summary: 'a tarball is not the one the manifest records; nothing was published',
    hint: 'pack the release again',
  },
  NS_PUBLISH_PIN_MISMATCH: {
    class: 'check',
    summary: 'the root pins a platform package at another version than the release has',
    hint: 'the root must pin each platform package at its exact version: run `napi-ship stage` and `pack` again',
  },
  NS_PUBLISH_INCOMPLETE: {
    class: 'check',
    summary: 'the root pins platform packages that are not in the release: a release ships every platform or none',
    hint: "build and download every target's binary, then stage, verify and pack again",
  },
  NS_PUBLISH_UNPINNED: {
    class: 'check',
    summary: 'a platform package is in the release but the root does not pin it',
    hint: "run `napi-ship stage` to write the root's pins, then pack again",
  },
  NS_PUBLISH_CONFLICT: {
    class: 'check',
    summary: 'the registry already has this version with other bytes; nothing was published',
    hint: 'a version can never be republished: bump the version (napi-ship version patch) and release again',
  },
  NS_PUBLISH_NOT_VISIBLE: {
    class: 'environment',
    summary: 'a published package did not show on the registry in time; the root was not published',
    hint: 'run `napi-ship publish --resume` once the registry catches up',
  },
  NS_PUBLISH_JOURNAL: {
    class: 'environment',
    summary: 'the publish journal cannot be opened or written',
    hint: 'make the release dir writable, or put the journal elsewhere (--journal FILE)',
  },
  NS_PUBLISH_JOURNAL_MANIFEST: {
    class: 'check',
    summary:
      '--resume was asked, but the journal speaks of another release-manifest.json for this version (the release dir was packed again)',
    hint: 'run without --resume: the new release is checked against the registry from scratch (other bytes under the version stop it)',
  },
  NS_PUBLISH_TAG_INVALID: {
    class: 'usage',
    summary: 'a dist-tag (--tag or the staging tag) cannot be used',
    hint: 'use a word such as latest, next or beta',
  },
  NS_PUBLISH_TAG_MISMATCH: {
    class: 'usage',
    summary: 'the run being resumed publishes under another tag',
    hint: 'resume without --tag, or run without --resume to publish under another tag',
  },
  NS_PUBLISH_BAD_TARBALL: {
    class: 'check',
    summary: 'a tarball to publish is not in npm pack layout (package/package.json)',
    hint: 'publish the tarballs `napi-ship pack` wrote',
  },
  NS_PUBLISH_BAD_MANIFEST: {
    class: 'check',
    summary: "a tarball's package.json has no valid name or semver version",
    hint: 'fix package.json and pack again',
  },
  NS_PUBLISH_PRIVATE: {
    class: 'check',
    summary: 'the package is marked "private": true',
    hint: 'remove "private" from its package.json to publish it',
  },
  NS_PUBLISH_ACCESS: {
    class: 'usage',
    summary: 'an unscoped package cannot be published with restricted access',
    hint: 'use --access public, or a scoped name',
  },
  NS_PUBLISH_BAD_TAG: {
    class: 'usage',
    summary: 'the dist-tag is empty or a semver range (npm refuses both)',
    hint: 'use a word such as latest, next or beta',
  },
  NS_PUBLISH_PROVENANCE_UNAVAILABLE: {
    class: 'environment',
    summary:
      'provenance is on but cannot be made here (not GitHub Actions/GitLab CI, no OIDC id token, or restricted access); nothing was published',
    hint: 'publish from CI with `permissions: id-token: write`, or turn provenance off (--no-provenance)',
  },
  NS_PUBLISH_PROVENANCE_REGISTRY: {
    class: 'usage',
    summary: 'provenance is on but the registry is known to store no provenance attestations; nothing was published',
    hint: 'publish with provenance to registry.npmjs.org, or turn provenance off for this registry (--no-provenance)',
  },
  NS_PUBLISH_PROVENANCE_SIGN: {
    class: 'environment',
    summary: 'a provenance attestation could not be signed (OIDC token, Fulcio or Rekor failed); nothing was published',
    hint: 'check `permissions: id-token: write` and that the sigstore services are reachable, then publish again',
  },
  NS_PUBLISH_PROVENANCE_MISMATCH: {
    class: 'check',
    summary: 'a signed provenance bundle does not attest its package tarball (name or sha512); nothing was published',
    hint: 'do not publish: the signing service returned something else than what was asked',
  },
  NS_DEPRECATE_NOT_PUBLISHED: {
    class: 'check',
    summary: 'the release (or a package it pins) is not on the registry; it was not marked',
    hint: 'check the version and --registry (`napi-ship status <version>` shows what is there)',
  },
} as const satisfies CodeTable;
