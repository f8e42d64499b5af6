import path from 'node:path';
import { loggerFromArgs } from '../log-options.js';
import { releaseDryRun } from '../../release/dry-run.js';
import { renderJson, renderText } from '../../report/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import type { Io } from '../output.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption, LOG_OPTIONS } from '../options.js';
import { rejectPositionals, usageError } from './usage.js';

export const releaseCommand: Command = {
  name: 'release',
  summary:
    'Rehearse a release on a throwaway copy: stage, verify, pack, sign and check, publish to an embedded registry, install and load, then report.',
  options: [
    { name: 'dry-run', type: 'boolean', required: true, description: 'rehearse without publishing anything (required for now)' },
    CWD_OPTION,
    CONFIG_PATH_OPTION,
    {
      name: 'out',
      type: 'string',
      value: 'DIR',
      description: 'where the rehearsal writes: packages/ (tarballs, manifest, signature), staging/, report.md, plan.json',
      defaultText: '<cwd>/dist/release',
    },
    {
      name: 'artifacts',
      type: 'string',
      value: 'DIR',
      description: 'take binaries from a CI download dir instead of the napi-rs build output',
    },
    { name: 'glibc-max', type: 'string', value: 'X.Y', description: 'verify policy, as for `napi-ship verify`' },
    { name: 'macos-min', type: 'string', value: 'X.Y', description: 'verify policy, as for `napi-ship verify`' },
    { name: 'strict', type: 'boolean', description: 'exit 1 when any target is missing, not only when one fails (CI mode)' },
    jsonOption('the plan, rows and summary'),
    {
      name: 'no-build',
      type: 'boolean',
      description: 'do not build first (default: build what this machine can with @napi-rs/cli; never with --artifacts)',
    },
    {
      name: 'no-rehearsal',
      type: 'boolean',
      description: 'skip the rehearsal (embedded-registry publish, npm/pnpm/bun/deno installs, Node/Deno/Bun loads, real-registry plan)',
    },
    { name: 'offline', type: 'boolean', description: "skip the rehearsal's read-only plan against the real registry" },
    {
      name: 'no-load',
      type: 'boolean',
      description: 'do not load the staged binaries (the "loaded" column), e.g. for synthetic test binaries that are not real addons',
    },
    ...LOG_OPTIONS,
  ],
  examples: [
    { description: 'rehearse the release of the package in this directory', command: 'napi-ship release --dry-run' },
    {
      description: 'in CI, from the binaries the build jobs uploaded; fail when a target is missing',
      command: 'napi-ship release --dry-run --artifacts artifacts --no-build --strict',
    },
  ],
  async run(args, io: Io) {
    if (!flag(args, 'dry-run')) {
      return usageError(
        io,
        '`release` only rehearses (`release --dry-run`); publishing is `napi-ship publish --release-dir <release dir>`',
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
    const configPath = stringOption(args, 'config-path');
    const result = await releaseDryRun({
      cwd,
      ...(configPath === undefined ? {} : { configPath }),
      ...(out === undefined ? {} : { outDir: path.resolve(io.cwd, out) }),
      ...(stepSummary ? { stepSummary } : {}),
      ...(artifacts === undefined ? {} : { artifactsDir: path.resolve(io.cwd, artifacts) }),
      policy: { glibcMax: stringOption(args, 'glibc-max'), macosMin: stringOption(args, 'macos-min') },
      logger,
      ...(flag(args, 'no-build') ? { build: false } : {}),
      ...(flag(args, 'no-rehearsal') ? { rehearsal: false } : {}),
      ...(flag(args, 'no-load') ? { load: false } : {}),
      ...(flag(args, 'offline') ? { offline: true } : {}),
      ...(io.rehearsalLoader === undefined ? {} : { rehearsalLoader: io.rehearsalLoader }),
    });
    if (json) {
      io.stdout(renderJson(result.run));
    } else {
      io.stdout(renderText(result.run, io.columns === undefined ? {} : { columns: io.columns }));
      io.stdout(`\nreport: ${result.files.markdown}\nplan:   ${result.files.json}\nrelease dir: ${result.files.releaseDir}\n`);
    }
    const { summary } = result;
    if (summary.errors > 0) return ExitCode.Failed;
    if (flag(args, 'strict') && !summary.publishable) return ExitCode.Failed;
    return ExitCode.Ok;
  },
};
