/**
 * Ed25519 signing keys for release manifests, with `node:crypto` only.
 *
 * Private keys are PKCS#8 PEM, public keys SPKI PEM; a key is named by its key id, the first 16 hex
 * digits of the sha256 of its SPKI DER. No error raised here ever carries key material: messages
 * name the file or the environment variable, never its content, and never repeat OpenSSL's text.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { diagnostic, DiagnosticError, type Code } from '../diagnostics/index.js';

/** The environment variable `sign` reads a private key from: PEM text, or base64 of the PEM. */
export const SIGNING_KEY_ENV = 'NAPI_SHIP_SIGNING_KEY';
export const SIGNATURE_ALGORITHM = 'ed25519';

/** A key file larger than this is not a PEM key; refuse it before reading it whole. */
const MAX_KEY_BYTES = 64 * 1024;

export interface KeyPair {
  /** PKCS#8 PEM. Secret: write it only to a 0600 file. */
  readonly privateKeyPem: string;
  /** SPKI PEM. */
  readonly publicKeyPem: string;
  readonly keyId: string;
}

/** First 16 hex digits of the sha256 of the key's SPKI DER (a private key names its public half). */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const der = pub.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey, keyId: keyId(createPublicKey(publicKey)) };
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Create `file` with exactly `mode` (never widening an existing file's mode: it must not exist). */
async function createExclusive(file: string, text: string, mode: number): Promise<void> {
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.chmod(mode);
  } catch (error) {
    await handle.close();
    await unlink(file).catch(() => undefined);
    throw error;
  }
  await handle.close();
}

export interface WrittenKeyPair {
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
  readonly keyId: string;
}

/**
 * Generate a key pair and write it: the private key to `file` (created with mode 0600), the public
 * key to `file.pub` (0644). Refuses to replace either file unless `force`.
 */
export async function writeKeyPair(file: string, options: { readonly force?: boolean } = {}): Promise<WrittenKeyPair> {
  const publicKeyFile = `${file}.pub`;
  if (options.force === true) {
    for (const f of [file, publicKeyFile]) {
      await unlink(f).catch((error: unknown) => {
        if (errnoCode(error) !== 'ENOENT') throw error;
      });
    }
  }
  const pair = generateKeyPair();
  try {
    await createExclusive(file, pair.privateKeyPem, 0o600);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') {
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_KEYGEN_EXISTS',
          subject: file,
          message: 'the key file already exists; refusing to overwrite it',
          hint: 'choose another --out, or pass --force to replace the key (its signatures will no longer verify with a new public key)',
        }),
      ]);
    }
    throw error;
  }
  try {
    await createExclusive(publicKeyFile, pair.publicKeyPem, 0o644);
  } catch (error) {
    await unlink(file).catch(() => undefined);
    if (errnoCode(error) === 'EEXIST') {
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_KEYGEN_EXISTS',
          subject: publicKeyFile,
          message: 'the public key file already exists; refusing to overwrite it',
          hint: 'choose another --out, or pass --force to replace the key pair',
        }),
      ]);
    }
    throw error;
  }
  return { privateKeyFile: file, publicKeyFile, keyId: pair.keyId };
}

function keyError(code: Code, subject: string, message: string, hint: string): DiagnosticError {
  return new DiagnosticError([diagnostic({ code, subject, message, hint })]);
}

/** PEM text as given, or the PEM inside base64 (CI secrets are often stored that way). */
function pemFromEnvText(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    // A secret pasted with literal `\n`s on one line.
    return !trimmed.includes('\n') && trimmed.includes('\\n') ? trimmed.replaceAll('\\n', '\n') : trimmed;
  }
  if (!/^[A-Za-z0-9+/=_\s-]+$/.test(trimmed)) return null;
  const decoded = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64').toString('utf8').trim();
  return decoded.startsWith('-----BEGIN') ? decoded : null;
}

