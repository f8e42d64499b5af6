/**
 * A real npm registry for tests: verdaccio on 127.0.0.1, on a free port, with throwaway storage,
 * an htpasswd user created over its API, and no uplinks (nothing leaves the machine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './cli.js';

export interface Registry {
  readonly url: string;
  readonly token: string;
  /** An .npmrc that points npm at this registry with the token. */
  readonly npmrc: string;
  readonly stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => { resolve(port); });
    });
  });
}

async function waitForPing(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${String(child.exitCode)}:\n${log()}`);
    try {
      const r = await fetch(new URL('-/ping', url));
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`verdaccio did not answer /-/ping within 10 s:\n${log()}`);
}

export async function startRegistry(): Promise<Registry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-verdaccio-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${String(port)}/`;
  const config = path.join(dir, 'config.yaml');
  await writeFile(config, [
    `storage: ${path.join(dir, 'storage')}`,
    'auth:',
    '  htpasswd:',
    `    file: ${path.join(dir, 'htpasswd')}`,
    '    max_users: 10',
    'uplinks: {}',
    'packages:',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    unpublish: $authenticated',
    'web:',
    '  enable: false',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n'));
  const bin = path.join(repoRoot, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  const child = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${String(port)}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { output += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { output += d; });
  // A function, so each call reads the live exit code (it changes while we wait).
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    if (running()) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (running()) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPing(url, child, () => output);
    const user = 'napi-ship-test';
    const r = await fetch(new URL(`-/user/org.couchdb.user:${user}`, url), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: user, password: 'not-a-secret-1' }),
    });
    const body = (await r.json()) as { token?: unknown };
    if (typeof body.token !== 'string') throw new Error(`verdaccio gave no token (${String(r.status)})`);
    const npmrc = path.join(dir, '.npmrc');
    await writeFile(npmrc, `registry=${url}\n//127.0.0.1:${String(port)}/:_authToken=${body.token}\n`);
    return { url, token: body.token, npmrc, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
