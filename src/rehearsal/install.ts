/**
 * Installing the rehearsed root from the embedded registry into scratch projects, once per
 * installer, as a user of the package would: `npm install`, `pnpm install`, `bun install` of a
 * package.json that depends on `<root>@<version>`, and `deno install` of a deno.json whose import
 * map has the `npm:<root>@<version>` specifier (Deno resolves npm packages from NPM_CONFIG_REGISTRY
 * and fetches every optional dependency whatever its os/cpu, so a pinned platform package that is
 * not on the registry breaks a Deno install on every platform).
 *
 * Each project has its own HOME, caches and store under the scratch dir: nothing from the user's
 * ~/.npmrc, nothing written to ~/.npm, the pnpm store, ~/.bun or ~/.cache/deno.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { childEnv, execute, failure, resolvePackageBin } from './exec.js';
import type { InstallResult, Installer } from './types.js';

export interface InstallTarget {
  /** The root package's name and version on the registry. */
  readonly name: string;
  readonly version: string;
  /** The registry to install from (`http://127.0.0.1:<port>/`). */
  readonly registry: string;
  /** The root's `optionalDependencies` names: which of them land in the project is reported. */
  readonly platformPackages: readonly string[];
  /** Integrities the project's lockfile must record (the root's and the host platform package's). */
  readonly integrities: readonly string[];
}

export interface Tool {
  readonly installer: Installer;
  /** The executable, `null` when not found. */
  readonly executable: string | null;
  readonly version: string | null;
  /** How to get it, when missing. */
  readonly hint: string;
}

const HINTS: Record<Installer, string> = {
  npm: 'npm comes with Node.js: put it on PATH',
  pnpm: 'install pnpm (corepack enable, or npm i -g pnpm) to rehearse with it',
  bun: 'install bun (dev dependency: npm i -D bun) to rehearse with it',
  deno: 'install deno (dev dependency: npm i -D deno) to rehearse with it',
};

/** Where each installer's executable is looked for: bun and deno from the project's or napi-ship's dependencies first, then PATH. */
export function installerCandidates(installer: Installer, searchDirs: readonly string[]): string[] {
  const win = process.platform === 'win32';
  switch (installer) {
    case 'npm':
      return [win ? 'npm.cmd' : 'npm'];
    case 'pnpm':
      return [win ? 'pnpm.cmd' : 'pnpm'];
    case 'bun':
      return [resolvePackageBin('bun', 'bun', searchDirs), 'bun'].filter((x): x is string => x !== null);
    case 'deno':
      return [resolvePackageBin('deno', 'deno', searchDirs), 'deno'].filter((x): x is string => x !== null);
  }
}

/** The first candidate that answers `--version`. */
export async function findTool(installer: Installer, searchDirs: readonly string[], home: string): Promise<Tool> {
  for (const exe of installerCandidates(installer, searchDirs)) {
    const done = await execute([exe, '--version'], { cwd: home, env: childEnv(home), timeoutMs: 30_000 });
    const version = /(\d+\.\d+\.\d+[\w.+-]*)/.exec(done.stdout)?.[1] ?? null;
    if (done.code === 0 && version !== null) return { installer, executable: exe, version, hint: HINTS[installer] };
  }
  return { installer, executable: null, version: null, hint: HINTS[installer] };
}

/** The lockfile each installer writes. */
export const LOCKFILES: Record<Installer, string> = {
  npm: 'package-lock.json',
  pnpm: 'pnpm-lock.yaml',
  bun: 'bun.lock',
  deno: 'deno.lock',
};

interface Prepared {
  readonly command: string[];
  readonly env: Record<string, string>;
}

