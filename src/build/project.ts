/**
 * The project's build, resolved: which flags `napi build` gets (the project's build script, or
 * `napiShip.build.args`), which environment (the script's `NAME=value` prefixes, `napiShip.build.env`
 * and `.targetEnv`), where the crate is (the script's `--cwd`/`--manifest-path`,
 * `napiShip.build.crateDir`, Cargo.toml beside package.json, or the one napi-rs cdylib crate in a
 * subfolder) and where the loader and typings go (the script's `--output-dir`, else napi-rs's
 * default: the crate's folder when the script names the crate, the package dir otherwise).
 *
 * Used by `build` (through @napi-rs/cli's API) and by the CI generator (as a command line), so the
 * two build the same thing. The only I/O is looking for Cargo.toml files (`findAddonCrates`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import type { ReleasePlan } from '../plan/index.js';
import type { TargetSpec } from '../targets/index.js';
import { isRecord } from '../util/json.js';
import { parseNapiBuildArgs, readBuildScript, shellQuote, type BuildScript, type NapiBuildFlags, type NapiOptionValue } from './script.js';
import { buildSettings, type BuildSettings } from './settings.js';

/** How the crate was found. */
export type CrateSource = 'script' | 'config' | 'beside' | 'detected' | 'none';

export interface ProjectBuild {
  /** The root package dir (where `.node` files go, for `stage`). */
  readonly packageDir: string;
  /** Where the `napi build` flags came from. */
  readonly flagsFrom: 'script' | 'config' | 'default';
  /** The build script read (null: there is none). */
  readonly script: BuildScript | null;
  readonly flags: NapiBuildFlags;
  /** napi-rs's working directory (the script's `--cwd`, else the package dir). */
  readonly cwd: string;
  /** The addon crate's Cargo.toml; null when none was found. */
  readonly manifestPath: string | null;
  readonly crateFrom: CrateSource;
  /** Where the loader and typings are written (the project's `--output-dir`, or napi-rs's default). */
  readonly outputDir: string;
  /**
   * The header napi-rs puts on the typings instead of its own mark, as it chooses it: the napi
   * config's `dtsHeaderFile` (read, relative to `cwd`), else `--dts-header`, else the config's
   * `dtsHeader`; null for napi-rs's default header (or none with `--no-dts-header`).
   */
  readonly dtsHeader: string | null;
  /** Variables set for every target (the script's prefixes, then `napiShip.build.env`). */
  readonly env: Readonly<Record<string, string>>;
  readonly settings: BuildSettings;
  /** What was read, dropped or guessed; `NS_BUILD_CRATE_AMBIGUOUS` is an error. */
  readonly diagnostics: readonly Diagnostic[];
}

const SKIP_DIRS = new Set(['node_modules', 'target', 'npm', 'artifacts', 'dist']);

/** Is this Cargo.toml text a napi-rs addon crate (a cdylib depending on `napi`)? */
export function isAddonManifest(text: string): boolean {
  return /crate-type\s*=\s*\[[^\]]*"cdylib"/.test(text) && /^\s*napi(-derive)?\s*(=|\.)/m.test(text);
}

/** napi-rs addon crates in the subfolders of `dir` (one level, and `crates/*`), as Cargo.toml paths. */
export function findAddonCrates(dir: string): string[] {
  const out: string[] = [];
  const look = (d: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(d, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name))
        .map((e) => e.name)
        .sort();
    } catch {
      return;
    }
    for (const name of names) {
      const sub = path.join(d, name);
      const manifest = path.join(sub, 'Cargo.toml');
      try {
        if (existsSync(manifest) && isAddonManifest(readFileSync(manifest, 'utf8'))) out.push(manifest);
      } catch {
        // unreadable: not a candidate
      }
      if (depth === 0 && name === 'crates') look(sub, 1);
    }
  };
  look(dir, 0);
  return out;
}

function rel(from: string, to: string): string {
  const r = path.relative(from, to).split(path.sep).join('/');
  return r === '' ? '.' : r;
}

