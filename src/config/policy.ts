/**
 * The policy section: the value of `napiShip.policy` in the root package.json, or of `policy` in
 * `napi-ship.config.json` next to it. Parsed strictly: an unknown key, a license id the SPDX list
 * does not spell that way, a bad version range or hash is `NS_CONFIG_INVALID` with the key path and a
 * hint; every problem is reported at once.
 */
import semver from 'semver';
import { DiagnosticError } from '../diagnostics/index.js';
import { allowEntryProblem, normalizeLicense } from '../license/expression.js';
import { DEFAULT_REGISTRY } from '../registry/url.js';
import { ConfigReader } from './reader.js';

/** Where a package comes from: crates (Cargo) or npm. */
export type Ecosystem = 'cargo' | 'npm';

const DOCS = 'see docs/config.md#napishippolicy';

/** The policy's keys, and those of its two object-valued sections (documented as `licenses.allow`, …). */
export const POLICY_KEYS = {
  policy: ['licenses', 'sources', 'ban', 'duplicates'],
  licenses: ['allow', 'exceptions', 'clarify'],
  sources: ['allowGit', 'allowRegistries', 'allowPath', 'npmRegistries'],
} as const;

export const CRATES_IO_INDEXES: readonly string[] = ['https://github.com/rust-lang/crates.io-index', 'sparse+https://index.crates.io/'];

/** Which packages a rule is about: a name, optionally narrowed to an ecosystem and a semver range. */
export interface PackageMatcher {
  readonly name: string;
  /** A semver range (`1.2.3`, `^0.17`, `<2`); absent = every version. */
  readonly version?: string;
  /** `cargo` or `npm`; absent = both. */
  readonly ecosystem?: Ecosystem;
}

/** Extra licenses allowed for one package (and only it). */
export interface LicenseException extends PackageMatcher {
  readonly allow: readonly string[];
}

/** A license file and the hash that justifies a clarification (as cargo-deny's `clarify`). */
export interface ClarifyFile {
  readonly path: string;
  /** Lower-case hex sha256 of the file's bytes. */
  readonly sha256: string;
}

/** The real license of a package whose license field is missing or wrong, valid while its files hash the same. */
export interface Clarification extends PackageMatcher {
  /** The normalised SPDX expression that applies instead of the declared one. */
  readonly expression: string;
  readonly licenseFiles: readonly ClarifyFile[];
}

export interface BanRule extends PackageMatcher {
  readonly reason?: string;
}

export type DuplicateLevel = 'allow' | 'warn' | 'error';

export interface PolicyConfig {
  /** The file the policy was read from; `null` when none is configured (then nothing is allowed). */
  readonly file: string | null;
  /** The config key the policy sits under in `file`: `napiShip.policy` (package.json) or `policy`. Hints name keys under it. */
  readonly key: string;
  readonly licenses: {
    /** SPDX ids (with `+` or `WITH <exception>` where meant), exactly as the SPDX list spells them. */
    readonly allow: readonly string[];
    readonly exceptions: readonly LicenseException[];
    readonly clarify: readonly Clarification[];
  };
  readonly sources: {
    /** Git repositories (or whole orgs: `https://github.com/org`) crates/npm packages may come from. */
    readonly allowGit: readonly string[];
    /** Cargo registries allowed besides crates.io (index URLs as in Cargo.lock). */
    readonly allowRegistries: readonly string[];
    /** Names of non-workspace packages allowed to come from a local path. */
    readonly allowPath: readonly string[];
    /** The npm registries npm packages may come from (default: registry.npmjs.org). */
    readonly npmRegistries: readonly string[];
  };
  readonly ban: readonly BanRule[];
  readonly duplicates: { readonly level: DuplicateLevel; readonly skip: readonly string[] };
}

/** The policy when none is configured: no license allowed, crates.io and registry.npmjs.org only, duplicates warned. */
export function defaultPolicyConfig(file: string | null = null, key = 'napiShip.policy'): PolicyConfig {
  return {
    file,
    key,
    licenses: { allow: [], exceptions: [], clarify: [] },
    sources: { allowGit: [], allowRegistries: [], allowPath: [], npmRegistries: [DEFAULT_REGISTRY] },
    ban: [],
    duplicates: { level: 'warn', skip: [] },
  };
}

function licenseList(r: ConfigReader, value: unknown, key: string): string[] {
  const list = r.strings(value, key, 'e.g. ["MIT", "Apache-2.0"]');
  return list.filter((entry, i) => {
    const problem = allowEntryProblem(entry);
    if (problem !== null)
      r.fail(
        `${key}[${i}]`,
        `is not an SPDX license id: ${problem}`,
        'ids as on https://spdx.org/licenses/, one license per entry (`Apache-2.0 WITH LLVM-exception` is one)',
      );
    return problem === null;
  });
}

