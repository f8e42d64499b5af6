import path from 'node:path';
import {
  ciMatrix,
  defaultWorkflowFile,
  generateWorkflow,
  buildCrateNotes,
  napiShipDependencyNotes,
  projectBuildCommand,
  readWorkflowFile,
  repositoryLayout,
  workflowDrift,
} from '../../ci/index.js';
import { formatDiagnostic } from '../../diagnostics/index.js';
import { writeAtomic } from '../../util/fs.js';
import { flag, stringOption, type Command, type ParsedArgs } from '../command.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption } from '../options.js';
import { planFromArgs } from '../plan-args.js';
import { ExitCode } from '../exit-codes.js';
import { textTable, type Io } from '../output.js';
import { usageError } from './usage.js';

function shown(io: Io, file: string): string {
  const rel = path.relative(io.cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

async function generate(args: ParsedArgs, io: Io): Promise<ExitCode> {
  const plan = await planFromArgs(args, io);
  const layout = repositoryLayout(plan);
  const out = stringOption(args, 'out');
  const file = out === undefined ? defaultWorkflowFile(layout) : path.resolve(io.cwd, out);
  const text = generateWorkflow(plan, layout.options);
  const onDisk = await readWorkflowFile(file);
  const json = flag(args, 'json');
  // How the workflow gets napi-ship, and what napi-ship could not read of the project's build.
  const notes = [
    ...napiShipDependencyNotes(layout),
    ...layout.options.project.diagnostics.filter((d) => d.severity !== 'note'),
    ...buildCrateNotes(layout, plan.root.dir),
  ];
  if (!json) for (const d of notes) io.stderr(formatDiagnostic(d) + '\n');

  if (flag(args, 'check')) {
    const diagnostics = workflowDrift(text, onDisk, shown(io, file));
    if (json) {
      io.stdout(JSON.stringify({ file, upToDate: diagnostics.length === 0, diagnostics, notes }, null, 2) + '\n');
    } else {
      for (const d of diagnostics) io.stderr(formatDiagnostic(d) + '\n');
      io.stdout(
        diagnostics.length === 0
          ? `${shown(io, file)} is up to date with napi.targets (${plan.targets.length} target(s))\n`
          : `ci check failed: ${shown(io, file)} differs from the generated workflow (${diagnostics.length} difference(s))\n`,
      );
    }
    return diagnostics.length === 0 ? ExitCode.Ok : ExitCode.Failed;
  }

  const changed = onDisk !== text;
  if (changed) await writeAtomic(file, text);
  if (json) {
    io.stdout(JSON.stringify({ file, changed, targets: plan.targets.map((t) => t.spec.triple), notes }, null, 2) + '\n');
  } else {
    io.stdout(`${changed ? 'wrote' : 'unchanged:'} ${shown(io, file)} (build matrix of ${plan.targets.length} target(s))\n`);
  }
  return ExitCode.Ok;
}

async function matrix(args: ParsedArgs, io: Io): Promise<ExitCode> {
  const plan = await planFromArgs(args, io);
  const { options } = repositoryLayout(plan);
  const entries = ciMatrix(
    plan.targets.map((t) => t.spec),
    projectBuildCommand(options.project, options.packageManager),
  );
  if (flag(args, 'json')) {
    io.stdout(JSON.stringify(entries, null, 2) + '\n');
  } else {
    io.stdout(
      textTable(
        ['target', 'runner', 'setup', 'build'],
        entries.map((e) => [e.target, e.host, e.setup.length === 0 ? '-' : e.setup.join('+'), e.build]),
      ),
    );
  }
  return ExitCode.Ok;
}

export const ciCommand: Command = {
  name: 'ci',
  summary: 'Generate the GitHub Actions release workflow from napi.targets (ci generate), or print its build matrix (ci matrix).',
  positionals: '<generate|matrix>',
  options: [
    CWD_OPTION,
    CONFIG_PATH_OPTION,
    {
      name: 'out',
      type: 'string',
      value: 'FILE',
      description: 'generate: the workflow file',
      defaultText: '.github/workflows/release.yml in the git repository root',
    },
    { name: 'check', type: 'boolean', description: 'generate: write nothing; exit 1 when FILE differs from what would be generated' },
    jsonOption('matrix: the entries; generate: { file, changed | upToDate, … }'),
  ],
  examples: [
    { description: 'write (or update) the release workflow from napi.targets', command: 'napi-ship ci generate' },
    { description: 'in CI: fail when the workflow is out of date with napi.targets', command: 'napi-ship ci generate --check' },
    { description: 'show which runner and toolchain builds each target', command: 'napi-ship ci matrix' },
  ],
  async run(args, io: Io) {
    const [sub, extra] = args.positionals;
    if (sub === undefined) return usageError(io, 'missing subcommand: `ci generate` or `ci matrix`', ciCommand);
    if (extra !== undefined) return usageError(io, `unexpected argument "${extra}"`, ciCommand);
    if (sub === 'generate') return generate(args, io);
    if (sub === 'matrix') {
      const misplaced = ['out', 'check'].find((o) => args.values[o] !== undefined);
      if (misplaced !== undefined) return usageError(io, `--${misplaced} applies to \`ci generate\`, not \`ci matrix\``, ciCommand);
      return matrix(args, io);
    }
    return usageError(io, `unknown subcommand "${sub}": expected generate or matrix`, ciCommand);
  },
};
