import { buildCounts, buildTargets, selectTargets } from '../../build/index.js';
import { loggerFromArgs } from '../log-options.js';
import { startRun, withStage } from '../../run/index.js';
import { renderBuildText } from '../../report/build.js';
import { flag, type Command } from '../command.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption, LOG_OPTIONS } from '../options.js';
import { planFromArgs } from '../plan-args.js';
import { classOf } from '../../diagnostics/index.js';
import { ExitCode, exitCodeForClass, exitCodeOf } from '../exit-codes.js';
import type { Io } from '../output.js';
import { rejectPositionals, usageError } from './usage.js';

function targetList(value: string | boolean | (string | boolean)[] | undefined): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.flatMap((v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : [],
  );
}

export const buildCommand: Command = {
  name: 'build',
  summary:
    'Build the addon for each target through @napi-rs/cli, with the toolchain napi-rs recommends; skip what cannot build here, saying why.',
  options: [
    CWD_OPTION,
    CONFIG_PATH_OPTION,
    {
      name: 'target',
      short: 't',
      type: 'string',
      value: 'T',
      multiple: true,
      description: 'a target to build (triple, or platform-arch-abi like linux-x64-gnu); repeat or comma-separate',
      defaultText: 'every napi.targets entry',
    },
    {
      name: 'release',
      type: 'boolean',
      description: "release profile, over the build script's --profile",
      defaultText: "the build script's --profile, else release",
    },
    { name: 'debug', type: 'boolean', description: 'debug profile' },
    jsonOption('the build outcome (per target: status, toolchain, reason, output, rustc, durationMs)'),
    ...LOG_OPTIONS,
  ],
  examples: [
    { description: 'build every configured target this machine can build', command: 'napi-ship build' },
    {
      description: 'build two targets, by triple and by platform-arch-abi',
      command: 'napi-ship build -t x86_64-unknown-linux-gnu -t linux-arm64-musl',
    },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, buildCommand);
    if (refused !== null) return refused;
    if (flag(args, 'release') && flag(args, 'debug')) return usageError(io, '--release and --debug exclude each other', buildCommand);
    const logger = loggerFromArgs(args, io, 'build');
    if ('usage' in logger) return usageError(io, logger.usage, buildCommand);
    const plan = await planFromArgs(args, io);
    const requested = targetList(args.values.target);
    const selection = selectTargets(plan, requested);
    if (selection.unknown.length > 0) {
      return usageError(
        io,
        `unknown target ${selection.unknown.map((t) => `"${t}"`).join(', ')}: not a napi-rs target triple (see \`napi-ship targets --all\`)`,
        buildCommand,
      );
    }
    if (selection.notConfigured.length > 0) {
      return usageError(
        io,
        `${selection.notConfigured.join(', ')} not in napi.targets of ${plan.root.packageJsonPath} (configured: ${plan.targets.map((t) => t.spec.triple).join(', ')})`,
        buildCommand,
      );
    }
    const outcome = await buildTargets(plan, {
      targets: selection.targets.map((t) => t.spec.triple),
      release: flag(args, 'debug') ? false : flag(args, 'release') ? true : undefined,
      logger,
    });
    if (flag(args, 'json')) {
      io.stdout(JSON.stringify({ ...outcome.result, diagnostics: outcome.diagnostics }, null, 2) + '\n');
    } else {
      io.stdout(renderBuildText(withStage(startRun(plan), 'build', outcome)));
    }
    const counts = buildCounts(outcome);
    if (counts.failed > 0) return ExitCode.Failed;
    // A project whose build napi-ship cannot resolve (several candidate crates, a named crate missing): its class says which status.
    const projectErrors = outcome.diagnostics.filter((d) => d.severity === 'error' && classOf(d.code) !== 'environment');
    if (projectErrors.length > 0) return exitCodeOf(projectErrors);
    // Nothing could be built because the machine lacks Rust, @napi-rs/cli or a crate: the diagnostics' class says so.
    if (counts.built === 0 && outcome.diagnostics.some((d) => classOf(d.code) === 'environment')) return exitCodeForClass('environment');
    // Targets asked for by name must be built; with the default (all targets) a skip is expected.
    if (requested.length > 0 && counts.skipped > 0) return ExitCode.Failed;
    return ExitCode.Ok;
  },
};
