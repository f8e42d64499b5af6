/**
 * The one reader of `release-manifest.json`. Two views of the same bytes:
 *
 *   - `decodeManifest` / `readManifest`: the whole manifest, typed and checked field by field (every
 *     problem found, not only the first). Callers pass the diagnostic code and hint of their own
 *     context (publish: `NS_PUBLISH_MANIFEST`, sbom: `NS_SBOM_RELEASE_MISSING`, …).
 *   - `parseManifest`: what `verify-manifest` needs from a manifest it does not trust yet: the files
 *     it vouches for, each well-formed entry kept and each malformed one a `NS_MANIFEST_SCHEMA`
 *     diagnostic, so the rest can still be checked.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { diagnostic, DiagnosticError, errorMessage, type Code, type Diagnostic } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';
import {
  MANIFEST_FILE,
  MANIFEST_SCHEMA,
  type ManifestBinary,
  type ManifestFile,
  type ManifestPackage,
  type ReleaseManifest,
} from './index.js';

// ── the files a manifest vouches for (verify-manifest) ──────────────────────────────────────────

/** One file the manifest vouches for. */
export interface ManifestEntry {
  /** Relative to the release dir, as written in the manifest. */
  readonly path: string;
  readonly role: 'tarball' | 'file';
  readonly size: number;
  readonly sha256: string;
  readonly integrity: string;
  /** Tarballs only (npm's `dist.shasum`). */
  readonly sha1: string | null;
}

function schemaDiagnostic(subject: string, message: string, expected?: string, found?: string): Diagnostic {
  return diagnostic({
    code: 'NS_MANIFEST_SCHEMA',
    subject,
    message,
    hint: 'the manifest must be written by `napi-ship pack`; do not edit it by hand',
    ...(expected === undefined ? {} : { expected }),
    ...(found === undefined ? {} : { found }),
  });
}

const HEX64 = /^[0-9a-f]{64}$/i;

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export interface ParsedManifest {
  /** False when the text is not a manifest of this schema at all (nothing else can be checked). */
  readonly recognised: boolean;
  /** The well-formed entries, in manifest order (packages, then files). */
  readonly entries: ManifestEntry[];
  readonly diagnostics: Diagnostic[];
}

/** The files a manifest vouches for, and diagnostics for whatever in it is not well formed. */
export function parseManifest(bytes: Buffer): ParsedManifest {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    return {
      recognised: false,
      entries: [],
      diagnostics: [schemaDiagnostic(MANIFEST_FILE, 'the manifest is not valid JSON', 'JSON', 'unparseable text')],
    };
  }
  if (!isRecord(v))
    return { recognised: false, entries: [], diagnostics: [schemaDiagnostic(MANIFEST_FILE, 'the manifest is not a JSON object')] };
  if (v.schema !== MANIFEST_SCHEMA) {
    const found = typeof v.schema === 'string' ? v.schema : JSON.stringify(v.schema ?? null);
    return {
      recognised: false,
      entries: [],
      diagnostics: [schemaDiagnostic(MANIFEST_FILE, 'the manifest has an unknown schema', MANIFEST_SCHEMA, found)],
    };
  }
  const entries: ManifestEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const { packages, files, binaries } = v;
  if (!Array.isArray(packages)) diagnostics.push(schemaDiagnostic(MANIFEST_FILE, '`packages` is not an array'));
  if (!Array.isArray(files)) diagnostics.push(schemaDiagnostic(MANIFEST_FILE, '`files` is not an array'));
  if (!Array.isArray(binaries)) diagnostics.push(schemaDiagnostic(MANIFEST_FILE, '`binaries` is not an array'));
  const lists: [string, unknown, 'tarball' | 'file'][] = [
    ['packages', packages, 'tarball'],
    ['files', files, 'file'],
  ];
  for (const [list, items, role] of lists) {
    if (!Array.isArray(items)) continue;
    items.forEach((item: unknown, i) => {
      const where = `${list}[${i}]`;
      if (!isRecord(item)) {
        diagnostics.push(schemaDiagnostic(where, 'an entry is not an object'));
        return;
      }
      const p = role === 'tarball' ? item.tarball : item.path;
      const { size, sha256, integrity, sha1 } = item;
      const bad: string[] = [];
      if (typeof p !== 'string') bad.push(role === 'tarball' ? 'tarball' : 'path');
      if (!isSize(size)) bad.push('size');
      if (typeof sha256 !== 'string' || !HEX64.test(sha256)) bad.push('sha256');
      if (typeof integrity !== 'string' || !integrity.startsWith('sha512-')) bad.push('integrity');
      if (role === 'tarball' && (typeof sha1 !== 'string' || !/^[0-9a-f]{40}$/i.test(sha1))) bad.push('sha1');
      if (bad.length > 0 || typeof p !== 'string' || !isSize(size) || typeof sha256 !== 'string' || typeof integrity !== 'string') {
        diagnostics.push(
          schemaDiagnostic(typeof p === 'string' ? p : where, `${where} has missing or malformed fields: ${bad.join(', ')}`),
        );
        return;
      }
      entries.push({
        path: p,
        role,
        size,
        sha256: sha256.toLowerCase(),
        integrity,
        sha1: role === 'tarball' && typeof sha1 === 'string' ? sha1.toLowerCase() : null,
      });
    });
  }
  return { recognised: true, entries, diagnostics };
}

