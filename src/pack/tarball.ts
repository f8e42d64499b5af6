/**
 * Byte-reproducible npm tarballs.
 *
 * The tar stream is node-tar's (`portable: true`, as pacote uses for `npm pack`), with every input
 * that the source tree could vary pinned down:
 * - entries are `package/<path>`, sorted by path in UTF-8 byte order; directories are omitted
 *   (as in npm's tarballs: npm-packlist lists files only);
 * - mode 0644, or 0755 for a file with any execute bit or a `bin` target (npm keeps the source's
 *   permission bits, so its tarballs differ with the umask; we keep only "executable or not");
 * - uid/gid 0, uname/gname empty, no atime/ctime/dev/ino/nlink (portable mode), hard links
 *   written as plain files (never as link entries, which depend on inode identity);
 * - mtime fixed: `SOURCE_DATE_EPOCH`, the commit time, or npm's own 1985-10-26T08:15:00Z;
 * - gzip by the Rust core (`gzip` in crates/napi-ship-core/src/gzip.rs): libdeflate, the whole tar
 *   stream as one deflate stream in one gzip member, at level 6 (level 12, its strongest, for streams
 *   of up to 1 MiB). On real addon binaries that is ~2 % smaller than the zlib level 9 `npm pack`
 *   uses and about three times as fast per core; a release's tarballs are compressed side by side,
 *   one per core (./index.ts). A tar stream of up to 1 MiB (a root package of JavaScript and
 *   typings) is also compressed by Node's zlib at npm's settings and the smaller result is kept, so
 *   no small tarball is larger than zlib-9's whatever its text.
 *   The gzip header is fixed: no name, mtime 0, XFL 2, OS 3 (Unix), whatever the host.
 *
 * What the bytes depend on, and nothing else: the file list, each file's contents and executable bit,
 * the mtime above, node-tar's header layout (its version is pinned by the lockfile), the core's
 * compressor (`compressorId()`: libdeflate pinned by Cargo.lock, its levels) and, for tar streams
 * of up to 1 MiB only, Node's zlib version (`process.versions.zlib`) — not the CPU or the number of
 * cores. The manifest records napi-ship's, the core's and Node's versions; the tarball cache
 * (./cache.ts) keys on all of these.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { create } from 'tar';
import { gzip } from '../core/index.js';
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import { byteOrder, PackError, type PackFile } from './files.js';

import { MAX_TAR_MTIME } from './epoch.js';

export { MAX_TAR_MTIME, NPM_FIXED_DATE_EPOCH } from './epoch.js';

/** npm's gzip settings (pacote: zlib level 9, default window and memLevel): what our tarballs are compared against. */
export const GZIP_OPTIONS: Readonly<zlib.ZlibOptions> = Object.freeze({
  level: 9,
  windowBits: 15,
  memLevel: 8,
  strategy: zlib.constants.Z_DEFAULT_STRATEGY,
});

/** The gzip header's OS byte we always write: 3, Unix. */
export const GZIP_OS_UNIX = 3;

/** Tar streams up to this size are also gzipped by Node's zlib (npm's settings); the smaller output wins. */
export const SMALL_TAR = 1024 * 1024;

const zlibGzip = promisify(zlib.gzip);

/** The tarball bytes of a tar stream: the core's gzip, or for a small stream the smaller of it and zlib-9's. */
export async function compressTar(tar: Buffer): Promise<Buffer> {
  const ours = await gzip(tar);
  if (tar.length > SMALL_TAR) return ours;
  const theirs = await zlibGzip(tar, GZIP_OPTIONS);
  if (theirs.length >= ours.length) return ours;
  theirs[9] = GZIP_OS_UNIX;
  return theirs;
}

/** npm's tarball file name: `@scope/name` + `1.2.3` → `scope-name-1.2.3.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name}-${version}.tgz`.replace(/^@/, '').replace(/[/\\]/g, '-');
}

export interface TarballOptions {
  /** Seconds since the epoch, written as every entry's mtime. */
  readonly mtime: number;
}

/**
 * Write the tarball of `files` (from the package at `dir`) to `dest`, atomically (a temporary file
 * in the same directory, then a rename). Throws `PackError` if a file stopped being a regular file.
 */
export async function writeTarball(dir: string, files: readonly PackFile[], dest: string, options: TarballOptions): Promise<void> {
  if (!Number.isSafeInteger(options.mtime) || options.mtime < 0 || options.mtime > MAX_TAR_MTIME) {
    throw new RangeError(`tarball mtime must be whole seconds between 0 and ${MAX_TAR_MTIME}, got ${options.mtime}`);
  }
  const sorted = [...files].sort((a, b) => byteOrder(a.path, b.path));
  // `./` keeps node-tar from reading a path starting with `@` as an archive to append.
  const modes = new Map(sorted.map((f) => [`./${f.path}`, f.mode]));
  const problems: Diagnostic[] = [];
  const pack = create(
    {
      cwd: dir,
      prefix: 'package/',
      portable: true,
      strict: true,
      noDirRecurse: true,
      mtime: new Date(options.mtime * 1000),
      filter: (p, stat) => {
        const mode = modes.get(p);
        if (!('isFile' in stat) || mode === undefined || !stat.isFile()) {
          problems.push(
            diagnostic({
              code: 'NS_PACK_NOT_A_FILE',
              subject: path.join(dir, p),
              message: `${p} changed while packing: it is no longer a regular file`,
              hint: 'do not modify the package while napi-ship packs it',
            }),
          );
          return false;
        }
        stat.mode = (stat.mode & ~0o7777) | mode;
        stat.nlink = 1;
        return true;
      },
    },
    [...modes.keys()],
  );
  const tmp = `${dest}.${process.pid}.tmp`;
  try {
    // The whole tar stream in memory, then one gzip call into the core (off the main thread).
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk);
    if (problems.length > 0) throw new PackError(problems);
    await writeFile(tmp, await compressTar(Buffer.concat(chunks)));
    await rename(tmp, dest);
  } finally {
    await rm(tmp, { force: true });
  }
}
