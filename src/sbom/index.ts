/**
 * The SBOM stage: SPDX 2.3 documents for the addon's Rust crates, the root package's npm
 * dependencies and the packed release's artifacts (or CycloneDX 1.6 through cdxgen, on request).
 *
 *   readProjectInventories → inventories (also what the policy gate judges)
 *   generateSboms          → sbom.rust.spdx.json, sbom.npm.spdx.json, sbom.release.spdx.json
 *
 * Same inputs → byte-identical documents: `created` is SOURCE_DATE_EPOCH or the commit time (as
 * for the tarballs), arrays are sorted, and each namespace ends in a hash of the content.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileDigests } from '../core/index.js';
import { diagnostic, DiagnosticError, errorMessage, hasErrors, outcome, type Diagnostic, type Outcome } from '../diagnostics/index.js';
import { resolveSourceDateEpoch } from '../pack/epoch.js';
import { readNapiConfig } from '../targets/index.js';
import { writeAtomic } from '../util/fs.js';
import { isRecord } from '../util/json.js';
import { napiShipVersion } from '../util/version.js';
import { napiBuildArgs } from './addon-crate.js';
import { graphCacheDir, graphCacheKey, readGraphCache, writeGraphCache, type CacheUse } from './cache.js';
import { readCargoInventory } from './cargo.js';
import { readSbomConfig, type SbomConfig, type SbomFormat } from './config.js';
import { cdxgenMissing, resolveCdxgen, runCdxgen } from './cyclonedx.js';
import type { Inventory } from './inventory.js';
import { findLockfile, findNpmLockfile, personString, readNpmInventory } from './npm.js';
import { readReleaseManifest, releaseInputs, type ReleaseSource } from './release.js';
import {
  inventoryDocument,
  releaseDocument,
  repositoryOwner,
  serializeSpdx,
  spdxActor,
  spdxTimestamp,
  type ExternalSbom,
  type LicenseCorrection,
  type SpdxContext,
  type SpdxDocument,
} from './spdx.js';

export type { Inventory, InventoryEdge, InventoryPackage, PackageSource, Ecosystem } from './inventory.js';
export { readSbomConfig, DEFAULT_NAMESPACE, type SbomConfig, type SbomFormat } from './config.js';
export { napiBuildArgs, chooseAddonCrate, isAddonCandidate, type NapiBuildArgs, type CrateCandidateInput } from './addon-crate.js';
export {
  readCargoInventory,
  parseCargoTree,
  parseCargoLock,
  cargoPurl,
  cargoDownloadLocation,
  walkCargoGraph,
  parseCargoMetadata,
} from './cargo.js';
export {
  readNpmInventory,
  npmPurl,
  integrityDigests,
  findNpmLockfile,
  findLockfile,
  packageManagerOf,
  ownPlatformPackages,
  type FoundLockfile,
  type LockfileKind,
} from './npm.js';
export { readReleaseManifest, releaseInputs, type ReleaseSource } from './release.js';
export { graphCacheDir, type CacheUse } from './cache.js';
export { cdxgenMissing, resolveCdxgen } from './cyclonedx.js';
export {
  inventoryDocument,
  releaseDocument,
  serializeSpdx,
  spdxTimestamp,
  spdxIdPart,
  spdxDownloadLocation,
  spdxActor,
  IdAllocator,
  LicenseTable,
  SPDX_ID,
  NOASSERTION,
  type LicenseCorrection,
  type SpdxDocument,
  type SpdxPackage,
  type SpdxRelationship,
  type SpdxContext,
} from './spdx.js';

export type SbomKind = 'rust' | 'npm' | 'release';

/** What a failed SBOM step records: its own diagnostics, or `NS_SBOM_FAILED` with the message. */
export function sbomStageFailure(error: unknown): Diagnostic[] {
  if (error instanceof DiagnosticError) return [...error.diagnostics];
  return [
    {
      code: 'NS_SBOM_FAILED',
      severity: 'error',
      message: `the SBOM stage failed: ${errorMessage(error)}`,
      hint: 'run `napi-ship sbom` to see the error on its own',
    },
  ];
}

