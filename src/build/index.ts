/**
 * `build`: compile the root package's crate for each requested target through @napi-rs/cli's
 * programmatic API (`new NapiCli().build({...})`), choosing per target the toolchain napi-rs
 * recommends (see toolchain.ts), and record in the plan what was built with which toolchain —
 * and which targets this machine cannot build, and why.
 *
 * Output goes where `napi build --platform` puts it: `<root>/<binaryName>.<platformArchABI>.node`
 * (plus the regenerated loader and typings), which `stage` collects — each file replaced in one
 * atomic rename from a staging dir, so nothing reading the package dir meanwhile finds it missing.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { diagnostic, outcome, type Diagnostic } from '../diagnostics/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import type { PlannedTarget, ReleasePlan } from '../plan/index.js';
import { lookupTarget, type TargetSpec } from '../targets/index.js';
import { probeHost } from './host.js';
import { makeStaging, placeBuildOutputs, removeStaging } from './outputs.js';
import { napiApiOptions, profileOf, projectArgs, projectBuild, projectEnvFor, type ProjectBuild } from './project.js';
import { runNapiBuild } from './runner.js';
import { inspectFileSync, type BinaryFacts } from '../core/index.js';
import { chooseToolchain, napiCommand, toolchainOptions, type BuildPlanStep } from './toolchain.js';
import type { BuildHost, BuildOutcome, BuildTargetResult, Toolchain } from './types.js';

export type { BuildHost, BuildOutcome, BuildResult, BuildStatus, BuildTargetResult, Toolchain } from './types.js';
export { chooseToolchain, missingFor, napiCommand, type BuildChoice, type BuildPlanStep } from './toolchain.js';
export { napiCrossState, probeHost, resolveNapiCli } from './host.js';
export { envWithTools, toolsBin, toolsDir } from './tools.js';
export {
  findAddonCrates,
  isAddonManifest,
  napiApiOptions,
  profileOf,
  projectArgs,
  projectBuild,
  projectEnvFor,
  type ProjectBuild,
} from './project.js';
export {
  NAPI_BUILD_FLAGS,
  parseNapiBuildArgs,
  readBuildScript,
  shellQuote,
  shellWords,
  type BuildScript,
  type NapiBuildFlags,
} from './script.js';
export { isGeneratedByNapiRs, NAPI_RS_MARK } from './outputs.js';
export type { BuildSettings } from './settings.js';

export interface BuildOptions {
  /** Which of the plan's targets to build (triples); default: all of `napi.targets`. */
  readonly targets?: readonly string[];
  /** true: release; false: debug; undefined (default): the project's `--profile` when its script names one, else release. */
  readonly release?: boolean | undefined;
  readonly logger?: Logger;
  /** This machine, when already probed (tests inject one). */
  readonly host?: BuildHost;
}

export interface TargetSelection {
  readonly targets: readonly PlannedTarget[];
  /** Names that are no napi-rs target at all. */
  readonly unknown: readonly string[];
  /** napi-rs targets that are not in the root package's `napi.targets`. */
  readonly notConfigured: readonly string[];
}

/** Resolve `--target` values (triples, napi-rs aliases, or `platform-arch-abi` names) against the plan. */
export function selectTargets(plan: ReleasePlan, requested: readonly string[]): TargetSelection {
  if (requested.length === 0) return { targets: plan.targets, unknown: [], notConfigured: [] };
  const unknown: string[] = [];
  const notConfigured: string[] = [];
  const picked: PlannedTarget[] = [];
  for (const name of requested) {
    const byAbi = plan.targets.find((t) => t.spec.platformArchABI === name);
    const spec = byAbi?.spec ?? lookupTarget(name);
    if (!spec) {
      unknown.push(name);
      continue;
    }
    const planned = plan.targets.find((t) => t.spec.triple === spec.triple);
    if (!planned) notConfigured.push(name);
    else if (!picked.includes(planned)) picked.push(planned);
  }
  return { targets: picked, unknown, notConfigured };
}

/** The host when there is no crate to build: nothing is asked of the machine. */
function unprobed(): BuildHost {
  return {
    triple: null,
    rustc: null,
    platform: process.platform,
    arch: process.arch,
    installedTargets: null,
    tools: { zig: null, cargoZigbuild: null, cargoXwin: null },
    napiCrossTargets: [],
    napiCross: { version: null, usable: false, reason: 'not probed', cached: [] },
    napiCli: null,
  };
}

