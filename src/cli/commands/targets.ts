import { formatDiagnostic } from '../../diagnostics/index.js';
import { allTargets } from '../../targets/index.js';
import { flag, type Command } from '../command.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption } from '../options.js';
import { planFromArgs } from '../plan-args.js';
import { ExitCode } from '../exit-codes.js';
import { textTable, type Io } from '../output.js';

export const targetsCommand: Command = {
  name: 'targets',
  summary: 'List the configured targets (napi.targets) with their platform packages and expected binaries.',
  options: [
    CWD_OPTION,
    CONFIG_PATH_OPTION,
    { name: 'all', type: 'boolean', description: 'list every triple napi-rs supports instead of the configured ones' },
    jsonOption('the targets'),
  ],
  examples: [
    { description: 'the configured targets, their packages and binaries', command: 'napi-ship targets' },
    { description: 'every triple napi-rs knows', command: 'napi-ship targets --all' },
  ],
  async run(args, io: Io) {
    if (flag(args, 'all')) {
      const specs = allTargets();
      if (flag(args, 'json')) {
        io.stdout(JSON.stringify(specs, null, 2) + '\n');
      } else {
        io.stdout(
          textTable(
            ['triple', 'platform-arch-abi', 'os', 'cpu', 'libc', 'format', 'crt'],
            specs.map((s) => [s.triple, s.platformArchABI, s.os ?? '-', s.cpu.join('+'), s.libc ?? '-', s.format, s.crt ?? '-']),
          ),
        );
      }
      return ExitCode.Ok;
    }
    const plan = await planFromArgs(args, io);
    // How the napi-rs config was read (v2 keys, a Node-spelled triple …), on stderr: stdout stays the list.
    for (const d of plan.root.configNotes) io.stderr(formatDiagnostic(d) + '\n');
    const rows = plan.targets.map((t) => ({
      triple: t.spec.triple,
      platformArchABI: t.spec.platformArchABI,
      packageName: t.packageName,
      binaryFile: t.binaryFile,
      os: t.spec.os,
      cpu: t.spec.cpu,
      libc: t.spec.libc,
      format: t.spec.format,
      crt: t.spec.crt,
    }));
    if (flag(args, 'json')) {
      io.stdout(JSON.stringify(rows, null, 2) + '\n');
    } else {
      io.stdout(
        textTable(
          ['triple', 'package', 'binary', 'os', 'cpu', 'libc', 'format', 'crt'],
          rows.map((r) => [r.triple, r.packageName, r.binaryFile, r.os ?? '-', r.cpu.join('+'), r.libc ?? '-', r.format, r.crt ?? '-']),
        ),
      );
    }
    return ExitCode.Ok;
  },
};
