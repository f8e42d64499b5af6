/**
 * Private work dirs beside what napi-ship writes, owned by the process that made them, and the
 * all-or-nothing directory swap built on them.
 *
 * A work dir names its owner: a `.owner` file holding its pid (the build's staging dirs), or the
 * pid in its name (`.<dir>.napi-ship-new-<pid>-<token>`, the swap's dirs: they become the final dir,
 * so they carry no file of ours). The next run removes what a killed run left (its owner is gone,
 * or it names none and is over an hour old); a live run's dirs are never touched.
 *
 * `beginDirSwap(final)` builds the next state of a whole directory (stage's npm dir, pack's release
 * dir) in a sibling dir — the same parent, so the swap is renames within one filesystem — and
 * `commit()` swaps it in. On Linux a directory cannot be renamed over a non-empty one, so the swap
 * is two renames, and each state a kill can leave is one the next run recovers from:
 *
 *   1. building:  `final` = the old complete state; `.<base>.napi-ship-new-<pid>-<t>` partial
 *                 → the next run removes the new dir (the old state stays).
 *   2. between the renames: no `final`; `.<base>.napi-ship-old-<pid>-<t>` = the old complete
 *                 state, `.<base>.napi-ship-new-<pid>-<t>` = the new complete state (a swap starts
 *                 only once the new dir is complete) → the next run finishes the swap: new → final.
 *                 (No new dir with that token: the old one is restored.)
 *   3. swapped:   `final` = the new complete state; the old dir still there → the next run removes it.
 *   4. done.
 *
 * So a reader sees the old complete state or the new one (or, in the instant of state 2, no dir,
 * which the next run of the same command turns into the new one) — never a mix.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, open, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, fsDiagnosticError, linkTree } from './fs.js';

/** The file in a work dir that names the process that made it (its pid). */
export const STAGING_OWNER = '.owner';

/** Is a process with this pid running (ours, or someone else's: EPERM)? */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errnoCode(error) === 'EPERM';
  }
}

/** How long a work dir that names no owner is kept (a run that died before writing its `.owner`). */
const UNOWNED_MAX_AGE_MS = 3_600_000;

/** The pid a work dir names: its `.owner` file, else `-<pid>-` right after `prefix` in its name. */
async function ownerOf(dir: string, name: string, prefix: string): Promise<number | null> {
  const owner = await readFile(path.join(dir, STAGING_OWNER), 'utf8').catch(() => null);
  const text = owner ?? /^(\d+)-/.exec(name.slice(prefix.length))?.[1] ?? null;
  const pid = text === null ? NaN : Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Is this work dir left by a run that is gone (owner dead, or no owner and old)? */
async function stale(dir: string, name: string, prefix: string, now: number): Promise<boolean> {
  const info = await lstat(dir).catch(() => null);
  if (info === null || !info.isDirectory()) return false;
  const pid = await ownerOf(dir, name, prefix);
  return pid === null ? now - info.mtimeMs > UNOWNED_MAX_AGE_MS : pid !== process.pid && !processAlive(pid);
}

/**
 * Remove the work dirs named `<prefix>…` in `parent` that killed runs left (see `stale`); a live
 * run's dir is left alone. Returns the dirs removed.
 */
export async function removeStaleStaging(parent: string, prefix: string, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    const dir = path.join(parent, name);
    if (!(await stale(dir, name, prefix, now))) continue;
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/**
 * Make a work dir `<prefix>XXXXXX` in `parent` (so the final renames stay on one filesystem),
 * marked with this process's pid; first remove what killed runs left there.
 */
export async function makeStaging(parent: string, prefix: string): Promise<string> {
  await removeStaleStaging(parent, prefix);
  const dir = await mkdtemp(path.join(parent, prefix));
  await writeFile(path.join(dir, STAGING_OWNER), `${String(process.pid)}\n`);
  return dir;
}

/**
 * The temp names of napi-ship's atomic writes (`.<name>.<pid>.<hex>.tmp`, `<name>.<pid>.<rand>.tmp`,
 * `<name>.<pid>.tmp`): what a killed write left, when it wrote in place (before the swap dirs).
 */
export const LEFTOVER_TMP = /\.\d+(\.[0-9a-z]+)?\.tmp$/;

/** Remove the leftover temp files (`LEFTOVER_TMP`) directly in `dir`; returns their names. */
export async function removeLeftoverTemps(dir: string): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => LEFTOVER_TMP.test(n));
  for (const name of names) await rm(path.join(dir, name), { force: true });
  return names;
}

// ---------------------------------------------------------------------------------------------
// The directory swap.

/** `.<base>.napi-ship-` : the prefix of every swap dir of `final`. */
export function swapPrefix(final: string): string {
  return `.${path.basename(final)}.napi-ship-`;
}

interface SwapDir {
  readonly dir: string;
  readonly kind: 'new' | 'old';
  readonly pid: number;
  readonly token: string;
}

