import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Io } from './output.js';
import type { ExitCode } from './exit-codes.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** One CLI command: its help text, its options, and a run function over parsed arguments. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Options;
  /** Lines describing each option, shown by --help. */
  readonly optionHelp: readonly string[];
  readonly run: (args: ParsedArgs, io: Io) => Promise<ExitCode>;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

export function parse(command: Command, argv: readonly string[]): ParsedArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  return { values, positionals };
}

export function helpText(command: Command): string {
  const lines = [
    command.summary,
    '',
    `Usage: ${command.usage}`,
    '',
    'Options:',
    ...command.optionHelp.map((l) => `  ${l}`),
    '  -h, --help          show this help',
    '',
    'Exit codes: 0 ok, 1 a check or a file failed, 2 usage error, 3 environment error (see docs/cli.md).',
  ];
  return lines.join('\n') + '\n';
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}
