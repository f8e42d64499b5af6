/**
 * The publish document npm's own client sends (libnpmpublish `publish.js` → `buildMetadata`), built
 * from a tarball and the package.json inside it. Pure, apart from reading the tarball in memory.
 */
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import semver from 'semver';
import { diagnostic, DiagnosticError, type Code } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';
import { checkTarball } from '../util/tarball.js';

/** What a registry records of a tarball's bytes. */
export interface TarballDigests {
  readonly integrity: string;
  readonly shasum: string;
}

/** `sha512-<base64>` (the `dist.integrity` a registry stores) and the legacy sha1 hex `dist.shasum`. */
export function tarballDigests(tarball: Uint8Array): TarballDigests {
  return {
    integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
    shasum: createHash('sha1').update(tarball).digest('hex'),
  };
}

/**
 * `tarballDigests`, computed on libuv's thread pool (WebCrypto), both digests side by side: the
 * calling thread stays free (to load modules, to inflate another tarball) while a big tarball is hashed.
 */
export async function tarballDigestsOffThread(tarball: Uint8Array): Promise<TarballDigests> {
  const [sha512, sha1] = await Promise.all([webcrypto.subtle.digest('SHA-512', tarball), webcrypto.subtle.digest('SHA-1', tarball)]);
  return { integrity: `sha512-${Buffer.from(sha512).toString('base64')}`, shasum: Buffer.from(sha1).toString('hex') };
}

function badTarball(message: string): DiagnosticError {
  return new DiagnosticError([
    diagnostic({
      code: 'NS_PUBLISH_BAD_TARBALL',
      message,
      hint: 'publish the tarballs `napi-ship pack` wrote (npm pack layout: package/package.json)',
    }),
  ]);
}

/**
 * The package.json inside an npm tarball (`package/package.json` of a gzip'd tar), inflated with a
 * cap (see `checkTarball`). Throws `NS_PUBLISH_BAD_TARBALL`.
 */
export async function readTarballManifest(tarball: Uint8Array): Promise<Record<string, unknown>> {
  const checked = await checkTarball(tarball, '(tarball)', null);
  if (checked.packageJson === null) throw badTarball(checked.diagnostics[0]?.message ?? 'the tarball has no package/package.json');
  return checked.packageJson;
}

export interface PublishBodyInput {
  /** The registry base URL (ends in `/`). */
  readonly registry: string;
  readonly manifest: Readonly<Record<string, unknown>>;
  readonly tarball: Uint8Array;
  readonly tag: string;
  readonly access?: 'public' | 'restricted';
  /** A signed provenance bundle (sigstore bundle JSON) for this very tarball: attached as npm attaches it. */
  readonly provenance?: { readonly bundle: Readonly<Record<string, unknown>>; readonly mediaType: string };
  /**
   * The tarball's digests when the caller already computed them from these very bytes (the release
   * loader checks every tarball against the signed manifest); computed here when absent.
   */
  readonly digests?: TarballDigests;
}

export interface PublishBody {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
  readonly shasum: string;
  /** The JSON document for `PUT /<name>`. */
  readonly document: Record<string, unknown>;
}

function refuse(code: Code, subject: string, message: string, hint: string): DiagnosticError {
  return new DiagnosticError([diagnostic({ code, subject, message, hint })]);
}

/**
 * The body of `PUT /<name>`, field for field as libnpmpublish builds it: `_id`, `name`,
 * `description`, `dist-tags: {[tag]: version}`, `versions: {[version]: manifest + _id +
 * _nodeVersion + dist{integrity (sha512), shasum (sha1 hex), tarball}}`, `access`, and
 * `_attachments: {"<name>-<version>.tgz": {content_type, data (base64), length}}`, and with provenance
 * `"<name>-<version>.sigstore": {content_type: <bundle media type>, data: <bundle JSON text>, length}`.
 *
 * Refuses what npm refuses: `private` packages (`NS_PUBLISH_PRIVATE`), a version that is not semver
 * (`NS_PUBLISH_BAD_MANIFEST`), `restricted` access for an unscoped name (`NS_PUBLISH_ACCESS`).
 */
