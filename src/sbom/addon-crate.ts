/**
 * Which crate is the addon: the one `napi build` builds for this package, found, never guessed.
 *
 *   1. `napiShip.sbom.cargoManifest` (a crate's Cargo.toml, or a workspace's to pick within);
 *   2. the `napi build` command in the package's scripts: `--manifest-path`, `--cwd`, `-p/--package`;
 *   3. the Cargo.toml beside package.json: the crate it declares, when that is a cdylib depending on
 *      `napi`; when it is a workspace root (or a crate that is not the addon), the one workspace
 *      member that is a cdylib depending on `napi`.
 *
 * Several candidates and nothing to tell them apart is an error listing them. Pure except
 * `napiBuildArgs`' reading of package.json scripts (passed in).
 */
import path from 'node:path';
import { diagnostic, DiagnosticError, type Diagnostic } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';

/** What the package's `napi build` script says about the crate. */
export interface NapiBuildArgs {
  /** The script it was read from (`build`). */
  readonly script: string;
  readonly manifestPath: string | null;
  readonly cwd: string | null;
  readonly package: string | null;
}

function tokens(command: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m !== null; m = re.exec(command)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/**
 * The crate-selecting flags of the `napi build` in package.json's scripts (the `build` script first,
 * then any other that runs `napi build`); `null` when none runs it.
 */
export function napiBuildArgs(manifest: Readonly<Record<string, unknown>>): NapiBuildArgs | null {
  const scripts = isRecord(manifest.scripts) ? manifest.scripts : {};
  const names = Object.keys(scripts).sort((a, b) => (a === 'build' ? -1 : b === 'build' ? 1 : a.localeCompare(b)));
  for (const script of names) {
    const text = scripts[script];
    if (typeof text !== 'string') continue;
    for (const part of text.split(/&&|\|\||;/)) {
      const t = tokens(part.trim());
      const at = t.findIndex((x, i) => x === 'build' && /(^|\/)napi$/.test(t[i - 1] ?? ''));
      if (at < 0) continue;
      const args = t.slice(at + 1);
      const value = (...flags: string[]): string | null => {
        for (let i = 0; i < args.length; i += 1) {
          const a = args[i] ?? '';
          for (const f of flags) {
            if (a === f && args[i + 1] !== undefined) return args[i + 1] ?? null;
            if (a.startsWith(`${f}=`)) return a.slice(f.length + 1);
          }
        }
        return null;
      };
      return { script, manifestPath: value('--manifest-path'), cwd: value('--cwd'), package: value('--package', '-p') };
    }
  }
  return null;
}

/** A workspace package as `cargo metadata` describes it (the fields detection needs). */
export interface CrateCandidateInput {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly manifestPath: string;
  /** Target kinds of its lib target (`cdylib`, `rlib`, …). */
  readonly libKinds: readonly string[];
  /** Names of its direct dependencies (any kind). */
  readonly dependencyNames: readonly string[];
}

export interface AddonChoice {
  readonly id: string;
  /** How it was found, for the notes. */
  readonly reason: string;
  readonly diagnostics: readonly Diagnostic[];
}

export function isAddonCandidate(c: CrateCandidateInput): boolean {
  return c.libKinds.includes('cdylib') && c.dependencyNames.includes('napi');
}

function describeCrates(list: readonly CrateCandidateInput[], rootDir: string): string {
  return list.map((c) => `${c.name} (${path.relative(rootDir, c.manifestPath) || 'Cargo.toml'})`).join(', ');
}

/**
 * Pick the addon crate among the workspace members. `manifestPath` is the Cargo.toml cargo was run
 * on; `packageName` a `-p` from the build script; `configured` whether the user named the manifest.
 */
export function chooseAddonCrate(input: {
  readonly members: readonly CrateCandidateInput[];
  readonly manifestPath: string;
  readonly packageName: string | null;
  readonly rootDir: string;
  readonly how: string;
}): AddonChoice {
  const { members, manifestPath, packageName, rootDir, how } = input;
  const candidates = members.filter(isAddonCandidate);
  const hint =
    "set `napiShip.sbom.cargoManifest` in package.json to the addon crate's Cargo.toml (or pass --manifest-path to `napi build` in the build script)";
  if (packageName !== null) {
    const named = members.find((m) => m.name === packageName);
    if (named === undefined) {
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_SBOM_CARGO_ROOT',
          subject: manifestPath,
          message: `the build script builds the crate "${packageName}" (-p), which is not a member of the workspace at ${manifestPath}; members: ${describeCrates(members, rootDir)}`,
          hint,
        }),
      ]);
    }
    return { id: named.id, reason: `${named.name}, the crate the build script names (-p ${packageName})`, diagnostics: [] };
  }
  const own = members.find((m) => path.resolve(m.manifestPath) === path.resolve(manifestPath));
  if (own !== undefined && isAddonCandidate(own)) return { id: own.id, reason: `${own.name} (${how})`, diagnostics: [] };
  if (candidates.length === 1 && candidates[0] !== undefined) {
    const c = candidates[0];
    return {
      id: c.id,
      reason: `${c.name} (${path.relative(rootDir, c.manifestPath)}), the one workspace member that is a cdylib depending on napi`,
      diagnostics: [],
    };
  }
  if (candidates.length > 1) {
    const beside = candidates.filter((c) => path.dirname(path.resolve(c.manifestPath)) === path.resolve(rootDir));
    if (beside.length === 1 && beside[0] !== undefined)
      return { id: beside[0].id, reason: `${beside[0].name}, the napi cdylib beside package.json`, diagnostics: [] };
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_SBOM_CARGO_AMBIGUOUS',
        subject: manifestPath,
        message: `${candidates.length} workspace members are cdylib crates depending on napi, and nothing says which one this package builds: ${describeCrates(candidates, rootDir)}`,
        hint,
      }),
    ]);
  }
  if (own !== undefined) {
    return {
      id: own.id,
      reason: `${own.name} (${how})`,
      diagnostics: [
        diagnostic({
          code: 'NS_SBOM_CARGO_NOT_ADDON',
          severity: 'warning',
          subject: manifestPath,
          message: `${own.name} is not a cdylib crate depending on napi, and no workspace member is: describing it as the addon anyway`,
          hint,
        }),
      ],
    };
  }
  throw new DiagnosticError([
    diagnostic({
      code: 'NS_SBOM_CARGO_ROOT',
      subject: manifestPath,
      message: `${manifestPath} is a workspace manifest, and none of its members (${describeCrates(members, rootDir) || 'none'}) is a cdylib crate depending on napi`,
      hint,
    }),
  ]);
}
