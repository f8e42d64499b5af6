/**
 * `release --dry-run`: the whole release on a throwaway copy, publishing nothing.
 *
 *   plan → build (what this machine can) → staging copy → stage → verify → pack → sign (ephemeral key)
 *   → verify-manifest → report
 *
 * The plan is computed first and only read; what each stage did goes into the run record (src/run),
 * which this orchestrator writes and the report reads. Each stage gets its inputs explicitly.
 *
 * Between pack and sign: SBOMs (src/sbom) and the license/source policy (src/policy), both written
 * into the release dir and listed in its manifest, so the signature covers them.
 * After sign, the rehearsal (src/rehearsal): a publish to an embedded verdaccio on loopback, installs
 * with npm, pnpm, Bun and Deno, loads under Node, Deno and Bun, and a read-only plan against the
 * real registry (`rehearsal: false` skips it all, `offline: true` the real-registry plan).
 */
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { createPrivateKey } from 'node:crypto';
import path from 'node:path';
import { buildTargets, type BuildOutcome } from '../build/index.js';
import { loggerFromOnStep, silentLogger, stepper, type Logger } from '../log/index.js';
import type { ManifestBinary } from '../manifest/index.js';
import { loadPlan, type PolicyOverrides, type ReleasePlan } from '../plan/index.js';
import type { ReportSummary } from '../report/index.js';
import { stagePackages } from '../stage/index.js';
// The rehearsal (verdaccio, the registry client, undici) and the load stage are imported when they
// run: a `--no-rehearsal --offline --no-load` dry run does not pay for loading them.
import type { RuntimeLoader } from '../rehearsal/index.js';
import { startRun, withStage, type RunRecord } from '../run/index.js';
import { stagingCopy } from './staging.js';

export interface DryRunOptions {
  /** The root package directory (holds package.json with the napi config). */
  readonly cwd: string;
  /** The release dir: tarballs, manifest, signature and reports (default `<cwd>/dist/release`). */
  readonly outDir?: string;
  /** Collect binaries from a CI download dir instead of the napi-rs build output. */
  readonly artifactsDir?: string;
  /** Verify policy flags (win over the package's `napiShip.verify`). */
  readonly policy?: PolicyOverrides;
  /** Append the markdown report here (GitHub Actions sets `GITHUB_STEP_SUMMARY`). */
  readonly stepSummary?: string;
  /** Called as each step starts, for progress output (kept for callers without a logger). */
  readonly onStep?: (step: string) => void;
  /** Progress, detail and per-target timings (wins over `onStep`). */
  readonly logger?: Logger;
  /**
   * Build the targets this machine can build first, through @napi-rs/cli (default: true, except
   * with `artifactsDir`, whose binaries come from CI). Writes only `napi build`'s own output into
   * the root package (the `.node` files, the loader and typings it generates).
   */
  readonly build?: boolean;
  /**
   * After sign: publish to an embedded verdaccio, install with npm/pnpm/Bun/Deno, load under
   * Node/Deno/Bun, and plan against the real registry (src/rehearsal). Default true.
   */
  readonly rehearsal?: boolean;
  /** Load each staged binary this machine can run (the report's "loaded" column). Default true. */
  readonly load?: boolean;
  /** Skip the rehearsal's read-only plan against the real registry. */
  readonly offline?: boolean;
  /** The napi-rs config file (`-c/--config-path`), relative to `cwd`: its keys override package.json's napi. */
  readonly configPath?: string;
  /** How the rehearsal loads each install (default: the generic load script; see `RehearsalOptions.loader`). */
  readonly rehearsalLoader?: RuntimeLoader;
}

export interface DryRunResult {
  /** The plan of the staging copy the run carried out (what was to be done). */
  readonly plan: ReleasePlan;
  /** What each stage did (the report's input). */
  readonly run: RunRecord;
  readonly summary: ReportSummary;
  readonly files: { readonly markdown: string; readonly json: string; readonly releaseDir: string };
}

/**
 * The later stages' modules (verify, pack, the SBOM and policy, sign, the report: ~150 ms of loading),
 * fetched when the dry run starts: they load while the earlier stages wait on the core's threads,
 * where the main thread is otherwise idle, instead of before anything runs.
 */
function laterStages() {
  const modules = {
    verify: import('../verify/index.js'),
    verifyPolicy: import('../verify/policy.js'),
    pack: import('../pack/index.js'),
    sbomStage: import('../sbom/stage.js'),
    sbomPolicy: import('./sbom-policy.js'),
    sign: import('../sign/index.js'),
    report: import('../report/index.js'),
  };
  // A failed load is reported where the module is awaited, not as an unhandled rejection before it.
  for (const p of Object.values(modules)) p.catch(() => undefined);
  return modules;
}

