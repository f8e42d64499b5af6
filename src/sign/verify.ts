/**
 * `verify-manifest`: check a downloaded release dir against its signed manifest.
 *
 *   1 the Ed25519 signature over the exact manifest bytes, with the public key the user trusts;
 *   2 the manifest parses and has schema `napi-ship.release-manifest/1`;
 *   3 every tarball and file it lists is inside the dir, exists, and has the recorded size, sha256,
 *     integrity (and sha1 for tarballs), recomputed by the core;
 *   4 SHA256SUMS agrees with the manifest.
 * Every problem is a diagnostic; an empty list means the release is what was signed.
 */
import { createHash, verify, type KeyObject } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { hashFiles } from '../core/index.js';
import { areaOf, diagnostic, DiagnosticError, type Diagnostic } from '../diagnostics/index.js';
import { MANIFEST_FILE, SHA256SUMS_FILE, SIGNATURE_FILE } from '../manifest/index.js';
import { parseManifest, type ManifestEntry } from '../manifest/read.js';
import { parseSha256Sums } from '../manifest/sums.js';

export { MAX_MANIFEST_ENTRIES, parseManifest, type ManifestEntry, type ParsedManifest } from '../manifest/read.js';
export { parseSha256Sums, type SumsLine } from '../manifest/sums.js';
import { keyId, parsePublicKey, SIGNATURE_ALGORITHM } from './keys.js';
import { isInside, LIMITS, readRegularFile, readRegularFileIfPresent } from '../util/fs.js';
import { checkTarball, TARBALL_CHECKS_AT_ONCE, tarballCheckId } from '../util/tarball.js';
import { isRecord } from '../util/json.js';
import { mapPool } from '../util/pool.js';

/** The content of `release-manifest.json.sig`. */
export interface ManifestSignature {
  readonly algorithm: typeof SIGNATURE_ALGORITHM;
  readonly keyId: string;
  /** Base64 of the 64-byte Ed25519 signature over the manifest file's bytes. */
  readonly signature: string;
}

/** A file of the release dir: a regular file inside it, capped; missing is `null`. */
async function readOptional(dir: string, name: string, maxBytes: number): Promise<Buffer | null> {
  return readRegularFileIfPresent(path.join(dir, name), { maxBytes, within: dir, what: name });
}

// ── 1 signature ──────────────────────────────────────────────────────────────────────────────────

/** Parse `release-manifest.json.sig`; `null` when it is not one. */
export function parseSignature(text: string): ManifestSignature | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(v)) return null;
  const { algorithm, keyId: id, signature } = v;
  if (algorithm !== SIGNATURE_ALGORITHM || typeof id !== 'string' || typeof signature !== 'string') return null;
  return { algorithm, keyId: id, signature };
}

function signatureDiagnostic(message: string, hint: string, expected?: string, found?: string): Diagnostic {
  return diagnostic({
    code: 'NS_MANIFEST_SIGNATURE',
    subject: MANIFEST_FILE,
    message,
    hint,
    ...(expected === undefined ? {} : { expected }),
    ...(found === undefined ? {} : { found }),
  });
}

export function checkSignature(manifest: Buffer, signatureText: string | null, key: KeyObject): Diagnostic[] {
  const id = keyId(key);
  if (signatureText === null) {
    return [
      signatureDiagnostic(
        `the release is not signed: ${SIGNATURE_FILE} is missing`,
        'sign it with `napi-ship sign --key FILE`, or download the .sig file too',
        `a signature by key ${id}`,
        'no signature file',
      ),
    ];
  }
  const sig = parseSignature(signatureText);
  // Strict: exactly the 88-character padded base64 of 64 bytes (Buffer.from would skip junk).
  const bytes = sig === null || !/^[A-Za-z0-9+/]{86}==$/.test(sig.signature) ? null : Buffer.from(sig.signature, 'base64');
  if (sig === null || bytes === null || bytes.length !== 64) {
    return [
      signatureDiagnostic(
        `${SIGNATURE_FILE} is not an Ed25519 signature file`,
        'it must be JSON { "algorithm": "ed25519", "keyId", "signature": base64 }, as `napi-ship sign` writes',
        `a signature by key ${id}`,
        'an unreadable signature file',
      ),
    ];
  }
  let good = false;
  try {
    good = verify(null, manifest, key, bytes);
  } catch {
    good = false;
  }
  if (good) return [];
  if (sig.keyId !== id) {
    return [
      signatureDiagnostic(
        'the manifest signature does not verify with this public key: it was made by another key',
        'verify with the public key of the key that signed the release, or re-sign the manifest with yours',
        `a signature by key ${id}`,
        `a signature claiming key ${sig.keyId}`,
      ),
    ];
  }
  return [
    signatureDiagnostic(
      'the manifest signature does not match the manifest bytes: the manifest or its signature changed after signing',
      'do not trust this release; download it again, or re-run `napi-ship sign` if you changed the manifest on purpose',
      `a valid signature by key ${id}`,
      'a signature that does not verify',
    ),
  ];
}

