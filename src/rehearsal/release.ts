/**
 * The release a rehearsal publishes.
 *
 * When every target the root pins was built, that is the dry run's own release dir. Otherwise it is
 * a REHEARSAL release: a copy of the root whose `optionalDependencies` pin only the targets built
 * here, packed with the same pack code (`packRelease`, same SOURCE_DATE_EPOCH, so the platform
 * tarballs come out byte-identical to the dry run's) and signed with a throwaway key. A missing
 * platform is never faked: the publish refuses a root that pins a package the release does not
 * have, and the report says which targets a real publish still needs.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdir, readFile, rm, writeFile, cp } from 'node:fs/promises';
import path from 'node:path';
import { diagnostic, DiagnosticError } from '../diagnostics/index.js';
import type { ReleaseManifest } from '../manifest/index.js';
import { readManifest } from '../manifest/read.js';
import { packRelease, selectFiles } from '../pack/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { generateKeyPair, signManifest } from '../sign/index.js';
import { isRecord } from '../util/json.js';
import type { RehearsalRelease } from './types.js';

export interface PreparedRelease extends RehearsalRelease {
  readonly manifest: ReleaseManifest;
  /** The dry run's own release manifest (the root pinning every target). */
  readonly realManifest: ReleaseManifest;
}

function fail(message: string, hint: string, subject?: string): DiagnosticError {
  return new DiagnosticError([diagnostic({ code: 'NS_REHEARSAL_RELEASE', message, hint, ...(subject === undefined ? {} : { subject }) })]);
}

/** The one manifest reader (src/manifest/read.ts), its problems as `NS_REHEARSAL_RELEASE`. */
const REHEARSAL_MANIFEST = { code: 'NS_REHEARSAL_RELEASE', hint: 'run the dry run again' } as const;

/** The label the report prints for a rehearsal root. Pure. */
export function rehearsalLabel(pinned: readonly string[], missing: readonly string[]): string {
  const total = pinned.length + missing.length;
  if (missing.length === 0) return `the release itself: its root pins all ${String(total)} target(s), every one built`;
  return `rehearsal root pins only the ${String(pinned.length)} built target(s) (${pinned.join(', ') || 'none'}); a real publish needs all ${String(total)} — blocked by: ${missing.join(', ')}`;
}

/** `optionalDependencies` limited to `keep`, in the original order. Pure. */
export function limitPins(pins: Readonly<Record<string, unknown>>, keep: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(pins).filter(([name]) => keep.has(name)));
}

/**
 * Decide and, when needed, write the rehearsal release under `dir` (`<dir>/root`, `<dir>/packages`);
 * `dir` is emptied first (it also holds the rehearsal's publish journal). `releaseDir` is what pack
 * wrote from `plan` (its staged root and platform package dirs): throws `NS_REHEARSAL_RELEASE`
 * when it holds no release manifest.
 */
export async function prepareRehearsalRelease(plan: ReleasePlan, releaseDir: string, dir: string): Promise<PreparedRelease> {
  const realManifest = await readManifest(releaseDir, REHEARSAL_MANIFEST);
  const rootPackageJson: unknown = JSON.parse(await readFile(plan.root.packageJsonPath, 'utf8'));
  if (!isRecord(rootPackageJson))
    throw fail(`${plan.root.packageJsonPath} is not a JSON object`, 'fix the root package.json', plan.root.packageJsonPath);
  const pins = isRecord(rootPackageJson.optionalDependencies) ? rootPackageJson.optionalDependencies : {};
  const built = new Set(realManifest.packages.filter((p) => p.kind === 'platform').map((p) => p.name));
  const targetOf = (name: string): string => plan.targets.find((t) => t.packageName === name)?.spec.platformArchABI ?? name;
  const pinnedNames = Object.keys(pins).filter((n) => built.has(n));
  const pinned = pinnedNames.map(targetOf).sort();
  const missing = Object.keys(pins)
    .filter((n) => !built.has(n))
    .map(targetOf)
    .sort();
  const label = rehearsalLabel(pinned, missing);

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  if (missing.length === 0) {
    return {
      dir: releaseDir,
      kind: 'release',
      pinned,
      missing,
      label,
      platformTarballsIdentical: true,
      manifest: realManifest,
      realManifest,
    };
  }

  // A copy of the (staged) root: the files it would publish, its package.json with fewer pins.
  const rootCopy = path.join(dir, 'root');
  const rehearsalDir = path.join(dir, 'packages');
  await mkdir(rootCopy, { recursive: true });
  const selection = await selectFiles(plan.root.dir);
  for (const f of selection.files) {
    if (f.path === 'package.json') continue;
    const to = path.join(rootCopy, ...f.path.split('/'));
    await mkdir(path.dirname(to), { recursive: true });
    await cp(path.join(plan.root.dir, ...f.path.split('/')), to, { dereference: false, preserveTimestamps: true });
  }
  const limited = { ...rootPackageJson, optionalDependencies: limitPins(pins, new Set(pinnedNames)) };
  await writeFile(path.join(rootCopy, 'package.json'), `${JSON.stringify(limited, null, 2)}\n`);

  const platforms = plan.targets.filter((t) => built.has(t.packageName));
  const packed = await packRelease({
    outDir: rehearsalDir,
    sourceDateEpoch: realManifest.source.sourceDateEpoch,
    binaries: realManifest.binaries,
    packages: [
      { dir: rootCopy, kind: 'root', target: null },
      // The dry run's own platform tarballs (same dirs, same SOURCE_DATE_EPOCH): linked, never packed again.
      ...platforms.map((t) => {
        const made = realManifest.packages.find((r) => r.name === t.packageName);
        return {
          dir: t.packageDir,
          kind: 'platform' as const,
          target: t.spec.platformArchABI,
          triple: t.spec.triple,
          ...(made === undefined ? {} : { prebuilt: path.join(releaseDir, made.tarball) }),
        };
      }),
    ],
  });
  const keys = generateKeyPair();
  await signManifest(rehearsalDir, createPrivateKey(keys.privateKeyPem), { publicKeyPem: keys.publicKeyPem });
  const identical = packed.packages
    .filter((p) => p.kind === 'platform')
    .every((p) => realManifest.packages.some((r) => r.name === p.name && r.integrity === p.integrity));
  return {
    dir: rehearsalDir,
    kind: 'rehearsal',
    pinned,
    missing,
    label,
    platformTarballsIdentical: identical,
    manifest: await readManifest(rehearsalDir, REHEARSAL_MANIFEST),
    realManifest,
  };
}
