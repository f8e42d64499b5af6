/**
 * The rehearsal inside `release --dry-run`, after pack and sign:
 *
 *   embedded registry (verdaccio on loopback, started and stopped here)
 *     → publish the release (or a rehearsal root pinning only the built targets) with `publishRelease`
 *     → install the root from it with npm, pnpm, Bun and Deno (`npm:` specifiers) into scratch projects
 *     → load it under Node.js, Deno and Bun from each install
 *   and, read-only, the plan against the real registry (skipped with --offline or when unreachable).
 *
 * Never throws for a failed step: everything ends up in the `RehearsalOutcome` and its diagnostics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { diagnostic, DiagnosticError, errorMessage, hasErrors, outcome, type Diagnostic } from '../diagnostics/index.js';
import { hostBinary, hostName } from '../manifest/host.js';
import type { ReleaseManifest } from '../manifest/index.js';
import { readManifest } from '../manifest/read.js';
import type { ReleasePlan } from '../plan/index.js';
import { publishRelease } from '../publish/index.js';
import { RegistryClient } from '../registry/client.js';
import { mapPool } from '../util/pool.js';
import { ownDir } from './exec.js';
import { findTool, installWith, type InstallTarget, type Tool } from './install.js';
import { loadGeneric, writeLoadScript, type LoadJob, type RuntimeLoader } from './load.js';
import { planRealRegistry, realRegistryUrl, type NotBuilt } from './real-registry.js';
import { NO_VERDACCIO_HINT, resolveVerdaccio, startRegistry, verdaccioSearchDirs, type Registry } from './registry.js';
import { prepareRehearsalRelease, type PreparedRelease } from './release.js';
import {
  INSTALLERS,
  RUNTIMES,
  type Installer,
  type InstallResult,
  type LoadResult,
  type PublishedPackage,
  type RealRegistryPlan,
  type RehearsalOutcome,
  type RehearsalRecord,
  type Runtime,
} from './types.js';
import { loadNpmSettings } from '../registry/npm-config.js';

export * from './types.js';
export { hostBinary } from '../manifest/host.js';
export {
  resolveVerdaccio,
  startRegistry,
  portOpen,
  verdaccioSearchDirs,
  NO_VERDACCIO_HINT,
  type Registry,
  type VerdaccioInstall,
} from './registry.js';
export { prepareRehearsalRelease, rehearsalLabel, limitPins, type PreparedRelease } from './release.js';
export { planRealRegistry, realRegistryUrl, type NotBuilt, type RealPlanInput } from './real-registry.js';
export { findTool, installWith, prepareProject, installerCandidates, LOCKFILES, type InstallTarget, type Tool } from './install.js';
export {
  LOAD_SCRIPT,
  loadCommand,
  loadGeneric,
  parseLoadLine,
  parseResultLine,
  runtimeCommand,
  writeLoadScript,
  type LaunchOptions,
  type LoadJob,
  type RuntimeLoader,
} from './load.js';

export interface RehearsalOptions {
  /** The plan of the (staged) release: its root, and its platform package dirs as staged. */
  readonly plan: ReleasePlan;
  /** The release dir pack wrote (tarballs, release-manifest.json); `null` when nothing was packed. */
  readonly releaseDir: string | null;
  /** Where `rehearsal/` (the rehearsal root, its release dir and publish journal) is written. */
  readonly outDir: string;
  /** The project being released: verdaccio, Bun and Deno are looked up there first (then beside napi-ship). */
  readonly projectDir: string;
  /** Skip the plan against the real registry. */
  readonly offline?: boolean;
  /** Default: npm, pnpm, bun, deno. */
  readonly installers?: readonly Installer[];
  /** Default: node, deno, bun. */
  readonly runtimes?: readonly Runtime[];
  /** The real registry (default: see `realRegistryUrl`). */
  readonly realRegistry?: string;
  /** Where npm_config_registry is read (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Keep the scratch projects (default: removed). */
  readonly keepScratch?: boolean;
  /** Where verdaccio is looked up (default: the project, then napi-ship's own install); tests pass a fake. */
  readonly verdaccioSearchDirs?: readonly string[];
  /**
   * How each install is loaded under each runtime (default: the generic load script, which lists the
   * addon's exports). napi-ship's repo injects its smoke checks for its own core (scripts/lib/smoke.ts).
   */
  readonly loader?: RuntimeLoader;
  /** Loads in flight at once (default 4). */
  readonly concurrency?: number;
  readonly onStep?: (step: string) => void;
}