/** File names in the out dir. */
export const SBOM_FILES: Readonly<Record<SbomFormat, Readonly<Partial<Record<SbomKind, string>>>>> = {
  spdx: { rust: 'sbom.rust.spdx.json', npm: 'sbom.npm.spdx.json', release: 'sbom.release.spdx.json' },
  cyclonedx: { rust: 'sbom.rust.cdx.json', npm: 'sbom.npm.cdx.json' },
};

/** What `shipNpmSbom` puts into the root package. */
export const SHIPPED_NPM_SBOM = 'sbom.spdx.json';

export interface SbomDocumentInfo {
  readonly kind: SbomKind;
  readonly format: SbomFormat;
  /** Absolute path of the document written. */
  readonly file: string;
  readonly name: string;
  /** The SPDX namespace (`null` for CycloneDX). */
  readonly namespace: string | null;
  /** Packages (SPDX) or components (CycloneDX) it lists. */
  readonly packages: number;
  readonly sha1: string;
  readonly sha256: string;
}

/** The SBOM stage's results, as the plan records them. */
export interface SbomDocuments {
  readonly format: SbomFormat;
  readonly outDir: string;
  readonly documents: readonly SbomDocumentInfo[];
  /** What was left out and why (no Cargo.toml, no packed release, …). */
  readonly notes: readonly string[];
}

/** The SBOM stage's outcome (the one outcome shape). */
export type SbomOutcome = Outcome<SbomDocuments>;

export interface InventoryOptions {
  /** The root package dir (package.json; the addon crate's Cargo.toml beside it, unless configured). */
  readonly rootDir: string;
  /** Rust target triples of the shipped graph (default: the root's `napi.targets`). */
  readonly targets?: readonly string[];
  /** Override `napiShip.sbom.includeDev`. */
  readonly includeDev?: boolean;
  /** Override `napiShip.sbom.includeBuild`. */
  readonly includeBuild?: boolean;
  /** Allow `cargo fetch --locked` when the registry cache lacks crates (default true). */
  readonly fetch?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Use napi-ship's cache of dependency graphs (src/sbom/cache.ts): `true` for the default dir, or a
   * dir. Default off: a hit is reported in `cache` and in the notes.
   */
  readonly cache?: boolean | string;
}

export interface ProjectInventories {
  /** `null` when the root package has no Rust crate to describe. */
  readonly cargo: Inventory | null;
  readonly npm: Inventory;
  readonly config: SbomConfig;
  readonly rootManifest: Readonly<Record<string, unknown>>;
  readonly diagnostics: readonly Diagnostic[];
  readonly notes: readonly string[];
  /** Whether the graphs came from the cache (`hit`), were read and stored (`miss`), or the cache was not used (`off`). */
  readonly cache?: CacheUse;
}

async function readRootManifest(rootDir: string): Promise<Record<string, unknown>> {
  const file = path.join(rootDir, 'package.json');
  try {
    const json: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (isRecord(json)) return json;
  } catch (error) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_ROOT_PACKAGE_MISSING',
        subject: file,
        message: `cannot read the root package.json: ${errorMessage(error)}`,
        hint: 'run in the napi-rs root package dir, or pass --cwd DIR',
      }),
    ]);
  }
  throw new DiagnosticError([
    diagnostic({ code: 'NS_ROOT_PACKAGE_INVALID', subject: file, message: 'package.json is not an object', hint: 'fix package.json' }),
  ]);
}

