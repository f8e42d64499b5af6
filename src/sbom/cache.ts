/**
 * A cache of the dependency graphs (`readProjectInventories`), so a second `napi-ship sbom` or
 * `policy` over unchanged inputs runs no cargo and parses no lockfile.
 *
 * One entry per project and options (root dir, targets, dev/build choice), in napi-ship's cache dir
 * (`NAPI_SHIP_CACHE_DIR`, else `$XDG_CACHE_HOME/napi-ship`, else `~/.cache/napi-ship`; never the
 * project's tree). An entry holds the digest of what was read — the root package.json, the npm
 * lockfile and the install state of node_modules, Cargo.lock, the targets and options — and the
 * sha256 of every further file the graph came from (each path crate's Cargo.toml and license files,
 * the workspace's Cargo.toml, `.cargo/config.toml` files). It is used only when all of them are
 * unchanged; a graph read with errors is never stored, and a crate graph that was resolved now (no
 * Cargo.lock) is never cached. Whoever uses a hit says so (`cache: hit` and a note).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hasErrors, type Diagnostic } from '../diagnostics/index.js';
import { writeAtomic } from '../util/fs.js';
import { isRecord } from '../util/json.js';
import { napiShipVersion } from '../util/version.js';
import type { Inventory } from './inventory.js';

const FORMAT = 1;

/** What was read, as stored. */
export interface CachedGraphs {
  readonly cargo: Inventory | null;
  readonly npm: Inventory;
  readonly diagnostics: readonly Diagnostic[];
  readonly notes: readonly string[];
}

interface Entry extends CachedGraphs {
  readonly format: number;
  readonly version: string;
  readonly key: string;
  readonly created: string;
  /** Files the graph came from: path → sha256 (`null`: absent then, so it must still be absent). */
  readonly files: Readonly<Record<string, string | null>>;
}

/** How a read used the cache. */
export interface CacheUse {
  readonly state: 'hit' | 'miss' | 'off';
  /** The entry file (absent when `off`). */
  readonly file?: string;
  /** When the entry was written (a hit). */
  readonly created?: string;
}

/** napi-ship's cache dir for dependency graphs. */
export function graphCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NAPI_SHIP_CACHE_DIR) return path.join(path.resolve(env.NAPI_SHIP_CACHE_DIR), 'graphs');
  const base =
    env.XDG_CACHE_HOME ?? (process.platform === 'win32' && env.LOCALAPPDATA ? env.LOCALAPPDATA : path.join(os.homedir(), '.cache'));
  return path.join(base, 'napi-ship', 'graphs');
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of a file's bytes, `null` when it is not there. */
export async function fileDigest(file: string): Promise<string | null> {
  try {
    return sha256(await readFile(file));
  } catch {
    return null;
  }
}

/** `dir/` stands for the license files in a dir (names and bytes), which a crate's inventory entry hashes. */
const LICENSE_FILE = /^(licen[cs]e|copying|unlicense|notice|copyright)([-._].*)?$/i;

async function stampOf(p: string): Promise<string | null> {
  if (!p.endsWith('/')) return fileDigest(p);
  let names: string[];
  try {
    names = (await readdir(p)).filter((n) => LICENSE_FILE.test(n)).sort();
  } catch {
    return null;
  }
  const parts = await Promise.all(names.map(async (n) => `${n}\0${(await fileDigest(path.join(p, n))) ?? ''}`));
  return sha256(parts.join('\n'));
}

/** `stat` of node_modules and the markers package managers write after an install: installing changes them. */
async function installStamp(dirs: readonly string[]): Promise<string> {
  const markers = ['', '.modules.yaml', '.package-lock.json', '.yarn-state.yml', '.yarn-integrity', '.pnpm/lock.yaml'];
  const out: string[] = [];
  for (const dir of [...new Set(dirs)]) {
    for (const m of markers) {
      const p = path.join(dir, 'node_modules', m);
      try {
        const s = await stat(p);
        out.push(`${p} ${String(s.mtimeMs)} ${String(s.size)}`);
      } catch {
        out.push(`${p} -`);
      }
    }
  }
  return out.join('\n');
}

