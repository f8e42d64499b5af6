/**
 * Checking an npm tarball is what `pack` would write, entry by entry, without trusting its size:
 * it is gunzipped as a stream with a cap on the inflated bytes (a gzip bomb stops at the cap, never
 * held in memory), and every entry must be under `package/`, a regular file or a directory, with
 * no `..` segment and no absolute path; `package/package.json` must be there and name the package
 * and version the (signed) manifest says. `publish` runs it on every tarball before any PUT, and
 * `verify-manifest` runs it too — both only after the manifest signature is verified.
 */
import { availableParallelism } from 'node:os';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { diagnostic, errorMessage, type Code, type Diagnostic } from '../diagnostics/index.js';
import { isRecord } from './json.js';

/**
 * How many tarballs a caller checks side by side (each read whole; the inflating runs on libuv's
 * thread pool): one per core, at most 4.
 */
export const TARBALL_CHECKS_AT_ONCE = Math.min(availableParallelism(), 4);

/**
 * What a passed `checkTarball` of `name@version` vouches for, as a tarball cache entry records it
 * (src/pack/cache.ts). Bump the number when `checkTarball` checks more.
 */
export function tarballCheckId(name: string, version: string): string {
  return `napi-ship tarball check 1: ${name}@${version}`;
}

/** The largest package.json read out of a tarball. */
const MAX_PACKAGE_JSON_BYTES = 16 * 1024 * 1024;

/** The inflated-size cap for a tarball of `compressed` bytes: 50× its size, at least 64 MiB, at most 4 GiB. */
export function inflateCap(compressed: number): number {
  return Math.min(4 * 1024 ** 3, Math.max(64 * 1024 ** 2, compressed * 50));
}

export interface TarballCheck {
  /** `package/package.json`, when it was found and parsed. */
  readonly packageJson: Record<string, unknown> | null;
  /** Empty when the tarball is sound. */
  readonly diagnostics: readonly Diagnostic[];
  /** Bytes inflated (up to the cap). */
  readonly inflated: number;
}

const FILE_TYPES: ReadonlySet<string> = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/** Why an entry path is not a plain `package/…` path, or `null`. */
export function badEntryPath(p: string): string | null {
  if (p.includes('\0')) return 'a NUL byte';
  if (p.startsWith('/') || p.startsWith('\\') || /^[a-zA-Z]:/.test(p)) return 'an absolute path';
  if (p.split(/[\\/]/).includes('..')) return 'a ".." segment';
  if (!p.startsWith('package/') && p !== 'package') return 'not under package/';
  return null;
}

/**
 * Check one tarball (see the module comment). `subject` names it in diagnostics; `expected` is the
 * name and version its package.json must carry. Never throws for bad bytes.
 */
export async function checkTarball(
  bytes: Uint8Array,
  subject: string,
  expected: { readonly name: string; readonly version: string } | null,
  options: { readonly maxInflatedBytes?: number } = {},
): Promise<TarballCheck> {
  const cap = options.maxInflatedBytes ?? inflateCap(bytes.length);
  const out: Diagnostic[] = [];
  const bad = (code: Code, message: string, found?: string): void => {
    // Ten findings say enough about one tarball.
    if (out.length >= 10) return;
    out.push(
      diagnostic({
        code,
        subject,
        message,
        hint: 'do not publish it: publish only the tarballs `napi-ship pack` wrote (pack again)',
        ...(found === undefined ? {} : { found }),
      }),
    );
  };
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    bad('NS_TARBALL_NOT_GZIP', 'the tarball is not gzip data');
    return { packageJson: null, diagnostics: out, inflated: 0 };
  }
  let manifestBytes: Buffer | null = null;
  let inflated = 0;
  await new Promise<void>((resolve) => {
    let settled = false;
    const finish = (): void => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    const gunzip = createGunzip({ chunkSize: 1024 * 1024 });
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const p = entry.path;
        const why = badEntryPath(p);
        if (why !== null) bad('NS_TARBALL_ENTRY_PATH', `the tarball has an entry with ${why}`, p);
        else if (!FILE_TYPES.has(entry.type))
          bad('NS_TARBALL_ENTRY_TYPE', `the tarball has a ${entry.type} entry; only files and directories belong in a package`, p);
        if (p === 'package/package.json' && entry.type === 'File' && entry.size <= MAX_PACKAGE_JSON_BYTES && manifestBytes === null) {
          const chunks: Buffer[] = [];
          entry.on('data', (c: Buffer) => chunks.push(c));
          entry.on('end', () => {
            manifestBytes = Buffer.concat(chunks);
          });
          return;
        }
        entry.resume();
      },
    });
    parser.on('error', (error: unknown) => {
      bad('NS_TARBALL_CORRUPT', `the tarball's tar stream cannot be read: ${errorMessage(error)}`);
      gunzip.destroy();
      finish();
    });
    // The archive ended (two zero blocks): whatever gzip still holds is never read.
    const ended = (): void => {
      gunzip.destroy();
      finish();
    };
    parser.on('end', ended);
    parser.on('close', ended);
    gunzip.on('data', (chunk: Buffer) => {
      if (settled) return;
      inflated += chunk.length;
      if (inflated > cap) {
        bad('NS_TARBALL_TOO_LARGE', `the tarball inflates to more than ${String(cap)} bytes (a gzip bomb?); stopped there`);
        gunzip.destroy();
        finish();
        return;
      }
      parser.write(chunk);
    });
    gunzip.on('end', () => {
      parser.end();
    });
    gunzip.on('error', (error: unknown) => {
      bad('NS_TARBALL_CORRUPT', `the tarball's gzip stream is broken: ${errorMessage(error)}`);
      finish();
    });
    gunzip.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
  let packageJson: Record<string, unknown> | null = null;
  const found = manifestBytes as Buffer | null;
  if (found === null) {
    if (!out.some((d) => d.code === 'NS_TARBALL_TOO_LARGE' || d.code === 'NS_TARBALL_CORRUPT'))
      bad('NS_TARBALL_NO_PACKAGE_JSON', 'the tarball has no package/package.json');
  } else {
    try {
      const parsed: unknown = JSON.parse(found.toString('utf8'));
      if (isRecord(parsed)) packageJson = parsed;
      else bad('NS_TARBALL_NO_PACKAGE_JSON', "the tarball's package/package.json is not a JSON object");
    } catch (error) {
      bad('NS_TARBALL_NO_PACKAGE_JSON', `the tarball's package/package.json is not JSON: ${errorMessage(error)}`);
    }
  }
  if (packageJson !== null && expected !== null && (packageJson.name !== expected.name || packageJson.version !== expected.version)) {
    out.push(
      diagnostic({
        code: 'NS_TARBALL_PACKAGE_MISMATCH',
        subject,
        message: "the tarball's package.json does not name the package and version the manifest says",
        expected: `${expected.name}@${expected.version}`,
        found: `${String(packageJson.name)}@${String(packageJson.version)}`,
        hint: 'pack the release again; do not rename or swap tarballs',
      }),
    );
  }
  return { packageJson, diagnostics: out, inflated };
}
