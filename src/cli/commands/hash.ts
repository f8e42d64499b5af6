import { escapeControl } from '../../diagnostics/index.js';
import { hashFiles, type Hashed } from '../../core/index.js';
import { HASH_FAILURE } from '../../core/codes.js';
import { flag, type Command } from '../command.js';
import { jsonOption } from '../options.js';
import { ExitCode } from '../exit-codes.js';
import { paint, textTable, type Io } from '../output.js';
import { usageError } from './usage.js';

export interface HashJson {
  readonly path: string;
  readonly size: number | null;
  readonly sha1: string | null;
  readonly sha256: string | null;
  readonly sha512: string | null;
  readonly integrity: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export function hashJson(r: Hashed): HashJson {
  if (r.ok) {
    return { path: r.path, size: r.size, sha1: r.sha1, sha256: r.sha256, sha512: r.sha512, integrity: r.integrity, error: null };
  }
  return { path: r.path, size: null, sha1: null, sha256: null, sha512: null, integrity: null, error: r.error };
}

export const hashCommand: Command = {
  name: 'hash',
  summary: 'sha1, sha256 and sha512 (and npm integrity) of files, in one read pass each, files in parallel.',
  positionals: '<file…>',
  options: [jsonOption('an array, one object per file')],
  examples: [{ description: 'digests of every binary in the directory', command: 'napi-ship hash *.node' }],
  async run(args, io: Io) {
    if (args.positionals.length === 0) return usageError(io, 'hash needs at least one file', hashCommand);
    const results = await hashFiles(args.positionals);
    const failed = results.some((r) => !r.ok);
    if (flag(args, 'json')) {
      io.stdout(JSON.stringify(results.map(hashJson), null, 2) + '\n');
      return failed ? ExitCode.Failed : ExitCode.Ok;
    }
    const rows = results.flatMap((r) => (r.ok ? [[r.path, String(r.size), r.sha256, r.integrity]] : []));
    if (rows.length > 0) io.stdout(textTable(['file', 'bytes', 'sha256', 'integrity (sha512)'], rows));
    for (const r of results) {
      if (!r.ok)
        io.stderr(
          `${paint(io, 'red', 'error')}[${HASH_FAILURE[r.error.code]}] ${escapeControl(r.path)}: ${escapeControl(r.error.message)}\n`,
        );
    }
    return failed ? ExitCode.Failed : ExitCode.Ok;
  },
};
