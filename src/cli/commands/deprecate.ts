import { formatDiagnostic } from '../../diagnostics/index.js';
import { deprecateRelease } from '../../publish/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { paint, textTable, type Io } from '../output.js';
import { registryClientFromArgs } from './publish.js';
import { manifestFromArgs, releaseFromArgs } from './status.js';
import { CWD_OPTION, jsonOption, OTP_OPTION, REGISTRY_OPTIONS, releaseDirOption } from '../options.js';
import { usageError } from './usage.js';

export const deprecateCommand: Command = {
  name: 'deprecate',
  summary: 'Mark every package of a release deprecated (the root and each of its platform packages, nothing else).',
  positionals: '<version>',
  options: [
    {
      name: 'message',
      type: 'string',
      value: 'TEXT',
      required: true,
      description: 'the deprecation message installers show; "" removes the deprecation',
    },
    { ...CWD_OPTION, description: 'the napi-rs root package directory, for its name' },
    { name: 'name', type: 'string', value: 'PKG', description: "the root package's name (instead of reading --cwd)" },
    releaseDirOption('a release dir: act on exactly the packages of its signed release-manifest.json', ['from'], 'none'),
    OTP_OPTION,
    ...REGISTRY_OPTIONS,
    jsonOption('the result'),
  ],
  examples: [
    { description: 'deprecate every package of 1.2.3', command: 'napi-ship deprecate 1.2.3 --message "crashes on start; use 1.2.4"' },
    { description: 'take the deprecation back', command: 'napi-ship deprecate 1.2.3 --message ""' },
  ],
  async run(args, io: Io) {
    const [version, extra] = args.positionals;
    if (version === undefined)
      return usageError(io, 'deprecate needs the version, e.g. `napi-ship deprecate 1.2.3 --message "use 1.2.4"`', deprecateCommand);
    if (extra !== undefined) return usageError(io, `unexpected argument "${extra}"`, deprecateCommand);
    const message = stringOption(args, 'message');
    if (message === undefined)
      return usageError(io, 'deprecate needs --message TEXT (--message "" removes a deprecation)', deprecateCommand);
    const { name, packages } = await releaseFromArgs(args, io, await manifestFromArgs(args, io));
    const otp = stringOption(args, 'otp');
    const { client } = await registryClientFromArgs(args, io, name, otp === undefined ? {} : { otp });
    const result = await deprecateRelease({
      name,
      version,
      message,
      client,
      ...(packages === undefined ? {} : { packages }),
      onPackage: (p) => {
        io.stderr(paint(io, 'dim', `› ${p.name}@${p.version}: ${p.state}`) + '\n');
      },
    });
    for (const d of result.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    if (flag(args, 'json')) {
      io.stdout(JSON.stringify(result, null, 2) + '\n');
    } else {
      io.stdout(
        textTable(
          ['package', 'version', 'state'],
          result.packages.map((p) => [p.name, p.version, p.state]),
        ),
      );
      const verb = message === '' ? 'un-deprecated' : 'deprecated';
      io.stdout(
        result.ok
          ? `\n${verb} ${name}@${version}: ${String(result.packages.length)} packages\n`
          : `\n${paint(io, 'red', 'incomplete')}: some packages of ${name}@${version} are not on the registry\n`,
      );
    }
    return result.ok ? ExitCode.Ok : ExitCode.Failed;
  },
};
