/**
 * One declaration per CLI option (name, type, default, description, short, value name, old
 * names): the parser, `--help` and the usage line are all derived from it, as @napi-rs/cli does.
 */
import { parseArgs } from 'node:util';
import { didYouMean } from '../util/text.js';
import type { Io } from './output.js';
import type { ExitCode } from './exit-codes.js';

export interface OptionSpec {
  /** The canonical long name, without `--`. */
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** What the option does; the default is appended from `default`/`defaultText`. */
  readonly description: string;
  /** One-letter form, without `-`. */
  readonly short?: string;
  /** The value's name in help and usage (`DIR`, `FILE`, `URL`); string options only. */
  readonly value?: string;
  /** A literal default: handed to the parser and shown in help. */
  readonly default?: string | boolean;
  /** A default that is computed (e.g. `<cwd>/dist/release`): only shown in help. */
  readonly defaultText?: string;
  /** May be given more than once (values collected in order). */
  readonly multiple?: boolean;
  /** Older names that keep working; their values land under `name`. */
  readonly aliases?: readonly string[];
  /** Shown in the usage line (the command checks it and says what is missing). */
  readonly required?: boolean;
}

export interface Example {
  readonly command: string;
  readonly description: string;
}

/** One CLI command: its declaration (summary, positionals, options, examples) and a run function over parsed arguments. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The positional part of the usage line, e.g. `<file…>` or `<generate|matrix>`. */
  readonly positionals?: string;
  readonly options: readonly OptionSpec[];
  readonly examples: readonly Example[];
  readonly run: (args: ParsedArgs, io: Io) => Promise<ExitCode>;
}

export type OptionValue = string | boolean | (string | boolean)[] | undefined;

export interface ParsedArgs {
  readonly values: Readonly<Record<string, OptionValue>>;
  readonly positionals: readonly string[];
}

export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', type: 'boolean', description: 'show this help' };

/** A command line that does not fit the declaration: the message says what, `suggestion` what was probably meant. */
export { didYouMean, editDistance } from '../util/text.js';

export class UsageError extends Error {
  constructor(
    message: string,
    readonly suggestion: string | null = null,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

function allOptions(command: Command): readonly OptionSpec[] {
  return [...command.options, HELP_OPTION];
}

/**
 * Parse `argv` against the command's declaration. Throws `UsageError` (with a did-you-mean for an
 * unknown option) for anything that does not fit; never lets node's own parser wording through.
 */
export function parse(command: Command, argv: readonly string[]): ParsedArgs {
  const specs = allOptions(command);
  const byName = new Map<string, OptionSpec>();
  const byShort = new Map<string, OptionSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    for (const a of s.aliases ?? []) byName.set(a, s);
    if (s.short !== undefined) byShort.set(s.short, s);
  }
  // Lenient: node's own errors never reach the user; what does not fit is said below in our words.
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, s] of byName)
    config[name] = s.short === undefined || name !== s.name ? { type: s.type } : { type: s.type, short: s.short };
  const { tokens } = parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: false, tokens: true });
  const values: Record<string, OptionValue> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    const long = token.rawName.startsWith('--');
    const spec = long ? byName.get(token.name) : byShort.get(token.rawName.slice(1));
    if (spec === undefined) {
      const names = specs.flatMap((s) => [s.name, ...(s.aliases ?? [])]);
      const guess = long ? didYouMean(token.name, names) : null;
      throw new UsageError(`unknown option ${token.rawName}`, guess === null ? null : `--${guess}`);
    }
    let value: string | boolean;
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      value = true;
    } else {
      if (token.value === undefined)
        throw new UsageError(`${token.rawName} needs a value${spec.value === undefined ? '' : ` (${spec.value})`}`);
      value = token.value;
    }
    const previous = values[spec.name];
    values[spec.name] = spec.multiple === true ? [...(Array.isArray(previous) ? previous : []), value] : value;
  }
  for (const s of specs) {
    if (values[s.name] === undefined && s.default !== undefined) values[s.name] = s.default;
  }
  return { values, positionals };
}

function optionLabel(s: OptionSpec): string {
  const value = s.type === 'string' ? ` ${s.value ?? 'VALUE'}` : '';
  return `${s.short === undefined ? '' : `-${s.short}, `}--${s.name}${value}`;
}

function optionDescription(s: OptionSpec): string {
  const notes: string[] = [];
  const dflt = s.defaultText ?? (typeof s.default === 'string' ? s.default : undefined);
  if (dflt !== undefined) notes.push(`default: ${dflt}`);
  if (s.multiple === true) notes.push('repeatable');
  if (s.aliases !== undefined && s.aliases.length > 0) notes.push(`also ${s.aliases.map((a) => `--${a}`).join(', ')}`);
  return notes.length === 0 ? s.description : `${s.description} (${notes.join('; ')})`;
}

/** The one-line usage: the command, its positionals, its required options, then `[options]`. */
export function usageLine(command: Command): string {
  const required = command.options.filter((o) => o.required === true).map((o) => optionLabel(o));
  return ['napi-ship', command.name, command.positionals, ...required, '[options]'].filter((p) => p !== undefined && p !== '').join(' ');
}

/** Words of `text` in lines of at most `width` columns (a longer word gets a line of its own). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/** `--help`: summary, usage, options (descriptions wrapped to `columns`), examples, exit codes. */
export function helpText(command: Command, columns = 100): string {
  const specs = allOptions(command);
  const labels = specs.map(optionLabel);
  const width = Math.min(24, Math.max(...labels.map((l) => l.length)));
  const indent = 2 + width + 2;
  const describe = (s: OptionSpec, label: string): string[] => {
    const [first = '', ...more] = wrapText(optionDescription(s), Math.max(30, columns - indent));
    const head = label.length > width ? [`  ${label}`, `${' '.repeat(indent)}${first}`] : [`  ${label.padEnd(width)}  ${first}`];
    return [...head, ...more.map((l) => `${' '.repeat(indent)}${l}`)];
  };
  const lines = [
    ...wrapText(command.summary, columns),
    '',
    `Usage: ${usageLine(command)}`,
    '',
    'Options:',
    ...specs.flatMap((s, i) => describe(s, labels[i] ?? '')),
    '',
    'Examples:',
    ...command.examples.flatMap((e) => [`  # ${e.description}`, `  ${e.command}`]),
    '',
    'Exit codes: 0 ok, 1 a check failed, 2 usage error (an option, argument or a file it names), 3 environment error (see docs/cli.md).',
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
