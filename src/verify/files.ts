/**
 * Check 6: every file a platform package names (`main`, `files`) exists inside it, as a regular file,
 * never through a symlink, never by a path that leaves the package.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';

export function escapes(dir: string, relative: string): boolean {
  if (path.isAbsolute(relative)) return true;
  const resolved = path.resolve(dir, relative);
  return resolved !== dir && !resolved.startsWith(dir + path.sep);
}

export async function checkPackageFiles(dir: string, manifest: Readonly<Record<string, unknown>>, target: string): Promise<Diagnostic[]> {
  const named: string[] = [];
  if (typeof manifest.main === 'string') named.push(manifest.main);
  if (Array.isArray(manifest.files)) for (const f of manifest.files) if (typeof f === 'string') named.push(f);
  const out: Diagnostic[] = [];
  for (const rel of [...new Set(named)]) {
    if (escapes(dir, rel)) {
      out.push(
        diagnostic({
          code: 'NS_VERIFY_PATH_ESCAPE',
          target,
          subject: rel,
          message: 'a path in main/files leaves the package',
          expected: 'a path inside the package',
          found: rel,
          hint: 'list files relative to the package directory',
        }),
      );
      continue;
    }
    // Walk each component so a symlinked parent directory is caught too.
    let current = dir;
    let problem: Diagnostic | null = null;
    for (const part of path.normalize(rel).split(path.sep).filter(Boolean)) {
      current = path.join(current, part);
      try {
        const st = await lstat(current);
        if (st.isSymbolicLink()) {
          problem = diagnostic({
            code: 'NS_VERIFY_SYMLINK',
            target,
            subject: rel,
            message: 'a file the package ships is a symbolic link',
            expected: 'a regular file',
            found: `symlink at ${path.relative(dir, current)}`,
            hint: 'npm does not follow symlinks into tarballs; copy the real file in',
          });
          break;
        }
      } catch {
        problem = diagnostic({
          code: 'NS_VERIFY_FILE_MISSING',
          target,
          subject: rel,
          message: 'a file named by main/files does not exist',
          expected: rel,
          found: 'nothing',
          hint: 'run napi-ship stage to copy the binary in',
        });
        break;
      }
    }
    if (problem) out.push(problem);
  }
  return out;
}
