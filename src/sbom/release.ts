/**
 * What the release document describes, gathered from a packed release: the manifest `pack` wrote
 * (tarball digests, binaries), the digests `verify` already computed (sha1/sha256/sha512 of each
 * binary) when the plan has them, and — only for what neither has — the tarballs themselves (the
 * packed `package.json`'s license, a binary's sha1 when only a release dir is given).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { FileDigests } from '../core/index.js';
import { diagnostic, errorMessage, type Diagnostic } from '../diagnostics/index.js';
import type { ReleaseManifest } from '../manifest/index.js';
import { readManifest } from '../manifest/read.js';
import { isRecord } from '../util/json.js';
import { npmLicenseField } from './npm.js';
import type { ReleaseBinaryInput, ReleasePackageInput } from './spdx.js';

/** `sha512-<base64>` → lowercase hex. */
export function sha512Hex(integrity: string): string | null {
  const m = /^sha512-([A-Za-z0-9+/=]+)$/.exec(integrity.trim());
  return m?.[1] === undefined ? null : Buffer.from(m[1], 'base64').toString('hex');
}

/** Read some entries of an npm tarball (paths inside it, e.g. `package/package.json`) into memory. */
export async function readTarballEntries(file: string, wanted: ReadonlySet<string>): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  // node-tar is loaded only when a release's tarballs are read.
  const { t: listTar } = await import('tar');
  await listTar({
    file,
    onReadEntry: (entry) => {
      if (!wanted.has(entry.path)) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => {
        chunks.push(c);
      });
      entry.on('end', () => {
        out.set(entry.path, Buffer.concat(chunks));
      });
    },
  });
  return out;
}

/** Read and check `release-manifest.json` of a release dir (the one manifest reader, src/manifest/read.ts). */
export async function readReleaseManifest(dir: string): Promise<ReleaseManifest> {
  return readManifest(dir, {
    code: 'NS_MANIFEST_SCHEMA',
    hint: 'the manifest must be written by `napi-ship pack`; do not edit it by hand',
    unreadableCode: 'NS_SBOM_RELEASE_MISSING',
    unreadableHint: 'pass the dir `napi-ship pack` (or `release --dry-run`, `<out>/packages`) wrote with --release',
  });
}

export interface ReleaseSource {
  readonly dir: string;
  readonly manifest: ReleaseManifest;
  /** Digests `verify` computed, by `platform-arch-abi`: used instead of reading binaries again. */
  readonly binaryDigests?: ReadonlyMap<string, FileDigests>;
  /** package.json of each packed package by name, when the caller has them (the staged packages). */
  readonly packageManifests?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

export interface ReleaseInputs {
  readonly packages: ReleasePackageInput[];
  readonly binaries: ReleaseBinaryInput[];
  readonly diagnostics: Diagnostic[];
}

function factsLine(b: ReleaseManifest['binaries'][number]): string | undefined {
  const f = isRecord(b.facts) ? b.facts : null;
  if (f === null) return undefined;
  const parts = [f.format, f.cpu, f.libc, typeof f.glibc === 'string' ? `glibc ${f.glibc}` : null, f.crt].filter(
    (x): x is string => typeof x === 'string' && x !== '',
  );
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** The packages and binaries of a packed release, with every digest the release document needs. */
export async function releaseInputs(source: ReleaseSource): Promise<ReleaseInputs> {
  const diagnostics: Diagnostic[] = [];
  const { manifest, dir } = source;
  const packages: ReleasePackageInput[] = [];
  for (const p of manifest.packages) {
    const sha512 = sha512Hex(p.integrity);
    if (sha512 === null) {
      diagnostics.push(
        diagnostic({
          code: 'NS_SBOM_RELEASE_DIGEST',
          subject: p.tarball,
          message: `the manifest's integrity of ${p.tarball} is not sha512`,
          hint: 'repack with `napi-ship pack`',
        }),
      );
      continue;
    }
    let pkgJson = source.packageManifests?.get(p.name) ?? null;
    if (pkgJson === null) {
      try {
        const entries = await readTarballEntries(path.join(dir, p.tarball), new Set(['package/package.json']));
        const raw = entries.get('package/package.json');
        const parsed: unknown = raw === undefined ? null : JSON.parse(raw.toString('utf8'));
        pkgJson = isRecord(parsed) ? parsed : null;
      } catch (error) {
        diagnostics.push(
          diagnostic({
            code: 'NS_SBOM_RELEASE_TARBALL',
            severity: 'warning',
            subject: p.tarball,
            message: `cannot read package.json from ${p.tarball}: ${errorMessage(error)}`,
            hint: 'repack with `napi-ship pack`',
          }),
        );
      }
    }
    const binary = manifest.binaries.find((b) => b.package === p.name);
    packages.push({
      name: p.name,
      version: p.version,
      kind: p.kind,
      target: p.target,
      triple: binary?.triple ?? null,
      tarball: p.tarball,
      digests: { sha1: p.sha1, sha256: p.sha256, sha512 },
      license: pkgJson === null ? null : npmLicenseField(pkgJson),
    });
  }
  const binaries: ReleaseBinaryInput[] = [];
  for (const b of manifest.binaries) {
    const known = source.binaryDigests?.get(b.target);
    let digests: { sha1: string; sha256: string; sha512: string } | null = null;
    if (known !== undefined && known.sha256 === b.sha256) {
      digests = { sha1: known.sha1, sha256: known.sha256, sha512: known.sha512 };
    } else {
      // Only a release dir: the manifest has sha256 and sha512 but no sha1; read the binary out of its tarball.
      const tarball = manifest.packages.find((p) => p.name === b.package)?.tarball;
      const sha512 = sha512Hex(b.integrity);
      if (tarball !== undefined && sha512 !== null) {
        try {
          const entry = `package/${b.file}`;
          const bytes = (await readTarballEntries(path.join(dir, tarball), new Set([entry]))).get(entry);
          if (bytes !== undefined) {
            const sha256 = createHash('sha256').update(bytes).digest('hex');
            if (sha256 !== b.sha256) {
              diagnostics.push(
                diagnostic({
                  code: 'NS_SBOM_RELEASE_DIGEST',
                  subject: `${tarball}:${b.file}`,
                  message: `${b.file} in ${tarball} does not have the sha256 the manifest lists`,
                  expected: b.sha256,
                  found: sha256,
                  hint: 'the release dir changed after packing; repack it',
                }),
              );
            } else {
              digests = { sha1: createHash('sha1').update(bytes).digest('hex'), sha256, sha512 };
            }
          }
        } catch (error) {
          diagnostics.push(
            diagnostic({
              code: 'NS_SBOM_RELEASE_TARBALL',
              subject: tarball,
              message: `cannot read ${b.file} from ${tarball}: ${errorMessage(error)}`,
              hint: 'repack with `napi-ship pack`',
            }),
          );
        }
      }
    }
    if (digests === null) {
      diagnostics.push(
        diagnostic({
          code: 'NS_SBOM_RELEASE_DIGEST',
          subject: b.file,
          target: b.target,
          message: `no digests for the binary ${b.file} of ${b.package}`,
          hint: 'repack with `napi-ship pack`',
        }),
      );
      continue;
    }
    const facts = factsLine(b);
    binaries.push({
      target: b.target,
      triple: b.triple,
      package: b.package,
      file: b.file,
      digests,
      ...(facts === undefined ? {} : { facts }),
    });
  }
  return { packages, binaries, diagnostics };
}