export async function releaseDryRun(options: DryRunOptions): Promise<DryRunResult> {
  const later = laterStages();
  const log = options.logger ?? (options.onStep ? loggerFromOnStep(options.onStep) : silentLogger());
  const step = stepper(log);
  step('reading the release plan');
  const source = await loadPlan(options.cwd, options.configPath === undefined ? {} : { configPath: options.configPath });
  const build = options.build ?? options.artifactsDir === undefined;
  let built: BuildOutcome | null = null;
  if (build) {
    step(`building ${source.targets.length} targets with @napi-rs/cli (those this machine can build)`);
    built = await buildTargets(source, { logger: log });
  }
  const outDir = path.resolve(options.outDir ?? path.join(source.root.dir, 'dist', 'release'));
  const releaseDir = path.join(outDir, 'packages');
  const stagingDir = path.join(outDir, 'staging');
  await mkdir(outDir, { recursive: true });

  step('copying the release to a staging dir');
  const plan = await stagingCopy(source, stagingDir);
  let run = startRun(plan);
  if (built) run = withStage(run, 'build', built);

  step(`staging ${plan.targets.length} platform packages`);
  const staged = await stagePackages(plan, options.artifactsDir === undefined ? {} : { artifactsDir: options.artifactsDir });
  run = withStage(run, 'stage', staged);

  step('verifying every target');
  const { resolvePolicy } = await later.verifyPolicy;
  const { verifyRelease } = await later.verify;
  const policy = resolvePolicy(plan.root.manifest, plan.root.config.verify, options.policy ?? {});
  // The binaries stage just hashed (hard links of the artifacts) are not read again for their digests.
  const knownDigests = new Map(staged.result.packages.flatMap((p) => (p.digests === null ? [] : [[p.binaryPath, p.digests] as const])));
  const verified = await verifyRelease(plan, policy, { knownDigests });
  run = withStage(run, 'verify', verified);

  step('packing reproducible tarballs');
  await rm(releaseDir, { recursive: true, force: true });
  const present = plan.targets.filter((t) => staged.result.packages.some((p) => p.triple === t.spec.triple));
  // The manifest's binaries are the facts verify already read: pack does not inspect them again.
  const binaries: ManifestBinary[] = verified.result.targets.flatMap((v) =>
    v.binaryPath !== null && v.facts !== null && v.digests !== null && present.some((t) => t.spec.triple === v.triple)
      ? [
          {
            target: v.platformArchABI,
            triple: v.triple,
            package: v.packageName,
            file: path.basename(v.binaryPath),
            size: v.digests.size,
            sha256: v.digests.sha256,
            integrity: v.digests.integrity,
            facts: v.facts,
          },
        ]
      : [],
  );
  // napiShip.sbom.shipNpmSbom: the npm SBOM goes into the staged root package before it is packed.
  const { shipNpmSbomBeforePack } = await later.sbomStage;
  const { packStage } = await later.pack;
  const shippedSbom = await shipNpmSbomBeforePack(plan, source.root.dir);
  const packed = await packStage({
    outDir: releaseDir,
    binaries,
    packages: [
      { dir: plan.root.dir, kind: 'root', target: null },
      ...present.map((t) => ({ dir: t.packageDir, kind: 'platform' as const, target: t.spec.platformArchABI, triple: t.spec.triple })),
    ],
  });
  run = withStage(run, 'pack', packed);

  if (packed.ok) {
    // SBOMs and the policy report, from the real root dir's lockfiles; listed in the manifest before signing.
    const { runSbomAndPolicy } = await later.sbomPolicy;
    const { sbom, policy: licenses } = await runSbomAndPolicy(plan, {
      rootDir: source.root.dir,
      releaseDir,
      verified,
      staged,
      earlier: shippedSbom,
      onStep: (s) => {
        step(s);
      },
    });
    run = withStage(run, 'sbom', sbom);
    if (licenses !== null) run = withStage(run, 'policy', licenses);

    step('signing the manifest with a throwaway key and checking the signed release');
    const { generateKeyPair, signStage } = await later.sign;
    const keys = generateKeyPair();
    // A tarball re-used from the cache whose bytes passed this check in an earlier dry run is hashed
    // against the signed manifest, not inflated again; those inflated now are marked once they pass.
    const cache = packed.result?.cache ?? null;
    const checkedBefore = new Map(
      (cache?.tarballs ?? []).flatMap((t) => (t.checked === null ? [] : [[t.tarball, { sha256: t.sha256, checked: t.checked }] as const])),
    );
    const signed = await signStage(releaseDir, createPrivateKey(keys.privateKeyPem), keys.publicKeyPem, { checkedBefore });
    run = withStage(run, 'sign', signed);
    if (signed.ok && cache !== null && packed.result !== null) await (await later.pack).markTarballsChecked(cache, packed.result.packages);
  }

  if (options.rehearsal !== false) {
    step('rehearsing the publish on an embedded registry, then installs and loads');
    const { rehearse } = await import('../rehearsal/index.js');
    run = withStage(
      run,
      'rehearsal',
      await rehearse({
        plan,
        releaseDir: packed.ok ? releaseDir : null,
        outDir,
        projectDir: source.root.dir,
        offline: options.offline === true,
        ...(options.rehearsalLoader === undefined ? {} : { loader: options.rehearsalLoader }),
        onStep: (s) => {
          step(s);
        },
      }),
    );
  }

  const stagedPackages = run.stages.stage?.result.packages ?? [];
  if (stagedPackages.length > 0 && options.load !== false) {
    step('loading each staged binary this machine can run (natively, or under qemu)');
    const hostTarget =
      plan.targets.find(
        (t) =>
          t.spec.platform === process.platform && t.spec.arch === process.arch && (process.platform !== 'linux' || t.spec.abi === 'gnu'),
      )?.spec.platformArchABI ?? null;
    const { loadTargets } = await import('../load/index.js');
    run = withStage(
      run,
      'load',
      await loadTargets(stagedPackages, { hostTarget, rehearsalLoads: run.stages.rehearsal?.result.loads ?? [] }),
    );
  }

  step('writing the report');
  const { renderJson, renderMarkdown, summarize } = await later.report;
  const markdown = renderMarkdown(run);
  const files = { markdown: path.join(outDir, 'report.md'), json: path.join(outDir, 'plan.json'), releaseDir };
  await writeFile(files.markdown, markdown);
  await writeFile(files.json, renderJson(run));
  if (options.stepSummary) await appendFile(options.stepSummary, markdown);
  step.end();
  return { plan, run, summary: summarize(run), files };
}