/** Write the scratch project's files for `installer` and say how to install it. */
export async function prepareProject(
  installer: Installer,
  exe: string,
  project: string,
  home: string,
  target: InstallTarget,
): Promise<Prepared> {
  await mkdir(project, { recursive: true });
  await mkdir(home, { recursive: true });
  const manifest = {
    name: `napi-ship-rehearsal-${installer}`,
    version: '0.0.0',
    private: true,
    description: 'napi-ship rehearsal: the root installed from the embedded registry',
    dependencies: { [target.name]: target.version },
  };
  const registry = target.registry;
  const npmrc = `registry=${registry}\n`;
  switch (installer) {
    case 'npm':
      await writeFile(path.join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      await writeFile(path.join(project, '.npmrc'), npmrc);
      return {
        command: [
          exe,
          'install',
          '--no-audit',
          '--no-fund',
          '--no-update-notifier',
          '--loglevel=error',
          `--registry=${registry}`,
          `--cache=${path.join(home, '.npm')}`,
        ],
        env: {},
      };
    case 'pnpm':
      await writeFile(path.join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      await writeFile(path.join(project, '.npmrc'), npmrc);
      // pnpm ≥ 11 holds back versions younger than minimumReleaseAge; ours are seconds old.
      await writeFile(path.join(project, 'pnpm-workspace.yaml'), 'minimumReleaseAge: 0\n');
      return {
        command: [
          exe,
          'install',
          '--no-frozen-lockfile',
          '--reporter=append-only',
          `--registry=${registry}`,
          `--store-dir=${path.join(home, 'pnpm-store')}`,
          `--cache-dir=${path.join(home, 'pnpm-cache')}`,
        ],
        env: {},
      };
    case 'bun':
      await writeFile(path.join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      await writeFile(
        path.join(project, 'bunfig.toml'),
        `[install]\nregistry = ${JSON.stringify(registry)}\n\n[install.cache]\ndir = ${JSON.stringify(path.join(home, 'bun-cache'))}\n`,
      );
      return {
        command: [exe, 'install', '--no-progress'],
        env: { BUN_INSTALL_CACHE_DIR: path.join(home, 'bun-cache'), DO_NOT_TRACK: '1' },
      };
    case 'deno':
      // nodeModulesDir "auto": a node_modules dir the runtimes can load from; Deno ≥ 2.6 holds back
      // versions younger than minimumDependencyAge, ours are seconds old.
      await writeFile(
        path.join(project, 'deno.json'),
        `${JSON.stringify({ nodeModulesDir: 'auto', minimumDependencyAge: 0, imports: { [target.name]: `npm:${target.name}@${target.version}` } }, null, 2)}\n`,
      );
      return {
        command: [exe, 'install'],
        env: { NPM_CONFIG_REGISTRY: registry, DENO_DIR: path.join(home, 'deno'), DENO_NO_UPDATE_CHECK: '1' },
      };
  }
}

/** Which of `names` `require` finds from the installed root (its real path: pnpm and Deno link it from their stores). */
export function resolvedFrom(packageDir: string, names: readonly string[]): string[] {
  let real: string;
  try {
    real = realpathSync(packageDir);
  } catch {
    return [];
  }
  const req = createRequire(path.join(real, 'noop.js'));
  return names.filter((name) => {
    try {
      req.resolve(`${name}/package.json`);
      return true;
    } catch {
      return false;
    }
  });
}

function installedVersion(packageDir: string): string | null {
  try {
    const pkg: unknown = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

/** Install `target` with one installer into `<scratch>/<installer>` (HOME `<scratch>/home-<installer>`). Never throws for a failed install. */
export async function installWith(tool: Tool, scratch: string, target: InstallTarget, timeoutMs = 180_000): Promise<InstallResult> {
  const installer = tool.installer;
  const project = path.join(scratch, installer);
  const home = path.join(scratch, `home-${installer}`);
  const packageDir = path.join(project, 'node_modules', ...target.name.split('/'));
  const base = { installer, version: tool.version, project, packageDir, platformPackages: [], lockIntegrity: null, durationMs: 0 };
  if (tool.executable === null) {
    return { ...base, status: 'skip', detail: `${installer} not found: ${tool.hint}`, command: [] };
  }
  const prepared = await prepareProject(installer, tool.executable, project, home, target);
  const done = await execute(prepared.command, { cwd: project, env: childEnv(home, prepared.env), timeoutMs });
  const result = { ...base, command: prepared.command, durationMs: done.durationMs };
  if (done.code !== 0) return { ...result, status: 'fail', detail: failure(done, timeoutMs) };
  const version = installedVersion(packageDir);
  if (version !== target.version) {
    return {
      ...result,
      status: 'fail',
      detail: `${installer} exited 0 but ${packageDir} holds ${version === null ? 'no package' : `version ${version}`}, not ${target.version}`,
    };
  }
  const platformPackages = resolvedFrom(packageDir, target.platformPackages);
  const lockfile = path.join(project, LOCKFILES[installer]);
  const lockText = existsSync(lockfile) ? await readFile(lockfile, 'utf8') : null;
  const lockIntegrity = lockText === null ? null : target.integrities.every((i) => lockText.includes(i));
  const withFacts = { ...result, platformPackages, lockIntegrity };
  if (lockIntegrity === false) {
    return { ...withFacts, status: 'fail', detail: `${LOCKFILES[installer]} does not record the integrity of the published tarballs` };
  }
  const what = platformPackages.length === 0 ? 'no platform package' : platformPackages.join(', ');
  return {
    ...withFacts,
    status: 'ok',
    detail: `+ ${what}; ${lockIntegrity === null ? `no ${LOCKFILES[installer]}` : `${LOCKFILES[installer]} has our integrity`}`,
  };
}
