/**
 * The release manifest: what `pack` proves about a release, what `sign` signs and what
 * `verify-manifest` checks a downloaded release dir against. Written as `release-manifest.json`.
 *
 * Serialised with `serializeManifest` only (fixed key order, arrays sorted by name/target, two-space
 * indent, trailing newline), so the same release gives the same bytes and the same signature.
 */
import type { BinaryFacts } from '../core/index.js';

export const MANIFEST_SCHEMA = 'napi-ship.release-manifest/1';
export const MANIFEST_FILE = 'release-manifest.json';
export const SIGNATURE_FILE = 'release-manifest.json.sig';
export const SHA256SUMS_FILE = 'SHA256SUMS';

export interface ManifestPackage {
  readonly name: string;
  readonly version: string;
  readonly kind: 'root' | 'platform';
  /** `platform-arch-abi` of a platform package, `null` for the root. */
  readonly target: string | null;
  /** Tarball file name, relative to the release dir. */
  readonly tarball: string;
  readonly size: number;
  /** `sha512-<base64>`, npm's `dist.integrity`. */
  readonly integrity: string;
  /** Hex sha1, npm's `dist.shasum`. */
  readonly sha1: string;
  readonly sha256: string;
}

export interface ManifestBinary {
  readonly target: string;
  readonly triple: string;
  /** The package that ships it. */
  readonly package: string;
  /** Path of the binary inside its package. */
  readonly file: string;
  readonly size: number;
  readonly sha256: string;
  readonly integrity: string;
  /** What `inspect` read from it. */
  readonly facts: BinaryFacts;
}

/** Any other file of the release dir listed in the manifest (SBOMs, reports). */
export interface ManifestFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly integrity: string;
}

export interface ReleaseManifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  /** The root package's name and version. */
  readonly name: string;
  readonly version: string;
  readonly source: {
    /** `git rev-parse HEAD` of the root package's repo, `null` outside git. */
    readonly commit: string | null;
    /** Seconds; the timestamp written into tarballs (SOURCE_DATE_EPOCH, else the commit time, else npm's 499162500). */
    readonly sourceDateEpoch: number;
  };
  readonly tools: {
    readonly napiShip: string;
    readonly core: string;
    readonly node: string;
  };
  readonly packages: readonly ManifestPackage[];
  readonly binaries: readonly ManifestBinary[];
  readonly files: readonly ManifestFile[];
}

function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** The one serialisation of a manifest: deterministic bytes for hashing and signing. */
export function serializeManifest(m: ReleaseManifest): string {
  const ordered: ReleaseManifest = {
    schema: m.schema,
    name: m.name,
    version: m.version,
    source: { commit: m.source.commit, sourceDateEpoch: m.source.sourceDateEpoch },
    tools: { napiShip: m.tools.napiShip, core: m.tools.core, node: m.tools.node },
    packages: [...m.packages].sort(byKey((p) => p.name)),
    binaries: [...m.binaries].sort(byKey((b) => b.target)),
    files: [...m.files].sort(byKey((f) => f.path)),
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}