/** The Rust and npm inventories of a root package: what the SBOMs describe and the policy judges. */
export async function readProjectInventories(options: InventoryOptions): Promise<ProjectInventories> {
  const rootDir = path.resolve(options.rootDir);
  const rootManifest = await readRootManifest(rootDir);
  const packageJsonPath = path.join(rootDir, 'package.json');
  const config = readSbomConfig(rootManifest, packageJsonPath);
  const includeDev = options.includeDev ?? config.includeDev;
  const includeBuild = options.includeBuild ?? config.includeBuild;
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  const targets =
    options.targets ?? (isRecord(rootManifest.napi) ? readNapiConfig(rootManifest, packageJsonPath).targets.map((t) => t.triple) : []);

  // The addon crate: configured, else what the `napi build` script names, else the Cargo.toml beside package.json.
  const build = napiBuildArgs(rootManifest);
  const buildCwd = build?.cwd == null ? rootDir : path.resolve(rootDir, build.cwd);
  const fromScript = build?.manifestPath == null ? null : path.resolve(buildCwd, build.manifestPath);
  const manifestPath =
    config.cargoManifest !== null
      ? path.resolve(rootDir, config.cargoManifest)
      : (fromScript ?? path.join(build?.cwd == null ? rootDir : buildCwd, 'Cargo.toml'));
  const how =
    config.cargoManifest !== null
      ? 'napiShip.sbom.cargoManifest'
      : fromScript !== null
        ? `--manifest-path of \`napi build\` in the "${build?.script ?? 'build'}" script`
        : 'the Cargo.toml beside package.json';
  const hasCrate = existsSync(manifestPath);
  const cacheDir =
    options.cache === undefined || options.cache === false ? null : options.cache === true ? graphCacheDir(options.env) : options.cache;
  let key: { name: string; key: string } | null = null;
  if (cacheDir !== null) {
    const lockfile = await findLockfile(rootDir).catch(() => undefined);
    if (lockfile !== undefined) {
      key = await graphCacheKey({
        rootDir,
        manifestPath: hasCrate ? manifestPath : null,
        packageName: config.cargoManifest !== null ? null : (build?.package ?? null),
        targets,
        includeDev,
        includeBuild,
        lockfile: lockfile?.file ?? null,
      });
    }
    if (key !== null) {
      const hit = await readGraphCache(cacheDir, key);
      if (hit !== null) {
        const { state, file, created, ...graphs } = hit;
        return {
          ...graphs,
          notes: [
            ...graphs.notes,
            `dependency graphs from napi-ship's cache (${file ?? ''}, written ${created ?? ''}): Cargo.lock, the Cargo.toml files, the npm lockfile, node_modules and the targets are unchanged since; --no-cache reads them again`,
          ],
          config,
          rootManifest,
          cache: { state, ...(file === undefined ? {} : { file }), ...(created === undefined ? {} : { created }) },
        };
      }
    }
  }
  // The npm lockfile is parsed while cargo runs.
  const npmRead = readNpmInventory({ rootDir, includeDev, registry: config.npmRegistry });
  npmRead.catch(() => undefined);
  let cargo: Inventory | null = null;
  const inputs: string[] = [];
  if (hasCrate) {
    const r = await readCargoInventory({
      manifestPath,
      rootDir,
      how,
      packageName: config.cargoManifest !== null ? null : (build?.package ?? null),
      targets,
      includeDev,
      includeBuild,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    cargo = r.inventory;
    diagnostics.push(...r.diagnostics);
    notes.push(...r.notes);
    inputs.push(...r.inputs);
    // Resolved now (no Cargo.lock): nothing to cache.
    if (r.inputs.length === 0) key = null;
  } else if (config.cargoManifest !== null || fromScript !== null) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_SBOM_CARGO_MANIFEST',
        subject: manifestPath,
        message: `${how} names ${manifestPath}, which does not exist`,
        hint: "point it at the addon crate's Cargo.toml, relative to the root package",
      }),
    ]);
  } else {
    notes.push(
      `no Cargo.toml in ${path.dirname(manifestPath)}: no Rust SBOM (set napiShip.sbom.cargoManifest to the addon crate's Cargo.toml)`,
    );
  }
  const npm = await npmRead;
  diagnostics.push(...npm.diagnostics);
  const cache: CacheUse =
    cacheDir === null || key === null
      ? { state: 'off' }
      : await writeGraphCache(cacheDir, key, { cargo, npm: npm.inventory, diagnostics, notes }, [
          ...inputs,
          path.join(rootDir, 'package.json'),
        ]);
  return { cargo, npm: npm.inventory, config, rootManifest, diagnostics, notes, cache };
}

