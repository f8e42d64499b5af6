/**
 * The release workflow: plan → GitHub Actions workflow object → YAML text, and the drift check of a
 * workflow file against what would be generated now. Pure: no I/O; the same plan and options give
 * the same bytes.
 *
 * Jobs, after napi-rs's package template (`.github/workflows/CI.yml`):
 * - `build`: the matrix of `ciMatrix` (one job per target) running the project's own build (its
 *   build script with `--target` and the toolchain flags, see `projectBuildCommand`), with a cargo
 *   cache, zig and a prebuilt cargo-zigbuild where `-x` needs them; each uploads exactly
 *   `<binaryName>.<platformArchABI>.node` (`.wasm` too for WASI) as `bindings-<triple>`;
 * - `test`: the project's test command on macOS and Windows runners (x64 and arm64), Node 22 and 24;
 * - `test-linux`: the project's test command in `node:<v>-slim` / `node:<v>-alpine` containers,
 *   arm64 on the arm64 runner, armv7/ppc64le/s390x under QEMU;
 * - `test-wasi`: the project's test command with `NAPI_RS_FORCE_WASI=1`;
 * - `publish`: on a `v*` tag only, downloads every `bindings-*` artifact and runs napi-ship from the
 *   project's pinned devDependency (the package manager's exec, never a registry fetch): stage →
 *   verify → pack → sbom → policy → sign → the rehearsal (`release --dry-run`) → publish, with
 *   `--access` from `publishConfig.access` and npm provenance (`id-token: write`).
 */
import path from 'node:path';
import { Document, parse, visit } from 'yaml';
import { diagnostic, DiagnosticError, type Diagnostic } from '../diagnostics/index.js';
import type { ReleasePlan } from '../plan/index.js';
import { DEFAULT_REGISTRY } from '../registry/url.js';
import { resolvePolicy } from '../verify/policy.js';
import { profileOf, projectArgs, projectEnvFor, shellQuote, type ProjectBuild } from '../build/index.js';
import type { TargetSpec } from '../targets/index.js';
import { ACTIONS, pinnedActionOf, usesRef } from './actions.js';
import {
  ciMatrix,
  linuxTestMatrix,
  templateBuild,
  testMatrix,
  untestedTargets,
  wasiTestMatrix,
  ZIG_VERSION,
  type BuildCommand,
  type LinuxTestEntry,
  type MatrixEntry,
  type TestEntry,
  type WasiTestEntry,
} from './matrix.js';
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
  /**
   * yarn 1 (classic): its install keeps the lockfile only with `--frozen-lockfile` (yarn 2+ is
   * immutable on CI by itself) and it has no `supportedArchitectures` setting.
   */
  readonly yarnClassic?: boolean | undefined;
  /** The project's build (`projectBuild` of src/build); without it, napi-rs's template build. */
  readonly project?: ProjectBuild | undefined;
  /**
   * How the workflow runs napi-ship, relative to the package dir: default the package manager's exec
   * of the project's pinned devDependency (`pnpm exec napi-ship`, `yarn napi-ship`,
   * `npx --no-install napi-ship`); `node <path>/bin/napi-ship.js` in napi-ship's own repository.
   */
  readonly napiShip?: string | undefined;
  /** A command run in the install dir before napi-ship is used (napi-ship's own repository builds itself first); empty: none. */
  readonly napiShipSetup?: string | undefined;
  /**
   * The Rust toolchain the jobs install (with the matrix's targets): the channel the project pins in
   * `rust-toolchain.toml` / `rust-toolchain` (rustup uses it for every cargo run in the checkout, so the
   * targets must be added to that toolchain, not to `stable`); default `stable`.
   */
  readonly rustToolchain?: string | undefined;
}

/** The cargo-zigbuild release the build job installs from PyPI's prebuilt wheel (as napi-ship's setup.sh). */
export const CARGO_ZIGBUILD_VERSION = '0.24.1';

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

