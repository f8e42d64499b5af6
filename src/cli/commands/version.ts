import path from 'node:path';
import { loadPlan } from '../../plan/index.js';
import { setReleaseVersion } from '../../version/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { textTable, type Io } from '../output.js';
import { usageError } from './usage.js';

const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

export const versionCommand: Command = {
  name: 'version',
  summary: 'Set the release version everywhere at once: root, platform packages, exact pins, Cargo.toml and Cargo.lock.',
  usage: 'napi-ship version <patch|minor|major|prerelease|x.y.z> [--preid ID] [--cwd DIR] [--registry URL] [--no-registry-check] [--json]',
  options: {
    preid: { type: 'string' },
    cwd: { type: 'string' },
    registry: { type: 'string' },
    'no-registry-check': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  optionHelp: [
    '--preid ID          prerelease identifier, e.g. beta (with prerelease, or patch/minor/major)',
    '--cwd DIR           the napi-rs root package directory (default: .)',
    `--registry URL      where the new version must not exist yet (default: npm_config_registry or ${DEFAULT_REGISTRY})`,
    '--no-registry-check do not ask the registry (offline work)',
    '--json              print { from, to, distTag, changes } as JSON',
  ],
  async run(args, io: Io) {
    const [request, extra] = args.positionals;
    if (request === undefined) return usageError(io, 'version needs a bump (patch, minor, major, prerelease) or a version', versionCommand);
    if (extra !== undefined) return usageError(io, `unexpected argument "${extra}"`, versionCommand);
    const plan = await loadPlan(path.resolve(io.cwd, stringOption(args, 'cwd') ?? '.'));
    const registry = stringOption(args, 'registry') ?? io.env.npm_config_registry ?? DEFAULT_REGISTRY;
    const preid = stringOption(args, 'preid');
    const result = await setReleaseVersion(plan, {
      request,
      ...(preid === undefined ? {} : { preid }),
      registry: flag(args, 'no-registry-check') ? null : { registry },
    });
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
    }
    return ExitCode.Ok;
  },
};
