/**
 * Loading the installed root under Node.js, Deno and Bun.
 *
 * Any napi-rs package: a small ES module (the same file for the three runtimes) `require`s the
 * installed root through its napi-rs loader and lists its exports; it passes when the addon loaded
 * and exports functions. A caller may inject its own `RuntimeLoader` instead (napi-ship's repo does,
 * for its own core: its smoke scripts call every function and check the answers, scripts/lib/smoke.ts).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { childEnv, execute, failure } from './exec.js';
import { isRecord } from '../util/json.js';
import type { Installer, LoadResult, Runtime } from './types.js';

/** The load script: plain ES module, no TypeScript, runs as is on the three runtimes. */
export const LOAD_SCRIPT = `// napi-ship rehearsal: load an installed napi-rs package and list its exports.
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

const dir = process.argv[process.argv.length - 1];
const g = globalThis;
const runtime = g.Deno !== undefined ? 'deno' : g.Bun !== undefined ? 'bun' : 'node';
const version = runtime === 'deno' ? g.Deno.version.deno : runtime === 'bun' ? g.Bun.version : process.versions.node;
function describe(error) {
  const parts = [];
  for (let e = error, i = 0; e !== undefined && e !== null && i < 10; e = e instanceof Error ? e.cause : undefined, i++) {
    parts.push((e instanceof Error ? e.message : String(e)).split('\\n')[0]);
  }
  return parts.join(' <- ');
}
let out;
try {
  const m = createRequire(path.join(dir, 'noop.js'))(dir);
  const exports = Object.keys(m).sort();
  const functions = exports.filter((n) => typeof m[n] === 'function');
  out = { runtime, version, ok: functions.length > 0, exports, functions, error: functions.length > 0 ? null : 'the package exports no function' };
} catch (error) {
  out = { runtime, version, ok: false, exports: [], functions: [], error: describe(error) };
}
console.log(JSON.stringify(out));
process.exit(out.ok ? 0 : 1);
`;

export const LOAD_SCRIPT_FILE = 'load-addon.mjs';

/** Write the load script into `dir`; returns its path. */
export async function writeLoadScript(dir: string): Promise<string> {
  const file = path.join(dir, LOAD_SCRIPT_FILE);
  await writeFile(file, LOAD_SCRIPT);
  return file;
}

/** The nearest `node_modules` above `dir` (where the loader's platform package lives), else `dir`. */
export function nativeRoot(dir: string): string {
  for (let d = dir; path.dirname(d) !== d; d = path.dirname(d)) {
    if (path.basename(d) === 'node_modules') return d;
  }
  return dir;
}

/** How Deno and the other runtimes are launched for a load (the one launcher for both load scripts). */
export interface LaunchOptions {
  /** The package dir to load: Deno may `dlopen` only under its `node_modules` (or under it). */
  readonly packageDir: string;
  /** Deno's cache dir (`DENO_DIR`). */
  readonly denoDir: string;
  /** Type-check the script first (Deno's `--check`; for TypeScript scripts). */
  readonly check?: boolean;
  /** Dirs the script may write (Deno's `--allow-write`). */
  readonly allowWrite?: readonly string[];
  /** Variables added for every runtime (e.g. `NO_COLOR`). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The command that runs `script args…` on `runtime`. Deno gets only what the napi-rs loader needs:
 * read (module resolution, the musl probe), FFI under the project's node_modules only, the
 * NAPI_RS_* variables (plus `allowWrite`); no network, no npm, no config. Bun never auto-installs.
 */
export function runtimeCommand(
  runtime: Runtime,
  executable: string,
  script: string,
  args: readonly string[],
  options: LaunchOptions,
): { command: string[]; env: Record<string, string> } {
  const extra = options.env ?? {};
  switch (runtime) {
    case 'node':
      return { command: [executable, script, ...args], env: { ...extra } };
    case 'deno':
      return {
        command: [
          executable,
          'run',
          ...(options.check === true ? ['--check'] : []),
          '--no-config',
          '--no-lock',
          '--no-remote',
          '--no-npm',
          '--no-prompt',
          '--allow-read',
          `--allow-ffi=${nativeRoot(options.packageDir)}`,
          '--allow-env=NAPI_RS_*',
          ...(options.allowWrite === undefined || options.allowWrite.length === 0 ? [] : [`--allow-write=${options.allowWrite.join(',')}`]),
          script,
          ...args,
        ],
        env: { DENO_DIR: options.denoDir, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PACKAGE_JSON: '1', ...extra },
      };
    case 'bun':
      // --no-install: Bun's auto-install would fetch a missing platform package from the registry.
      return {
        command: [executable, '--no-install', script, ...args],
        env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', DO_NOT_TRACK: '1', ...extra },
      };
  }
}

/** The command that loads `packageDir` on `runtime` with the generic load script. */
export function loadCommand(
  runtime: Runtime,
  executable: string,
  script: string,
  packageDir: string,
  home: string,
): { command: string[]; env: Record<string, string> } {
  return runtimeCommand(runtime, executable, script, [packageDir], { packageDir, denoDir: path.join(home, 'deno') });
}

/**
 * The last JSON object line a load script printed, when it is about `runtime` and has a boolean
 * `ok` (the one parser of both load scripts' result lines); else `null`.
 */
export function parseResultLine(stdout: string, runtime: Runtime): (Readonly<Record<string, unknown>> & { readonly ok: boolean }) | null {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) return null;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isRecord(v) || v.runtime !== runtime || typeof v.ok !== 'boolean') return null;
  return { ...v, ok: v.ok };
}

