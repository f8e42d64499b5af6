/**
 * `napi-ship init`: set napi-ship up in an existing napi-rs project. Detection (package manager,
 * napi config, crate) and the change set are computed first and only read (`planInit`, pure over
 * what `readInitInput` read); `applyInit` writes the files and runs the project's package manager.
 * Nothing is written that is already there: a second run has nothing to do.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  buildCrateNotes,
  defaultWorkflowFile,
  findRepositoryRoot,
  generateWorkflow,
  readWorkflowFile,
  repositoryLayout,
} from '../ci/index.js';
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import { loadPlan, type ReleasePlan } from '../plan/index.js';
import { readProjectInventories } from '../sbom/index.js';
import { isRecord } from '../util/json.js';
import { writeAtomic } from '../util/fs.js';
import { starterPolicy, type StarterPolicy } from './policy.js';

export { starterPolicy, type StarterPolicy } from './policy.js';
export { lineDiff } from './diff.js';

export type PackageManagerName = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface DetectedPackageManager {
  readonly name: PackageManagerName;
  /** From the `packageManager` field, when it names one. */
  readonly version: string | null;
  /** How it was found: `packageManager field`, a lockfile name, or `default`. */
  readonly source: string;
  /** Where dependencies are installed (the dir of the lockfile or of the package.json with the field). */
  readonly dir: string;
}

const LOCKFILES: readonly (readonly [string, PackageManagerName])[] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

/** Pure: the `packageManager` field (`yarn@4.13.0+sha512…`) read as a name and version, or null. */
export function parsePackageManagerField(value: unknown): { name: PackageManagerName; version: string | null } | null {
  if (typeof value !== 'string') return null;
  const match = /^(npm|pnpm|yarn|bun)(?:@([^+\s]+))?/.exec(value.trim());
  if (match === null) return null;
  return { name: match[1] as PackageManagerName, version: match[2] ?? null };
}

/**
 * The project's package manager: the `packageManager` field of the package (or of a workspace root
 * above it, up to the repository root), else the nearest lockfile, else npm.
 */
export async function detectPackageManager(dir: string): Promise<DetectedPackageManager> {
  const stop = findRepositoryRoot(dir);
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const manifest = await readJson(path.join(d, 'package.json'));
    const field = parsePackageManagerField(manifest?.packageManager);
    if (field !== null) return { ...field, source: `packageManager field of ${path.join(d, 'package.json')}`, dir: d };
    for (const [file, name] of LOCKFILES) {
      if (existsSync(path.join(d, file))) return { name, version: null, source: file, dir: d };
    }
    if (d === stop || path.dirname(d) === d) break;
  }
  return { name: 'npm', version: null, source: 'default (no packageManager field, no lockfile)', dir: path.resolve(dir) };
}

/** The command that adds exact-pinned dev dependencies with `pm`. */
export function addDevCommand(pm: PackageManagerName, specs: readonly string[]): string[] {
  switch (pm) {
    case 'npm':
      return ['npm', 'install', '--save-dev', '--save-exact', ...specs];
    case 'pnpm':
      return ['pnpm', 'add', '--save-dev', '--save-exact', ...specs];
    case 'yarn':
      return ['yarn', 'add', '--dev', '--exact', ...specs];
    case 'bun':
      return ['bun', 'add', '--dev', '--exact', ...specs];
  }
}

/** The command that installs what package.json lists with `pm`. */
export function installCommand(pm: PackageManagerName): string[] {
  return pm === 'npm' ? ['npm', 'install'] : [pm, 'install'];
}

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    const v: unknown = JSON.parse(await readFile(file, 'utf8'));
    return isRecord(v) ? v : null;
  } catch {
    return null;
  }
}

export interface DetectedCrate {
  readonly manifestPath: string;
  readonly name: string | null;
  /** The napi version requirement of `[dependencies] napi`, when there is one. */
  readonly napi: string | null;
}

/** Pure: the `[package] name` and the `napi` dependency of a Cargo.toml text (enough to say what was found). */
export function readCrateFacts(text: string): { name: string | null; napi: string | null } {
  let section = '';
  let name: string | null = null;
  let napi: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header !== null) {
      section = (header[1] ?? '').trim();
      continue;
    }
    if (section === 'package' && name === null) name = /^name\s*=\s*"([^"]+)"/.exec(line)?.[1] ?? null;
    if (section === 'dependencies' && napi === null) {
      const dep = /^napi\s*=\s*(?:"([^"]+)"|\{.*version\s*=\s*"([^"]+)")/.exec(line);
      if (dep !== null) napi = dep[1] ?? dep[2] ?? null;
    }
    if (section === 'dependencies.napi' && napi === null) napi = /^version\s*=\s*"([^"]+)"/.exec(line)?.[1] ?? null;
  }
  return { name, napi };
}

