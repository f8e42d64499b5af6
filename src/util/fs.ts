/**
 * The one file layer for files napi-ship reads from a release/artifacts dir and for every file it
 * writes. A hostile directory must not lead us outside it, hang us or make us destroy something:
 *
 *   - `readRegularFile`: opens with `O_NOFOLLOW | O_NONBLOCK` (a symlink is refused, a FIFO opens at
 *     once instead of waiting for a writer), then `fstat`s the opened handle (the file checked is the
 *     file read): only a regular file is read, never more than `maxBytes`; with `within`, its real
 *     directory must be inside that dir, and a hard link to a file someone else owns is refused.
 *   - `writeAtomic`: a temp file beside the target (created exclusively), fsync'd, renamed over it;
 *     it refuses to replace anything but a regular file (a symlink, a device such as /dev/null, a
 *     FIFO, a directory stay untouched).
 *
 * Every refusal is a `DiagnosticError` with an `NS_FS_*` code, never a raw errno stack trace.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import {
  copyFile,
  link,
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  type FileHandle,
} from 'node:fs/promises';
import path from 'node:path';
import { diagnostic, DiagnosticError, errorMessage, type Code } from '../diagnostics/index.js';

/**
 * A file's identity for "unchanged since I hashed it": device, inode, size and mtime in ns, as one
 * string (null when it cannot be stat'ed). Capture it before reading the file: a write during or
 * after the read moves the mtime, so the identity no longer matches. A hard link keeps it (same
 * inode, same mtime); a copy does not. Used to share digests between stages of one run, never
 * across runs, and the signed release is still checked from its bytes at the end.
 */
export async function fileIdentity(file: string): Promise<string | null> {
  try {
    const st = await stat(file, { bigint: true });
    return st.isFile() ? `${String(st.dev)}:${String(st.ino)}:${String(st.size)}:${String(st.mtimeNs)}` : null;
  } catch {
    return null;
  }
}

/** Does `file` still have `identity` (taken by `fileIdentity` before its digests were)? */
export async function unchangedSince(file: string, identity: string | undefined): Promise<boolean> {
  return identity !== undefined && (await fileIdentity(file)) === identity;
}