function skipped(
  note: string,
  realRegistry: RealRegistryPlan,
  diagnostics: Diagnostic[],
  started: number,
  extra: Partial<RehearsalRecord> = {},
): RehearsalRecord {
  return {
    status: hasErrors(diagnostics) ? 'fail' : 'skip',
    note,
    registry: null,
    verdaccio: null,
    release: null,
    published: [],
    installs: [],
    loads: [],
    realRegistry,
    diagnostics,
    durationMs: Math.round(performance.now() - started),
    ...extra,
  };
}

/** Rehearse the release of `options.plan`. Never throws for a failed step. */
export async function rehearse(options: RehearsalOptions): Promise<RehearsalOutcome> {
  const { diagnostics, ...result } = await rehearseSteps(options);
  return outcome(result, diagnostics);
}

async function rehearseSteps(options: RehearsalOptions): Promise<RehearsalRecord> {
  const started = performance.now();
  const step = options.onStep ?? ((): void => undefined);
  const plan = options.plan;
  const diagnostics: Diagnostic[] = [];
  // npm's config where the project is: which registry a real publish would ask, and through which TLS
  // and proxy settings (the plan's reads are anonymous: no credentials are taken from it).
  const npm = await loadNpmSettings({ cwd: options.projectDir, env: options.env ?? process.env }).catch(() => null);
  const registrySetting =
    options.realRegistry === undefined
      ? realRegistryUrl(plan.root.manifest, options.env ?? process.env, npm?.values ?? {})
      : { url: options.realRegistry, source: 'realRegistry option' };
  const noRealPlan: RealRegistryPlan = {
    registry: registrySetting.url,
    registrySource: registrySetting.source,
    status: 'skip',
    note: 'nothing was packed',
    packages: [],
  };

  if (options.releaseDir === null) {
    return skipped('nothing to rehearse: the pack stage did not produce a release', noRealPlan, diagnostics, started);
  }
  const releaseDir = options.releaseDir;
  let realManifest: ReleaseManifest;
  try {
    realManifest = await readManifest(releaseDir, { code: 'NS_REHEARSAL_RELEASE', hint: 'run the dry run again' });
  } catch (error) {
    if (!(error instanceof DiagnosticError)) throw error;
    diagnostics.push(...error.diagnostics);
    return skipped('nothing to rehearse: the release manifest cannot be read', noRealPlan, diagnostics, started);
  }
  const builtNames = new Set(realManifest.packages.filter((p) => p.kind === 'platform').map((p) => p.name));
  const notBuilt: NotBuilt[] = plan.targets
    .filter((t) => !builtNames.has(t.packageName))
    .map((t) => ({ target: t.spec.platformArchABI, packageName: t.packageName, version: plan.root.version }));

  // The read-only plan against the real registry runs beside everything else (network-bound).
  step(
    options.offline === true
      ? 'skipping the plan against the real registry (--offline)'
      : `planning against ${registrySetting.url} (read-only)`,
  );
  const realPlan = planRealRegistry({
    manifest: realManifest,
    notBuilt,
    registry: registrySetting,
    offline: options.offline === true,
    env: options.env ?? process.env,
    ...(npm === null
      ? {}
      : {
          tls: { ca: npm.ca, cert: npm.cert, key: npm.key, strictSSL: npm.strictSSL },
          proxy: { proxy: npm.proxy, httpsProxy: npm.httpsProxy, noProxy: npm.noProxy },
        }),
  });
  const finish = async (
    outcome: Omit<RehearsalRecord, 'realRegistry' | 'durationMs' | 'status' | 'diagnostics'> & { status?: RehearsalRecord['status'] },
  ): Promise<RehearsalRecord> => {
    const real = await realPlan;
    const all = [...diagnostics, ...real.diagnostics];
    const status = outcome.status ?? (hasErrors(all) ? 'fail' : 'ok');
    return { ...outcome, status, realRegistry: real.plan, diagnostics: all, durationMs: Math.round(performance.now() - started) };
  };
  const empty = { registry: null, verdaccio: null, release: null, published: [], installs: [], loads: [] };

  if (builtNames.size === 0) {
    diagnostics.push(
      diagnostic({
        code: 'NS_REHEARSAL_NOTHING_BUILT',
        severity: 'warning',
        message: 'no target was built here: there is nothing to install or load',
        hint: 'build the host target first (napi build, or napi-ship build)',
      }),
    );
    return finish({ ...empty, status: 'skip', note: 'no target was built here' });
  }
  const verdaccio = resolveVerdaccio(options.verdaccioSearchDirs ?? verdaccioSearchDirs(options.projectDir));
  if (verdaccio === null) {
    diagnostics.push(
      diagnostic({
        code: 'NS_REHEARSAL_NO_VERDACCIO',
        severity: 'warning',
        subject: options.projectDir,
        message: 'rehearsal skipped: verdaccio is not installed',
        hint: NO_VERDACCIO_HINT,
      }),
    );
    return finish({ ...empty, status: 'skip', note: `skipped: ${NO_VERDACCIO_HINT}` });
  }

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-rehearsal-'));
  let registry: Registry | null = null;
  try {
    const toolDirs = [options.projectDir, ownDir];
    const installers = options.installers ?? INSTALLERS;
    const runtimes = options.runtimes ?? RUNTIMES;
    step(`starting the embedded registry (verdaccio ${verdaccio.version} on 127.0.0.1) and preparing the rehearsal release`);
    const wanted = [...new Set<Installer>([...installers, ...runtimes.filter((r): r is 'deno' | 'bun' => r !== 'node')])];
    const [started_, prepared, tools] = await Promise.allSettled([
      startRegistry({ verdaccio }),
      prepareRehearsalRelease(plan, releaseDir, path.join(options.outDir, 'rehearsal')),
      Promise.all(wanted.map((i) => findTool(i, toolDirs, scratch))),
    ]);
    if (started_.status === 'fulfilled') registry = started_.value;
    if (started_.status === 'rejected' || prepared.status === 'rejected' || tools.status === 'rejected') {
      for (const r of [started_, prepared, tools]) {
        if (r.status === 'rejected') {
          const reason: unknown = r.reason;
          diagnostics.push(
            ...(reason instanceof DiagnosticError
              ? reason.diagnostics
              : [
                  diagnostic({
                    code: 'NS_REHEARSAL_FAILED',
                    message: errorMessage(reason),
                    hint: 'see the message; rerun with --no-rehearsal to skip the rehearsal',
                  }),
                ]),
          );
        }
      }
      return await finish({
        ...empty,
        verdaccio: verdaccio.version,
        registry: registry?.url ?? null,
        release: prepared.status === 'fulfilled' ? releaseOnly(prepared.value) : null,
        note: 'the rehearsal could not start',
      });
    }
    const reg = started_.value;
    const release = prepared.value;
    const toolOf = new Map(tools.value.map((t) => [t.installer, t]));

    // Publish through the real publish path: preflight, platforms under the staging tag, read-back, their tags, the root.
    step(`publishing ${String(release.manifest.packages.length)} package(s) to ${reg.url} with napi-ship publish`);
    const published = await publishTo(reg, release, options.outDir, diagnostics);
    if (published === null) {
      return await finish({
        ...empty,
        verdaccio: verdaccio.version,
        registry: reg.url,
        release: releaseOnly(release),
        note: 'the rehearsal publish failed',
      });
    }

    const root = release.manifest.packages.find((p) => p.kind === 'root');
    if (root === undefined) {
      diagnostics.push(
        diagnostic({
          code: 'NS_REHEARSAL_RELEASE',
          subject: release.dir,
          message: 'the rehearsal release has no root package',
          hint: 'a bug in napi-ship: please report it',
        }),
      );
      return await finish({
        ...empty,
        verdaccio: verdaccio.version,
        registry: reg.url,
        release: releaseOnly(release),
        published,
        note: 'nothing to install',
      });
    }
    const host = hostBinary(release.manifest.binaries);
    const hostPackage = release.manifest.packages.find((p) => p.name === host?.package);
    const target: InstallTarget = {
      name: root.name,
      version: root.version,
      registry: reg.url,
      platformPackages: release.manifest.packages.filter((p) => p.kind === 'platform').map((p) => p.name),
      integrities: [root.integrity, ...(hostPackage ? [hostPackage.integrity] : [])],
    };
    step(`installing ${root.name}@${root.version} from the embedded registry with ${installers.join(', ')}`);
    const installs = await Promise.all(
      installers.map((i) => installWith(toolOf.get(i) ?? { installer: i, executable: null, version: null, hint: '' }, scratch, target)),
    );
    for (const i of installs) {
      if (i.status === 'fail')
        diagnostics.push(
          diagnostic({
            code: 'NS_REHEARSAL_INSTALL',
            subject: i.installer,
            message: `${i.installer} could not install ${root.name}@${root.version} from the embedded registry: ${i.detail}`,
            hint: `rerun by hand in a scratch dir: ${i.command.join(' ')}`,
          }),
        );
      if (i.status === 'skip')
        diagnostics.push(
          diagnostic({
            code: 'NS_REHEARSAL_TOOL_MISSING',
            severity: 'warning',
            subject: i.installer,
            message: `${i.installer} not rehearsed: ${i.detail}`,
            hint: toolOf.get(i.installer)?.hint ?? '',
          }),
        );
    }
    // The registry is no longer needed: stop it before the loads (Bun and Deno must not reach it anyway).
    await reg.stop();

    const loads = await loadAll(
      installs,
      runtimes,
      toolOf,
      host === null ? null : host.target,
      release,
      root.name,
      options,
      scratch,
      diagnostics,
    );
    return await finish({
      registry: reg.url,
      verdaccio: verdaccio.version,
      release: releaseOnly(release),
      published,
      installs,
      loads,
      note: host === null ? `no package for this host (${hostName()}) was built: installed, not loaded` : '',
    });
  } catch (error) {
    // Not a failed step (those are results) but something unexpected: reported, never thrown.
    diagnostics.push(
      ...(error instanceof DiagnosticError
        ? error.diagnostics
        : [
            diagnostic({
              code: 'NS_REHEARSAL_FAILED',
              message: `the rehearsal stopped: ${errorMessage(error)}`,
              hint: 'rerun with --no-rehearsal to skip it, and please report this',
            }),
          ]),
    );
    return await finish({
      ...empty,
      verdaccio: verdaccio.version,
      registry: registry?.url ?? null,
      note: 'the rehearsal stopped unexpectedly',
    });
  } finally {
    if (registry !== null) await registry.stop();
    if (options.keepScratch !== true) await rm(scratch, { recursive: true, force: true });
  }
}

