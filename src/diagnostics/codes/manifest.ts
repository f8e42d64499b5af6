import type { CodeTable } from './types.js';

/** `verify-manifest` (src/sign/verify, src/manifest): a downloaded release checked against its signed manifest. */
export const manifestCodes = {
  NS_MANIFEST_READ: {
    class: 'usage',
    summary: 'release-manifest.json (or its signature) cannot be read',
    hint: 'pass the release dir that holds release-manifest.json and release-manifest.json.sig',
  },
  NS_MANIFEST_SCHEMA: {
    class: 'check',
    summary: 'release-manifest.json is not a valid napi-ship release manifest',
    hint: 'the manifest must be written by `napi-ship pack`; do not edit it by hand',
  },
  NS_MANIFEST_SIGNATURE: {
    class: 'check',
    summary: 'the manifest signature is missing, malformed, or does not verify with the public key',
    hint: 'do not trust this release; check you have the right public key',
  },
  NS_MANIFEST_MISSING_FILE: {
    class: 'check',
    summary: 'a file the manifest lists is not in the release dir',
    hint: 'download every file of the release into one directory, next to release-manifest.json',
  },
  NS_MANIFEST_HASH_MISMATCH: {
    class: 'check',
    summary: 'a file of the release does not have the size or digest the manifest records',
    hint: 'do not publish or install it; download the release again, or re-run `napi-ship pack` and sign again',
  },
  NS_MANIFEST_SUMS: {
    class: 'check',
    summary: 'SHA256SUMS disagrees with the manifest',
    hint: 'SHA256SUMS must be written from the same files as the manifest (`napi-ship pack` writes both); download it again or re-pack',
  },
  NS_MANIFEST_PATH: {
    class: 'check',
    summary: 'the manifest names a path outside the release dir, or a file is a link that leaves it',
    hint: 'do not trust this manifest; `napi-ship pack` only writes plain relative names',
  },
} as const satisfies CodeTable;
