import { escapeControl } from '../../diagnostics/index.js';
import { inspectFiles, type BinaryFacts, type Inspected } from '../../core/index.js';
import { INSPECT_FAILURE } from '../../core/codes.js';
import { flag, stringOption, type Command } from '../command.js';
import { jsonOption } from '../options.js';
import { ExitCode } from '../exit-codes.js';
import { paint, textTable, type Io } from '../output.js';
import { usageError } from './usage.js';

/** The `--json` shape: every key present on every entry, `null` where it does not apply. */
export type InspectJson =
  | (BinaryFacts & { readonly path: string; readonly error: null })
  | {
      readonly path: string;
      readonly format: null;
      readonly os: null;
      readonly cpu: null;
      readonly libc: null;
      readonly glibc: null;
      readonly napiExport: null;
      readonly error: { readonly code: string; readonly message: string };
    };

export function inspectJson(r: Inspected): InspectJson {
  if (r.ok) return { path: r.path, ...r.facts, error: null };
  return { path: r.path, format: null, os: null, cpu: null, libc: null, glibc: null, napiExport: null, error: r.error };
}

function describeLibc(f: BinaryFacts): string {
  if (f.libc === 'glibc') return f.glibc ? `glibc ${f.glibc}` : 'glibc';
  if (f.libc) return f.libc;
  if (f.crt) return `crt:${f.crt}`;
  if (f.macosMin) return `macOS ${f.macosMin}`;
  return '-';
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Read what native binaries really are: format, OS, CPU, libc, glibc ceiling, macOS minimum, CRT, napi export.',
  positionals: '<file…>',
  options: [
    jsonOption('an array, one object per file'),
    { name: 'size-limit', type: 'string', value: 'BYTES', description: 'refuse files larger than this', defaultText: '1 GiB' },
  ],
  examples: [
    { description: 'what each built binary really is', command: 'napi-ship inspect *.node' },
    { description: 'as JSON, for a script', command: 'napi-ship inspect --json npm/linux-x64-gnu/addon.linux-x64-gnu.node' },
  ],
  async run(args, io: Io) {
    if (args.positionals.length === 0) return usageError(io, 'inspect needs at least one file', inspectCommand);
    const limitText = stringOption(args, 'size-limit');
    const sizeLimit = limitText === undefined ? undefined : Number(limitText);
    if (sizeLimit !== undefined && (!Number.isSafeInteger(sizeLimit) || sizeLimit <= 0)) {
      return usageError(io, `--size-limit must be a positive whole number of bytes, got "${limitText ?? ''}"`, inspectCommand);
    }
    const results = await inspectFiles(args.positionals, sizeLimit === undefined ? {} : { sizeLimit });
    const failed = results.some((r) => !r.ok);
    if (flag(args, 'json')) {
      io.stdout(JSON.stringify(results.map(inspectJson), null, 2) + '\n');
      return failed ? ExitCode.Failed : ExitCode.Ok;
    }
    const rows = results.flatMap((r) =>
      r.ok
        ? [
            [
              r.path,
              r.facts.format,
              r.facts.os ?? '?',
              r.facts.cpu ?? '?',
              `${r.facts.bits}-bit`,
              describeLibc(r.facts),
              r.facts.napiExport ? 'yes' : 'NO',
              r.facts.stripped ? 'yes' : 'no',
            ],
          ]
        : [],
    );
    if (rows.length > 0) {
      io.stdout(textTable(['file', 'format', 'os', 'cpu', 'bits', 'libc/crt/min', 'napi export', 'stripped'], rows));
    }
    for (const r of results) {
      if (!r.ok)
        io.stderr(
          `${paint(io, 'red', 'error')}[${INSPECT_FAILURE[r.error.code]}] ${escapeControl(r.path)}: ${escapeControl(r.error.message)}\n`,
        );
    }
    return failed ? ExitCode.Failed : ExitCode.Ok;
  },
};
