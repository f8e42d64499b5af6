/**
 * The publish plan: pure decisions from what the registry holds (the preflight) to the ordered
 * steps that make a release visible all at once. No I/O here; `run.ts` carries the steps out.
 *
 *   1 platform packages that are absent: publish under the staging tag (never the requested one);
 *   2 every platform package: read back until the registry shows it with our integrity;
 *   3 only then the requested tag onto every platform package;
 *   4 then the root, published straight under the requested tag (it never carries the staging tag),
 *     and read back likewise — so the root's tag moves LAST, and only after every platform package
 *     is verified; a root that was already there is tagged after its read-back instead;
 *   5 the staging tag removed wherever it points at this version: from the platform packages while
 *     step 4 runs (they are tagged by then), from the root only if an earlier run left it there.
 *
 * Any package whose version the registry holds with other bytes blocks the whole plan: nothing is
 * written. Because the plan is derived from the registry's state (not from a journal), re-running
 * it after a crash does exactly what is left to do.
 */
import semver from 'semver';
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';

export const DEFAULT_STAGING_TAG = 'napi-ship-staging';

export type PackageKind = 'root' | 'platform';

/** Where one package version stands on the registry against our tarball. */
export type PreflightState = 'absent' | 'same' | 'different';

export interface PreflightPackage {
  readonly name: string;
  readonly version: string;
  readonly kind: PackageKind;
  /** `platform-arch-abi` of a platform package, `null` for the root. */
  readonly target: string | null;
  /** Our tarball's `sha512-…` integrity. */
  readonly integrity: string;
  readonly state: PreflightState;
  /** The registry's integrity for this version (`null` when absent or not recorded). */
  readonly theirs: string | null;
  /** The package's dist-tags as the registry showed them (empty when the package is new). */
  readonly distTags: Readonly<Record<string, string>>;
}

export interface Preflight {
  readonly registry: string;
  readonly name: string;
  readonly version: string;
  readonly packages: readonly PreflightPackage[];
}

export type PublishStep =
  | { readonly kind: 'publish'; readonly package: string; readonly version: string; readonly role: PackageKind; readonly tag: string }
  | { readonly kind: 'verify'; readonly package: string; readonly version: string; readonly role: PackageKind; readonly integrity: string }
  | { readonly kind: 'tag'; readonly package: string; readonly version: string; readonly role: PackageKind; readonly tag: string }
  | { readonly kind: 'untag'; readonly package: string; readonly version: string; readonly role: PackageKind; readonly tag: string };

/**
 * The steps in phases: platformPublish, platformVerify, then — once every platform package is
 * verified — two chains side by side: each platform package's `platformTag` and then its `untag`
 * (one package's two writes in turn), and rootPublish, rootVerify, rootTag. The root's own `untag`,
 * if any, comes after everything else.
 */
export interface PublishPhases {
  readonly platformPublish: readonly PublishStep[];
  readonly platformVerify: readonly PublishStep[];
  /** Under the staging tag for a platform package; under the requested tag for the root. */
  readonly rootPublish: readonly PublishStep[];
  readonly rootVerify: readonly PublishStep[];
  readonly platformTag: readonly PublishStep[];
  /** Only for a root already on the registry without the requested tag (a published root carries it). */
  readonly rootTag: readonly PublishStep[];
  readonly untag: readonly PublishStep[];
}

export interface Conflict {
  readonly package: string;
  readonly version: string;
  readonly ours: string;
  readonly theirs: string | null;
}

export interface PublishPlan {
  readonly name: string;
  readonly version: string;
  readonly tag: string;
  readonly stagingTag: string;
  /** Non-empty: the registry holds other bytes under one of our versions; nothing may be written. */
  readonly conflicts: readonly Conflict[];
  readonly phases: PublishPhases;
  /** Every step in the order it starts (empty when there are conflicts). */
  readonly steps: readonly PublishStep[];
  /** Nothing to write: every package is published with our bytes, tagged, and the staging tag is gone. */
  readonly complete: boolean;
}

/** The dist-tag a version goes to when none is asked for: prereleases never take `latest`. */
export { distTagFor as defaultTag } from '../registry/dist-tag.js';

/** Why a dist-tag name cannot be used, or `null` when it can (npm refuses tags that are semver ranges). */
export function invalidTag(tag: string): string | null {
  if (tag.trim() === '' || tag !== tag.trim()) return 'a tag must be a non-empty word without surrounding spaces';
  if (/[\s/%]/.test(tag) || encodeURIComponent(tag) !== tag)
    return 'a tag may not contain spaces, slashes or characters that need URL encoding';
  if (semver.validRange(tag) !== null) return 'npm refuses a tag that is also a semver range (such as "1.2" or "v1")';
  return null;
}

