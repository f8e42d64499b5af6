/**
 * SPDX 2.3 JSON documents from inventories and from a packed release. Pure: data in, documents out;
 * `serializeSpdx` gives the one byte form (fixed key order, sorted arrays, two-space indent, final
 * newline), so the same inputs always give the same bytes.
 *
 * The traps other generators fall into, and what is done here instead:
 * - `created` is `YYYY-MM-DDThh:mm:ssZ`, never with milliseconds (`spdxTimestamp`);
 * - SPDXIDs use only letters, digits, `.` and `-` (`spdxIdPart`), and are unique (`IdAllocator`);
 * - a download location is a URL, a `vcs+url@rev`, or `NOASSERTION` — never cargo's `registry+https://…`
 *   source id, which is not in the SPDX grammar (`spdxDownloadLocation`);
 * - checksum hex is lower case;
 * - every `LicenseRef-…` used has its `hasExtractedLicensingInfos` entry (`LicenseTable`);
 * - the document `DESCRIBES` its root package(s);
 * - `filesAnalyzed` is written, `false` (packages are described from metadata, not file by file);
 * - the declared license is what the package declares (normalised); a correction goes to
 *   `licenseConcluded`, with the reason in `licenseComments`.
 */
import { createHash } from 'node:crypto';
import { licenseLeaves, normalizeLicense, parseNormalized } from '../license/expression.js';
import type { Inventory, InventoryPackage } from './inventory.js';
import { integrityDigests, npmPurl } from './npm.js';

export const SPDX_VERSION = 'SPDX-2.3';
export const NOASSERTION = 'NOASSERTION';

export type SpdxChecksumAlgorithm = 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';

export interface SpdxChecksum {
  readonly algorithm: SpdxChecksumAlgorithm;
  readonly checksumValue: string;
}

export interface SpdxExternalRef {
  readonly referenceCategory: 'PACKAGE-MANAGER';
  readonly referenceType: 'purl';
  readonly referenceLocator: string;
}

export type SpdxPurpose = 'APPLICATION' | 'FRAMEWORK' | 'LIBRARY' | 'ARCHIVE' | 'FILE' | 'INSTALL' | 'SOURCE' | 'OTHER';

export interface SpdxPackage {
  readonly SPDXID: string;
  readonly name: string;
  readonly versionInfo: string;
  readonly packageFileName?: string;
  readonly supplier: string;
  readonly originator?: string;
  readonly downloadLocation: string;
  readonly filesAnalyzed: false;
  readonly checksums?: readonly SpdxChecksum[];
  readonly homepage?: string;
  readonly sourceInfo?: string;
  readonly licenseConcluded: string;
  readonly licenseDeclared: string;
  readonly licenseComments?: string;
  readonly copyrightText: string;
  readonly summary?: string;
  readonly comment?: string;
  readonly externalRefs?: readonly SpdxExternalRef[];
  readonly primaryPackagePurpose?: SpdxPurpose;
}

export type SpdxRelationshipType =
  | 'DESCRIBES'
  | 'DESCRIBED_BY'
  | 'DEPENDS_ON'
  | 'BUILD_DEPENDENCY_OF'
  | 'DEV_DEPENDENCY_OF'
  | 'OPTIONAL_DEPENDENCY_OF'
  | 'HAS_PREREQUISITE'
  | 'CONTAINS'
  | 'GENERATED_FROM'
  | 'OTHER';

export interface SpdxRelationship {
  readonly spdxElementId: string;
  readonly relationshipType: SpdxRelationshipType;
  readonly relatedSpdxElement: string;
  readonly comment?: string;
}

export interface SpdxExtractedLicense {
  readonly licenseId: string;
  readonly extractedText: string;
  readonly name?: string;
  readonly comment?: string;
}

export interface SpdxExternalDocumentRef {
  readonly externalDocumentId: string;
  readonly spdxDocument: string;
  readonly checksum: SpdxChecksum;
}

export interface SpdxDocument {
  readonly spdxVersion: typeof SPDX_VERSION;
  readonly dataLicense: 'CC0-1.0';
  readonly SPDXID: 'SPDXRef-DOCUMENT';
  readonly name: string;
  readonly documentNamespace: string;
  readonly creationInfo: { readonly created: string; readonly creators: readonly string[]; readonly comment?: string };
  readonly externalDocumentRefs?: readonly SpdxExternalDocumentRef[];
  readonly comment?: string;
  readonly packages: readonly SpdxPackage[];
  readonly relationships: readonly SpdxRelationship[];
  readonly hasExtractedLicensingInfos?: readonly SpdxExtractedLicense[];
}