function releaseOnly(r: PreparedRelease): RehearsalRecord['release'] {
  const { dir, kind, pinned, missing, label, platformTarballsIdentical } = r;
  return { dir, kind, pinned, missing, label, platformTarballsIdentical };
}

async function publishTo(
  reg: Registry,
  release: PreparedRelease,
  outDir: string,
  diagnostics: Diagnostic[],
): Promise<PublishedPackage[] | null> {
  let result;
  const client = new RegistryClient({ registry: reg.url, token: reg.token, timeoutMs: 30_000, retries: 2 });
  try {
    result = await publishRelease({
      releaseDir: release.dir,
      client,
      journalPath: path.join(outDir, 'rehearsal', 'publish-journal.jsonl'),
      concurrency: 4,
    });
  } catch (error) {
    diagnostics.push(
      ...(error instanceof DiagnosticError
        ? error.diagnostics
        : [
            diagnostic({
              code: 'NS_REHEARSAL_PUBLISH',
              subject: reg.url,
              message: `the rehearsal publish threw: ${errorMessage(error)}`,
              hint: 'a bug in napi-ship publish: please report it',
            }),
          ]),
    );
    return null;
  } finally {
    await client.close();
  }
  if (!result.ok) {
    diagnostics.push(...result.diagnostics);
    if (!hasErrors(result.diagnostics)) {
      diagnostics.push(
        diagnostic({
          code: 'NS_REHEARSAL_PUBLISH',
          subject: reg.url,
          message: `the rehearsal publish ended "${result.result.outcome}"`,
          hint: 'see the publish journal in <out>/rehearsal/',
        }),
      );
    }
    return null;
  }
  return result.result.packages.map((p) => ({
    name: p.name,
    version: p.version,
    kind: p.kind,
    target: p.target,
    integrity: p.integrity,
    action: p.action === 'published' ? 'published' : 'already-there',
  }));
}

