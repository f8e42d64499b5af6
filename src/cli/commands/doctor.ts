import { existsSync } from 'node:fs';
import path from 'node:path';
import { diagnose, installMissing, type DoctorReport, type InstallStep } from '../../build/doctor.js';
import { probeHost } from '../../build/host.js';
import { buildSettings } from '../../build/settings.js';
import { toolsDir } from '../../build/tools.js';
import { ARM64_SYSROOT } from '../../load/index.js';
import { loadPlan } from '../../plan/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption } from '../options.js';
import { ExitCode } from '../exit-codes.js';
import { textTable, type Io } from '../output.js';
import { rejectPositionals } from './usage.js';

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d !== '' && existsSync(path.join(d, command)));
}

async function report(cwd: string, configPath: string | undefined): Promise<DoctorReport> {
  const plan = await loadPlan(cwd, configPath === undefined ? {} : { configPath });
  const host = await probeHost(plan.root.dir);
  return diagnose(
    plan.targets,
    host,
    { ...buildSettings(plan), env: process.env },
    {
      toolsDir: toolsDir(),
      qemu: onPath('qemu-aarch64'),
      arm64Sysroot: existsSync(path.join(ARM64_SYSROOT, 'lib', 'ld-linux-aarch64.so.1')),
    },
  );
}

function render(r: DoctorReport, installed: readonly InstallStep[] | null): string {
  const h = r.host;
  const lines = [
    `host ${h.triple ?? `${h.platform}-${h.arch}`}, ${h.rustc ?? 'no rustc'}, @napi-rs/cli ${h.napiCli?.version ?? 'not found'}`,
    `zig ${h.tools.zig ?? 'not found'}, cargo-zigbuild ${h.tools.cargoZigbuild ?? 'not found'}, cargo-xwin ${h.tools.cargoXwin ?? 'not found'} (tools dir ${r.toolsDir})`,
    `napi-cross: ${h.napiCross.usable ? `usable (@napi-rs/cross-toolchain ${h.napiCross.version ?? '?'}; unpacked: ${h.napiCross.cached.join(', ') || 'none'})` : `not usable — ${h.napiCross.reason}`}`,
    '',
    textTable(
      ['target', 'status', 'toolchain', 'detail'],
      r.targets.map((t) => [t.target, t.status, t.toolchain ?? '-', t.detail || '-']),
    ).trimEnd(),
  ];
  const fixes = [...new Map(r.targets.flatMap((t) => t.fixes).map((f) => [f.command, f])).values()];
  if (installed !== null) {
    lines.push('', installed.length === 0 ? 'doctor --install: nothing to install' : 'doctor --install did:');
    for (const s of installed) lines.push(`  ${s.ok ? '✓' : '✗'} ${s.command}${s.ok ? '' : ` — ${s.detail}`}`);
  } else if (fixes.length > 0) {
    lines.push('', 'To install what is missing (`napi-ship doctor --install` does the ones marked *):');
    for (const f of fixes) lines.push(`  ${f.installable ? '*' : ' '} ${f.command}`);
  }
  if (r.emulation.length > 0) {
    lines.push('', 'To load the linux-arm64-gnu build under qemu here (needs root):');
    for (const f of r.emulation) lines.push(`    ${f.command}`);
  }
  const ready = r.targets.filter((t) => t.status === 'ready').length;
  lines.push(
    '',
    `${String(ready)} of ${String(r.targets.length)} targets can build here.${ready < r.targets.length ? ' Next: napi-ship doctor --install, then napi-ship build.' : ' Next: napi-ship build.'}`,
  );
  return lines.join('\n') + '\n';
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Per target: can it build here, with which toolchain, what is missing and the command that installs it; --install does it.',
  options: [
    CWD_OPTION,
    CONFIG_PATH_OPTION,
    {
      name: 'install',
      type: 'boolean',
      description:
        "install what can be installed without root: rustup targets, zig and cargo-zigbuild from PyPI into napi-ship's tools venv, cargo-xwin with cargo install",
    },
    jsonOption('the per-target report (and with --install, what was done)'),
  ],
  examples: [
    { description: 'what can build here, and what to install for the rest', command: 'napi-ship doctor' },
    { description: 'install the missing Rust targets and tools, then show the report again', command: 'napi-ship doctor --install' },
    { description: 'the report for a package in a subfolder, as JSON', command: 'napi-ship doctor --cwd packages/addon --json' },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, doctorCommand);
    if (refused !== null) return refused;
    const cwd = path.resolve(io.cwd, stringOption(args, 'cwd') ?? '.');
    let r = await report(cwd, stringOption(args, 'config-path'));
    let installed: InstallStep[] | null = null;
    if (flag(args, 'install')) {
      installed = await installMissing(r);
      r = await report(cwd, stringOption(args, 'config-path'));
    }
    if (flag(args, 'json')) io.stdout(JSON.stringify({ ...r, installed }, null, 2) + '\n');
    else io.stdout(render(r, installed));
    if (installed !== null && installed.some((s) => !s.ok)) return ExitCode.Environment;
    return r.targets.some((t) => t.status === 'missing') ? ExitCode.Environment : ExitCode.Ok;
  },
};
