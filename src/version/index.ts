/**
 * `version`: move a release to a new version everywhere at once — the root package.json, every
 * platform package.json, the root's exact `optionalDependencies` pins, the version checks napi-rs 3
 * embeds in the loader (`bindingPackageVersion !== 'x.y.z'`), the crate's Cargo.toml (or the
 * workspace's `[workspace.package]` version it inherits) and the matching Cargo.lock entries.
 *
 * Safe by construction:
 * - only versions that belong to the release move: a Cargo version moves only when it equals the
 *   package version being bumped (then every member inheriting it moves with it); an independent
 *   crate version (napi-rs's template keeps the crate at 0.0.0/1.0.0) is left alone, with a note;
 *   no dependency of any kind is touched, whatever its version;
 * - a bump keyword starts from the higher of the local version and the registry's newest (stable
 *   versions for patch/minor/major; prereleases too for prerelease), so a stale checkout cannot
 *   pick a version below what is published;
 * - a version below the registry's `latest` is refused unless a dist-tag is given explicitly
 *   (`--tag`), and a version already published is refused.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import { diagnostic, DiagnosticError, errorMessage, type Diagnostic } from '../diagnostics/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { traceLoader } from '../plan/loader.js';
import { setBindingVersions } from '../targets/loader-version.js';
import { distTagFor } from '../registry/dist-tag.js';
import { readPackument, type Packument, type RegistryOptions } from '../registry/packument.js';
import { setTopLevelKey } from '../util/json-text.js';
import { writeAtomic } from '../util/fs.js';

const run = promisify(execFile);

export type Bump = 'patch' | 'minor' | 'major' | 'prerelease';

/** The next version: a bump keyword or an explicit `x.y.z[-pre]`. Throws `NS_VERSION_INVALID`. */
export function nextVersion(current: string, request: string, preid?: string): string {
  const bumps: readonly string[] = ['patch', 'minor', 'major', 'prerelease'];
  const next = bumps.includes(request)
    ? preid === undefined
      ? semver.inc(current, request as Bump)
      : semver.inc(current, request as Bump, preid)
    : semver.valid(request);
  if (next === null) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_VERSION_INVALID',
        subject: request,
        message: bumps.includes(request)
          ? `cannot bump "${current}" (not a semver version)`
          : `"${request}" is neither a bump (patch, minor, major, prerelease) nor a semver version`,
        hint: 'e.g. napi-ship version patch, or napi-ship version 1.4.0-beta.1',
      }),
    ]);
  }
  if (semver.lte(next, current) && semver.valid(current) !== null) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_VERSION_NOT_NEWER',
        subject: next,
        message: `${next} is not newer than the current ${current}`,
        expected: `> ${current}`,
        found: next,
        hint: 'versions only move forward',
      }),
    ]);
  }
  return next;
}

export { distTagFor } from '../registry/dist-tag.js';

/** Set `[package] version` (or `[workspace.package] version`) in Cargo.toml text. Pure. */
export function setCargoVersion(text: string, table: 'package' | 'workspace.package', version: string): string | null {
  const lines = text.split('\n');
  let inTable = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const header = /^\s*\[([^\]]+)\]\s*(#.*)?$/.exec(line);
    if (header) {
      inTable = header[1]?.trim() === table;
      continue;
    }
    if (inTable && /^\s*version\s*=\s*"[^"]*"/.test(line)) {
      lines[i] = line.replace(/"[^"]*"/, `"${version}"`);
      return lines.join('\n');
    }
  }
  return null;
}

/** Set the version of the named packages in Cargo.lock text (only their own entries). Pure. */
export function setLockVersions(text: string, names: ReadonlySet<string>, from: string, to: string): string {
  return text.replace(/\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"/g, (whole, name: string, version: string) =>
    names.has(name) && version === from ? `[[package]]\nname = "${name}"\nversion = "${to}"` : whole,
  );
}

interface CargoMetadata {
  readonly workspace_root: string;
  readonly workspace_members: readonly string[];
  readonly packages: readonly { readonly id: string; readonly name: string; readonly version: string; readonly manifest_path: string }[];
}

async function cargoMetadata(manifest: string): Promise<CargoMetadata | null> {
  try {
    const { stdout } = await run('cargo', ['metadata', '--no-deps', '--format-version', '1', '--offline', '--manifest-path', manifest], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout) as CargoMetadata;
  } catch {
    return null;
  }
}

export interface VersionChange {
  readonly file: string;
  readonly what: string;
}

