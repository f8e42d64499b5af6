/**
 * Smoke loads: prove the built addon (@napi-ship/core) loads and answers on Node.js, Deno and Bun.
 *
 * Each runtime runs its own script (`scripts/smoke-{node,deno,bun}.ts`) in a child process against
 * one package dir; the script prints one JSON line `{ runtime, version, ok, checks }` and exits
 * non-zero on any failure. The dir is either
 *
 *   - `build`: the napi-rs build dir (`crates/napi-ship-node`), whose loader finds the local `.node`;
 *   - `tarballs`: `<scratch>/node_modules/@napi-ship/core` of a scratch project in `os.tmpdir()`
 *     into which `npm install --offline` put the root and the host's platform tarball of a release dir.
 *
 * A repo tool (not part of the library): it runs the repo's scripts (`dist/scripts/smoke-node.js` and
 * the Deno/Bun `.ts` files) and the Deno and Bun of the repo's devDependencies. `smokeLoader` hands
 * the same checks to the release rehearsal of the repo's own core (`pnpm release:dry-run`).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { execute } from '../../src/util/process.js';
import { hostBinary, hostName } from '../../src/manifest/host.js';
import { MANIFEST_FILE, type ManifestPackage, type ReleaseManifest } from '../../src/manifest/index.js';
import { decodeManifest } from '../../src/manifest/read.js';
import { runtimeCommand, parseResultLine, type LoadJob, type RuntimeLoader } from '../../src/rehearsal/load.js';
import type { LoadResult } from '../../src/rehearsal/types.js';
import { releaseDryRun } from '../../src/release/dry-run.js';
import { repoRoot } from './repo.js';

export { repoRoot };

export type SmokeRuntime = 'node' | 'deno' | 'bun';
export const SMOKE_RUNTIMES: readonly SmokeRuntime[] = ['node', 'deno', 'bun'];

/** One check a runtime's script made (`load`, `coreVersion`, `hashSync`, …). */
export interface SmokeCheck {
  readonly name: string;
  readonly ok: boolean;
  /** What was found, or why the check failed. */
  readonly detail: string;
}

export interface SmokeResult {
  readonly runtime: SmokeRuntime;
  /** The runtime's version (`20.20.2`, `2.9.6`, `1.4.5`), `null` if it could not be told. */
  readonly version: string | null;
  readonly ok: boolean;
  readonly checks: readonly SmokeCheck[];
  readonly exitCode: number | null;
  /** The script's stderr, on failure only. */
  readonly stderr?: string;
  /** The command that ran, for reproducing a failure by hand (see `rerunLine`). */
  readonly command: readonly string[];
  /** The variables set for it on top of the (cleaned) environment. */
  readonly commandEnv: Readonly<Record<string, string>>;
  readonly durationMs: number;
}

export interface SmokeOptions {
  readonly from: 'build' | 'tarballs';
  /**
   * `tarballs`: the release dir (`<out>` of a dry run, or its `packages` dir). Without one, a dry run
   * of `buildDir` makes one in the scratch dir first.
   */
  readonly releaseDir?: string;
  /** Default: all three. */
  readonly runtimes?: readonly SmokeRuntime[];
  /** The napi-rs package dir (default `<repo>/crates/napi-ship-node`). */
  readonly buildDir?: string;
  /** What `coreVersion()` must return (default: the crate version from `buildDir`'s Cargo.toml, else the repo's crate's). */
  readonly expectVersion?: string;
  /** Keep the scratch dir of a `tarballs` run (default: removed before `runSmoke` returns). */
  readonly keepScratch?: boolean;
  /** Per runtime, in milliseconds (default 120 000). */
  readonly timeoutMs?: number;
  readonly onStep?: (step: string) => void;
}

export interface SmokeReport {
  readonly from: 'build' | 'tarballs';
  /** The package dir the runtimes loaded. */
  readonly dir: string;
  readonly expectVersion: string;
  /** `tarballs`: the scratch project and what went into it. */
  readonly install: InstalledTarballs | null;
  readonly results: readonly SmokeResult[];
  readonly ok: boolean;
}

