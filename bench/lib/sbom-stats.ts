/**
 * Completeness of an SBOM, the same way for SPDX 2.x and CycloneDX JSON: per ecosystem (from the
 * PURL type), how many packages there are and how many carry a PURL, a license and a checksum.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isRecord } from '../../src/util/json.js';

export interface Completeness {
  readonly ecosystem: string;
  readonly packages: number;
  readonly withPurl: number;
  readonly withLicense: number;
  readonly withChecksum: number;
}

interface Entry {
  readonly purl: string | null;
  readonly license: boolean;
  readonly checksum: boolean;
}

const NO_LICENSE = new Set(['', 'NOASSERTION', 'NONE']);

function spdxEntries(doc: Record<string, unknown>): Entry[] {
  const packages = Array.isArray(doc.packages) ? doc.packages.filter(isRecord) : [];
  return packages.map((p) => {
    const refs = Array.isArray(p.externalRefs) ? p.externalRefs.filter(isRecord) : [];
    const purl = refs.find((r) => r.referenceType === 'purl' && typeof r.referenceLocator === 'string')?.referenceLocator;
    const declared = typeof p.licenseDeclared === 'string' ? p.licenseDeclared : '';
    const concluded = typeof p.licenseConcluded === 'string' ? p.licenseConcluded : '';
    return {
      purl: typeof purl === 'string' ? purl : null,
      license: !NO_LICENSE.has(declared) || !NO_LICENSE.has(concluded),
      checksum: Array.isArray(p.checksums) && p.checksums.length > 0,
    };
  });
}

function cdxEntries(doc: Record<string, unknown>): Entry[] {
  const out: Entry[] = [];
  const walk = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const c of list.filter(isRecord)) {
      const licenses = Array.isArray(c.licenses) ? c.licenses.filter(isRecord) : [];
      const license = licenses.some(
        (l) =>
          typeof l.expression === 'string' ||
          (isRecord(l.license) && (typeof l.license.id === 'string' || typeof l.license.name === 'string')),
      );
      out.push({ purl: typeof c.purl === 'string' ? c.purl : null, license, checksum: Array.isArray(c.hashes) && c.hashes.length > 0 });
      walk(c.components);
    }
  };
  walk(doc.components);
  return out;
}

/** `pkg:cargo/…` → `cargo`; no PURL → `(no PURL)`. */
function ecosystemOf(purl: string | null): string {
  if (purl === null) return '(no PURL)';
  return /^pkg:([a-z0-9.+-]+)\//i.exec(purl)?.[1]?.toLowerCase() ?? '(other)';
}

export function completeness(docs: readonly unknown[]): Completeness[] {
  const entries = docs
    .filter(isRecord)
    .flatMap((d) => (typeof d.spdxVersion === 'string' ? spdxEntries(d) : d.bomFormat === 'CycloneDX' ? cdxEntries(d) : []));
  const by = new Map<string, Entry[]>();
  for (const e of entries) {
    const k = ecosystemOf(e.purl);
    by.set(k, [...(by.get(k) ?? []), e]);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ecosystem, list]) => ({
      ecosystem,
      packages: list.length,
      withPurl: list.filter((e) => e.purl !== null).length,
      withLicense: list.filter((e) => e.license).length,
      withChecksum: list.filter((e) => e.checksum).length,
    }));
}

/** Every SPDX or CycloneDX JSON document under `dir` (recursively). */
export async function readSboms(dir: string): Promise<{ file: string; doc: unknown }[]> {
  const out: { file: string; doc: unknown }[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.json')) {
        try {
          const doc: unknown = JSON.parse(await readFile(p, 'utf8'));
          if (isRecord(doc) && (typeof doc.spdxVersion === 'string' || doc.bomFormat === 'CycloneDX')) out.push({ file: p, doc });
        } catch {
          // not JSON: not an SBOM
        }
      }
    }
  };
  await walk(dir);
  return out;
}

export function percent(n: number, of: number): string {
  return of === 0 ? '–' : `${String(n)} (${((n / of) * 100).toFixed(0)} %)`;
}
