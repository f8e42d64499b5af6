/**
 * License fields as packages write them → SPDX license expressions, or a reason why not.
 *
 * What is repaired (all lossless, none of it guesses):
 * - surrounding and repeated whitespace;
 * - the legacy `/` separator (`MIT/Apache-2.0`, `Apache-2.0 / MIT`, still common on crates.io) is read as
 *   `OR`, as cargo and crates.io read it — never reduced to one license;
 * - operators in any case (`and`, `or`, `with`) are written upper case;
 * - a license or exception id written in another case (`mit`, `apache-2.0`, `llvm-exception`) is
 *   written as the SPDX list spells it, because SPDX ids match case-insensitively (SPDX 2.3 annex D)
 *   and no two ids on the list differ only by case;
 * - redundant parentheses go; the result is rendered from the parse tree.
 *
 * What is not repaired, and is reported instead: an empty or absent field, `NOASSERTION`/`NONE`,
 * npm's `UNLICENSED` and `SEE LICENSE IN <file>`, any word that is not an id on the SPDX list
 * (`Apache 2`, `BSD`, `MIT License`), and syntax errors. Deprecated ids (`GPL-2.0`) stay as written:
 * they are still valid SPDX. `LicenseRef-…` ids are valid (they only pass a policy that names them).
 */
import { canonicalIdCase, isExceptionId, isLicenseId, parseSpdx, type SpdxLicenseNode, type SpdxNode } from './spdx.js';
import { errorMessage } from '../diagnostics/index.js';

/** Why a license field is not a valid SPDX expression. */
export type LicenseProblem =
  /** No license: the field is absent or empty, `NOASSERTION` or `NONE`. */
  | 'absent'
  /** Something that is deliberately not an expression: npm's `UNLICENSED` or `SEE LICENSE IN <file>`. */
  | 'not-spdx'
  /** A word that is not a license or exception id on the SPDX list. */
  | 'unknown-id'
  /** Known ids, but not a well-formed expression. */
  | 'syntax';

export interface NormalizedLicense {
  /** The normalised SPDX expression; `null` when the field is absent or not valid. */
  readonly expression: string | null;
  readonly valid: boolean;
  /** Why it is not valid, for a person (set when `valid` is false). */
  readonly reason?: string;
  /** Why it is not valid, for a program (set when `valid` is false). */
  readonly problem?: LicenseProblem;
  /** The words that are not SPDX ids (when `problem` is `unknown-id`). */
  readonly unknownIds?: readonly string[];
}

const OPERATORS = new Set(['AND', 'OR', 'WITH']);

function invalid(problem: LicenseProblem, reason: string, unknownIds?: readonly string[]): NormalizedLicense {
  return { expression: null, valid: false, reason, problem, ...(unknownIds ? { unknownIds } : {}) };
}

/** One leaf as SPDX writes it: `Apache-2.0 WITH LLVM-exception`, `GPL-2.0+`. */
export function renderLicenseLeaf(node: SpdxLicenseNode): string {
  return `${node.license}${node.plus === true ? '+' : ''}${node.exception === undefined ? '' : ` WITH ${node.exception}`}`;
}

/** Render a parse tree as an expression: upper-case operators, parentheses only where `OR` sits inside `AND`. */
export function renderSpdx(node: SpdxNode, parent: 'and' | 'or' | null = null): string {
  if ('license' in node) return renderLicenseLeaf(node);
  const text = `${renderSpdx(node.left, node.conjunction)} ${node.conjunction === 'and' ? 'AND' : 'OR'} ${renderSpdx(node.right, node.conjunction)}`;
  return parent === 'and' && node.conjunction === 'or' ? `(${text})` : text;
}

/** Every license leaf of a tree, left to right. */
export function licenseLeaves(node: SpdxNode): SpdxLicenseNode[] {
  return 'license' in node ? [node] : [...licenseLeaves(node.left), ...licenseLeaves(node.right)];
}

/** Fix the case of one word (an operator or an id, possibly with `+`); unknown words come back as `null`. */
function fixWord(word: string): string | null {
  const upper = word.toUpperCase();
  if (OPERATORS.has(upper)) return upper;
  if (word.startsWith('LicenseRef-') || word.startsWith('DocumentRef-')) return word;
  const plus = word.endsWith('+') && word.length > 1;
  const id = plus ? word.slice(0, -1) : word;
  if (isLicenseId(id) || isExceptionId(id)) return word;
  const canonical = canonicalIdCase(id);
  return canonical === null ? null : `${canonical}${plus ? '+' : ''}`;
}

/**
 * Read a package's license field as an SPDX expression. `null`/empty → absent. Never throws.
 * Unknown ids are not valid: the expression is `null` and `reason` names them.
 */
export function normalizeLicense(raw: string | null): NormalizedLicense {
  const text = (raw ?? '').replace(/\s+/g, ' ').trim();
  if (text === '') return invalid('absent', 'no license declared');
  const upper = text.toUpperCase();
  if (upper === 'NOASSERTION' || upper === 'NONE') return invalid('absent', `license is ${upper}: none declared`);
  if (upper === 'UNLICENSED') return invalid('not-spdx', 'UNLICENSED: the package grants no license (npm convention)');
  if (upper.startsWith('SEE LICENSE IN')) return invalid('not-spdx', `"${text}" points to a file, not an SPDX expression`);

  // The legacy `/` separator means OR (cargo's and crates.io's reading). Ids never contain `/`.
  const spaced = text
    .replace(/\s*\/\s*/g, ' OR ')
    .replace(/\(/g, ' ( ')
    .replace(/\)/g, ' ) ');
  const words = spaced.split(' ').filter((w) => w !== '');
  const unknown: string[] = [];
  const fixed = words.map((w) => {
    if (w === '(' || w === ')') return w;
    const f = fixWord(w);
    if (f === null) unknown.push(w);
    return f ?? w;
  });
  if (unknown.length > 0) {
    const list = [...new Set(unknown)];
    return invalid('unknown-id', `not on the SPDX license list: ${list.map((u) => `"${u}"`).join(', ')}`, list);
  }
  let tree: SpdxNode;
  try {
    tree = parseSpdx(fixed.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')'));
  } catch (error) {
    // The parser's own messages are useful (`Expected \`)\``), its crashes on a dangling operator are not.
    const detail = error instanceof TypeError ? '' : errorMessage(error);
    return invalid('syntax', `not a valid SPDX expression: "${text}"${detail ? ` (${detail})` : ''}`);
  }
  return { expression: renderSpdx(tree), valid: true };
}

/** Parse an already-normalised expression (from `normalizeLicense`) into its tree. */
export function parseNormalized(expression: string): SpdxNode {
  return parseSpdx(expression);
}

/**
 * Check an allow-list entry: one license as the SPDX list spells it, optionally with `+` or
 * `WITH <exception>` (`MIT`, `GPL-2.0-or-later`, `Apache-2.0 WITH LLVM-exception`, `LicenseRef-Foo`);
 * no `AND`/`OR`. Returns null when fine, else why not (with the right spelling when it is only case).
 */
export function allowEntryProblem(entry: string): string | null {
  const n = normalizeLicense(entry);
  if (!n.valid || n.expression === null) return n.reason ?? 'not a license id';
  const tree = parseSpdx(n.expression);
  if (!('license' in tree)) return `"${entry}" is an expression; list each license on its own`;
  if (n.expression !== entry) return `"${entry}" is not spelled as SPDX spells it: write "${n.expression}"`;
  return null;
}