// ── 3 files ──────────────────────────────────────────────────────────────────────────────────────

/** Why a manifest path may not be opened inside the release dir, or `null` when it may. */
export function unsafePath(rel: string): string | null {
  if (rel === '') return 'an empty path';
  if (rel.includes('\0')) return 'a path with a NUL byte';
  // A newline, escape or other control character: `pack` never writes one, and it would forge terminal output.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(rel)) return 'a name with a control character';
  if (path.posix.isAbsolute(rel) || path.win32.isAbsolute(rel)) return 'an absolute path';
  if (rel.split(/[\\/]/).includes('..')) return 'a path with a ".." segment';
  return null;
}

function describe(size: number, sha256: string, extra: readonly string[]): string {
  return [`${size} bytes`, `sha256 ${sha256}`, ...extra].join(', ');
}

export async function checkEntries(dir: string, entries: readonly ManifestEntry[]): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const realDir = await realpath(dir);
  const toHash: { entry: ManifestEntry; file: string }[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const what = entry.role === 'tarball' ? 'tarball' : 'file';
    const problem = unsafePath(entry.path);
    if (problem !== null) {
      out.push(
        diagnostic({
          code: 'NS_MANIFEST_PATH',
          subject: entry.path,
          message: `the manifest names a ${what} outside the release dir (${problem})`,
          expected: 'a path relative to the release dir, inside it',
          found: entry.path,
          hint: 'do not trust this manifest; `napi-ship pack` only writes plain relative names',
        }),
      );
      continue;
    }
    if (seen.has(entry.path)) continue;
    seen.add(entry.path);
    let real: string;
    try {
      real = await realpath(path.join(dir, entry.path));
    } catch {
      out.push(
        diagnostic({
          code: 'NS_MANIFEST_MISSING_FILE',
          subject: entry.path,
          message: `a ${what} the manifest lists is not in the release dir`,
          expected: describe(entry.size, entry.sha256, []),
          found: 'no such file',
          hint: 'download every file of the release into one directory, next to release-manifest.json',
        }),
      );
      continue;
    }
    if (!isInside(realDir, real)) {
      out.push(
        diagnostic({
          code: 'NS_MANIFEST_PATH',
          subject: entry.path,
          message: `the ${what} is a symbolic link that leaves the release dir`,
          expected: 'a file inside the release dir',
          found: real,
          hint: 'replace the link with the real file',
        }),
      );
      continue;
    }
    toHash.push({ entry, file: real });
  }
  const hashed = await hashFiles(toHash.map((t) => t.file));
  toHash.forEach(({ entry }, i) => {
    const h = hashed[i];
    const what = entry.role === 'tarball' ? 'tarball' : 'file';
    if (h === undefined) return;
    if (!h.ok) {
      const missing = h.error.code === 'E_NOT_FOUND' || h.error.code === 'E_NOT_A_FILE';
      out.push(
        diagnostic({
          code: missing ? 'NS_MANIFEST_MISSING_FILE' : 'NS_MANIFEST_READ',
          subject: entry.path,
          message: missing
            ? `a ${what} the manifest lists is not a regular file in the release dir`
            : `the ${what} could not be read (${h.error.code})`,
          expected: describe(entry.size, entry.sha256, []),
          found: h.error.code === 'E_NOT_A_FILE' ? 'not a regular file' : h.error.code,
          hint: missing
            ? 'download every file of the release into one directory, next to release-manifest.json'
            : "check the file's permissions and the disk",
        }),
      );
      return;
    }
    const sha256 = h.sha256.toLowerCase();
    // When size or sha256 differ they say it all; the other digests are named only when they alone differ.
    const extraExpected: string[] = [];
    const extraFound: string[] = [];
    const plain = h.size === entry.size && sha256 === entry.sha256;
    if (plain && h.integrity !== entry.integrity) {
      extraExpected.push(`integrity ${entry.integrity}`);
      extraFound.push(`integrity ${h.integrity}`);
    }
    if (plain && entry.sha1 !== null && h.sha1.toLowerCase() !== entry.sha1) {
      extraExpected.push(`sha1 ${entry.sha1}`);
      extraFound.push(`sha1 ${h.sha1.toLowerCase()}`);
    }
    if (plain && extraExpected.length === 0) return;
    let message: string;
    if (h.size < entry.size)
      message = `the ${what} ${entry.path} is ${h.size} bytes but the manifest records ${entry.size}: it is truncated`;
    else if (h.size > entry.size)
      message = `the ${what} ${entry.path} is ${h.size} bytes but the manifest records ${entry.size}: it has extra bytes`;
    else if (sha256 !== entry.sha256) message = `the ${what} ${entry.path} has the recorded size but different content`;
    else message = `the ${what} ${entry.path} matches the recorded sha256 but not its other digests: the manifest is inconsistent`;
    out.push(
      diagnostic({
        code: 'NS_MANIFEST_HASH_MISMATCH',
        subject: entry.path,
        message,
        expected: describe(entry.size, entry.sha256, extraExpected),
        found: describe(h.size, sha256, extraFound),
        hint: 'do not publish or install it; download the release again, or re-run `napi-ship pack` and sign again',
      }),
    );
  });
  return out;
}

