/** The machine and the tool versions a benchmark run records. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { coreVersion } from '../../src/core/index.js';
import type { Machine } from './results.js';
import { napiShip, repoRoot, run, type Cmd } from './proc.js';

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? os.type();
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

async function firstLine(c: Cmd): Promise<string> {
  try {
    const r = await run(c);
    if (r.code !== 0) return 'not available';
    const text = (r.stdout.trim() || r.stderr.trim()).replace(/\u001b\[[0-9;]*m/g, '');
    return (
      text
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l !== '' && !/^npm warn/i.test(l)) ?? 'unknown'
    );
  } catch {
    return 'not installed';
  }
}

async function commit(): Promise<string> {
  const head = await run({ cmd: 'git', args: ['rev-parse', '--short=12', 'HEAD'] });
  if (head.code !== 0) return 'unknown';
  const dirty = await run({ cmd: 'git', args: ['status', '--porcelain', '--untracked-files=no'] });
  return `${head.stdout.trim()}${dirty.stdout.trim() === '' ? '' : ' (with uncommitted changes)'}`;
}

export async function machine(loadBefore: readonly number[]): Promise<Machine> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    host: os.hostname(),
    os: osName(),
    kernel: os.release(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    nproc: os.availableParallelism(),
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadBefore,
    loadAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
    commit: await commit(),
  };
}

function packageVersion(name: string): string {
  try {
    const v: unknown = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8'));
    return typeof v === 'object' && v !== null && 'version' in v && typeof v.version === 'string' ? v.version : 'unknown';
  } catch {
    return 'not installed';
  }
}

export async function toolVersions(): Promise<{ name: string; version: string }[]> {
  const ver = (name: string, c: Cmd): Promise<{ name: string; version: string }> => firstLine(c).then((version) => ({ name, version }));
  const list = await Promise.all([
    ver('napi-ship', napiShip(['--version'])),
    Promise.resolve({ name: '@napi-ship/core', version: coreVersion() }),
    Promise.resolve({ name: 'node', version: process.version }),
    ver('npm', { cmd: 'npm', args: ['--version'] }),
    ver('pnpm', { cmd: 'pnpm', args: ['--version'] }),
    Promise.resolve({ name: '@napi-rs/cli (napi)', version: packageVersion('@napi-rs/cli') }),
    Promise.resolve({ name: '@cyclonedx/cdxgen', version: packageVersion('@cyclonedx/cdxgen') }),
    Promise.resolve({ name: 'verdaccio', version: packageVersion('verdaccio') }),
    ver('coreutils (sha*sum)', { cmd: 'sha512sum', args: ['--version'] }),
  ]);
  return list;
}