async function swapDirs(final: string): Promise<SwapDir[]> {
  const parent = path.dirname(final);
  const prefix = swapPrefix(final);
  const names = await readdir(parent).catch(() => [] as string[]);
  return names.flatMap((name) => {
    if (!name.startsWith(prefix)) return [];
    const m = /^(new|old)-(\d+)-([0-9a-f]+)$/.exec(name.slice(prefix.length));
    if (m === null) return [];
    return [{ dir: path.join(parent, name), kind: m[1] === 'new' ? 'new' : 'old', pid: Number(m[2]), token: m[3] ?? '' }];
  });
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

/** Flush a directory's entries (the renames in it) to disk; best effort (not every platform can open a dir). */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot fsync a directory; the renames are still atomic.
  }
}

export interface Recovery {
  /** A swap a killed run had started, finished (its new dir renamed to `final`). */
  readonly finished: boolean;
  /** The old state restored (a swap whose new dir is gone). */
  readonly restored: boolean;
  /** Work dirs of dead runs removed. */
  readonly removed: readonly string[];
}

/**
 * Bring `final` back to a complete state after killed runs (the states in the module comment):
 * finish a swap caught between its two renames, remove the old and new dirs dead runs left.
 * Dirs of live runs (another napi-ship working on the same dir right now) are left alone.
 */
export async function recoverDirSwap(final: string): Promise<Recovery> {
  const dirs = (await swapDirs(final)).filter((d) => d.pid !== process.pid && !processAlive(d.pid));
  let finished = false;
  let restored = false;
  const removed: string[] = [];
  for (const old of dirs.filter((d) => d.kind === 'old')) {
    if (!(await exists(final))) {
      const partner = dirs.find((d) => d.kind === 'new' && d.token === old.token);
      if (partner !== undefined && (await exists(partner.dir))) {
        await rename(partner.dir, final);
        finished = true;
      } else {
        await rename(old.dir, final);
        restored = true;
      }
      await syncDir(path.dirname(final));
    }
    if (await exists(old.dir)) {
      await rm(old.dir, { recursive: true, force: true });
      removed.push(old.dir);
    }
  }
  for (const d of dirs.filter((x) => x.kind === 'new')) {
    if (!(await exists(d.dir))) continue;
    await rm(d.dir, { recursive: true, force: true });
    removed.push(d.dir);
  }
  return { finished, restored, removed };
}

export interface DirSwap {
  /** The final directory. */
  readonly final: string;
  /** Where the next state is built (a sibling of `final`). */
  readonly temp: string;
  /** Swap `temp` in as `final` (the old state, if any, is removed). */
  commit(): Promise<void>;
  /** Throw the new state away (the old one stays). */
  abort(): Promise<void>;
}

export interface BeginDirSwapOptions {
  /** Start from a copy of `final`'s current files (hard links where possible; default true). */
  readonly fromCurrent?: boolean;
}

/**
 * Start building the next state of `final` in a sibling dir (recovering first from killed runs).
 * With `fromCurrent`, the sibling starts as a hard-linked copy of `final` (every writer of
 * napi-ship replaces files by rename, so a link is never written through).
 */
export async function beginDirSwap(final: string, options: BeginDirSwapOptions = {}): Promise<DirSwap> {
  try {
    await mkdir(path.dirname(path.resolve(final)), { recursive: true });
  } catch (error) {
    throw fsDiagnosticError(error, path.dirname(path.resolve(final)), 'create the directory');
  }
  // A link to the dir (or a linked parent) is kept: the swap happens where the files really are.
  const finalPath = await realpath(final).catch(() => path.join(path.dirname(path.resolve(final)), path.basename(final)));
  const parent = path.dirname(finalPath);
  const info = await lstat(finalPath).catch(() => null);
  if (info !== null && !info.isDirectory())
    throw fsDiagnosticError(Object.assign(new Error('not a directory'), { code: 'EEXIST' }), finalPath, 'create the directory');
  await recoverDirSwap(finalPath);
  const token = randomBytes(6).toString('hex');
  const prefix = swapPrefix(finalPath);
  const temp = path.join(parent, `${prefix}new-${String(process.pid)}-${token}`);
  const old = path.join(parent, `${prefix}old-${String(process.pid)}-${token}`);
  try {
    await mkdir(temp);
    if ((options.fromCurrent ?? true) && (await exists(finalPath))) await linkTree(finalPath, temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw fsDiagnosticError(error, temp, 'prepare the new directory');
  }
  return {
    final: finalPath,
    temp,
    async commit() {
      await syncDir(temp);
      const hadOld = await exists(finalPath);
      try {
        if (hadOld) await rename(finalPath, old);
        await rename(temp, finalPath);
      } catch (error) {
        // Put the old state back if the second rename failed.
        if (hadOld && !(await exists(finalPath)) && (await exists(old))) await rename(old, finalPath).catch(() => undefined);
        throw fsDiagnosticError(error, finalPath, 'swap in the new directory');
      }
      await syncDir(parent);
      if (hadOld) await rm(old, { recursive: true, force: true });
    },
    async abort() {
      await rm(temp, { recursive: true, force: true });
    },
  };
}
