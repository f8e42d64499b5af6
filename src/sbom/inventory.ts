/**
 * The inventory: every third-party package a release ships, read from lockfiles and metadata, in one
 * shape for both ecosystems. The SBOM writers describe it; the policy gate judges it.
 */

import type { Ecosystem } from '../config/policy.js';

export type { Ecosystem };

/** Where a package comes from, as its lockfile says. */
export interface PackageSource {
  /** `registry` (crates.io / an npm registry), `git`, `path` (a local dir or workspace member), or `other`. */
  readonly kind: 'registry' | 'git' | 'path' | 'other';
  /** The registry index/URL, git URL (with rev) or path, as written in the lockfile; `null` when unknown. */
  readonly location: string | null;
}

export interface InventoryPackage {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
  /** `pkg:cargo/name@1.0.0` or `pkg:npm/%40scope/name@1.0.0`. */
  readonly purl: string;
  /** The license field exactly as the package declares it (`Cargo.toml` `license`, package.json `license`); `null` when absent. */
  readonly licenseRaw: string | null;
  /** A license file the package names (`license-file`) or ships, with its sha256, for `clarify` entries. */
  readonly licenseFiles: readonly { readonly path: string; readonly sha256: string }[];
  readonly source: PackageSource;
  /** Lockfile checksum: cargo's sha256 hex, npm's SRI integrity (`sha512-…`); `null` when none. */
  readonly checksum: string | null;
  /** What `checksum` is of, when not the downloaded archive itself (yarn berry: its cache archive). */
  readonly checksumNote?: string;
  /** Supplier/author as declared (first author for crates, `author` for npm); `null` when none. */
  readonly supplier: string | null;
  readonly homepage: string | null;
  /** Where it is downloaded from (crates.io download URL, npm tarball URL); `null` for path/workspace packages. */
  readonly downloadLocation: string | null;
  /** How it reaches the shipped artifact: a normal (runtime) dependency, or build/dev only. */
  readonly scope: 'normal' | 'build' | 'dev';
  /** True for the package being released itself (workspace member / root package), not a dependency. */
  readonly isRoot: boolean;
  /** `purl`s of its direct dependencies within this inventory. */
  readonly dependsOn: readonly string[];
  /** The same direct dependencies with the kind of each edge (optional: readers that know it set it). */
  readonly edges?: readonly InventoryEdge[];
  /** The source repository URL the package declares (`repository`), `null`/absent when none. */
  readonly repository?: string | null;
  /** First-party: a member of the project's own workspace (cargo workspace member, pnpm/npm workspace package). */
  readonly workspaceMember?: boolean;
  /** npm: reached only through `optionalDependencies` (may be absent on this platform). */
  readonly optional?: boolean;
  /** cargo: the target triples whose dependency graph includes it (absent: not target-specific). */
  readonly targets?: readonly string[];
  /** npm: true when the license was read from an installed `package.json`, false when that was not installed. */
  readonly installed?: boolean;
}

/** One dependency edge: `purl` is the dependency, `kind` how it is depended on. */
export interface InventoryEdge {
  readonly purl: string;
  readonly kind: 'normal' | 'build' | 'dev' | 'optional';
}

export interface Inventory {
  readonly ecosystem: Ecosystem;
  /** The lockfile or manifest it was read from. */
  readonly source: string;
  /** purl of the root package(s) being described. */
  readonly roots: readonly string[];
  readonly packages: readonly InventoryPackage[];
  /** How the graph was obtained when that needs saying (e.g. resolved now because no lockfile is committed). */
  readonly note?: string;
}
