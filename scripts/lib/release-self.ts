/**
 * napi-ship releasing itself with itself: `@napi-ship/core` (crates/napi-ship-node) and its platform
 * packages, then the `napi-ship` package (the repo root), through napi-ship's own pipeline.
 *
 *   core:      staging copy → stage → verify → pack → SBOM + policy → sign → verify-manifest
 *   napi-ship: staging copy (workspace: specifiers → the core's version, as pnpm pack writes them)
 *              → check the packed package.json → pack → SBOM + policy → sign → verify-manifest
 *   publish:   the core's release (platform packages, then its root), then napi-ship's (a root
 *              with no platform packages) — each atomic, napi-ship last, so the registry never
 *              serves a napi-ship whose core is not there.
 *
 * Nothing in the working tree is written: both packages are staged in copies under `outDir`.
 * Without a registry it stops before publishing (the default of `pnpm release:self`).
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileDigests } from '../../src/core/index.js';
import { errorMessage, formatDiagnostic, hasErrors, type Diagnostic } from '../../src/diagnostics/index.js';
import type { ManifestBinary, ManifestPackage } from '../../src/manifest/index.js';
import { packStage, selectFiles } from '../../src/pack/index.js';
import { loadPlan, type ReleasePlan } from '../../src/plan/index.js';
import { evaluatePolicy, readPolicyConfig, renderPolicyMarkdown } from '../../src/policy/index.js';
import { publishRelease, type PublishResult } from '../../src/publish/index.js';
import { RegistryClient, readTarballManifest, resolveAuth } from '../../src/registry/index.js';
import { runSbomAndPolicy, POLICY_REPORT_FILE } from '../../src/release/sbom-policy.js';
import { stagingCopy } from '../../src/release/staging.js';
import {
  addManifestFiles,
  correctionsFromPolicy,
  generateSboms,
  readProjectInventories,
  readReleaseManifest,
} from '../../src/sbom/index.js';
import { generateKeyPair, loadPrivateKey, signManifest, verifyRelease as verifySigned } from '../../src/sign/index.js';
import { stagePackages } from '../../src/stage/index.js';
import { linkOrCopy } from '../../src/util/fs.js';
import { isRecord } from '../../src/util/json.js';
import { verifyRelease } from '../../src/verify/index.js';
import { resolvePolicy } from '../../src/verify/policy.js';

export interface ReleaseSelfOptions {
  /** The napi-ship repository (package.json of `napi-ship`, crates/napi-ship-node, npm/). */
  readonly repoDir: string;
  /** Staging copies and release dirs go here (default `<repo>/dist/release-self`). */
  readonly outDir?: string;
  /** Publish to this registry; `null` stops after signing (a dry run: nothing is sent anywhere). */
  readonly registry: string | null;
  /** Sign both manifests with this Ed25519 private key (PEM file); default a throwaway key (refused for a registry off loopback). */
  readonly keyFile?: string;
  /**
   * Release only the core targets whose binary is built here (a root that pins just those). For a
   * test registry: refused for a registry off loopback, where a release ships every target or none.
   */
  readonly partial?: boolean;
  /** The dist-tag (default `latest`). */
  readonly tag?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

export interface SelfRelease {
  readonly name: string;
  readonly version: string;
  readonly releaseDir: string;
  readonly packages: readonly ManifestPackage[];
}

export interface ReleaseSelfResult {
  readonly ok: boolean;
  readonly core: SelfRelease | null;
  /** The core targets released (platform-arch-abi), and those left out (`partial`). */
  readonly targets: { readonly released: readonly string[]; readonly left: readonly string[] };
  readonly napiShip: SelfRelease | null;
  /** The `napi-ship` package.json as packed. */
  readonly packedManifest: Readonly<Record<string, unknown>> | null;
  /** One per release, in publish order; empty when nothing was published. */
  readonly published: readonly PublishResult[];
  readonly diagnostics: readonly Diagnostic[];
  /** Problems outside the stages' diagnostics (this script's own checks), one sentence each. */
  readonly problems: readonly string[];
}

/** Dependency fields a packed package.json must not leave as `workspace:`/`catalog:`/`link:`/`file:`. */
export const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies'] as const;

/**
 * The specifier pnpm publishes for a `workspace:` one, given the workspace package's version:
 * `workspace:*` → `1.2.3`, `workspace:^` → `^1.2.3`, `workspace:~` → `~1.2.3`, `workspace:<range>` →
 * `<range>`; `null` for a spec that is not `workspace:`. Pure.
 */
export function publishedWorkspaceSpec(spec: string, version: string): string | null {
  if (!spec.startsWith('workspace:')) return null;
  const rest = spec.slice('workspace:'.length);
  if (rest === '*' || rest === '') return version;
  if (rest === '^' || rest === '~') return `${rest}${version}`;
  return rest;
}

