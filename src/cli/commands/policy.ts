import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatDiagnostic } from '../../diagnostics/index.js';
import { lineDiff, planPolicyInit, starterPolicy, starterPolicyConfig } from '../../init/index.js';
import { loggerFromArgs } from '../log-options.js';
import { stepper } from '../../log/index.js';
import {
  evaluatePolicy,
  parsePolicyConfig,
  policyFailed,
  policySummaryLine,
  readPolicyConfig,
  readPolicyInputs,
  renderPolicyMarkdown,
  renderPolicyText,
  type PolicyConfig,
} from '../../policy/index.js';
import type { Inventory } from '../../sbom/index.js';
import { writeAtomic } from '../../util/fs.js';
import { flag, type Command, type ParsedArgs } from '../command.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption, LOG_OPTIONS } from '../options.js';
import { planFromArgs } from '../plan-args.js';
import { ExitCode, exitCodeOf } from '../exit-codes.js';
import { paint, type Io } from '../output.js';
import { rejectPositionals, usageError } from './usage.js';

function colourDiff(io: Io, text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line.startsWith('+') && !line.startsWith('+++')
        ? paint(io, 'green', line)
        : line.startsWith('-') && !line.startsWith('---')
          ? paint(io, 'red', line)
          : line,
    )
    .join('\n');
}

/**
 * `policy --init`: a starter policy from the licenses found, shown as a diff of package.json; written
 * only with `--yes` (or a yes on a terminal). With a policy configured there is nothing to do.
 */
async function initPolicy(
  args: ParsedArgs,
  io: Io,
  rootDir: string,
  packageJsonPath: string,
  config: PolicyConfig,
  inventories: readonly Inventory[],
  ownLicense: string | null,
  readErrors: number,
): Promise<ExitCode> {
  const json = flag(args, 'json');
  const packageJsonText = await readFile(packageJsonPath, 'utf8');
  const starter = config.file === null ? starterPolicy(inventories, ownLicense) : null;
  const plan = planPolicyInit({ packageJsonPath, packageJsonText, configuredIn: config.file, policy: starter });
  // What `policy` would say with the starter policy, over the same inventories.
  const preview =
    starter === null
      ? null
      : evaluatePolicy(inventories, parsePolicyConfig(starterPolicyConfig(starter), packageJsonPath, 'napiShip.policy'));
  const rel = path.relative(io.cwd, packageJsonPath) || packageJsonPath;
  let write = flag(args, 'yes');
  if (!json) {
    if (starter === null) {
      io.stdout(`nothing to do: a license policy is configured in ${config.file ?? ''} (\`napi-ship policy\` judges against it)\n`);
      return ExitCode.Ok;
    }
    const basis =
      starter.basis === 'found'
        ? `the licenses of ${starter.checked} third-party package(s)`
        : starter.basis === 'own-license'
          ? "no third-party package found: the project's own license"
          : 'no license found';
    io.stdout(`starter policy from ${basis}: allow ${starter.allow.length === 0 ? 'nothing' : starter.allow.join(', ')}\n`);
    // The starter allows what ships; licenses most projects do not use are named, to be read before accepting.
    for (const g of evaluatePolicy(inventories, config).result.licenses.filter(
      (l) => l.unusual && l.license !== '(none)' && !l.license.endsWith('(not SPDX)'),
    ))
      io.stdout(`  allows an unusual license: ${g.license} (${g.packages.join(', ')}): drop it from the list if you do not accept it\n`);
    for (const u of starter.unresolved) io.stdout(`  needs a decision (no allow entry fixes it): ${u}\n`);
    if (preview !== null) io.stdout(`with it: ${policySummaryLine(preview, { readErrors })}\n`);
    for (const c of plan.changes) io.stdout('\n' + colourDiff(io, lineDiff(rel, c.before, c.after)));
    if (!write && io.confirm !== undefined) write = await io.confirm('\nWrite this policy?');
  }
  const written: string[] = [];
  if (write) {
    for (const c of plan.changes) {
      await writeAtomic(c.file, c.after);
      written.push(c.file);
    }
  }
  if (json) {
    io.stdout(
      JSON.stringify(
        {
          ok: true,
          configured: config.file !== null,
          configFile: config.file,
          policy: starter,
          changes: plan.changes.map((c) => ({ ...c, diff: lineDiff(rel, c.before, c.after) })),
          kept: plan.kept,
          upToDate: plan.changes.length === 0,
          written,
          preview: preview === null ? null : { ok: preview.ok, checked: preview.result.checked, violations: preview.result.violations },
        },
        null,
        2,
      ) + '\n',
    );
    return ExitCode.Ok;
  }
  if (written.length === 0) {
    io.stdout('\nnothing was written: run `napi-ship policy --init --yes` to write this policy\n');
  } else {
    for (const f of written) io.stdout(`wrote napiShip.policy to ${path.relative(io.cwd, f) || f}\n`);
    io.stdout(`\nNext:\n  napi-ship policy   judge the release against it (in ${path.relative(io.cwd, rootDir) || '.'})\n`);
  }
  return ExitCode.Ok;
}

