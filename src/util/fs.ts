import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Write a file whole or not at all: a temp file beside it, then a rename. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${String(process.pid)}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Is `file` `dir` itself or below it? Lexical, over absolute (resolved) paths. */
export function isInside(dir: string, file: string): boolean {
  return file === dir || file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/**
 * `to` becomes the same bytes as `from`, without copying them where the filesystem allows: a hard
 * link, else a copy-on-write clone (reflink), else a plain copy. Atomic: a temp name, then a rename
 * over `to`. Only for files nobody writes in place afterwards (every writer here replaces by rename).
 */
export async function linkOrCopy(from: string, to: string): Promise<void> {
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
