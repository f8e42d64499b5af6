import { formatDiagnostic } from '../../diagnostics/index.js';
import { VERIFY_CHECKS, verifyRelease, type CheckMark } from '../../verify/index.js';
import { resolvePolicy } from '../../verify/policy.js';
import { flag, stringOption, type Command } from '../command.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption } from '../options.js';
import { planFromArgs } from '../plan-args.js';
import { exitCodeOf } from '../exit-codes.js';
import { textTable, type Io } from '../output.js';
import { rejectPositionals, usageError } from './usage.js';

const markText: Record<CheckMark, string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

function bytes(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'The gate: check every staged platform package, its binary and the root pins against the targets.',
  options: [
    CWD_OPTION,
    CONFIG_PATH_OPTION,
    {
      name: 'glibc-max',
      type: 'string',
      value: 'X.Y',
      description: 'highest GLIBC_x.y a linux-gnu binary may need',
      defaultText: 'from engines.node; 2.28 for Node >= 18',
    },
    {
      name: 'macos-min',
      type: 'string',
      value: 'X.Y',
      description: 'highest macOS minimum a darwin binary may declare',
      defaultText: 'from engines.node',
    },
    { name: 'max-size', type: 'string', value: 'BYTES', description: 'a binary larger than this is an error', defaultText: '200 MiB' },
    { name: 'warn-size', type: 'string', value: 'BYTES', description: 'a binary larger than this is a warning', defaultText: '50 MiB' },
    jsonOption('{ policy, targets, diagnostics }'),
  ],
  examples: [
    { description: 'check the staged platform packages', command: 'napi-ship verify' },
    { description: 'with an older glibc floor', command: 'napi-ship verify --glibc-max 2.17' },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, verifyCommand);
    if (refused !== null) return refused;
    const sizeError = bytes(stringOption(args, 'max-size'));
    const sizeWarn = bytes(stringOption(args, 'warn-size'));
    if (sizeError === null || sizeWarn === null) return usageError(io, 'sizes must be positive whole numbers of bytes', verifyCommand);
    const plan = await planFromArgs(args, io);
    const policy = resolvePolicy(plan.root.manifest, plan.root.config.verify, {
      glibcMax: stringOption(args, 'glibc-max'),
      macosMin: stringOption(args, 'macos-min'),
      sizeError,
      sizeWarn,
    });
    const outcome = await verifyRelease(plan, policy);
    const failed = outcome.diagnostics.some((d) => d.severity === 'error');
    if (flag(args, 'json')) {
      io.stdout(
        JSON.stringify(
          { ok: !failed, policy: outcome.result.policy, targets: outcome.result.targets, diagnostics: outcome.diagnostics },
          null,
          2,
        ) + '\n',
      );
      return exitCodeOf(outcome.diagnostics);
    }
    io.stdout(
      textTable(
        ['target', ...VERIFY_CHECKS],
        outcome.result.targets.map((t) => [t.platformArchABI, ...VERIFY_CHECKS.map((c) => markText[t.checks[c]])]),
      ),
    );
    const own = Object.entries(policy.glibcMaxByTarget).map(([triple, v]) => `; ${triple} glibc ≤ ${v}`);
    io.stdout(`policy: glibc ≤ ${policy.glibcMax}${own.join('')}, macOS ≤ ${policy.macosMin} (${policy.basis})\n`);
    for (const d of outcome.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    const errors = outcome.diagnostics.filter((d) => d.severity === 'error').length;
    io.stdout(failed ? `verify failed: ${errors} error(s)\n` : 'verify passed\n');
    return exitCodeOf(outcome.diagnostics);
  },
};