/** Parse a private key; on failure a diagnostic naming only `subject`, never the text. */
function parsePrivateKey(pem: string, subject: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw keyError(
      'NS_SIGN_KEY_INVALID',
      subject,
      'the signing key could not be read as an unencrypted PKCS#8 PEM private key',
      'create one with `napi-ship keygen --out FILE`; encrypted keys are not supported',
    );
  }
  if (key.asymmetricKeyType !== SIGNATURE_ALGORITHM) {
    throw keyError(
      'NS_SIGN_KEY_TYPE',
      subject,
      `the signing key is not an Ed25519 key (it is ${key.asymmetricKeyType ?? 'of an unknown type'})`,
      'create an Ed25519 key with `napi-ship keygen --out FILE`',
    );
  }
  return key;
}

export interface PrivateKeySource {
  /** A PKCS#8 PEM file; it must not be readable by group or others. Wins over `env`. */
  readonly file?: string;
  /** The environment to read `NAPI_SHIP_SIGNING_KEY` from (PEM text, or base64 of the PEM). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Load the Ed25519 private key to sign with, from a file or the environment. */
export async function loadPrivateKey(source: PrivateKeySource): Promise<KeyObject> {
  if (source.file !== undefined) {
    const file = source.file;
    // One open, then fstat: the file checked is the file read.
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch {
      throw keyError(
        'NS_SIGN_KEY_MISSING',
        file,
        'the signing key file does not exist or cannot be opened',
        'pass the private key written by `napi-ship keygen --out FILE`',
      );
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) {
        throw keyError(
          'NS_SIGN_KEY_MISSING',
          file,
          'the signing key is not a regular file',
          'pass the private key written by `napi-ship keygen --out FILE`',
        );
      }
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
        throw new DiagnosticError([
          diagnostic({
            code: 'NS_SIGN_KEY_PERMISSIONS',
            subject: file,
            message: 'the private key file is open to group or others; refusing to use it',
            expected: 'mode 0600 (owner only)',
            found: `mode 0${(st.mode & 0o777).toString(8)}`,
            hint: `chmod 600 ${file}`,
          }),
        ]);
      }
      if (st.size > MAX_KEY_BYTES) {
        throw keyError(
          'NS_SIGN_KEY_INVALID',
          file,
          'the signing key file is too large to be a PEM private key',
          'pass the private key written by `napi-ship keygen --out FILE`',
        );
      }
      return parsePrivateKey(await handle.readFile('utf8'), file);
    } finally {
      await handle.close();
    }
  }
  const text = source.env?.[SIGNING_KEY_ENV];
  if (text === undefined || text.trim() === '') {
    throw keyError(
      'NS_SIGN_NO_KEY',
      SIGNING_KEY_ENV,
      'no signing key: pass --key FILE or set NAPI_SHIP_SIGNING_KEY',
      `create a key with \`napi-ship keygen --out FILE\`, then pass --key FILE or put the PEM (or its base64) in ${SIGNING_KEY_ENV}`,
    );
  }
  const pem = pemFromEnvText(text);
  if (pem === null) {
    throw keyError(
      'NS_SIGN_KEY_INVALID',
      SIGNING_KEY_ENV,
      `${SIGNING_KEY_ENV} holds neither a PEM private key nor the base64 of one`,
      `set ${SIGNING_KEY_ENV} to the content of the private key file written by \`napi-ship keygen\`, or to its base64`,
    );
  }
  return parsePrivateKey(pem, SIGNING_KEY_ENV);
}

/** Parse an Ed25519 public key (SPKI PEM); `subject` names where it came from in errors. */
export function parsePublicKey(pem: string, subject: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw keyError(
      'NS_SIGN_PUBLIC_KEY',
      subject,
      'the public key could not be read as an SPKI PEM key',
      'pass the `.pub` file written by `napi-ship keygen`',
    );
  }
  if (key.asymmetricKeyType !== SIGNATURE_ALGORITHM) {
    throw keyError(
      'NS_SIGN_PUBLIC_KEY',
      subject,
      `the public key is not an Ed25519 key (it is ${key.asymmetricKeyType ?? 'of an unknown type'})`,
      'pass the `.pub` file written by `napi-ship keygen`',
    );
  }
  return key;
}

/** The SPKI PEM of a key (the public half of a private key). */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const pem = pub.export({ type: 'spki', format: 'pem' });
  return typeof pem === 'string' ? pem : pem.toString('utf8');
}
