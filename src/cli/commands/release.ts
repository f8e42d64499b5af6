import path from 'node:path';
import { releaseDryRun } from '../../release/dry-run.js';
import { renderJson, renderText } from '../../report/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { paint, type Io } from '../output.js';
import { usageError } from './usage.js';

export const releaseCommand: Command = {
  name: 'release',
  summary: 'Rehearse a release: plan every target, inspect and check each binary, write the report.',
  usage: 'napi-ship release --dry-run [--cwd DIR] [--out DIR] [--strict] [--json]',
  options: {
    'dry-run': { type: 'boolean' },
    cwd: { type: 'string' },
    out: { type: 'string' },
    strict: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  optionHelp: [
    '--dry-run           rehearse without publishing anything (required for now)',
    '--cwd DIR           the napi-rs root package directory (default: .)',
    '--out DIR           where report.md and plan.json go (default: <cwd>/dist/release)',
    '--strict            exit 1 when any target is missing, not only when one fails (CI mode)',
    '--json              print the plan, rows and summary as JSON',
  ],
  async run(args, io: Io) {
    if (!flag(args, 'dry-run')) {
      return usageError(io, 'only `release --dry-run` exists so far; real publishing is `napi-ship publish` (not yet available)', releaseCommand);
    }
    if (args.positionals.length > 0) return usageError(io, `unexpected argument "${args.positionals[0] ?? ''}"`, releaseCommand);
    const cwd = path.resolve(io.cwd, stringOption(args, 'cwd') ?? '.');
    const out = stringOption(args, 'out');
    const json = flag(args, 'json');
    const stepSummary = io.env.GITHUB_STEP_SUMMARY;
    const result = await releaseDryRun({
      cwd,
      ...(out === undefined ? {} : { outDir: path.resolve(io.cwd, out) }),
      ...(stepSummary ? { stepSummary } : {}),
      onStep: (s) => { io.stderr(paint(io, 'dim', `› ${s}…`) + '\n'); },
    });
    if (json) {
      io.stdout(renderJson(result.plan));
    } else {
      io.stdout(renderText(result.plan));
      io.stdout(`\nreport: ${result.files.markdown}\nplan:   ${result.files.json}\n`);
    }
    const { summary } = result;
    if (summary.errors > 0) return ExitCode.Failed;
    if (flag(args, 'strict') && !summary.publishable) return ExitCode.Failed;
    return ExitCode.Ok;
  },
};
