/**
 * Reading the release dir `pack` wrote, and refusing anything that must not be published:
 *
 *   - the manifest signature, when a public key is given (or `release-manifest.pub` is in the dir);
 *   - every tarball's bytes against the manifest's integrity and sha1 (always);
 *   - each tarball's own package.json against its manifest entry;
 *   - completeness: every `optionalDependencies` pin of the root has its platform package in the
 *     dir at exactly that version, and every platform package is pinned ("every platform or none").
 *
 * `checkReleaseContents` is the pure part; `loadRelease` reads the files.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { diagnostic, DiagnosticError, errorMessage, hasErrors, type Code, type Diagnostic } from '../diagnostics/index.js';
import { MANIFEST_FILE, type ManifestPackage, type ReleaseManifest } from '../manifest/index.js';
import { manifestFromText } from '../manifest/read.js';
import { tarballDigestsOffThread } from '../registry/publish-body.js';
import { keyId, parsePublicKey, PUBLIC_KEY_FILE, unsafePath, verifyRelease } from '../sign/index.js';
import { isPlatformPackageName } from '../targets/table.js';
import { isRecord } from '../util/json.js';
import { LIMITS, readRegularFile, readRegularFileIfPresent } from '../util/fs.js';
import { checkTarball, TARBALL_CHECKS_AT_ONCE } from '../util/tarball.js';
import { mapPool } from '../util/pool.js';

interface LoadedEntry {
  readonly found: readonly Diagnostic[];
  readonly pkg: ReleasePackage | null;
}

export interface ReleasePackage {
  readonly entry: ManifestPackage;
  /**
   * The tarball's bytes, checked against `entry.integrity` and `entry.sha1` (so those are its
   * digests: nothing needs to hash it again).
   */
  readonly tarball: Uint8Array;
  /** `package/package.json` of the tarball. */
  readonly packageJson: Readonly<Record<string, unknown>>;
}

export interface SignatureCheck {
  /** Where the trusted public key came from. */
  readonly key: 'given' | 'release-dir';
  readonly keyId: string;
}

export interface LoadedRelease {
  readonly dir: string;
  readonly manifest: ReleaseManifest;
  /** sha256 (hex) of release-manifest.json's bytes. */
  readonly manifestSha256: string;
  readonly root: ReleasePackage;
  readonly platforms: readonly ReleasePackage[];
  /** `null` when no public key was given and none is in the dir (the signature was not checked). */
  readonly signature: SignatureCheck | null;
}

