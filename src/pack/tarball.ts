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
 * - gzip level 9 with zlib's default window (15) and memLevel (8), as pacote forces level 9; the
 *   gzip header has mtime 0 (Node's zlib writes no time or name) and its OS byte is set to 3 (Unix)
 *   whatever zlib was built for (zlib writes 10 on Windows and 19 on macOS builds).
 *
 * The deflate stream itself is zlib's (the one inside Node): byte equality across Node builds holds
 * as long as they ship the same zlib, which is why the manifest records the Node version.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { create } from 'tar';
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import { byteOrder, PackError, type PackFile } from './files.js';

/** npm's fixed tarball date (pacote's `tar-create-options.js`): 1985-10-26T08:15:00.000Z, in seconds. */
export const NPM_FIXED_DATE_EPOCH = 499162500;

export const GZIP_OPTIONS: Readonly<zlib.ZlibOptions> = Object.freeze({
  level: 9,
  windowBits: 15,
  memLevel: 8,
  strategy: zlib.constants.Z_DEFAULT_STRATEGY,
});

/** The largest mtime a ustar header holds (11 octal digits): 8589934591 s, in the year 2242. */
export const MAX_TAR_MTIME = 0o77777777777;

/** The gzip header's OS byte we always write: 3, Unix. */
export const GZIP_OS_UNIX = 3;

/** npm's tarball file name: `@scope/name` + `1.2.3` → `scope-name-1.2.3.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name}-${version}.tgz`.replace(/^@/, '').replace(/[/\\]/g, '-');
}

/** Rewrites byte 9 of the stream (the gzip header's OS field), wherever the chunk boundaries fall. */
class GzipOsByte extends Transform {
  #offset = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#offset <= 9 && this.#offset + chunk.length > 9) {
      const copy = Buffer.from(chunk);
      copy[9 - this.#offset] = GZIP_OS_UNIX;
      chunk = copy;
    }
    this.#offset += chunk.length;
    callback(null, chunk);
  }
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
    await pipeline(pack, zlib.createGzip(GZIP_OPTIONS), new GzipOsByte(), createWriteStream(tmp));
    if (problems.length > 0) throw new PackError(problems);
    await rename(tmp, dest);
  } finally {
    await rm(tmp, { force: true });
  }
}
