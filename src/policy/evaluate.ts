/**
 * The policy gate, pure: inventories + config in, violations and diagnostics out.
 *
 * Every package that is not first-party (`isRoot`, or a member of the project's own workspace) is judged on:
 * - license: the declared expression (or a still-valid clarification) normalised, then checked with
 *   spdx-satisfies against `licenses.allow` plus the package's `exceptions`; an absent, unknown or
 *   invalid expression is reported as such and never allowed;
 * - source: crates from crates.io (or `sources.allowRegistries`), npm packages from
 *   `sources.npmRegistries`; git sources only from `sources.allowGit`, path sources only for
 *   `sources.allowPath`;
 * - bans: `ban` rules (name, optional semver range and ecosystem);
 * - duplicates: more than one version of a name in an ecosystem (`duplicates.level`, warn by default).
 *
 * With no policy configured (`config.file === null`) nothing is judged against an allow list that
 * nobody wrote: the outcome is a report — the licenses found, grouped (`licenses`), source and
 * duplicate findings as warnings — and `ok`; a note says how to configure one (`napi-ship policy --init`).
 */
import semver from 'semver';
import type { AreaCode, Diagnostic, Outcome, Severity } from '../diagnostics/index.js';
import { normalizeLicense } from '../license/expression.js';
import { licensesNeeded, satisfiesAllowList } from '../license/satisfies.js';
import { licenseGroups, type LicenseGroup } from './licenses.js';
import { DEFAULT_REGISTRY } from '../registry/url.js';
import type { Ecosystem, Inventory, InventoryPackage } from '../sbom/inventory.js';
import {
  CRATES_IO_INDEXES,
  normalizeFilePath,
  type Clarification,
  type LicenseException,
  type PackageMatcher,
  type PolicyConfig,
} from '../config/policy.js';

export type PolicyCheck = 'license' | 'clarify' | 'source' | 'ban' | 'duplicate';

/** One finding about one package (or, for duplicates, one name). */
export interface PolicyViolation {
  readonly check: PolicyCheck;
  readonly code: AreaCode<'policy'>;
  /** `error` fails the gate; `warning` (duplicates by default) is reported only. */
  readonly severity: Severity;
  readonly ecosystem: Ecosystem;
  readonly package: string;
  /** The version; for a duplicate, every version found, comma-separated. */
  readonly version: string;
  /** `null` for a duplicate (several packages). */
  readonly purl: string | null;
  /** The license field as the package declares it. */
  readonly declared: string | null;
  /** The expression the policy judged (normalised, or the clarified one); `null` when there is none. */
  readonly expression: string | null;
  /** The licenses this package may use: the allow list plus its exceptions. */
  readonly allow: readonly string[];
  /** Where it comes from: `registry https://…`, `git https://…`, `path ../x`. */
  readonly source: string | null;
  /** Packages that depend on it directly (`name@version`), to find what pulls it in. */
  readonly requiredBy: readonly string[];
  readonly message: string;
  /** How to fix it, naming the config key to add when the fix is to accept it. */
  readonly hint: string;
}

/** The license the policy concluded for each package, for the SBOM's `licenseConcluded`. */
export interface PolicyPackageResult {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  /** First-party: `isRoot` or a workspace member (not judged). */
  readonly firstParty: boolean;
  readonly declared: string | null;
  /** The clarified expression if a clarification holds, else the normalised declared one; `null` when unknown/invalid. */
  readonly expression: string | null;
  readonly clarified: boolean;
  /** Why `expression` differs from what is declared (clarification), for `licenseComments`; else `null`. */
  readonly comment: string | null;
  /** The license verdict; `null` for first-party packages and when no policy is configured (nothing judged). */
  readonly licenseAllowed: boolean | null;
}

