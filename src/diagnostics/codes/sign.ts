import type { CodeTable } from './types.js';

/** `keygen`, `sign` (src/sign): the Ed25519 key pair and the signed release manifest. */
export const signCodes = {
  NS_KEYGEN_EXISTS: {
    class: 'usage',
    summary: 'keygen refuses to overwrite an existing key file',
    hint: 'choose another --out, or pass --force to replace the key pair (old signatures will no longer verify)',
  },
  NS_SIGN_NO_KEY: {
    class: 'usage',
    summary: 'no signing key was given',
    hint: 'pass --key FILE or set NAPI_SHIP_SIGNING_KEY',
  },
  NS_SIGN_KEY_MISSING: {
    class: 'usage',
    summary: 'the signing key file does not exist, cannot be opened or is not a regular file',
    hint: 'pass the private key file written by `napi-ship keygen`',
  },
  NS_SIGN_KEY_PERMISSIONS: {
    class: 'environment',
    summary: 'the private key file is open to group or others; it is not used',
    hint: 'chmod 600 the key file',
  },
  NS_SIGN_KEY_INVALID: {
    class: 'usage',
    summary: 'the signing key is not an unencrypted PKCS#8 PEM private key (or its base64)',
    hint: 'create one with `napi-ship keygen`',
  },
  NS_SIGN_KEY_TYPE: {
    class: 'usage',
    summary: 'the key is not an Ed25519 key',
    hint: 'create one with `napi-ship keygen`',
  },
  NS_SIGN_PUBLIC_KEY: {
    class: 'usage',
    summary: 'the public key cannot be read or is not an Ed25519 public key',
    hint: 'pass the `.pub` file written by `napi-ship keygen`',
  },
  NS_SIGN_KEY_MISMATCH: {
    class: 'usage',
    summary: 'the public key given is not the public half of the signing key',
    hint: 'pass the `.pub` file written next to the private key by `napi-ship keygen`',
  },
  NS_SIGN_NO_MANIFEST: {
    class: 'usage',
    summary: 'there is no release-manifest.json to sign in the release dir',
    hint: 'run `napi-ship pack` first, or pass the release dir with --dir',
  },
} as const satisfies CodeTable;
