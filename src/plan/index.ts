/**
 * The release plan: the one object every stage reads and adds its results to (cargo-dist style).
 *
 * `loadPlan` reads the root package (name, version, napi-rs config, napi-ship config) and lays out
 * one planned platform package per target. Stages return a new plan with their results attached;
 * nothing recomputes what an earlier stage already established.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BuildOutcome } from '../build/types.js';
import type { ManifestPackage } from '../manifest/index.js';
import type { PolicyOutcome } from '../policy/index.js';
import type { PublishResult } from '../publish/run.js';
import type { RehearsalOutcome } from '../rehearsal/types.js';
import type { SbomOutcome } from '../sbom/index.js';
import { DiagnosticError, errorMessage, type Diagnostic } from '../diagnostics/index.js';
import { platformPackageName, readNapiConfig, type NapiWasmConfig, type TargetSpec } from '../targets/index.js';
import type { VerifyOutcome } from '../verify/index.js';
import type { PolicyOverrides } from '../verify/policy.js';
import { isRecord } from '../util/json.js';

export const PLAN_SCHEMA = 'napi-ship.release-plan/1';

export interface PlannedTarget {
  readonly spec: TargetSpec;
  /** npm name of the platform package, e.g. `@napi-ship/core-linux-x64-gnu`. */
  readonly packageName: string;
  /** Directory of the platform package, e.g. `<root>/npm/linux-x64-gnu`. */
  readonly packageDir: string;
  /** File name of the addon, e.g. `napi-ship-core.linux-x64-gnu.node`. */
  readonly binaryFile: string;
}

export interface RootPackage {
  readonly dir: string;
  readonly packageJsonPath: string;
  readonly name: string;
  readonly version: string;
  readonly binaryName: string;
  readonly packageName: string;
  readonly npmDir: string;
  /** The root package.json as read. */
  readonly manifest: Readonly<Record<string, unknown>>;
  readonly config: NapiShipConfig;
  /** napi-rs's `napi.wasm` options (shape the WASI package). */
  readonly wasm: NapiWasmConfig;
  /** Notes about the napi-rs config as read (deprecated v2 keys, a config file overriding `napi`). */
  readonly configNotes: readonly Diagnostic[];
  /** The napi-rs config file read next to package.json (`--config-path`), when one was given. */
  readonly configPath: string | null;
}

/** One platform package as `stage` wrote it. */
export interface StagedPackage {
  readonly triple: string;
  readonly platformArchABI: string;
  readonly packageName: string;
  /** The platform package directory (`<npmDir>/<platform-arch-abi>`). */
  readonly dir: string;
  /** Absolute path of the staged `.node` file inside `dir`. */
  readonly binaryPath: string;
  /** Where the binary came from (artifact or build output). */
  readonly source: string;
  /** The package.json written for it. */
  readonly manifest: Readonly<Record<string, unknown>>;
}

export interface StageOutcome {
  readonly packages: readonly StagedPackage[];
  /** What the root's `optionalDependencies` now pin: name → exact version. */
  readonly rootOptionalDependencies: Readonly<Record<string, string>>;
  readonly diagnostics: readonly Diagnostic[];
}

/** What `pack` wrote into the release dir. */
export interface PackOutcome {
  readonly outDir: string;
  readonly manifestPath: string;
  readonly sumsPath: string;
  readonly packages: readonly ManifestPackage[];
  readonly diagnostics: readonly Diagnostic[];
}

/** The signature over the release manifest, and the check of the signed dir. */
export interface SignOutcome {
  readonly signatureFile: string;
  readonly publicKeyFile: string;
  readonly keyId: string;
  /** `verify-manifest` over the signed release dir: empty when everything matched. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface StageResults {
  /** What `build` compiled here, with which toolchain, and what it skipped and why. */
  readonly build: BuildOutcome;
  readonly stage: StageOutcome;
  readonly verify: VerifyOutcome;
  readonly pack: PackOutcome;
  readonly sign: SignOutcome;
  /** The SBOMs written into the release dir (src/sbom). */
  readonly sbom: SbomOutcome;
  /** The license and source policy over the same inventories (src/policy). */
  readonly policy: PolicyOutcome;
  /** The rehearsal: embedded-registry publish, installs, runtime loads, real-registry plan (src/rehearsal). */
  readonly rehearsal: RehearsalOutcome;
  /** The atomic publish to a registry (src/publish): preflight, plan, per package outcome. */
  readonly publish: PublishResult;
}

export interface ReleasePlan {
  readonly schema: typeof PLAN_SCHEMA;
  readonly root: RootPackage;
  readonly targets: readonly PlannedTarget[];
  readonly stages: Partial<StageResults>;
}

/** napi-ship's own settings, from the root package.json's `napiShip` key. */
export interface NapiShipConfig {
  /** Where the platform package directories live, relative to the root package (default `npm`). */
  readonly npmDir: string;
  /** Overrides of the verify policy (defaults follow `engines.node`). */
  readonly verify: PolicyOverrides;
}

function configError(source: string, message: string, hint: string): DiagnosticError {
  return new DiagnosticError([{ code: 'NS_CONFIG_INVALID', severity: 'error', subject: source, message, hint }]);
}

function readVerifyOverrides(raw: unknown, source: string): PolicyOverrides {
  if (raw === undefined) return {};
  if (!isRecord(raw))
    throw configError(source, '`napiShip.verify` must be an object', 'e.g. "verify": { "glibcMax": "2.28" } (see docs/config.md)');
  const text = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw configError(source, `\`napiShip.verify.${key}\` must be a string like "2.28"`, 'quote the version');
    return v;
  };
  const bytes = (key: string): number | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number')
      throw configError(source, `\`napiShip.verify.${key}\` must be a number of bytes`, 'e.g. 52428800 for 50 MiB');
    return v;
  };
  return { glibcMax: text('glibcMax'), macosMin: text('macosMin'), sizeWarn: bytes('sizeWarn'), sizeError: bytes('sizeError') };
}

