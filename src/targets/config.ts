/**
 * Reading the napi-rs configuration (`napi` in the root package.json, or a separate file given as
 * `--config-path`/`-c`) the way @napi-rs/cli 3.10's `readNapiConfig` reads it, with every problem
 * reported as a diagnostic (pure: no I/O).
 *
 * As napi-rs: a separate config file's keys override the `napi` field's; `binaryName` defaults to
 * `index` (the v2 `napi.name` wins over it, as in napi-rs); `packageName` to the package.json
 * `name`; a cargo-zigbuild glibc pin (`x86_64-unknown-linux-gnu.2.17`) names the same artifact as
 * its base triple; older WASI spellings resolve to their canonical triple; two entries naming the
 * same artifact are duplicates; `napi.wasm.*` is read. napi-rs v2 keys (`name`, `package.name`,
 * `triples.defaults`, `triples.additional`) are read with a deprecation note, never refused.
 *
 * Where napi-ship differs, on purpose:
 * - a v2 `triples.defaults: true` means napi-rs **v2's** three default triples (a project with a v2
 *   config builds with v2); @napi-rs/cli 3 substitutes its own four, which adds
 *   `aarch64-apple-darwin` and then refuses a real v2 project whose `additional` repeats it;
 * - `packageName` falls back to the v2 `package.name` (napi-rs 3 ignores it, v2 used it);
 * - no `napi` config at all is refused (`NS_TARGET_NO_CONFIG`): such a directory is not a napi-rs
 *   package, and napi-ship must not invent platform packages for it;
 * - an empty `napi.targets` and a triple napi-ship cannot check are errors (napi-rs would build
 *   for the host only / name any triple). Absent targets (no v2 triples either) mean napi-rs's
 *   `DEFAULT_TARGETS` (what `napi new` preselects): a release needs a fixed list.
 */
import { diagnostic, DiagnosticError, type Diagnostic } from '../diagnostics/index.js';
import {
  allTargets,
  DEFAULT_TARGETS,
  lookupTarget,
  rustTripleOfNodeSpelling,
  TRIPLE_ALIASES,
  V2_DEFAULT_TARGETS,
  type TargetSpec,
} from './table.js';
import { editDistance } from '../util/text.js';

/** `napi.wasm`: the parts of napi-rs's WASI options that shape the staged WASI package. */
export interface NapiWasmConfig {
  /** `napi.wasm.cpu` (default true): the WASI package declares `cpu: ["wasm32"]` next to native targets. */
  readonly cpu: boolean;
  /** `napi.wasm.optionalDependency` (default true): the root lists the WASI package in `optionalDependencies`. */
  readonly optionalDependency: boolean;
  /** `napi.wasm.asyncRuntime` (default false): the WASI package depends on `@napi-rs/async-runtime`. */
  readonly asyncRuntime: boolean;
  /** `napi.wasm.browser.buffer` (default false). */
  readonly browserBuffer: boolean;
  /** `napi.wasm.browser.fs` (default false). */
  readonly browserFs: boolean;
}