/** Is `file` `dir` itself or below it? Lexical, over absolute (resolved) paths. */
export function isInside(dir: string, file: string): boolean {
  return file === dir || file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/** The errno code of a Node fs error, if it has one. */
export function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Size caps for what napi-ship reads whole. */
export const LIMITS = {
  /** release-manifest.json, SHA256SUMS, the journal, a package.json. */
  manifest: 64 * 1024 * 1024,
  /** A PEM key or a signature file. */
  key: 64 * 1024,
  /** One npm tarball (npm's registry refuses far smaller ones). */
  tarball: 2 * 1024 * 1024 * 1024 - 1,
} as const;

function fsError(code: Code, file: string, message: string, hint: string): DiagnosticError {
  return new DiagnosticError([diagnostic({ code, subject: file, message, hint })]);
}

/** A Node fs error as one typed diagnostic (ENOENT, EACCES, EISDIR, ENOTDIR, ELOOP, …). */
export function fsDiagnosticError(error: unknown, file: string, doing: string): DiagnosticError {
  if (error instanceof DiagnosticError) return error;
  const code = errnoCode(error);
  switch (code) {
    case 'ENOENT':
      return fsError('NS_FS_NOT_FOUND', file, `cannot ${doing}: no such file or directory`, 'check the path');
    case 'ENOTDIR':
      return fsError('NS_FS_NOT_FOUND', file, `cannot ${doing}: a part of the path is not a directory`, 'check the path');
    case 'EACCES':
    case 'EPERM':
      return fsError('NS_FS_PERMISSION', file, `cannot ${doing}: permission denied`, "check the file's and its directory's permissions");
    case 'EISDIR':
      return fsError('NS_FS_NOT_REGULAR', file, `cannot ${doing}: it is a directory`, 'pass a regular file');
    case 'ELOOP':
    case 'EMLINK':
      return fsError('NS_FS_SYMLINK', file, `cannot ${doing}: it is a symbolic link`, 'replace the link with the real file');
    case 'EEXIST':
      return fsError('NS_FS_EXISTS', file, `cannot ${doing}: it already exists`, 'remove it first or choose another path');
    case 'ENOSPC':
    case 'EDQUOT':
      return fsError('NS_FS_NO_SPACE', file, `cannot ${doing}: the disk is full`, 'free some space and run again');
    default:
      return fsError(
        'NS_FS_IO',
        file,
        `cannot ${doing}: ${errorMessage(error)}${code === undefined ? '' : ` (${code})`}`,
        'check the file and the disk',
      );
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** `O_NOFOLLOW`/`O_NONBLOCK` where the platform has them (Windows has neither; its FIFOs are not files). */
const optional = constants as unknown as Partial<Record<string, number>>;
export const O_NOFOLLOW = optional.O_NOFOLLOW ?? 0;
export const O_NONBLOCK = optional.O_NONBLOCK ?? 0;
const READ_FLAGS = constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK;

export interface ReadRegularOptions {
  /** Refuse files larger than this (before reading, and again while reading). */
  readonly maxBytes: number;
  /** The file must be inside this directory (its real path), and not a hard link to someone else's file. */
  readonly within?: string;
  /** What the file is, for messages ("the release manifest"). */
  readonly what?: string;
}

/**
 * Read a regular file whole, safely (see the module comment). Throws `NS_FS_NOT_FOUND`,
 * `NS_FS_SYMLINK`, `NS_FS_NOT_REGULAR`, `NS_FS_TOO_LARGE`, `NS_FS_OUTSIDE`, `NS_FS_HARD_LINK`, …
 */
export async function readRegularFile(file: string, options: ReadRegularOptions): Promise<Buffer> {
  const what = options.what ?? 'the file';
  let handle: FileHandle;
  try {
    handle = await open(file, READ_FLAGS);
  } catch (error) {
    if (errnoCode(error) === 'ELOOP' || errnoCode(error) === 'EMLINK')
      throw fsError(
        'NS_FS_SYMLINK',
        file,
        `${what} is a symbolic link; napi-ship does not follow links here`,
        'replace the link with the real file',
      );
    throw fsDiagnosticError(error, file, `read ${what}`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw fsError('NS_FS_NOT_REGULAR', file, `${what} is ${kindOf(st)}, not a regular file`, 'pass a regular file');
    if (st.size > options.maxBytes)
      throw fsError(
        'NS_FS_TOO_LARGE',
        file,
        `${what} is ${String(st.size)} bytes, more than the ${String(options.maxBytes)} napi-ship reads`,
        'this is not a file napi-ship wrote; check the path',
      );
    if (options.within !== undefined) {
      const dir = await realpath(options.within);
      const real = path.join(await realpath(path.dirname(file)), path.basename(file));
      if (!isInside(dir, real))
        throw fsError('NS_FS_OUTSIDE', file, `${what} is outside ${options.within}`, 'keep every file of the release inside its directory');
      if (st.nlink > 1 && typeof process.getuid === 'function' && st.uid !== process.getuid())
        throw fsError(
          'NS_FS_HARD_LINK',
          file,
          `${what} is a hard link to a file owned by another user (uid ${String(st.uid)})`,
          'replace the link with a copy of the real file',
        );
    }
    // Straight into one buffer of the size stat gave, plus a byte to notice a file that grew (read
    // on in 1 MiB steps, still capped): no chunk is copied twice.
    let buf = Buffer.allocUnsafe(st.size + 1);
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length + 1024 * 1024);
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, total, buf.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > options.maxBytes)
        throw fsError('NS_FS_TOO_LARGE', file, `${what} grew past ${String(options.maxBytes)} bytes while being read`, 'check the path');
    }
    return buf.subarray(0, total);
  } catch (error) {
    throw fsDiagnosticError(error, file, `read ${what}`);
  } finally {
    await handle.close();
  }
}

/** `readRegularFile`, but a missing file is `null`. */
export async function readRegularFileIfPresent(file: string, options: ReadRegularOptions): Promise<Buffer | null> {
  try {
    return await readRegularFile(file, options);
  } catch (error) {
    if (error instanceof DiagnosticError && error.diagnostics[0]?.code === 'NS_FS_NOT_FOUND') return null;
    throw error;
  }
}

/** Refuse to replace `file` unless it is absent or a regular file (never a link, device, FIFO or dir). */
export async function assertReplaceable(file: string): Promise<void> {
  let st: Stats;
  try {
    st = await lstat(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw fsDiagnosticError(error, file, 'check the file to write');
  }
  if (!st.isFile())
    throw fsError(
      'NS_FS_REPLACE_REFUSED',
      file,
      `refusing to replace ${kindOf(st)} with a file`,
      'choose a path that is a regular file or does not exist yet',
    );
}

export interface WriteAtomicOptions {
  /** File mode of the new file (default 0o644). */
  readonly mode?: number;
  /** Create missing parent directories (default true). */
  readonly mkdirs?: boolean;
  /** Refuse when the file exists at all (`NS_FS_EXISTS`). */
  readonly exclusive?: boolean;
}

/** A unique temp name beside `file` (same directory, so the rename is atomic). */
export function tempNameBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${String(process.pid)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Write a file whole or not at all: a temp file beside it (created exclusively, fsync'd), then a
 * rename. Refuses to replace anything but a regular file. Throws `NS_FS_*` diagnostics.
 */
export async function writeAtomic(file: string, data: string | Uint8Array, options: WriteAtomicOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  if (options.mkdirs ?? true) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw fsDiagnosticError(error, dir, 'create the directory');
    }
  } else {
    try {
      if (!(await stat(dir)).isDirectory())
        throw fsError('NS_FS_NOT_FOUND', dir, 'the directory to write into is not a directory', 'check the path');
    } catch (error) {
      if (error instanceof DiagnosticError) throw error;
      throw fsError('NS_FS_NOT_FOUND', dir, 'the directory to write into does not exist', 'create it first, or choose another path');
    }
  }
  if (options.exclusive === true) {
    const exists = await lstat(file).then(
      () => true,
      () => false,
    );
    if (exists) throw fsError('NS_FS_EXISTS', file, 'the file already exists', 'remove it first, or pass --force where offered');
  }
  await assertReplaceable(file);
  const tmp = tempNameBeside(file);
  const mode = options.mode ?? 0o644;
  try {
    const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // Checked again just before the rename: a link or device put there meanwhile is still refused.
    await assertReplaceable(file);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw fsDiagnosticError(error, file, 'write the file');
  }
}

/**
 * `to` becomes the same bytes as `from`, without copying them where the filesystem allows: a hard
 * link, else a copy-on-write clone (reflink), else a plain copy. Atomic: a temp name, then a rename
 * over `to`. Only for files nobody writes in place afterwards (every writer here replaces by rename).
 */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  await assertReplaceable(to);
  const tmp = `${to}.${String(process.pid)}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    try {
      await link(from, tmp);
    } catch {
      await copyFile(from, tmp, constants.COPYFILE_FICLONE);
    }
    await rename(tmp, to);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** `linkOrCopy` for a whole tree: directories made, files linked, symlinks re-created as symlinks (never followed). */
export async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) await linkTree(src, dest);
    else if (entry.isSymbolicLink()) await symlink(await readlink(src), dest);
    else if (entry.isFile()) await linkOrCopy(src, dest);
  }
}

export { escapeControl } from '../diagnostics/index.js';