/** Everything `init` reads, so that deciding what to change is pure. */
export interface InitInput {
  readonly plan: ReleasePlan;
  readonly packageJsonText: string;
  readonly packageManager: DetectedPackageManager;
  readonly crate: DetectedCrate | null;
  /** The workflow file and its text on disk (undefined when it does not exist). */
  readonly workflowFile: string;
  readonly workflowOnDisk: string | undefined;
  /** The workflow `ci generate` would write. */
  readonly workflowText: string;
  /** Whether a policy is already configured (`napiShip.policy` or napi-ship.config.json). */
  readonly hasPolicy: boolean;
  /** null when a policy is configured (nothing to build). */
  readonly policy: StarterPolicy | null;
  readonly diagnostics: readonly Diagnostic[];
}

/** The dev dependencies a release rehearsal needs, exact-pinned to what this napi-ship was tested with. */
export function toolDependencies(selfManifest: Readonly<Record<string, unknown>>, version: string): Record<string, string> {
  const dev = isRecord(selfManifest.devDependencies) ? selfManifest.devDependencies : {};
  const pin = (name: string): string | null => {
    const spec = dev[name];
    if (typeof spec !== 'string') return null;
    // `npm:bun@1.4.5` (an alias of the same name) → `1.4.5`; ranges are not pins, so they are left out.
    const m = /^(?:npm:[^@]+@)?(\d+\.\d+\.\d+[\w.+-]*)$/.exec(spec);
    return m?.[1] ?? null;
  };
  const tools: Record<string, string> = { 'napi-ship': version };
  for (const name of ['@napi-rs/cli', 'verdaccio', 'bun', 'deno']) {
    const v = pin(name);
    if (v !== null) tools[name] = v;
  }
  return tools;
}

export async function readInitInput(dir: string): Promise<InitInput> {
  const plan = await loadPlan(dir);
  const packageJsonText = await readFile(plan.root.packageJsonPath, 'utf8');
  const packageManager = await detectPackageManager(plan.root.dir);
  const cargoToml = path.join(plan.root.dir, 'Cargo.toml');
  const crate = existsSync(cargoToml) ? { manifestPath: cargoToml, ...readCrateFacts(await readFile(cargoToml, 'utf8')) } : null;
  const layout = repositoryLayout(plan);
  const workflowFile = defaultWorkflowFile(layout);
  const napiShip = isRecord(plan.root.manifest.napiShip) ? plan.root.manifest.napiShip : {};
  const hasPolicy = napiShip.policy !== undefined || existsSync(path.join(plan.root.dir, 'napi-ship.config.json'));
  const diagnostics: Diagnostic[] = [];
  let policy: StarterPolicy | null = null;
  if (!hasPolicy) {
    const read = await readProjectInventories({ rootDir: plan.root.dir, targets: plan.targets.map((t) => t.spec.triple) });
    diagnostics.push(...read.diagnostics);
    const own = plan.root.manifest.license;
    policy = starterPolicy(read.cargo === null ? [read.npm] : [read.cargo, read.npm], typeof own === 'string' ? own : null);
  }
  if (crate === null) {
    diagnostics.push(
      diagnostic({
        code: 'NS_INIT_NO_CRATE',
        severity: 'warning',
        subject: plan.root.dir,
        message: 'no Cargo.toml next to package.json: napi-ship will not build, only take binaries as they are',
        hint: 'run init in the napi-rs package directory that holds Cargo.toml',
      }),
      // The workflow init writes builds with napi build in this dir: say which crate to name.
      ...buildCrateNotes(layout, plan.root.dir),
    );
  }
  return {
    plan,
    packageJsonText,
    packageManager,
    crate,
    workflowFile,
    workflowOnDisk: await readWorkflowFile(workflowFile),
    workflowText: generateWorkflow(plan, layout.options),
    hasPolicy,
    policy,
    diagnostics,
  };
}

export interface FileChange {
  readonly file: string;
  readonly before: string | null;
  readonly after: string;
  /** What changes, one phrase each (for the summary). */
  readonly what: readonly string[];
  /** package.json: the text written before the package manager adds the dev dependencies itself. */
  readonly beforeInstall?: string;
}

