/**
 * One shape for every npm-ecosystem lockfile (pnpm, npm, yarn berry and classic, bun): the graph of
 * locked packages from one importer (the root package), keyed the way each lockfile keys them.
 * src/sbom/npm.ts turns it into an inventory. Pure: the readers take the lockfile's text.
 */
import path from 'node:path';
import { diagnostic, DiagnosticError } from '../diagnostics/index.js';
import type { PackageSource } from './inventory.js';

export type LockDepKind = 'normal' | 'optional' | 'dev';

export interface LockDep {
  readonly key: string;
  readonly alias: string;
  readonly kind: LockDepKind;
}

/** One locked package: where the graph says it is, and what it depends on (by node key). */
export interface LockNode {
  readonly name: string;
  readonly version: string;
  /** SRI integrity (`sha512-…`), or `null`. */
  readonly integrity: string | null;
  /** What the checksum is of, when it is not the registry tarball (yarn berry's cache archive). */
  readonly checksumNote?: string;
  readonly source: PackageSource;
  readonly downloadLocation: string | null;
  /** License recorded in the lockfile (package-lock.json does; the others do not). */
  readonly lockLicense: string | null;
  /** A dir to find the installed package.json in, when the lockfile says (package-lock paths, workspaces). */
  readonly pathHint: string | null;
  readonly workspace: boolean;
  readonly deps: readonly LockDep[];
}

export interface LockGraph {
  readonly lockfile: string;
  readonly rootKey: string;
  readonly nodes: ReadonlyMap<string, LockNode>;
  /** Declared dependencies of the root that the lockfile does not lock (e.g. added after the last install). */
  readonly unlocked?: readonly string[];
}

export interface LockReadOptions {
  readonly registry: string;
  readonly includeDev: boolean;
  /** Root dependencies that are the release itself (its own platform packages, added by `stage`): never looked up. */
  readonly own?: ReadonlySet<string>;
}

export function lockError(file: string, message: string, hint: string): DiagnosticError {
  return new DiagnosticError([diagnostic({ code: 'NS_SBOM_NPM_LOCKFILE', subject: file, message, hint })]);
}

/** The registry tarball URL npm and pnpm download a version from. */
export function npmTarballUrl(registry: string, name: string, version: string): string {
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  const file = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${base}${name}/-/${file}-${version}.tgz`;
}

export function stripPeers(ref: string): string {
  const i = ref.indexOf('(');
  return i < 0 ? ref : ref.slice(0, i);
}

/** Split `name@version` (names may start with `@`). */
export function splitNameVersion(key: string): { name: string; version: string } | null {
  const at = key.indexOf('@', key.startsWith('@') ? 1 : 0);
  if (at <= 0) return null;
  return { name: key.slice(0, at), version: key.slice(at + 1) };
}

export function posix(p: string): string {
  return p.split(path.sep).join('/');
}

/** `dependencies` / `optionalDependencies` / `devDependencies` of a package.json, as [name, range, kind]; dev only when asked. */
export function declaredDeps(
  manifest: Readonly<Record<string, unknown>>,
  includeDev: boolean,
): { name: string; range: string; kind: LockDepKind }[] {
  const out: { name: string; range: string; kind: LockDepKind }[] = [];
  const seen = new Set<string>();
  const groups: [string, LockDepKind][] = [
    ['dependencies', 'normal'],
    ['optionalDependencies', 'optional'],
    ['devDependencies', 'dev'],
  ];
  for (const [field, kind] of groups) {
    if (kind === 'dev' && !includeDev) continue;
    const g = manifest[field];
    if (g === null || typeof g !== 'object' || Array.isArray(g)) continue;
    for (const [name, range] of Object.entries(g as Record<string, unknown>)) {
      if (typeof range !== 'string' || seen.has(name)) continue;
      // npm lists an optional dependency in both `dependencies` and `optionalDependencies`: optional wins.
      seen.add(name);
      out.push({ name, range, kind });
    }
  }
  const optional = manifest.optionalDependencies;
  if (optional !== null && typeof optional === 'object' && !Array.isArray(optional)) {
    for (const d of out) if (d.kind === 'normal' && d.name in optional) d.kind = 'optional';
  }
  return out;
}

/** A source for a locator/URL that is not a registry version: git, a local path, or another URL. */
export function nonRegistrySource(spec: string): { source: PackageSource; downloadLocation: string | null } | null {
  const s = spec.trim();
  if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(s) || /^(https?|ssh):\/\/[^#]*\.git(#.*)?$/.test(s) || /#commit=/.test(s)) {
    const hash = s.indexOf('#');
    const url = (hash < 0 ? s : s.slice(0, hash)).replace(/^git\+/, '');
    const rev = hash < 0 ? '' : s.slice(hash + 1).replace(/^commit=/, '');
    return {
      source: { kind: 'git', location: s },
      downloadLocation: /^(https?|ssh|git):\/\//.test(url) ? `git+${url}${rev === '' ? '' : `@${rev}`}` : null,
    };
  }
  if (/^(file|link|portal|workspace):/.test(s))
    return { source: { kind: 'path', location: s.replace(/^[a-z]+:/, '') }, downloadLocation: null };
  if (/^https?:\/\//.test(s)) return { source: { kind: 'other', location: s }, downloadLocation: s };
  return null;
}