export const defaultBuildDir = path.join(repoRoot, 'crates', 'napi-ship-node');
/** Deno's cache (type-check results, code cache): under the repo's git-ignored `.cache/`, never `~`. */
export const denoDir = path.join(repoRoot, '.cache', 'deno');

// ---------------------------------------------------------------------------------------------
// The crate version

function tomlSection(text: string, name: string): string {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === `[${name}]`);
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && /^\s*\[/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

function tomlString(section: string, key: string): string | null {
  return new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, 'm').exec(section)?.[1] ?? null;
}

/** `[package] version` of the crate in `crateDir`, following `version.workspace = true` to the workspace's Cargo.toml. */
export async function crateVersion(crateDir: string): Promise<string> {
  const manifest = path.join(crateDir, 'Cargo.toml');
  const pkg = tomlSection(await readFile(manifest, 'utf8'), 'package');
  const own = tomlString(pkg, 'version');
  if (own !== null) return own;
  if (!/^\s*version\s*(\.\s*workspace\s*=\s*true|=\s*\{\s*workspace\s*=\s*true\s*\})/m.test(pkg)) {
    throw new Error(`${manifest}: no [package] version`);
  }
  for (let dir = path.dirname(crateDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'Cargo.toml');
    if (existsSync(candidate)) {
      const version = tomlString(tomlSection(await readFile(candidate, 'utf8'), 'workspace.package'), 'version');
      if (version !== null) return version;
    }
    if (path.dirname(dir) === dir) throw new Error(`${manifest}: version.workspace = true, but no [workspace.package] version above it`);
  }
}

// ---------------------------------------------------------------------------------------------
// Installing the tarballs

export interface InstalledTarballs {
  /** The scratch project. */
  readonly scratch: string;
  /** `<scratch>/node_modules/<root name>`: the dir to load. */
  readonly dir: string;
  /** The release dir the tarballs came from (the one holding release-manifest.json). */
  readonly releaseDir: string;
  /** The root's and the host's platform package, as the manifest lists them. */
  readonly packages: readonly ManifestPackage[];
  /** The `npm install` command line. */
  readonly command: readonly string[];
}

/** `<dir>` or `<dir>/packages`, whichever holds release-manifest.json. */
export function resolveReleaseDir(dir: string): string {
  for (const candidate of [dir, path.join(dir, 'packages')]) {
    if (existsSync(path.join(candidate, MANIFEST_FILE))) return path.resolve(candidate);
  }
  throw new Error(`no ${MANIFEST_FILE} in ${dir} or ${path.join(dir, 'packages')}: make one with \`pnpm release:dry-run\``);
}

/** The release's manifest, through the one manifest reader (src/manifest/read.ts). */
async function readManifest(releaseDir: string): Promise<ReleaseManifest> {
  const file = path.join(releaseDir, MANIFEST_FILE);
  const decoded = decodeManifest(await readFile(file, 'utf8'));
  if (!decoded.ok) throw new Error(`${file}: ${decoded.problems.join('; ')}`);
  return decoded.manifest;
}

/** The root package and the platform package whose binary runs on this host. */
export async function hostPackages(releaseDir: string): Promise<{ root: ManifestPackage; platform: ManifestPackage }> {
  const manifest = await readManifest(releaseDir);
  const root = manifest.packages.find((p) => p.kind === 'root');
  if (root === undefined) throw new Error(`${releaseDir}: the manifest lists no root package`);
  const host = hostBinary(manifest.binaries);
  const platform = manifest.packages.find((p) => p.kind === 'platform' && p.name === host?.package);
  if (platform === undefined) {
    const built = manifest.binaries.map((b) => b.target).join(', ') || 'none';
    throw new Error(`${releaseDir}: no platform package for this host (${hostName()}); the release has: ${built}`);
  }
  return { root, platform };
}