/** The napi-rs settings napi-ship needs from a root package.json (and a `--config-path` file). */
export interface NapiConfig {
  /** `napi.binaryName` (default `index`): the stem of every `.node` file. */
  readonly binaryName: string;
  /** `napi.packageName` (default: the package.json `name`): the prefix of every platform package. */
  readonly packageName: string;
  /** `napi.targets` (or the v2 `napi.triples`), resolved, in configured order. */
  readonly targets: readonly TargetSpec[];
  /** `napi.wasm`. */
  readonly wasm: NapiWasmConfig;
  /** Notes and warnings about the config (v2 keys read, a config file overriding `napi`). */
  readonly notes: readonly Diagnostic[];
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
/** The known triple closest to `triple`, when it is close enough to be a typo. */
function nearestTriple(triple: string): string | undefined {
  const limit = Math.max(2, Math.floor(triple.length / 5));
  let best: { triple: string; d: number } | undefined;
  for (const candidate of [...allTargets().map((t) => t.triple), ...Object.keys(TRIPLE_ALIASES)]) {
    const d = editDistance(triple.toLowerCase(), candidate.toLowerCase());
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

/**
 * What a v2 `napi.triples` block means to napi-rs v2, when well formed: its three defaults unless
 * `defaults` is false (v2 defaulted it to true: `{ "additional": [...] }` alone ships the defaults
 * too, as published v2 releases show), then `additional`.
 */
function v2Targets(triples: unknown): string[] | undefined {
  if (!isObject(triples)) return undefined;
  const additional = triples['additional'] ?? [];
  if (!Array.isArray(additional) || !additional.every((t): t is string => typeof t === 'string')) return undefined;
  if (triples['defaults'] !== undefined && typeof triples['defaults'] !== 'boolean') return undefined;
  return [...(triples['defaults'] !== false ? V2_DEFAULT_TARGETS : []), ...additional];
}

interface Context {
  readonly source: string | undefined;
  readonly problems: Diagnostic[];
  readonly notes: Diagnostic[];
}

function report(ctx: Context, d: Omit<Diagnostic, 'subject' | 'severity'> & { severity?: Diagnostic['severity'] }): void {
  const full = diagnostic(ctx.source === undefined ? d : { ...d, subject: ctx.source });
  (full.severity === 'error' ? ctx.problems : ctx.notes).push(full);
}

/** The `napi` object of a package.json (merged with a separate config file, as napi-rs does), or undefined with a diagnostic. */
function napiSection(packageJson: unknown, ctx: Context, configFile: unknown): Json | undefined {
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
  if (configFile !== undefined && !isObject(configFile)) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG',
      message: `the napi-rs config file is ${describe(configFile)}, not an object`,
      hint: 'a napi-rs config file (napi build --config-path) holds what package.json "napi" would: { "binaryName": …, "targets": [ … ] }',
      expected: 'an object',
      found: describe(configFile),
    });
    return undefined;
  }
  if (napi === undefined && configFile === undefined) {
    report(ctx, {
      code: 'NS_TARGET_NO_CONFIG',
      message: 'package.json has no "napi" config: this is not a napi-rs package, and napi-ship will not invent platform packages for it',
      hint: 'run napi-ship in the napi-rs package directory (--cwd DIR), pass the napi-rs config file with --config-path FILE, or add "napi": { "binaryName": "…", "targets": [ … ] } (napi new writes one)',
      expected: 'a "napi" object',
      found: 'none',
    });
    return undefined;
  }
  if (napi !== undefined && !isObject(napi)) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG',
      message: `napi is ${describe(napi)}, not an object`,
      hint: 'write the napi-rs config as an object: "napi": { "binaryName": …, "targets": [ … ] }',
      expected: 'an object',
      found: describe(napi),
    });
    return undefined;
  }
  if (configFile === undefined) return napi ?? {};
  if (napi !== undefined) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG_FILE',
      severity: 'note',
      message: 'both package.json "napi" and a napi-rs config file are present: the config file\'s keys win, as in napi-rs',
      hint: 'keep one of them to avoid surprises',
    });
  }
  return { ...(napi ?? {}), ...configFile };
}

