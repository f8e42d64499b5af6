/**
 * Real published napi-rs releases, fetched from the npm registry at test time through the
 * registry npm is configured for (`npm config get registry`), cached under `.cache/corpus/`.
 * Every tarball is checked against the registry's `dist.integrity` before it is cached or used.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extract } from 'tar';
import { fetch } from 'undici';
import { repoRoot } from './cli.js';

export const corpusCache = path.join(repoRoot, '.cache', 'corpus');

let registryBase: string | undefined;

/** The registry npm uses here, with a trailing slash. */
export function registry(): string {
  if (registryBase !== undefined) return registryBase;
  const out = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' });
  const url = out.status === 0 && out.stdout.trim().startsWith('http') ? out.stdout.trim() : 'https://registry.npmjs.org/';
  registryBase = url.endsWith('/') ? url : `${url}/`;
  return registryBase;
}

function safe(name: string): string {
  return name.replace('/', '__');
}

function writeAtomically(file: string, data: Buffer | string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

async function get(url: string): Promise<{ status: number; body: Buffer }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' } });
      const body = Buffer.from(await response.arrayBuffer());
      return { status: response.status, body };
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

export interface PublishedManifest {
  readonly name: string;
  readonly version: string;
  readonly dist: { readonly tarball: string; readonly integrity: string };
  readonly [key: string]: unknown;
}

/** The published manifest of `name@version`, or null when the registry has no such version. */
export async function manifest(name: string, version: string): Promise<PublishedManifest | null> {
  const file = path.join(corpusCache, 'manifests', `${safe(name)}@${version}.json`);
  if (existsSync(file)) {
    const cached: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return cached === null ? null : (cached as PublishedManifest);
  }
  const url = `${registry()}${name.replace('/', '%2f')}/${version}`;
  const { status, body } = await get(url);
  if (status === 404) {
    writeAtomically(file, 'null');
    return null;
  }
  if (status !== 200) throw new Error(`GET ${url}: HTTP ${status}`);
  const parsed = JSON.parse(body.toString('utf8')) as PublishedManifest;
  writeAtomically(file, JSON.stringify(parsed));
  return parsed;
}

function integrityOf(data: Buffer): string {
  return `sha512-${createHash('sha512').update(data).digest('base64')}`;
}

/** The tarball of a published manifest (cached, integrity-checked). */
export async function tarball(published: PublishedManifest): Promise<string> {
  const file = path.join(corpusCache, 'tarballs', `${safe(published.name)}-${published.version}.tgz`);
  if (existsSync(file) && integrityOf(readFileSync(file)) === published.dist.integrity) return file;
  // Download from the configured registry: the manifest's tarball URL may name another host.
  const tail = new URL(published.dist.tarball).pathname.replace(/^\//, '');
  const { status, body } = await get(`${registry()}${tail}`);
  if (status !== 200) throw new Error(`GET ${published.dist.tarball}: HTTP ${status}`);
  const integrity = integrityOf(body);
  if (integrity !== published.dist.integrity) {
    throw new Error(
      `${published.name}@${published.version}: tarball integrity ${integrity} is not the registry's ${published.dist.integrity}`,
    );
  }
  writeAtomically(file, body);
  return file;
}

/** Unpack a package tarball's `package/` into `dir`. */
export async function unpack(tgz: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await extract({ file: tgz, cwd: dir, strip: 1 });
}
