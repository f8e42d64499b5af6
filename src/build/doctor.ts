/**
 * `doctor`: per target of the plan, what can build here, with which toolchain, what is missing and
 * the exact command to install it — the same choice `build` makes (toolchain.ts), before anything
 * runs. Plus what loading the arm64 build under emulation needs. `installMissing` does what can be
 * done without root: `rustup target add`, zig and cargo-zigbuild from PyPI into napi-ship's tools
 * venv, `cargo install --locked cargo-xwin`.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlannedTarget } from '../plan/index.js';
import type { TargetSpec } from '../targets/index.js';
import { execute } from '../util/process.js';
import { chooseToolchain, missingFor, type ToolchainSettings } from './toolchain.js';
import { toolsBin, toolsDir, ZIG_VERSION, zigWrapper } from './tools.js';
import type { BuildHost, Toolchain } from './types.js';

/** cargo-zigbuild's PyPI wheel napi-ship installs (and setup.sh pins). */
export const CARGO_ZIGBUILD_VERSION = '0.24.1';

export type DoctorStatus = 'ready' | 'missing' | 'cannot';

/** One thing to install, and the command that does it. */
export interface Fix {
  readonly what: 'rust-target' | 'zig' | 'cargo-zigbuild' | 'cargo-xwin' | 'debian';
  /** The Rust target, tool or Debian package names. */
  readonly name: string;
  readonly command: string;
  /** `doctor --install` can do it without root. */
  readonly installable: boolean;
}

export interface DoctorTarget {
  readonly target: string;
  readonly triple: string;
  readonly status: DoctorStatus;
  /** The toolchain `build` would use (or would, once installed); null when none can here. */
  readonly toolchain: Toolchain | null;
  /** For `ready`: a note on the choice; otherwise what is missing, or why it cannot build here. */
  readonly detail: string;
  readonly fixes: readonly Fix[];
}

export interface DoctorReport {
  readonly host: BuildHost;
  readonly toolsDir: string;
  readonly targets: readonly DoctorTarget[];
  /** For loading linux-arm64-gnu under qemu here (Linux x64 only): what is missing. */
  readonly emulation: readonly Fix[];
}

function pipCommand(dir: string, pkgs: readonly string[]): string {
  return `python3 -m venv ${dir} && ${path.join(dir, 'bin', 'pip')} install ${pkgs.join(' ')}`;
}

function fixesFor(spec: TargetSpec, toolchain: Toolchain, host: BuildHost, dir: string): Fix[] {
  const fixes: Fix[] = [];
  if (host.installedTargets !== null && !host.installedTargets.includes(spec.triple))
    fixes.push({ what: 'rust-target', name: spec.triple, command: `rustup target add ${spec.triple}`, installable: true });
  if (toolchain === 'zig') {
    if (host.tools.zig === null)
      fixes.push({
        what: 'zig',
        name: `ziglang==${ZIG_VERSION}`,
        command: pipCommand(dir, [`ziglang==${ZIG_VERSION}`]),
        installable: true,
      });
    if (host.tools.cargoZigbuild === null)
      fixes.push({
        what: 'cargo-zigbuild',
        name: `cargo-zigbuild==${CARGO_ZIGBUILD_VERSION}`,
        command: pipCommand(dir, [`cargo-zigbuild==${CARGO_ZIGBUILD_VERSION}`]),
        installable: true,
      });
  }
  if (toolchain === 'xwin' && host.tools.cargoXwin === null)
    fixes.push({ what: 'cargo-xwin', name: 'cargo-xwin', command: 'cargo install --locked cargo-xwin', installable: true });
  return fixes;
}

