/**
 * The SPDX license list and expression parser, loaded once and given types here (the npm packages
 * ship no typings). `spdx-expression-parse` 5 is the parser; `spdx-license-ids` and the
 * `spdx-exceptions` list it itself reads are the vocabulary, so what we call "known" is exactly
 * what the parser accepts.
 */
import { createRequire } from 'node:module';
import { isRecord } from '../util/json.js';

const require = createRequire(import.meta.url);

/** A node of a parsed SPDX expression, as spdx-expression-parse returns it. */
export type SpdxNode = SpdxLicenseNode | SpdxConjunctionNode;

export interface SpdxLicenseNode {
  /** A license id from the SPDX list, or `LicenseRef-…` / `DocumentRef-…:LicenseRef-…`. */
  readonly license: string;
  /** `true` for the `+` (this version or later) suffix. */
  readonly plus?: true;
  /** The exception after `WITH`. */
  readonly exception?: string;
}

export interface SpdxConjunctionNode {
  readonly conjunction: 'and' | 'or';
  readonly left: SpdxNode;
  readonly right: SpdxNode;
}

function stringList(value: unknown, what: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new Error(`${what} is not a list of strings`);
  }
  return value;
}

const parserPath = require.resolve('spdx-expression-parse');
const rawParse: unknown = require('spdx-expression-parse');
if (typeof rawParse !== 'function') throw new Error('spdx-expression-parse does not export a function');

/** Current SPDX license ids (spdx-license-ids). */
export const LICENSE_IDS: readonly string[] = stringList(require('spdx-license-ids'), 'spdx-license-ids');
/** Deprecated SPDX license ids (`GPL-2.0`, `LGPL-2.1`, …): still valid in expressions. */
export const DEPRECATED_LICENSE_IDS: readonly string[] = stringList(
  require('spdx-license-ids/deprecated.json'),
  'spdx-license-ids/deprecated',
);
/** License exception ids (`LLVM-exception`, …), from the list the parser itself uses. */
export const EXCEPTION_IDS: readonly string[] = stringList(createRequire(parserPath)('spdx-exceptions'), 'spdx-exceptions');

const licenseIds = new Set([...LICENSE_IDS, ...DEPRECATED_LICENSE_IDS]);
const exceptionIds = new Set(EXCEPTION_IDS);
const byLowerCase = new Map<string, string[]>();
for (const id of [...licenseIds, ...exceptionIds]) {
  const key = id.toLowerCase();
  byLowerCase.set(key, [...(byLowerCase.get(key) ?? []), id]);
}

export function isLicenseId(id: string): boolean {
  return licenseIds.has(id);
}

export function isExceptionId(id: string): boolean {
  return exceptionIds.has(id);
}

export function isDeprecatedLicenseId(id: string): boolean {
  return DEPRECATED_LICENSE_IDS.includes(id);
}

/** The one SPDX id (license or exception) spelled like `word` up to case, or null (none, or ambiguous). */
export function canonicalIdCase(word: string): string | null {
  const found = byLowerCase.get(word.toLowerCase());
  return found?.length === 1 ? (found[0] ?? null) : null;
}

function isSpdxNode(value: unknown): value is SpdxNode {
  if (!isRecord(value)) return false;
  if (typeof value.license === 'string') {
    return (value.plus === undefined || value.plus === true) && (value.exception === undefined || typeof value.exception === 'string');
  }
  return (value.conjunction === 'and' || value.conjunction === 'or') && isSpdxNode(value.left) && isSpdxNode(value.right);
}

/** Parse an SPDX expression; throws the parser's error when it is not one. */
export function parseSpdx(expression: string): SpdxNode {
  const parse = rawParse as (source: string) => unknown;
  const node = parse(expression);
  if (!isSpdxNode(node)) throw new Error('spdx-expression-parse returned an unexpected shape');
  return node;
}