export interface InitPlan {
  readonly packageManager: DetectedPackageManager;
  readonly crate: DetectedCrate | null;
  readonly targets: readonly string[];
  readonly binaryName: string;
  readonly policy: StarterPolicy | null;
  /** The files to write (package.json with the devDependencies the install adds, the workflow). */
  readonly changes: readonly FileChange[];
  /** The dev dependencies to add (name → exact version). */
  readonly devDependencies: Readonly<Record<string, string>>;
  /** The package-manager command that adds them, or null when none are missing. */
  readonly install: readonly string[] | null;
  /** What is left as it is, and why. */
  readonly kept: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

export const DRY_RUN_SCRIPT = 'napi-ship release --dry-run';

function detectIndent(text: string): string | number {
  const m = /^\{\r?\n([ \t]+)"/.exec(text);
  return m?.[1] ?? 2;
}

function sortedRecord(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Pure: what `init` changes, given what was read and the tools to pin. */
export function planInit(input: InitInput, tools: Readonly<Record<string, string>>): InitPlan {
  const manifest: Record<string, unknown> = JSON.parse(input.packageJsonText) as Record<string, unknown>;
  const what: string[] = [];
  const kept: string[] = [];
  const deps = { ...(isRecord(manifest.dependencies) ? manifest.dependencies : {}) };
  const devDeps: Record<string, unknown> = { ...(isRecord(manifest.devDependencies) ? manifest.devDependencies : {}) };
  const missing: Record<string, string> = {};
  for (const [name, version] of Object.entries(tools)) {
    if (devDeps[name] !== undefined || deps[name] !== undefined) {
      kept.push(`${name}: already a dependency (${String(devDeps[name] ?? deps[name])})`);
      continue;
    }
    missing[name] = version;
  }
  if (Object.keys(missing).length > 0) {
    manifest.devDependencies = sortedRecord({ ...devDeps, ...missing });
    what.push(
      `devDependencies: ${Object.entries(missing)
        .map(([n, v]) => `${n}@${v}`)
        .join(', ')}`,
    );
  }
  const scripts: Record<string, unknown> = { ...(isRecord(manifest.scripts) ? manifest.scripts : {}) };
  if (scripts['release:dry-run'] === undefined) {
    manifest.scripts = { ...scripts, 'release:dry-run': DRY_RUN_SCRIPT };
    what.push(`scripts["release:dry-run"] = "${DRY_RUN_SCRIPT}"`);
  } else if (scripts['release:dry-run'] !== DRY_RUN_SCRIPT) {
    kept.push(`scripts["release:dry-run"] is ${JSON.stringify(scripts['release:dry-run'])}: left as it is`);
  }
  if (input.policy !== null) {
    const napiShip = isRecord(manifest.napiShip) ? manifest.napiShip : {};
    manifest.napiShip = { ...napiShip, policy: starterPolicyConfig(input.policy) };
    what.push(starterPolicyPhrase(input.policy));
  } else {
    kept.push('the license policy: already configured');
  }
  const changes: FileChange[] = [];
  if (what.length > 0) {
    const eol = input.packageJsonText.includes('\r\n') ? '\r\n' : '\n';
    const text = (m: Record<string, unknown>): string =>
      JSON.stringify(m, null, detectIndent(input.packageJsonText)).replace(/\n/g, eol) + eol;
    const withoutTools = { ...manifest };
    if (Object.keys(devDeps).length === 0) delete withoutTools.devDependencies;
    else withoutTools.devDependencies = devDeps;
    changes.push({
      file: input.plan.root.packageJsonPath,
      before: input.packageJsonText,
      after: text(manifest),
      what,
      beforeInstall: text(withoutTools),
    });
  }
  if (input.workflowOnDisk === undefined) {
    changes.push({
      file: input.workflowFile,
      before: null,
      after: input.workflowText,
      what: [`the release workflow for ${String(input.plan.targets.length)} targets (napi-ship ci generate)`],
    });
  } else if (input.workflowOnDisk !== input.workflowText) {
    kept.push(
      `${input.workflowFile} exists and differs from what \`napi-ship ci generate\` writes: left as it is (see \`napi-ship ci generate --check\`)`,
    );
  }
  const specs = Object.entries(missing).map(([n, v]) => `${n}@${v}`);
  return {
    packageManager: input.packageManager,
    crate: input.crate,
    targets: input.plan.targets.map((t) => t.spec.triple),
    binaryName: input.plan.root.binaryName,
    policy: input.policy,
    changes,
    devDependencies: missing,
    install: specs.length === 0 ? null : addDevCommand(input.packageManager.name, specs),
    kept,
    diagnostics: input.diagnostics,
  };
}

/** The `napiShip.policy` value a starter policy is written as. */
export function starterPolicyConfig(policy: StarterPolicy): { licenses: { allow: string[] } } {
  return { licenses: { allow: [...policy.allow] } };
}

function starterPolicyPhrase(policy: StarterPolicy): string {
  const basis = {
    found: `the licenses of ${String(policy.checked)} packages`,
    'own-license': "no third-party package found: the project's own license",
    none: 'no license found',
  }[policy.basis];
  return `napiShip.policy.licenses.allow = [${policy.allow.join(', ')}] (from ${basis})`;
}

/** What `napi-ship policy --init` reads: the root package.json as text, and where a policy is configured already. */
export interface PolicyInitInput {
  readonly packageJsonPath: string;
  readonly packageJsonText: string;
  /** The file a policy is configured in (package.json or napi-ship.config.json); null when none is. */
  readonly configuredIn: string | null;
  /** The starter policy from the licenses found; null when a policy is configured (nothing to make). */
  readonly policy: StarterPolicy | null;
}

/**
 * Pure: the change `napi-ship policy --init` makes — `napiShip.policy` in the root package.json from
 * the starter policy — or none when a policy is already configured (a second run has nothing to do).
 */
export function planPolicyInit(input: PolicyInitInput): { readonly changes: readonly FileChange[]; readonly kept: readonly string[] } {
  if (input.configuredIn !== null || input.policy === null) {
    return { changes: [], kept: [`the license policy: already configured in ${input.configuredIn ?? 'the project'}`] };
  }
  const manifest: Record<string, unknown> = JSON.parse(input.packageJsonText) as Record<string, unknown>;
  const napiShip = isRecord(manifest.napiShip) ? manifest.napiShip : {};
  manifest.napiShip = { ...napiShip, policy: starterPolicyConfig(input.policy) };
  const eol = input.packageJsonText.includes('\r\n') ? '\r\n' : '\n';
  const after = JSON.stringify(manifest, null, detectIndent(input.packageJsonText)).replace(/\n/g, eol) + eol;
  return {
    changes: [{ file: input.packageJsonPath, before: input.packageJsonText, after, what: [starterPolicyPhrase(input.policy)] }],
    kept: [],
  };
}

/** Runs a command in a directory; resolves with its exit code and output. Injectable for tests. */
export type CommandRunner = (argv: readonly string[], cwd: string) => Promise<{ code: number | null; output: string }>;

export const spawnRunner: CommandRunner = (argv, cwd) =>
  new Promise((resolve) => {
    const [command = '', ...args] = argv;
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', (e) => {
      resolve({ code: null, output: `${output}${e.message}` });
    });
    child.on('close', (code) => {
      resolve({ code, output });
    });
  });

export interface ApplyOptions {
  /** Run the package manager to add the dev dependencies (default); false writes them into package.json only. */
  readonly install?: boolean;
  readonly runner?: CommandRunner;
}

export interface ApplyResult {
  readonly written: readonly string[];
  /** The command run, its exit code and output; null when nothing was run. */
  readonly installed: { readonly command: readonly string[]; readonly code: number | null; readonly output: string } | null;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Write the plan. With the install step, package.json is written without the new dev dependencies
 * and the package manager adds them (and updates its lockfile); without it they are written directly.
 */
export async function applyInit(plan: InitPlan, options: ApplyOptions = {}): Promise<ApplyResult> {
  const install = options.install !== false && plan.install !== null;
  const written: string[] = [];
  for (const change of plan.changes) {
    const text = install && change.beforeInstall !== undefined ? change.beforeInstall : change.after;
    if (text === change.before) continue;
    await writeAtomic(change.file, text);
    written.push(change.file);
  }
  if (!install) return { written, installed: null, diagnostics: [] };
  const runner = options.runner ?? spawnRunner;
  const done = await runner(plan.install, plan.packageManager.dir);
  const diagnostics: Diagnostic[] =
    done.code === 0
      ? []
      : [
          diagnostic({
            code: 'NS_INIT_INSTALL_FAILED',
            subject: plan.install.join(' '),
            message: `the package manager did not add the dev dependencies (exit ${String(done.code)})${done.output.trim() === '' ? '' : `: ${done.output.trim().split('\n').slice(-3).join(' / ')}`}`,
            hint: `run \`${plan.install.join(' ')}\` yourself, or \`napi-ship init --yes --no-install\` to only write them into package.json`,
          }),
        ];
  return { written, installed: { command: plan.install, code: done.code, output: done.output }, diagnostics };
}