/**
 * napi-ship was given `-c/--config-path`: napi build reads the same napi-rs config file, unless the
 * project's own build script already names one.
 */
function withConfigPath(project: ProjectBuild, configPath: string | null): ProjectBuild {
  if (configPath === null || project.flags.options.configPath !== undefined) return project;
  const flags = {
    ...project.flags,
    options: { ...project.flags.options, configPath },
    args: [...project.flags.args, '--config-path', configPath],
  };
  return { ...project, flags };
}

/** cargo's first `error…` line among the last lines it printed. */
function firstError(tail: readonly string[]): string | undefined {
  return tail.find((l) => /^error(\[|:)/.test(l.trim()));
}

export async function buildTargets(plan: ReleasePlan, options: BuildOptions = {}): Promise<BuildOutcome> {
  const logger = options.logger ?? silentLogger();
  const cwd = plan.root.dir;
  const wanted = selectTargets(plan, options.targets ?? []).targets;
  const project = withConfigPath(projectBuild(plan), plan.root.configPath);
  const { release: isRelease, profile } = profileOf(project, options.release);
  const release: boolean | string = profile ?? isRelease;
  const profileName = profile ?? (isRelease ? 'release' : 'debug');
  const manifestPath = project.manifestPath;
  logger.debug(
    `project build: flags from ${project.flagsFrom}${project.script ? ` (script "${project.script.chain.join('" → "')}")` : ''}: ${project.flags.args.join(' ') || '(none)'}; crate ${manifestPath ?? 'none'} (${project.crateFrom}); loader and typings into ${project.outputDir}`,
  );
  let host: BuildHost;
  if (options.host) host = options.host;
  else if (manifestPath === null) host = unprobed();
  else {
    const probeEnd = logger.step('probe', { message: 'checking what this machine can build' });
    host = await probeHost(cwd);
    probeEnd();
  }
  logger.debug(
    `host ${host.triple ?? 'unknown'}, ${host.rustc ?? 'no rustc'}, @napi-rs/cli ${host.napiCli?.version ?? 'not found'}; rust targets: ${host.installedTargets?.join(', ') ?? 'unknown'}; zig ${host.tools.zig ?? '-'}, cargo-zigbuild ${host.tools.cargoZigbuild ?? '-'}, cargo-xwin ${host.tools.cargoXwin ?? '-'}; napi-cross: ${host.napiCrossTargets.join(', ') || '-'}`,
  );

  const diagnostics: Diagnostic[] = [...project.diagnostics];
  const results: BuildTargetResult[] = [];
  const skip = (t: PlannedTarget, reason: string, toolchain: BuildTargetResult['toolchain']): void => {
    logger.info(`${t.spec.platformArchABI} skipped: ${reason}`, { step: 'build', target: t.spec.platformArchABI, status: 'skipped' });
    results.push({
      triple: t.spec.triple,
      platformArchABI: t.spec.platformArchABI,
      status: 'skipped',
      toolchain,
      reason,
      output: null,
      rustc: null,
      durationMs: 0,
      command: null,
    });
  };

  const ambiguous = project.diagnostics.find((d) => d.severity === 'error');
  if (ambiguous !== undefined) {
    for (const t of wanted) skip(t, ambiguous.message, null);
    return outcome({ cwd, manifestPath, profile: profileName, host, targets: results }, diagnostics);
  }
  if (manifestPath === null) {
    // Nothing to build: what the script says does not matter.
    diagnostics.length = 0;
    diagnostics.push(
      diagnostic({
        code: 'NS_BUILD_NO_CRATE',
        severity: 'note',
        subject: cwd,
        message: 'the root package has no Cargo.toml: nothing to build, binaries are taken as they are',
        hint: 'run napi-ship in the napi-rs package directory that holds Cargo.toml and package.json',
      }),
    );
    for (const t of wanted) skip(t, 'no Cargo.toml in the root package', null);
    return outcome({ cwd, manifestPath, profile: profileName, host, targets: results }, diagnostics);
  }
  if (host.napiCli === null) {
    diagnostics.push(
      diagnostic({
        code: 'NS_BUILD_NO_NAPI_CLI',
        severity: 'warning',
        subject: cwd,
        message: '@napi-rs/cli is not installed: nothing can be built',
        hint: "add @napi-rs/cli to the root package's devDependencies and install",
      }),
    );
  } else if (host.triple === null) {
    diagnostics.push(
      diagnostic({
        code: 'NS_BUILD_NO_RUST',
        severity: 'warning',
        subject: cwd,
        message: 'rustc does not run here: nothing can be built',
        hint: 'install Rust with rustup (https://rustup.rs)',
      }),
    );
  }

  const settings = project.settings;
  const choices = wanted.map((t) => {
    const projectEnv = projectEnvFor(project, t.spec);
    return { t, projectEnv, choice: chooseToolchain(t.spec, host, { ...settings, env: { ...process.env, ...projectEnv } }) };
  });
  const keptFiles = new Set<string>();
  const toBuild = choices.filter((c) => c.choice.kind === 'build').length;
  let n = 0;
  for (const { t, choice, projectEnv } of choices) {
    const abi = t.spec.platformArchABI;
    if (choice.kind === 'skip') {
      skip(t, choice.reason, choice.toolchain);
      continue;
    }
    n += 1;
    const end = logger.step('build', { target: abi, message: `building ${abi} with ${choice.toolchain} (${n}/${toBuild})` });
    const run: RunContext = { project, host, release, logger, projectEnv };
    let attempt = await buildOne(t.spec, choice, run);
    let fallbackNote = '';
    if (!attempt.ok && choice.fallback && attempt.setupFailed) {
      fallbackNote = `napi-cross could not be set up (${attempt.reason})`;
      logger.warn(`${abi}: ${fallbackNote}; trying ${choice.fallback.toolchain}`, { target: abi });
      attempt = await buildOne(t.spec, choice.fallback, run);
    }
    if (attempt.ok) {
      const keptNote =
        attempt.kept.length > 0
          ? `kept the hand-written ${attempt.kept.map((f) => path.relative(cwd, f) || f).join(', ')} (napi-rs's generated file not written over it)`
          : '';
      for (const file of attempt.kept) {
        if (keptFiles.has(file)) continue;
        keptFiles.add(file);
        diagnostics.push(
          diagnostic({
            code: 'NS_BUILD_LOADER_KEPT',
            severity: 'note',
            subject: file,
            message: `${path.relative(cwd, file) || file} has no NAPI-RS header: it is hand-written, so napi-ship kept it and dropped the one napi-rs generated`,
            hint: 'give napi-rs its own file names with --js/--dts in the build script (or --no-js), so nothing is generated over yours',
          }),
        );
      }
      const note = [fallbackNote ? `${fallbackNote}; ${attempt.step.note}` : attempt.step.note, attempt.actualNote, keptNote]
        .filter((x) => x !== '')
        .join('; ');
      const durationMs = end({
        status: 'ok',
        message: `built ${path.basename(attempt.output)} with ${attempt.toolchain}${attempt.binary ? ` (${attempt.binary})` : ''}`,
      });
      results.push({
        triple: t.spec.triple,
        platformArchABI: abi,
        status: 'built',
        toolchain: attempt.toolchain,
        reason: note,
        output: attempt.output,
        rustc: host.rustc,
        durationMs,
        command: attempt.command,
        env: attempt.env,
        binary: attempt.binary,
        ...(attempt.kept.length > 0 ? { kept: attempt.kept } : {}),
      });
      continue;
    }
    const reason = fallbackNote ? `${fallbackNote}; then ${attempt.step.toolchain}: ${attempt.reason}` : attempt.reason;
    if (logger.level !== 'debug') for (const line of attempt.tail.slice(-12)) logger.info(line, { target: abi });
    const durationMs = end({ status: 'failed', message: `${abi} failed: ${reason}` });
    diagnostics.push(
      diagnostic({
        code: 'NS_BUILD_FAILED',
        target: abi,
        subject: manifestPath,
        message: `napi build for ${t.spec.triple} (${attempt.step.toolchain}) failed: ${reason}`,
        hint: `run \`${attempt.command}\` in ${project.cwd} for cargo's full output, or rerun with --verbose`,
      }),
    );
    results.push({
      triple: t.spec.triple,
      platformArchABI: abi,
      status: 'failed',
      toolchain: attempt.step.toolchain,
      reason,
      output: null,
      rustc: host.rustc,
      durationMs,
      command: attempt.command,
      env: attempt.env,
      binary: null,
    });
  }
  return outcome({ cwd, manifestPath, profile: profileName, host, targets: results }, diagnostics);
}

/** What every target's build shares. */
interface RunContext {
  readonly project: ProjectBuild;
  readonly host: BuildHost;
  /** true: --release; a string: --profile; false: debug. */
  readonly release: boolean | string;
  readonly logger: Logger;
  /** The project's variables for this target (script prefixes, napiShip.build.env/targetEnv). */
  readonly projectEnv: Readonly<Record<string, string>>;
}

type Attempt =
  | {
      readonly ok: true;
      readonly step: BuildPlanStep;
      readonly command: string;
      readonly output: string;
      /** The toolchain that really produced the binary (napi-rs's cargo command, then `inspect`). */
      readonly toolchain: Toolchain;
      readonly actualNote: string;
      readonly binary: string | null;
      readonly env: Readonly<Record<string, string>>;
      /** Hand-written loaders/typings left in place. */
      readonly kept: readonly string[];
    }
  | {
      readonly ok: false;
      readonly step: BuildPlanStep;
      readonly command: string;
      readonly reason: string;
      readonly tail: readonly string[];
      /** napi-rs could not set the toolchain up (napi-cross download/unpack): nothing was compiled. */
      readonly setupFailed: boolean;
      readonly env: Readonly<Record<string, string>>;
    };

/** One `napi build` of one target with one toolchain: the project's flags and env, napi-ship's target and toolchain. */
async function buildOne(spec: TargetSpec, step: BuildPlanStep, ctx: RunContext): Promise<Attempt> {
  const { project, host, release, logger } = ctx;
  const abi = spec.platformArchABI;
  const env = { ...ctx.projectEnv, ...step.env };
  // The host target is built as `napi build` builds it by default, without `--target`: napi-rs
  // keys its type-def cache (and so cargo's fingerprint) on whether a target was given, and the
  // package's own `napi build --platform --release` script then stays a cargo no-op after us.
  const implicit = spec.triple === host.triple && step.target === spec.triple && !process.env.CARGO_BUILD_TARGET;
  const command = napiCommand(implicit ? null : step.target, step.toolchain, release, env, projectArgs(project));
  logger.debug(`${command}  (in ${project.cwd}, through @napi-rs/cli ${host.napiCli?.version ?? ''} ${host.napiCli?.entry ?? ''})`);
  if (step.note) logger.info(step.note, { target: abi });
  const projectOptions = napiApiOptions(project, typeof release === 'string' ? undefined : release);
  // napi-rs writes into a staging dir; each output is then renamed over its place (outputs.ts).
  const staging = await makeStaging(project.packageDir);
  let run: Awaited<ReturnType<typeof runNapiBuild>>;
  let kept: readonly string[] = [];
  try {
    run = await runNapiBuild(
      {
        entry: host.napiCli?.entry ?? '',
        options: {
          // \`napi build\`'s own default (--dts-cache); the API's is off, which gives every build a
          // fresh type-def dir and so forces cargo to recompile (and re-link) the addon crate.
          dtsCache: true,
          ...projectOptions,
          outputDir: staging,
          ...(implicit ? {} : { target: step.target }),
          ...toolchainOptions(step.toolchain),
        },
        env,
      },
      project.cwd,
      logger,
      abi,
    );
    if (run.reply.ok) {
      const placement = await placeBuildOutputs(
        staging,
        {
          binaryDir: project.packageDir,
          loaderDir: project.outputDir,
          dtsHeader: project.dtsHeader ?? undefined,
          dtsWithoutHeader: project.flags.options.noDtsHeader === true,
        },
        run.reply.outputs,
      );
      kept = placement.kept;
      run = { ...run, reply: { ok: true, outputs: placement.placed } };
    }
  } finally {
    await removeStaging(staging);
  }
  const { reply, tail } = run;
  const output = reply.ok ? (reply.outputs.find((o) => o.kind === 'node')?.path ?? null) : null;
  if (reply.ok && output !== null && existsSync(output)) {
    const actual = actualToolchain(spec, step, run.cargoCommand, output);
    return { ok: true, step, command, output, env, kept, ...actual };
  }
  const why = reply.ok
    ? `napi build reported no .node file (outputs: ${reply.outputs.map((o) => o.path).join(', ') || 'none'})`
    : (reply.message.split('\n')[0] ?? reply.message);
  const cargoError = run.firstError ?? firstError(tail);
  const reason = cargoError && !why.includes(cargoError) ? `${why}: ${cargoError.trim()}` : why;
  const setupFailed = !reply.ok && /Failed to set up the `--use-napi-cross` toolchain/.test(reply.message);
  return { ok: false, step, command, reason, tail, setupFailed, env };
}

function versionAbove(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
}

/** One line for the report: what `inspect` read (e.g. `ELF arm64, glibc 2.17`). */
export function describeFacts(facts: BinaryFacts): string {
  const kind = { elf: 'ELF', macho: 'Mach-O', 'macho-fat': 'Mach-O universal', pe: 'PE', wasm: 'wasm' }[facts.format];
  const parts = [`${kind} ${facts.cpu ?? facts.machine}`];
  if (facts.libc === 'musl') parts.push('musl');
  if (facts.libc === 'glibc') parts.push(`glibc ${facts.glibc ?? '(no versioned symbols)'}`);
  if (facts.macosMin) parts.push(`macOS ${facts.macosMin}`);
  if (facts.crt) parts.push(`CRT ${facts.crt}`);
  if (!facts.napiExport) parts.push('NO napi_register_module_v1');
  return parts.join(', ');
}

/**
 * The toolchain that produced the binary: the cargo subcommand napi-rs ran (its debug output), then
 * what `inspect` reads. A napi-cross build whose binary needs a newer glibc than the toolchain's
 * 2.17 was linked by the host toolchain, whatever was asked.
 */
function actualToolchain(
  spec: TargetSpec,
  step: BuildPlanStep,
  cargoCommand: string | null,
  output: string,
): { toolchain: Toolchain; actualNote: string; binary: string | null } {
  let toolchain = step.toolchain;
  const notes: string[] = [];
  if (cargoCommand !== null) {
    const ran: Toolchain = /\bzigbuild\b/.test(cargoCommand)
      ? 'zig'
      : /\bxwin build\b/.test(cargoCommand)
        ? 'xwin'
        : step.toolchain === 'napi-cross'
          ? 'napi-cross'
          : 'native';
    if (ran !== toolchain) notes.push(`asked for ${toolchain}, napi-rs ran \`${cargoCommand}\``);
    toolchain = ran;
  }
  let binary: string | null = null;
  try {
    const inspected = inspectFileSync(output);
    if (inspected.ok) {
      binary = describeFacts(inspected.facts);
      const glibc = inspected.facts.glibc;
      if (toolchain === 'napi-cross' && glibc !== null && versionAbove(glibc, '2.17')) {
        notes.push(`napi-cross was asked, but the binary needs glibc ${glibc} (above its sysroot's 2.17): the host toolchain linked it`);
        toolchain = 'native';
      }
      const floor = /\.(\d+\.\d+)$/.exec(step.target)?.[1];
      if (toolchain === 'zig' && floor !== undefined && glibc !== null && versionAbove(glibc, floor)) {
        notes.push(`asked for glibc ${floor}, the binary needs ${glibc}`);
      }
      const macos = step.env.MACOSX_DEPLOYMENT_TARGET;
      if (spec.platform === 'darwin' && macos !== undefined && inspected.facts.macosMin && versionAbove(inspected.facts.macosMin, macos)) {
        notes.push(`asked for macOS ${macos}, the binary declares ${inspected.facts.macosMin}`);
      }
    } else binary = `not inspectable: ${inspected.error.message}`;
  } catch (error) {
    binary = `not inspectable: ${error instanceof Error ? error.message : String(error)}`;
  }
  return { toolchain, actualNote: notes.join('; '), binary };
}

/** Counts for a summary line. */
export function buildCounts(outcome: BuildOutcome): { built: number; skipped: number; failed: number } {
  const count = (s: BuildTargetResult['status']): number => outcome.result.targets.filter((t) => t.status === s).length;
  return { built: count('built'), skipped: count('skipped'), failed: count('failed') };
}
