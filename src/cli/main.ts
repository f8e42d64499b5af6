/**
 * `napi-ship` command line: a thin shell over the library. Each command lives in `commands/`.
 */
import { DiagnosticError, errorMessage, formatDiagnostic } from '../diagnostics/index.js';
import { errnoCode, fsDiagnosticError } from '../util/fs.js';
import { napiShipVersion } from '../util/version.js';
import { didYouMean, helpText, parse, UsageError, type Command } from './command.js';
import { usageError } from './commands/usage.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import { processIo, type Io } from './output.js';

/**
 * Each command's name and summary (all that `--help` shows), and how to load the rest: a command's
 * module — and the library code it imports (undici, tar, npm-packlist, the SBOM and YAML code…) —
 * is loaded only when that command runs, so `--version`, `--help` and `inspect` start fast.
 * test/cli-options.test.ts checks every entry against the module it loads.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const commandList: readonly CommandEntry[] = [
  {
    name: 'init',
    summary:
      'Set napi-ship up in an existing napi-rs project: pinned dev dependencies, a starter license policy from the licenses found, the release workflow, a release:dry-run script.',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
  {
    name: 'inspect',
    summary: 'Read what native binaries really are: format, OS, CPU, libc, glibc ceiling, macOS minimum, CRT, napi export.',
    load: async () => (await import('./commands/inspect.js')).inspectCommand,
  },
  {
    name: 'hash',
    summary: 'sha1, sha256 and sha512 (and npm integrity) of files, in one read pass each, files in parallel.',
    load: async () => (await import('./commands/hash.js')).hashCommand,
  },
  {
    name: 'targets',
    summary: 'List the configured targets (napi.targets) with their platform packages and expected binaries.',
    load: async () => (await import('./commands/targets.js')).targetsCommand,
  },
  {
    name: 'build',
    summary:
      'Build the addon for each target through @napi-rs/cli, with the toolchain napi-rs recommends; skip what cannot build here, saying why.',
    load: async () => (await import('./commands/build.js')).buildCommand,
  },
  {
    name: 'doctor',
    summary: 'Per target: can it build here, with which toolchain, what is missing and the command that installs it; --install does it.',
    load: async () => (await import('./commands/doctor.js')).doctorCommand,
  },
  {
    name: 'stage',
    summary: "Put each target's binary into its platform package (napi-rs's package.json) and pin them all in the root.",
    load: async () => (await import('./commands/stage.js')).stageCommand,
  },
  {
    name: 'verify',
    summary: 'The gate: check every staged platform package, its binary and the root pins against the targets.',
    load: async () => (await import('./commands/verify.js')).verifyCommand,
  },
  {
    name: 'pack',
    summary: 'Pack the root and every platform package into byte-reproducible npm tarballs, with SHA256SUMS and the release manifest.',
    load: async () => (await import('./commands/pack.js')).packCommand,
  },
  {
    name: 'sbom',
    summary: 'Write SBOMs: SPDX 2.3 for the Rust crates, the npm dependencies and the packed release (or CycloneDX 1.6 via cdxgen).',
    load: async () => (await import('./commands/sbom.js')).sbomCommand,
  },
  {
    name: 'policy',
    summary:
      'The license and source gate: judge every shipped crate and npm dependency against napiShip.policy (none configured: list the licenses found).',
    load: async () => (await import('./commands/policy.js')).policyCommand,
  },
  {
    name: 'keygen',
    summary: 'Create an Ed25519 key pair for signing release manifests (private key 0600, FILE.pub).',
    load: async () => (await import('./commands/sign.js')).keygenCommand,
  },
  {
    name: 'sign',
    summary: 'Sign release-manifest.json with an Ed25519 key: writes release-manifest.json.sig.',
    load: async () => (await import('./commands/sign.js')).signCommand,
  },
  {
    name: 'verify-manifest',
    summary: 'Check a release dir against its signed manifest: signature, sizes, sha256/integrity, SHA256SUMS.',
    load: async () => (await import('./commands/sign.js')).verifyManifestCommand,
  },
  {
    name: 'release',
    summary:
      'Rehearse a release on a throwaway copy: stage, verify, pack, sign and check, publish to an embedded registry, install and load, then report.',
    load: async () => (await import('./commands/release.js')).releaseCommand,
  },
  {
    name: 'ci',
    summary: 'Generate the GitHub Actions release workflow from napi.targets (ci generate), or print its build matrix (ci matrix).',
    load: async () => (await import('./commands/ci.js')).ciCommand,
  },
  {
    name: 'version',
    summary: 'Set the release version everywhere at once: root, platform packages, exact pins, Cargo.toml and Cargo.lock.',
    load: async () => (await import('./commands/version.js')).versionCommand,
  },
  {
    name: 'publish',
    summary: 'Publish a packed release atomically: platform packages first, verified on the registry, then the root, then the dist-tag.',
    load: async () => (await import('./commands/publish.js')).publishCommand,
  },
  {
    name: 'status',
    summary: 'Show where a release stands on the registry: each package published? integrity? dist-tags?',
    load: async () => (await import('./commands/status.js')).statusCommand,
  },
  {
    name: 'deprecate',
    summary: 'Mark every package of a release deprecated (the root and each of its platform packages, nothing else).',
    load: async () => (await import('./commands/deprecate.js')).deprecateCommand,
  },
];

/** Every command, loaded (for tests and docs; the CLI loads only the one it runs). */
export async function loadCommands(): Promise<Command[]> {
  return Promise.all(commandList.map((c) => c.load()));
}