/** The creator/supplier organisation: config, else the root's author, else its repository owner, else its npm scope or name. */
export function resolveOrganization(rootManifest: Readonly<Record<string, unknown>>, config: SbomConfig): string {
  if (config.organization !== null) return `Organization: ${config.organization.replace(/[()<>\r\n]+/g, ' ').trim()}`;
  const author = spdxActor(personString(rootManifest.author));
  if (author !== null) return author;
  const repo = rootManifest.repository;
  const owner = repositoryOwner(typeof repo === 'string' ? repo : isRecord(repo) && typeof repo.url === 'string' ? repo.url : null);
  if (owner !== null) return `Organization: ${owner}`;
  const name = typeof rootManifest.name === 'string' ? rootManifest.name : 'unknown';
  return `Organization: ${name.startsWith('@') ? name.slice(1, name.indexOf('/') > 0 ? name.indexOf('/') : undefined) : name}`;
}

export interface SbomOptions extends InventoryOptions {
  /** Where the documents go (the release dir in a dry run). */
  readonly outDir: string;
  /** Default `spdx`. */
  readonly format?: SbomFormat;
  /** The packed release to describe; `null`: no release document. */
  readonly release?: ReleaseSource | null;
  /** Seconds for `created` (default: SOURCE_DATE_EPOCH, else the commit time). */
  readonly sourceDateEpoch?: number;
  /** License corrections (the policy's `clarify`): written to `licenseConcluded` with `licenseComments`. */
  readonly corrections?: readonly LicenseCorrection[];
  /** Inventories already read (the dry run reads them once for the SBOMs and the policy). */
  readonly inventories?: ProjectInventories;
}

export interface SbomResult {
  readonly outcome: SbomOutcome;
  readonly inventories: readonly Inventory[];
}

