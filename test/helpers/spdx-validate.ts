/**
 * The three validators every SPDX document the tests write must pass:
 *   1 the SPDX 2.3 JSON schema (test/fixtures/spdx/spdx-schema-2.3.json, draft 2019-09) with ajv;
 *   2 the official spdx-tools validator, `pyspdxtools -i FILE` (semantic rules: SPDXID grammar and
 *     uniqueness, relationship targets, DESCRIBES, `created` format, checksum hex, download locations,
 *     LicenseRef declarations);
 *   3 ntia-conformance-checker (`ntia-checker FILE -r json`): NTIA minimum elements, and no package
 *     left floating outside the tree the document describes.
 * 2 and 3 are Python tools that scripts/setup.sh installs into `.cache/venv`. Without them a test
 * fails when `CI` is set, and is skipped (with a message saying how to install them) otherwise.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { repoRoot } from './cli.js';

const execFileAsync = promisify(execFile);

export const SPDX_SCHEMA = path.join(repoRoot, 'test', 'fixtures', 'spdx', 'spdx-schema-2.3.json');
export const VENV_BIN = path.join(repoRoot, '.cache', 'venv', 'bin');
export const PYSPDXTOOLS = path.join(VENV_BIN, 'pyspdxtools');
export const NTIA_CHECKER = path.join(VENV_BIN, 'ntia-checker');

let compiled: ((doc: unknown) => string[]) | null = null;

/** Errors of the JSON schema (ajv, draft 2019-09); empty when the document conforms. */
export function schemaErrors(doc: unknown): string[] {
  if (compiled === null) {
    const ajv = new Ajv2019({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SPDX_SCHEMA, 'utf8')) as object);
    compiled = (d: unknown): string[] =>
      validate(d) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  }
  return compiled(doc);
}

/** Is the Python side installed? (`null` when it is, else why not.) */
export function pythonValidatorsMissing(): string | null {
  const missing = [PYSPDXTOOLS, NTIA_CHECKER].filter((f) => !existsSync(f));
  return missing.length === 0
    ? null
    : `not installed: ${missing.map((m) => path.relative(repoRoot, m)).join(', ')} (run bash scripts/setup.sh)`;
}

/**
 * True when the Python validators can run. Under CI their absence is a failure (CI must install
 * them); locally the test is skipped with the reason.
 */
export function requirePythonValidators(t: TestContext): boolean {
  const missing = pythonValidatorsMissing();
  if (missing === null) return true;
  if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
    throw new Error(`SPDX validators are required in CI but are ${missing}`);
  }
  t.skip(`SPDX validators ${missing}`);
  return false;
}

function outputOf(error: unknown): { code: number; text: string } {
  const e = error as { code?: unknown; stdout?: unknown; stderr?: unknown; message?: unknown };
  const text = [e.stdout, e.stderr]
    .filter((x): x is string => typeof x === 'string')
    .join('\n')
    .trim();
  return { code: typeof e.code === 'number' ? e.code : -1, text: text === '' && typeof e.message === 'string' ? e.message : text };
}

/** `pyspdxtools -i FILE`: its messages when it reports the document invalid, else empty. */
export async function spdxToolsErrors(file: string): Promise<string[]> {
  try {
    const { stdout, stderr } = await execFileAsync(PYSPDXTOOLS, ['-i', file], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    const text = `${stdout}\n${stderr}`.trim();
    // It exits 0 when the document is valid and prints the validation messages otherwise.
    return /invalid|error|must/i.test(text) ? [text] : [];
  } catch (error) {
    const { code, text } = outputOf(error);
    return [`pyspdxtools exited ${code}: ${text}`];
  }
}

export interface NtiaReport {
  readonly conformant: boolean;
  readonly floating: readonly string[];
  readonly problems: readonly string[];
}

/** `ntia-checker FILE -r json`: conformance, floating packages and every message it has. */
export async function ntiaReport(file: string): Promise<NtiaReport> {
  let stdout = '';
  try {
    ({ stdout } = await execFileAsync(NTIA_CHECKER, [file, '-r', 'json', '-q'], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    const e = error as { stdout?: unknown };
    stdout = typeof e.stdout === 'string' ? e.stdout : '';
    if (stdout.trim() === '') return { conformant: false, floating: [], problems: [`ntia-checker failed: ${outputOf(error).text}`] };
  }
  const r = JSON.parse(stdout) as {
    isConformant?: boolean;
    validationMessages?: unknown[];
    conformanceMessages?: unknown[];
    parsingError?: unknown[];
    graphValidation?: { floatingComponents?: { floatingComponentIds?: string[] }; unknownPointers?: { hasUnknownPointers?: boolean } };
  };
  const problems = [...(r.validationMessages ?? []), ...(r.parsingError ?? []), ...(r.conformanceMessages ?? [])].map((m) =>
    JSON.stringify(m),
  );
  if (r.graphValidation?.unknownPointers?.hasUnknownPointers === true) problems.push('relationships point to unknown elements');
  return { conformant: r.isConformant === true, floating: r.graphValidation?.floatingComponents?.floatingComponentIds ?? [], problems };
}

export interface Validation {
  readonly schema: readonly string[];
  readonly spdxTools: readonly string[];
  readonly ntia: NtiaReport;
}

/** All three validators over one file. */
export async function validateSpdxFile(file: string): Promise<Validation> {
  const doc: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const [spdxTools, ntia] = await Promise.all([spdxToolsErrors(file), ntiaReport(file)]);
  return { schema: schemaErrors(doc), spdxTools, ntia };
}

/** A one-line summary of what failed, for assertion messages. */
export function describeValidation(v: Validation): string {
  return JSON.stringify({
    schema: v.schema.slice(0, 5),
    spdxTools: v.spdxTools.map((s) => s.slice(0, 2000)),
    ntia: { ...v.ntia, problems: v.ntia.problems.slice(0, 5) },
  });
}

/**
 * A rule neither the schema nor spdx-tools checks (SPDX 2.3 clauses 7.8/7.9): `filesAnalyzed`
 * defaults to true, and a package whose files were analysed needs a `packageVerificationCode` and
 * its files. A package described from metadata must say `filesAnalyzed: false`.
 */
export function filesAnalyzedErrors(doc: unknown): string[] {
  const packages =
    typeof doc === 'object' && doc !== null && Array.isArray((doc as { packages?: unknown }).packages)
      ? (doc as { packages: unknown[] }).packages
      : [];
  const errors: string[] = [];
  for (const p of packages) {
    if (typeof p !== 'object' || p === null) continue;
    const r = p as { SPDXID?: unknown; filesAnalyzed?: unknown; packageVerificationCode?: unknown; hasFiles?: unknown };
    if (r.filesAnalyzed === false) continue;
    const files = Array.isArray(r.hasFiles) ? r.hasFiles.length : 0;
    if (r.packageVerificationCode === undefined || files === 0) {
      errors.push(
        `${String(r.SPDXID)}: filesAnalyzed is ${r.filesAnalyzed === undefined ? 'absent (true by default)' : 'true'} but the package has ${r.packageVerificationCode === undefined ? 'no packageVerificationCode' : ''}${files === 0 ? ' no files' : ''}`,
      );
    }
  }
  return errors;
}