export function readNapiShipConfig(pkg: Record<string, unknown>, source: string): NapiShipConfig {
  const raw = pkg.napiShip;
  if (raw === undefined) return { npmDir: 'npm', verify: {} };
  if (!isRecord(raw) || (raw.npmDir !== undefined && typeof raw.npmDir !== 'string')) {
    throw configError(
      source,
      '`napiShip` must be an object whose `npmDir` is a string',
      'e.g. "napiShip": { "npmDir": "npm" } (see docs/config.md)',
    );
  }
  return { npmDir: typeof raw.npmDir === 'string' ? raw.npmDir : 'npm', verify: readVerifyOverrides(raw.verify, source) };
}

/** Parse the root package.json's text; invalid JSON is `NS_ROOT_PACKAGE_INVALID`. */
export function parseRootPackageJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DiagnosticError([
      {
        code: 'NS_ROOT_PACKAGE_INVALID',
        severity: 'error',
        subject: file,
        message: `package.json is not valid JSON: ${errorMessage(error)}`,
        hint: 'fix the JSON syntax',
      },
    ]);
  }
}

export interface LoadPlanOptions {
  /** A separate napi-rs config file (`napi … --config-path`), relative to `dir`; its keys override package.json `napi`. */
  readonly configPath?: string | undefined;
}

async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DiagnosticError([
      {
        code: 'NS_TARGET_CONFIG',
        severity: 'error',
        subject: file,
        message: `cannot read the napi-rs config file: ${errorMessage(error)}`,
        hint: 'pass the path of the file your napi build uses with --config-path (relative to the package directory)',
      },
    ]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DiagnosticError([
      {
        code: 'NS_TARGET_CONFIG',
        severity: 'error',
        subject: file,
        message: `the napi-rs config file is not valid JSON: ${errorMessage(error)}`,
        hint: 'fix the JSON syntax',
      },
    ]);
  }
}

/**
 * Read the root package at `dir` and lay out the plan. A directory whose package.json has no
 * `napi` config (and no `configPath`) is refused with `NS_TARGET_NO_CONFIG`: nothing downstream
 * may write platform packages for it.
 */
export async function loadPlan(dir: string, options: LoadPlanOptions = {}): Promise<ReleasePlan> {
  const rootDir = path.resolve(dir);
  const packageJsonPath = path.join(rootDir, 'package.json');
  let text: string;
  try {
    text = await readFile(packageJsonPath, 'utf8');
  } catch (error) {
    throw new DiagnosticError([
      {
        code: 'NS_ROOT_PACKAGE_MISSING',
        severity: 'error',
        subject: packageJsonPath,
        message: `cannot read the root package.json: ${errorMessage(error)}`,
        hint: 'run napi-ship in the napi-rs package directory, or pass --cwd DIR',
      },
    ]);
  }
  const pkg = parseRootPackageJson(text, packageJsonPath);
  if (!isRecord(pkg) || typeof pkg.name !== 'string' || typeof pkg.version !== 'string') {
    throw new DiagnosticError([
      {
        code: 'NS_ROOT_PACKAGE_INVALID',
        severity: 'error',
        subject: packageJsonPath,
        message: 'package.json needs a string `name` and `version`',
        hint: 'a napi-rs root package has both',
      },
    ]);
  }
  const configPath = options.configPath === undefined ? null : path.resolve(rootDir, options.configPath);
  const configFile = configPath === null ? undefined : await readConfigFile(configPath);
  const napi = readNapiConfig(pkg, configPath ?? packageJsonPath, configFile);
  const config = readNapiShipConfig(pkg, packageJsonPath);
  const npmDir = path.resolve(rootDir, config.npmDir);
  const root: RootPackage = {
    dir: rootDir,
    packageJsonPath,
    name: pkg.name,
    version: pkg.version,
    binaryName: napi.binaryName,
    packageName: napi.packageName,
    npmDir,
    manifest: pkg,
    config,
    wasm: napi.wasm,
    configNotes: napi.notes,
    configPath,
  };
  const targets = napi.targets.map((spec) => ({
    spec,
    packageName: platformPackageName(napi.packageName, spec),
    packageDir: path.join(npmDir, spec.platformArchABI),
    binaryFile: spec.binaryFile(napi.binaryName),
  }));
  return { schema: PLAN_SCHEMA, root, targets, stages: {} };
}

/** Attach one stage's results, returning a new plan. */
export function withStage<K extends keyof StageResults>(plan: ReleasePlan, stage: K, result: StageResults[K]): ReleasePlan {
  return { ...plan, stages: { ...plan.stages, [stage]: result } };
}

/** Every diagnostic any stage has recorded so far. */
export function planDiagnostics(plan: ReleasePlan): Diagnostic[] {
  return [
    ...(plan.stages.build?.diagnostics ?? []),
    ...(plan.stages.stage?.diagnostics ?? []),
    ...(plan.stages.verify?.diagnostics ?? []),
    ...(plan.stages.pack?.diagnostics ?? []),
    ...(plan.stages.sign?.diagnostics ?? []),
    ...(plan.stages.sbom?.diagnostics ?? []),
    ...(plan.stages.policy?.diagnostics ?? []),
    ...(plan.stages.rehearsal?.diagnostics ?? []),
    ...(plan.stages.publish?.diagnostics ?? []),
  ];
}