function readMatcher(r: ConfigReader, value: Record<string, unknown>, key: string): PackageMatcher | null {
  const { name, version, ecosystem } = value;
  if (typeof name !== 'string' || name.trim() === '') {
    r.fail(`${key}.name`, 'must be the package name', 'e.g. { "name": "ring", "version": "^0.17", "ecosystem": "cargo" }');
    return null;
  }
  if (version !== undefined && (typeof version !== 'string' || semver.validRange(version) === null)) {
    r.fail(`${key}.version`, 'must be a semver version or range', 'e.g. "0.17.8", "^0.17" or ">=1, <3"; leave it out for every version');
    return null;
  }
  if (ecosystem !== undefined && ecosystem !== 'cargo' && ecosystem !== 'npm') {
    r.fail(`${key}.ecosystem`, 'must be "cargo" or "npm"', 'leave it out to match both');
    return null;
  }
  return { name: name.trim(), ...(version === undefined ? {} : { version }), ...(ecosystem === undefined ? {} : { ecosystem }) };
}

function readLicenses(r: ConfigReader, raw: unknown, key: string): PolicyConfig['licenses'] {
  const value = r.record(raw, key, 'e.g. "licenses": { "allow": ["MIT", "Apache-2.0"] }');
  if (value === null) return { allow: [], exceptions: [], clarify: [] };
  r.keys(value, key, POLICY_KEYS.licenses, 'policy');
  const allow = licenseList(r, value.allow, `${key}.allow`);
  const exceptions: LicenseException[] = [];
  r.list(value.exceptions, `${key}.exceptions`, 'e.g. [{ "name": "ring", "allow": ["OpenSSL"] }]').forEach((item, i) => {
    const k = `${key}.exceptions[${i}]`;
    const entry = r.record(item, k, 'e.g. { "name": "ring", "allow": ["OpenSSL"] }');
    if (entry === null) return;
    r.keys(entry, k, ['name', 'version', 'ecosystem', 'allow'], 'policy');
    const matcher = readMatcher(r, entry, k);
    if (entry.allow === undefined || (Array.isArray(entry.allow) && entry.allow.length === 0)) {
      r.fail(`${k}.allow`, 'must list the licenses this package may use besides the allow list', 'e.g. "allow": ["OpenSSL"]');
    }
    const extra = licenseList(r, entry.allow, `${k}.allow`);
    if (matcher !== null && extra.length > 0) exceptions.push({ ...matcher, allow: extra });
  });
  const clarify: Clarification[] = [];
  r.list(
    value.clarify,
    `${key}.clarify`,
    'e.g. [{ "name": "foo", "expression": "MIT", "licenseFiles": [{ "path": "LICENSE", "sha256": "…" }] }]',
  ).forEach((item, i) => {
    const k = `${key}.clarify[${i}]`;
    const entry = r.record(
      item,
      k,
      'e.g. { "name": "foo", "version": "1.0.0", "expression": "MIT", "licenseFiles": [{ "path": "LICENSE", "sha256": "…" }] }',
    );
    if (entry === null) return;
    r.keys(entry, k, ['name', 'version', 'ecosystem', 'expression', 'licenseFiles'], 'policy');
    const matcher = readMatcher(r, entry, k);
    let expression: string | null = null;
    if (typeof entry.expression !== 'string') {
      r.fail(`${k}.expression`, 'must be the SPDX expression that really applies', 'e.g. "MIT OR Apache-2.0"');
    } else {
      const n = normalizeLicense(entry.expression);
      if (n.expression === null)
        r.fail(`${k}.expression`, `is not a valid SPDX expression: ${n.reason ?? ''}`, 'write it with ids from https://spdx.org/licenses/');
      expression = n.expression;
    }
    const files: ClarifyFile[] = [];
    const rawFiles = r.list(entry.licenseFiles, `${k}.licenseFiles`, 'e.g. [{ "path": "LICENSE", "sha256": "…" }]');
    if (rawFiles.length === 0) {
      r.fail(
        `${k}.licenseFiles`,
        'must list at least one license file with its sha256',
        "a clarification holds only while the file that justifies it is unchanged; `napi-ship policy` prints the hashes of a package's license files",
      );
    }
    rawFiles.forEach((f, j) => {
      const fk = `${k}.licenseFiles[${j}]`;
      const file = r.record(f, fk, '{ "path": "LICENSE", "sha256": "<64 hex digits>" }');
      if (file === null) return;
      r.keys(file, fk, ['path', 'sha256'], 'policy');
      if (typeof file.path !== 'string' || file.path.trim() === '') {
        r.fail(`${fk}.path`, 'must be the file path inside the package', 'e.g. "LICENSE"');
      } else if (typeof file.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(file.sha256)) {
        r.fail(`${fk}.sha256`, 'must be 64 hex digits', 'e.g. the output of `sha256sum LICENSE`');
      } else {
        files.push({ path: normalizeFilePath(file.path), sha256: file.sha256.toLowerCase() });
      }
    });
    if (matcher !== null && expression !== null && files.length > 0 && files.length === rawFiles.length)
      clarify.push({ ...matcher, expression, licenseFiles: files });
  });
  return { allow, exceptions, clarify };
}