function installCommand(pm: PackageManager, lockfile: boolean, yarnClassic: boolean): string {
  if (pm === 'pnpm') return `corepack enable && pnpm install${lockfile ? ' --frozen-lockfile' : ''}`;
  if (pm === 'yarn') return `corepack enable && yarn install${yarnClassic && lockfile ? ' --frozen-lockfile' : ''}`;
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
  /** The Rust toolchain to install (WorkflowOptions.rustToolchain). */
  readonly rustToolchain: string;
  readonly yarnClassic: boolean;
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

/** `napi-ship` as the workflow runs it: the package manager's exec of the project's devDependency. */
export function napiShipExec(pm: PackageManager): string {
  if (pm === 'pnpm') return 'pnpm exec napi-ship';
  if (pm === 'yarn') return 'yarn napi-ship';
  return 'npx --no-install napi-ship';
}

/** The project's test command (`<pm> test`), or a load of the loader when it has no test script. */
function testCommand(plan: ReleasePlan, pm: PackageManager): string {
  const scripts = plan.root.manifest.scripts;
  if (isRecord(scripts) && typeof scripts.test === 'string') return pm === 'npm' ? 'npm test' : `${pm} test`;
  return `node -e "require('${loaderPath(plan)}')"`;
}

function envPrefix(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(v)} `)
    .join('');
}

/** `<pm> run <script>` with what follows going to the script (`npm run build --`, `yarn build`). */
function runScript(pm: PackageManager, name: string): string {
  if (pm === 'npm') return `npm run ${name} --`;
  if (pm === 'yarn') return name === 'build' ? 'yarn build' : `yarn run ${name}`;
  return `pnpm run ${name}`;
}

/**
 * The project's build of one target as a command line in the package dir. When the build script's
 * `napi build` takes appended arguments (it is the last command of each script followed) and names
 * no toolchain, it is the script itself with `--target` and the toolchain flags appended, as
 * napi-rs's template does (`yarn build --target T --use-napi-cross`); otherwise `napi build` with
 * the script's flags (or `napiShip.build.args`) written out. `napiShip.build.env`/`targetEnv` (and,
 * written out, the script's own variables) go in front.
 */
export function projectBuildCommand(project: ProjectBuild | undefined, pm: PackageManager): BuildCommand {
  if (project === undefined) return templateBuild;
  const script = project.script;
  const viaScript =
    project.flagsFrom === 'script' &&
    script !== null &&
    script.forwardsArgs &&
    project.flags.perTarget.length === 0 &&
    project.flags.dropped.length === 0 &&
    (project.crateFrom === 'script' || project.crateFrom === 'beside');
  const { release, profile } = profileOf(project, undefined);
  return (spec: TargetSpec, triple: string, flags: string): string => {
    const all = projectEnvFor(project, spec);
    if (viaScript) {
      // The script sets its own variables; only napi-ship's config adds any.
      const env = Object.fromEntries(Object.entries(all).filter(([k, v]) => script.env[k] !== v));
      const platform = project.flags.options.platform === true ? '' : ' --platform';
      const rel = project.flags.options.release === true || typeof project.flags.options.profile === 'string' ? '' : ' --release';
      return `${envPrefix(env)}${runScript(pm, script.name)} --target ${triple}${flags}${platform}${rel}`;
    }
    const args = projectArgs(project);
    const level = profile !== null ? ` --profile ${shellQuote(profile)}` : release ? ' --release' : '';
    return `${envPrefix(all)}napi build --platform${level} --target ${triple}${flags}${args.length > 0 ? ` ${args.join(' ')}` : ''}`;
  };
}

/** Where the build writes the loader and the `.node` files in CI, relative to the repository root. */
function outputDirOf(layout: Layout, project: ProjectBuild | undefined): string {
  if (project === undefined) return layout.packageDir;
  const rel = path.relative(project.packageDir, project.outputDir).split(path.sep).join('/');
  return normalizeDir(rel === '' ? layout.packageDir : path.posix.join(layout.packageDir, rel));
}

function cacheStep(layout: Layout, project: ProjectBuild | undefined): Step {
  const targets = ['target/'];
  if (project?.manifestPath) {
    const crate = path.relative(project.packageDir, path.dirname(project.manifestPath)).split(path.sep).join('/');
    const dir = normalizeDir(path.posix.join(layout.packageDir, crate === '' ? '.' : crate));
    if (dir !== '.' && !dir.startsWith('..')) targets.push(`${dir}/target/`);
  }
  return {
    name: 'Cache cargo',
    uses: usesRef('actions/cache'),
    with: {
      path: ['~/.cargo/registry/index/', '~/.cargo/registry/cache/', '~/.cargo/git/db/', '~/.napi-rs', ...targets].join('\n') + '\n',
      key: "${{ matrix.settings.target }}-cargo-${{ matrix.settings.host }}-${{ hashFiles('**/Cargo.lock') }}",
      'restore-keys': '${{ matrix.settings.target }}-cargo-${{ matrix.settings.host }}-\n',
    },
  };
}

function buildJob(
  plan: ReleasePlan,
  matrix: readonly MatrixEntry[],
  layout: Layout,
  outDir: string,
  project: ProjectBuild | undefined,
): Job {
  const policy = resolvePolicy(plan.root.manifest, plan.root.config.verify, {});
  const needsZig = matrix.some((e) => e.setup.includes('zig'));
  const needsOhos = matrix.some((e) => e.setup.includes('ohos-sdk'));
  const wasm = plan.targets.some((t) => t.spec.platform === 'wasi');
  const binary = (ext: string): string => inDir(outDir, `${plan.root.binaryName}.\${{ matrix.settings.platformArchABI }}.${ext}`);
  const steps: Step[] = [
    checkout(),
    setupNode(BUILD_NODE_VERSION),
    {
      name: 'Set up Rust',
      uses: usesRef('dtolnay/rust-toolchain'),
      with: { toolchain: layout.rustToolchain, targets: "${{ join(matrix.settings.rustTargets, ',') }}" },
    },
    cacheStep(layout, project),
  ];
  if (needsZig) {
    const zig = "${{ contains(matrix.settings.setup, 'zig') }}";
    steps.push(
      { name: 'Set up Zig (cargo-zigbuild)', if: zig, uses: usesRef('mlugg/setup-zig'), with: { version: ZIG_VERSION } },
      {
        // PyPI's cargo-zigbuild wheel is a prebuilt binary: seconds, not a `cargo install` per run.
        name: 'Install cargo-zigbuild (prebuilt, PyPI)',
        if: zig,
        run: `pipx install cargo-zigbuild==${CARGO_ZIGBUILD_VERSION}`,
      },
    );
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

function download(outDir: string): Step {
  return {
    name: 'Download the binary',
    uses: usesRef('actions/download-artifact'),
    with: { name: '${{ matrix.settings.artifact }}', path: outDir },
  };
}

function testJob(plan: ReleasePlan, matrix: readonly TestEntry[], layout: Layout, outDir: string, pm: PackageManager): Job {
  return {
    name: 'test ${{ matrix.settings.target }} on Node.js ${{ matrix.settings.node }}',
    needs: ['build'],
    'runs-on': '${{ matrix.settings.host }}',
    strategy: { 'fail-fast': false, matrix: { settings: matrix.map((e) => ({ ...e })) } },
    defaults: runDefaults(layout),
    steps: [
      checkout(),
      setupNode('${{ matrix.settings.node }}', { architecture: '${{ matrix.settings.architecture }}' }),
      installStep(layout),
      download(outDir),
      { name: 'Test', run: testCommand(plan, pm) },
    ],
  };
}

function linuxTestJob(plan: ReleasePlan, matrix: readonly LinuxTestEntry[], layout: Layout, outDir: string, pm: PackageManager): Job {
  const up = path.posix.relative(layout.installDir, layout.packageDir);
  // Dependencies are installed inside the container, so native ones match its architecture and libc.
  const inside = [layout.install, ...(up === '' ? [] : [`cd ${up}`]), testCommand(plan, pm)].join(' && ');
  return {
    name: 'test ${{ matrix.settings.target }} on Node.js ${{ matrix.settings.node }} (${{ matrix.settings.image }})',
    needs: ['build'],
    'runs-on': '${{ matrix.settings.host }}',
    strategy: { 'fail-fast': false, matrix: { settings: matrix.map((e) => ({ ...e })) } },
    defaults: runDefaults(layout),
    steps: [
      checkout(),
      download(outDir),
      {
        // As napi-rs's template: register QEMU for foreign architectures (armv7, ppc64le, s390x).
        name: 'Set up QEMU',
        if: '${{ matrix.settings.qemu }}',
        run: 'docker run --rm --privileged multiarch/qemu-user-static --reset -p yes',
      },
      {
        name: 'Test in a container',
        env: {
          IMAGE: '${{ matrix.settings.image }}',
          PLATFORM: '${{ matrix.settings.platform }}',
          TEST_SCRIPT: inside,
        },
        run:
          [
            'docker run --rm --platform "$PLATFORM" -e CI=true -e COREPACK_ENABLE_DOWNLOAD_PROMPT=0 \\',
            `  -v "$GITHUB_WORKSPACE:$GITHUB_WORKSPACE" -w "$GITHUB_WORKSPACE${layout.installDir === '.' ? '' : `/${layout.installDir}`}" \\`,
            '  "$IMAGE" sh -c "$TEST_SCRIPT"',
          ].join('\n') + '\n',
      },
    ],
  };
}

function wasiTestJob(plan: ReleasePlan, matrix: readonly WasiTestEntry[], layout: Layout, outDir: string, pm: PackageManager): Job {
  // yarn installs the wasm32 optional packages (the WASI fallback's runtime) only when told, as napi-rs's template does.
  const install =
    pm === 'yarn' && !layout.yarnClassic
      ? {
          ...installStep(layout),
          run: `corepack enable && yarn config set --json supportedArchitectures.cpu '["current", "wasm32"]' && yarn install`,
        }
      : installStep(layout);
  return {
    name: 'test ${{ matrix.settings.target }} (NAPI_RS_FORCE_WASI)',
    needs: ['build'],
    'runs-on': 'ubuntu-latest',
    strategy: { 'fail-fast': false, matrix: { settings: matrix.map((e) => ({ ...e })) } },
    defaults: runDefaults(layout),
    steps: [
      checkout(),
      setupNode(BUILD_NODE_VERSION),
      install,
      download(outDir),
      { name: 'Test', run: testCommand(plan, pm), env: { NAPI_RS_FORCE_WASI: '1' } },
    ],
  };
}

function publishJob(plan: ReleasePlan, layout: Layout, needs: readonly string[], exec: string, setup: string): Job {
  const publishConfig = plan.root.manifest.publishConfig;
  const access =
    isRecord(publishConfig) && (publishConfig.access === 'public' || publishConfig.access === 'restricted') ? publishConfig.access : null;
  const step = (name: string, command: string, extra: Readonly<Record<string, Json>> = {}): Step => ({
    name,
    run: `${exec} ${command}`,
    ...extra,
  });
  return {
    name: 'publish',
    needs: [...needs],
    if: "${{ startsWith(github.ref, 'refs/tags/v') }}",
    'runs-on': 'ubuntu-latest',
    // id-token: npm provenance and trusted publishing (OIDC), no long-lived npm token.
    permissions: { contents: 'read', 'id-token': 'write' },
    // Provenance on every package (napi-ship publish reads npm's env config as npm does); npm makes
    // none for restricted packages, and napi-ship would stop rather than publish without it.
    ...(access === 'restricted' ? {} : { env: { NPM_CONFIG_PROVENANCE: 'true' } }),
    defaults: runDefaults(layout),
    steps: [
      checkout(),
      setupNode(BUILD_NODE_VERSION, { 'registry-url': DEFAULT_REGISTRY.replace(/\/$/, '') }),
      // sbom and policy read the crate graph with cargo.
      { name: 'Set up Rust', uses: usesRef('dtolnay/rust-toolchain'), with: { toolchain: layout.rustToolchain } },
      installStep(layout),
      {
        name: 'Download the binaries',
        uses: usesRef('actions/download-artifact'),
        with: { pattern: 'bindings-*', path: inDir(layout.packageDir, 'artifacts') },
      },
      ...(setup === '' ? [] : [{ name: 'Build napi-ship (this repository)', run: setup, 'working-directory': layout.installDir }]),
      step('Stage', 'stage --artifacts artifacts'),
      step('Verify', 'verify'),
      step('Pack', 'pack'),
      step('SBOM', 'sbom'),
      step('License policy', 'policy'),
      step('Sign the release manifest', 'sign', { env: { NAPI_SHIP_SIGNING_KEY: '${{ secrets.NAPI_SHIP_SIGNING_KEY }}' } }),
      step('Rehearse (embedded registry, installs and loads)', 'release --dry-run --artifacts artifacts --strict --out dist/rehearsal'),
      step('Publish', `publish${access === null ? '' : ` --access ${access}`}`),
    ],
  };
}

function layoutOf(options: WorkflowOptions): Layout {
  const packageDir = normalizeDir(options.packageDir);
  const installDir = normalizeDir(options.installDir ?? options.packageDir);
  return {
    packageDir,
    installDir,
    install: installCommand(options.packageManager ?? 'npm', options.lockfile ?? false, options.yarnClassic ?? false),
    yarnClassic: options.yarnClassic ?? false,
    rustToolchain: options.rustToolchain ?? 'stable',
  };
}

/** The release workflow of a plan, as an object (key order is the order written). */
export function workflowObject(plan: ReleasePlan, options: WorkflowOptions = {}): Workflow {
  const layout = layoutOf(options);
  const pm = options.packageManager ?? 'npm';
  const project = options.project;
  const outDir = outputDirOf(layout, project);
  const specs = plan.targets.map((t) => t.spec);
  const tests = testMatrix(specs);
  const linux = linuxTestMatrix(specs);
  const wasi = wasiTestMatrix(specs);
  const jobs: Record<string, Job> = { build: buildJob(plan, ciMatrix(specs, projectBuildCommand(project, pm)), layout, outDir, project) };
  const needs = ['build'];
  if (tests.length > 0) {
    jobs.test = testJob(plan, tests, layout, outDir, pm);
    needs.push('test');
  }
  if (linux.length > 0) {
    jobs['test-linux'] = linuxTestJob(plan, linux, layout, outDir, pm);
    needs.push('test-linux');
  }
  if (wasi.length > 0) {
    jobs['test-wasi'] = wasiTestJob(plan, wasi, layout, outDir, pm);
    needs.push('test-wasi');
  }
  jobs.publish = publishJob(plan, layout, needs, options.napiShip ?? napiShipExec(pm), options.napiShipSetup ?? '');
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
function header(plan: ReleasePlan, layout: Layout, options: WorkflowOptions): string {
  const untested = untestedTargets(plan.targets.map((t) => t.spec));
  const exec = options.napiShip ?? napiShipExec(options.packageManager ?? 'npm');
  return [
    ` Release workflow of ${plan.root.name}, generated by \`napi-ship ci generate\` from napi.targets`,
    ` in ${inDir(layout.packageDir, 'package.json')}. Do not edit: change the config and regenerate;`,
    ' `napi-ship ci generate --check` fails when this file and the config drift apart.',
    ` Actions are pinned by commit SHA (${Object.keys(ACTIONS).length} pins, see napi-ship's src/ci/actions.ts).`,
    exec.startsWith('node ')
      ? ` napi-ship runs from this repository (\`${exec}\`), built first.`
      : ` napi-ship runs as \`${exec}\`: the version pinned in devDependencies, never fetched.`,
    ' The publish job needs the NAPI_SHIP_SIGNING_KEY secret (`napi-ship keygen`) and npm trusted',
    ' publishing for this repository (or NODE_AUTH_TOKEN in its env).',
    ...(untested.length > 0 ? [' Built but not tested here:', ...untested.map((u) => ` - ${u.target}: ${u.why}`)] : []),
  ].join('\n');
}

