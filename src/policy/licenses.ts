/**
 * The licenses a release ships, grouped: expression → how many packages, with the unusual ones named.
 * What `napi-ship policy` shows when no policy is configured (a report, not a wall of denials), and
 * beside a configured policy's verdict in `--json`. Pure.
 */
import { satisfiesAllowList } from '../license/satisfies.js';
import type { Ecosystem } from '../sbom/inventory.js';

/**
 * Permissive licenses most npm and crates.io packages use. An expression that one of its choices
 * satisfies with these alone is "usual"; anything else (copyleft, source-available, a `LicenseRef-`,
 * no license, not an SPDX expression) is named, package by package, for a person to read.
 */
export const USUAL_LICENSES: readonly string[] = [
  'MIT',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'ISC',
  '0BSD',
  'MIT-0',
  'Zlib',
  'Unlicense',
  'CC0-1.0',
  'BSL-1.0',
  'Unicode-3.0',
  'Unicode-DFS-2016',
  'BlueOak-1.0.0',
  'Apache-2.0 WITH LLVM-exception',
];

/** One license, as judged (normalised or clarified expression), and the packages that ship under it. */
export interface LicenseGroup {
  /** The SPDX expression; `(none)` when a package declares no license; the declared text when it is not SPDX. */
  readonly license: string;
  readonly count: number;
  /** Not satisfied by `USUAL_LICENSES` alone (or no valid expression at all). */
  readonly unusual: boolean;
  /** `ecosystem name@version` of each package, for unusual licenses only (usual ones are counted). */
  readonly packages: readonly string[];
}

/** What the grouping reads of each judged (third-party) package. */
export interface LicensedPackage {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
  readonly declared: string | null;
  /** The normalised or clarified expression; `null` when there is no valid one. */
  readonly expression: string | null;
}

function label(p: LicensedPackage): string {
  if (p.expression !== null) return p.expression;
  if (p.declared === null || p.declared.trim() === '') return '(none)';
  return `${p.declared.trim()} (not SPDX)`;
}

/** Group `packages` by license: most packages first, the unusual ones after the usual ones. */
export function licenseGroups(packages: readonly LicensedPackage[]): LicenseGroup[] {
  const groups = new Map<string, { unusual: boolean; members: string[] }>();
  for (const p of packages) {
    const key = label(p);
    const g = groups.get(key) ?? {
      unusual: p.expression === null || !satisfiesAllowList(p.expression, USUAL_LICENSES),
      members: [],
    };
    g.members.push(`${p.ecosystem} ${p.name}@${p.version}`);
    groups.set(key, g);
  }
  return [...groups.entries()]
    .map(([license, g]) => ({
      license,
      count: g.members.length,
      unusual: g.unusual,
      packages: g.unusual ? [...new Set(g.members)].sort() : [],
    }))
    .sort((a, b) => Number(a.unusual) - Number(b.unusual) || b.count - a.count || a.license.localeCompare(b.license));
}