function readSources(r: ConfigReader, raw: unknown, key: string): PolicyConfig['sources'] {
  const value = r.record(raw, key, 'e.g. "sources": { "allowGit": ["https://github.com/org/repo"] }');
  if (value === null) return defaultPolicyConfig().sources;
  r.keys(value, key, POLICY_KEYS.sources, 'policy');
  const urls = (k: string, example: string): string[] => {
    const list = r.strings(value[k], `${key}.${k}`, `e.g. ["${example}"]`);
    return list.filter((u, i) => {
      const ok = canParseUrl(u);
      if (!ok) r.fail(`${key}.${k}[${i}]`, `is not a URL: "${u}"`, `e.g. "${example}"`);
      return ok;
    });
  };
  const npmRegistries = urls('npmRegistries', DEFAULT_REGISTRY);
  return {
    allowGit: urls('allowGit', 'https://github.com/org/repo'),
    allowRegistries: urls('allowRegistries', 'sparse+https://my-registry.example/index/'),
    allowPath: r.strings(value.allowPath, `${key}.allowPath`, 'package names, e.g. ["my-local-crate"]'),
    npmRegistries: value.npmRegistries === undefined ? [DEFAULT_REGISTRY] : npmRegistries,
  };
}

function readBan(r: ConfigReader, raw: unknown, key: string): BanRule[] {
  const out: BanRule[] = [];
  r.list(raw, key, 'e.g. [{ "name": "openssl-sys", "reason": "use rustls" }]').forEach((item, i) => {
    const k = `${key}[${i}]`;
    const entry = typeof item === 'string' ? { name: item } : r.record(item, k, 'e.g. { "name": "openssl-sys", "version": "<0.9" }');
    if (entry === null) return;
    r.keys(entry, k, ['name', 'version', 'ecosystem', 'reason'], 'policy');
    const matcher = readMatcher(r, entry, k);
    if (entry.reason !== undefined && typeof entry.reason !== 'string')
      r.fail(`${k}.reason`, 'must be a string', 'why it is banned, shown in the report');
    if (matcher !== null) out.push({ ...matcher, ...(typeof entry.reason === 'string' ? { reason: entry.reason } : {}) });
  });
  return out;
}

function readDuplicates(r: ConfigReader, raw: unknown, key: string): PolicyConfig['duplicates'] {
  const levels: readonly DuplicateLevel[] = ['allow', 'warn', 'error'];
  const hint = '"warn" (default), "error" or "allow", or { "level": "error", "skip": ["windows-sys"] }';
  const level = (v: unknown, k: string): DuplicateLevel => {
    if (v === undefined) return 'warn';
    const found = levels.find((l) => l === v);
    if (found === undefined) r.fail(k, 'must be "allow", "warn" or "error"', hint);
    return found ?? 'warn';
  };
  if (raw === undefined || typeof raw === 'string') return { level: level(raw, key), skip: [] };
  const value = r.record(raw, key, hint);
  if (value === null) return { level: 'warn', skip: [] };
  r.keys(value, key, ['level', 'skip'], 'policy');
  return { level: level(value.level, `${key}.level`), skip: r.strings(value.skip, `${key}.skip`, 'package names, e.g. ["windows-sys"]') };
}

function canParseUrl(u: string): boolean {
  try {
    new URL(u.replace(/^(registry|sparse|git)\+/, ''));
    return true;
  } catch {
    return false;
  }
}

/** `./LICENSE`, `sub\LICENSE` → `LICENSE`, `sub/LICENSE`: how clarify paths and inventory paths are compared. */
export function normalizeFilePath(p: string): string {
  return p
    .trim()
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '');
}

/** Read a policy object into `r` (problems are recorded there); `null` when it is not an object. */
export function readPolicySection(r: ConfigReader, raw: unknown, key: string): PolicyConfig | null {
  const value = r.record(raw, key, 'e.g. { "licenses": { "allow": ["MIT", "Apache-2.0"] } }');
  if (value === null) {
    if (raw === undefined) r.fail(key, 'is missing', DOCS);
    return null;
  }
  r.keys(value, key, POLICY_KEYS.policy, 'policy');
  return {
    file: r.file,
    key,
    licenses: readLicenses(r, value.licenses, `${key}.licenses`),
    sources: readSources(r, value.sources, `${key}.sources`),
    ban: readBan(r, value.ban, `${key}.ban`),
    duplicates: readDuplicates(r, value.duplicates, `${key}.duplicates`),
  };
}

/**
 * Parse a policy object (the value of `napiShip.policy` or of `policy` in napi-ship.config.json).
 * `file` and `key` say where it came from, for messages and hints. Throws `DiagnosticError`
 * (`NS_CONFIG_INVALID`, one diagnostic per problem).
 */
export function parsePolicyConfig(raw: unknown, file: string, key: string): PolicyConfig {
  const r = new ConfigReader(file, DOCS);
  const config = readPolicySection(r, raw, key);
  if (config === null || r.errors.length > 0) throw new DiagnosticError(r.errors);
  return config;
}
