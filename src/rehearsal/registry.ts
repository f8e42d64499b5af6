/**
 * The embedded throwaway registry of a rehearsal: verdaccio on 127.0.0.1, on a free port, with
 * storage in a temp dir, an htpasswd user created over its API and no uplinks unless asked (nothing leaves the
 * machine, nothing is proxied from npmjs). Started and stopped by the caller; the tests, the
 * crash trials and the benchmarks start their registry with it too.
 *
 * verdaccio is a dev dependency, resolved from the project being released first, then from
 * napi-ship's own install. It runs with a small preload that exits when its stdin closes, so a
 * parent that dies (SIGKILL, Ctrl-C) leaves no registry running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { diagnostic, DiagnosticError } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';

export interface Registry {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly port: number;
  /** A publish token for the registry's one user (throwaway; never printed). */
  readonly token: string;
  /** An .npmrc that points npm at this registry with the token. */
  readonly npmrc: string;
  /** The verdaccio that runs it: its version and `bin` script. */
  readonly verdaccio: VerdaccioInstall;
  /** What verdaccio wrote so far (stdout and stderr): for a failure's message. */
  readonly log: () => string;
  /** The temp dir holding its config and storage (removed by `stop`, or by verdaccio itself when its parent dies). */
  readonly dir: string;
  /** Its process id, `null` once it has exited. */
  readonly pid: () => number | null;
  /** Stop verdaccio (SIGTERM, then SIGKILL after 5 s) and remove its storage. Idempotent. */
  readonly stop: () => Promise<void>;
}

export interface VerdaccioInstall {
  readonly version: string;
  /** Absolute path of its `bin/verdaccio`. */
  readonly bin: string;
  /** The dir it was resolved from. */
  readonly from: string;
}

/** napi-ship's own install: this module's dir (`<napi-ship>/dist/src/rehearsal`). */
const ownDir = path.dirname(fileURLToPath(import.meta.url));

/**
 * verdaccio as `require.resolve` finds it from each dir in turn (default: `projectDir` if given,
 * then napi-ship's own install); `null` when none has it.
 */
export function resolveVerdaccio(searchDirs: readonly string[] = [ownDir]): VerdaccioInstall | null {
  for (const from of searchDirs) {
    let manifestPath: string;
    try {
      manifestPath = createRequire(path.join(path.resolve(from), 'noop.js')).resolve('verdaccio/package.json');
    } catch {
      continue;
    }
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch {
      continue;
    }
    if (!isRecord(manifest)) continue;
    const bin =
      typeof manifest.bin === 'string'
        ? manifest.bin
        : isRecord(manifest.bin) && typeof manifest.bin.verdaccio === 'string'
          ? manifest.bin.verdaccio
          : null;
    if (bin === null) continue;
    const binPath = path.resolve(path.dirname(manifestPath), bin);
    if (!existsSync(binPath)) continue;
    return { version: typeof manifest.version === 'string' ? manifest.version : 'unknown', bin: binPath, from: path.resolve(from) };
  }
  return null;
}

/** The dirs verdaccio is looked up from: the project being released, then napi-ship's own install. */
export function verdaccioSearchDirs(projectDir?: string): string[] {
  return [...(projectDir === undefined ? [] : [projectDir]), ownDir];
}