/** The environment of a child: no napi-rs loader overrides, no settings of a surrounding `pnpm run`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // NAPI_RS_NATIVE_LIBRARY_PATH & co. would make the loader load some other file.
    if (
      key.startsWith('NAPI_RS_') ||
      /^npm_(config|package|lifecycle)_/i.test(key) ||
      key === 'NODE_TEST_CONTEXT' ||
      key === 'NODE_OPTIONS'
    )
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * A scratch project in `os.tmpdir()` with the root and the host's platform tarball installed by
 * `npm install --offline` of both files in one command: the root's `optionalDependencies` pin the
 * platform package at the exact version, which the tarball beside it satisfies; the other
 * platforms' pins cannot be fetched offline and, being optional, are skipped. npm's cache is in the
 * scratch dir, so `~/.npm` is untouched. Fails unless npm recorded the tarballs' own integrity.
 * Without `scratch`, a new dir in `os.tmpdir()`: the caller removes it.
 */
export async function installTarballs(options: { releaseDir: string; scratch?: string; timeoutMs?: number }): Promise<InstalledTarballs> {
  const releaseDir = resolveReleaseDir(options.releaseDir);
  const { root, platform } = await hostPackages(releaseDir);
  const scratch = options.scratch ?? (await mkdtemp(path.join(os.tmpdir(), 'napi-ship-smoke-')));
  await mkdir(scratch, { recursive: true });
  await writeFile(
    path.join(scratch, 'package.json'),
    `${JSON.stringify({ name: 'napi-ship-smoke', version: '0.0.0', private: true, description: 'napi-ship smoke: the release tarballs, installed offline' }, null, 2)}\n`,
  );
  const tarballs = [root, platform].map((p) => path.join(releaseDir, p.tarball));
  const command = ['npm', 'install', '--offline', '--no-audit', '--no-fund', '--no-update-notifier', ...tarballs];
  const env = childEnv({ npm_config_cache: path.join(scratch, '.npm-cache') });
  const done = await execute(command, { cwd: scratch, env, timeoutMs: options.timeoutMs ?? 120_000 });
  if (done.code !== 0) {
    const why = done.spawnError ?? (done.timedOut ? 'timed out' : `exit ${String(done.code)}`);
    throw new Error(`\`${command.join(' ')}\` in ${scratch} failed (${why}):\n${done.stderr.trim()}`);
  }

  // npm's lock records what it installed: exactly these two, from these files, these bytes.
  const lockText = await readFile(path.join(scratch, 'package-lock.json'), 'utf8');
  const lock = JSON.parse(lockText) as { packages?: Record<string, { version?: string; resolved?: string; integrity?: string }> };
  const installed = Object.keys(lock.packages ?? {})
    .filter((k) => k !== '')
    .sort();
  const want = [root, platform].map((p) => `node_modules/${p.name}`).sort();
  if (installed.join('\n') !== want.join('\n')) {
    throw new Error(`npm installed ${installed.join(', ') || 'nothing'}; expected exactly ${want.join(', ')}`);
  }
  for (const p of [root, platform]) {
    const entry = lock.packages?.[`node_modules/${p.name}`];
    if (entry?.integrity !== p.integrity || entry.version !== p.version || entry.resolved?.startsWith('file:') !== true) {
      throw new Error(
        `npm installed ${p.name} as ${JSON.stringify(entry)}; expected ${p.version} from file:…/${p.tarball} with ${p.integrity}`,
      );
    }
  }
  return { scratch, dir: path.join(scratch, 'node_modules', root.name), releaseDir, packages: [root, platform], command };
}

// ---------------------------------------------------------------------------------------------
// Running one runtime's script

function resolveFrom(pkg: string, file: string): string | null {
  try {
    const dir = path.dirname(createRequire(path.join(repoRoot, 'package.json')).resolve(`${pkg}/package.json`));
    const candidate = path.join(dir, file);
    return existsSync(candidate) ? candidate : null;
  } catch {
    return null;
  }
}

/** The runtime's executable: Node is this process's; Deno and Bun are the repo's devDependencies' binaries, else on PATH. */
export function runtimeExecutable(runtime: SmokeRuntime): string {
  switch (runtime) {
    case 'node':
      return process.execPath;
    case 'deno':
      return resolveFrom('deno', process.platform === 'win32' ? 'deno.exe' : 'deno') ?? 'deno';
    case 'bun':
      return resolveFrom('bun', path.join('bin', 'bun.exe')) ?? 'bun';
  }
}

