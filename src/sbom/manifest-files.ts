/**
 * Vouching for the SBOMs (and the policy report) in the release: each file written into the release
 * dir is listed in `release-manifest.json` `files` with its size, sha256 and integrity, and in
 * `SHA256SUMS`, before `sign` signs the manifest — so `verify-manifest` checks them like the tarballs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hashFiles } from '../core/index.js';
import { diagnostic, DiagnosticError } from '../diagnostics/index.js';
import { MANIFEST_FILE, SHA256SUMS_FILE, serializeManifest, type ManifestFile, type ReleaseManifest } from '../manifest/index.js';
import { sha256Sums } from '../manifest/sums.js';
import { writeAtomic } from '../util/fs.js';
import { readReleaseManifest } from './release.js';

/**
 * Add `files` (paths inside `releaseDir`) to the manifest's `files` and to `SHA256SUMS`, replacing
 * earlier entries of the same path. Returns the manifest as written. Run it before signing.
 */
export async function addManifestFiles(releaseDir: string, files: readonly string[]): Promise<ReleaseManifest> {
  const dir = path.resolve(releaseDir);
  const rels = files.map((f) => {
    const rel = path.relative(dir, path.resolve(dir, f)).split(path.sep).join('/');
    if (rel === '' || rel.startsWith('../') || path.isAbsolute(rel)) {
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_SBOM_MANIFEST_PATH',
          subject: f,
          message: `${f} is not inside the release dir ${dir}`,
          hint: 'write the SBOMs into the release dir',
        }),
      ]);
    }
    return rel;
  });
  const hashed = await hashFiles(rels.map((r) => path.join(dir, ...r.split('/'))));
  const added: ManifestFile[] = rels.map((rel, i) => {
    const h = hashed[i];
    if (!h?.ok) {
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_SBOM_MANIFEST_HASH',
          subject: rel,
          message: `cannot hash ${rel}: ${h ? h.error.message : 'no result'}`,
          hint: 'check the release dir is readable',
        }),
      ]);
    }
    return { path: rel, size: h.size, sha256: h.sha256, integrity: h.integrity };
  });
  const manifest = await readReleaseManifest(dir);
  const kept = manifest.files.filter((f) => !rels.includes(f.path));
  const next: ReleaseManifest = { ...manifest, files: [...kept, ...added] };
  await writeAtomic(path.join(dir, MANIFEST_FILE), serializeManifest(next));
  // SHA256SUMS: the tarballs and every listed file, as sha256sum writes them.
  let previous = '';
  try {
    previous = await readFile(path.join(dir, SHA256SUMS_FILE), 'utf8');
  } catch {
    previous = '';
  }
  const entries = [
    ...next.packages.map((p) => ({ file: p.tarball, sha256: p.sha256 })),
    ...next.files.map((f) => ({ file: f.path, sha256: f.sha256 })),
  ];
  const text = sha256Sums(entries);
  if (text !== previous) await writeAtomic(path.join(dir, SHA256SUMS_FILE), text);
  return next;
}