export interface VersionResult {
  readonly from: string;
  /** The version the bump started from: `from`, or the registry's newest when that is higher. */
  readonly base: string;
  readonly to: string;
  /** The dist-tag it publishes under: the one given, else `latest` (`next` for a prerelease). */
  readonly distTag: string;
  readonly changes: readonly VersionChange[];
  /** Notes: what was left alone and why, where the bump started from. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface VersionOptions {
  readonly request: string;
  readonly preid?: string;
  /**
   * Where to check the new version is not taken: a registry client (the CLI's, resolved from npm's
   * config like every registry command), a bare registry URL, or `null` to skip the check.
   */
  readonly registry: RegistryOptions | { readonly getPackument: (name: string) => Promise<Packument | null> } | null;
  /** The dist-tag the version will be published under, given explicitly (allows a version below `latest`). */
  readonly tag?: string | undefined;
}

const BUMPS: readonly string[] = ['patch', 'minor', 'major', 'prerelease'];

/**
 * The version a bump keyword starts from: the higher of the local version and the newest published
 * one (stable versions only for patch/minor/major, so a published beta does not turn a patch into the
 * beta's release). Pure.
 */
export function bumpBase(local: string, request: string, published: readonly string[]): string {
  if (!BUMPS.includes(request) || semver.valid(local) === null) return local;
  const candidates = published.filter((v) => semver.valid(v) !== null && (request === 'prerelease' || semver.prerelease(v) === null));
  const newest = candidates.sort(semver.rcompare)[0];
  return newest !== undefined && semver.gt(newest, local) ? newest : local;
}

/** A dist-tag npm accepts: not empty, no whitespace or `/`, not a semver range (npm refuses those). Pure. */
export function validDistTag(tag: string): boolean {
  return tag !== '' && !/[\s/%]/.test(tag) && encodeURIComponent(tag) === tag && semver.validRange(tag) === null;
}