/** The script each runtime runs: Node's is compiled by tsc; Deno and Bun run their TypeScript themselves. */
export function smokeScript(runtime: SmokeRuntime): string {
  return runtime === 'node'
    ? path.join(repoRoot, 'dist', 'scripts', 'smoke-node.js')
    : path.join(repoRoot, 'scripts', `smoke-${runtime}.ts`);
}

/**
 * Deno's permissions for the script, each one needed (see `runtimeCommand`, the one launcher it
 * shares with the rehearsal's generic load):
 *   --allow-read            the loader's `require` resolution (it stats `<dir>.js` and the parent
 *                           dirs) and its musl probe (`/usr/bin/ldd`); denied, each throws instead of
 *                           failing over, so a narrower list breaks the loader, not the addon.
 *   --allow-ffi=<root>      `process.dlopen` of the `.node`, only under the package's node_modules
 *                           (tarballs) or the build dir, so no other addon can load.
 *   --allow-env=NAPI_RS_*   the loader reads NAPI_RS_NATIVE_LIBRARY_PATH, NAPI_RS_FORCE_WASI, …
 *   --allow-write=<tmpdir>  the sample file hashSync reads.
 * Not needed: --allow-sys, --allow-net, --allow-run. No network: --no-remote --no-npm, no config,
 * lock or package.json discovery, no update check, no prompt. `--check`: Deno type-checks the script.
 */
function commandFor(runtime: SmokeRuntime, dir: string, expectVersion: string): { command: string[]; env: Record<string, string> } {
  return runtimeCommand(runtime, runtimeExecutable(runtime), smokeScript(runtime), [dir, '--expect-version', expectVersion], {
    packageDir: dir,
    denoDir,
    check: true,
    allowWrite: [os.tmpdir()],
    env: runtime === 'node' ? {} : { NO_COLOR: '1' },
  });
}

const shellQuote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);

/** A result's command as one shell line, its variables in front, to rerun by hand. */
export function rerunLine(result: Pick<SmokeResult, 'command' | 'commandEnv'>): string {
  return [...Object.entries(result.commandEnv).map(([k, v]) => `${k}=${shellQuote(v)}`), ...result.command.map(shellQuote)].join(' ');
}

function parseLine(stdout: string, runtime: SmokeRuntime): { version: string | null; ok: boolean; checks: SmokeCheck[] } | null {
  const o = parseResultLine(stdout, runtime);
  if (o === null || !Array.isArray(o.checks)) return null;
  const checks = (o.checks as unknown[]).flatMap((c): SmokeCheck[] => {
    if (typeof c !== 'object' || c === null) return [];
    const r = c as Record<string, unknown>;
    return typeof r.name === 'string' && typeof r.ok === 'boolean' && typeof r.detail === 'string'
      ? [{ name: r.name, ok: r.ok, detail: r.detail }]
      : [];
  });
  return { version: typeof o.version === 'string' ? o.version : null, ok: o.ok, checks };
}

async function runtimeVersion(runtime: SmokeRuntime): Promise<string | null> {
  if (runtime === 'node') return process.versions.node;
  const done = await execute([runtimeExecutable(runtime), '--version'], {
    cwd: os.tmpdir(),
    env: childEnv({ NO_COLOR: '1' }),
    timeoutMs: 30_000,
  });
  return /(\d+\.\d+\.\d+\S*)/.exec(done.stdout)?.[1] ?? null;
}

/** Run one runtime's script against one package dir. Never throws for a failed load: `ok` is false. */
export async function smokeRuntime(
  runtime: SmokeRuntime,
  options: { dir: string; expectVersion: string; timeoutMs?: number },
): Promise<SmokeResult> {
  const dir = path.resolve(options.dir);
  const { command, env } = commandFor(runtime, dir, options.expectVersion);
  const started = performance.now();
  const done = await execute(command, { cwd: dir, env: childEnv(env), timeoutMs: options.timeoutMs ?? 120_000 });
  const durationMs = Math.round(performance.now() - started);
  const line = parseLine(done.stdout, runtime);
  const ok = line !== null && line.ok && line.checks.length > 0 && line.checks.every((c) => c.ok) && done.code === 0;
  const checks: SmokeCheck[] = line?.checks ?? [];
  if (line === null) {
    const why =
      done.spawnError ??
      (done.timedOut ? `timed out after ${options.timeoutMs ?? 120_000} ms` : `exit ${String(done.code)} without a result line`);
    checks.push({ name: 'run', ok: false, detail: why });
  }
  const version = line?.version ?? (await runtimeVersion(runtime));
  const result = { runtime, version, ok, checks, exitCode: done.code, command, commandEnv: env, durationMs };
  return ok ? result : { ...result, stderr: done.stderr };
}

