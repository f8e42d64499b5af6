import path from 'node:path';
import { MANIFEST_FILE, type ReleaseManifest } from '../../manifest/index.js';
import { parseManifestText, releaseStatus } from '../../publish/index.js';
import { DiagnosticError } from '../../diagnostics/index.js';
import { flag, stringOption, type Command, type ParsedArgs } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { paint, textTable, type Io } from '../output.js';
import { registryClientFromArgs } from './publish.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption, REGISTRY_OPTIONS, releaseDirOption } from '../options.js';
import { planFromArgs } from '../plan-args.js';
import { usageError } from './usage.js';
import { LIMITS, readRegularFile } from '../../util/fs.js';

/** The root package's name: `--name`, else the release manifest's (`--release-dir`), else `--cwd`'s package.json. */
export async function rootNameFromArgs(args: ParsedArgs, io: Io, manifest: ReleaseManifest | null): Promise<string> {
  return (await releaseFromArgs(args, io, manifest)).name;
}

/**
 * The release a command acts on: the root's name and its platform package names — the signed
 * manifest's (`--release-dir`), else the configured targets' (`--cwd`'s napi config); with only
 * `--name`, no list (the root's pins named `<root>-<abi>` are the release). Never the root's other
 * optionalDependencies.
 */
export async function releaseFromArgs(
  args: ParsedArgs,
  io: Io,
  manifest: ReleaseManifest | null,
): Promise<{ name: string; packages: readonly string[] | undefined }> {
  const name = stringOption(args, 'name');
  if (manifest !== null && (name === undefined || name === manifest.name))
    return { name: manifest.name, packages: manifest.packages.filter((p) => p.kind === 'platform').map((p) => p.name) };
  if (name !== undefined) return { name, packages: undefined };
  const plan = await planFromArgs(args, io);
  return { name: plan.root.name, packages: plan.targets.map((t) => t.packageName) };
}

export async function manifestFromArgs(args: ParsedArgs, io: Io): Promise<ReleaseManifest | null> {
  const from = stringOption(args, 'release-dir');
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
  positionals: '<version>',
  options: [
    { ...CWD_OPTION, description: 'the napi-rs root package directory, for its name' },
    CONFIG_PATH_OPTION,
    { name: 'name', type: 'string', value: 'PKG', description: "the root package's name (instead of reading --cwd)" },
    releaseDirOption("a release dir: compare each package's integrity with its release-manifest.json", ['from'], 'none'),
    ...REGISTRY_OPTIONS,
    jsonOption('the status report'),
  ],
  examples: [
    { description: 'where 1.2.3 of the package in this directory stands on its registry', command: 'napi-ship status 1.2.3' },
    {
      description: 'check the published tarballs are exactly the ones in the release dir',
      command: 'napi-ship status 1.2.3 --name @scope/addon --release-dir dist/release/packages',
    },
  ],
  async run(args, io: Io) {
    const [version, extra] = args.positionals;
    if (version === undefined) return usageError(io, 'status needs the version, e.g. `napi-ship status 1.2.3`', statusCommand);
    if (extra !== undefined) return usageError(io, `unexpected argument "${extra}"`, statusCommand);
    const manifest = await manifestFromArgs(args, io);
    const { name, packages } = await releaseFromArgs(args, io, manifest);
    const { client } = await registryClientFromArgs(args, io, name);
    const report = await releaseStatus({
      name,
      version,
      client,
      ...(manifest === null ? {} : { manifest }),
      ...(packages === undefined ? {} : { packages }),
    });
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
