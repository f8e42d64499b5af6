import path from 'node:path';
import { formatDiagnostic } from '../../diagnostics/index.js';
import { DEFAULT_REGISTRY } from '../../registry/url.js';
import { setReleaseVersion } from '../../version/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption } from '../options.js';
import { planFromArgs } from '../plan-args.js';
import { ExitCode } from '../exit-codes.js';
import { textTable, type Io } from '../output.js';
import { usageError } from './usage.js';
import { registryClientFromArgs } from './publish.js';

export const versionCommand: Command = {
  name: 'version',
  summary: 'Set the release version everywhere at once: root, platform packages, exact pins, Cargo.toml and Cargo.lock.',
  positionals: '<patch|minor|major|prerelease|x.y.z>',
  options: [
    { name: 'preid', type: 'string', value: 'ID', description: 'prerelease identifier, e.g. beta (with prerelease, or patch/minor/major)' },
    CWD_OPTION,
    CONFIG_PATH_OPTION,
    {
      name: 'registry',
      type: 'string',
      value: 'URL',
      description: 'where the new version must not exist yet',
      defaultText: `as npm: the root's publishConfig.registry, @scope:registry, npm's registry config, else ${DEFAULT_REGISTRY}`,
    },
    { name: 'no-registry-check', type: 'boolean', description: 'do not ask the registry (offline work)' },
    {
      name: 'tag',
      type: 'string',
      value: 'TAG',
      description: "the dist-tag the version will be published under; needed for a version below the registry's latest (a backport)",
      defaultText: 'latest (next for a prerelease)',
    },
    jsonOption('{ from, base, to, distTag, changes, diagnostics }'),
  ],
  examples: [
    { description: 'bump the patch version everywhere', command: 'napi-ship version patch' },
    {
      description: 'a beta prerelease, without asking the registry',
      command: 'napi-ship version prerelease --preid beta --no-registry-check',
    },
    { description: 'a backport below the current latest, under its own dist-tag', command: 'napi-ship version 1.4.9 --tag v1-lts' },
  ],
  async run(args, io: Io) {
    const [request, extra] = args.positionals;
    if (request === undefined) return usageError(io, 'version needs a bump (patch, minor, major, prerelease) or a version', versionCommand);
    if (extra !== undefined) return usageError(io, `unexpected argument "${extra}"`, versionCommand);
    const plan = await planFromArgs(args, io);
    const preid = stringOption(args, 'preid');
    // The same registry, credentials, TLS and proxies as publish/status (npm's config, the root's publishConfig).
    const reg = flag(args, 'no-registry-check')
      ? null
      : await registryClientFromArgs(args, io, plan.root.name, { publishConfig: plan.root.manifest.publishConfig });
    const client = reg?.client ?? null;
    // The tag publish will use: --tag, else publishConfig.tag, else npm's own `tag` setting (as publish
    // resolves it). A configured "latest" is no backport tag: going below latest stays refused without --tag.
    const publishConfig = plan.root.manifest.publishConfig;
    const resolvedTag =
      reg?.resolved.tag ??
      (typeof publishConfig === 'object' && publishConfig !== null && 'tag' in publishConfig && typeof publishConfig.tag === 'string'
        ? publishConfig.tag
        : null);
    const configuredTag = resolvedTag === 'latest' ? null : resolvedTag;
    let result;
    try {
      result = await setReleaseVersion(plan, {
        request,
        ...(preid === undefined ? {} : { preid }),
        registry: client,
        tag: stringOption(args, 'tag') ?? configuredTag ?? undefined,
      });
    } finally {
      await client?.close();
    }
    for (const d of result.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    if (flag(args, 'json')) {
      io.stdout(JSON.stringify(result, null, 2) + '\n');
    } else {
      io.stdout(
        textTable(
          ['file', 'change'],
          result.changes.map((c) => [path.relative(io.cwd, c.file) || c.file, c.what]),
        ),
      );
      io.stdout(`${plan.root.name} ${result.from} → ${result.to} (publishes under the "${result.distTag}" dist-tag)\n`);
      if (stringOption(args, 'tag') !== undefined) io.stdout(`next: publish with --tag ${result.distTag}\n`);
    }
    return ExitCode.Ok;
  },
};