/** The doctor's report — pure: the plan's targets and this machine in, the report out. */
export function diagnose(
  targets: readonly PlannedTarget[],
  host: BuildHost,
  settings: ToolchainSettings = {},
  facts: { readonly toolsDir: string; readonly qemu: boolean; readonly arm64Sysroot: boolean } = {
    toolsDir: toolsDir(),
    qemu: false,
    arm64Sysroot: false,
  },
): DoctorReport {
  const rows = targets.map((t): DoctorTarget => {
    const choice = chooseToolchain(t.spec, host, settings);
    const base = { target: t.spec.platformArchABI, triple: t.spec.triple };
    if (choice.kind === 'build') return { ...base, status: 'ready', toolchain: choice.toolchain, detail: choice.note, fixes: [] };
    if (choice.toolchain === null) return { ...base, status: 'cannot', toolchain: null, detail: choice.reason, fixes: [] };
    return {
      ...base,
      status: 'missing',
      toolchain: choice.toolchain,
      detail: missingFor(t.spec, choice.toolchain, host).join('; '),
      fixes: fixesFor(t.spec, choice.toolchain, host, facts.toolsDir),
    };
  });
  const emulation: Fix[] = [];
  if (host.platform === 'linux' && host.arch === 'x64' && targets.some((t) => t.spec.platformArchABI === 'linux-arm64-gnu')) {
    const pkgs = [...(facts.qemu ? [] : ['qemu-user']), ...(facts.arm64Sysroot ? [] : ['libc6-arm64-cross', 'libstdc++6-arm64-cross'])];
    if (pkgs.length > 0)
      emulation.push({
        what: 'debian',
        name: pkgs.join(' '),
        command: `sudo apt-get install --no-install-recommends ${pkgs.join(' ')}`,
        installable: false,
      });
  }
  return { host, toolsDir: facts.toolsDir, targets: rows, emulation };
}

export interface InstallStep {
  readonly what: Fix['what'];
  readonly name: string;
  readonly command: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * Install the installable fixes of `report` (each once): Rust targets with one `rustup target add`,
 * zig and cargo-zigbuild with pip into the tools venv (plus the `zig` wrapper), cargo-xwin with
 * `cargo install`. Never throws; returns what it did.
 */
export async function installMissing(report: DoctorReport, env: NodeJS.ProcessEnv = process.env): Promise<InstallStep[]> {
  const fixes = report.targets.flatMap((t) => t.fixes).filter((f) => f.installable);
  const unique = (what: Fix['what']): string[] => [...new Set(fixes.filter((f) => f.what === what).map((f) => f.name))];
  const steps: InstallStep[] = [];
  const run = async (what: Fix['what'], name: string, command: readonly string[], timeoutMs: number): Promise<boolean> => {
    const done = await execute(command, {
      cwd: report.toolsDir.length > 0 ? path.dirname(report.toolsDir) : process.cwd(),
      env,
      timeoutMs,
    });
    const ok = done.code === 0;
    const tail = (done.stderr.trim() || done.stdout.trim()).split('\n').pop() ?? '';
    steps.push({
      what,
      name,
      command: command.join(' '),
      ok,
      detail: ok ? 'done' : (done.spawnError ?? (done.timedOut ? 'timed out' : tail)),
    });
    return ok;
  };
  await mkdir(path.dirname(report.toolsDir), { recursive: true });
  const targets = unique('rust-target');
  if (targets.length > 0) await run('rust-target', targets.join(' '), ['rustup', 'target', 'add', ...targets], 900_000);
  const pyPkgs = [...unique('zig'), ...unique('cargo-zigbuild')];
  if (pyPkgs.length > 0) {
    const dir = report.toolsDir;
    const python = path.join(dir, 'bin', 'python');
    const venvOk = existsSync(python) || (await run('zig', 'venv', ['python3', '-m', 'venv', dir], 120_000));
    const label = unique('zig').length > 0 ? 'zig' : 'cargo-zigbuild';
    const pip = [path.join(dir, 'bin', 'pip'), 'install', '--disable-pip-version-check', ...pyPkgs];
    if (venvOk && (await run(label, pyPkgs.join(' '), pip, 600_000))) {
      const wrapper = path.join(toolsBin({ ...env, NAPI_SHIP_TOOLS_DIR: dir }), 'zig');
      await writeFile(wrapper, zigWrapper(python));
      await chmod(wrapper, 0o755);
      steps.push({ what: 'zig', name: 'zig wrapper', command: `write ${wrapper}`, ok: true, detail: `runs ${python} -m ziglang` });
    }
  }
  for (const name of unique('cargo-xwin')) await run('cargo-xwin', name, ['cargo', 'install', '--locked', name], 1_800_000);
  return steps;
}
