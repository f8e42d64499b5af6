import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
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
