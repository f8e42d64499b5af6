import path from 'node:path';
import { formatDiagnostic } from '../../diagnostics/index.js';
import { stagePackages, targetRows } from '../../stage/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption } from '../options.js';
import { planFromArgs } from '../plan-args.js';
import { exitCodeOf } from '../exit-codes.js';
import { textTable, type Io } from '../output.js';
import { rejectPositionals } from './usage.js';

/** npm reads its config from `npm_config_*` environment variables in any case. */
function npmConfig(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const wanted = `npm_config_${key}`;
  const name = Object.keys(env).find((k) => k.toLowerCase() === wanted);
  return name === undefined ? undefined : env[name];
}

export const stageCommand: Command = {
  name: 'stage',
  summary: "Put each target's binary into its platform package (napi-rs's package.json) and pin them all in the root.",
  options: [
    CWD_OPTION,
    CONFIG_PATH_OPTION,
    {
      name: 'artifacts',
      type: 'string',
      value: 'DIR',
      description: 'binaries downloaded by actions/download-artifact',
      defaultText: 'napi-rs build output in the root',
    },
    jsonOption('{ packages, rootOptionalDependencies, diagnostics }'),
  ],
  examples: [
    { description: 'stage from what `napi build` left in the package dir', command: 'napi-ship stage' },
    { description: 'in CI, from the downloaded build artifacts', command: 'napi-ship stage --artifacts artifacts' },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, stageCommand);
    if (refused !== null) return refused;
    const plan = await planFromArgs(args, io);
    const artifacts = stringOption(args, 'artifacts');
    const githubRepository = io.env.GITHUB_ACTIONS === 'true' ? io.env.GITHUB_REPOSITORY : undefined;
    const outcome = await stagePackages(plan, {
      artifactsDir: artifacts === undefined ? undefined : path.resolve(io.cwd, artifacts),
      provenance: npmConfig(io.env, 'provenance') === 'true',
      expectedRepository: githubRepository === '' ? undefined : githubRepository,
    });
    const errors = outcome.diagnostics.filter((d) => d.severity === 'error').length;
    if (flag(args, 'json')) {
      const { packages, rootOptionalDependencies } = outcome.result;
      io.stdout(JSON.stringify({ packages, rootOptionalDependencies, diagnostics: outcome.diagnostics }, null, 2) + '\n');
      return exitCodeOf(outcome.diagnostics);
    }
    const rows = targetRows(plan.targets, outcome);
    io.stdout(
      textTable(
        ['target', 'package', 'source', 'status'],
        rows.map((r) => [
          r.platformArchABI,
          r.packageName,
          r.source === null ? '-' : path.relative(io.cwd, r.source) || r.source,
          r.status,
        ]),
      ),
    );
    for (const d of outcome.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    const staged = rows.filter((r) => r.status === 'staged').length;
    io.stdout(
      `staged ${staged} of ${rows.length} platform package(s); root pins ${Object.keys(outcome.result.rootOptionalDependencies).length} optional dependenc${Object.keys(outcome.result.rootOptionalDependencies).length === 1 ? 'y' : 'ies'}\n`,
    );
    io.stdout(errors > 0 ? `stage failed: ${errors} error(s)\n` : 'stage done\n');
    return exitCodeOf(outcome.diagnostics);
  },
};
