/**
 * CI generation: the build matrix of the configured targets (`ciMatrix`), the release workflow
 * (`generateWorkflow`) and its drift check (`workflowDrift`) are pure; this module adds the I/O the
 * CLI needs (where the repository root and the lockfile are, reading the workflow on disk).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { findAddonCrates, projectBuild, type ProjectBuild } from '../build/index.js';
import { diagnostic, DiagnosticError, errorMessage, type Diagnostic } from '../diagnostics/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { isRecord } from '../util/json.js';
import { DEFAULT_WORKFLOW_PATH, napiShipExec, type PackageManager, type WorkflowOptions } from './workflow.js';

export { ACTIONS, pinnedActionOf, usesRef, type ActionName, type PinnedAction } from './actions.js';
export {
  DOCKER_TARGETS,
  NAPI_CROSS_TARGETS,
  TESTABLE_TARGETS,
  TEST_NODE_VERSIONS,
  ZIG_VERSION,
  ciMatrix,
  crossCompilerFor,
  linuxTestMatrix,
  matrixEntry,
  runnerFor,
  templateBuild,
  testMatrix,
  untestedTargets,
  wasiTestMatrix,
  type BuildCommand,
  type CrossCompiler,
  type LinuxTestEntry,
  type MatrixEntry,
  type Runner,
  type SetupNeed,
  type TestEntry,
  type WasiTestEntry,
} from './matrix.js';
export {
  BUILD_NODE_VERSION,
  CARGO_ZIGBUILD_VERSION,
  DEFAULT_WORKFLOW_PATH,
  generateWorkflow,
  napiShipExec,
  projectBuildCommand,
  workflowDrift,
  workflowObject,
  type PackageManager,
  type Workflow,
  type WorkflowOptions,
} from './workflow.js';

/** The git repository containing `dir` (the nearest ancestor with `.git`), or `dir` itself when there is none. */
export function findRepositoryRoot(dir: string): string {
  const start = path.resolve(dir);
  for (let d = start; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return start;
  }
}

/** `dir` and each parent up to `stop` (inclusive) or the filesystem root, nearest first. */
function dirsUpTo(dir: string, stop: string): string[] {
  const out: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    out.push(d);
    if (d === stop || path.dirname(d) === d) return out;
  }
}

const LOCKFILES: readonly (readonly [string, PackageManager])[] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

function posixRelative(from: string, to: string): string {
  const rel = path.relative(from, to).split(path.sep).join('/');
  return rel === '' ? '.' : rel;
}

/** Where a plan's package sits in its repository: the root, and the generator's options. */
export interface RepositoryLayout {
  readonly repositoryRoot: string;
  readonly options: Required<{ [K in keyof WorkflowOptions]: NonNullable<WorkflowOptions[K]> }>;
  /** How the package depends on napi-ship (for `napiShipDependencyNotes`). */
  readonly napiShipDependency: NapiShipDependency;
}

/** Where napi-ship comes from for the workflow. */
export interface NapiShipDependency {
  /** `self`: the repository is napi-ship; `dependency`: a (dev)dependency of the package or the install dir's package.json; `missing`. */
  readonly kind: 'self' | 'dependency' | 'missing';
  /** The version spec found (`0.4.1`, `^0.4.0`, `workspace:*`). */
  readonly spec: string | null;
  /** The package.json it was found in (or the root's, when missing). */
  readonly file: string;
}

