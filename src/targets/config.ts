/**
 * Reading napi-rs v3 configuration (`napi.targets`, `napi.binaryName`, `napi.packageName`) out of a
 * root package.json object, with every problem reported as a diagnostic (pure: no I/O).
 *
 * Semantics follow @napi-rs/cli 3.10's `readNapiConfig`: `binaryName` defaults to `index`,
 * `packageName` to the package.json `name`; a cargo-zigbuild glibc pin (`x86_64-unknown-linux-gnu.2.17`)
 * names the same artifact as its base triple; older WASI spellings resolve to their canonical triple;
 * two entries naming the same artifact are duplicates. Where napi-ship is stricter: the v2 fields
 * (`napi.triples`, `napi.name`, `napi.package`) are errors instead of deprecation warnings, an empty
 * `napi.targets` is an error, and triples napi-rs does not list are errors (we cannot say what their
 * binaries must be). When `napi.targets` is absent napi-rs itself builds only for the host; a release
 * needs a fixed list, so we use napi-rs's `DEFAULT_TARGETS` (what `napi new` preselects).
 */
import { diagnostic, DiagnosticError, type Diagnostic } from '../diagnostics/index.js';
import { allTargets, DEFAULT_TARGETS, lookupTarget, TRIPLE_ALIASES, type TargetSpec } from './table.js';

/** The napi-rs v3 settings napi-ship needs from a root package.json. */
export interface NapiConfig {
  /** `napi.binaryName` (default `index`): the stem of every `.node` file. */
  readonly binaryName: string;
  /** `napi.packageName` (default: the package.json `name`): the prefix of every platform package. */
  readonly packageName: string;
  /** `napi.targets`, resolved, in configured order. */
  readonly targets: readonly TargetSpec[];
}

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Levenshtein distance (case-insensitive), for "did you mean" hints. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[t.length] ?? 0;
}

/** The known triple closest to `triple`, when it is close enough to be a typo. */
function nearestTriple(triple: string): string | undefined {
  const limit = Math.max(2, Math.floor(triple.length / 5));
  let best: { triple: string; d: number } | undefined;
  for (const candidate of [...allTargets().map((t) => t.triple), ...Object.keys(TRIPLE_ALIASES)]) {
    const d = distance(triple, candidate);
    if (d <= limit && (!best || d < best.d)) best = { triple: candidate, d };
  }
  return best?.triple;
}

function unknownTargetHint(triple: string): string {
  const byIdentity = allTargets().find((t) => t.platformArchABI === triple);
  if (byIdentity) {
    return `napi.targets takes Rust triples, not platformArchABI names: did you mean "${byIdentity.triple}"?`;
  }
  if (triple.endsWith('.json')) {
    return 'custom target specification files are not supported: napi-ship cannot say what their binaries must be';
  }
  const near = nearestTriple(triple);
  if (near) return `did you mean "${near}"?`;
  return `napi-ship knows the triples @napi-rs/cli lists: ${allTargets()
    .map((t) => t.triple)
    .join(', ')}`;
}

/** The triple cargo builds for an entry: a cargo-zigbuild `.2.17`-style suffix names the same artifact. */
function cargoTriple(entry: string): string {
  if (entry.endsWith('.json')) return entry;
  const dot = entry.indexOf('.');
  return dot === -1 ? entry : entry.slice(0, dot);
}

/** What a v2 `napi.triples` block means as a v3 `napi.targets` list, when it is well formed. */
function migratedTargets(triples: unknown): string[] | undefined {
  if (!isObject(triples)) return undefined;
  const additional = triples['additional'] ?? [];
  if (!Array.isArray(additional) || !additional.every((t): t is string => typeof t === 'string')) return undefined;
  return [...(triples['defaults'] === true ? DEFAULT_TARGETS : []), ...additional];
}

interface Context {
  readonly source: string | undefined;
  readonly problems: Diagnostic[];
}

function report(ctx: Context, d: Omit<Diagnostic, 'severity' | 'subject'>): void {
  ctx.problems.push(diagnostic(ctx.source === undefined ? d : { ...d, subject: ctx.source }));
}

/** The `napi` object of a package.json, or undefined (with a diagnostic when it is malformed). */
function napiSection(packageJson: unknown, ctx: Context): Json | undefined {
  if (!isObject(packageJson)) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG',
      message: `package.json is ${describe(packageJson)}, not an object`,
      hint: 'pass the parsed contents of the root package.json',
      expected: 'an object',
      found: describe(packageJson),
    });
    return undefined;
  }
  const napi = packageJson['napi'];
  if (napi === undefined) return {};
  if (!isObject(napi)) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG',
      message: `napi is ${describe(napi)}, not an object`,
      hint: 'write the napi-rs config as an object: "napi": { "binaryName": …, "targets": [ … ] }',
      expected: 'an object',
      found: describe(napi),
    });
    return undefined;
  }
  return napi;
}