export type LoadReleaseResult =
  | { readonly ok: true; readonly release: LoadedRelease; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

function refused(
  code: Code,
  subject: string,
  message: string,
  hint: string,
  extra: { expected?: string; found?: string } = {},
): Diagnostic {
  return diagnostic({ code, subject, message, hint, ...extra });
}

/** The manifest, typed (the one manifest reader, src/manifest/read.ts); anything malformed is a `NS_PUBLISH_MANIFEST` diagnostic. */
export function parseManifestText(text: string, subject: string): { manifest: ReleaseManifest | null; diagnostics: Diagnostic[] } {
  return manifestFromText(text, subject, { code: 'NS_PUBLISH_MANIFEST', hint: 'publish the directory `napi-ship pack` wrote, unchanged' });
}

function pinsOf(packageJson: Readonly<Record<string, unknown>>): Map<string, string> {
  const out = new Map<string, string>();
  const raw = packageJson.optionalDependencies;
  if (isRecord(raw)) for (const [name, spec] of Object.entries(raw)) out.set(name, typeof spec === 'string' ? spec : JSON.stringify(spec));
  return out;
}

/**
 * The pure checks over a release's packages: one root, each tarball's package.json agreeing with
 * its entry, and the root's pins matching the platform packages exactly. Empty means publishable.
 */
export function checkReleaseContents(
  manifest: Pick<ReleaseManifest, 'name' | 'version'>,
  packages: readonly Pick<ReleasePackage, 'entry' | 'packageJson'>[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const roots = packages.filter((p) => p.entry.kind === 'root');
  if (roots.length !== 1) {
    out.push(
      refused(
        'NS_PUBLISH_MANIFEST',
        MANIFEST_FILE,
        `the release must have exactly one root package, it has ${String(roots.length)}`,
        'pack the release with `napi-ship pack` from the root package',
      ),
    );
  }
  const seen = new Set<string>();
  for (const p of packages) {
    const { entry, packageJson } = p;
    if (seen.has(entry.name))
      out.push(refused('NS_PUBLISH_MANIFEST', entry.name, `the manifest lists ${entry.name} twice`, 'pack the release again'));
    seen.add(entry.name);
    if (packageJson.name !== entry.name || packageJson.version !== entry.version) {
      out.push(
        refused(
          'NS_PUBLISH_MANIFEST',
          entry.tarball,
          "the tarball's package.json does not name the package the manifest says it is",
          'pack the release again; do not rename tarballs',
          { expected: `${entry.name}@${entry.version}`, found: `${String(packageJson.name)}@${String(packageJson.version)}` },
        ),
      );
    }
  }
  const root = roots[0];
  if (root === undefined) return out;
  if (root.entry.name !== manifest.name || root.entry.version !== manifest.version) {
    out.push(
      refused('NS_PUBLISH_MANIFEST', root.entry.name, 'the root package is not the release the manifest names', 'pack the release again', {
        expected: `${manifest.name}@${manifest.version}`,
        found: `${root.entry.name}@${root.entry.version}`,
      }),
    );
  }
  const platforms = new Map(packages.filter((p) => p.entry.kind === 'platform').map((p) => [p.entry.name, p.entry]));
  // The root's pins of platform packages: those in the release, and those named like one
  // (`<root or napi.packageName>-<abi>`). Any other optional dependency (e.g. `fsevents`) is the
  // root's own business, kept as stage wrote it, and not a package of the release — as in stage,
  // verify and pack.
  const napi = root.packageJson.napi;
  const bases = [root.entry.name, ...(isRecord(napi) && typeof napi.packageName === 'string' ? [napi.packageName] : [])];
  const pins = new Map(
    [...pinsOf(root.packageJson)].filter(([name]) => platforms.has(name) || bases.some((b) => isPlatformPackageName(b, name))),
  );
  const missing: string[] = [];
  for (const [name, spec] of pins) {
    const platform = platforms.get(name);
    if (platform === undefined) {
      missing.push(`${name}@${spec}`);
    } else if (spec !== platform.version) {
      out.push(
        refused(
          'NS_PUBLISH_PIN_MISMATCH',
          name,
          `the root pins ${name} at "${spec}" but the release has ${platform.version}`,
          'the root must pin each platform package at its exact version: run `napi-ship stage` and `pack` again',
          { expected: platform.version, found: spec },
        ),
      );
    }
  }
  if (missing.length > 0) {
    out.push(
      refused(
        'NS_PUBLISH_INCOMPLETE',
        root.entry.name,
        `the root pins ${String(missing.length)} platform package(s) that are not in the release dir: ${missing.join(', ')}; a release ships every platform or none`,
        "build and download every target's binary, then stage, verify and pack again (there is no override: a root whose pins cannot install is never published)",
        { expected: `${String(pins.size)} platform packages`, found: `${String(pins.size - missing.length)} of them` },
      ),
    );
  }
  for (const name of platforms.keys()) {
    if (!pins.has(name)) {
      out.push(
        refused(
          'NS_PUBLISH_UNPINNED',
          name,
          `${name} is in the release but the root does not pin it in optionalDependencies`,
          "run `napi-ship stage` to write the root's pins, then pack again",
        ),
      );
    }
  }
  return out;
}

export interface LoadReleaseOptions {
  /** SPKI PEM of the key the release must be signed with. */
  readonly publicKeyPem?: string;
}

/** Read and check a release dir; never throws for a bad release (the diagnostics say why). */
export async function loadRelease(dir: string, options: LoadReleaseOptions = {}): Promise<LoadReleaseResult> {
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readRegularFile(manifestPath, { maxBytes: LIMITS.manifest, within: dir, what: MANIFEST_FILE });
  } catch (error) {
    return {
      ok: false,
      diagnostics: [
        refused(
          'NS_PUBLISH_NO_RELEASE',
          manifestPath,
          `cannot read the release manifest: ${errorMessage(error)}`,
          'run `napi-ship pack` (or `release --dry-run`) first, or pass the release dir with --release-dir DIR',
        ),
      ],
    };
  }
  const diagnostics: Diagnostic[] = [];
  let signature: SignatureCheck | null = null;
  let pem = options.publicKeyPem;
  let source: SignatureCheck['key'] = 'given';
  if (pem === undefined) {
    try {
      const bytes = await readRegularFileIfPresent(path.join(dir, PUBLIC_KEY_FILE), {
        maxBytes: LIMITS.key,
        within: dir,
        what: PUBLIC_KEY_FILE,
      });
      pem = bytes === null ? undefined : bytes.toString('utf8');
      source = 'release-dir';
    } catch (error) {
      return {
        ok: false,
        diagnostics:
          error instanceof DiagnosticError
            ? error.diagnostics
            : [refused('NS_FS_IO', PUBLIC_KEY_FILE, errorMessage(error), 'check the release dir')],
      };
    }
  }
  if (pem !== undefined) {
    const checked = await verifyRelease(dir, pem);
    for (const d of checked) diagnostics.push(d);
    // A release that fails its signature or digests is not read any further.
    if (hasErrors(checked)) return { ok: false, diagnostics };
    signature = { key: source, keyId: keyId(parsePublicKey(pem, 'public key')) };
  }
  const parsed = parseManifestText(manifestBytes.toString('utf8'), manifestPath);
  diagnostics.push(...parsed.diagnostics);
  const manifest = parsed.manifest;
  if (manifest === null || hasErrors(diagnostics)) return { ok: false, diagnostics };

  // Each tarball on its own (read, its bytes checked against the manifest, only then inflated),
  // a few at a time so the inflating of one overlaps the reading and hashing of another; the
  // findings are reported in manifest order.
  const loadedPackages = await mapPool(manifest.packages, TARBALL_CHECKS_AT_ONCE, async (entry): Promise<LoadedEntry> => {
    const found: Diagnostic[] = [];
    const problem = unsafePath(entry.tarball);
    if (problem !== null || path.basename(entry.tarball) !== entry.tarball) {
      found.push(
        refused(
          'NS_PUBLISH_MANIFEST',
          entry.tarball,
          `the manifest names a tarball that is not a plain file name in the release dir (${problem ?? 'a path with directories'})`,
          'do not trust this manifest',
        ),
      );
      return { found, pkg: null };
    }
    let bytes: Buffer;
    try {
      bytes = await readRegularFile(path.join(dir, entry.tarball), {
        maxBytes: Math.min(LIMITS.tarball, entry.size),
        within: dir,
        what: entry.tarball,
      });
    } catch (error) {
      if (error instanceof DiagnosticError && error.diagnostics[0]?.code !== 'NS_FS_NOT_FOUND') {
        found.push(...error.diagnostics);
        return { found, pkg: null };
      }
      found.push(
        refused(
          'NS_PUBLISH_TARBALL_MISSING',
          entry.tarball,
          `cannot read the tarball of ${entry.name}: ${errorMessage(error)}`,
          'the release dir must hold every tarball the manifest lists',
        ),
      );
      return { found, pkg: null };
    }
    const d = await tarballDigestsOffThread(bytes);
    if (d.integrity !== entry.integrity || d.shasum !== entry.sha1 || bytes.length !== entry.size) {
      found.push(
        refused(
          'NS_PUBLISH_TARBALL_MISMATCH',
          entry.tarball,
          `the tarball of ${entry.name}@${entry.version} is not the one the manifest records; nothing was published`,
          'do not publish it: pack the release again (or download it again)',
          { expected: `${entry.integrity} (${String(entry.size)} bytes)`, found: `${d.integrity} (${String(bytes.length)} bytes)` },
        ),
      );
      return { found, pkg: null };
    }
    // Inflated only now: its bytes are the ones the (verified) manifest records.
    const checked = await checkTarball(bytes, entry.tarball, { name: entry.name, version: entry.version });
    if (checked.packageJson === null || checked.diagnostics.length > 0) {
      found.push(...checked.diagnostics);
      return { found, pkg: null };
    }
    return { found, pkg: { entry, tarball: bytes, packageJson: checked.packageJson } };
  });
  const packages: ReleasePackage[] = [];
  for (const { found, pkg } of loadedPackages) {
    diagnostics.push(...found);
    if (pkg !== null) packages.push(pkg);
  }
  if (hasErrors(diagnostics)) return { ok: false, diagnostics };
  diagnostics.push(...checkReleaseContents(manifest, packages));
  const root = packages.find((p) => p.entry.kind === 'root');
  if (root === undefined || hasErrors(diagnostics)) return { ok: false, diagnostics };
  return {
    ok: true,
    diagnostics,
    release: {
      dir,
      manifest,
      manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
      root,
      platforms: packages.filter((p) => p.entry.kind === 'platform'),
      signature,
    },
  };
}
