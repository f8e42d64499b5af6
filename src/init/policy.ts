/**
 * A starter license policy from the licenses a project really ships: the fewest SPDX ids that let
 * every third-party package with a readable license pass, and the packages no allow entry can fix
 * (no license, or not an SPDX expression), which need a `clarify` entry or a decision.
 */
import { normalizeLicense } from '../license/expression.js';
import { licensesNeeded, satisfiesAllowList } from '../license/satisfies.js';
import type { Inventory, InventoryPackage } from '../sbom/inventory.js';

export interface StarterPolicy {
  /** SPDX ids for `napiShip.policy.licenses.allow`, most used first. */
  readonly allow: readonly string[];
  /** `ecosystem name@version: reason` of packages an allow entry cannot make pass (no license, not SPDX, a git or path source). */
  readonly unresolved: readonly string[];
  /** How many third-party packages were looked at. */
  readonly checked: number;
  /** Where `allow` came from: the packages found, or (none found) the project's own license. */
  readonly basis: 'found' | 'own-license' | 'none';
}

function thirdParty(p: InventoryPackage): boolean {
  return !p.isRoot && p.workspaceMember !== true;
}

/** Pure: the starter allow list for `inventories`. Every package it looked at passes it, except `unresolved`. */
export function starterPolicy(inventories: readonly Inventory[], ownLicense: string | null = null): StarterPolicy {
  const packages = inventories.flatMap((i) => i.packages).filter(thirdParty);
  const unresolved: string[] = [];
  const expressions: string[] = [];
  for (const p of packages) {
    // A git or path source fails the policy whatever it allows: a decision for a person (sources.allowGit/allowPath).
    if (p.source.kind === 'git' || p.source.kind === 'path')
      unresolved.push(
        `${p.ecosystem} ${p.name}@${p.version}: comes from ${p.source.kind}${p.source.location === null ? '' : ` ${p.source.location}`}`,
      );
    const license = normalizeLicense(p.licenseRaw);
    if (license.expression === null) unresolved.push(`${p.ecosystem} ${p.name}@${p.version}: ${license.reason ?? 'no license'}`);
    else expressions.push(license.expression);
  }
  // Most common expressions first, so their first choice (MIT of `MIT OR Apache-2.0`) is the one allowed.
  const counts = new Map<string, number>();
  for (const e of expressions) counts.set(e, (counts.get(e) ?? 0) + 1);
  const ordered = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([e]) => e);
  const allow: string[] = [];
  for (const e of ordered) {
    if (!satisfiesAllowList(e, allow)) allow.push(...licensesNeeded(e, allow).filter((l) => !allow.includes(l)));
  }
  // Most used first: the id in the most expressions leads (MIT, Apache-2.0…), then by name.
  const uses = (id: string): number => expressions.filter((e) => e.split(/[\s()]+/).includes(id)).length;
  allow.sort((x, y) => uses(y) - uses(x) || x.localeCompare(y));
  if (allow.length === 0) {
    // Nothing third-party found (no lockfile yet, no dependencies): start from the project's own license.
    const own = normalizeLicense(ownLicense).expression;
    const seed = own === null ? [] : licensesNeeded(own, []);
    return {
      allow: seed,
      unresolved: [...new Set(unresolved)].sort(),
      checked: packages.length,
      basis: seed.length > 0 ? 'own-license' : 'none',
    };
  }
  return { allow, unresolved: [...new Set(unresolved)].sort(), checked: packages.length, basis: 'found' };
}
