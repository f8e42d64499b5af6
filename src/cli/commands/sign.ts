import path from 'node:path';
import { DiagnosticError, diagnostic, formatDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { MANIFEST_FILE } from '../../manifest/index.js';
import { loadPrivateKey, signManifest, SIGNING_KEY_ENV, verifyRelease, writeKeyPair } from '../../sign/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { DEFAULT_RELEASE_DIR, jsonOption, releaseDirOption } from '../options.js';
import { ExitCode, exitCodeOf } from '../exit-codes.js';
import type { Io } from '../output.js';
import { rejectPositionals, usageError } from './usage.js';
import { LIMITS, readRegularFile } from '../../util/fs.js';

/** A public key file: a regular file, at most 64 KiB (never /dev/zero read for ever). */
async function readKeyText(file: string): Promise<string> {
  return (await readRegularFile(file, { maxBytes: LIMITS.key, what: 'the public key' })).toString('utf8');
}

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'Create an Ed25519 key pair for signing release manifests (private key 0600, FILE.pub).',
  options: [
    {
      name: 'out',
      type: 'string',
      value: 'FILE',
      required: true,
      description: 'write the private key (PKCS#8 PEM, mode 0600) here and the public key to FILE.pub',
    },
    { name: 'force', type: 'boolean', description: 'replace FILE and FILE.pub if they exist' },
    jsonOption('{ privateKeyFile, publicKeyFile, keyId }'),
  ],
  examples: [{ description: 'a key pair outside the repository', command: 'napi-ship keygen --out ~/.config/napi-ship/release.key' }],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, keygenCommand);
    if (refused !== null) return refused;
    const out = stringOption(args, 'out');
    if (out === undefined || out === '') return usageError(io, 'keygen needs --out FILE', keygenCommand);
    const written = await writeKeyPair(path.resolve(io.cwd, out), { force: flag(args, 'force') });
    if (flag(args, 'json')) io.stdout(JSON.stringify(written, null, 2) + '\n');
    else io.stdout(`public key: ${written.publicKeyFile}\nkey id: ${written.keyId}\n`);
    return ExitCode.Ok;
  },
};

export const signCommand: Command = {
  name: 'sign',
  summary: 'Sign release-manifest.json with an Ed25519 key: writes release-manifest.json.sig.',
  options: [
    releaseDirOption('the release dir holding release-manifest.json', ['dir']),
    {
      name: 'key',
      type: 'string',
      value: 'FILE',
      description: 'the private key (mode 0600)',
      defaultText: `the PEM (or its base64) in ${SIGNING_KEY_ENV}`,
    },
    {
      name: 'public-key',
      type: 'string',
      value: 'FILE',
      description: 'also copy this public key (it must match) to DIR/release-manifest.pub',
    },
    jsonOption('{ manifest, keyId, signatureFile, publicKeyFile }'),
  ],
  examples: [
    { description: 'sign with the key in NAPI_SHIP_SIGNING_KEY (CI)', command: 'napi-ship sign' },
    {
      description: 'sign with a key file and ship the public key',
      command: 'napi-ship sign --key release.key --public-key release.key.pub',
    },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, signCommand);
    if (refused !== null) return refused;
    const dir = path.resolve(io.cwd, stringOption(args, 'release-dir') ?? DEFAULT_RELEASE_DIR);
    const keyFile = stringOption(args, 'key');
    const key = await loadPrivateKey(keyFile === undefined ? { env: io.env } : { file: path.resolve(io.cwd, keyFile) });
    const publicKeyFile = stringOption(args, 'public-key');
    let publicKeyPem: string | undefined;
    if (publicKeyFile !== undefined) {
      const file = path.resolve(io.cwd, publicKeyFile);
      try {
        publicKeyPem = await readKeyText(file);
      } catch (error) {
        if (error instanceof DiagnosticError && error.diagnostics[0]?.code !== 'NS_FS_NOT_FOUND') throw error;
        throw new DiagnosticError([
          diagnostic({
            code: 'NS_SIGN_PUBLIC_KEY',
            subject: file,
            message: 'the public key file cannot be read',
            hint: 'pass the `.pub` file written by `napi-ship keygen`',
          }),
        ]);
      }
    }
    const result = await signManifest(dir, key, publicKeyPem === undefined ? {} : { publicKeyPem });
    if (flag(args, 'json')) {
      const { keyId, signatureFile, publicKeyFile: copied } = result;
      io.stdout(JSON.stringify({ manifest: path.join(dir, MANIFEST_FILE), keyId, signatureFile, publicKeyFile: copied }, null, 2) + '\n');
      return ExitCode.Ok;
    }
    io.stdout(`signed ${path.join(dir, MANIFEST_FILE)} with key ${result.keyId}\n`);
    io.stdout(`wrote ${result.signatureFile}\n`);
    if (result.publicKeyFile !== null) io.stdout(`wrote ${result.publicKeyFile}\n`);
    return ExitCode.Ok;
  },
};