export const NO_VERDACCIO_HINT = 'install verdaccio (dev dependency) to rehearse: npm i -D verdaccio (or pnpm add -D verdaccio)';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function waitForPing(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`verdaccio exited (${String(child.exitCode ?? child.signalCode)}) before answering:\n${log()}`);
    }
    try {
      const r = await fetch(new URL('-/ping', url), { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`verdaccio did not answer /-/ping within 30 s:\n${log()}`);
}

/**
 * Preloaded into verdaccio: exit as soon as the parent's end of stdin closes (the parent died or
 * stopped us), removing the registry's temp dir (where this file is), and write an uncaught exception to stderr before verdaccio's own handler exits 255
 * (its logger is asynchronous and would lose it).
 */
const WATCHDOG = [
  "'use strict';",
  // --require reaches worker threads too (verdaccio's logger runs in one): act in the main thread only.
  "if (require('node:worker_threads').isMainThread) {",
  "  process.prependListener('uncaughtException', (e) => { require('node:fs').writeSync(2, 'verdaccio: uncaught ' + (e && e.stack ? e.stack : String(e)) + '\\n'); });",
  // The parent is gone: remove the registry's temp dir (this file's dir) too, then exit.
  "  const gone = () => { try { require('node:fs').rmSync(__dirname, { recursive: true, force: true }); } finally { process.exit(0); } };",
  "  process.stdin.on('end', gone);",
  "  process.stdin.on('error', gone);",
  '  process.stdin.resume();',
  '}',
  '',
].join('\n');

export interface StartRegistryOptions {
  /** The project being released: verdaccio is looked up there first. */
  readonly projectDir?: string;
  /** A verdaccio already resolved (default: `resolveVerdaccio(verdaccioSearchDirs(projectDir))`). */
  readonly verdaccio?: VerdaccioInstall;
  /** Largest tarball verdaccio accepts (default `500mb`). */
  readonly maxBodySize?: string;
  /**
   * Proxy every package not named in `local` to this registry (default: no uplink, nothing leaves
   * the machine). For installs of a package published here whose own dependencies live on the
   * public registry, as a user's registry would serve them.
   */
  readonly uplink?: { readonly url: string; readonly local: readonly string[] };
}

/** The `uplinks:`/`packages:` part of verdaccio's config: `local` names are served only from storage. Pure. */
export function packageRules(uplink: StartRegistryOptions['uplink']): string[] {
  const rule = (pattern: string, proxy: boolean): string[] => [
    `  ${JSON.stringify(pattern)}:`,
    '    access: $all',
    '    publish: $authenticated',
    '    unpublish: $authenticated',
    ...(proxy ? ['    proxy: upstream'] : []),
  ];
  if (uplink === undefined) return ['uplinks: {}', 'packages:', ...rule('**', false)];
  return [
    'uplinks:',
    '  upstream:',
    `    url: ${JSON.stringify(uplink.url)}`,
    '    timeout: 60s',
    'packages:',
    ...uplink.local.flatMap((name) => rule(name, false)),
    ...rule('**', true),
  ];
}

/**
 * Start verdaccio and create its user. Throws `NS_REHEARSAL_NO_VERDACCIO` when verdaccio is not
 * installed, `NS_REHEARSAL_REGISTRY_START` when it does not come up.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<Registry> {
  const verdaccio = options.verdaccio ?? resolveVerdaccio(verdaccioSearchDirs(options.projectDir));
  if (verdaccio === null) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REHEARSAL_NO_VERDACCIO',
        subject: options.projectDir ?? ownDir,
        message: 'verdaccio is not installed in the project nor beside napi-ship',
        hint: NO_VERDACCIO_HINT,
      }),
    ]);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-verdaccio-'));
  const port = await freePort();
  const host = `127.0.0.1:${String(port)}`;
  const url = `http://${host}/`;
  const config = path.join(dir, 'config.yaml');
  const watchdog = path.join(dir, 'watchdog.cjs');
  await writeFile(watchdog, WATCHDOG);
  await writeFile(
    config,
    [
      `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
      '    max_users: 10',
      // A throwaway user on loopback: cheap bcrypt (verdaccio verifies the password on every request).
      '    rounds: 4',
      ...packageRules(options.uplink),
      `max_body_size: ${options.maxBodySize ?? '500mb'}`,
      'web:',
      '  enable: false',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--require', watchdog, verdaccio.bin, '--config', config, '--listen', host], {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  // Whatever happens to us, verdaccio goes too: 'exit' runs on process.exit and normal ends.
  const onExit = (): void => {
    if (running()) child.kill('SIGKILL');
  };
  process.once('exit', onExit);
  // A function, so each call reads the live state (it changes while we wait).
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.removeListener('exit', onExit);
      if (running()) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        child.stdin.end();
        await Promise.race([exited, sleep(5000)]);
        if (running()) {
          child.kill('SIGKILL');
          await Promise.race([exited, sleep(2000)]);
        }
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  try {
    await waitForPing(url, child, () => output);
    const user = 'napi-ship-rehearsal';
    const r = await fetch(new URL(`-/user/org.couchdb.user:${user}`, url), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: user, password: `throwaway-${String(port)}-${String(process.pid)}` }),
      signal: AbortSignal.timeout(10_000),
    });
    const body: unknown = await r.json();
    const token = isRecord(body) && typeof body.token === 'string' ? body.token : null;
    if (token === null) throw new Error(`verdaccio created no user (HTTP ${String(r.status)})`);
    const npmrc = path.join(dir, '.npmrc');
    await writeFile(npmrc, `registry=${url}\n//${host}/:_authToken=${token}\n`, { mode: 0o600 });
    return { url, port, token, npmrc, verdaccio, stop, dir, log: () => output, pid: () => (running() ? (child.pid ?? null) : null) };
  } catch (error) {
    await stop();
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REHEARSAL_REGISTRY_START',
        subject: verdaccio.bin,
        message: `verdaccio ${verdaccio.version} did not start: ${error instanceof Error ? error.message : String(error)}`,
        hint: 'run it by hand (npx verdaccio) to see why; it needs Node.js >= 18 and a free loopback port',
      }),
    ]);
  }
}

/** True when something accepts connections on 127.0.0.1:`port` (tests check a stopped registry is gone). */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, '127.0.0.1');
  });
}