// ---------------------------------------------------------------------------------------------
// The whole smoke run

export async function runSmoke(options: SmokeOptions): Promise<SmokeReport> {
  const step = options.onStep ?? ((): void => undefined);
  const buildDir = path.resolve(options.buildDir ?? defaultBuildDir);
  const runtimes = options.runtimes ?? SMOKE_RUNTIMES;
  // A build dir without a Cargo.toml (a copy of the package) answers for the repo's crate.
  const expectVersion =
    options.expectVersion ?? (await crateVersion(existsSync(path.join(buildDir, 'Cargo.toml')) ? buildDir : defaultBuildDir));
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };

  let install: InstalledTarballs | null = null;
  let dir = buildDir;
  let scratch: string | null = null;
  try {
    if (options.from === 'tarballs') {
      scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-smoke-'));
      let releaseDir = options.releaseDir;
      if (releaseDir === undefined) {
        step(`no release dir given: a dry run of ${buildDir} makes one`);
        const dry = await releaseDryRun({ cwd: buildDir, outDir: path.join(scratch, 'release'), rehearsal: false });
        if (dry.summary.errors > 0) throw new Error(`the dry run found ${dry.summary.errors} errors: see ${dry.files.markdown}`);
        releaseDir = dry.files.releaseDir;
      }
      const project = path.join(scratch, 'project');
      step(`installing the tarballs of ${releaseDir} offline into ${project}`);
      install = await installTarballs({ releaseDir, scratch: project, ...timeout });
      dir = install.dir;
    }
    step(`loading ${dir} on ${runtimes.join(', ')}`);
    const results = await Promise.all(runtimes.map((r) => smokeRuntime(r, { dir, expectVersion, ...timeout })));
    return { from: options.from, dir, expectVersion, install, results, ok: results.length > 0 && results.every((r) => r.ok) };
  } finally {
    if (scratch !== null && options.keepScratch !== true) await rm(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The rehearsal's loader for napi-ship's own core

/**
 * The release rehearsal's loader for `@napi-ship/core` (`pnpm release:dry-run` injects it): each
 * install runs these smoke scripts, which call every function and check the answers, instead of
 * the generic load that only lists the exports. `projectDir`'s crate version is what
 * `coreVersion()` must say (else the repo's crate's).
 */
export async function smokeLoader(projectDir: string): Promise<RuntimeLoader | null> {
  if (!SMOKE_RUNTIMES.every((r) => existsSync(smokeScript(r)))) return null;
  const expectVersion = await crateVersion(projectDir).catch(() => crateVersion(defaultBuildDir));
  const load = async (job: LoadJob): Promise<LoadResult> => {
    const base = { installer: job.installer, runtime: job.runtime, mode: 'smoke' as const };
    if (job.executable === null)
      return {
        ...base,
        runtimeVersion: null,
        status: 'skip',
        detail: job.missing ?? `${job.runtime} not found`,
        checks: [],
        command: [],
        durationMs: 0,
      };
    const r = await smokeRuntime(job.runtime, { dir: job.packageDir, expectVersion });
    const failed = r.checks.filter((c) => !c.ok);
    const passed = r.checks.filter((c) => c.ok).map((c) => c.name);
    const detail = r.ok
      ? `${String(r.checks.length)} checks passed (${passed.join(', ')})`
      : failed.map((c) => `${c.name}: ${c.detail}`).join('; ') + (r.stderr ? ` — ${r.stderr.trim().split('\n').slice(-3).join(' ')}` : '');
    return {
      ...base,
      runtimeVersion: r.version,
      status: r.ok ? 'ok' : 'fail',
      detail,
      checks: r.checks,
      command: r.command,
      durationMs: r.durationMs,
    };
  };
  return { label: 'napi-ship smoke checks', load };
}
