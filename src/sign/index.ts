/**
 * Signing a release dir: an Ed25519 signature over the exact bytes of `release-manifest.json`,
 * written next to it as `release-manifest.json.sig`; `verifyRelease` checks it all back.
 */
import { sign, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { diagnostic, DiagnosticError, outcome, type Outcome } from '../diagnostics/index.js';
import { MANIFEST_FILE, SIGNATURE_FILE } from '../manifest/index.js';
import { keyId, parsePublicKey, SIGNATURE_ALGORITHM } from './keys.js';
import { parseManifest, verifyRelease, type ManifestSignature, type VerifyReleaseFilesOptions } from './verify.js';
import { LIMITS, readRegularFile, writeAtomic } from '../util/fs.js';

export {
  generateKeyPair,
  keyId,
  loadPrivateKey,
  parsePublicKey,
  publicKeyPem,
  SIGNATURE_ALGORITHM,
  SIGNING_KEY_ENV,
  writeKeyPair,
  type KeyPair,
  type PrivateKeySource,
  type WrittenKeyPair,
} from './keys.js';
export {
  checkEntries,
  checkSignature,
  checkSums,
  MAX_MANIFEST_ENTRIES,
  parseManifest,
  parseSha256Sums,
  parseSignature,
  unsafePath,
  verifyRelease,
  type ManifestEntry,
  type ManifestSignature,
  type ParsedManifest,
  type SumsLine,
  type VerifyReleaseFilesOptions,
} from './verify.js';

/** Where `sign` copies the public key it was given, for the record (verifiers bring their own). */
export const PUBLIC_KEY_FILE = 'release-manifest.pub';

export interface SignOptions {
  /** SPKI PEM of the signing key's public half, copied to `DIR/release-manifest.pub` when given. */
  readonly publicKeyPem?: string;
}

export interface SignResult {
  readonly signatureFile: string;
  readonly keyId: string;
  readonly signature: ManifestSignature;
  /** `DIR/release-manifest.pub`, or `null` when no public key was given. */
  readonly publicKeyFile: string | null;
}

/** What the sign stage wrote. */
export interface SignedRelease {
  readonly signatureFile: string;
  readonly publicKeyFile: string;
  readonly keyId: string;
}

/**
 * The signature over the release manifest, and the check of the signed dir (the sign stage's
 * outcome): its diagnostics are `verify-manifest`'s over the signed release dir, empty when
 * everything matched.
 */
export type SignOutcome = Outcome<SignedRelease>;

/**
 * The sign stage: sign `dir`'s manifest with `key`, copy its public half there, then check the
 * signed dir back with that public key. Throws only when it cannot start (no manifest, a wrong key).
 */
export async function signStage(
  dir: string,
  key: KeyObject,
  publicKeyPem: string,
  options: VerifyReleaseFilesOptions = {},
): Promise<SignOutcome> {
  const signed = await signManifest(dir, key, { publicKeyPem });
  const checked = await verifyRelease(dir, publicKeyPem, options);
  return outcome({ signatureFile: signed.signatureFile, publicKeyFile: signed.publicKeyFile ?? '', keyId: signed.keyId }, checked);
}

/** The one serialisation of a signature file. */
export function serializeSignature(s: ManifestSignature): string {
  return JSON.stringify({ algorithm: s.algorithm, keyId: s.keyId, signature: s.signature }, null, 2) + '\n';
}

/** Sign `dir/release-manifest.json` with an Ed25519 private key; writes the `.sig` (and `.pub`). */
export async function signManifest(dir: string, key: KeyObject, options: SignOptions = {}): Promise<SignResult> {
  if (key.type !== 'private' || key.asymmetricKeyType !== SIGNATURE_ALGORITHM) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_SIGN_KEY_TYPE',
        subject: 'signing key',
        message: 'the signing key is not an Ed25519 private key',
        hint: 'load it with loadPrivateKey(), or create one with `napi-ship keygen`',
      }),
    ]);
  }
  const manifestFile = path.join(dir, MANIFEST_FILE);
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(manifestFile, { maxBytes: LIMITS.manifest, within: dir, what: MANIFEST_FILE });
  } catch (error) {
    if (error instanceof DiagnosticError && error.diagnostics[0]?.code !== 'NS_FS_NOT_FOUND') throw error;
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_SIGN_NO_MANIFEST',
        subject: manifestFile,
        message: `there is no ${MANIFEST_FILE} to sign`,
        hint: 'run `napi-ship pack` first, or pass the release dir with --release-dir',
      }),
    ]);
  }
  const parsed = parseManifest(bytes);
  if (!parsed.recognised) throw new DiagnosticError(parsed.diagnostics.map((d) => ({ ...d, subject: manifestFile })));
  const id = keyId(key);
  let publicKeyFile: string | null = null;
  if (options.publicKeyPem !== undefined) {
    const given = keyId(parsePublicKey(options.publicKeyPem, 'public key'));
    if (given !== id) {
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_SIGN_KEY_MISMATCH',
          subject: 'public key',
          message: 'the public key given is not the public half of the signing key',
          expected: `key ${id}`,
          found: `key ${given}`,
          hint: 'pass the `.pub` file written next to the private key by `napi-ship keygen`',
        }),
      ]);
    }
    publicKeyFile = path.join(dir, PUBLIC_KEY_FILE);
  }
  const signature: ManifestSignature = { algorithm: SIGNATURE_ALGORITHM, keyId: id, signature: sign(null, bytes, key).toString('base64') };
  const signatureFile = path.join(dir, SIGNATURE_FILE);
  await writeAtomic(signatureFile, serializeSignature(signature), { mkdirs: false });
  if (publicKeyFile !== null && options.publicKeyPem !== undefined)
    await writeAtomic(publicKeyFile, options.publicKeyPem, { mkdirs: false });
  return { signatureFile, keyId: id, signature, publicKeyFile };
}
