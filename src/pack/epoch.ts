/**
 * The timestamp of a release's files (tarball mtimes, SBOM `created`): its own module, so that what
 * reads it (the SBOM stage) does not load the packer.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { diagnostic, DiagnosticError } from '../diagnostics/index.js';

const execFileAsync = promisify(execFile);

/** npm's fixed tarball date (pacote's `tar-create-options.js`): 1985-10-26T08:15:00.000Z, in seconds. */
export const NPM_FIXED_DATE_EPOCH = 499162500;

/** The largest mtime a ustar header holds (11 octal digits): 8589934591 s, in the year 2242. */
export const MAX_TAR_MTIME = 0o77777777777;

/**
 * Whether `dir` can be inside a git work tree: a `.git` (dir, or file for worktrees and submodules) in
 * it or above, or GIT_DIR set. Outside one, git is not spawned at all (it would only fail, slowly).
 */
function mayBeInGit(dir: string, env: NodeJS.ProcessEnv): boolean {
  if (env.GIT_DIR !== undefined && env.GIT_DIR !== '') return true;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git'))) return true;
    if (path.dirname(d) === d) return false;
  }
}

async function git(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (!mayBeInGit(dir, env)) return null;
  try {
    const { stdout } = await execFileAsync('git', [...args], { cwd: dir, timeout: 10_000, windowsHide: true });
    return stdout.trim();
  } catch {
    return null;
  }
}

/** `git rev-parse HEAD` in `dir`, or `null` outside git (or without git). */
export async function gitCommit(dir: string): Promise<string | null> {
  const out = await git(dir, ['rev-parse', 'HEAD']);
  return out !== null && /^[0-9a-f]{40,64}$/.test(out) ? out : null;
}

function badEpoch(source: string, value: string): DiagnosticError {
  return new DiagnosticError([
    diagnostic({
      code: 'NS_PACK_SOURCE_DATE_EPOCH',
      subject: source,
      message: `${source} must be a whole number of seconds since 1970, got ${JSON.stringify(value)}`,
      hint: 'e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)',
    }),
  ]);
}

/**
 * The timestamp written into the tarballs: the explicit value, else `SOURCE_DATE_EPOCH`, else the
 * time of the last commit in `rootDir` (`git log -1 --format=%ct`), else npm's fixed 1985-10-26T08:15:00Z.
 */
export async function resolveSourceDateEpoch(rootDir: string, explicit?: number, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const check = (n: number, source: string): number => {
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_TAR_MTIME) throw badEpoch(source, String(n));
    return n;
  };
  if (explicit !== undefined) return check(explicit, 'sourceDateEpoch');
  const fromEnv = env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    if (!/^\d+$/.test(fromEnv.trim())) throw badEpoch('SOURCE_DATE_EPOCH', fromEnv);
    return check(Number(fromEnv.trim()), 'SOURCE_DATE_EPOCH');
  }
  const committed = await git(rootDir, ['log', '-1', '--format=%ct'], env);
  if (committed !== null && /^\d+$/.test(committed)) return check(Number(committed), 'git log -1 --format=%ct');
  return NPM_FIXED_DATE_EPOCH;
}