// ── 4 SHA256SUMS ─────────────────────────────────────────────────────────────────────────────────

function sumsDiagnostic(
  subject: string,
  message: string,
  expected: string | undefined,
  found: string | undefined,
  severity: 'error' | 'warning' = 'error',
): Diagnostic {
  return diagnostic({
    code: 'NS_MANIFEST_SUMS',
    severity,
    subject,
    message,
    hint: 'SHA256SUMS must be written from the same files as the manifest (`napi-ship pack` writes both); download it again or re-pack',
    ...(expected === undefined ? {} : { expected }),
    ...(found === undefined ? {} : { found }),
  });
}

export function checkSums(sumsText: string | null, entries: readonly ManifestEntry[], manifest: Buffer): Diagnostic[] {
  if (sumsText === null) {
    return [
      sumsDiagnostic(SHA256SUMS_FILE, `${SHA256SUMS_FILE} is missing from the release dir`, 'a sha256 line for every tarball', 'no file'),
    ];
  }
  const out: Diagnostic[] = [];
  const { lines, malformed } = parseSha256Sums(sumsText);
  for (const n of malformed)
    out.push(sumsDiagnostic(SHA256SUMS_FILE, `line ${n} of ${SHA256SUMS_FILE} is not "<sha256 hex>  <file name>"`, undefined, undefined));
  const listed = new Map<string, string>();
  for (const l of lines) {
    const before = listed.get(l.name);
    if (before !== undefined && before !== l.sha256) {
      out.push(sumsDiagnostic(l.name, `${SHA256SUMS_FILE} lists ${l.name} twice with different digests`, before, l.sha256));
    }
    if (before === undefined) listed.set(l.name, l.sha256);
  }
  const known = new Map<string, string>();
  for (const e of entries) known.set(e.path.replace(/^\.\//, ''), e.sha256);
  known.set(MANIFEST_FILE, createHash('sha256').update(manifest).digest('hex'));
  for (const e of entries) {
    const name = e.path.replace(/^\.\//, '');
    const sum = listed.get(name);
    if (sum === undefined) {
      if (e.role === 'tarball')
        out.push(sumsDiagnostic(e.path, `${SHA256SUMS_FILE} does not list the tarball ${e.path}`, e.sha256, 'no line'));
      continue;
    }
    if (sum !== e.sha256)
      out.push(
        sumsDiagnostic(
          e.path,
          `${SHA256SUMS_FILE} and the manifest disagree about ${e.path}`,
          `${e.sha256} (the manifest)`,
          `${sum} (${SHA256SUMS_FILE})`,
        ),
      );
  }
  const manifestSum = listed.get(MANIFEST_FILE);
  const manifestHex = known.get(MANIFEST_FILE);
  if (manifestSum !== undefined && manifestHex !== undefined && manifestSum !== manifestHex) {
    out.push(
      sumsDiagnostic(
        MANIFEST_FILE,
        `${SHA256SUMS_FILE} has a different digest for ${MANIFEST_FILE}`,
        `${manifestHex} (the file)`,
        `${manifestSum} (${SHA256SUMS_FILE})`,
      ),
    );
  }
  for (const name of listed.keys()) {
    if (!known.has(name)) {
      out.push(
        sumsDiagnostic(
          name,
          `${SHA256SUMS_FILE} lists ${name}, which the signed manifest does not vouch for`,
          'only files the manifest lists',
          name,
          'warning',
        ),
      );
    }
  }
  return out;
}

// ── all together ─────────────────────────────────────────────────────────────────────────────────

/**
 * Check the release dir `dir` against its manifest, signature and SHA256SUMS, trusting only
 * `publicKeyPem` (SPKI PEM). Returns every problem found; none means the release is as signed.
 */
export interface VerifyReleaseFilesOptions {
  /**
   * Tarballs (file name → sha256 and `tarballCheckId`) whose bytes passed the tarball check before
   * (the dry run's tarball cache). One whose bytes are those (hashed here against the signed manifest)
   * and whose check names the manifest's package and version is not inflated again.
   */
  readonly checkedBefore?: ReadonlyMap<string, { readonly sha256: string; readonly checked: string }>;
}

export async function verifyRelease(dir: string, publicKeyPem: string, options: VerifyReleaseFilesOptions = {}): Promise<Diagnostic[]> {
  try {
    return await verifyReleaseFiles(dir, publicKeyPem, options);
  } catch (error) {
    // A hostile file (link, FIFO, device, oversized) is a finding about the release, not a crash.
    if (error instanceof DiagnosticError && error.diagnostics.every((d) => areaOf(d.code) === 'files')) return [...error.diagnostics];
    throw error;
  }
}

async function verifyReleaseFiles(dir: string, publicKeyPem: string, options: VerifyReleaseFilesOptions): Promise<Diagnostic[]> {
  const manifest = await readOptional(dir, MANIFEST_FILE, LIMITS.manifest);
  if (manifest === null) {
    return [
      diagnostic({
        code: 'NS_MANIFEST_MISSING_FILE',
        subject: MANIFEST_FILE,
        message: `there is no ${MANIFEST_FILE} in the release dir ${dir}`,
        expected: MANIFEST_FILE,
        found: 'no such file',
        hint: 'pass the directory `napi-ship pack` wrote (--release-dir), or download the manifest with the release',
      }),
    ];
  }
  const out: Diagnostic[] = [];
  let key: KeyObject | null = null;
  try {
    key = parsePublicKey(publicKeyPem, 'public key');
  } catch (error) {
    if (!(error instanceof DiagnosticError)) throw error;
    out.push(...error.diagnostics);
  }
  if (key !== null) {
    const sig = await readOptional(dir, SIGNATURE_FILE, LIMITS.key);
    for (const d of checkSignature(manifest, sig === null ? null : sig.toString('utf8'), key)) out.push(d);
  }
  const parsed = parseManifest(manifest);
  for (const d of parsed.diagnostics) out.push(d);
  if (!parsed.recognised) return out;
  for (const d of await checkEntries(dir, parsed.entries)) out.push(d);
  const sums = await readOptional(dir, SHA256SUMS_FILE, LIMITS.manifest);
  for (const d of checkSums(sums === null ? null : sums.toString('utf8'), parsed.entries, manifest)) out.push(d);
  // Only a release whose signature and digests hold is inflated: each tarball checked entry by entry.
  if (key !== null && !out.some((d) => d.severity === 'error'))
    for (const d of await checkTarballs(dir, manifest, options.checkedBefore)) out.push(d);
  return out;
}

/**
 * `checkTarball` over every package the manifest lists (name and version from the signed manifest),
 * one per core at a time: each inflates on libuv's thread pool, so every core works. The findings
 * come back in the manifest's order.
 */
async function checkTarballs(
  dir: string,
  manifest: Buffer,
  checkedBefore: VerifyReleaseFilesOptions['checkedBefore'],
): Promise<Diagnostic[]> {
  const v: unknown = JSON.parse(manifest.toString('utf8'));
  if (!isRecord(v) || !Array.isArray(v.packages)) return [];
  const packages = (v.packages as unknown[])
    .flatMap((p) =>
      isRecord(p) && typeof p.tarball === 'string' && typeof p.name === 'string' && typeof p.version === 'string'
        ? [{ tarball: p.tarball, name: p.name, version: p.version, sha256: typeof p.sha256 === 'string' ? p.sha256 : null }]
        : [],
    )
    .filter((p) => {
      // Only reached when every digest held: the file's bytes are the manifest's sha256.
      const before = checkedBefore?.get(p.tarball);
      return !(
        before !== undefined &&
        p.sha256 !== null &&
        before.sha256 === p.sha256 &&
        before.checked === tarballCheckId(p.name, p.version)
      );
    });
  const found = await mapPool(packages, TARBALL_CHECKS_AT_ONCE, async (p) => {
    const bytes = await readRegularFile(path.join(dir, p.tarball), { maxBytes: LIMITS.tarball, within: dir, what: p.tarball });
    return (await checkTarball(bytes, p.tarball, { name: p.name, version: p.version })).diagnostics;
  });
  return found.flat();
}