function collectTargets(napi: Json, ctx: Context): TargetSpec[] {
  const raw = napi['targets'];

  if (napi['triples'] !== undefined) {
    const migrated = migratedTargets(napi['triples']);
    report(ctx, {
      code: 'NS_TARGET_CONFIG_V2',
      message: 'napi.triples is the napi-rs v2 target config; napi-rs v3 and napi-ship read napi.targets',
      hint:
        raw === undefined
          ? `replace napi.triples with napi.targets${migrated ? `: "targets": ${JSON.stringify(migrated)}` : ' (an array of Rust triples)'}`
          : 'remove napi.triples: napi.targets is already set and napi-rs v3 ignores napi.triples next to it',
      found: 'napi.triples',
    });
  }

  if (raw === undefined) {
    return napi['triples'] === undefined ? DEFAULT_TARGETS.map((t) => lookupTarget(t)).filter((t) => t !== undefined) : [];
  }
  if (!Array.isArray(raw)) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG',
      message: `napi.targets is ${describe(raw)}, not an array of target triples`,
      hint: 'write napi.targets as an array of Rust triples, e.g. ["x86_64-unknown-linux-gnu", "aarch64-apple-darwin"]',
      expected: 'an array of strings',
      found: describe(raw),
    });
    return [];
  }
  if (raw.length === 0) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG',
      message: 'napi.targets is empty: there is nothing to ship',
      hint: `list the Rust triples to release, e.g. ${JSON.stringify(DEFAULT_TARGETS)} (napi-rs's defaults)`,
      expected: 'at least one target triple',
      found: '[]',
    });
    return [];
  }

  const targets: TargetSpec[] = [];
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  const byArtifact = new Map<string, string>();
  raw.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string') {
      report(ctx, {
        code: 'NS_TARGET_CONFIG',
        message: `napi.targets[${index}] is ${describe(entry)}, not a target triple`,
        hint: 'every entry of napi.targets must be a Rust target triple string',
        expected: 'a string',
        found: describe(entry),
      });
      return;
    }
    if (seen.has(entry)) {
      if (!duplicated.has(entry)) {
        duplicated.add(entry);
        report(ctx, {
          code: 'NS_TARGET_DUPLICATE',
          target: entry,
          message: `napi.targets lists ${entry} more than once`,
          hint: `remove the repeated "${entry}"`,
        });
      }
      return;
    }
    seen.add(entry);
    const spec = lookupTarget(cargoTriple(entry));
    if (!spec) {
      report(ctx, {
        code: 'NS_TARGET_UNKNOWN',
        target: entry,
        message: `napi.targets lists ${entry}, a triple @napi-rs/cli does not know`,
        hint: unknownTargetHint(entry),
        found: entry,
      });
      return;
    }
    const previous = byArtifact.get(spec.platformArchABI);
    if (previous !== undefined) {
      report(ctx, {
        code: 'NS_TARGET_DUPLICATE',
        target: entry,
        message: `napi.targets lists ${previous} and ${entry}, which produce the same ${spec.platformArchABI} package`,
        hint: `keep one spelling: "${previous}" or "${entry}"`,
      });
      return;
    }
    byArtifact.set(spec.platformArchABI, entry);
    targets.push(spec);
  });
  return targets;
}

/**
 * The targets of a root package.json's napi-rs v3 config (`napi.targets`, or napi-rs's
 * `DEFAULT_TARGETS` when absent); throws one `DiagnosticError` carrying every problem found.
 */
export function readTargets(packageJson: unknown, source?: string): TargetSpec[] {
  const ctx: Context = { source, problems: [] };
  const napi = napiSection(packageJson, ctx);
  const targets = napi ? collectTargets(napi, ctx) : [];
  if (ctx.problems.length > 0) throw new DiagnosticError(ctx.problems);
  return targets;
}

function readName(napi: Json, key: 'binaryName' | 'packageName', fallback: unknown, ctx: Context): string | undefined {
  const value = napi[key] === undefined ? fallback : napi[key];
  if (typeof value === 'string' && value.trim() !== '') return value;
  const where = napi[key] === undefined ? `the package.json name (the default of napi.${key})` : `napi.${key}`;
  report(ctx, {
    code: 'NS_TARGET_CONFIG',
    message:
      value === undefined
        ? `napi.${key} is not set and the package.json has no name to default it to`
        : `${where} is ${describe(value)}, not a non-empty string`,
    hint:
      key === 'packageName'
        ? 'set napi.packageName (or the package.json name): platform packages are named `<packageName>-<platformArchABI>`'
        : 'set napi.binaryName to the stem of the .node files, e.g. "index"',
    expected: 'a non-empty string',
    found: value === undefined ? 'nothing' : describe(value),
  });
  return undefined;
}

/**
 * The napi-rs v3 config of a root package.json: `binaryName` (default `index`), `packageName`
 * (default: package.json `name`) and `targets`; throws one `DiagnosticError` with every problem.
 */
export function readNapiConfig(packageJson: unknown, source?: string): NapiConfig {
  const ctx: Context = { source, problems: [] };
  const napi = napiSection(packageJson, ctx);
  // napiSection reported why when it returns undefined.
  if (napi === undefined || !isObject(packageJson)) throw new DiagnosticError(ctx.problems);

  if (napi['name'] !== undefined) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG_V2',
      message: 'napi.name is the napi-rs v2 spelling of napi.binaryName',
      hint: 'rename napi.name to napi.binaryName',
      found: 'napi.name',
    });
  }
  if (napi['package'] !== undefined) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG_V2',
      message: 'napi.package is the napi-rs v2 spelling of napi.packageName',
      hint: 'replace napi.package.name with napi.packageName',
      found: 'napi.package',
    });
  }
  const binaryName = readName(napi, 'binaryName', 'index', ctx);
  const packageName = readName(napi, 'packageName', packageJson['name'], ctx);
  const targets = collectTargets(napi, ctx);
  // readName reported why when it returns undefined.
  if (ctx.problems.length > 0 || binaryName === undefined || packageName === undefined) {
    throw new DiagnosticError(ctx.problems);
  }
  return { binaryName, packageName, targets };
}
