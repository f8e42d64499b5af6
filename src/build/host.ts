/**
 * Probe this machine for building: rustc and its host triple, installed Rust targets, zig,
 * cargo-zigbuild, cargo-xwin, @napi-rs/cross-toolchain and @napi-rs/cli. Everything runs in the
 * crate's directory, so a `rust-toolchain.toml` there is honoured.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isRecord } from '../util/json.js';
import type { BuildHost } from './types.js';

interface Run {
  readonly ok: boolean;
  readonly stdout: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd, timeout: 30_000, encoding: 'utf8', env: { ...process.env, CARGO_TERM_COLOR: 'never' } },
      (error, stdout) => {
        resolve({ ok: error === null, stdout });
      },
    );
  });
}

async function firstLine(command: string, args: readonly string[], cwd: string): Promise<string | null> {
  const r = await run(command, args, cwd);
  const line = r.stdout.split('\n')[0]?.trim() ?? '';
  return r.ok && line !== '' ? line : null;
}

/** Installed targets from rustup, or from the sysroot's `lib/rustlib/<triple>/lib` when there is no rustup. */
async function installedTargets(cwd: string): Promise<string[] | null> {
  const rustup = await run('rustup', ['target', 'list', '--installed'], cwd);
  if (rustup.ok)
    return rustup.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  const sysroot = await firstLine('rustc', ['--print', 'sysroot'], cwd);
  if (sysroot === null) return null;
  const rustlib = path.join(sysroot, 'lib', 'rustlib');
  try {
    return readdirSync(rustlib).filter((d) => existsSync(path.join(rustlib, d, 'lib')));
  } catch {
    return null;
  }
}

function packageVersion(packageJson: string): string {
  const pkg: unknown = JSON.parse(readFileSync(packageJson, 'utf8'));
  return isRecord(pkg) && typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** The @napi-rs/cli that builds the root package: its own devDependency first, then napi-ship's. */
export function resolveNapiCli(rootDir: string): { version: string; entry: string } | null {
  const bases = [path.join(rootDir, 'package.json'), import.meta.url];
  for (const base of bases) {
    try {
      const req = createRequire(base);
      const packageJson = req.resolve('@napi-rs/cli/package.json');
      return { version: packageVersion(packageJson), entry: req.resolve('@napi-rs/cli') };
    } catch {
      // not resolvable from here
    }
  }
  return null;
}

/** Triples @napi-rs/cross-toolchain (as napi-rs itself resolves it) serves on this host. */
function napiCrossTargets(napiCliEntry: string | null): string[] {
  if (napiCliEntry === null || process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) return [];
  try {
    const toolchains: unknown = createRequire(napiCliEntry)('@napi-rs/cross-toolchain');
    const forArch = isRecord(toolchains) ? toolchains[process.arch] : undefined;
    return isRecord(forArch) ? Object.keys(forArch) : [];
  } catch {
    return [];
  }
}

export async function probeHost(cwd: string): Promise<BuildHost> {
  const [verbose, targets, zig, cargoZigbuild, cargoXwin] = await Promise.all([
    run('rustc', ['-vV'], cwd),
    installedTargets(cwd),
    firstLine('zig', ['version'], cwd),
    firstLine('cargo-zigbuild', ['--version'], cwd),
    firstLine('cargo-xwin', ['--version'], cwd),
  ]);
  const lines = verbose.ok ? verbose.stdout.split('\n') : [];
  const triple =
    lines
      .find((l) => l.startsWith('host: '))
      ?.slice('host: '.length)
      .trim() ?? null;
  const rustc = lines[0]?.trim() || null;
  const napiCli = resolveNapiCli(cwd);
  return {
    triple,
    rustc: triple === null ? null : rustc,
    platform: process.platform,
    arch: process.arch,
    installedTargets: targets,
    tools: { zig, cargoZigbuild, cargoXwin },
    napiCrossTargets: napiCrossTargets(napiCli?.entry ?? null),
    napiCli,
  };
}