export const policyCommand: Command = {
  name: 'policy',
  summary:
    'The license and source gate: judge every shipped crate and npm dependency against napiShip.policy (none configured: list the licenses found).',
  options: [
    CWD_OPTION,
    CONFIG_PATH_OPTION,
    { name: 'include-dev', type: 'boolean', description: 'also judge dev dependencies (default: napiShip.sbom.includeDev, else no)' },
    {
      name: 'init',
      type: 'boolean',
      description: 'write a starter policy (napiShip.policy in package.json) from the licenses found: shows the diff, writes with --yes',
    },
    { name: 'yes', short: 'y', type: 'boolean', description: 'with --init: write the starter policy without asking' },
    { name: 'no-cache', type: 'boolean', description: "read the dependency graphs again instead of taking them from napi-ship's cache" },
    jsonOption('{ ok, configured, checked, allow, configFile, licenses, inventories, violations, packages, diagnostics }'),
    ...LOG_OPTIONS,
  ],
  examples: [
    { description: 'judge every shipped crate and npm dependency (no policy yet: list their licenses)', command: 'napi-ship policy' },
    { description: 'see a starter policy made from the licenses found, then write it', command: 'napi-ship policy --init --yes' },
    { description: 'the findings as JSON', command: 'napi-ship policy --json' },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, policyCommand);
    if (refused !== null) return refused;
    if (flag(args, 'yes') && !flag(args, 'init')) return usageError(io, '--yes only goes with --init', policyCommand);
    const logger = loggerFromArgs(args, io, 'policy');
    if ('usage' in logger) return usageError(io, logger.usage, policyCommand);
    const step = stepper(logger);
    step('reading the policy');
    const plan = await planFromArgs(args, io);
    const config = await readPolicyConfig(plan.root.dir, plan.root.manifest);
    if (flag(args, 'init') && config.file !== null && !flag(args, 'json')) {
      // Nothing to make: say so without reading the dependency graphs.
      io.stdout(`nothing to do: a license policy is configured in ${config.file} (\`napi-ship policy\` judges against it)\n`);
      return ExitCode.Ok;
    }
    const inputs = await readPolicyInputs(plan, {
      config,
      ...(flag(args, 'include-dev') ? { includeDev: true } : {}),
      cache: !flag(args, 'no-cache'),
      onStep: (s) => {
        step(s);
      },
    });
    const inventories = inputs.inventories;
    // A reader error (e.g. dependencies but no lockfile) means packages went unchecked: that fails too.
    const readErrors = inputs.readerDiagnostics.filter((d) => d.severity === 'error').length;
    if (flag(args, 'init')) {
      step.end({ status: 'ok' });
      for (const d of inputs.readerDiagnostics)
        logger[d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warn' : 'info'](formatDiagnostic(d));
      const own = plan.root.manifest.license;
      return initPolicy(
        args,
        io,
        plan.root.dir,
        plan.root.packageJsonPath,
        config,
        inventories,
        typeof own === 'string' ? own : null,
        readErrors,
      );
    }
    step('judging licenses and sources');
    const outcome = evaluatePolicy(inventories, config);
    const failed = policyFailed(outcome, { readErrors });
    step.end({ status: failed ? 'failed' : 'ok' });
    // What the readers reported goes to the log (stderr), one line each, JSON with --log-format json.
    for (const d of inputs.readerDiagnostics)
      logger[d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warn' : 'info'](formatDiagnostic(d));

    const stepSummary = io.env.GITHUB_STEP_SUMMARY;
    if (stepSummary) await appendFile(stepSummary, renderPolicyMarkdown(outcome));

    if (flag(args, 'json')) {
      io.stdout(
        JSON.stringify(
          {
            ok: !failed,
            configured: outcome.result.configured,
            checked: outcome.result.checked,
            allow: outcome.result.allow,
            configFile: outcome.result.configFile,
            licenses: outcome.result.licenses,
            inventories: inventories.map((i) => ({ ecosystem: i.ecosystem, source: i.source, packages: i.packages.length })),
            violations: outcome.result.violations,
            packages: outcome.result.packages,
            diagnostics: [...inputs.readerDiagnostics, ...outcome.diagnostics],
          },
          null,
          2,
        ) + '\n',
      );
      return exitCodeOf([...inputs.readerDiagnostics, ...outcome.diagnostics]);
    }
    const summary = policySummaryLine(outcome, { readErrors });
    const text = renderPolicyText(outcome, { readErrors });
    io.stdout(text.replace(summary, paint(io, failed ? 'red' : outcome.result.configured ? 'green' : 'dim', summary)));
    return exitCodeOf([...inputs.readerDiagnostics, ...outcome.diagnostics]);
  },
};
