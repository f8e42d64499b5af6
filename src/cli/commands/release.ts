import path from 'node:path';
import { LOG_OPTION_HELP, LOG_OPTIONS, loggerFromArgs } from '../log-options.js';
import { releaseDryRun } from '../../release/dry-run.js';
import { renderJson, renderText } from '../../report/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../output.js';
import { rejectPositionals, usageError } from './usage.js';

export const releaseCommand: Command = {
  name: 'release',
  summary:
    'Rehearse a release on a throwaway copy: stage, verify, pack, sign and check, publish to an embedded registry, install and load, then report.',
  usage:
    'napi-ship release --dry-run [--cwd DIR] [--out DIR] [--artifacts DIR] [--glibc-max X.Y] [--macos-min X.Y] [--no-build] [--no-rehearsal] [--offline] [--strict] [--json] [--log-format text|json] [--verbose]',
  options: {
    'dry-run': { type: 'boolean' },
    cwd: { type: 'string' },
    out: { type: 'string' },
    artifacts: { type: 'string' },
    'glibc-max': { type: 'string' },
    'macos-min': { type: 'string' },
    strict: { type: 'boolean' },
    json: { type: 'boolean' },
    'no-build': { type: 'boolean' },
    'no-rehearsal': { type: 'boolean' },
    offline: { type: 'boolean' },
    ...LOG_OPTIONS,
  },
  optionHelp: [
    '--dry-run           rehearse without publishing anything (required for now)',
    '--cwd DIR           the napi-rs root package directory (default: .)',
    '--out DIR           the release dir: packages/ (tarballs, manifest, signature), staging/, report.md, plan.json (default: <cwd>/dist/release)',
    '--artifacts DIR     take binaries from a CI download dir instead of the napi-rs build output',
    '--glibc-max X.Y     verify policy, as for `napi-ship verify`',
    '--macos-min X.Y     verify policy, as for `napi-ship verify`',
    '--strict            exit 1 when any target is missing, not only when one fails (CI mode)',
    '--json              print the plan, rows and summary as JSON',
    '--no-build          do not build first (default: build what this machine can with @napi-rs/cli; never with --artifacts)',
    '--no-rehearsal      skip the rehearsal (embedded-registry publish, npm/pnpm/bun/deno installs, Node/Deno/Bun loads, real-registry plan)',
    "--offline           skip the rehearsal's read-only plan against the real registry",
    ...LOG_OPTION_HELP,
  ],
  async run(args, io: Io) {
    if (!flag(args, 'dry-run')) {
      return usageError(
        io,
        '`release` only rehearses (`release --dry-run`); publishing is `napi-ship publish --from <release dir>`',
        releaseCommand,
      );
    }
    const refused = rejectPositionals(io, args.positionals, releaseCommand);
    if (refused !== null) return refused;
    const logger = loggerFromArgs(args, io, 'release');
    if ('usage' in logger) return usageError(io, logger.usage, releaseCommand);
    const cwd = path.resolve(io.cwd, stringOption(args, 'cwd') ?? '.');
    const out = stringOption(args, 'out');
    const artifacts = stringOption(args, 'artifacts');
    const json = flag(args, 'json');
    const stepSummary = io.env.GITHUB_STEP_SUMMARY;
    const result = await releaseDryRun({
      cwd,
      ...(out === undefined ? {} : { outDir: path.resolve(io.cwd, out) }),
      ...(stepSummary ? { stepSummary } : {}),
      ...(artifacts === undefined ? {} : { artifactsDir: path.resolve(io.cwd, artifacts) }),
      policy: { glibcMax: stringOption(args, 'glibc-max'), macosMin: stringOption(args, 'macos-min') },
      logger,
      ...(flag(args, 'no-build') ? { build: false } : {}),
      ...(flag(args, 'no-rehearsal') ? { rehearsal: false } : {}),
      ...(flag(args, 'offline') ? { offline: true } : {}),
      ...(io.rehearsalLoader === undefined ? {} : { rehearsalLoader: io.rehearsalLoader }),
    });
    if (json) {
      io.stdout(renderJson(result.run));
    } else {
      io.stdout(renderText(result.run));
      io.stdout(`\nreport: ${result.files.markdown}\nplan:   ${result.files.json}\nrelease dir: ${result.files.releaseDir}\n`);
    }
    const { summary } = result;
    if (summary.errors > 0) return ExitCode.Failed;
    if (flag(args, 'strict') && !summary.publishable) return ExitCode.Failed;
    return ExitCode.Ok;
  },
};