// ── the typed manifest ───────────────────────────────────────────────────────────────────────────

export type DecodedManifest =
  { readonly ok: true; readonly manifest: ReleaseManifest } | { readonly ok: false; readonly problems: readonly string[] };

const HEX40 = /^[0-9a-f]{40}$/i;
const isText = (v: unknown): v is string => typeof v === 'string';

function decodePackage(p: unknown, where: string, problems: string[]): ManifestPackage | null {
  if (!isRecord(p)) {
    problems.push(`${where} is not an object`);
    return null;
  }
  const { name, version, kind, target, tarball, size, integrity, sha1, sha256 } = p;
  if (
    !isText(name) ||
    !isText(version) ||
    (kind !== 'root' && kind !== 'platform') ||
    (target !== null && !isText(target)) ||
    !isText(tarball) ||
    !isSize(size) ||
    !isText(integrity) ||
    !integrity.startsWith('sha512-') ||
    !isText(sha1) ||
    !HEX40.test(sha1) ||
    !isText(sha256) ||
    !HEX64.test(sha256)
  ) {
    problems.push(`${where} has missing or malformed fields`);
    return null;
  }
  return { name, version, kind, target, tarball, size, integrity, sha1: sha1.toLowerCase(), sha256: sha256.toLowerCase() };
}

function decodeBinary(b: unknown, where: string, problems: string[]): ManifestBinary | null {
  if (!isRecord(b)) {
    problems.push(`${where} is not an object`);
    return null;
  }
  const { target, triple, package: pkg, file, size, sha256, integrity, facts } = b;
  if (
    !isText(target) ||
    !isText(triple) ||
    !isText(pkg) ||
    !isText(file) ||
    !isSize(size) ||
    !isText(sha256) ||
    !HEX64.test(sha256) ||
    !isText(integrity) ||
    !integrity.startsWith('sha512-') ||
    !isRecord(facts)
  ) {
    problems.push(`${where} has missing or malformed fields`);
    return null;
  }
  // `facts` is what the core read from the binary, carried as written (checked against the binary by verify).
  return { ...(b as unknown as ManifestBinary), sha256: sha256.toLowerCase() };
}

function decodeFile(f: unknown, where: string, problems: string[]): ManifestFile | null {
  if (!isRecord(f)) {
    problems.push(`${where} is not an object`);
    return null;
  }
  const { path: rel, size, sha256, integrity } = f;
  if (!isText(rel) || !isSize(size) || !isText(sha256) || !HEX64.test(sha256) || !isText(integrity) || !integrity.startsWith('sha512-')) {
    problems.push(`${where} has missing or malformed fields`);
    return null;
  }
  return { path: rel, size, sha256: sha256.toLowerCase(), integrity };
}

