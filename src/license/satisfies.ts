/**
 * Does a license expression satisfy an allow list? `spdx-satisfies` 6 decides: the expression passes
 * when some choice it offers (an `OR` branch) is made entirely (every `AND` part) of allowed licenses.
 * So `MIT OR Apache-2.0` passes `[MIT]`, `(MIT OR Apache-2.0) AND Unicode-3.0` needs `Unicode-3.0` too,
 * `Apache-2.0 WITH LLVM-exception` needs exactly that entry (plain `Apache-2.0` is not enough), and
 * `GPL-2.0-or-later` in the list accepts `GPL-3.0-only` (the list's "or later" covers it).
 *
 * One guard on top: spdx-satisfies 6 reads every bare id of exactly eight characters (`LGPL-2.1`,
 * `CDDL-1.0`, `EUPL-1.1`, `AGPL-3.0`, …) as if it carried `+` (its `endsWith` helper matches when
 * `indexOf` is -1), so `LGPL-2.1` would pass `[LGPL-3.0]`. Those leaves are handed to it as opaque
 * `LicenseRef-`s on both sides, which makes them match only themselves: stricter, never looser.
 */
import { createRequire } from 'node:module';
import { parseNormalized, renderLicenseLeaf } from './expression.js';
import type { SpdxLicenseNode, SpdxNode } from './spdx.js';

const require = createRequire(import.meta.url);
const rawSatisfies: unknown = require('spdx-satisfies');
if (typeof rawSatisfies !== 'function') throw new Error('spdx-satisfies does not export a function');
const spdxSatisfies = rawSatisfies as (expression: string, allowed: string[]) => unknown;

const OPAQUE_PREFIX = 'LicenseRef-napi-ship-exact-';

function guardedLeaf(node: SpdxLicenseNode): string {
  if (node.plus !== true && node.license.length === 8 && !node.license.includes('Ref-')) {
    return `${OPAQUE_PREFIX}${node.license}${node.exception === undefined ? '' : `-with-${node.exception}`}`;
  }
  return renderLicenseLeaf(node);
}

function guarded(node: SpdxNode, parent: 'and' | 'or' | null = null): string {
  if ('license' in node) return guardedLeaf(node);
  const text = `${guarded(node.left, node.conjunction)} ${node.conjunction === 'and' ? 'AND' : 'OR'} ${guarded(node.right, node.conjunction)}`;
  return parent === 'and' && node.conjunction === 'or' ? `(${text})` : text;
}

/**
 * True when `expression` (a valid, normalised SPDX expression, as `normalizeLicense` returns it) is
 * satisfied by `allow` (entries checked by `allowEntryProblem`). An empty list allows nothing.
 * Anything spdx-satisfies cannot evaluate counts as not satisfied.
 */
export function satisfiesAllowList(expression: string, allow: readonly string[]): boolean {
  if (allow.length === 0) return false;
  try {
    const tree = parseNormalized(expression);
    const entries = allow.map((a) => {
      const entry = parseNormalized(a);
      return 'license' in entry ? guardedLeaf(entry) : a;
    });
    return spdxSatisfies(guarded(tree), entries) === true;
  } catch {
    return false;
  }
}

/**
 * The fewest licenses to add to `allow` for `expression` to pass: of the choices the expression offers
 * (its `OR` branches, each a set of `AND`ed licenses), the one missing the fewest. Empty when it already
 * passes or cannot be parsed.
 */
export function licensesNeeded(expression: string, allow: readonly string[]): string[] {
  let tree: SpdxNode;
  try {
    tree = parseNormalized(expression);
  } catch {
    return [];
  }
  if (satisfiesAllowList(expression, allow)) return [];
  let best: string[] | null = null;
  for (const branch of choices(tree)) {
    const missing = [...new Set(branch.map(renderLicenseLeaf))].filter((leaf) => !satisfiesAllowList(leaf, allow));
    if (best === null || missing.length < best.length) best = missing;
  }
  return best ?? [];
}

const MAX_CHOICES = 256;

/** The expression in disjunctive normal form: each choice is the licenses that must all hold. */
function choices(node: SpdxNode): SpdxLicenseNode[][] {
  if ('license' in node) return [[node]];
  const left = choices(node.left);
  const right = choices(node.right);
  if (node.conjunction === 'or') return [...left, ...right].slice(0, MAX_CHOICES);
  const out: SpdxLicenseNode[][] = [];
  for (const l of left) {
    for (const r of right) {
      if (out.length >= MAX_CHOICES) return out;
      out.push([...l, ...r]);
    }
  }
  return out;
}
