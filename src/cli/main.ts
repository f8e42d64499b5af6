/**
 * `napi-ship` command line: a thin shell over the library. Each command lives in `commands/`.
 */
import { DiagnosticError, errorMessage, formatDiagnostic } from '../diagnostics/index.js';
import { napiShipVersion } from '../util/version.js';
import { didYouMean, helpText, parse, UsageError, type Command } from './command.js';
import { buildCommand } from './commands/build.js';
import { hashCommand } from './commands/hash.js';
import { initCommand } from './commands/init.js';
import { inspectCommand } from './commands/inspect.js';
import { targetsCommand } from './commands/targets.js';
import { releaseCommand } from './commands/release.js';
import { ciCommand } from './commands/ci.js';
import { packCommand } from './commands/pack.js';
import { stageCommand } from './commands/stage.js';
import { verifyCommand } from './commands/verify.js';
import { versionCommand } from './commands/version.js';
import { policyCommand } from './commands/policy.js';
import { sbomCommand } from './commands/sbom.js';
import { publishCommand } from './commands/publish.js';
import { statusCommand } from './commands/status.js';
import { deprecateCommand } from './commands/deprecate.js';
import { keygenCommand, signCommand, verifyManifestCommand } from './commands/sign.js';
import { usageError } from './commands/usage.js';
import { ExitCode } from './exit-codes.js';
import { processIo, type Io } from './output.js';

export const commands: readonly Command[] = [
  initCommand,
  inspectCommand,
  hashCommand,
  targetsCommand,
  buildCommand,
  stageCommand,
  verifyCommand,
  packCommand,
  sbomCommand,
  policyCommand,
  keygenCommand,
  signCommand,
  verifyManifestCommand,
  releaseCommand,
  ciCommand,
  versionCommand,
  publishCommand,
  statusCommand,
  deprecateCommand,
];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return (
    [
      'napi-ship — ship a napi-rs native addon for every platform, or for none.',
      '',
      'Usage: napi-ship <command> [options]',
      '',
      'Commands:',
      ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '',
      "Run `napi-ship <command> --help` for a command's options.",
      'Global: --version, --help. Colour is off when NO_COLOR is set or output is not a terminal.',
      'Exit codes: 0 ok, 1 a check or a file failed, 2 usage error, 3 environment error.',
    ].join('\n') + '\n'
  );
}

function unknownCommand(io: Io, name: string): ExitCode {
  const message = name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`;
  const candidates = name.startsWith('-') ? ['--help', '--version'] : commands.map((c) => c.name);
  return usageError(io, message, undefined, didYouMean(name, candidates));
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const wanted = rest[0];
    const target = commands.find((c) => c.name === wanted);
    if (wanted !== undefined && target === undefined) return unknownCommand(io, wanted);
    io.stdout(target ? helpText(target, io.columns) : overview());
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`napi-ship ${napiShipVersion()}\n`);
    return ExitCode.Ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) return unknownCommand(io, name);
  let args;
  try {
    args = parse(command, rest);
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message, command, error.suggestion);
    return usageError(io, errorMessage(error), command);
  }
  if (args.values.help === true) {
    io.stdout(helpText(command, io.columns));
    return ExitCode.Ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof DiagnosticError) {
      for (const d of error.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
      return ExitCode.Environment;
    }
    throw error;
  }
}
