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
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import type { PlannedTarget, ReleasePlan } from '../plan/index.js';
import { lookupTarget } from '../targets/index.js';
import { probeHost } from './host.js';
import { makeStaging, placeOutputs, removeStaging } from './outputs.js';
import { runNapiBuild } from './runner.js';
import { chooseToolchain, napiCommand, toolchainOptions } from './toolchain.js';
import type { BuildHost, BuildOutcome, BuildTargetResult } from './types.js';

export type { BuildHost, BuildOutcome, BuildStatus, BuildTargetResult, Toolchain } from './types.js';
export { chooseToolchain, napiCommand, type BuildChoice } from './toolchain.js';
export { probeHost, resolveNapiCli } from './host.js';

export interface BuildOptions {
  /** Which of the plan's targets to build (triples); default: all of `napi.targets`. */
  readonly targets?: readonly string[];
  /** Release profile (default) or debug. */
  readonly release?: boolean;
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
    napiCli: null,
  };
}

/** cargo's first `error…` line among the last lines it printed. */
function firstError(tail: readonly string[]): string | undefined {
  return tail.find((l) => /^error(\[|:)/.test(l.trim()));
}

export async function buildTargets(plan: ReleasePlan, options: BuildOptions = {}): Promise<BuildOutcome> {
  const logger = options.logger ?? silentLogger();
  const release = options.release ?? true;
  const cwd = plan.root.dir;
  const wanted = selectTargets(plan, options.targets ?? []).targets;
  const manifest = path.join(cwd, 'Cargo.toml');
  const manifestPath = existsSync(manifest) ? manifest : null;
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

  const diagnostics: Diagnostic[] = [];
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

  if (manifestPath === null) {
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
    return { cwd, manifestPath, profile: release ? 'release' : 'debug', host, targets: results, diagnostics };
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

  const choices = wanted.map((t) => ({ t, choice: chooseToolchain(t.spec, host) }));
  const toBuild = choices.filter((c) => c.choice.kind === 'build').length;
  let n = 0;
  for (const { t, choice } of choices) {
    const abi = t.spec.platformArchABI;
    if (choice.kind === 'skip') {
      skip(t, choice.reason, choice.toolchain);
      continue;
    }
    n += 1;
    // The host target is built as `napi build` builds it by default, without `--target`: napi-rs
    // keys its type-def cache (and so cargo's fingerprint) on whether a target was given, and the
    // package's own `napi build --platform --release` script then stays a cargo no-op after us.
    const implicit = t.spec.triple === host.triple && !process.env.CARGO_BUILD_TARGET;
    const command = napiCommand(implicit ? null : t.spec.triple, choice.toolchain, release);
    const end = logger.step('build', { target: abi, message: `building ${abi} with ${choice.toolchain} (${n}/${toBuild})` });
    logger.debug(`${command}  (in ${cwd}, through @napi-rs/cli ${host.napiCli?.version ?? ''} ${host.napiCli?.entry ?? ''})`);
    if (choice.note) logger.warn(choice.note, { target: abi });
    // napi-rs writes into a staging dir; each output is then renamed over its place (outputs.ts).
    const staging = await makeStaging(cwd);
    let run: Awaited<ReturnType<typeof runNapiBuild>>;
    try {
      run = await runNapiBuild(
        {
          entry: host.napiCli?.entry ?? '',
          options: {
            cwd,
            outputDir: staging,
            ...(implicit ? {} : { target: t.spec.triple }),
            platform: true,
            release,
            ...toolchainOptions(choice.toolchain),
          },
        },
        cwd,
        logger,
        abi,
      );
      if (run.reply.ok) run = { ...run, reply: { ok: true, outputs: await placeOutputs(staging, cwd, run.reply.outputs) } };
    } finally {
      await removeStaging(staging);
    }
    const { reply, tail } = run;
    const output = reply.ok ? (reply.outputs.find((o) => o.kind === 'node')?.path ?? null) : null;
    if (reply.ok && output !== null && existsSync(output)) {
      const durationMs = end({ status: 'ok', message: `built ${path.basename(output)} with ${choice.toolchain}` });
      results.push({
        triple: t.spec.triple,
        platformArchABI: abi,
        status: 'built',
        toolchain: choice.toolchain,
        reason: choice.note,
        output,
        rustc: host.rustc,
        durationMs,
        command,
      });
      continue;
    }
    const why = reply.ok
      ? `napi build reported no .node file (outputs: ${reply.outputs.map((o) => o.path).join(', ') || 'none'})`
      : reply.message;
    const cargoError = firstError(tail);
    const reason = cargoError && !why.includes(cargoError) ? `${why}: ${cargoError.trim()}` : why;
    if (logger.level !== 'debug') for (const line of tail.slice(-12)) logger.info(line, { target: abi });
    const durationMs = end({ status: 'failed', message: `${abi} failed: ${reason}` });
    diagnostics.push(
      diagnostic({
        code: 'NS_BUILD_FAILED',
        target: abi,
        subject: manifestPath,
        message: `napi build for ${t.spec.triple} (${choice.toolchain}) failed: ${reason}`,
        hint: `run \`${command}\` in ${cwd} for cargo's full output, or rerun with --verbose`,
      }),
    );
    results.push({
      triple: t.spec.triple,
      platformArchABI: abi,
      status: 'failed',
      toolchain: choice.toolchain,
      reason,
      output: null,
      rustc: host.rustc,
      durationMs,
      command,
    });
  }
  return { cwd, manifestPath, profile: release ? 'release' : 'debug', host, targets: results, diagnostics };
}

/** Counts for a summary line. */
export function buildCounts(outcome: BuildOutcome): { built: number; skipped: number; failed: number } {
  const count = (s: BuildTargetResult['status']): number => outcome.targets.filter((t) => t.status === s).length;
  return { built: count('built'), skipped: count('skipped'), failed: count('failed') };
}
