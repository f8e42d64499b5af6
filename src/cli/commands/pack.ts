import path from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { packProject } from '../../pack/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption, releaseDirOption } from '../options.js';
import { planFromArgs } from '../plan-args.js';
import { ExitCode, exitCodeOf } from '../exit-codes.js';
import { textTable, type Io } from '../output.js';
import { rejectPositionals } from './usage.js';

function report(io: Io, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.stderr(formatDiagnostic(d) + '\n');
}

function failed(io: Io, json: boolean, diagnostics: readonly Diagnostic[]): ExitCode {
  if (json) {
    io.stdout(JSON.stringify({ ok: false, diagnostics }, null, 2) + '\n');
  } else {
    report(io, diagnostics);
    io.stdout(`pack failed: ${diagnostics.filter((d) => d.severity === 'error').length} error(s); nothing was written\n`);
  }
  return exitCodeOf(diagnostics);
}

export const packCommand: Command = {
  name: 'pack',
  summary: 'Pack the root and every platform package into byte-reproducible npm tarballs, with SHA256SUMS and the release manifest.',
  options: [
    CWD_OPTION,
    CONFIG_PATH_OPTION,
    releaseDirOption(
      'where to write the tarballs, SHA256SUMS and release-manifest.json (where release --dry-run, sbom and publish look)',
      ['out'],
      '<cwd>/dist/release/packages',
    ),
    jsonOption('{ ok, outDir, manifestPath, sumsPath, manifest, diagnostics }'),
  ],
  examples: [
    { description: 'pack the staged packages into dist/release/packages', command: 'napi-ship pack' },
    { description: 'pack into another dir', command: 'napi-ship pack --release-dir /tmp/release' },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, packCommand);
    if (refused !== null) return refused;
    const json = flag(args, 'json');
    const plan = await planFromArgs(args, io);
    const out = stringOption(args, 'release-dir');
    const packed = await packProject(plan, { ...(out === undefined ? {} : { outDir: path.resolve(io.cwd, out) }), env: io.env });
    const outDir = packed.outDir;
    const result = packed.result;
    if (!packed.ok || result === null) return failed(io, json, packed.diagnostics);
    if (json) {
      io.stdout(
        JSON.stringify(
          {
            ok: true,
            outDir,
            manifestPath: result.manifestPath,
            sumsPath: result.sumsPath,
            manifest: result.manifest,
            diagnostics: packed.diagnostics,
          },
          null,
          2,
        ) + '\n',
      );
      return ExitCode.Ok;
    }
    io.stdout(
      textTable(
        ['file', 'bytes', 'integrity (sha512)'],
        result.packages.map((p) => [p.tarball, String(p.size), p.integrity]),
      ),
    );
    report(io, packed.diagnostics);
    io.stdout(`manifest: ${result.manifestPath}\n`);
    return ExitCode.Ok;
  },
};