/** The triple list napi-rs would build, with where it came from; reports what is wrong with it. */
function targetList(napi: Json, ctx: Context): { list: readonly unknown[]; label: string } {
  const raw = napi['targets'];
  const triples = napi['triples'];
  if (raw !== undefined && !Array.isArray(raw)) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG',
      message: `napi.targets is ${describe(raw)}, not an array of target triples`,
      hint: 'write napi.targets as an array of Rust triples, e.g. ["x86_64-unknown-linux-gnu", "aarch64-apple-darwin"]',
      expected: 'an array of strings',
      found: describe(raw),
    });
    return { list: [], label: 'napi.targets' };
  }
  if (Array.isArray(raw) && raw.length > 0) {
    if (triples !== undefined) {
      report(ctx, {
        code: 'NS_TARGET_CONFIG_V2',
        severity: 'warning',
        message: 'napi.triples (napi-rs v2) is ignored: napi.targets is set, and napi-rs reads only napi.targets then',
        hint: 'remove napi.triples',
        found: 'napi.triples',
      });
    }
    return { list: raw, label: 'napi.targets' };
  }
  if (triples !== undefined) {
    const list = v2Targets(triples);
    if (list === undefined) {
      report(ctx, {
        code: 'NS_TARGET_CONFIG',
        message: `napi.triples is ${describe(triples)}, not { "defaults": boolean, "additional": [triples] }`,
        hint: 'write napi.targets instead: an array of Rust triples',
        expected: '{ "defaults": boolean, "additional": string[] }',
        found: describe(triples),
      });
      return { list: [], label: 'napi.triples' };
    }
    if (list.length > 0) {
      report(ctx, {
        code: 'NS_TARGET_CONFIG_V2',
        severity: 'note',
        message: `napi.triples is the napi-rs v2 target config (deprecated); read as napi-rs v2 meant it${isObject(triples) && triples['defaults'] !== false ? `: its three defaults (${V2_DEFAULT_TARGETS.join(', ')}) plus additional` : ''}`,
        hint: `when moving to napi-rs v3, write the same list as "targets": ${JSON.stringify([...new Set(list)])} (napi-rs v3's own defaults add aarch64-apple-darwin)`,
        found: 'napi.triples',
      });
      return { list, label: 'napi.triples' };
    }
  }
  if (Array.isArray(raw) || triples !== undefined) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG',
      message: `${triples !== undefined ? 'napi.triples lists' : 'napi.targets is empty:'} no target: there is nothing to ship`,
      hint: `list the Rust triples to release, e.g. "targets": ${JSON.stringify(DEFAULT_TARGETS)} (napi-rs's defaults)`,
      expected: 'at least one target triple',
      found: '[]',
    });
    return { list: [], label: 'napi.targets' };
  }
  return { list: DEFAULT_TARGETS, label: 'napi.targets' };
}

function collectTargets(napi: Json, ctx: Context): TargetSpec[] {
  const { list, label } = targetList(napi, ctx);
  const targets: TargetSpec[] = [];
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  const byArtifact = new Map<string, string>();
  list.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string') {
      report(ctx, {
        code: 'NS_TARGET_CONFIG',
        message: `${label}[${index}] is ${describe(entry)}, not a target triple`,
        hint: `every entry of ${label} must be a Rust target triple string`,
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
          message: `${label} lists ${entry} more than once`,
          hint: `remove the repeated "${entry}"`,
        });
      }
      return;
    }
    seen.add(entry);
    const cargo = cargoTriple(entry);
    let spec = lookupTarget(cargo);
    const rust = spec ? undefined : rustTripleOfNodeSpelling(cargo);
    if (rust !== undefined) {
      spec = lookupTarget(rust);
      if (spec) {
        report(ctx, {
          code: 'NS_TARGET_NODE_ARCH',
          severity: 'warning',
          target: entry,
          message: `${label} lists ${entry}, which spells the CPU as Node does: napi-rs names its package ${spec.platformArchABI}, as for ${rust}, so napi-ship checks, builds and stages it as ${rust}`,
          hint: `write "${rust}${entry.slice(cargo.length)}": cargo and rustup know no ${cargo} (napi build --target ${entry} fails)`,
          found: entry,
          expected: rust,
        });
      }
    }
    if (!spec) {
      report(ctx, {
        code: 'NS_TARGET_UNKNOWN',
        target: entry,
        message: `${label} lists ${entry}, a triple napi-ship cannot check (napi-rs's parseTriple names no platform, CPU and ABI it knows)`,
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
        message: `${label} lists ${previous} and ${entry}, which produce the same ${spec.platformArchABI} package`,
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
 * The targets of a root package.json's napi-rs config (`napi.targets`, the v2 `napi.triples`, or
 * napi-rs's `DEFAULT_TARGETS` when neither is set); throws one `DiagnosticError` carrying every problem found.
 */
export function readTargets(packageJson: unknown, source?: string, configFile?: unknown): TargetSpec[] {
  const ctx: Context = { source, problems: [], notes: [] };
  const napi = napiSection(packageJson, ctx, configFile);
  const targets = napi ? collectTargets(napi, ctx) : [];
  if (ctx.problems.length > 0) throw new DiagnosticError(ctx.problems);
  return targets;
}

function readName(key: 'binaryName' | 'packageName', value: unknown, fromDefault: string | undefined, ctx: Context): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value;
  const where = fromDefault ?? `napi.${key}`;
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

function readBoolean(ctx: Context, where: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  report(ctx, {
    code: 'NS_TARGET_CONFIG',
    message: `${where} is ${describe(value)}, not true or false`,
    hint: `write ${where} as a boolean`,
    expected: 'a boolean',
    found: describe(value),
  });
  return fallback;
}

function readWasm(napi: Json, ctx: Context): NapiWasmConfig {
  const raw = napi['wasm'];
  const wasm = isObject(raw) ? raw : {};
  if (raw !== undefined && !isObject(raw)) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG',
      message: `napi.wasm is ${describe(raw)}, not an object`,
      hint: 'write napi.wasm as an object, e.g. { "browser": { "fs": false } }',
      expected: 'an object',
      found: describe(raw),
    });
  }
  const browser = isObject(wasm['browser']) ? wasm['browser'] : {};
  return {
    cpu: readBoolean(ctx, 'napi.wasm.cpu', wasm['cpu'], true),
    optionalDependency: readBoolean(ctx, 'napi.wasm.optionalDependency', wasm['optionalDependency'], true),
    asyncRuntime: readBoolean(ctx, 'napi.wasm.asyncRuntime', wasm['asyncRuntime'], false),
    browserBuffer: readBoolean(ctx, 'napi.wasm.browser.buffer', browser['buffer'], false),
    browserFs: readBoolean(ctx, 'napi.wasm.browser.fs', browser['fs'], false),
  };
}