function overview(): string {
  const width = Math.max(...commandList.map((c) => c.name.length));
  return (
    [
      'napi-ship — ship a napi-rs native addon for every platform, or for none.',
      '',
      'Usage: napi-ship <command> [options]',
      '',
      'Commands:',
      ...commandList.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '',
      "Run `napi-ship <command> --help` for a command's options.",
      'Global: --version, --help. Colour is off when NO_COLOR is set or output is not a terminal.',
      'Exit codes: 0 ok, 1 a check failed, 2 usage error (an option, argument or a file it names), 3 environment error.',
    ].join('\n') + '\n'
  );
}

function unknownCommand(io: Io, name: string): ExitCode {
  const message = name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`;
  const candidates = name.startsWith('-') ? ['--help', '--version'] : commandList.map((c) => c.name);
  return usageError(io, message, undefined, didYouMean(name, candidates));
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const wanted = rest[0];
    const entry = commandList.find((c) => c.name === wanted);
    if (wanted !== undefined && entry === undefined) return unknownCommand(io, wanted);
    io.stdout(entry ? helpText(await entry.load(), io.columns) : overview());
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`napi-ship ${napiShipVersion()}\n`);
    return ExitCode.Ok;
  }
  const entry = commandList.find((c) => c.name === name);
  if (!entry) return unknownCommand(io, name);
  const command = await entry.load();
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
      // A stage that cannot start throws; its diagnostics' class says what the exit status is.
      for (const d of error.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
      const code = exitCodeOf(error.diagnostics);
      return code === ExitCode.Ok ? ExitCode.Environment : code;
    }
    // No stack trace reaches the user: a file-system error is one typed line, anything else NS_INTERNAL.
    if (errnoCode(error) !== undefined) {
      const path = error instanceof Error && 'path' in error && typeof error.path === 'string' ? error.path : '(file)';
      for (const d of fsDiagnosticError(error, path, 'use the file').diagnostics) io.stderr(formatDiagnostic(d) + '\n');
      return ExitCode.Environment;
    }
    io.stderr(
      formatDiagnostic({
        code: 'NS_FS_INTERNAL',
        severity: 'error',
        message: `napi-ship failed unexpectedly: ${errorMessage(error)}`,
        hint:
          io.env.NAPI_SHIP_DEBUG === undefined
            ? 'please report it; NAPI_SHIP_DEBUG=1 prints the stack'
            : String(error instanceof Error ? error.stack : error),
      }) + '\n',
    );
    return ExitCode.Environment;
  }
}