function readManifest(file: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function napiShipSpec(manifest: Readonly<Record<string, unknown>>): string | null {
  for (const field of ['devDependencies', 'dependencies']) {
    const deps = manifest[field];
    if (isRecord(deps) && typeof deps['napi-ship'] === 'string') return deps['napi-ship'];
  }
  return null;
}

/** The `napi-ship` bin of a manifest that is napi-ship itself (its own repository), else null. */
function selfBin(manifest: Readonly<Record<string, unknown>>): string | null {
  if (manifest.name !== 'napi-ship') return null;
  const bin = manifest.bin;
  if (typeof bin === 'string') return bin;
  if (isRecord(bin) && typeof bin['napi-ship'] === 'string') return bin['napi-ship'];
  return null;
}

/**
 * The channel of a rustup toolchain file, or null: `rust-toolchain.toml` (`[toolchain] channel = "…"`)
 * or the legacy `rust-toolchain` (the bare channel, or the same TOML). A `path` toolchain (a local
 * build) names no channel a runner can install: null.
 */
export function toolchainChannel(text: string): string | null {
  const lines = text.split(/\r?\n/).map((l) => l.replace(/#.*$/, '').trim());
  if (!lines.some((l) => l.startsWith('['))) {
    const bare = lines.find((l) => l !== '');
    return bare !== undefined && /^[A-Za-z0-9._-]+$/.test(bare) ? bare : null;
  }
  let section = '';
  for (const line of lines) {
    const header = /^\[([^\]]*)\]$/.exec(line);
    if (header) {
      section = (header[1] ?? '').trim();
      continue;
    }
    const channel = /^channel\s*=\s*(["'])([A-Za-z0-9._-]+)\1$/.exec(line);
    if (section === 'toolchain' && channel) return channel[2] ?? null;
  }
  return null;
}

/**
 * The Rust toolchain the project pins for builds in its package dir: rustup looks for `rust-toolchain`
 * then `rust-toolchain.toml` in that dir and each parent; napi-ship looks up to the repository root.
 */
function pinnedRustToolchain(packageDir: string, repositoryRoot: string): string | null {
  for (const d of dirsUpTo(packageDir, repositoryRoot)) {
    for (const name of ['rust-toolchain', 'rust-toolchain.toml']) {
      const file = path.join(d, name);
      if (!existsSync(file)) continue;
      try {
        return toolchainChannel(readFileSync(file, 'utf8'));
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Whether a yarn.lock is yarn 2+'s (it has a `__metadata:` block); unreadable counts as not. */
function yarnBerryLockfile(file: string): boolean {
  try {
    return /^__metadata:/m.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * The layout of the plan's root package in its repository: its directory relative to the repository
 * root, and its package manager: the root's `packageManager` field, else that of the nearest lockfile
 * between the package and the repository root (npm without either).
 */
export function repositoryLayout(plan: ReleasePlan): RepositoryLayout {
  const repositoryRoot = findRepositoryRoot(plan.root.dir);
  let installAt = plan.root.dir;
  let packageManager: PackageManager = 'npm';
  let lockfile = false;
  search: for (const d of dirsUpTo(plan.root.dir, repositoryRoot)) {
    for (const [file, pm] of LOCKFILES) {
      if (existsSync(path.join(d, file))) {
        installAt = d;
        packageManager = pm;
        lockfile = true;
        break search;
      }
    }
  }
  // The `packageManager` field (corepack's) names the package manager even before a lockfile exists.
  const fieldText = typeof plan.root.manifest.packageManager === 'string' ? plan.root.manifest.packageManager : '';
  const field = /^(npm|pnpm|yarn)@/.exec(fieldText);
  if (field !== null) packageManager = field[1] as PackageManager;
  // yarn 1: a `yarn@1.x` field, or (without a field) a yarn.lock that is not yarn 2+'s (no __metadata).
  const yarnClassic =
    packageManager === 'yarn' &&
    (field !== null ? /^yarn@1\./.test(fieldText) : lockfile && !yarnBerryLockfile(path.join(installAt, 'yarn.lock')));
  // napi-ship as the workflow runs it: the pinned devDependency through the package manager's exec;
  // in napi-ship's own repository, its bin.
  const installManifest = installAt === plan.root.dir ? plan.root.manifest : readManifest(path.join(installAt, 'package.json'));
  let napiShip = napiShipExec(packageManager);
  let napiShipSetup = '';
  let dependency: NapiShipDependency = { kind: 'missing', spec: null, file: plan.root.packageJsonPath };
  for (const [dir, manifest] of [
    [plan.root.dir, plan.root.manifest],
    [installAt, installManifest],
  ] as const) {
    if (manifest === null) continue;
    const bin = selfBin(manifest);
    if (bin !== null) {
      napiShip = `node ${posixRelative(plan.root.dir, path.resolve(dir, bin))}`;
      const scripts = isRecord(manifest.scripts) ? manifest.scripts : {};
      if (typeof scripts.build === 'string') napiShipSetup = `${packageManager} run build`;
      dependency = { kind: 'self', spec: null, file: path.join(dir, 'package.json') };
      break;
    }
    const spec = napiShipSpec(manifest);
    if (spec !== null) {
      dependency = { kind: 'dependency', spec, file: path.join(dir, 'package.json') };
      break;
    }
  }
  const project: ProjectBuild = projectBuild(plan);
  return {
    repositoryRoot,
    options: {
      rustToolchain: pinnedRustToolchain(plan.root.dir, repositoryRoot) ?? 'stable',
      packageDir: posixRelative(repositoryRoot, plan.root.dir),
      installDir: posixRelative(repositoryRoot, installAt),
      packageManager,
      lockfile,
      yarnClassic,
      project,
      napiShip,
      napiShipSetup,
    },
    napiShipDependency: dependency,
  };
}

/**
 * A warning when the generated build job cannot find the crate: napi build runs in the package dir,
 * which has no Cargo.toml, and neither the build script nor napiShip.build.crateDir names one (rolldown:
 * packages/rolldown builds crates/rolldown_binding through its own script). `napi-ship build` takes
 * such a package's binaries as they are; a CI build job has nothing to take. The hint names the
 * napi-rs crates found between the package dir and the repository root.
 */
export function buildCrateNotes(layout: RepositoryLayout, packageDir: string): Diagnostic[] {
  const project = layout.options.project;
  if (project.manifestPath !== null || project.crateFrom !== 'none') return [];
  if (project.diagnostics.some((d) => d.severity === 'error')) return [];
  const candidates = new Set<string>();
  for (const d of dirsUpTo(packageDir, layout.repositoryRoot)) {
    for (const c of findAddonCrates(d)) candidates.add(posixRelative(packageDir, path.dirname(c)));
  }
  const found = [...candidates].sort();
  return [
    diagnostic({
      code: 'NS_CI_NO_CRATE',
      severity: 'warning',
      subject: path.join(packageDir, 'package.json'),
      message: `the build job runs napi build in ${layout.options.packageDir}, which has no Cargo.toml, and neither the build script nor napiShip.build.crateDir names the crate: every build would fail`,
      hint:
        found.length > 0
          ? `set napiShip.build.crateDir to the addon crate: ${found.map((f) => `"${f}"`).join(' or ')} (napi-rs cdylib crates found in the repository)`
          : 'set napiShip.build.crateDir to the addon crate (the dir of its Cargo.toml, relative to the package)',
    }),
  ];
}

const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * Warnings about how the generated workflow gets napi-ship: it runs the project's devDependency
 * through the package manager's exec (never a registry fetch under `id-token: write`), so napi-ship
 * must be one, pinned to an exact version.
 */
export function napiShipDependencyNotes(layout: RepositoryLayout): Diagnostic[] {
  const dep = layout.napiShipDependency;
  const pm = layout.options.packageManager;
  const add = pm === 'npm' ? 'npm install --save-dev --save-exact napi-ship' : `${pm} add -D -E napi-ship`;
  if (dep.kind === 'missing') {
    return [
      diagnostic({
        code: 'NS_CI_NAPI_SHIP_NOT_INSTALLED',
        severity: 'warning',
        subject: dep.file,
        message: `napi-ship is not a devDependency of the package (nor of the workspace root): the workflow's \`${layout.options.napiShip}\` would fail`,
        hint: `run \`${add}\` (or \`napi-ship init\`) and commit the lockfile`,
      }),
    ];
  }
  if (dep.kind === 'dependency' && dep.spec !== null && !EXACT_VERSION.test(dep.spec) && !/^(workspace|link|file):/.test(dep.spec)) {
    return [
      diagnostic({
        code: 'NS_CI_NAPI_SHIP_NOT_PINNED',
        severity: 'warning',
        subject: dep.file,
        message: `napi-ship is required as "${dep.spec}", not an exact version: the publish job runs whatever the lockfile resolved it to`,
        hint: `pin it: \`${add}\``,
      }),
    ];
  }
  return [];
}

/** The default workflow file of a plan: `.github/workflows/release.yml` under the repository root. */
export function defaultWorkflowFile(layout: RepositoryLayout): string {
  return path.join(layout.repositoryRoot, ...DEFAULT_WORKFLOW_PATH.split('/'));
}

/** The text of a workflow file, or undefined when it does not exist. */
export async function readWorkflowFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw new DiagnosticError([
      {
        code: 'NS_CI_WORKFLOW_UNREADABLE',
        severity: 'error',
        subject: file,
        message: `cannot read the workflow file: ${errorMessage(error)}`,
        hint: 'pass --out with the path of the workflow file',
      },
    ]);
  }
}
