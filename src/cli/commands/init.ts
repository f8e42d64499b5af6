import path from 'node:path';
import { formatDiagnostic } from '../../diagnostics/index.js';
import { applyInit, lineDiff, planInit, readInitInput, toolDependencies, type InitPlan } from '../../init/index.js';
import { napiShipManifest, napiShipVersion } from '../../util/version.js';
import { flag, stringOption, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { CWD_OPTION, jsonOption } from '../options.js';
import { paint, type Io } from '../output.js';
import { rejectPositionals } from './usage.js';

/** New files longer than this show their first lines only (the whole text is in --json). */
const NEW_FILE_LINES = 12;

function shown(io: Io, file: string): string {
  const rel = path.relative(io.cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

function describe(io: Io, plan: InitPlan, dir: string): string {
  const pm = plan.packageManager;
  const crate = plan.crate;
  const lines = [
    `napi-ship init in ${dir}`,
    `  package manager: ${pm.name}${pm.version === null ? '' : ` ${pm.version}`} (${pm.source.replace(dir + path.sep, '')})`,
    `  napi config:     binaryName ${plan.binaryName}, ${String(plan.targets.length)} targets`,
    `  crate:           ${
      crate === null
        ? 'none (no Cargo.toml next to package.json)'
        : `${crate.name ?? '(no [package] name)'}${crate.napi === null ? '' : ` (napi ${crate.napi})`} in ${shown(io, crate.manifestPath)}`
    }`,
  ];
  if (plan.policy !== null) {
    const basis =
      plan.policy.basis === 'found'
        ? `found in ${String(plan.policy.checked)} third-party packages`
        : plan.policy.basis === 'own-license'
          ? "no third-party packages found: starting from the project's own license"
          : 'no licenses found';
    lines.push(`  license policy:  allow ${plan.policy.allow.length === 0 ? 'nothing' : plan.policy.allow.join(', ')} (${basis})`);
    for (const u of plan.policy.unresolved) lines.push(`    needs a decision: ${u}`);
  }
  return lines.join('\n') + '\n';
}

function diffText(io: Io, plan: InitPlan, dir: string): string {
  const parts: string[] = [];
  for (const c of plan.changes) {
    const name = path.relative(dir, c.file).split(path.sep).join('/');
    if (c.before === null) {
      const lines = c.after.split('\n');
      const head = lines.slice(0, NEW_FILE_LINES).map((l) => `+${l}`);
      const more = lines.length - 1 - NEW_FILE_LINES;
      parts.push(
        [
          `--- /dev/null`,
          `+++ b/${name} (new file)`,
          ...head,
          ...(more > 0 ? [`… ${String(more)} more lines (all of them: --json)`] : []),
        ].join('\n') + '\n',
      );
    } else {
      parts.push(lineDiff(name, c.before, c.after));
    }
  }
  const colour = (line: string): string =>
    line.startsWith('+') && !line.startsWith('+++')
      ? paint(io, 'green', line)
      : line.startsWith('-') && !line.startsWith('---')
        ? paint(io, 'red', line)
        : line;
  return parts.join('\n').split('\n').map(colour).join('\n');
}

export const initCommand: Command = {
  name: 'init',
  summary:
    'Set napi-ship up in an existing napi-rs project: pinned dev dependencies, a starter license policy from the licenses found, the release workflow, a release:dry-run script.',
  options: [
    CWD_OPTION,
    {
      name: 'yes',
      short: 'y',
      type: 'boolean',
      description: 'write the changes without asking (without it: show them, and ask on a terminal)',
    },
    {
      name: 'no-install',
      type: 'boolean',
      description: "write the dev dependencies into package.json instead of adding them with the project's package manager",
    },
    jsonOption('{ changes (file, before, after, diff), install, kept, written, diagnostics }'),
  ],
  examples: [
    { description: 'see what init would change, writing nothing', command: 'napi-ship init' },
    { description: 'write it, then rehearse a release', command: 'napi-ship init --yes && npm run release:dry-run' },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, initCommand);
    if (refused !== null) return refused;
    const dir = path.resolve(io.cwd, stringOption(args, 'cwd') ?? '.');
    const json = flag(args, 'json');
    if (!json)
      io.stderr(paint(io, 'dim', '› reading the project (package.json, Cargo.toml, the dependency graphs for the license policy)…') + '\n');
    const input = await readInitInput(dir);
    const plan = planInit(input, toolDependencies(napiShipManifest(), napiShipVersion()));
    const nothing = plan.changes.length === 0 && plan.install === null;
    let write = flag(args, 'yes');
    if (!json) {
      io.stdout(describe(io, plan, dir));
      for (const d of plan.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
      if (nothing) {
        io.stdout('\nnothing to do: napi-ship is set up here\n');
      } else {
        if (plan.changes.length > 0) io.stdout('\n' + diffText(io, plan, dir));
        if (plan.install !== null)
          io.stdout(`\nthen: ${plan.install.join(' ')}${flag(args, 'no-install') ? '  (skipped: --no-install)' : ''}\n`);
      }
      for (const k of plan.kept) io.stdout(`kept: ${k}\n`);
      if (!nothing && !write && io.confirm !== undefined) write = await io.confirm('\nWrite these changes?');
    }
    const result = write && !nothing ? await applyInit(plan, { install: !flag(args, 'no-install') }) : null;
    const failed = result !== null && result.diagnostics.some((d) => d.severity === 'error');
    if (json) {
      io.stdout(
        JSON.stringify(
          {
            ok: !failed,
            dir,
            packageManager: plan.packageManager,
            crate: plan.crate,
            targets: plan.targets,
            policy: plan.policy,
            changes: plan.changes.map((c) => ({ ...c, diff: lineDiff(path.relative(dir, c.file) || c.file, c.before, c.after) })),
            devDependencies: plan.devDependencies,
            install: plan.install,
            kept: plan.kept,
            upToDate: nothing,
            written: result?.written ?? [],
            installed: result?.installed ?? null,
            diagnostics: [...plan.diagnostics, ...(result?.diagnostics ?? [])],
          },
          null,
          2,
        ) + '\n',
      );
      return failed ? ExitCode.Environment : ExitCode.Ok;
    }
    if (nothing) return ExitCode.Ok;
    if (result === null) {
      io.stdout('\nnothing was written: run `napi-ship init --yes` to write these changes\n');
      return ExitCode.Ok;
    }
    for (const f of result.written) io.stdout(`wrote ${shown(io, f)}\n`);
    if (result.installed !== null && result.installed.code === 0) io.stdout(`ran ${result.installed.command.join(' ')}\n`);
    for (const d of result.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    if (failed) return ExitCode.Environment;
    const pm = plan.packageManager.name;
    const next = [...(flag(args, 'no-install') && plan.install !== null ? [`${pm} install`] : []), `${pm} run release:dry-run`];
    io.stdout(`\nNext:\n${next.map((c) => `  ${c}`).join('\n')}\n`);
    return ExitCode.Ok;
  },
};