export function buildPublishBody(input: PublishBodyInput): PublishBody {
  const m = input.manifest;
  const name = typeof m.name === 'string' ? m.name : '';
  if (name === '' || name.trim() !== name)
    throw refuse(
      'NS_PUBLISH_BAD_MANIFEST',
      '(tarball)',
      'the package.json has no valid "name"',
      'publish a tarball made by napi-ship pack',
    );
  const rawVersion = typeof m.version === 'string' ? m.version : '';
  const version = semver.clean(rawVersion);
  if (version === null)
    throw refuse(
      'NS_PUBLISH_BAD_MANIFEST',
      name,
      `"${rawVersion}" is not a semver version`,
      'fix "version" in package.json and pack again',
    );
  if (m.private === true)
    throw refuse(
      'NS_PUBLISH_PRIVATE',
      `${name}@${version}`,
      'the package is marked "private": true',
      'remove "private" from its package.json to publish it',
    );
  if (input.access === 'restricted' && !name.startsWith('@'))
    throw refuse(
      'NS_PUBLISH_ACCESS',
      name,
      'an unscoped package cannot be published with restricted access',
      'use --access public, or a scoped name',
    );
  if (input.tag === '' || semver.validRange(input.tag) !== null)
    throw refuse(
      'NS_PUBLISH_BAD_TAG',
      input.tag,
      `"${input.tag}" cannot be a dist-tag (empty, or it reads as a version range)`,
      'use a tag like latest, next or napi-ship-staging',
    );

  const { integrity, shasum } = input.digests ?? tarballDigests(input.tarball);
  const basename = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  const tarballUrl = new URL(`${name}/-/${basename}-${version}.tgz`, input.registry).href;
  const previousDist = isRecord(m.dist) ? m.dist : {};
  const versionDoc: Record<string, unknown> = {
    ...m,
    version,
    _nodeVersion: process.versions.node,
    _id: `${name}@${version}`,
    dist: { ...previousDist, integrity, shasum, tarball: tarballUrl },
  };
  const document: Record<string, unknown> = {
    _id: name,
    name,
    description: m.description,
    'dist-tags': { [input.tag]: version },
    versions: { [version]: versionDoc },
    access: input.access ?? null,
    _attachments: {
      [`${name}-${version}.tgz`]: {
        content_type: 'application/octet-stream',
        data: Buffer.from(input.tarball.buffer, input.tarball.byteOffset, input.tarball.byteLength).toString('base64'),
        length: input.tarball.byteLength,
      },
      ...provenanceAttachment(name, version, input.provenance),
    },
  };
  return { name, version, integrity, shasum, document };
}

/**
 * `JSON.stringify(body.document)` as UTF-8 bytes, the same bytes, for a body `buildPublishBody`
 * made, without running the tarball's base64 (megabytes of it) through the JSON serialiser and then
 * the UTF-8 encoder: the document is serialised with a one-off marker in its place and the base64
 * (plain ASCII, nothing JSON escapes) is spliced in where the marker is.
 */
export function publishBodyBytes(body: PublishBody): Buffer {
  const attachments = body.document._attachments;
  const key = `${body.name}-${body.version}.tgz`;
  const tgz = isRecord(attachments) ? attachments[key] : undefined;
  if (!isRecord(attachments) || !isRecord(tgz) || typeof tgz.data !== 'string') return Buffer.from(JSON.stringify(body.document));
  const data = tgz.data;
  const marker = `\u0000napi-ship-attachment-${randomBytes(12).toString('hex')}`;
  const json = JSON.stringify({ ...body.document, _attachments: { ...attachments, [key]: { ...tgz, data: marker } } });
  const quoted = JSON.stringify(marker);
  const at = json.indexOf(quoted);
  if (at === -1 || json.includes(quoted, at + 1)) return Buffer.from(JSON.stringify(body.document));
  // Up to and including the marker's opening quote, the base64, from its closing quote on: each
  // written once, straight into the body.
  const head = json.slice(0, at + 1);
  const tail = json.slice(at + quoted.length - 1);
  const headBytes = Buffer.byteLength(head);
  const out = Buffer.allocUnsafe(headBytes + data.length + Buffer.byteLength(tail));
  out.write(head, 0, 'utf8');
  out.write(data, headBytes, 'latin1');
  out.write(tail, headBytes + data.length, 'utf8');
  return out;
}

/** libnpmpublish's provenance attachment: the bundle's JSON text as is (not base64), its length in characters. */
function provenanceAttachment(name: string, version: string, provenance: PublishBodyInput['provenance']): Record<string, unknown> {
  if (provenance === undefined) return {};
  const data = JSON.stringify(provenance.bundle);
  return { [`${name}-${version}.sigstore`]: { content_type: provenance.mediaType, data, length: data.length } };
}
