/**
 * CI generation: the build matrix of the configured targets (`ciMatrix`), the release workflow
 * (`generateWorkflow`) and its drift check (`workflowDrift`) are pure; this module adds the I/O the
 * CLI needs (where the repository root and the lockfile are, reading the workflow on disk).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DiagnosticError, errorMessage } from '../diagnostics/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { DEFAULT_WORKFLOW_PATH, type PackageManager, type WorkflowOptions } from './workflow.js';

export { ACTIONS, pinnedActionOf, usesRef, type ActionName, type PinnedAction } from './actions.js';
export {
  NAPI_CROSS_TARGETS,
  TESTABLE_TARGETS,
  TEST_RUNTIMES,
  ZIG_VERSION,
  ciMatrix,
  crossCompilerFor,
  matrixEntry,
  runnerFor,
  testMatrix,
  type CrossCompiler,
  type MatrixEntry,
  type Runner,
  type SetupNeed,
  type TestEntry,
  type TestRuntime,
} from './matrix.js';
export {
  BUILD_NODE_VERSION,
  DEFAULT_WORKFLOW_PATH,
  generateWorkflow,
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
  search: for (let d = plan.root.dir; ; d = path.dirname(d)) {
    for (const [file, pm] of LOCKFILES) {
      if (existsSync(path.join(d, file))) {
        installAt = d;
        packageManager = pm;
        lockfile = true;
        break search;
      }
    }
    if (d === repositoryRoot || path.dirname(d) === d) break;
  }
  // The `packageManager` field (corepack's) names the package manager even before a lockfile exists.
  const field = /^(npm|pnpm|yarn)@/.exec(typeof plan.root.manifest.packageManager === 'string' ? plan.root.manifest.packageManager : '');
  if (field !== null) packageManager = field[1] as PackageManager;
  return {
    repositoryRoot,
    options: {
      packageDir: posixRelative(repositoryRoot, plan.root.dir),
      installDir: posixRelative(repositoryRoot, installAt),
      packageManager,
      lockfile,
    },
  };
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
