/**
 * The release workflow: plan → GitHub Actions workflow object → YAML text, and the drift check of a
 * workflow file against what would be generated now. Pure: no I/O; the same plan and options give
 * the same bytes.
 *
 * Jobs:
 * - `build`: the matrix of `ciMatrix` (one job per target), each uploading exactly
 *   `<binaryName>.<platformArchABI>.node` (`.wasm` for WASI) as `bindings-<triple>`;
 * - `test`: the targets a GitHub-hosted runner can load (`TESTABLE_TARGETS`) × Node 20/22/24, Deno
 *   and Bun, each loading the root package's loader with the downloaded binary next to it
 *   (omitted when no configured target is loadable there);
 * - `publish`: on a `v*` tag only, downloads every `bindings-*` artifact into `artifacts/` and runs
 *   `napi-ship stage --artifacts artifacts && napi-ship verify && napi-ship pack && napi-ship publish` with
 *   `id-token: write` (npm provenance / trusted publishing).
 */
import path from 'node:path';
import { Document, parse, visit } from 'yaml';
import { diagnostic, DiagnosticError, type Diagnostic } from '../diagnostics/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { DEFAULT_REGISTRY } from '../registry/url.js';
import { resolvePolicy } from '../verify/policy.js';
import { ACTIONS, pinnedActionOf, usesRef } from './actions.js';
import { ciMatrix, TEST_RUNTIMES, testMatrix, ZIG_VERSION, type MatrixEntry, type TestEntry } from './matrix.js';
import { isRecord } from '../util/json.js';

/** The package manager that installs the repository's dependencies (and so @napi-rs/cli and napi-ship). */
export type PackageManager = 'npm' | 'pnpm' | 'yarn';

/** Where things are in the repository: everything the plan does not say. */
export interface WorkflowOptions {
  /** The root package directory relative to the repository root, with `/` separators (`.` when it is the root). */
  readonly packageDir?: string | undefined;
  /** The directory dependencies are installed in (where the lockfile is), relative to the repository root. */
  readonly installDir?: string | undefined;
  readonly packageManager?: PackageManager | undefined;
  /** Whether a lockfile exists (`npm ci` rather than `npm install`). */
  readonly lockfile?: boolean | undefined;
}

/** The default path of the generated workflow, relative to the repository root. */
export const DEFAULT_WORKFLOW_PATH = '.github/workflows/release.yml';

/** The Node.js release the build and publish jobs run (an LTS line; npm 11 for trusted publishing). */
export const BUILD_NODE_VERSION = '24';

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
type Step = Readonly<Record<string, Json>>;
type Job = Readonly<Record<string, Json>>;

/** The workflow as a plain object, in the key order it is written. */
export interface Workflow {
  readonly name: string;
  readonly on: Json;
  readonly permissions: Json;
  readonly concurrency: Json;
  readonly jobs: Readonly<Record<string, Job>>;
}

function normalizeDir(dir: string | undefined): string {
  const d = path.posix.normalize((dir ?? '.').replaceAll('\\', '/'));
  return d === '' || d === './' ? '.' : d.replace(/\/$/, '');
}

/** `dir/file`, or `file` when dir is the repository root. */
function inDir(dir: string, file: string): string {
  return dir === '.' ? file : `${dir}/${file}`;
}

/** The loader the test job requires: the root's `main` (default `index.js`), as `./…`. */
function loaderPath(plan: ReleasePlan): string {
  const main = plan.root.manifest['main'];
  const file = typeof main === 'string' ? path.posix.normalize(main) : 'index.js';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(file) || file.startsWith('../')) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_CI_CONFIG',
        subject: plan.root.packageJsonPath,
        message: `package.json main ${JSON.stringify(main)} cannot be loaded by the generated test job`,
        expected: 'a relative path inside the package, e.g. "index.js"',
        found: JSON.stringify(main),
        hint: 'point main at the napi-rs loader (index.js) inside the root package',
      }),
    ]);
  }
  return `./${file}`;
}

function installCommand(pm: PackageManager, lockfile: boolean): string {
  if (pm === 'pnpm') return `corepack enable && pnpm install${lockfile ? ' --frozen-lockfile' : ''}`;
  if (pm === 'yarn') return 'corepack enable && yarn install';
  return lockfile ? 'npm ci' : 'npm install';
}

function checkout(): Step {
  return { name: 'Check out', uses: usesRef('actions/checkout'), with: { 'persist-credentials': false } };
}