function report(io: Io, json: boolean, diagnostics: readonly Diagnostic[], summary: string): void {
  const ok = !diagnostics.some((d) => d.severity === 'error');
  if (json) {
    io.stdout(JSON.stringify({ ok, diagnostics }, null, 2) + '\n');
    return;
  }
  for (const d of diagnostics) io.stderr(formatDiagnostic(d) + '\n');
  io.stdout(summary);
}

export const verifyManifestCommand: Command = {
  name: 'verify-manifest',
  summary: 'Check a release dir against its signed manifest: signature, sizes, sha256/integrity, SHA256SUMS.',
  options: [
    releaseDirOption('the release dir', ['dir']),
    {
      name: 'public-key',
      type: 'string',
      value: 'FILE',
      required: true,
      description: 'the Ed25519 public key (SPKI PEM) the release must be signed with',
    },
    jsonOption('{ ok, diagnostics }'),
  ],
  examples: [
    {
      description: 'check a downloaded release against the public key',
      command: 'napi-ship verify-manifest --release-dir dist/release/packages --public-key release.key.pub',
    },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, verifyManifestCommand);
    if (refused !== null) return refused;
    const publicKeyFile = stringOption(args, 'public-key');
    if (publicKeyFile === undefined || publicKeyFile === '')
      return usageError(io, 'verify-manifest needs --public-key FILE', verifyManifestCommand);
    const json = flag(args, 'json');
    const dir = path.resolve(io.cwd, stringOption(args, 'release-dir') ?? DEFAULT_RELEASE_DIR);
    const keyPath = path.resolve(io.cwd, publicKeyFile);
    let diagnostics: Diagnostic[];
    try {
      let publicKeyPem: string;
      try {
        publicKeyPem = await readKeyText(keyPath);
      } catch (error) {
        if (error instanceof DiagnosticError && error.diagnostics[0]?.code !== 'NS_FS_NOT_FOUND') throw error;
        throw new DiagnosticError([
          diagnostic({
            code: 'NS_SIGN_PUBLIC_KEY',
            subject: keyPath,
            message: 'the public key file cannot be read',
            hint: 'pass the `.pub` file written by `napi-ship keygen`',
          }),
        ]);
      }
      diagnostics = (await verifyRelease(dir, publicKeyPem)).map((d) => (d.subject === 'public key' ? { ...d, subject: keyPath } : d));
    } catch (error) {
      // It cannot start (an unreadable key, no native core): with --json, still one JSON answer.
      if (!json || !(error instanceof DiagnosticError)) throw error;
      report(io, true, error.diagnostics, '');
      return exitCodeOf(error.diagnostics);
    }
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    report(io, json, diagnostics, errors > 0 ? `verify-manifest failed: ${errors} error(s)\n` : `verify-manifest passed: ${dir}\n`);
    return exitCodeOf(diagnostics);
  },
};
