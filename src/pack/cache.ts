/**
 * The tarball cache: a tarball is keyed by the digest of its exact inputs, so packing unchanged
 * packages again (a second dry run, the rehearsal, `pack` after `release --dry-run`) re-uses the
 * bytes made before instead of compressing them again.
 *
 * Key: sha256 over the packer (napi-ship's version, the tar layout, the core's compressor id), the
 * mtime written into the entries, and every file's path, tar mode, size and sha256 — everything the
 * tarball's bytes depend on (see ./tarball.ts). An entry is `<dir>/tarballs/<k0k1>/<key>.tgz` plus
 * `<key>.json` holding its size and sha256; a hit is re-checked against that digest after it is linked
 * into place (a damaged entry is dropped and the tarball packed again), so a hit is byte-identical to
 * what packing would write.
 *
 * An entry may also record that its bytes passed the tarball check (`checked`: `tarballCheckId`,
 * src/util/tarball.ts) — set by the dry run only after its `verify-manifest` inflated that tarball
 * and found it sound. A later dry run that re-uses the entry (same sha256) does not inflate it
 * again; `napi-ship verify-manifest` and `publish` always do.
 *
 * Where: `NAPI_SHIP_CACHE_DIR`, else `$XDG_CACHE_HOME/napi-ship`, else `~/.cache/napi-ship`.
 * `NAPI_SHIP_CACHE=0` (or `cache: false` in the pack input) turns it off. Entries are files only;
 * deleting the dir is always safe.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compressorId } from '../core/index.js';
import { linkOrCopy } from '../util/fs.js';
import { napiShipVersion } from '../util/version.js';
import type { PackFile } from './files.js';

/** Bump when the tar stream ./tarball.ts writes changes for the same inputs. */
export const TAR_LAYOUT = 'napi-ship tar 1: node-tar portable, package/ prefix, byte-order sorted, 0644/0755, uid/gid 0';

export interface CacheInputFile extends PackFile {
  readonly sha256: string;
}

/** The cache key of one tarball: hex sha256 over everything its bytes depend on. Pure. */
export function tarballKey(files: readonly CacheInputFile[], mtime: number, packer: string): string {
  const h = createHash('sha256');
  h.update(`${packer}\n${TAR_LAYOUT}\nmtime ${String(mtime)}\n`);
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${JSON.stringify(f.path)} ${f.mode.toString(8)} ${String(f.size)} ${f.sha256}\n`);
  }
  return h.digest('hex');
}

/** napi-ship's version and the core's compressor: the packer part of every key. */
export function packerId(): string {
  return `napi-ship ${napiShipVersion()}; ${compressorId()}; small streams: min with node zlib ${process.versions.zlib} level 9`;
}

/** The cache dir from the environment, or `null` when the cache is off. Pure. */
export function cacheDirFrom(env: NodeJS.ProcessEnv, home: string = os.homedir()): string | null {
  if (env.NAPI_SHIP_CACHE === '0' || env.NAPI_SHIP_CACHE === 'false') return null;
  if (env.NAPI_SHIP_CACHE_DIR) return path.resolve(env.NAPI_SHIP_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(env.XDG_CACHE_HOME), 'napi-ship');
  return path.join(home, '.cache', 'napi-ship');
}

interface Entry {
  readonly size: number;
  readonly sha256: string;
  /** `tarballCheckId` of a tarball check these bytes passed. */
  readonly checked?: string;
}

/** A cache hit: the sha256 the entry records, and the tarball check its bytes passed, if any. */
export interface CacheHit {
  readonly sha256: string;
  readonly checked: string | null;
}

/** An entry's `<key>.json`, replaced whole (written aside, then renamed over it). */
async function writeMeta(file: string, entry: Entry): Promise<void> {
  const tmp = `${file}.${String(process.pid)}.tmp`;
  await writeFile(tmp, JSON.stringify(entry) + '\n');
  await rename(tmp, file);
}

export class TarballCache {
  constructor(readonly dir: string) {}

  private paths(key: string): { tgz: string; meta: string } {
    const base = path.join(this.dir, 'tarballs', key.slice(0, 2), key);
    return { tgz: `${base}.tgz`, meta: `${base}.json` };
  }

  /** Link the cached tarball of `key` to `dest`; its expected sha256 (and check), or `null` on a miss. */
  async restore(key: string, dest: string): Promise<CacheHit | null> {
    const p = this.paths(key);
    try {
      const meta = JSON.parse(await readFile(p.meta, 'utf8')) as Partial<Entry>;
      if (typeof meta.sha256 !== 'string' || typeof meta.size !== 'number') return null;
      if ((await stat(p.tgz)).size !== meta.size) {
        await this.drop(key);
        return null;
      }
      await linkOrCopy(p.tgz, dest);
      return { sha256: meta.sha256, checked: typeof meta.checked === 'string' ? meta.checked : null };
    } catch {
      return null;
    }
  }

  /** Keep `file` (a tarball just written and hashed) under `key`. Failures only cost the next run time. */
  async store(key: string, file: string, entry: Entry): Promise<void> {
    const p = this.paths(key);
    try {
      await mkdir(path.dirname(p.tgz), { recursive: true });
      await linkOrCopy(file, p.tgz);
      await writeMeta(p.meta, entry);
    } catch {
      await this.drop(key);
    }
  }

  /**
   * Record that the entry's bytes (`sha256`) passed the tarball check `checked`. Only an entry that
   * still holds those bytes is marked; failures only cost the next run an inflate.
   */
  async markChecked(key: string, sha256: string, checked: string): Promise<void> {
    const p = this.paths(key);
    try {
      const meta = JSON.parse(await readFile(p.meta, 'utf8')) as Partial<Entry>;
      if (meta.sha256 !== sha256 || typeof meta.size !== 'number') return;
      await writeMeta(p.meta, { size: meta.size, sha256, checked });
    } catch {
      // The next run inflates it again.
    }
  }

  async drop(key: string): Promise<void> {
    const p = this.paths(key);
    await rm(p.meta, { force: true });
    await rm(p.tgz, { force: true });
  }
}
