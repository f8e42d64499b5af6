/**
 * Child processes for the benchmarks: run a command, capture its output, fail loudly with the tail
 * of its stderr. Every timed command runs through here so that each figure has one argv to print.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../scripts/lib/repo.js';

export { repoRoot };

export interface Cmd {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface CmdResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** The `napi-ship` executable of this checkout. */
export const NAPI_SHIP = path.join(repoRoot, 'bin', 'napi-ship.js');
/** A binary installed in the workspace's node_modules/.bin. */
export function localBin(name: string): string {
  return path.join(repoRoot, 'node_modules', '.bin', name);
}

/** The napi-ship CLI as a command. */
export function napiShip(args: readonly string[], extra: { cwd?: string; env?: Readonly<Record<string, string>> } = {}): Cmd {
  return { cmd: process.execPath, args: [NAPI_SHIP, ...args], ...extra };
}

/** The environment every benchmarked command sees: no colour, no update checks, no funding notes. */
function childEnv(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_loglevel: 'warn',
    ...extra,
  };
  delete env.FORCE_COLOR;
  return env;
}

/** Run a command to completion; never throws for a non-zero exit (see `mustRun`). */
export function run(c: Cmd): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(c.cmd, [...c.args], { cwd: c.cwd ?? repoRoot, env: childEnv(c.env), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => {
      out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      err.push(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms });
    });
  });
}

export class CommandFailed extends Error {
  constructor(
    readonly command: Cmd,
    readonly result: CmdResult,
  ) {
    const lines = (result.stderr.trim() || result.stdout.trim())
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('at '));
    const last = lines.filter((l) => /error|fail|cannot|not /i.test(l)).pop() ?? lines[lines.length - 1] ?? 'no output';
    super(`${last.slice(0, 300)} (exit ${String(result.code)})\n\`${show(command)}\`\n${lines.slice(-15).join('\n')}`);
  }
}

/** Run a command; a non-zero exit (other than those listed in `okCodes`) throws `CommandFailed`. */
export async function mustRun(c: Cmd, okCodes: readonly number[] = [0]): Promise<CmdResult> {
  const r = await run(c);
  if (r.code === null || !okCodes.includes(r.code)) throw new CommandFailed(c, r);
  return r;
}

/** A command line for humans: paths under the repo relative to it, scratch paths as `$BENCH`. */
export function show(c: Cmd, scratch?: string): string {
  const shorten = (s: string): string => {
    let v = s;
    if (scratch !== undefined && scratch !== '') v = v.replaceAll(scratch, '$BENCH');
    v = v.replaceAll(repoRoot + path.sep, '');
    if (v === process.execPath) return 'node';
    // `$NAME` placeholders stay bare so the line reads as shell with variables.
    return /[\s'"$]/.test(v) && !/^\$[A-Z]/.test(v) ? `'${v.replaceAll("'", "'\\''")}'` : v;
  };
  const env = Object.entries(c.env ?? {})
    .filter(([k]) => !/TOKEN|AUTH|PASS|SECRET/i.test(k))
    .map(([k, v]) => `${k}=${shorten(v)} `)
    .join('');
  const cd = c.cwd !== undefined && c.cwd !== repoRoot ? `(cd ${shorten(c.cwd)} && ` : '';
  return `${cd}${env}${[c.cmd, ...c.args].map(shorten).join(' ')}${cd === '' ? '' : ')'}`;
}