// ── small rules ──────────────────────────────────────────────────────────────────────────────────

/** Seconds since 1970 → `YYYY-MM-DDThh:mm:ssZ` (SPDX's format: no fractional seconds). */
export function spdxTimestamp(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Text → the characters an SPDXID may hold (`[A-Za-z0-9.-]`); runs of anything else become one `-`. */
export function spdxIdPart(text: string): string {
  const s = text.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return s === '' ? 'x' : s;
}

export const SPDX_ID = /^SPDXRef-[A-Za-z0-9.-]+$/;

/** Hands out SPDXIDs: sanitised, and unique within a document (`-2`, `-3`… on a collision). */
export class IdAllocator {
  private readonly used = new Set<string>(['SPDXRef-DOCUMENT']);

  allocate(...parts: readonly string[]): string {
    const base = `SPDXRef-${parts.map(spdxIdPart).join('-')}`;
    let id = base;
    for (let n = 2; this.used.has(id); n += 1) id = `${base}-${n}`;
    this.used.add(id);
    return id;
  }
}

const URL_BODY = String.raw`([\w\-.!~*'()%;:&=+$,]+@)?[a-z0-9]+([-.][a-z0-9]+)*\.[a-z]{2,}(:[0-9]{1,5})?(\/\S*)?`;
const URL_RE = new RegExp(String.raw`^(https?|ssh|git|svn|sftp|ftp):\/\/${URL_BODY}$`, 'i');
const VCS_RE = new RegExp(String.raw`^(git|hg|svn|bzr)\+(https?|ssh|git|svn|sftp|ftp):\/\/${URL_BODY}$`, 'i');

/** A URL SPDX accepts for `homepage` (scheme and dotted host required here, to stay well inside the grammar). */
export function isSpdxUrl(s: string): boolean {
  return URL_RE.test(s);
}

/** A download location in the SPDX grammar, or `NOASSERTION`: `registry+https://…` and `file:` paths are not locations. */
export function spdxDownloadLocation(location: string | null): string {
  if (location === null) return NOASSERTION;
  return URL_RE.test(location) || VCS_RE.test(location) ? location : NOASSERTION;
}

function sanitizeActorName(s: string): string {
  return s
    .replace(/[()<>\r\n\t]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const ORGANIZATION_WORDS =
  /\b(developers|contributors|team|project|foundation|inc|llc|ltd|gmbh|authors|maintainers|group|organization|corporation|corp|community)\b\.?/i;

/**
 * A declared author (`Name <email> (url)`, `Name`) as an SPDX actor: `Person: Name (email)`, or
 * `Organization: …` when the name reads as a group ("The Rust Project Developers"). `null` when there is no name.
 */
export function spdxActor(raw: string | null): string | null {
  if (raw === null) return null;
  const email = /<([^<>\s]+@[^<>\s]+)>/.exec(raw)?.[1] ?? null;
  const name = sanitizeActorName(raw.replace(/<[^>]*>/g, ' ').replace(/\([^)]*\)/g, ' '));
  if (name === '') return email === null ? null : `Person: ${email} (${email})`;
  const kind = ORGANIZATION_WORDS.test(name) ? 'Organization' : 'Person';
  return `${kind}: ${name}${email === null ? '' : ` (${email})`}`;
}

/** The owner of a GitHub/GitLab/Codeberg/Bitbucket repository URL (`git+https://github.com/o/r.git`, `github:o/r`, `o/r`). */
export function repositoryOwner(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  const m =
    /^(?:git\+)?(?:https?|ssh|git):\/\/(?:[^@/]+@)?(?:www\.)?(?:github\.com|gitlab\.com|codeberg\.org|bitbucket\.org)[/:]([A-Za-z0-9_.-]+)\//i.exec(
      url,
    ) ??
    /^(?:git@)(?:github\.com|gitlab\.com|codeberg\.org|bitbucket\.org):([A-Za-z0-9_.-]+)\//i.exec(url) ??
    /^(?:github:|gitlab:|bitbucket:)?([A-Za-z0-9_.-]+)\/[A-Za-z0-9_.-]+$/.exec(url);
  return m?.[1] ?? null;
}

// ── licenses ─────────────────────────────────────────────────────────────────────────────────────

/** A license correction (from the policy's `clarify`): goes to `licenseConcluded`, never `licenseDeclared`. */
export interface LicenseCorrection {
  readonly ecosystem: 'cargo' | 'npm';
  readonly name: string;
  /** Exact version it applies to; absent: every version. */
  readonly version?: string;
  /** The SPDX expression that really applies. */
  readonly expression: string;
  /** Why (written to `licenseComments`), e.g. which license file and its hash. */
  readonly comment: string;
}

/** The license fields of one package, and the `LicenseRef-`s they need declared. */
export interface PackageLicense {
  readonly declared: string;
  readonly concluded: string;
  readonly licenseComments?: string;
  /** A note for the package comment (how the declaration was read). */
  readonly note?: string;
}

/** Collects the `LicenseRef-`s a document uses, so each gets its `hasExtractedLicensingInfos` entry. */
export class LicenseTable {
  private readonly refs = new Map<string, SpdxExtractedLicense>();
  private readonly byRaw = new Map<string, string>();

  /** A LicenseRef standing for a declaration that is not an SPDX expression (`SEE LICENSE IN …`, `Apache 2`). */
  private refFor(raw: string, reason: string): string {
    const known = this.byRaw.get(raw);
    if (known !== undefined) return known;
    const base = `LicenseRef-${spdxIdPart(raw).slice(0, 60)}`;
    let id = base;
    for (let n = 2; this.refs.has(id); n += 1) id = `${base}-${n}`;
    this.refs.set(id, {
      licenseId: id,
      extractedText: raw,
      name: raw,
      comment: `Declared license field, as written; not an SPDX license expression (${reason}).`,
    });
    this.byRaw.set(raw, id);
    return id;
  }

  /** Declare the `LicenseRef-`s an already valid expression names (a package may declare its own). */
  private declareRefs(expression: string): void {
    for (const leaf of licenseLeaves(parseNormalized(expression))) {
      if (!leaf.license.startsWith('LicenseRef-') || this.refs.has(leaf.license)) continue;
      this.refs.set(leaf.license, {
        licenseId: leaf.license,
        extractedText: `The license a package declares as ${leaf.license}; its text is in the package's license files.`,
        name: leaf.license,
      });
    }
  }

  /** `licenseDeclared` from a raw license field: the normalised expression, a LicenseRef, or NOASSERTION. */
  declared(raw: string | null): { readonly value: string; readonly note?: string } {
    const n = normalizeLicense(raw);
    if (n.valid && n.expression !== null && !n.expression.includes('DocumentRef-')) {
      this.declareRefs(n.expression);
      const trimmed = (raw ?? '').trim();
      return trimmed === n.expression
        ? { value: n.expression }
        : { value: n.expression, note: `license declared as "${trimmed}", read as ${n.expression}` };
    }
    if (n.problem === 'absent' || raw === null || raw.trim() === '')
      return { value: NOASSERTION, ...(raw === null ? {} : { note: `license declared as "${raw.trim()}"` }) };
    return {
      value: this.refFor(raw.trim(), n.reason ?? 'not an SPDX expression'),
      note: `license declared as "${raw.trim()}": ${n.reason ?? 'not an SPDX expression'}`,
    };
  }

  /** `licenseConcluded`: the correction's expression (with the reason as `licenseComments`) or NOASSERTION. */
  concluded(correction: LicenseCorrection | null): { readonly value: string; readonly comments?: string } {
    if (correction === null) return { value: NOASSERTION };
    const n = normalizeLicense(correction.expression);
    if (!n.valid || n.expression === null)
      return {
        value: NOASSERTION,
        comments: `A correction to "${correction.expression}" was configured but is not a valid SPDX expression (${n.reason ?? 'invalid'}); not applied.`,
      };
    this.declareRefs(n.expression);
    return { value: n.expression, comments: correction.comment };
  }

  license(raw: string | null, correction: LicenseCorrection | null): PackageLicense {
    const d = this.declared(raw);
    const c = this.concluded(correction);
    return {
      declared: d.value,
      concluded: c.value,
      ...(c.comments === undefined ? {} : { licenseComments: c.comments }),
      ...(d.note === undefined ? {} : { note: d.note }),
    };
  }

  entries(): SpdxExtractedLicense[] {
    return [...this.refs.values()].sort((a, b) => (a.licenseId < b.licenseId ? -1 : a.licenseId > b.licenseId ? 1 : 0));
  }
}

// ── documents ────────────────────────────────────────────────────────────────────────────────────

export interface SpdxContext {
  /** `created`, already in SPDX form (see `spdxTimestamp`). */
  readonly created: string;
  /** `Tool: napi-ship-<version>`, `Organization: …`. */
  readonly creators: readonly string[];
  /** Namespace prefix: the document's namespace is `<base><name>-<version>-<kind>-<content hash>`. */
  readonly namespaceBase: string;
  /** Supplier for first-party packages (workspace members, path crates) and the release's artifacts. */
  readonly organization: string;
  readonly corrections?: readonly LicenseCorrection[];
}

function byString<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

function sortRelationships(rels: readonly SpdxRelationship[]): SpdxRelationship[] {
  const seen = new Set<string>();
  const unique = rels.filter((r) => {
    const k = `${r.spdxElementId} ${r.relationshipType} ${r.relatedSpdxElement}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const rank = (r: SpdxRelationship): string =>
    `${r.relationshipType === 'DESCRIBES' ? '0' : '1'} ${r.spdxElementId} ${r.relationshipType} ${r.relatedSpdxElement}`;
  return unique.sort(byString(rank));
}

/** The supplier of a package: its declared author, else its repository's owner, else the registry it is distributed by. */
export function packageSupplier(p: InventoryPackage, organization: string): string {
  const declared = spdxActor(p.supplier);
  if (declared !== null) return declared;
  if (p.workspaceMember === true || p.isRoot || p.source.kind === 'path') return organization;
  const owner =
    repositoryOwner(p.repository ?? null) ??
    (p.source.kind === 'git' ? repositoryOwner(p.source.location?.replace(/[?#].*$/, '') ?? null) : null);
  if (owner !== null) return `Organization: ${owner}`;
  if (p.source.kind === 'registry') {
    if (p.ecosystem === 'cargo' && p.source.location !== null && /crates\.io-index|index\.crates\.io/.test(p.source.location))
      return 'Organization: crates.io';
    const host = /^[a-z+]*:?\/?\/?([^/:]+)/i.exec((p.source.location ?? '').replace(/^(registry|sparse)\+/, ''))?.[1];
    if (host !== undefined && host !== '') return `Organization: ${host}`;
  }
  return NOASSERTION;
}

function packageChecksums(p: InventoryPackage): SpdxChecksum[] {
  if (p.checksum === null) return [];
  if (p.ecosystem === 'cargo')
    return /^[0-9a-f]{64}$/i.test(p.checksum) ? [{ algorithm: 'SHA256', checksumValue: p.checksum.toLowerCase() }] : [];
  return integrityDigests(p.checksum).map((d) => ({ algorithm: d.algorithm, checksumValue: d.hex }));
}

function sourceInfo(p: InventoryPackage): string {
  const where = p.source.location ?? 'unknown';
  switch (p.source.kind) {
    case 'registry':
      return p.ecosystem === 'cargo' ? `cargo registry source ${where}` : `npm registry ${where}`;
    case 'git':
      return `git source ${where}`;
    case 'path':
      return `local path ${where}${p.workspaceMember === true ? ' (workspace member)' : ''}`;
    case 'other':
      return `source ${where}`;
  }
}

function correctionFor(p: InventoryPackage, corrections: readonly LicenseCorrection[]): LicenseCorrection | null {
  return (
    corrections.find((c) => c.ecosystem === p.ecosystem && c.name === p.name && (c.version === undefined || c.version === p.version)) ??
    null
  );
}

/** The SPDX package for one inventory package. */
export function spdxPackage(p: InventoryPackage, id: string, licenses: LicenseTable, ctx: SpdxContext): SpdxPackage {
  const lic = licenses.license(p.licenseRaw, correctionFor(p, ctx.corrections ?? []));
  const checksums = packageChecksums(p);
  const notes = [
    p.scope === 'build' ? 'build dependency (runs at build time, not linked into the shipped artifact)' : null,
    p.scope === 'dev' ? 'dev dependency (not shipped)' : null,
    p.optional === true ? 'optional dependency' : null,
    p.targets !== undefined ? `only in the dependency graph of: ${p.targets.join(', ')}` : null,
    p.installed === false
      ? p.licenseRaw === null
        ? 'not installed here: license unknown'
        : 'not installed here: license as recorded in the lockfile'
      : null,
    p.checksumNote ?? null,
    lic.note ?? null,
  ].filter((x): x is string => x !== null);
  const homepage = p.homepage !== null && isSpdxUrl(p.homepage) ? p.homepage : null;
  return {
    SPDXID: id,
    name: p.name,
    versionInfo: p.version,
    supplier: packageSupplier(p, ctx.organization),
    downloadLocation: spdxDownloadLocation(p.downloadLocation),
    filesAnalyzed: false,
    ...(checksums.length > 0 ? { checksums } : {}),
    ...(homepage !== null ? { homepage } : {}),
    sourceInfo: sourceInfo(p),
    licenseConcluded: lic.concluded,
    licenseDeclared: lic.declared,
    ...(lic.licenseComments === undefined ? {} : { licenseComments: lic.licenseComments }),
    copyrightText: NOASSERTION,
    ...(notes.length > 0 ? { comment: notes.join('; ') } : {}),
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
    primaryPackagePurpose: 'LIBRARY',
  };
}

/** The one serialisation of a document. */
export function serializeSpdx(doc: SpdxDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

function slug(s: string): string {
  return spdxIdPart(s.replace(/^@/, '')).toLowerCase();
}

/** Set the namespace from the content: `<base><name>-<version>-<kind>-<sha256 of the document without it, 32 hex>`. */
export function withNamespace(doc: SpdxDocument, base: string, name: string, version: string, kind: string): SpdxDocument {
  const placeholder = serializeSpdx({ ...doc, documentNamespace: '' });
  const hash = createHash('sha256').update(placeholder).digest('hex').slice(0, 32);
  const prefix = base.endsWith('/') ? base : `${base}/`;
  return { ...doc, documentNamespace: `${prefix}${slug(name)}-${spdxIdPart(version)}-${kind}-${hash}` };
}

export const ECOSYSTEM_LABEL: Record<Inventory['ecosystem'], string> = { cargo: 'Rust crates', npm: 'npm packages' };

/** One SPDX document for an inventory: its root package(s) DESCRIBED, every package with its relationships. */
export function inventoryDocument(
  inv: Inventory,
  ctx: SpdxContext,
  kind: string,
): { readonly document: SpdxDocument; readonly ids: ReadonlyMap<string, string>; readonly noSupplier: readonly string[] } {
  const ids = new IdAllocator();
  const idOf = new Map<string, string>();
  const ordered = [...inv.packages].sort((a, b) =>
    a.isRoot !== b.isRoot ? (a.isRoot ? -1 : 1) : a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0,
  );
  for (const p of ordered) idOf.set(p.purl, ids.allocate('Package', p.ecosystem, p.name, p.version));
  const licenses = new LicenseTable();
  const packages = ordered.map((p) => spdxPackage(p, idOf.get(p.purl) ?? '', licenses, ctx));
  const rels: SpdxRelationship[] = [];
  for (const root of inv.roots) {
    const id = idOf.get(root);
    if (id !== undefined) rels.push({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: id });
  }
  for (const p of ordered) {
    const from = idOf.get(p.purl);
    if (from === undefined) continue;
    const edges = p.edges ?? p.dependsOn.map((purl) => ({ purl, kind: 'normal' as const }));
    for (const e of edges) {
      const to = idOf.get(e.purl);
      if (to === undefined) continue;
      // The kind-specific relationship points from the dependency to its dependant (SPDX's `*_OF`
      // types); a forward edge from the dependant goes with it, so tools that walk the tree from
      // the described package (the NTIA checker follows DEPENDS_ON / HAS_PREREQUISITE) reach it.
      switch (e.kind) {
        case 'normal':
          rels.push({ spdxElementId: from, relationshipType: 'DEPENDS_ON', relatedSpdxElement: to });
          break;
        case 'build':
          rels.push({ spdxElementId: to, relationshipType: 'BUILD_DEPENDENCY_OF', relatedSpdxElement: from });
          rels.push({ spdxElementId: from, relationshipType: 'HAS_PREREQUISITE', relatedSpdxElement: to });
          break;
        case 'dev':
          rels.push({ spdxElementId: to, relationshipType: 'DEV_DEPENDENCY_OF', relatedSpdxElement: from });
          rels.push({ spdxElementId: from, relationshipType: 'HAS_PREREQUISITE', relatedSpdxElement: to });
          break;
        case 'optional':
          rels.push({ spdxElementId: to, relationshipType: 'OPTIONAL_DEPENDENCY_OF', relatedSpdxElement: from });
          rels.push({ spdxElementId: from, relationshipType: 'DEPENDS_ON', relatedSpdxElement: to });
          break;
      }
    }
  }
  const root = ordered.find((p) => p.isRoot) ?? ordered[0];
  const rootName = root?.name ?? 'unknown';
  const rootVersion = root?.version ?? '0.0.0';
  const extracted = licenses.entries();
  const doc: SpdxDocument = {
    spdxVersion: SPDX_VERSION,
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${rootName}@${rootVersion} ${ECOSYSTEM_LABEL[inv.ecosystem]}`,
    documentNamespace: '',
    creationInfo: { created: ctx.created, creators: [...ctx.creators] },
    comment: `The ${inv.ecosystem === 'cargo' ? 'Rust crates' : 'npm packages'} of ${rootName}@${rootVersion}, read from ${inv.source.split(/[\\/]/).pop() ?? inv.source}.${inv.note === undefined ? '' : ` ${inv.note}`}`,
    packages,
    relationships: sortRelationships(rels),
    ...(extracted.length > 0 ? { hasExtractedLicensingInfos: extracted } : {}),
  };
  const noSupplier = packages.filter((p) => p.supplier === NOASSERTION).map((p) => `${p.name}@${p.versionInfo}`);
  return { document: withNamespace(doc, ctx.namespaceBase, rootName, rootVersion, kind), ids: idOf, noSupplier };
}

// ── the release document ─────────────────────────────────────────────────────────────────────────

export interface ReleaseArtifactDigests {
  readonly sha1: string;
  readonly sha256: string;
  readonly sha512: string;
}

export interface ReleasePackageInput {
  readonly name: string;
  readonly version: string;
  readonly kind: 'root' | 'platform';
  /** `platform-arch-abi`; `null` for the root. */
  readonly target: string | null;
  readonly triple: string | null;
  readonly tarball: string;
  readonly digests: ReleaseArtifactDigests;
  /** The package.json `license` field. */
  readonly license: string | null;
}

export interface ReleaseBinaryInput {
  readonly target: string;
  readonly triple: string;
  /** The platform package that ships it. */
  readonly package: string;
  /** Path inside the package. */
  readonly file: string;
  readonly digests: ReleaseArtifactDigests;
  /** One line on what the binary is (format, cpu, libc), from what verify/inspect read. */
  readonly facts?: string;
}

/** Another SBOM this document points to (`externalDocumentRefs`), and the element of it to link to. */
export interface ExternalSbom {
  readonly id: 'DocumentRef-rust' | 'DocumentRef-npm';
  readonly namespace: string;
  /** SHA1 of the referenced document's bytes (what SPDX requires in the reference). */
  readonly sha1: string;
  /** SPDXID of its root package. */
  readonly rootId: string;
}

export interface ReleaseDocumentInput {
  readonly name: string;
  readonly version: string;
  readonly packages: readonly ReleasePackageInput[];
  readonly binaries: readonly ReleaseBinaryInput[];
  /** License of what the binaries are built from (the addon crate's), when known. */
  readonly binaryLicense: string | null;
  readonly rust: ExternalSbom | null;
  readonly npm: ExternalSbom | null;
}

function digestsToChecksums(d: ReleaseArtifactDigests): SpdxChecksum[] {
  return [
    { algorithm: 'SHA1', checksumValue: d.sha1.toLowerCase() },
    { algorithm: 'SHA256', checksumValue: d.sha256.toLowerCase() },
    { algorithm: 'SHA512', checksumValue: d.sha512.toLowerCase() },
  ];
}

/**
 * The release: the root package tarball and each platform package tarball with its `.node` binary,
 * their digests, the root `DEPENDS_ON` each platform package (each an `OPTIONAL_DEPENDENCY_OF` the
 * root), each binary `GENERATED_FROM` the addon crate in the Rust SBOM and the root `DESCRIBED_BY` the npm SBOM.
 */
export function releaseDocument(input: ReleaseDocumentInput, ctx: SpdxContext): SpdxDocument {
  const ids = new IdAllocator();
  const licenses = new LicenseTable();
  const packages: SpdxPackage[] = [];
  const rels: SpdxRelationship[] = [];
  const ordered = [...input.packages].sort((a, b) =>
    a.kind !== b.kind ? (a.kind === 'root' ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const idByName = new Map<string, string>();
  for (const p of ordered) {
    const id = ids.allocate('Package', 'npm', p.name, p.version);
    idByName.set(p.name, id);
    const lic = licenses.license(p.license, null);
    packages.push({
      SPDXID: id,
      name: p.name,
      versionInfo: p.version,
      packageFileName: p.tarball,
      supplier: ctx.organization,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      checksums: digestsToChecksums(p.digests),
      licenseConcluded: lic.concluded,
      licenseDeclared: lic.declared,
      copyrightText: NOASSERTION,
      comment:
        p.kind === 'root'
          ? 'The root npm package of the release (tarball as packed; not yet published).'
          : `Platform package for ${p.target ?? '?'}${p.triple === null ? '' : ` (${p.triple})`} (tarball as packed; not yet published).`,
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: npmPurl(p.name, p.version) }],
      primaryPackagePurpose: 'ARCHIVE',
    });
  }
  const root = ordered.find((p) => p.kind === 'root');
  const rootId = root === undefined ? null : (idByName.get(root.name) ?? null);
  for (const p of ordered) {
    const id = idByName.get(p.name);
    if (id === undefined) continue;
    rels.push({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: id });
    if (p.kind === 'platform' && rootId !== null) {
      rels.push({ spdxElementId: rootId, relationshipType: 'DEPENDS_ON', relatedSpdxElement: id });
      rels.push({ spdxElementId: id, relationshipType: 'OPTIONAL_DEPENDENCY_OF', relatedSpdxElement: rootId });
    }
  }
  const binaries = [...input.binaries].sort(byString((b) => `${b.target} ${b.file}`));
  for (const b of binaries) {
    const id = ids.allocate('Binary', b.target, b.file);
    const lic = licenses.license(input.binaryLicense, null);
    const fileName = b.file.split('/').pop() ?? b.file;
    packages.push({
      SPDXID: id,
      name: fileName,
      versionInfo: input.version,
      packageFileName: b.file,
      supplier: ctx.organization,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      checksums: digestsToChecksums(b.digests),
      licenseConcluded: lic.concluded,
      licenseDeclared: lic.declared,
      copyrightText: NOASSERTION,
      comment: `Node-API addon for ${b.triple} (${b.target}), shipped in ${b.package}${b.facts === undefined ? '' : `: ${b.facts}`}.`,
      primaryPackagePurpose: 'LIBRARY',
    });
    const owner = idByName.get(b.package);
    if (owner !== undefined) rels.push({ spdxElementId: owner, relationshipType: 'CONTAINS', relatedSpdxElement: id });
    else rels.push({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: id });
    if (input.rust !== null)
      rels.push({ spdxElementId: id, relationshipType: 'GENERATED_FROM', relatedSpdxElement: `${input.rust.id}:${input.rust.rootId}` });
  }
  if (input.npm !== null && rootId !== null) {
    rels.push({ spdxElementId: rootId, relationshipType: 'DESCRIBED_BY', relatedSpdxElement: `${input.npm.id}:SPDXRef-DOCUMENT` });
  }
  const refs = [input.rust, input.npm]
    .filter((r): r is ExternalSbom => r !== null)
    .map((r) => ({
      externalDocumentId: r.id,
      spdxDocument: r.namespace,
      checksum: { algorithm: 'SHA1' as const, checksumValue: r.sha1.toLowerCase() },
    }))
    .sort(byString((r) => r.externalDocumentId));
  const extracted = licenses.entries();
  const doc: SpdxDocument = {
    spdxVersion: SPDX_VERSION,
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${input.name}@${input.version} release artifacts`,
    documentNamespace: '',
    creationInfo: { created: ctx.created, creators: [...ctx.creators] },
    ...(refs.length > 0 ? { externalDocumentRefs: refs } : {}),
    comment: `The packed release of ${input.name}@${input.version}: ${input.packages.length} npm tarball(s) and ${input.binaries.length} native binary file(s).`,
    packages,
    relationships: sortRelationships(rels),
    ...(extracted.length > 0 ? { hasExtractedLicensingInfos: extracted } : {}),
  };
  return withNamespace(doc, ctx.namespaceBase, input.name, input.version, 'release');
}