/**
 * The package.json napi-ship publishes: every `workspace:` dependency on a workspace package
 * replaced by what pnpm would publish. Throws for a `workspace:` on a package the workspace does
 * not have. Pure.
 */
export function publishedManifest(
  manifest: Readonly<Record<string, unknown>>,
  workspace: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...manifest };
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest[field];
    if (!isRecord(deps)) continue;
    out[field] = Object.fromEntries(
      Object.entries(deps).map(([name, spec]) => {
        if (typeof spec !== 'string' || !spec.startsWith('workspace:')) return [name, spec];
        const version = workspace.get(name);
        if (version === undefined) throw new Error(`${field}.${name} is "${spec}" but the workspace has no package ${name}`);
        return [name, publishedWorkspaceSpec(spec, version)];
      }),
    );
  }
  return out;
}

/** What must not be in a published package.json: workspace-only specifiers, and the core pinned at anything but its version. Pure. */
export function packedManifestProblems(manifest: Readonly<Record<string, unknown>>, coreName: string, coreVersion: string): string[] {
  const problems: string[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest[field];
    if (!isRecord(deps)) continue;
    for (const [name, spec] of Object.entries(deps)) {
      if (typeof spec === 'string' && /^(workspace|catalog|link|file):/.test(spec)) {
        problems.push(`the packed package.json has ${field}.${name} "${spec}", which no registry install can resolve`);
      }
    }
  }
  const deps = isRecord(manifest.dependencies) ? manifest.dependencies : {};
  if (deps[coreName] !== coreVersion) {
    problems.push(
      `the packed package.json depends on ${coreName} "${String(deps[coreName])}", not the core released with it (${coreVersion})`,
    );
  }
  return problems;
}

/** A registry URL on loopback (a test registry). Pure. */
export function isLoopbackRegistry(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}

async function signAndCheck(releaseDir: string, key: KeyObject, publicKeyPem: string): Promise<Diagnostic[]> {
  await signManifest(releaseDir, key, { publicKeyPem });
  return verifySigned(releaseDir, publicKeyPem);
}

/** The core: the same stages as `release --dry-run` runs, on a staging copy (narrowed to the built targets with `partial`). */
async function releaseCore(
  coreDir: string,
  outDir: string,
  partial: boolean,
  log: (line: string) => void,
): Promise<{ plan: ReleasePlan; releaseDir: string; left: string[]; diagnostics: Diagnostic[]; packages: ManifestPackage[] }> {
  const source = await loadPlan(coreDir);
  const stagingDir = path.join(outDir, 'core', 'staging');
  const releaseDir = path.join(outDir, 'core', 'packages');
  const builtHere = new Set(source.targets.filter((t) => existsSync(path.join(coreDir, t.binaryFile))).map((t) => t.spec.triple));
  const left = source.targets.filter((t) => !builtHere.has(t.spec.triple)).map((t) => t.spec.platformArchABI);
  if (!partial && left.length > 0) return { plan: source, releaseDir, left, diagnostics: [], packages: [] };
  log(`@napi-ship/core ${source.root.version}: copying to ${stagingDir}`);
  let plan = await stagingCopy(source, stagingDir);
  const built = plan.targets.filter((t) => builtHere.has(t.spec.triple));
  if (partial && left.length > 0) {
    const file = plan.root.packageJsonPath;
    const pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    const napi = isRecord(pkg.napi) ? pkg.napi : {};
    pkg.napi = { ...napi, targets: built.map((t) => t.spec.triple) };
    await writeFile(file, JSON.stringify(pkg, null, 2) + '\n');
    // The left-out platform package dirs go from the copy (hard links: the repo's files stay).
    for (const t of plan.targets) if (!built.includes(t)) await rm(t.packageDir, { recursive: true, force: true });
    plan = await loadPlan(stagingDir);
    log(`partial release: ${String(built.length)} of ${String(source.targets.length)} targets (left out: ${left.join(', ')})`);
  }
  log(`stage: ${String(plan.targets.length)} platform packages`);
  const staged = await stagePackages(plan);
  log('verify: every target against its binary');
  const verified = await verifyRelease(plan, resolvePolicy(plan.root.manifest, plan.root.config.verify, {}));
  const diagnostics = [...staged.diagnostics, ...verified.diagnostics];
  if (hasErrors(diagnostics)) return { plan, releaseDir, left, diagnostics, packages: [] };
  log('pack: reproducible tarballs and the release manifest');
  await rm(releaseDir, { recursive: true, force: true });
  const binaries: ManifestBinary[] = verified.result.targets.flatMap((v) =>
    v.binaryPath !== null && v.facts !== null && v.digests !== null
      ? [
          {
            target: v.platformArchABI,
            triple: v.triple,
            package: v.packageName,
            file: path.basename(v.binaryPath),
            size: v.digests.size,
            sha256: v.digests.sha256,
            integrity: v.digests.integrity,
            facts: v.facts,
          },
        ]
      : [],
  );
  const packed = await packStage({
    outDir: releaseDir,
    binaries,
    packages: [
      { dir: plan.root.dir, kind: 'root', target: null },
      ...plan.targets.map((t) => ({ dir: t.packageDir, kind: 'platform' as const, target: t.spec.platformArchABI, triple: t.spec.triple })),
    ],
  });
  diagnostics.push(...packed.diagnostics);
  if (!packed.ok || packed.result === null) return { plan, releaseDir, left, diagnostics, packages: [] };
  log('sbom + policy: SPDX documents of the Rust crates, the npm packages and the release');
  const { sbom, policy } = await runSbomAndPolicy(plan, { rootDir: coreDir, releaseDir, verified, staged });
  diagnostics.push(...sbom.diagnostics, ...(policy === null ? [] : policy.diagnostics));
  return { plan, releaseDir, left, diagnostics, packages: [...packed.result.packages] };
}

