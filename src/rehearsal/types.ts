/**
 * What a rehearsal established: the plan's `rehearsal` stage. Plain data (JSON-safe), rendered by
 * src/report.
 */
import type { Diagnostic, Outcome } from '../diagnostics/index.js';

export type Installer = 'npm' | 'pnpm' | 'bun' | 'deno';
export const INSTALLERS: readonly Installer[] = ['npm', 'pnpm', 'bun', 'deno'];

export type Runtime = 'node' | 'deno' | 'bun';
export const RUNTIMES: readonly Runtime[] = ['node', 'deno', 'bun'];

export type StepStatus = 'ok' | 'fail' | 'skip';

/** The release that was published to the embedded registry. */
export interface RehearsalRelease {
  /** Its release dir (tarballs, manifest, signature, publish journal). */
  readonly dir: string;
  /** `release`: the dry run's own release dir (every target built); `rehearsal`: a root pinning only the built targets. */
  readonly kind: 'release' | 'rehearsal';
  /** `platform-arch-abi` of every target the rehearsal root pins (= the targets built here). */
  readonly pinned: readonly string[];
  /** Targets the real root pins that were not built: what blocks a real publish. */
  readonly missing: readonly string[];
  /** The one-line label the report prints. */
  readonly label: string;
  /** Platform tarballs byte-identical to the dry run's (same pack code, same inputs). */
  readonly platformTarballsIdentical: boolean;
}

export interface PublishedPackage {
  readonly name: string;
  readonly version: string;
  readonly kind: 'root' | 'platform';
  readonly target: string | null;
  readonly integrity: string;
  /** What the publish did with it: written now, or already there with our bytes. */
  readonly action: 'published' | 'already-there';
}

export interface InstallResult {
  readonly installer: Installer;
  /** The installer's version, `null` when it was not found. */
  readonly version: string | null;
  readonly status: StepStatus;
  /** Why it failed or was skipped; on success what it installed. */
  readonly detail: string;
  /** The scratch project (removed after the run unless kept). */
  readonly project: string;
  /** `<project>/node_modules/<root>`: what the runtimes load. */
  readonly packageDir: string;
  /** The command line that ran (no secrets: the registry URL only). */
  readonly command: readonly string[];
  /** Platform packages of the root that ended up in the project. */
  readonly platformPackages: readonly string[];
  /** The project's lockfile records our root's and host platform package's integrity. */
  readonly lockIntegrity: boolean | null;
  readonly durationMs: number;
}

export interface LoadResult {
  readonly installer: Installer;
  readonly runtime: Runtime;
  readonly runtimeVersion: string | null;
  readonly status: StepStatus;
  /** `smoke`: napi-ship's own smoke script (calls every function); `load`: require the root and list its exports. */
  readonly mode: 'smoke' | 'load';
  /** On success what loaded and answered; else why not. */
  readonly detail: string;
  /** Named checks (smoke mode) with their outcome. */
  readonly checks: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
  readonly command: readonly string[];
  readonly durationMs: number;
}

export type RealAction = 'would-publish' | 'same' | 'conflict' | 'not-built';

export interface RealRegistryPackage {
  readonly name: string;
  readonly version: string;
  readonly kind: 'root' | 'platform';
  readonly target: string | null;
  readonly action: RealAction;
  /** The registry's integrity on a conflict, the missing target's reason for not-built. */
  readonly detail: string;
}

/** The read-only plan against the real registry the release would go to. */
export interface RealRegistryPlan {
  readonly registry: string;
  /** Where the registry URL came from (`publishConfig.registry`, `npm_config_registry`, default). */
  readonly registrySource: string;
  readonly status: StepStatus;
  /** Why it was skipped or failed. */
  readonly note: string;
  readonly packages: readonly RealRegistryPackage[];
}

/** What the rehearsal did: the result of its outcome. */
export interface Rehearsal {
  /** `ok`: everything rehearsed passed; `fail`: something failed; `skip`: not rehearsed (see `note`). */
  readonly status: StepStatus;
  readonly note: string;
  /** The embedded registry's URL (stopped when the command ended), `null` if none ran. */
  readonly registry: string | null;
  readonly verdaccio: string | null;
  readonly release: RehearsalRelease | null;
  readonly published: readonly PublishedPackage[];
  readonly installs: readonly InstallResult[];
  readonly loads: readonly LoadResult[];
  readonly realRegistry: RealRegistryPlan;
  readonly durationMs: number;
}

/** The rehearsal stage's outcome (the one outcome shape: `ok`, diagnostics, result). */
export type RehearsalOutcome = Outcome<Rehearsal>;

/** A rehearsal with its diagnostics, as the steps assemble it before it becomes an outcome. */
export type RehearsalRecord = Rehearsal & { readonly diagnostics: readonly Diagnostic[] };