/** Compute, check and apply a version change to every file of the release. */
export async function setReleaseVersion(plan: ReleasePlan, options: VersionOptions): Promise<VersionResult> {
  const from = plan.root.version;
  const notes: Diagnostic[] = [];
  if (options.tag !== undefined && !validDistTag(options.tag)) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_VERSION_TAG',
        subject: options.tag,
        message: `"${options.tag}" is not a dist-tag npm accepts`,
        expected: 'a name such as latest, next, beta, v1-lts (not empty, not a semver range like 1 or v2)',
        found: options.tag,
        hint: 'pick another tag name: npm refuses tags that parse as a version range',
      }),
    ]);
  }
  let packument = null;
  if (options.registry !== null) {
    try {
      const reg = options.registry;
      packument = 'getPackument' in reg ? await reg.getPackument(plan.root.name) : await readPackument(plan.root.name, reg);
    } catch (error) {
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_VERSION_REGISTRY',
          subject: plan.root.name,
          message: `cannot ask the registry about ${plan.root.name}: ${errorMessage(error)}`,
          hint: 'check --registry and the network, or pass --no-registry-check to skip the check',
        }),
      ]);
    }
  }
  const base = bumpBase(from, options.request, Object.keys(packument?.versions ?? {}));
  if (base !== from) {
    notes.push(
      diagnostic({
        code: 'NS_VERSION_BASE',
        severity: 'note',
        subject: plan.root.name,
        message: `the registry already has ${plan.root.name}@${base}, newer than the local ${from}: the ${options.request} bump starts from ${base}`,
        hint: 'this checkout is behind the registry: pull the release commit if there is one',
      }),
    );
  }
  const to = nextVersion(base, options.request, options.preid);
  if (packument !== null) {
    if (packument.versions[to] !== undefined) {
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_VERSION_EXISTS',
          subject: `${plan.root.name}@${to}`,
          message: `${plan.root.name}@${to} is already on the registry; a version is published once`,
          expected: 'an unpublished version',
          found: to,
          hint: 'pick the next version',
        }),
      ]);
    }
    const latest = packument.distTags.latest;
    if (options.tag === undefined && latest !== undefined && semver.valid(latest) !== null && semver.lt(to, latest)) {
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_VERSION_BELOW_LATEST',
          subject: `${plan.root.name}@${to}`,
          message: `${to} is below ${plan.root.name}'s latest (${latest}): published under the default tag it would move latest backwards`,
          expected: `a version above ${latest}, or an explicit dist-tag`,
          found: to,
          hint: `for a backport, name its dist-tag: napi-ship version ${options.request} --tag v${String(semver.major(to))}-lts (and publish with the same --tag)`,
        }),
      ]);
    }
  }

  const changes: VersionChange[] = [];
  const rootText = await readFile(plan.root.packageJsonPath, 'utf8');
  let root = setTopLevelKey(rootText, 'version', to);
  const raw = plan.root.manifest.optionalDependencies;
  if (typeof raw === 'object' && raw !== null) {
    const deps: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
    let pinned = 0;
    for (const t of plan.targets) {
      const pin = deps[t.packageName];
      if (pin === undefined) continue;
      // `workspace:*` follows the workspace package's version by itself; `workspace:<from>` moves with it.
      if (typeof pin === 'string' && pin.startsWith('workspace:')) {
        if (pin !== `workspace:${from}`) continue;
        deps[t.packageName] = `workspace:${to}`;
      } else {
        deps[t.packageName] = to;
      }
      pinned++;
    }
    if (pinned > 0) {
      root = setTopLevelKey(root, 'optionalDependencies', deps);
      changes.push({ file: plan.root.packageJsonPath, what: `optionalDependencies: ${String(pinned)} pin(s) → ${to}` });
    }
  }
  changes.unshift({ file: plan.root.packageJsonPath, what: `version ${from} → ${to}` });

  const platformWrites: [string, string][] = [];
  for (const t of plan.targets) {
    const file = path.join(t.packageDir, 'package.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    platformWrites.push([file, setTopLevelKey(text, 'version', to)]);
    changes.push({ file, what: `version → ${to}` });
  }

  // The crate: its own [package] version, or the workspace's when it inherits it.
  const cargoWrites: [string, string][] = [];
  const crateManifest = path.join(plan.root.dir, 'Cargo.toml');
  const metadata = await cargoMetadata(crateManifest);
  if (metadata !== null) {
    const crate = metadata.packages.find((p) => path.resolve(p.manifest_path) === path.resolve(crateManifest));
    if (crate !== undefined) {
      const crateText = await readFile(crateManifest, 'utf8');
      const inherits = /^\s*version\.workspace\s*=\s*true/m.test(crateText);
      const cargoFile = inherits ? path.join(metadata.workspace_root, 'Cargo.toml') : crateManifest;
      const cargoText = inherits ? await readFile(cargoFile, 'utf8') : crateText;
      const belongs = crate.version === from;
      if (!belongs) {
        notes.push(
          diagnostic({
            code: 'NS_VERSION_CARGO_INDEPENDENT',
            severity: 'note',
            subject: cargoFile,
            message: `the crate ${crate.name} is at ${crate.version}${inherits ? ' (inherited from [workspace.package])' : ''}, not the package's ${from}: its version is its own and was left alone`,
            hint: `to move it with the release, set it to ${from} once; from then on napi-ship version moves both`,
          }),
        );
      }
      const edited = belongs ? setCargoVersion(cargoText, inherits ? 'workspace.package' : 'package', to) : cargoText;
      if (edited === null) {
        throw new DiagnosticError([
          diagnostic({
            code: 'NS_VERSION_CARGO',
            subject: cargoFile,
            message: 'no version line found to update',
            hint: 'give the crate a `version = "x.y.z"` in [package] (or [workspace.package])',
          }),
        ]);
      }
      if (belongs) cargoWrites.push([cargoFile, edited]);
      if (belongs)
        changes.push({ file: cargoFile, what: `${inherits ? '[workspace.package]' : '[package]'} version ${crate.version} → ${to}` });
      // Every workspace member whose version moves with it (inheriting members move together).
      const moved = new Set(
        inherits
          ? await Promise.all(
              metadata.packages
                .filter((p) => metadata.workspace_members.includes(p.id))
                .map(async (p) => (/^\s*version\.workspace\s*=\s*true/m.test(await readFile(p.manifest_path, 'utf8')) ? p.name : '')),
            ).then((names) => names.filter(Boolean))
          : [crate.name],
      );
      const lockFile = path.join(metadata.workspace_root, 'Cargo.lock');
      if (belongs)
        try {
          const lock = await readFile(lockFile, 'utf8');
          const updated = setLockVersions(lock, moved, crate.version, to);
          if (updated !== lock) {
            cargoWrites.push([lockFile, updated]);
            changes.push({ file: lockFile, what: `${[...moved].sort().join(', ')} ${crate.version} → ${to}` });
          }
        } catch {
          // No Cargo.lock: nothing to keep in step.
        }
    }
  }

  // The loader napi-rs 3 generated: its per-platform `bindingPackageVersion !== 'x.y.z'` checks.
  const loaderWrites: [string, string][] = [];
  const trace = await traceLoader(plan.root.dir, plan.root.manifest, plan.root.packageName);
  for (const loader of trace.loaders) {
    const updated = setBindingVersions(loader.text, to);
    if (updated.changed === 0) continue;
    const file = path.join(plan.root.dir, loader.file);
    loaderWrites.push([file, updated.text]);
    changes.push({ file, what: `${String(updated.changed)} binding version check(s) → ${to}` });
  }

  // Everything computed: write it all (each file atomically).
  await writeAtomic(plan.root.packageJsonPath, root);
  for (const [file, text] of [...platformWrites, ...loaderWrites, ...cargoWrites]) await writeAtomic(file, text);
  return { from, base, to, distTag: options.tag ?? distTagFor(to), changes, diagnostics: notes };
}
