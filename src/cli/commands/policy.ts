import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { formatDiagnostic } from '../../diagnostics/index.js';
import { loggerFromArgs } from '../log-options.js';
import { stepper } from '../../log/index.js';
import { loadPlan } from '../../plan/index.js';
import { judgeProject, policySummaryLine, renderPolicyMarkdown, renderPolicyText } from '../../policy/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { CWD_OPTION, jsonOption, LOG_OPTIONS } from '../options.js';
import { exitCodeOf } from '../exit-codes.js';
import { paint, type Io } from '../output.js';
import { rejectPositionals, usageError } from './usage.js';

export const policyCommand: Command = {
  name: 'policy',
  summary: 'The license and source gate: judge every shipped crate and npm dependency against napiShip.policy.',
  options: [
    CWD_OPTION,
    { name: 'include-dev', type: 'boolean', description: 'also judge dev dependencies (default: napiShip.sbom.includeDev, else no)' },
    jsonOption('{ ok, checked, allow, configFile, inventories, violations, packages, diagnostics }'),
    ...LOG_OPTIONS,
  ],
  examples: [
    { description: 'judge every shipped crate and npm dependency', command: 'napi-ship policy' },
    { description: 'the findings as JSON', command: 'napi-ship policy --json' },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, policyCommand);
    if (refused !== null) return refused;
    const logger = loggerFromArgs(args, io, 'policy');
    if ('usage' in logger) return usageError(io, logger.usage, policyCommand);
    const step = stepper(logger);
    step('reading the policy');
    const plan = await loadPlan(path.resolve(io.cwd, stringOption(args, 'cwd') ?? '.'));
    const judged = await judgeProject(plan, {
      ...(flag(args, 'include-dev') ? { includeDev: true } : {}),
      onStep: (s) => {
        step(s);
      },
    });
    const { policy: outcome, inventories } = judged;
    const inputs = { diagnostics: judged.readerDiagnostics };
    // A reader error (e.g. dependencies but no lockfile) means packages went unchecked: that fails too.
    const failed = !outcome.ok || inputs.diagnostics.some((d) => d.severity === 'error');
    step.end({ status: failed ? 'failed' : 'ok' });
    // What the readers reported goes to the log (stderr), one line each, JSON with --log-format json.
    for (const d of inputs.diagnostics)
      logger[d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warn' : 'info'](formatDiagnostic(d));

    const stepSummary = io.env.GITHUB_STEP_SUMMARY;
    if (stepSummary) await appendFile(stepSummary, renderPolicyMarkdown(outcome));

    if (flag(args, 'json')) {
      io.stdout(
        JSON.stringify(
          {
            ok: !failed,
            checked: outcome.result.checked,
            allow: outcome.result.allow,
            configFile: outcome.result.configFile,
            inventories: inventories.map((i) => ({ ecosystem: i.ecosystem, source: i.source, packages: i.packages.length })),
            violations: outcome.result.violations,
            packages: outcome.result.packages,
            diagnostics: [...inputs.diagnostics, ...outcome.diagnostics],
          },
          null,
          2,
        ) + '\n',
      );
      return exitCodeOf([...inputs.diagnostics, ...outcome.diagnostics]);
    }
    const summary = policySummaryLine(outcome);
    const text = renderPolicyText(outcome);
    io.stdout(text.replace(summary, paint(io, failed ? 'red' : 'green', summary)));
    if (failed && outcome.ok)
      io.stdout(paint(io, 'red', 'policy failed: the dependency graph could not be read completely (see above)') + '\n');
    return exitCodeOf([...inputs.diagnostics, ...outcome.diagnostics]);
  },
};
