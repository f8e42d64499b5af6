/**
 * Probe this machine for building: rustc and its host triple, installed Rust targets, zig,
 * cargo-zigbuild, cargo-xwin, @napi-rs/cross-toolchain and @napi-rs/cli. Everything runs in the
 * crate's directory, so a `rust-toolchain.toml` there is honoured.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { isRecord } from '../util/json.js';
import { envWithTools } from './tools.js';
import type { BuildHost, NapiCrossState } from './types.js';

interface Run {
  readonly ok: boolean;
  readonly stdout: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd, timeout: 30_000, encoding: 'utf8', env: { ...envWithTools(process.env), CARGO_TERM_COLOR: 'never' } },
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

/** The package.json of the package holding `file` (a package whose `exports` hides its package.json). */
function packageJsonAbove(file: string): string {
  for (let d = path.dirname(file); path.dirname(d) !== d; d = path.dirname(d)) {
    const candidate = path.join(d, 'package.json');
    if (existsSync(candidate)) return candidate;
  }
  return path.join(path.dirname(file), 'package.json');
}

function firstLineOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/**
 * Can `--use-napi-cross` run here? napi-rs unpacks the toolchain with `@napi-rs/lzma`; from 1.5 its
 * native packages need Node >= 22.20, so on an older Node npm skips them and napi-rs fails with a
 * misleading "Cannot find native binding". We load it the way @napi-rs/cross-toolchain will.
 */
export function napiCrossState(napiCliEntry: string | null, nodeVersion: string = process.versions.node): NapiCrossState {
  const none = (reason: string, version: string | null = null): NapiCrossState => ({ version, usable: false, reason, cached: [] });
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64'))
    return none(`@napi-rs/cross-toolchain runs on Linux x64/arm64 hosts only (this is ${process.platform}-${process.arch})`);
  if (napiCliEntry === null) return none('@napi-rs/cli is not installed');
  let packageJson: string;
  try {
    packageJson = createRequire(napiCliEntry).resolve('@napi-rs/cross-toolchain/package.json');
  } catch {
    return none('@napi-rs/cross-toolchain is not installed (add it to devDependencies for --use-napi-cross)');
  }
  const version = packageVersion(packageJson);
  const cacheDir = path.join(os.homedir(), '.napi-rs', 'cross-toolchain', version);
  let cached: string[] = [];
  try {
    cached = readdirSync(cacheDir).filter((t) => existsSync(path.join(cacheDir, t, 'package.json')));
  } catch {
    // nothing unpacked yet
  }
  const req = createRequire(packageJson);
  let lzmaVersion = 'unknown';
  try {
    lzmaVersion = packageVersion(packageJsonAbove(req.resolve('@napi-rs/lzma')));
    req('@napi-rs/lzma');
  } catch (error) {
    return {
      version,
      usable: false,
      cached,
      reason: `@napi-rs/cross-toolchain ${version} unpacks its toolchains with @napi-rs/lzma ${lzmaVersion}, which does not load on Node ${nodeVersion} (${firstLineOf(error)}); @napi-rs/lzma 1.5's native packages need Node >= 22.20 — use Node >= 22.20, or pin @napi-rs/lzma 1.4.x with an override`,
    };
  }
  return { version, usable: true, reason: '', cached };
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
  const napiCross = napiCrossState(napiCli?.entry ?? null);
  return {
    triple,
    rustc: triple === null ? null : rustc,
    platform: process.platform,
    arch: process.arch,
    installedTargets: targets,
    tools: { zig, cargoZigbuild, cargoXwin },
    napiCrossTargets: napiCrossTargets(napiCli?.entry ?? null),
    napiCross,
    napiCli,
  };
}