/** The project's build for a plan (reads `napiShip.build`, the build script, and looks for the crate). */
export function projectBuild(plan: ReleasePlan): ProjectBuild {
  const settings = buildSettings(plan);
  const packageDir = plan.root.dir;
  const subject = plan.root.packageJsonPath;
  const diagnostics: Diagnostic[] = [];
  const scriptName = settings.script ?? 'build';
  const script = readBuildScript(plan.root.manifest, scriptName);
  let flags: NapiBuildFlags;
  let flagsFrom: ProjectBuild['flagsFrom'];
  if (settings.args !== undefined) {
    flags = parseNapiBuildArgs(settings.args);
    flagsFrom = 'config';
  } else if (script?.napiArgs) {
    flags = parseNapiBuildArgs(script.napiArgs);
    flagsFrom = 'script';
  } else {
    // No build script at all: napi-rs's template build, said nowhere (nothing was ignored).
    flags = parseNapiBuildArgs(['--platform', '--release']);
    flagsFrom = 'default';
    if (script !== null || settings.script !== undefined) {
      diagnostics.push(
        diagnostic({
          code: 'NS_BUILD_SCRIPT_UNREAD',
          severity: 'warning',
          subject,
          message:
            script === null
              ? `package.json has no "${scriptName}" script (napiShip.build.script names it): napi-ship builds with \`napi build --platform --release\``
              : `the "${scriptName}" script (\`${script.text}\`) runs no \`napi build\` napi-ship can read: napi-ship builds with \`napi build --platform --release\``,
          hint: 'set napiShip.build.args to the napi build flags your build passes (e.g. ["--release", "--features", "simd"]), or napiShip.build.script to the script that runs napi build',
        }),
      );
    }
  }
  if (flags.dropped.length > 0 || flags.unknown.length > 0) {
    const parts = [
      ...(flags.dropped.length > 0 ? [`a release build leaves out ${flags.dropped.map((f) => `\`${f}\``).join(', ')}`] : []),
      ...(flags.unknown.length > 0 ? [`\`napi build\` does not declare ${flags.unknown.map((f) => `\`${f}\``).join(', ')}`] : []),
    ];
    diagnostics.push(
      diagnostic({
        code: 'NS_BUILD_SCRIPT_FLAGS',
        severity: flags.unknown.length > 0 ? 'warning' : 'note',
        subject,
        message: `of the ${flagsFrom === 'config' ? 'napiShip.build.args' : `"${scriptName}" script`}'s flags, ${parts.join('; ')}`,
        hint: 'napi-ship passes every other napi build flag as written; check the spelling of the unknown ones against `napi build --help`',
      }),
    );
  }
  const scriptCwd = flags.options.cwd;
  const cwd = typeof scriptCwd === 'string' ? path.resolve(packageDir, scriptCwd) : packageDir;
  let manifestPath: string | null = null;
  let crateFrom: CrateSource = 'none';
  const scriptManifest = flags.options.manifestPath;
  if (settings.crateDir !== undefined) {
    manifestPath = path.resolve(packageDir, settings.crateDir, 'Cargo.toml');
    crateFrom = 'config';
  } else if (typeof scriptManifest === 'string') {
    manifestPath = path.resolve(cwd, scriptManifest);
    crateFrom = 'script';
  } else if (existsSync(path.join(cwd, 'Cargo.toml'))) {
    manifestPath = path.join(cwd, 'Cargo.toml');
    crateFrom = cwd === packageDir ? 'beside' : 'script';
  } else {
    const found = findAddonCrates(packageDir);
    if (found.length === 1 && found[0] !== undefined) {
      manifestPath = found[0];
      crateFrom = 'detected';
      diagnostics.push(
        diagnostic({
          code: 'NS_BUILD_CRATE_DETECTED',
          severity: 'note',
          subject: manifestPath,
          message: `the addon crate is ${rel(packageDir, manifestPath)} (the one napi-rs cdylib crate under the package): napi-ship builds it with --manifest-path and puts the outputs in the package dir`,
          hint: `set napiShip.build.crateDir to "${rel(packageDir, path.dirname(manifestPath))}" to say so, or pass --manifest-path in the build script`,
        }),
      );
    } else if (found.length > 1) {
      diagnostics.push(
        diagnostic({
          code: 'NS_BUILD_CRATE_AMBIGUOUS',
          severity: 'error',
          subject: packageDir,
          message: `several napi-rs crates under the package and none named: ${found.map((f) => rel(packageDir, f)).join(', ')}`,
          hint: 'set napiShip.build.crateDir to the one to build (or pass --manifest-path in the build script)',
        }),
      );
    }
  }
  if (manifestPath !== null && !existsSync(manifestPath)) {
    diagnostics.push(
      diagnostic({
        code: 'NS_BUILD_NO_CRATE',
        severity: 'error',
        subject: manifestPath,
        message: `the crate's Cargo.toml does not exist (${crateFrom === 'config' ? 'napiShip.build.crateDir' : 'the build script'} names it)`,
        hint: 'point napiShip.build.crateDir (or --manifest-path in the build script) at the addon crate',
      }),
    );
    manifestPath = null;
  }
  // napi-rs writes into --output-dir, by default the crate's folder; a crate napi-ship found itself
  // (not named by the script) has its outputs put in the package dir, where `stage` reads them.
  const outputDir =
    flags.outputDir !== null
      ? path.resolve(cwd, flags.outputDir)
      : manifestPath !== null && (crateFrom === 'script' || crateFrom === 'beside')
        ? path.dirname(manifestPath)
        : packageDir;
  return {
    packageDir,
    dtsHeader: dtsHeaderOf(plan, flags, cwd),
    flagsFrom,
    script,
    flags,
    cwd,
    manifestPath,
    crateFrom,
    outputDir,
    env: { ...(flagsFrom === 'script' ? (script?.env ?? {}) : {}), ...(settings.env ?? {}) },
    settings,
    diagnostics,
  };
}