function setupNode(version: string, extra: Readonly<Record<string, Json>> = {}, condition?: string): Step {
  return {
    name: 'Set up Node.js',
    ...(condition === undefined ? {} : { if: condition }),
    uses: usesRef('actions/setup-node'),
    with: { 'node-version': version, ...extra },
  };
}

interface Layout {
  readonly packageDir: string;
  readonly installDir: string;
  readonly install: string;
}

function installStep(layout: Layout): Step {
  return {
    name: 'Install dependencies',
    run: layout.install,
    env: { COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
    'working-directory': layout.installDir,
  };
}

function runDefaults(layout: Layout): Json {
  return { run: { shell: 'bash', 'working-directory': layout.packageDir } };
}

/** `export PATH=…` putting the package's and the install dir's `node_modules/.bin` first (bash, any OS). */
function binPath(layout: Layout): string {
  const up = path.posix.relative(layout.packageDir, layout.installDir);
  const dirs = ['$PWD/node_modules/.bin'];
  if (up !== '') dirs.push(`$PWD/${up}/node_modules/.bin`);
  return `export PATH="${dirs.join(':')}:$PATH"`;
}

function buildJob(plan: ReleasePlan, matrix: readonly MatrixEntry[], layout: Layout): Job {
  const policy = resolvePolicy(plan.root.manifest, plan.root.config.verify, {});
  const needsZig = matrix.some((e) => e.setup.includes('zig'));
  const needsOhos = matrix.some((e) => e.setup.includes('ohos-sdk'));
  const wasm = plan.targets.some((t) => t.spec.platform === 'wasi');
  const binary = (ext: string): string =>
    inDir(layout.packageDir, `${plan.root.binaryName}.\${{ matrix.settings.platformArchABI }}.${ext}`);
  const steps: Step[] = [
    checkout(),
    setupNode(BUILD_NODE_VERSION),
    {
      name: 'Set up Rust',
      uses: usesRef('dtolnay/rust-toolchain'),
      with: { toolchain: 'stable', targets: "${{ join(matrix.settings.rustTargets, ',') }}" },
    },
  ];
  if (needsZig) {
    steps.push({
      name: 'Set up Zig (cargo-zigbuild)',
      if: "${{ contains(matrix.settings.setup, 'zig') }}",
      uses: usesRef('mlugg/setup-zig'),
      with: { version: ZIG_VERSION },
    });
  }
  if (needsOhos) {
    steps.push({
      name: 'Check for the OpenHarmony SDK',
      if: "${{ contains(matrix.settings.setup, 'ohos-sdk') }}",
      run:
        [
          'if [ -z "${OHOS_SDK_PATH:-}" ]; then',
          '  echo "::error::napi build for OpenHarmony needs the OpenHarmony SDK, which GitHub-hosted runners lack: install it and set OHOS_SDK_PATH"',
          '  exit 1',
          'fi',
        ].join('\n') + '\n',
    });
  }
  steps.push(
    installStep(layout),
    { name: 'Build', run: `${binPath(layout)}\n\${{ matrix.settings.build }}\n` },
    {
      name: 'Upload the binary',
      uses: usesRef('actions/upload-artifact'),
      with: {
        name: '${{ matrix.settings.artifact }}',
        path: wasm ? `${binary('node')}\n${binary('wasm')}\n` : binary('node'),
        'if-no-files-found': 'error',
      },
    },
  );
  return {
    name: 'build ${{ matrix.settings.target }}',
    'runs-on': '${{ matrix.settings.host }}',
    strategy: { 'fail-fast': false, matrix: { settings: matrix.map((e) => ({ ...e })) } },
    env: { MACOSX_DEPLOYMENT_TARGET: policy.macosMin },
    defaults: runDefaults(layout),
    steps,
  };
}

function testJob(plan: ReleasePlan, matrix: readonly TestEntry[], layout: Layout): Job {
  const loader = loaderPath(plan);
  const when = (runtime: string): string => `\${{ matrix.runtime.name == '${runtime}' }}`;
  return {
    name: 'test ${{ matrix.settings.target }} on ${{ matrix.runtime.name }} ${{ matrix.runtime.version }}',
    needs: ['build'],
    'runs-on': '${{ matrix.settings.host }}',
    strategy: {
      'fail-fast': false,
      matrix: { settings: matrix.map((e) => ({ ...e })), runtime: TEST_RUNTIMES.map((r) => ({ ...r })) },
    },
    defaults: runDefaults(layout),
    steps: [
      checkout(),
      setupNode('${{ matrix.runtime.version }}', {}, when('node')),
      {
        name: 'Set up Deno',
        if: when('deno'),
        uses: usesRef('denoland/setup-deno'),
        with: { 'deno-version': '${{ matrix.runtime.version }}' },
      },
      {
        name: 'Set up Bun',
        if: when('bun'),
        uses: usesRef('oven-sh/setup-bun'),
        with: { 'bun-version': '${{ matrix.runtime.version }}' },
      },
      {
        name: 'Download the binary',
        uses: usesRef('actions/download-artifact'),
        with: { name: '${{ matrix.settings.artifact }}', path: layout.packageDir },
      },
      { name: 'Load with Node.js', if: when('node'), run: `node -e "require('${loader}')"` },
      {
        name: 'Load with Deno',
        if: when('deno'),
        run: `deno eval "import { createRequire } from 'node:module'; createRequire(import.meta.url)('${loader}')"`,
      },
      { name: 'Load with Bun', if: when('bun'), run: `bun -e "require('${loader}')"` },
    ],
  };
}

function publishJob(layout: Layout, needs: readonly string[]): Job {
  return {
    name: 'publish',
    needs: [...needs],
    if: "${{ startsWith(github.ref, 'refs/tags/v') }}",
    'runs-on': 'ubuntu-latest',
    permissions: { contents: 'read', 'id-token': 'write' },
    defaults: runDefaults(layout),
    steps: [
      checkout(),
      setupNode(BUILD_NODE_VERSION, { 'registry-url': DEFAULT_REGISTRY.replace(/\/$/, '') }),
      installStep(layout),
      {
        name: 'Download the binaries',
        uses: usesRef('actions/download-artifact'),
        with: { pattern: 'bindings-*', path: inDir(layout.packageDir, 'artifacts') },
      },
      {
        name: 'Stage, verify, pack and publish',
        run: 'npx napi-ship stage --artifacts artifacts && npx napi-ship verify && npx napi-ship pack && npx napi-ship publish',
      },
    ],
  };
}

function layoutOf(options: WorkflowOptions): Layout {
  const packageDir = normalizeDir(options.packageDir);
  const installDir = normalizeDir(options.installDir ?? options.packageDir);
  return { packageDir, installDir, install: installCommand(options.packageManager ?? 'npm', options.lockfile ?? false) };
}

/** The release workflow of a plan, as an object (key order is the order written). */
export function workflowObject(plan: ReleasePlan, options: WorkflowOptions = {}): Workflow {
  const layout = layoutOf(options);
  const specs = plan.targets.map((t) => t.spec);
  const tests = testMatrix(specs);
  const jobs: Record<string, Job> = { build: buildJob(plan, ciMatrix(specs), layout) };
  if (tests.length > 0) jobs.test = testJob(plan, tests, layout);
  jobs.publish = publishJob(layout, tests.length > 0 ? ['build', 'test'] : ['build']);
  return {
    name: 'release',
    on: { push: { tags: ['v*'] }, pull_request: {}, workflow_dispatch: {} },
    permissions: { contents: 'read' },
    concurrency: {
      group: '${{ github.workflow }}-${{ github.ref }}',
      'cancel-in-progress': "${{ github.event_name == 'pull_request' }}",
    },
    jobs,
  };
}

/** The header comment of a generated workflow. */
function header(plan: ReleasePlan, layout: Layout): string {
  return [
    ` Release workflow of ${plan.root.name}, generated by \`napi-ship ci generate\` from napi.targets`,
    ` in ${inDir(layout.packageDir, 'package.json')}. Do not edit: change the config and regenerate;`,
    ' `napi-ship ci generate --check` fails when this file and the config drift apart.',
    ` Actions are pinned by commit SHA (${Object.keys(ACTIONS).length} pins, see napi-ship's src/ci/actions.ts).`,
  ].join('\n');
}

/** The release workflow of a plan as YAML text: deterministic (same plan and options, same bytes). */
export function generateWorkflow(plan: ReleasePlan, options: WorkflowOptions = {}): string {
  const doc = new Document(workflowObject(plan, options));
  doc.commentBefore = header(plan, layoutOf(options));
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      const pinned = pinnedActionOf(node.value);
      if (pinned) node.comment = ` ${pinned.version}`;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

// ---- drift check -------------------------------------------------------------------------------

function at(v: unknown, ...keys: string[]): unknown {
  let cur = v;
  for (const k of keys) cur = isRecord(cur) ? cur[k] : undefined;
  return cur;
}

/** `jobs.<job>.strategy.matrix.settings` as target → entry; undefined when the job or list is absent. */
function matrixOf(workflow: unknown, job: string): Map<string, Readonly<Record<string, unknown>>> | undefined {
  const settings = at(workflow, 'jobs', job, 'strategy', 'matrix', 'settings');
  if (!Array.isArray(settings)) return undefined;
  const out = new Map<string, Readonly<Record<string, unknown>>>();
  for (const s of settings as unknown[]) {
    if (isRecord(s) && typeof s['target'] === 'string') out.set(s['target'], s);
  }
  return out;
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

const REGENERATE = 'run `napi-ship ci generate` to rewrite it from the config (or put the config back)';

function matrixDrift(expected: unknown, actual: unknown, job: string, file: string): Diagnostic[] {
  const want = matrixOf(expected, job);
  const have = matrixOf(actual, job);
  if (want === undefined && have === undefined) return [];
  if (want === undefined || have === undefined) {
    return [
      diagnostic({
        code: 'NS_CI_DRIFT',
        subject: file,
        message: want
          ? `the workflow has no \`${job}\` job matrix, which the config calls for`
          : `the workflow has a \`${job}\` job matrix the config no longer calls for`,
        expected: want ? `jobs.${job}.strategy.matrix.settings` : 'no such job',
        found: have ? `jobs.${job}.strategy.matrix.settings` : 'none',
        hint: REGENERATE,
      }),
    ];
  }
  const out: Diagnostic[] = [];
  for (const [target, entry] of want) {
    const found = have.get(target);
    if (!found) {
      out.push(
        diagnostic({
          code: 'NS_CI_DRIFT',
          target,
          subject: file,
          message:
            job === 'build'
              ? `napi.targets lists ${target}, but the workflow's build matrix does not build it`
              : `the workflow's ${job} matrix does not load ${target}`,
          expected: `a jobs.${job} matrix entry for ${target}`,
          found: 'none',
          hint: REGENERATE,
        }),
      );
      continue;
    }
    for (const key of new Set([...Object.keys(entry), ...Object.keys(found)])) {
      if (JSON.stringify(entry[key]) !== JSON.stringify(found[key])) {
        out.push(
          diagnostic({
            code: 'NS_CI_DRIFT',
            target,
            subject: file,
            message: `the workflow's ${job} matrix entry for ${target} has a different \`${key}\``,
            expected: show(entry[key]),
            found: show(found[key]),
            hint: REGENERATE,
          }),
        );
      }
    }
  }
  for (const target of have.keys()) {
    if (!want.has(target)) {
      out.push(
        diagnostic({
          code: 'NS_CI_DRIFT',
          target,
          subject: file,
          message:
            job === 'build'
              ? `the workflow's build matrix builds ${target}, which napi.targets does not list`
              : `the workflow's ${job} matrix loads ${target}, which the config does not call for`,
          expected: 'no entry',
          found: `a jobs.${job} matrix entry for ${target}`,
          hint: REGENERATE,
        }),
      );
    }
  }
  return out;
}

function firstDifference(expected: string, actual: string, file: string): Diagnostic {
  const want = expected.split('\n');
  const have = actual.split('\n');
  let i = 0;
  while (i < want.length && i < have.length && want[i] === have[i]) i++;
  return diagnostic({
    code: 'NS_CI_DRIFT',
    subject: file,
    message: `the workflow differs from what \`napi-ship ci generate\` writes, first at line ${i + 1}`,
    expected: want[i] === undefined ? 'end of file' : JSON.stringify(want[i]),
    found: have[i] === undefined ? 'end of file' : JSON.stringify(have[i]),
    hint: REGENERATE,
  });
}

/**
 * How the workflow text on disk (`actual`, undefined when the file is missing) differs from the one
 * generated now (`expected`): empty when they are byte-identical, otherwise `NS_CI_DRIFT`
 * diagnostics naming each target whose matrix entry is missing, extra or changed, or the first
 * differing line when the difference is elsewhere.
 */
export function workflowDrift(expected: string, actual: string | undefined, file: string): Diagnostic[] {
  if (actual === expected) return [];
  if (actual === undefined) {
    return [
      diagnostic({
        code: 'NS_CI_DRIFT',
        subject: file,
        message: 'the workflow file does not exist',
        expected: 'the generated workflow',
        found: 'no file',
        hint: 'run `napi-ship ci generate` to write it (or pass --out with where it is)',
      }),
    ];
  }
  let parsed: unknown;
  try {
    parsed = parse(actual);
  } catch {
    return [firstDifference(expected, actual, file)];
  }
  const wanted: unknown = parse(expected);
  const specific = [...matrixDrift(wanted, parsed, 'build', file), ...matrixDrift(wanted, parsed, 'test', file)];
  return specific.length > 0 ? specific : [firstDifference(expected, actual, file)];
}