export interface PolicyVerdict {
  readonly violations: PolicyViolation[];
  /** How many packages were judged (first-party packages — roots, workspace members — are not). */
  readonly checked: number;
  readonly packages: PolicyPackageResult[];
  /** The allow list that was applied, and where the policy came from. */
  readonly allow: readonly string[];
  readonly configFile: string | null;
  /** False when no policy is configured: then this is a report (licenses found), nothing is denied, and `ok`. */
  readonly configured: boolean;
  /** The licenses of the packages judged, grouped (license → count), the unusual ones with their packages named. */
  readonly licenses: readonly LicenseGroup[];
}

/**
 * The policy stage's outcome: `ok` is "no violation of severity error"; `diagnostics` are one per
 * violation (same order), then notes about the config (unused rules, no policy).
 */
export type PolicyOutcome = Outcome<PolicyVerdict>;

function matches(p: InventoryPackage, m: PackageMatcher): boolean {
  if (p.name !== m.name) return false;
  if (m.ecosystem !== undefined && m.ecosystem !== p.ecosystem) return false;
  if (m.version === undefined) return true;
  return semver.valid(p.version) !== null && semver.satisfies(p.version, m.version, { includePrerelease: true });
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** `https://github.com/Org/Repo.git?rev=x#sha` and `git+ssh://git@github.com/Org/Repo` → `github.com/org/repo`. */
export function gitKey(url: string): string {
  let s = url
    .trim()
    .replace(/^git\+/, '')
    .replace(/[?#].*$/, '');
  const shorthand = /^(github|gitlab|bitbucket):(.+)$/.exec(s);
  if (shorthand) s = `https://${shorthand[1] === 'bitbucket' ? 'bitbucket.org' : `${shorthand[1] ?? ''}.com`}/${shorthand[2] ?? ''}`;
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(s);
  if (scp) s = `ssh://${scp[1] ?? ''}/${scp[2] ?? ''}`;
  try {
    const u = new URL(s);
    return `${u.hostname}${u.pathname}`
      .replace(/\/+$/, '')
      .replace(/\.git$/, '')
      .toLowerCase();
  } catch {
    return s
      .replace(/\/+$/, '')
      .replace(/\.git$/, '')
      .toLowerCase();
  }
}

/** `registry+https://x/`, `sparse+https://x` → `https://x` (scheme and case of the host normalised). */
export function registryKey(url: string): string {
  const s = url.trim().replace(/^(registry|sparse)\+/, '');
  try {
    const u = new URL(s);
    return `${u.protocol}//${u.host}${u.pathname}`.replace(/\/+$/, '');
  } catch {
    return s.replace(/\/+$/, '');
  }
}

function underKey(key: string, prefix: string): boolean {
  return key === prefix || key.startsWith(`${prefix}/`);
}

function sourceText(p: InventoryPackage): string {
  return `${p.source.kind}${p.source.location === null ? '' : ` ${p.source.location}`}`;
}

interface Finding {
  readonly check: PolicyCheck;
  readonly code: AreaCode<'policy'>;
  readonly severity: Severity;
  readonly message: string;
  readonly hint: string;
  readonly expression?: string | null;
  readonly allow?: readonly string[];
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

export function evaluatePolicy(inventories: readonly Inventory[], config: PolicyConfig): PolicyOutcome {
  const key = config.key;
  // No policy written: report what ships, judge nothing against an allow list nobody chose.
  const configured = config.file !== null;
  const where = config.file === null ? 'the root package.json' : config.file;
  const allowText = (list: readonly string[]): string => (list.length === 0 ? '(nothing allowed)' : list.join(', '));
  const violations: PolicyViolation[] = [];
  const packages: PolicyPackageResult[] = [];
  const usedExceptions = new Set<LicenseException>();
  const usedClarify = new Set<Clarification>();

  // Each package once, even when two inventories of one ecosystem both list it.
  const seen = new Set<string>();
  const all: InventoryPackage[] = [];
  const requiredBy = new Map<string, Set<string>>();
  for (const inventory of inventories) {
    for (const p of inventory.packages) {
      for (const dep of p.dependsOn) {
        const set = requiredBy.get(dep) ?? new Set<string>();
        set.add(`${p.name}@${p.version}`);
        requiredBy.set(dep, set);
      }
      const id = [p.ecosystem, p.purl, p.source.kind, p.source.location ?? ''].join('\0');
      if (seen.has(id)) continue;
      seen.add(id);
      all.push(p);
    }
  }

  const report = (p: InventoryPackage, f: Finding, declared: string | null): void => {
    violations.push({
      check: f.check,
      code: f.code,
      // Unconfigured: a finding is worth knowing (a git source), but no policy was broken.
      severity: configured ? f.severity : f.severity === 'error' ? 'warning' : f.severity,
      ecosystem: p.ecosystem,
      package: p.name,
      version: p.version,
      purl: p.purl,
      declared,
      expression: f.expression ?? null,
      allow: f.allow ?? config.licenses.allow,
      source: sourceText(p),
      requiredBy: [...(requiredBy.get(p.purl) ?? [])].sort(),
      message: f.message,
      hint: f.hint,
    });
  };

  let checked = 0;
  for (const p of all) {
    if (firstParty(p)) {
      const n = normalizeLicense(p.licenseRaw);
      packages.push({
        ecosystem: p.ecosystem,
        name: p.name,
        version: p.version,
        purl: p.purl,
        firstParty: true,
        declared: p.licenseRaw,
        expression: n.expression,
        clarified: false,
        comment: null,
        licenseAllowed: null,
      });
      continue;
    }
    checked += 1;
    const license = judgeLicense(p);
    packages.push(configured ? license.result : { ...license.result, licenseAllowed: null });
    // Unconfigured: licenses are listed (grouped, unusual ones named), not denied one by one.
    if (configured) for (const f of license.findings) report(p, f, p.licenseRaw);
    for (const f of judgeSource(p)) report(p, f, p.licenseRaw);
    for (const rule of config.ban) {
      if (!matches(p, rule)) continue;
      const by = [...(requiredBy.get(p.purl) ?? [])].sort();
      report(
        p,
        {
          check: 'ban',
          code: 'NS_POLICY_BANNED',
          severity: 'error',
          message: `${p.name}@${p.version} is banned${rule.reason === undefined ? '' : `: ${rule.reason}`}`,
          hint: `remove the dependency${by.length > 0 ? ` (required by ${by.join(', ')})` : ''}, or lift the ban in ${key}.ban (${where})`,
        },
        p.licenseRaw,
      );
    }
  }

  violations.push(
    ...duplicates(all.filter((p) => !firstParty(p))).map((v) =>
      configured || v.severity !== 'error' ? v : { ...v, severity: 'warning' as const },
    ),
  );

  violations.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.ecosystem.localeCompare(b.ecosystem) ||
      a.package.localeCompare(b.package) ||
      a.version.localeCompare(b.version) ||
      a.code.localeCompare(b.code),
  );

  const diagnostics: Diagnostic[] = violations.map((v) => ({
    code: v.code,
    severity: v.severity,
    subject: `${v.ecosystem} ${v.package}@${v.version}`,
    message: v.message,
    hint: v.hint,
    ...(v.check === 'license' ? { expected: allowText(v.allow), found: v.expression ?? v.declared ?? '(none)' } : {}),
  }));
  const judged = packages.filter((p) => !p.firstParty);
  const licenses = licenseGroups(judged);
  if (!configured) {
    const unusual = licenses.filter((g) => g.unusual).reduce((n, g) => n + g.count, 0);
    diagnostics.push({
      code: 'NS_POLICY_NOT_CONFIGURED',
      severity: 'note',
      subject: 'package.json',
      message: `no license policy is configured: ${String(judged.length)} package(s) reported under ${String(licenses.length)} license(s)${unusual > 0 ? ` (${String(unusual)} under unusual ones, named)` : ''}, nothing judged`,
      hint: 'run `napi-ship policy --init` to see a starter policy made from these licenses, and `napi-ship policy --init --yes` to write it to `napiShip.policy` in package.json (see docs/config.md#napishippolicy)',
    });
  }
  config.licenses.exceptions.forEach((e, i) => {
    if (!usedExceptions.has(e)) diagnostics.push(unused(`${key}.licenses.exceptions[${i}]`, e));
  });
  config.licenses.clarify.forEach((c, i) => {
    if (!usedClarify.has(c)) diagnostics.push(unused(`${key}.licenses.clarify[${i}]`, c));
  });

  return {
    ok: !violations.some((v) => v.severity === 'error'),
    diagnostics,
    result: {
      violations,
      checked,
      packages: packages.sort(
        (a, b) => a.ecosystem.localeCompare(b.ecosystem) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
      ),
      allow: config.licenses.allow,
      configFile: config.file,
      configured,
      licenses,
    },
  };

  function unused(at: string, m: PackageMatcher): Diagnostic {
    return {
      code: 'NS_POLICY_UNUSED',
      severity: 'note',
      subject: where,
      message: `\`${at}\` (${m.name}${m.version === undefined ? '' : ` ${m.version}`}) matches no package checked`,
      hint: 'remove it if the dependency is gone',
    };
  }

  function judgeLicense(p: InventoryPackage): { result: PolicyPackageResult; findings: Finding[] } {
    const findings: Finding[] = [];
    const base = { ecosystem: p.ecosystem, name: p.name, version: p.version, purl: p.purl, firstParty: false, declared: p.licenseRaw };
    const exceptions = config.licenses.exceptions.filter((e) => matches(p, e));
    for (const e of exceptions) usedExceptions.add(e);
    const allow = [...new Set([...config.licenses.allow, ...exceptions.flatMap((e) => e.allow)])];
    const coordinates = `{ "name": ${quote(p.name)}, "version": ${quote(p.version)}, "ecosystem": ${quote(p.ecosystem)}`;

    let expression: string | null = null;
    let clarified = false;
    let comment: string | null = null;
    const clarification = config.licenses.clarify.find((c) => matches(p, c));
    if (clarification !== undefined) {
      usedClarify.add(clarification);
      const problems = clarification.licenseFiles.flatMap((f) => {
        const found = p.licenseFiles.find((pf) => normalizeFilePath(pf.path) === f.path);
        if (found === undefined) return [`${f.path} is not among its license files`];
        return found.sha256.toLowerCase() === f.sha256 ? [] : [`${f.path} has sha256 ${found.sha256.toLowerCase()}, not ${f.sha256}`];
      });
      if (problems.length === 0) {
        expression = clarification.expression;
        clarified = true;
        comment = `Declared license ${p.licenseRaw === null ? '(none)' : quote(p.licenseRaw)}; concluded ${quote(clarification.expression)} by the policy's clarification, justified by ${clarification.licenseFiles.map((f) => `${f.path} (sha256 ${f.sha256})`).join(', ')}.`;
      } else {
        findings.push({
          check: 'clarify',
          code: 'NS_POLICY_CLARIFY_STALE',
          severity: 'error',
          expression: clarification.expression,
          allow,
          message: `the clarification of ${p.name} no longer holds: ${problems.join('; ')}`,
          hint: `read the license of ${p.name}@${p.version} again; if ${quote(clarification.expression)} still applies, update the licenseFiles of its entry in ${key}.licenses.clarify (${where})${filesSuggestion(p)}`,
        });
      }
    }

    if (!clarified) {
      const n = normalizeLicense(p.licenseRaw);
      expression = n.expression;
      if (n.expression === null) {
        const unknown = n.problem === 'absent' || n.problem === 'not-spdx' || n.problem === 'unknown-id';
        findings.push({
          check: 'license',
          code: unknown ? 'NS_POLICY_LICENSE_UNKNOWN' : 'NS_POLICY_LICENSE_INVALID',
          severity: 'error',
          expression: null,
          allow,
          message:
            n.problem === 'absent'
              ? `license unknown: ${n.reason ?? 'none declared'}`
              : `license ${p.licenseRaw === null ? '' : `${quote(p.licenseRaw)} `}is ${unknown ? 'unknown' : 'invalid'}: ${n.reason ?? ''}`,
          hint: `have the package declare an SPDX expression upstream; meanwhile, once you have read its license, add ${coordinates}, "expression": "<SPDX expression>", "licenseFiles": [${licenseFilesJson(p)}] } to ${key}.licenses.clarify (${where})`,
        });
      }
    }

    let allowed = false;
    if (expression !== null) {
      allowed = satisfiesAllowList(expression, allow);
      if (!allowed) {
        const missing = licensesNeeded(expression, allow);
        const declaredNote = clarified
          ? ` (clarified; declared ${p.licenseRaw === null ? 'none' : quote(p.licenseRaw)})`
          : p.licenseRaw !== null && p.licenseRaw.trim() !== expression
            ? ` (declared ${quote(p.licenseRaw)})`
            : '';
        findings.push({
          check: 'license',
          code: 'NS_POLICY_LICENSE_DENIED',
          severity: 'error',
          expression,
          allow,
          message: `license ${quote(expression)}${declaredNote} is not allowed`,
          hint: `if its terms are acceptable, add ${missing.map(quote).join(' and ')} to ${key}.licenses.allow, or allow ${missing.length === 1 ? 'it' : 'them'} for this package only: add ${coordinates}, "allow": [${missing.map(quote).join(', ')}] } to ${key}.licenses.exceptions (${where}); otherwise drop the dependency`,
        });
      }
    }
    return { result: { ...base, expression, clarified, comment, licenseAllowed: allowed }, findings };
  }

  function judgeSource(p: InventoryPackage): Finding[] {
    const { kind, location } = p.source;
    const sources = config.sources;
    const keyOf = `${key}.sources`;
    if (kind === 'git') {
      const at = location ?? '(unknown repository)';
      if (location !== null && sources.allowGit.some((g) => underKey(gitKey(location), gitKey(g)))) return [];
      return [
        {
          check: 'source',
          code: 'NS_POLICY_SOURCE_GIT',
          severity: 'error',
          message: `comes from git (${at}), not from a registry`,
          hint: `depend on a published release instead, or allow the repository: add ${quote(location === null ? '<repository URL>' : repositoryUrl(location))} to ${keyOf}.allowGit (${where})`,
        },
      ];
    }
    if (kind === 'path') {
      if (sources.allowPath.includes(p.name)) return [];
      return [
        {
          check: 'source',
          code: 'NS_POLICY_SOURCE_PATH',
          severity: 'error',
          message: `comes from a local path (${location ?? 'unknown'}), not from a registry`,
          hint: `publish it and depend on the release, make it part of the package being released, or add ${quote(p.name)} to ${keyOf}.allowPath (${where})`,
        },
      ];
    }
    // npm: a tarball URL outside the registry the lockfile reader expected is `other`; judge it by URL.
    if (kind === 'other' && !(p.ecosystem === 'npm' && location !== null && /^https?:\/\//.test(location))) {
      return [
        {
          check: 'source',
          code: 'NS_POLICY_SOURCE_UNKNOWN',
          severity: 'error',
          message: `comes from a source the policy cannot check (${location ?? 'unknown'})`,
          hint: `depend on it from ${p.ecosystem === 'cargo' ? 'crates.io' : 'the npm registry'}`,
        },
      ];
    }
    if (p.ecosystem === 'cargo') {
      const allowed = [...CRATES_IO_INDEXES, ...sources.allowRegistries].map(registryKey);
      if (location !== null && allowed.includes(registryKey(location))) return [];
      return [
        {
          check: 'source',
          code: 'NS_POLICY_SOURCE_REGISTRY',
          severity: 'error',
          message: `comes from the registry ${location ?? '(unknown)'}, not crates.io`,
          hint: `depend on it from crates.io, or allow the registry: add ${quote(location ?? '<index URL>')} to ${keyOf}.allowRegistries (${where})`,
        },
      ];
    }
    // npm: the registry URL, or failing that the tarball URL, must sit under a configured registry.
    const url = location ?? p.downloadLocation;
    if (url === null) return [];
    const registries = sources.npmRegistries.map(registryKey);
    // yarn 1 records registry.yarnpkg.com, yarn's mirror of the npm registry: the same packages.
    if (registries.includes(registryKey(DEFAULT_REGISTRY))) registries.push(registryKey('https://registry.yarnpkg.com/'));
    if (registries.some((r) => underKey(registryKey(url), r))) return [];
    return [
      {
        check: 'source',
        code: 'NS_POLICY_SOURCE_REGISTRY',
        severity: 'error',
        message: `comes from ${url}, not from ${sources.npmRegistries.join(' or ')}`,
        hint: `install it from the configured registry, or add its registry to ${keyOf}.npmRegistries (${where})`,
      },
    ];
  }

  function duplicates(list: readonly InventoryPackage[]): PolicyViolation[] {
    if (config.duplicates.level === 'allow') return [];
    const groups = new Map<string, InventoryPackage[]>();
    for (const p of list) {
      const k = `${p.ecosystem}\0${p.name}`;
      groups.set(k, [...(groups.get(k) ?? []), p]);
    }
    const out: PolicyViolation[] = [];
    for (const group of groups.values()) {
      const first = group[0];
      if (first === undefined || config.duplicates.skip.includes(first.name)) continue;
      const versions = [...new Set(group.map((p) => p.version))].sort(compareVersions);
      if (versions.length < 2) continue;
      const by = versions.map((v) => {
        const users = group.filter((p) => p.version === v).flatMap((p) => [...(requiredBy.get(p.purl) ?? [])]);
        return users.length > 0 ? `${v} ← ${[...new Set(users)].sort().join(', ')}` : v;
      });
      out.push({
        check: 'duplicate',
        code: 'NS_POLICY_DUPLICATE',
        severity: config.duplicates.level === 'error' ? 'error' : 'warning',
        ecosystem: first.ecosystem,
        package: first.name,
        version: versions.join(', '),
        purl: null,
        declared: null,
        expression: null,
        allow: config.licenses.allow,
        source: null,
        requiredBy: [...new Set(group.flatMap((p) => [...(requiredBy.get(p.purl) ?? [])]))].sort(),
        message: `${versions.length} versions of ${first.name} ship: ${by.join('; ')}`,
        hint: `move the dependents to one version of ${first.name}, or accept it: add ${quote(first.name)} to ${key}.duplicates.skip (${where})`,
      });
    }
    return out;
  }
}

/** The project's own packages (released roots, workspace members) are not judged: the policy is about dependencies. */
function firstParty(p: InventoryPackage): boolean {
  return p.isRoot || p.workspaceMember === true;
}

function compareVersions(a: string, b: string): number {
  return semver.valid(a) !== null && semver.valid(b) !== null ? semver.compare(a, b) : a.localeCompare(b);
}

/** The repository part of a git source (no `git+`, no `?rev=`/`#sha`), for an `allowGit` entry. */
function repositoryUrl(location: string): string {
  return location.replace(/^git\+/, '').replace(/[?#].*$/, '');
}

function licenseFilesJson(p: InventoryPackage): string {
  if (p.licenseFiles.length === 0) return '{ "path": "<license file>", "sha256": "<its sha256>" }';
  return p.licenseFiles
    .map((f) => `{ "path": ${quote(normalizeFilePath(f.path))}, "sha256": ${quote(f.sha256.toLowerCase())} }`)
    .join(', ');
}

function filesSuggestion(p: InventoryPackage): string {
  return p.licenseFiles.length === 0 ? '; the package now has no license file' : `; its license files now: [${licenseFilesJson(p)}]`;
}