/**
 * The napi-rs config of a root package.json (and of a separate napi-rs config file, whose keys
 * win, as with `napi … --config-path`): `binaryName`, `packageName`, `targets`, `wasm`, plus notes
 * about deprecated v2 keys. Throws one `DiagnosticError` with every problem.
 */
export function readNapiConfig(packageJson: unknown, source?: string, configFile?: unknown): NapiConfig {
  const ctx: Context = { source, problems: [], notes: [] };
  const napi = napiSection(packageJson, ctx, configFile);
  // napiSection reported why when it returns undefined.
  if (napi === undefined || !isObject(packageJson)) throw new DiagnosticError(ctx.problems);

  let binaryValue: unknown = napi['binaryName'] ?? 'index';
  let binaryDefault: string | undefined;
  if (napi['name'] !== undefined) {
    report(ctx, {
      code: 'NS_TARGET_CONFIG_V2',
      severity: 'note',
      message: 'napi.name is the napi-rs v2 spelling of napi.binaryName (deprecated); read as the binary name, as napi-rs does',
      hint: 'rename napi.name to napi.binaryName when moving to napi-rs v3',
      found: 'napi.name',
    });
    binaryValue = napi['name'];
    binaryDefault = 'napi.name';
  }
  let packageValue: unknown = napi['packageName'];
  let packageDefault: string | undefined;
  const v2Package = napi['package'];
  if (v2Package !== undefined) {
    const v2Name = isObject(v2Package) ? v2Package['name'] : undefined;
    report(ctx, {
      code: 'NS_TARGET_CONFIG_V2',
      severity: 'note',
      message: 'napi.package.name is the napi-rs v2 spelling of napi.packageName (deprecated)',
      hint: 'replace napi.package.name with napi.packageName when moving to napi-rs v3 (napi-rs v3 ignores napi.package)',
      found: 'napi.package',
    });
    if (packageValue === undefined && v2Name !== undefined) {
      packageValue = v2Name;
      packageDefault = 'napi.package.name';
    }
  }
  if (packageValue === undefined) {
    packageValue = packageJson['name'];
    packageDefault = 'the package.json name (the default of napi.packageName)';
  }
  const binaryName = readName('binaryName', binaryValue, binaryDefault, ctx);
  const packageName = readName('packageName', packageValue, packageDefault, ctx);
  const targets = collectTargets(napi, ctx);
  const wasm = readWasm(napi, ctx);
  // readName reported why when it returns undefined.
  if (ctx.problems.length > 0 || binaryName === undefined || packageName === undefined) {
    throw new DiagnosticError(ctx.problems);
  }
  return { binaryName, packageName, targets, wasm, notes: ctx.notes };
}