/** The release workflow of a plan as YAML text: deterministic (same plan and options, same bytes). */
export function generateWorkflow(plan: ReleasePlan, options: WorkflowOptions = {}): string {
  const doc = new Document(workflowObject(plan, options));
  doc.commentBefore = header(plan, layoutOf(options), options);
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
    if (isRecord(s) && typeof s['target'] === 'string')
      out.set(typeof s['node'] === 'string' ? `${s['target']} on Node.js ${s['node']}` : s['target'], s);
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
  for (const [key, entry] of want) {
    const found = have.get(key);
    const target = typeof entry['target'] === 'string' ? entry['target'] : key;
    if (!found) {
      out.push(
        diagnostic({
          code: 'NS_CI_DRIFT',
          target,
          subject: file,
          message:
            job === 'build'
              ? `napi.targets lists ${target}, but the workflow's build matrix does not build it`
              : `the workflow's ${job} matrix does not test ${key}`,
          expected: `a jobs.${job} matrix entry for ${key}`,
          found: 'none',
          hint: REGENERATE,
        }),
      );
      continue;
    }
    for (const field of new Set([...Object.keys(entry), ...Object.keys(found)])) {
      if (JSON.stringify(entry[field]) !== JSON.stringify(found[field])) {
        out.push(
          diagnostic({
            code: 'NS_CI_DRIFT',
            target,
            subject: file,
            message: `the workflow's ${job} matrix entry for ${key} has a different \`${field}\``,
            expected: show(entry[field]),
            found: show(found[field]),
            hint: REGENERATE,
          }),
        );
      }
    }
  }
  for (const [key, entry] of have) {
    const target = typeof entry['target'] === 'string' ? entry['target'] : key;
    if (!want.has(key)) {
      out.push(
        diagnostic({
          code: 'NS_CI_DRIFT',
          target,
          subject: file,
          message:
            job === 'build'
              ? `the workflow's build matrix builds ${target}, which napi.targets does not list`
              : `the workflow's ${job} matrix tests ${key}, which the config does not call for`,
          expected: 'no entry',
          found: `a jobs.${job} matrix entry for ${key}`,
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
  const specific = ['build', 'test', 'test-linux', 'test-wasi'].flatMap((job) => matrixDrift(wanted, parsed, job, file));
  return specific.length > 0 ? specific : [firstDifference(expected, actual, file)];
}