function dtsHeaderOf(plan: ReleasePlan, flags: NapiBuildFlags, cwd: string): string | null {
  if (flags.options.noDtsHeader === true) return null;
  const napi = isRecord(plan.root.manifest.napi) ? plan.root.manifest.napi : {};
  if (typeof napi.dtsHeaderFile === 'string') {
    try {
      return readFileSync(path.resolve(cwd, napi.dtsHeaderFile), 'utf8');
    } catch {
      return null;
    }
  }
  const flag = flags.options.dtsHeader;
  if (typeof flag === 'string') return flag;
  return typeof napi.dtsHeader === 'string' ? napi.dtsHeader : null;
}

/** The variables of one target: the project's, then `napiShip.build.targetEnv` for its triple or platform-arch-abi. */
export function projectEnvFor(project: ProjectBuild, spec: TargetSpec): Record<string, string> {
  const per = project.settings.targetEnv ?? {};
  return { ...project.env, ...(per[spec.triple] ?? {}), ...(per[spec.platformArchABI] ?? {}) };
}

/** Release or a named profile: the script's `--profile` wins over the default release; `release: false` (napi-ship's --debug) builds neither. */
export function profileOf(project: ProjectBuild, release: boolean | undefined): { release: boolean; profile: string | null } {
  const profile = project.flags.options.profile;
  if (release === false) return { release: false, profile: null };
  if (typeof profile === 'string' && release === undefined) return { release: false, profile };
  return { release: true, profile: null };
}

/** @napi-rs/cli API options of the project's build, without target, toolchain and output dir. */
export function napiApiOptions(project: ProjectBuild, release: boolean | undefined): Record<string, NapiOptionValue> {
  const { profile, release: isRelease } = profileOf(project, release);
  const options: Record<string, NapiOptionValue> = { ...project.flags.options };
  delete options.release;
  delete options.profile;
  delete options.cwd;
  delete options.manifestPath;
  options.cwd = project.cwd;
  if (project.manifestPath !== null) options.manifestPath = project.manifestPath;
  if (project.cwd !== project.packageDir && options.packageJsonPath === undefined)
    options.packageJsonPath = path.join(project.packageDir, 'package.json');
  options.platform = true;
  if (isRelease) options.release = true;
  if (profile !== null) options.profile = profile;
  if (project.flags.cargoOptions.length > 0) options.cargoOptions = project.flags.cargoOptions;
  return options;
}

/**
 * The project's flags for a `napi build` command line run in the package dir, without
 * `--platform`/`--release`/`--profile` (which the caller puts first) and without target and
 * toolchain: the script's own as written, plus the crate and output dir napi-ship found itself.
 */
export function projectArgs(project: ProjectBuild): string[] {
  const skip = new Set(['--platform', '--release', '-r']);
  const out: string[] = [];
  const args = project.flags.args;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i] ?? '';
    if (skip.has(a)) continue;
    if (a === '--profile') {
      i += 1;
      continue;
    }
    if (a.startsWith('--profile=')) continue;
    // napiShip.build.crateDir wins over the script's --manifest-path (added below).
    if (project.crateFrom === 'config' && a === '--manifest-path') {
      i += 1;
      continue;
    }
    if (project.crateFrom === 'config' && a.startsWith('--manifest-path=')) continue;
    out.push(shellQuote(a));
  }
  if (project.crateFrom === 'config' || project.crateFrom === 'detected') {
    if (project.manifestPath !== null) out.push('--manifest-path', shellQuote(rel(project.cwd, project.manifestPath)));
  }
  if (project.flags.outputDir !== null) out.push('--output-dir', shellQuote(project.flags.outputDir));
  else if (project.crateFrom === 'config' || project.crateFrom === 'detected')
    out.push('--output-dir', shellQuote(rel(project.cwd, project.packageDir)));
  if (project.flags.cargoOptions.length > 0) out.push('--', ...project.flags.cargoOptions.map(shellQuote));
  return out;
}