function info(
  kind: SbomKind,
  format: SbomFormat,
  file: string,
  bytes: string,
  name: string,
  namespace: string | null,
  packages: number,
): SbomDocumentInfo {
  return {
    kind,
    format,
    file,
    name,
    namespace,
    packages,
    sha1: createHash('sha1').update(bytes).digest('hex'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The SPDX context shared by a run's documents. */
export async function spdxContext(
  rootDir: string,
  project: ProjectInventories,
  options: { sourceDateEpoch?: number; env?: NodeJS.ProcessEnv; corrections?: readonly LicenseCorrection[] },
): Promise<SpdxContext> {
  const epoch = await resolveSourceDateEpoch(rootDir, options.sourceDateEpoch, options.env ?? process.env);
  const organization = resolveOrganization(project.rootManifest, project.config);
  return {
    created: spdxTimestamp(epoch),
    creators: [`Tool: napi-ship-${napiShipVersion()}`, organization],
    namespaceBase: project.config.namespace,
    organization,
    ...(options.corrections === undefined ? {} : { corrections: options.corrections }),
  };
}

function rootIdOf(doc: SpdxDocument): string {
  return doc.relationships.find((r) => r.relationshipType === 'DESCRIBES')?.relatedSpdxElement ?? 'SPDXRef-DOCUMENT';
}

/** Write the SBOMs of a root package (and its packed release, when given) into `outDir`. */
export async function generateSboms(options: SbomOptions): Promise<SbomResult> {
  const rootDir = path.resolve(options.rootDir);
  const outDir = path.resolve(options.outDir);
  const format = options.format ?? 'spdx';
  const project = options.inventories ?? (await readProjectInventories(options));
  const inventories = [project.cargo, project.npm].filter((i): i is Inventory => i !== null);
  const diagnostics: Diagnostic[] = [...project.diagnostics];
  const notes: string[] = [...project.notes];
  const documents: SbomDocumentInfo[] = [];
  await mkdir(outDir, { recursive: true });

  if (format === 'cyclonedx') {
    const cdxgen = resolveCdxgen(rootDir);
    if (cdxgen === null) throw cdxgenMissing(rootDir);
    const runs: { kind: SbomKind; type: 'rust' | 'js'; dir: string }[] = [];
    if (project.cargo !== null) runs.push({ kind: 'rust', type: 'rust', dir: path.dirname(project.cargo.source) });
    const lock = await findNpmLockfile(rootDir);
    runs.push({ kind: 'npm', type: 'js', dir: lock === null ? rootDir : path.dirname(lock) });
    for (const r of runs) {
      const file = path.join(outDir, SBOM_FILES.cyclonedx[r.kind] ?? `sbom.${r.kind}.cdx.json`);
      await runCdxgen(cdxgen, { type: r.type, dir: r.dir, outFile: file, ...(options.env === undefined ? {} : { env: options.env }) });
      const bytes = await readFile(file, 'utf8');
      const json: unknown = JSON.parse(bytes);
      const components = isRecord(json) && Array.isArray(json.components) ? json.components.length : 0;
      documents.push(info(r.kind, 'cyclonedx', file, bytes, `cdxgen ${cdxgen.version} -t ${r.type}`, null, components));
    }
    notes.push('CycloneDX output describes the dependency graphs only; the release-artifact document is SPDX-only');
    return { outcome: outcome({ format, outDir, documents, notes }, diagnostics), inventories };
  }

  const ctx = await spdxContext(rootDir, project, options);
  const supplierCheck = (kind: SbomKind, missing: readonly string[]): void => {
    if (missing.length === 0) return;
    diagnostics.push(
      diagnostic({
        code: 'NS_SBOM_NO_SUPPLIER',
        severity: 'warning',
        subject: SBOM_FILES.spdx[kind],
        message: `${missing.length} package(s) declare no author and no repository, so their supplier is NOASSERTION (short of the NTIA minimum elements): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
        hint: 'add `authors`/`repository` (Cargo.toml) or `author`/`repository` (package.json) to first-party packages; for third-party ones, ask upstream',
      }),
    );
  };
  const write = async (kind: SbomKind, doc: SpdxDocument): Promise<SbomDocumentInfo> => {
    const file = path.join(outDir, SBOM_FILES.spdx[kind] ?? `sbom.${kind}.spdx.json`);
    const bytes = serializeSpdx(doc);
    await writeAtomic(file, bytes);
    const i = info(kind, 'spdx', file, bytes, doc.name, doc.documentNamespace, doc.packages.length);
    documents.push(i);
    return i;
  };
  let rust: ExternalSbom | null = null;
  let binaryLicense: string | null = null;
  if (project.cargo !== null) {
    const { document, noSupplier } = inventoryDocument(project.cargo, ctx, 'rust');
    supplierCheck('rust', noSupplier);
    const written = await write('rust', document);
    rust = { id: 'DocumentRef-rust', namespace: document.documentNamespace, sha1: written.sha1, rootId: rootIdOf(document) };
    binaryLicense = project.cargo.packages.find((p) => p.isRoot)?.licenseRaw ?? null;
  }
  const npmBuilt = inventoryDocument(project.npm, ctx, 'npm');
  const npmDoc = npmBuilt.document;
  supplierCheck('npm', npmBuilt.noSupplier);
  const npmWritten = await write('npm', npmDoc);
  const npm: ExternalSbom = { id: 'DocumentRef-npm', namespace: npmDoc.documentNamespace, sha1: npmWritten.sha1, rootId: rootIdOf(npmDoc) };
  binaryLicense ??= project.npm.packages.find((p) => p.isRoot)?.licenseRaw ?? null;

  if (options.release === undefined || options.release === null) {
    notes.push('no packed release given: no release-artifact SBOM (pass --release DIR, or run `napi-ship pack` first)');
  } else {
    const release = await releaseInputs(options.release);
    diagnostics.push(...release.diagnostics);
    if (!hasErrors(release.diagnostics)) {
      const doc = releaseDocument(
        {
          name: options.release.manifest.name,
          version: options.release.manifest.version,
          packages: release.packages,
          binaries: release.binaries,
          binaryLicense,
          rust,
          npm,
        },
        ctx,
      );
      await write('release', doc);
    }
  }
  return { outcome: outcome({ format, outDir, documents, notes }, diagnostics), inventories };
}

/** A release dir to describe: its manifest, plus the digests/package.jsons the plan already has. */
export async function releaseSource(
  dir: string,
  known: {
    binaryDigests?: ReadonlyMap<string, FileDigests>;
    packageManifests?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  } = {},
): Promise<ReleaseSource> {
  return { dir, manifest: await readReleaseManifest(dir), ...known };
}

/**
 * `napiShip.sbom.shipNpmSbom`: write the npm SBOM into `packageDir` as `sbom.spdx.json`, so it is
 * packed into the root package. A warning when the package's `files` would not pack it.
 */
export async function writeShippedNpmSbom(
  project: ProjectInventories,
  packageDir: string,
  options: { sourceDateEpoch?: number; env?: NodeJS.ProcessEnv; corrections?: readonly LicenseCorrection[]; rootDir: string },
): Promise<{ file: string; diagnostics: Diagnostic[] }> {
  const ctx = await spdxContext(path.resolve(options.rootDir), project, options);
  const doc = inventoryDocument(project.npm, ctx, 'npm').document;
  const file = path.join(packageDir, SHIPPED_NPM_SBOM);
  await writeAtomic(file, serializeSpdx(doc));
  const files = project.rootManifest.files;
  const diagnostics: Diagnostic[] = [];
  if (Array.isArray(files) && !files.some((f) => f === SHIPPED_NPM_SBOM || f === `/${SHIPPED_NPM_SBOM}` || f === '*' || f === '*.json')) {
    diagnostics.push(
      diagnostic({
        code: 'NS_SBOM_NOT_PACKED',
        severity: 'warning',
        subject: path.join(packageDir, 'package.json'),
        message: `napiShip.sbom.shipNpmSbom is set, but the root package's \`files\` does not include ${SHIPPED_NPM_SBOM}, so it is not packed`,
        hint: `add "${SHIPPED_NPM_SBOM}" to \`files\` in package.json`,
      }),
    );
  }
  return { file, diagnostics };
}

/** A package the policy judged, as far as corrections go (structurally `PolicyPackageResult` of src/policy). */
export interface ClarifiedPackage {
  readonly ecosystem: 'cargo' | 'npm';
  readonly name: string;
  readonly version: string;
  readonly clarified: boolean;
  readonly expression: string | null;
  readonly comment: string | null;
}

/** The policy's clarifications that held, as SBOM license corrections (`licenseConcluded` + `licenseComments`). */
export function correctionsFromPolicy(packages: readonly ClarifiedPackage[]): LicenseCorrection[] {
  return packages.flatMap((p) =>
    p.clarified && p.expression !== null
      ? [
          {
            ecosystem: p.ecosystem,
            name: p.name,
            version: p.version,
            expression: p.expression,
            comment: p.comment ?? `License clarified by the napi-ship policy as ${p.expression}.`,
          },
        ]
      : [],
  );
}

export { addManifestFiles } from './manifest-files.js';