function decodeList<T>(
  v: unknown,
  list: string,
  decode: (item: unknown, where: string, problems: string[]) => T | null,
  problems: string[],
): T[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((item: unknown, i) => decode(item, `${list}[${String(i)}]`, problems) ?? []);
}

/**
 * `release-manifest.json`'s text as a typed manifest, or every problem found in it (messages
 * without a code: the caller says in which context the manifest was read).
 */
export function decodeManifest(text: string): DecodedManifest {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`${MANIFEST_FILE} is not valid JSON: ${errorMessage(error)}`] };
  }
  if (!isRecord(v) || v.schema !== MANIFEST_SCHEMA)
    return { ok: false, problems: [`${MANIFEST_FILE} is not a ${MANIFEST_SCHEMA} manifest`] };
  const problems: string[] = [];
  const { name, version, source, tools, packages, binaries, files } = v;
  if (!isText(name) || !isText(version) || !Array.isArray(packages))
    problems.push('the manifest needs a string `name`, `version` and a `packages` array');
  if (!Array.isArray(binaries)) problems.push('`binaries` is not an array');
  if (!Array.isArray(files)) problems.push('`files` is not an array');
  if (!isRecord(source) || (source.commit !== null && !isText(source.commit)) || !isSize(source.sourceDateEpoch))
    problems.push('`source` needs a `commit` (string or null) and a `sourceDateEpoch` (seconds)');
  if (!isRecord(tools) || !isText(tools.napiShip) || !isText(tools.core) || !isText(tools.node))
    problems.push('`tools` needs the strings `napiShip`, `core` and `node`');
  const decoded = {
    packages: decodeList(packages, 'packages', decodePackage, problems),
    binaries: decodeList(binaries, 'binaries', decodeBinary, problems),
    files: decodeList(files, 'files', decodeFile, problems),
  };
  if (problems.length > 0 || !isText(name) || !isText(version) || !isRecord(source) || !isRecord(tools)) return { ok: false, problems };
  return {
    ok: true,
    manifest: {
      schema: MANIFEST_SCHEMA,
      name,
      version,
      source: { commit: source.commit as string | null, sourceDateEpoch: source.sourceDateEpoch as number },
      tools: { napiShip: tools.napiShip as string, core: tools.core as string, node: tools.node as string },
      ...decoded,
    },
  };
}

/** In which context a manifest is read: the code and hint its problems are reported with. */
export interface ManifestContext {
  readonly code: Code;
  readonly hint: string;
  /** Code for a manifest that cannot be read at all (default: `code`). */
  readonly unreadableCode?: Code;
  /** Hint for a manifest that cannot be read at all (default: `hint`). */
  readonly unreadableHint?: string;
}

/** `decodeManifest` with its problems as diagnostics of `context` about `subject`. */
export function manifestFromText(
  text: string,
  subject: string,
  context: ManifestContext,
): { manifest: ReleaseManifest | null; diagnostics: Diagnostic[] } {
  const decoded = decodeManifest(text);
  if (decoded.ok) return { manifest: decoded.manifest, diagnostics: [] };
  return {
    manifest: null,
    diagnostics: decoded.problems.map((message) => diagnostic({ code: context.code, subject, message, hint: context.hint })),
  };
}

/** `<dir>/release-manifest.json` (or `file`, when it names a `.json` file), typed; throws a `DiagnosticError` of `context`. */
export async function readManifest(dirOrFile: string, context: ManifestContext): Promise<ReleaseManifest> {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DiagnosticError([
      diagnostic({
        code: context.unreadableCode ?? context.code,
        subject: file,
        message: `cannot read the release manifest: ${errorMessage(error)}`,
        hint: context.unreadableHint ?? context.hint,
      }),
    ]);
  }
  const { manifest, diagnostics } = manifestFromText(text, file, context);
  if (manifest === null) throw new DiagnosticError(diagnostics);
  return manifest;
}