/** napi-ship's own package: a copy of what it publishes, its `workspace:` specifiers resolved. */
async function stageNapiShip(repoDir: string, dir: string, workspace: ReadonlyMap<string, string>): Promise<Record<string, unknown>> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const selection = await selectFiles(repoDir);
  for (const { path: rel } of selection.files) {
    if (rel === 'package.json') continue;
    const from = path.join(repoDir, rel);
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    if ((await lstat(from)).isSymbolicLink()) await symlink(await readlink(from), path.join(dir, rel));
    else await linkOrCopy(from, path.join(dir, rel));
  }
  const manifest: unknown = JSON.parse(await readFile(path.join(repoDir, 'package.json'), 'utf8'));
  if (!isRecord(manifest)) throw new Error(`${path.join(repoDir, 'package.json')} is not a JSON object`);
  const published = publishedManifest(manifest, workspace);
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(published, null, 2) + '\n');
  return published;
}

export async function releaseSelf(options: ReleaseSelfOptions): Promise<ReleaseSelfResult> {
  const log = options.log ?? ((): void => undefined);
  const repoDir = path.resolve(options.repoDir);
  const outDir = path.resolve(options.outDir ?? path.join(repoDir, 'dist', 'release-self'));
  const coreDir = path.join(repoDir, 'crates', 'napi-ship-node');
  const env = options.env ?? process.env;
  const registry = options.registry;
  const problems: string[] = [];
  const empty = { released: [], left: [] };
  const fail = (more: Partial<ReleaseSelfResult>): ReleaseSelfResult => ({
    ok: false,
    core: null,
    targets: empty,
    napiShip: null,
    packedManifest: null,
    published: [],
    diagnostics: [],
    problems,
    ...more,
  });
  if (registry !== null && !isLoopbackRegistry(registry)) {
    if (options.partial === true)
      problems.push(`--partial publishes a core without every target: only to a test registry on loopback, not ${registry}`);
    if (options.keyFile === undefined)
      problems.push(`publishing to ${registry} needs the release signing key: --key FILE (a throwaway key is for rehearsals)`);
    if (problems.length > 0) return fail({});
  }

  let key: KeyObject;
  let publicKeyPem: string;
  if (options.keyFile === undefined) {
    const pair = generateKeyPair();
    key = createPrivateKey(pair.privateKeyPem);
    publicKeyPem = pair.publicKeyPem;
    log('signing with a throwaway key (pass --key FILE to sign with the release key)');
  } else {
    key = await loadPrivateKey({ file: path.resolve(options.keyFile) });
    const { createPublicKey } = await import('node:crypto');
    publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  }

  // 1. The core and its platform packages.
  const core = await releaseCore(coreDir, outDir, options.partial === true, log);
  const released = core.plan.targets.map((t) => t.spec.platformArchABI);
  const targets = { released, left: core.left };
  const diagnostics = [...core.diagnostics];
  if (core.left.length > 0 && options.partial !== true) {
    problems.push(
      `the core has no binary for ${core.left.join(', ')} in ${coreDir}: a release ships every target (download them from CI: napi artifacts), or pass --partial for a test registry`,
    );
    return fail({ targets, diagnostics });
  }
  if (hasErrors(diagnostics)) return fail({ targets, diagnostics });
  diagnostics.push(...(await signAndCheck(core.releaseDir, key, publicKeyPem)));
  const coreRelease: SelfRelease = {
    name: core.plan.root.name,
    version: core.plan.root.version,
    releaseDir: core.releaseDir,
    packages: core.packages,
  };
  log(`@napi-ship/core ${coreRelease.version}: ${String(coreRelease.packages.length)} packages packed and signed in ${core.releaseDir}`);

  // 2. napi-ship itself: a root with no platform packages.
  const stagingDir = path.join(outDir, 'napi-ship', 'staging');
  const releaseDir = path.join(outDir, 'napi-ship', 'packages');
  let staged: Record<string, unknown>;
  try {
    staged = await stageNapiShip(repoDir, stagingDir, new Map([[coreRelease.name, coreRelease.version]]));
  } catch (error) {
    problems.push(errorMessage(error));
    return fail({ core: coreRelease, targets, diagnostics });
  }
  const name = String(staged.name);
  const version = String(staged.version);
  log(`${name} ${version}: staged with ${coreRelease.name} pinned at ${coreRelease.version}`);
  await rm(releaseDir, { recursive: true, force: true });
  const packed = await packStage({ outDir: releaseDir, packages: [{ dir: stagingDir, kind: 'root', target: null }] });
  diagnostics.push(...packed.diagnostics);
  const entry = packed.result?.packages.find((p) => p.kind === 'root');
  if (!packed.ok || packed.result === null || entry === undefined) return fail({ core: coreRelease, targets, diagnostics });
  // Check the tarball itself, not the staging copy: what a registry would serve.
  const packedManifest = await readTarballManifest(await readFile(path.join(releaseDir, entry.tarball)));
  problems.push(...packedManifestProblems(packedManifest, coreRelease.name, coreRelease.version));
  const bin = isRecord(packedManifest.bin) ? Object.values(packedManifest.bin) : [];
  for (const file of bin) {
    if (typeof file === 'string' && !existsSync(path.join(stagingDir, file))) problems.push(`bin ${file} is not in the package`);
  }
  if (problems.length > 0) return fail({ core: coreRelease, targets, diagnostics, packedManifest });

  log(`sbom + policy: ${name}'s npm dependencies (pnpm-lock.yaml) and the core crate it loads`);
  try {
    const project = await readProjectInventories({ rootDir: repoDir, targets: core.plan.targets.map((t) => t.spec.triple), env });
    const policy = evaluatePolicy(
      [project.cargo, project.npm].filter((i) => i !== null),
      await readPolicyConfig(repoDir, project.rootManifest),
    );
    const sbom = await generateSboms({
      rootDir: repoDir,
      outDir: releaseDir,
      inventories: project,
      corrections: correctionsFromPolicy(policy.result.packages),
      release: {
        dir: releaseDir,
        manifest: await readReleaseManifest(releaseDir),
        binaryDigests: new Map<string, FileDigests>(),
        packageManifests: new Map([[name, staged]]),
      },
      env,
    });
    const reportFile = path.join(releaseDir, POLICY_REPORT_FILE);
    await writeFile(reportFile, renderPolicyMarkdown(policy));
    await addManifestFiles(releaseDir, [...sbom.outcome.result.documents.map((d) => d.file), reportFile]);
    diagnostics.push(...sbom.outcome.diagnostics, ...policy.diagnostics);
  } catch (error) {
    problems.push(`the SBOM of ${name} could not be written: ${errorMessage(error)}`);
  }
  if (hasErrors(diagnostics) || problems.length > 0) return fail({ core: coreRelease, targets, diagnostics, packedManifest });
  diagnostics.push(...(await signAndCheck(releaseDir, key, publicKeyPem)));
  const napiShip: SelfRelease = { name, version, releaseDir, packages: packed.result.packages };
  log(`${name} ${version}: packed and signed in ${releaseDir}`);
  if (hasErrors(diagnostics)) return fail({ core: coreRelease, targets, napiShip, diagnostics, packedManifest });

  // 3. Publish: the core's release first, napi-ship's last.
  const published: PublishResult[] = [];
  if (registry !== null) {
    const auth = await resolveAuth({ registry, env, cwd: repoDir });
    const client = new RegistryClient({ registry, ...(auth.token === undefined ? {} : { token: auth.token }), env });
    for (const release of [coreRelease, napiShip]) {
      log(`publish ${release.name}@${release.version} (${String(release.packages.length)} packages) to ${registry}`);
      const result = await publishRelease({
        releaseDir: release.releaseDir,
        client,
        publicKeyPem,
        ...(options.tag === undefined ? {} : { tag: options.tag }),
      });
      published.push(result);
      diagnostics.push(...result.diagnostics);
      if (!result.ok) {
        problems.push(`publishing ${release.name}@${release.version} ended "${result.result.outcome}"; nothing after it was published`);
        break;
      }
    }
  }
  return {
    ok: problems.length === 0 && !hasErrors(diagnostics),
    core: coreRelease,
    targets,
    napiShip,
    packedManifest,
    published,
    diagnostics,
    problems,
  };
}

/** The lines a failed or finished run prints about its diagnostics (warnings and errors). */
export function diagnosticLines(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.severity !== 'note').map((d) => formatDiagnostic(d));
}
