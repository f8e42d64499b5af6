/**
 * The release plan: what will be done, computed first and only read (cargo-dist style).
 *
 * `loadPlan` reads the root package (name, version, napi-rs config, napi-ship config) and lays out
 * one planned platform package per target. Every stage reads it; none writes to it. What each stage
 * did is recorded apart from it, in the run record (src/run), which only the orchestrator
 * (src/release) and the report (src/report) read.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DiagnosticError, errorMessage, type Diagnostic } from '../diagnostics/index.js';
import { platformPackageName, readNapiConfig, type NapiWasmConfig, type TargetSpec } from '../targets/index.js';
import { isRecord } from '../util/json.js';
import { readNapiShipConfig, type NapiShipConfig } from '../config/index.js';

export { readNapiShipConfig, type NapiShipConfig, type PolicyOverrides } from '../config/index.js';

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

export interface ReleasePlan {
  readonly schema: typeof PLAN_SCHEMA;
  readonly root: RootPackage;
  readonly targets: readonly PlannedTarget[];
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
  /**
   * Where the platform package dirs are, overriding `napiShip.npmDir` (absolute, or relative to
   * `dir`): the dry run's staging copy keeps the root package.json byte for byte, so what it packs is
   * what a real release packs.
   */
  readonly npmDir?: string | undefined;
}

async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DiagnosticError([
      {
        code: 'NS_TARGET_CONFIG_FILE_UNREADABLE',
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
  const npmDir = path.resolve(rootDir, options.npmDir ?? config.npmDir);
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
  return { schema: PLAN_SCHEMA, root, targets };
}