interface LoadLine {
  readonly version: string | null;
  readonly ok: boolean;
  readonly functions: readonly string[];
  readonly error: string | null;
}

export function parseLoadLine(stdout: string, runtime: Runtime): LoadLine | null {
  const v = parseResultLine(stdout, runtime);
  if (v === null) return null;
  const functions = Array.isArray(v.functions) ? v.functions.filter((f): f is string => typeof f === 'string') : [];
  return {
    version: typeof v.version === 'string' ? v.version : null,
    ok: v.ok,
    functions,
    error: typeof v.error === 'string' ? v.error : null,
  };
}

export interface LoadJob {
  readonly installer: Installer;
  readonly runtime: Runtime;
  /** `<project>/node_modules/<root>`. */
  readonly packageDir: string;
  /** The runtime's executable; `null` when not found (the load is skipped with `missing`). */
  readonly executable: string | null;
  readonly runtimeVersion: string | null;
  /** Why the runtime is missing, when it is. */
  readonly missing?: string;
}

/** How the rehearsal loads each install under each runtime: the generic load script, or one injected. */
export interface RuntimeLoader {
  /** Said in the progress line, e.g. `napi-ship smoke checks`. */
  readonly label: string;
  /** Load one install under one runtime. Never throws for a failed load. */
  readonly load: (job: LoadJob) => Promise<LoadResult>;
}

/** Load with the generic script. Never throws for a failed load. */
export async function loadGeneric(job: LoadJob, script: string, home: string, timeoutMs = 120_000): Promise<LoadResult> {
  const base = { installer: job.installer, runtime: job.runtime, runtimeVersion: job.runtimeVersion, mode: 'load' as const, checks: [] };
  if (job.executable === null)
    return { ...base, status: 'skip', detail: job.missing ?? `${job.runtime} not found`, command: [], durationMs: 0 };
  if (!existsSync(job.packageDir)) return { ...base, status: 'skip', detail: 'not installed', command: [], durationMs: 0 };
  const { command, env } = loadCommand(job.runtime, job.executable, script, job.packageDir, home);
  const done = await execute(command, { cwd: os.tmpdir(), env: childEnv(home, env), timeoutMs });
  const line = parseLoadLine(done.stdout, job.runtime);
  const result = { ...base, runtimeVersion: line?.version ?? job.runtimeVersion, command, durationMs: done.durationMs };
  if (line === null) return { ...result, status: 'fail', detail: failure(done, timeoutMs) };
  if (!line.ok || done.code !== 0) return { ...result, status: 'fail', detail: line.error ?? failure(done, timeoutMs) };
  const shown = line.functions.slice(0, 6).join(', ') + (line.functions.length > 6 ? ', …' : '');
  return { ...result, status: 'ok', detail: `loaded; exports ${String(line.functions.length)} function(s): ${shown}` };
}