/** The nearest Cargo.lock at or above `dir`, or null (then the graph is resolved now: not cached). */
export function findCargoLock(dir: string): string | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const lock = path.join(d, 'Cargo.lock');
    if (existsSync(lock)) return lock;
    if (path.dirname(d) === d) return null;
  }
}

export interface CacheKeyInput {
  readonly rootDir: string;
  /** The addon crate's Cargo.toml as chosen (null: no Rust part). */
  readonly manifestPath: string | null;
  readonly packageName: string | null;
  readonly targets: readonly string[];
  readonly includeDev: boolean;
  readonly includeBuild: boolean;
  /** The npm lockfile that will be read (null: none found). */
  readonly lockfile: string | null;
}

/** The digest of the cheap inputs (package.json, lockfiles, install state, options); null when nothing may be cached. */
export async function graphCacheKey(input: CacheKeyInput): Promise<{ name: string; key: string } | null> {
  const cargoLock = input.manifestPath === null ? null : findCargoLock(path.dirname(input.manifestPath));
  if (input.manifestPath !== null && cargoLock === null) return null;
  const options = JSON.stringify({
    format: FORMAT,
    version: napiShipVersion(),
    rootDir: path.resolve(input.rootDir),
    manifestPath: input.manifestPath,
    packageName: input.packageName,
    targets: [...new Set(input.targets)].sort(),
    includeDev: input.includeDev,
    includeBuild: input.includeBuild,
  });
  const parts = [
    options,
    `package.json ${(await fileDigest(path.join(input.rootDir, 'package.json'))) ?? '-'}`,
    `lockfile ${input.lockfile ?? '-'} ${input.lockfile === null ? '-' : ((await fileDigest(input.lockfile)) ?? '-')}`,
    `cargo ${cargoLock ?? '-'} ${cargoLock === null ? '-' : ((await fileDigest(cargoLock)) ?? '-')}`,
    `manifest ${input.manifestPath === null ? '-' : ((await fileDigest(input.manifestPath)) ?? '-')}`,
    await installStamp([input.rootDir, ...(input.lockfile === null ? [] : [path.dirname(input.lockfile)])]),
  ];
  return { name: sha256(options).slice(0, 32), key: sha256(parts.join('\n')) };
}

function entryFile(dir: string, name: string): string {
  return path.join(dir, `${name}.json`);
}

/** The entry for `key` when it and every file it names are unchanged; null otherwise. */
export async function readGraphCache(dir: string, key: { name: string; key: string }): Promise<(CachedGraphs & CacheUse) | null> {
  const file = entryFile(dir, key.name);
  let entry: unknown;
  try {
    entry = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
  if (!isRecord(entry) || entry.format !== FORMAT || entry.version !== napiShipVersion() || entry.key !== key.key) return null;
  const e = entry as unknown as Entry;
  if (!isRecord(e.files) || !isRecord(e.npm) || !Array.isArray(e.diagnostics) || !Array.isArray(e.notes)) return null;
  const stamps = await Promise.all(Object.entries(e.files).map(async ([p, digest]) => (await stampOf(p)) === digest));
  if (stamps.includes(false)) return null;
  return { cargo: e.cargo, npm: e.npm, diagnostics: e.diagnostics, notes: e.notes, state: 'hit', file, created: e.created };
}

/** Store what was read (not when it has errors), with the digests of `files` as they are now. */
export async function writeGraphCache(
  dir: string,
  key: { name: string; key: string },
  graphs: CachedGraphs,
  files: readonly string[],
): Promise<CacheUse> {
  const file = entryFile(dir, key.name);
  if (hasErrors(graphs.diagnostics)) return { state: 'miss' };
  const stamps: Record<string, string | null> = {};
  for (const p of [...new Set(files)].sort()) stamps[p] = await stampOf(p);
  const entry: Entry = {
    format: FORMAT,
    version: napiShipVersion(),
    key: key.key,
    created: new Date().toISOString(),
    files: stamps,
    ...graphs,
  };
  try {
    await mkdir(dir, { recursive: true });
    await writeAtomic(file, JSON.stringify(entry));
  } catch {
    // A cache that cannot be written is no cache: the result stands.
    return { state: 'miss' };
  }
  return { state: 'miss', file };
}
