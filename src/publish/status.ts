/**
 * `releaseStatus`: where a released version stands on the registry, package by package.
 *
 * The release is the root plus its platform packages: the names given (`packages`: the signed
 * manifest's list, or the configured targets' package names), else the root's pins shaped like its
 * platform packages (`<root>-<abi>`). Any other `optionalDependencies` of the published root (e.g.
 * `fsevents`) is not part of the release and is never read. Each package is read for: published at the pinned version? with which integrity (and does it match the
 * release manifest, when one is given)? which dist-tags point at it? deprecated? Read-only.
 */
import type { ReleaseManifest } from '../manifest/index.js';
import type { RegistryClient } from '../registry/client.js';
import type { Packument } from '../registry/packument.js';
import { displayUrl } from '../registry/url.js';
import { DEFAULT_STAGING_TAG, type PackageKind } from './plan.js';
import { mapPool } from '../util/pool.js';
import { DEFAULT_REGISTRY_CONCURRENCY } from '../util/registry-defaults.js';
import { isPlatformPackageName } from '../targets/table.js';

export interface PackageStatus {
  readonly name: string;
  readonly kind: PackageKind;
  /** The version looked for (the root's version, or the root's pin). */
  readonly version: string;
  readonly published: boolean;
  /** The registry's `dist.integrity` for the version (`null` when unpublished or unrecorded). */
  readonly integrity: string | null;
  /** The release manifest's integrity, when a manifest was given and lists the package. */
  readonly expected: string | null;
  /** `null` when there is nothing to compare with. */
  readonly integrityMatch: boolean | null;
  /** Dist-tags pointing at this version. */
  readonly tags: readonly string[];
  readonly deprecated: string | null;
}

export interface StatusReport {
  readonly registry: string;
  readonly name: string;
  readonly version: string;
  /** The root version is on the registry. */
  readonly rootPublished: boolean;
  /** The release's platform pins (name → spec), from the registry, else from the manifest, else empty. */
  readonly pins: Readonly<Record<string, string>>;
  /** Root first, then the platform packages by name. */
  readonly packages: readonly PackageStatus[];
  /** Root and every pinned package published, no integrity mismatch, the staging tag gone. */
  readonly complete: boolean;
  /** Packages where the staging tag still points at this version. */
  readonly stagingTagLeft: readonly string[];
}

export interface StatusInput {
  /** The root package's name. */
  readonly name: string;
  readonly version: string;
  readonly client: Pick<RegistryClient, 'registry' | 'getPackument'>;
  /** Compare integrities with this release manifest, and list its packages when the root is not published. */
  readonly manifest?: ReleaseManifest;
  readonly stagingTag?: string;
  readonly concurrency?: number;
  /**
   * The release's platform package names (the manifest's, or the configured targets'). Default: the
   * manifest's platform packages when `manifest` is given, else the root's pins named `<root>-<abi>`.
   */
  readonly packages?: readonly string[];
}

/** The platform packages of the release among `pins`: those in `packages`, else those shaped like the root's. */
export function releasePins(
  rootName: string,
  pins: Readonly<Record<string, string>>,
  packages: readonly string[] | undefined,
): Record<string, string> {
  const wanted = packages === undefined ? null : new Set(packages);
  const out: Record<string, string> = {};
  for (const [pkg, spec] of Object.entries(pins)) {
    if (wanted === null ? isPlatformPackageName(rootName, pkg) : wanted.has(pkg)) out[pkg] = spec;
  }
  return out;
}

function statusOf(name: string, kind: PackageKind, version: string, packument: Packument | null, expected: string | null): PackageStatus {
  const published = packument?.versions[version];
  const integrity = published?.integrity ?? null;
  const tags = Object.entries(packument?.distTags ?? {})
    .filter(([, v]) => v === version)
    .map(([t]) => t)
    .sort();
  return {
    name,
    kind,
    version,
    published: published !== undefined,
    integrity,
    expected,
    integrityMatch: expected === null || published === undefined ? null : integrity === expected,
    tags,
    deprecated: published?.deprecated ?? null,
  };
}

export async function releaseStatus(input: StatusInput): Promise<StatusReport> {
  const { name, version, client } = input;
  const stagingTag = input.stagingTag ?? DEFAULT_STAGING_TAG;
  const expectedOf = (pkg: string): string | null => input.manifest?.packages.find((p) => p.name === pkg)?.integrity ?? null;
  const rootPackument = await client.getPackument(name, { full: true });
  const rootVersion = rootPackument?.versions[version];
  const releaseNames = input.packages ?? input.manifest?.packages.filter((p) => p.kind === 'platform').map((p) => p.name);
  let pins: Record<string, string> = {};
  if (rootVersion !== undefined) pins = releasePins(name, rootVersion.optionalDependencies, releaseNames);
  else if (input.manifest !== undefined) {
    for (const p of input.manifest.packages) if (p.kind === 'platform') pins[p.name] = p.version;
  }
  const names = Object.keys(pins).sort();
  const platforms = await mapPool(names, input.concurrency ?? DEFAULT_REGISTRY_CONCURRENCY, async (pkg) => {
    const pin = pins[pkg] ?? '';
    return statusOf(pkg, 'platform', pin, await client.getPackument(pkg, { full: true }), expectedOf(pkg));
  });
  const root = statusOf(name, 'root', version, rootPackument, expectedOf(name));
  const packages = [root, ...platforms];
  const stagingTagLeft = packages.filter((p) => p.tags.includes(stagingTag)).map((p) => p.name);
  const complete = root.published && packages.every((p) => p.published && p.integrityMatch !== false) && stagingTagLeft.length === 0;
  return { registry: displayUrl(client.registry), name, version, rootPublished: root.published, pins, packages, complete, stagingTagLeft };
}