function emptyPhases(): PublishPhases {
  return { platformPublish: [], platformVerify: [], rootPublish: [], rootVerify: [], platformTag: [], rootTag: [], untag: [] };
}

/** Conflicts as diagnostics naming the package and both hashes. */
export function conflictDiagnostics(conflicts: readonly Conflict[]): Diagnostic[] {
  return conflicts.map((c) =>
    diagnostic({
      code: 'NS_PUBLISH_CONFLICT',
      subject: `${c.package}@${c.version}`,
      message: `the registry already has ${c.package}@${c.version} with other bytes; nothing was published`,
      expected: `${c.ours} (our tarball)`,
      found: `${c.theirs ?? 'no recorded integrity'} (the registry)`,
      hint: 'a version can never be republished: bump the version (napi-ship version patch) and release again, or find out who published those bytes',
    }),
  );
}

function byName(a: PreflightPackage, b: PreflightPackage): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Decide every step of the publish from the preflight. Pure. */
export function planPublish(preflight: Preflight, options: { readonly tag: string; readonly stagingTag?: string }): PublishPlan {
  const stagingTag = options.stagingTag ?? DEFAULT_STAGING_TAG;
  const { name, version } = preflight;
  const conflicts: Conflict[] = preflight.packages
    .filter((p) => p.state === 'different')
    .map((p) => ({ package: p.name, version: p.version, ours: p.integrity, theirs: p.theirs }));
  if (conflicts.length > 0) {
    return { name, version, tag: options.tag, stagingTag, conflicts, phases: emptyPhases(), steps: [], complete: false };
  }
  const platforms = preflight.packages.filter((p) => p.kind === 'platform').sort(byName);
  const roots = preflight.packages.filter((p) => p.kind === 'root');
  // A platform package goes out under the staging tag; the root, which follows every platform
  // package's verification and tag, straight under the requested tag.
  const publish = (p: PreflightPackage): PublishStep[] =>
    p.state === 'absent'
      ? [{ kind: 'publish', package: p.name, version: p.version, role: p.kind, tag: p.kind === 'root' ? options.tag : stagingTag }]
      : [];
  const verify = (p: PreflightPackage): PublishStep => ({
    kind: 'verify',
    package: p.name,
    version: p.version,
    role: p.kind,
    integrity: p.integrity,
  });
  const tag = (p: PreflightPackage): PublishStep[] =>
    (p.state === 'same' && p.distTags[options.tag] === p.version) || (p.kind === 'root' && p.state === 'absent')
      ? []
      : [{ kind: 'tag', package: p.name, version: p.version, role: p.kind, tag: options.tag }];
  // A platform package we publish now gets the staging tag; one already there may still carry it
  // from a crashed run (so may a root published by an earlier version of this tool).
  const untag = (p: PreflightPackage): PublishStep[] =>
    (p.state === 'absent' && p.kind === 'platform') || p.distTags[stagingTag] === p.version
      ? [{ kind: 'untag', package: p.name, version: p.version, role: p.kind, tag: stagingTag }]
      : [];
  const phases: PublishPhases = {
    platformPublish: platforms.flatMap(publish),
    platformVerify: platforms.map(verify),
    rootPublish: roots.flatMap(publish),
    rootVerify: roots.map(verify),
    platformTag: platforms.flatMap(tag),
    rootTag: roots.flatMap(tag),
    untag: [...platforms, ...roots].flatMap(untag),
  };
  // In the order they start: the platform packages' staging tag goes while the root's steps run.
  const steps = [
    ...phases.platformPublish,
    ...phases.platformVerify,
    ...phases.platformTag,
    ...phases.untag.filter((s) => s.role === 'platform'),
    ...phases.rootPublish,
    ...phases.rootVerify,
    ...phases.rootTag,
    ...phases.untag.filter((s) => s.role === 'root'),
  ];
  const writes = steps.filter((s) => s.kind !== 'verify');
  return { name, version, tag: options.tag, stagingTag, conflicts, phases, steps, complete: writes.length === 0 };
}

/** One line per step, for `--dry-run` and logs. */
export function describeStep(step: PublishStep): string {
  switch (step.kind) {
    case 'publish':
      return `publish ${step.package}@${step.version} under "${step.tag}"`;
    case 'verify':
      return `read back ${step.package}@${step.version} until it shows our integrity`;
    case 'tag':
      return `point "${step.tag}" of ${step.package} at ${step.version}`;
    case 'untag':
      return `remove "${step.tag}" from ${step.package}${step.role === 'platform' ? " (after its tag, while the root's steps run)" : ''}`;
  }
}
