import { formatDiagnostic } from '../../diagnostics/index.js';
import { deprecateRelease } from '../../publish/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { paint, textTable, type Io } from '../output.js';
import { registryClientFromArgs, REGISTRY_OPTION_HELP, REGISTRY_OPTIONS } from './publish.js';
import { rootNameFromArgs } from './status.js';
import { usageError } from './usage.js';

export const deprecateCommand: Command = {
  name: 'deprecate',
  summary: 'Mark every package of a release deprecated (the root and each platform package it pins).',
  usage:
    'napi-ship deprecate <version> --message TEXT [--cwd DIR | --name PKG] [--registry URL] [--otp CODE] [--ca-file FILE] [--allow-insecure-registry] [--json]',
  options: {
    message: { type: 'string' },
    cwd: { type: 'string' },
    name: { type: 'string' },
    otp: { type: 'string' },
    ...REGISTRY_OPTIONS,
    json: { type: 'boolean' },
  },
  optionHelp: [
    '--message TEXT      the deprecation message installers show; "" removes the deprecation',
    '--cwd DIR           the napi-rs root package directory, for its name (default: .)',
    "--name PKG          the root package's name (instead of reading --cwd)",
    '--otp CODE          one-time password for registries that ask for 2FA',
    ...REGISTRY_OPTION_HELP,
    '--json              print the result as JSON',
  ],
  async run(args, io: Io) {
    const [version, extra] = args.positionals;
    if (version === undefined)
      return usageError(io, 'deprecate needs the version, e.g. `napi-ship deprecate 1.2.3 --message "use 1.2.4"`', deprecateCommand);
    if (extra !== undefined) return usageError(io, `unexpected argument "${extra}"`, deprecateCommand);
    const message = stringOption(args, 'message');
    if (message === undefined)
      return usageError(io, 'deprecate needs --message TEXT (--message "" removes a deprecation)', deprecateCommand);
    const name = await rootNameFromArgs(args, io, null);
    const otp = stringOption(args, 'otp');
    const { client } = await registryClientFromArgs(args, io, name, otp === undefined ? {} : { otp });
    const result = await deprecateRelease({
      name,
      version,
      message,
      client,
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