async function loadAll(
  installs: readonly InstallResult[],
  runtimes: readonly Runtime[],
  toolOf: ReadonlyMap<Installer, Tool>,
  hostTarget: string | null,
  release: PreparedRelease,
  rootName: string,
  options: RehearsalOptions,
  scratch: string,
  diagnostics: Diagnostic[],
): Promise<LoadResult[]> {
  const jobs: LoadJob[] = installs.flatMap((i) =>
    runtimes.map((runtime): LoadJob => {
      const tool = runtime === 'node' ? null : toolOf.get(runtime);
      const executable = runtime === 'node' ? process.execPath : (tool?.executable ?? null);
      const version = runtime === 'node' ? process.versions.node : (tool?.version ?? null);
      return {
        installer: i.installer,
        runtime,
        packageDir: i.packageDir,
        executable,
        runtimeVersion: version,
        missing: `${runtime} not found: ${tool?.hint ?? ''}`,
      };
    }),
  );
  const skip = (job: LoadJob, detail: string): LoadResult => ({
    installer: job.installer,
    runtime: job.runtime,
    runtimeVersion: job.runtimeVersion,
    status: 'skip',
    mode: 'load',
    detail,
    checks: [],
    command: [],
    durationMs: 0,
  });
  const installOf = new Map(installs.map((i) => [i.installer, i]));
  if (hostTarget === null) {
    diagnostics.push(
      diagnostic({
        code: 'NS_REHEARSAL_NO_HOST_PACKAGE',
        severity: 'note',
        message: `no package for this host (${hostName()}) is in the release (${release.pinned.join(', ')}): the installs ran, the loads were skipped`,
        hint: 'rehearse on a machine of one of the built targets',
      }),
    );
    return jobs.map((j) => skip(j, `no package for this host (${hostName()}) in the release`));
  }
  const loader = options.loader ?? null;
  const loadScript = await writeLoadScript(scratch);
  const home = path.join(scratch, 'home-loads');
  const runnable = jobs.filter((j) => installOf.get(j.installer)?.status === 'ok');
  options.onStep?.(
    `loading the installed root under ${runtimes.join(', ')} (${String(runnable.length)} loads${loader ? `, ${loader.label}` : ''})`,
  );
  const loads = await mapPool(jobs, options.concurrency ?? 4, async (job) => {
    const install = installOf.get(job.installer);
    if (install?.status !== 'ok')
      return skip(job, install?.status === 'skip' ? `${job.installer} not rehearsed` : `${job.installer} install failed`);
    return loader ? loader.load(job) : loadGeneric(job, loadScript, home);
  });
  for (const l of loads) {
    if (l.status === 'fail')
      diagnostics.push(
        diagnostic({
          code: 'NS_REHEARSAL_LOAD',
          subject: `${l.installer} → ${l.runtime}`,
          message: `${rootName} installed by ${l.installer} does not load under ${l.runtime}: ${l.detail}`,
          hint: `rerun by hand: ${l.command.join(' ')}`,
        }),
      );
  }
  // Runtimes whose executable is missing, under an install that worked (their loads were skipped for it).
  const missingRuntimes = new Set(
    jobs.filter((j) => j.executable === null && installOf.get(j.installer)?.status === 'ok').map((j) => j.runtime),
  );
  for (const r of missingRuntimes) {
    if (!installs.some((i) => (i.installer as string) === r && i.status === 'skip')) {
      diagnostics.push(
        diagnostic({
          code: 'NS_REHEARSAL_TOOL_MISSING',
          severity: 'warning',
          subject: r,
          message: `${r} not found: loads under ${r} skipped`,
          hint: r === 'node' ? '' : (toolOf.get(r)?.hint ?? ''),
        }),
      );
    }
  }
  return loads;
}
