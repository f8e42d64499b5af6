import path from 'node:path';
import { MANIFEST_FILE, type ReleaseManifest } from '../../manifest/index.js';
import { loadPlan } from '../../plan/index.js';
import { parseManifestText, releaseStatus } from '../../publish/index.js';
import { DiagnosticError } from '../../diagnostics/index.js';
import { flag, stringOption, type Command, type ParsedArgs } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { paint, textTable, type Io } from '../output.js';
import { registryClientFromArgs, REGISTRY_OPTION_HELP, REGISTRY_OPTIONS } from './publish.js';
import { usageError } from './usage.js';
import { LIMITS, readRegularFile } from '../../util/fs.js';

/** The root package's name: `--name`, else the release manifest's (`--from`), else `--cwd`'s package.json. */
export async function rootNameFromArgs(args: ParsedArgs, io: Io, manifest: ReleaseManifest | null): Promise<string> {
  const name = stringOption(args, 'name');
  if (name !== undefined) return name;
  if (manifest !== null) return manifest.name;
  const plan = await loadPlan(path.resolve(io.cwd, stringOption(args, 'cwd') ?? '.'));
  return plan.root.name;
}

async function manifestFromArgs(args: ParsedArgs, io: Io): Promise<ReleaseManifest | null> {
  const from = stringOption(args, 'from');
  if (from === undefined) return null;
  const file = path.join(path.resolve(io.cwd, from), MANIFEST_FILE);
  const bytes = await readRegularFile(file, { maxBytes: LIMITS.manifest, what: MANIFEST_FILE });
  const parsed = parseManifestText(bytes.toString('utf8'), file);
  if (parsed.manifest === null) throw new DiagnosticError(parsed.diagnostics);
  return parsed.manifest;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show where a release stands on the registry: each package published? integrity? dist-tags?',
  usage:
    'napi-ship status <version> [--cwd DIR | --name PKG] [--from DIR] [--registry URL] [--ca-file FILE] [--allow-insecure-registry] [--json]',
  options: {
    cwd: { type: 'string' },
    name: { type: 'string' },
    from: { type: 'string' },
    ...REGISTRY_OPTIONS,
    json: { type: 'boolean' },
  },
  optionHelp: [
    '--cwd DIR           the napi-rs root package directory, for its name (default: .)',
    "--name PKG          the root package's name (instead of reading --cwd)",
    "--from DIR          a release dir: compare each package's integrity with its release-manifest.json",
    ...REGISTRY_OPTION_HELP,
    '--json              print the status report as JSON',
  ],
  async run(args, io: Io) {
    const [version, extra] = args.positionals;
    if (version === undefined) return usageError(io, 'status needs the version, e.g. `napi-ship status 1.2.3`', statusCommand);
    if (extra !== undefined) return usageError(io, `unexpected argument "${extra}"`, statusCommand);
    const manifest = await manifestFromArgs(args, io);
    const name = await rootNameFromArgs(args, io, manifest);
    const { client } = await registryClientFromArgs(args, io, name);
    const report = await releaseStatus({ name, version, client, ...(manifest === null ? {} : { manifest }) });
    if (flag(args, 'json')) {
      io.stdout(JSON.stringify(report, null, 2) + '\n');
    } else {
      const rows = report.packages.map((p) => [
        p.name,
        p.version,
        p.published ? 'yes' : 'NO',
        p.integrity ?? '-',
        p.integrityMatch === null ? '-' : p.integrityMatch ? 'yes' : 'NO',
        p.tags.join(', ') || '-',
        p.deprecated === null ? '-' : 'yes',
      ]);
      io.stdout(textTable(['package', 'version', 'published', 'integrity', 'matches release', 'tags', 'deprecated'], rows));
      const head = `${name}@${version} on ${report.registry}`;
      if (report.complete) io.stdout(`\n${paint(io, 'green', 'complete')}: ${head}\n`);
      else if (!report.rootPublished) io.stdout(`\n${paint(io, 'red', 'not published')}: ${head} (the root is not there)\n`);
      else
        io.stdout(
          `\n${paint(io, 'red', 'incomplete')}: ${head}${report.stagingTagLeft.length > 0 ? ` (staging tag still on ${report.stagingTagLeft.join(', ')})` : ''}\n`,
        );
    }
    return report.complete ? ExitCode.Ok : ExitCode.Failed;
  },
};
