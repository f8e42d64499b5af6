/**
 * `publishRelease`: carry out the publish plan against a registry, journaling every step.
 *
 * The registry is the only source of truth. Each run (a first run, `--resume`, or a plain re-run
 * after a crash) starts with a preflight read of every package and plans from what it sees, so a
 * step already done is never redone and a step half done is finished. The journal remembers the
 * requested dist-tag and records what happened, for people and for `--resume`.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { areaOf, diagnostic, DiagnosticError, errorMessage, type Diagnostic, type Outcome } from '../diagnostics/index.js';
import type { ReleaseManifest } from '../manifest/index.js';
import type { RegistryClient } from '../registry/client.js';
import { publishState } from '../registry/packument.js';
import { displayUrl } from '../registry/url.js';
import { hasRunOfOtherManifest, Journal, JOURNAL_FILE, lastRunFor, readJournal } from './journal.js';
import {
  conflictDiagnostics,
  DEFAULT_STAGING_TAG,
  defaultTag,
  invalidTag,
  planPublish,
  type PackageKind,
  type Preflight,
  type PreflightPackage,
  type PreflightState,
  type PublishPlan,
  type PublishStep,
} from './plan.js';
import { mapPool } from '../util/pool.js';
import type { Attestation, AttestInput } from './attest.js';
import type { SigstoreEndpoints } from './provenance.js';
import { checkProvenanceBundle, provenanceBlockers, provenanceSubject, type ProvenanceSource } from './provenance.js';
import { loadRelease, type LoadedRelease, type LoadReleaseResult, type ReleasePackage } from './release.js';
import { DEFAULT_REGISTRY_CONCURRENCY } from '../util/registry-defaults.js';

/** What publishing needs of a registry client (`RegistryClient` has it all). */
export type PublishClient = Pick<RegistryClient, 'registry' | 'getPackument' | 'publish' | 'getDistTags' | 'setDistTag' | 'removeDistTag'>;

export type PublishEvent =
  | {
      readonly type: 'resume';
      readonly journal: string;
      readonly previousRecords: number;
      readonly previousTag: string;
      readonly finished: boolean;
    }
  | { readonly type: 'preflight'; readonly package: string; readonly version: string; readonly state: PreflightState }
  | { readonly type: 'phase'; readonly phase: 'platforms' | 'root' | 'tags' | 'cleanup' }
  | { readonly type: 'attested'; readonly package: string; readonly version: string; readonly logIndex: string | null }
  | { readonly type: 'publishing'; readonly package: string; readonly version: string; readonly tag: string }
  | { readonly type: 'published'; readonly package: string; readonly version: string; readonly state: 'published' | 'already-present' }
  | {
      readonly type: 'waiting';
      readonly package: string;
      readonly version: string;
      readonly attempt: number;
      readonly waitMs: number;
      readonly reason: string;
    }
  | { readonly type: 'verified'; readonly package: string; readonly version: string; readonly integrity: string; readonly attempts: number }
  | { readonly type: 'tagged'; readonly package: string; readonly tag: string; readonly version: string }
  | { readonly type: 'untagged'; readonly package: string; readonly tag: string }
  | {
      readonly type: 'conflict';
      readonly package: string;
      readonly version: string;
      readonly ours: string;
      readonly theirs: string | null;
    };

export interface PublishOptions {
  readonly releaseDir: string;
  readonly client: PublishClient;
  /** Default: the tag the journal recorded for this release, else `next` for prereleases, else `latest`. */
  readonly tag?: string;
  /** Default `napi-ship-staging`. */
  readonly stagingTag?: string;
  /** Default `<releaseDir>/publish-journal.jsonl`. */
  readonly journalPath?: string;
  /** Packages in flight at once (default 4). */
  readonly concurrency?: number;
  /** Preflight and plan only: no registry writes, no journal. */
  readonly dryRun?: boolean;
  /** Continue the journal's run: refuse when the journal has none for this release, or `tag` differs from its tag. */
  readonly resume?: boolean;
  /** SPKI PEM: the manifest must carry a valid signature by this key. */
  readonly publicKeyPem?: string;
  readonly access?: 'public' | 'restricted';
  /** How long to wait for a published version to show with our integrity (default 120 s). */
  readonly readBackTimeoutMs?: number;
  readonly onEvent?: (e: PublishEvent) => void;
  /** The release, already read by `loadRelease` (with the same key); read here when absent. */
  readonly loaded?: LoadReleaseResult;
  /**
   * npm provenance: every package this run publishes carries a signed SLSA provenance attestation,
   * all made before the first write; when one cannot be made, nothing is written.
   */
  readonly provenance?: ProvenanceOptions;
}

export interface ProvenanceOptions {
  /** Which setting asked for it (reported). */
  readonly source: ProvenanceSource;
  /** The CI environment: the OIDC token request, the workflow facts the statement records. */
  readonly env: NodeJS.ProcessEnv;
  readonly endpoints?: SigstoreEndpoints;
  /** The signer (default `attestPackages`: Fulcio + Rekor through @sigstore/sign). */
  readonly attest?: (input: AttestInput) => Promise<Attestation[]>;
}

export interface ProvenanceOutcome {
  readonly source: ProvenanceSource;
  /** Dry run: whether a real run could make it here (no blocker found). */
  readonly possible: boolean;
  /** The packages whose publish carried an attestation, with the Rekor log index. */
  readonly attested: readonly { readonly name: string; readonly version: string; readonly logIndex: string | null }[];
}

export type PublishOutcome =
  /** Everything is on the registry, verified, tagged; the staging tag is gone. */
  | 'published'
  /** `dryRun`: preflight and plan only. */
  | 'dry-run'
  /** Another tarball is already published under one of our versions: nothing (more) was published. */
  | 'conflict'
  /** The release dir failed a check (signature, tarball bytes, completeness, tag): nothing was read or written. */
  | 'refused'
  /** A published version did not show with our integrity in time; the root was not published, unless it was the root's own read-back. */
  | 'not-visible';

export interface PackageOutcome {
  readonly name: string;
  readonly version: string;
  readonly kind: PackageKind;
  readonly target: string | null;
  readonly integrity: string;
  /** Where the registry stood before this run. */
  readonly before: PreflightState;
  readonly action: 'published' | 'already-present' | 'none';
  readonly verified: boolean;
  /** Tags this run pointed at the version. */
  readonly tagged: readonly string[];
  readonly stagingTagRemoved: boolean;
}

/** What a publish run did (the `result` of its outcome). */
export interface PublishReport {
  readonly outcome: PublishOutcome;
  readonly name: string | null;
  readonly version: string | null;
  readonly tag: string | null;
  readonly stagingTag: string;
  /** The registry URL, without credentials. */
  readonly registry: string;
  readonly releaseDir: string;
  /** `null` for a dry run or a refused release (no journal is written then). */
  readonly journalPath: string | null;
  /** The journal held an earlier run of this release. */
  readonly resumed: boolean;
  readonly signature: LoadedRelease['signature'];
  readonly preflight: Preflight | null;
  readonly plan: PublishPlan | null;
  readonly packages: readonly PackageOutcome[];
  /** `null` when provenance was not asked for. */
  readonly provenance: ProvenanceOutcome | null;
}

/** The publish stage's outcome: `ok`, the diagnostics, and what it did. */
export type PublishResult = Outcome<PublishReport>;

/** What `publish --json` prints: the outcome, flat (the verdict, what the run did, the diagnostics). */
export type PublishJson = { readonly ok: boolean; readonly diagnostics: readonly Diagnostic[] } & PublishReport;

export function publishJson(o: PublishResult): PublishJson {
  return { ok: o.ok, ...o.result, diagnostics: o.diagnostics };
}

/** Control flow inside a run: stop and report (not a crash). */
class Stop extends Error {
  readonly outcome: 'conflict' | 'not-visible';
  readonly diagnostics: readonly Diagnostic[];

  constructor(outcome: 'conflict' | 'not-visible', diagnostics: readonly Diagnostic[]) {
    super(diagnostics[0]?.message ?? outcome);
    this.outcome = outcome;
    this.diagnostics = diagnostics;
  }
}

function isRegistryTrouble(error: unknown): error is DiagnosticError {
  return error instanceof DiagnosticError && error.diagnostics.some((d) => areaOf(d.code) === 'registry');
}

/** Read-only: where every package of the release stands on the registry. */
export async function preflight(
  manifest: ReleaseManifest,
  client: Pick<RegistryClient, 'registry' | 'getPackument'>,
  options: { readonly concurrency?: number } = {},
): Promise<Preflight> {
  const packages = await mapPool(
    manifest.packages,
    options.concurrency ?? DEFAULT_REGISTRY_CONCURRENCY,
    async (p): Promise<PreflightPackage> => {
      const packument = await client.getPackument(p.name);
      const state = publishState(packument, p.version, p.integrity);
      return {
        name: p.name,
        version: p.version,
        kind: p.kind,
        target: p.target,
        integrity: p.integrity,
        state: state.state,
        theirs: state.state === 'different' ? state.theirs : state.state === 'same' ? state.integrity : null,
        distTags: packument?.distTags ?? {},
      };
    },
  );
  return { registry: displayUrl(client.registry), name: manifest.name, version: manifest.version, packages };
}

export interface ReadBackOptions {
  readonly timeoutMs: number;
  readonly onWait?: (attempt: number, waitMs: number, reason: string) => void;
  /** First wait (default 100 ms), doubled each time up to `maxWaitMs` (default 4 s), with jitter. */
  readonly firstWaitMs?: number;
  readonly maxWaitMs?: number;
  /** What the not-visible diagnostic says followed (default: "the root was not published"). */
  readonly consequence?: string;
}

/**
 * Read a package back until the registry shows `version` with `integrity`. Transient registry
 * trouble counts as "not yet"; other bytes are a conflict; running out of time is `not-visible`.
 */
export async function readBack(
  client: Pick<RegistryClient, 'getPackument'>,
  name: string,
  version: string,
  integrity: string,
  options: ReadBackOptions,
): Promise<number> {
  return (await readBackSeen(client, name, version, integrity, options)).attempts;
}

/** What a successful read-back saw: how many reads it took, and the dist-tags of that document. */
export interface ReadBackSeen {
  readonly attempts: number;
  readonly distTags: Readonly<Record<string, string>>;
}

/** `readBack`, also giving the dist-tags of the document that showed our integrity. */
export async function readBackSeen(
  client: Pick<RegistryClient, 'getPackument'>,
  name: string,
  version: string,
  integrity: string,
  options: ReadBackOptions,
): Promise<ReadBackSeen> {
  const started = Date.now();
  let wait = options.firstWaitMs ?? 100;
  const maxWait = options.maxWaitMs ?? 4000;
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    try {
      const packument = await client.getPackument(name);
      const state = publishState(packument, version, integrity);
      if (state.state === 'same') return { attempts: attempt, distTags: packument?.distTags ?? {} };
      if (state.state === 'different')
        throw new Stop('conflict', conflictDiagnostics([{ package: name, version, ours: integrity, theirs: state.theirs }]));
      reason = 'not visible yet';
    } catch (error) {
      if (!isRegistryTrouble(error)) throw error;
      reason = errorMessage(error);
    }
    const elapsed = Date.now() - started;
    if (elapsed >= options.timeoutMs) {
      throw new Stop('not-visible', [
        diagnostic({
          code: 'NS_PUBLISH_NOT_VISIBLE',
          subject: `${name}@${version}`,
          message: `${name}@${version} did not show on the registry with our integrity within ${String(Math.round(options.timeoutMs / 1000))} s (${String(attempt)} reads; last: ${reason}); ${options.consequence ?? 'the root was not published'}`,
          expected: integrity,
          found: reason,
          hint: 'run `napi-ship publish --resume` once the registry catches up; it re-checks every package and carries on',
        }),
      ]);
    }
    const jittered = Math.min(wait, options.timeoutMs - elapsed) * (0.5 + Math.random() / 2);
    const ms = Math.max(1, Math.round(jittered));
    options.onWait?.(attempt, ms, reason);
    await sleep(ms);
    wait = Math.min(wait * 2, maxWait);
  }
}

interface MutableOutcome {
  action: PackageOutcome['action'];
  verified: boolean;
  tagged: string[];
  stagingTagRemoved: boolean;
}

/** Publish a release dir: platform packages, verified, then the root, then the tags. */
export async function publishRelease(options: PublishOptions): Promise<PublishResult> {
  const emit = options.onEvent ?? ((): void => undefined);
  const releaseDir = path.resolve(options.releaseDir);
  const journalPath = path.resolve(options.journalPath ?? path.join(releaseDir, JOURNAL_FILE));
  const stagingTag = options.stagingTag ?? DEFAULT_STAGING_TAG;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_REGISTRY_CONCURRENCY));
  const registry = displayUrl(options.client.registry);
  const base = {
    stagingTag,
    registry,
    releaseDir,
    journalPath: null,
    resumed: false,
    signature: null,
    preflight: null,
    plan: null,
    packages: [],
    provenance: null,
  };
  const refuse = (
    diagnostics: readonly Diagnostic[],
    facts: { name?: string; version?: string; tag?: string; signature?: LoadedRelease['signature'] } = {},
  ): PublishResult => ({
    ok: false,
    diagnostics,
    result: {
      ...base,
      outcome: 'refused',
      name: facts.name ?? null,
      version: facts.version ?? null,
      tag: facts.tag ?? null,
      signature: facts.signature ?? null,
    },
  });

  const loaded =
    options.loaded ?? (await loadRelease(releaseDir, options.publicKeyPem === undefined ? {} : { publicKeyPem: options.publicKeyPem }));
  if (!loaded.ok) return refuse(loaded.diagnostics);
  const release = loaded.release;
  const { name, version } = release.manifest;
  const facts = { name, version, signature: release.signature };

  let journalRecords: Awaited<ReturnType<typeof readJournal>>['records'];
  try {
    journalRecords = (await readJournal(journalPath)).records;
  } catch (error) {
    return refuse(
      error instanceof DiagnosticError
        ? error.diagnostics.map((d) => ({
            ...d,
            hint: `${d.hint}; nothing was published (the journal must be a regular file: --journal FILE puts it elsewhere)`,
          }))
        : [
            diagnostic({
              code: 'NS_PUBLISH_JOURNAL',
              subject: journalPath,
              message: `cannot read the publish journal: ${errorMessage(error)}`,
              hint: 'nothing was published; fix or move the journal (--journal FILE)',
            }),
          ],
      facts,
    );
  }
  const previous = lastRunFor(journalRecords, { name, version, manifestSha256: release.manifestSha256 });
  // The journal is not signed: it never chooses the tag. The tag is --tag, else the one the signed
  // version implies; a resumed run whose journal names another tag must be told which (--tag).
  // `--resume` with no earlier run (a failure before the first write) simply starts.
  const tag = options.tag ?? defaultTag(version);
  const releaseKey = { name, version, manifestSha256: release.manifestSha256 };
  if (options.resume === true && previous === null && hasRunOfOtherManifest(journalRecords, releaseKey)) {
    return refuse(
      [
        diagnostic({
          code: 'NS_PUBLISH_JOURNAL_MANIFEST',
          subject: journalPath,
          message: `--resume: the journal's run of ${name}@${version} published another release-manifest.json; this release dir was packed again since`,
          expected: `a run of manifest sha256 ${release.manifestSha256}`,
          found: 'runs of another manifest only',
          hint: 'run without --resume: the new release is checked against the registry from scratch (other bytes under the version stop it)',
        }),
      ],
      { ...facts, tag },
    );
  }
  if (options.resume === true && previous !== null && tag !== previous.start.tag) {
    return refuse(
      [
        diagnostic({
          code: 'NS_PUBLISH_TAG_MISMATCH',
          subject: journalPath,
          message: `the run being resumed published under "${previous.start.tag}", but this run would use "${tag}"${options.tag === undefined ? ' (the default for this version)' : ''}`,
          expected: previous.start.tag,
          found: tag,
          hint: `pass --tag ${previous.start.tag} to carry on under it (the unsigned journal is never trusted to choose a tag), or run without --resume`,
        }),
      ],
      { ...facts, tag },
    );
  }
  for (const [what, t] of [
    ['--tag', tag],
    ['staging tag', stagingTag],
  ] as const) {
    const why = invalidTag(t);
    if (why !== null)
      return refuse(
        [
          diagnostic({
            code: 'NS_PUBLISH_TAG_INVALID',
            subject: t,
            message: `${what} "${t}" cannot be used: ${why}`,
            hint: 'use a word such as latest, next or beta',
          }),
        ],
        { ...facts, tag },
      );
  }
  if (tag === stagingTag || stagingTag === 'latest') {
    return refuse(
      [
        diagnostic({
          code: 'NS_PUBLISH_TAG_INVALID',
          subject: stagingTag,
          message: 'the staging tag must differ from the requested tag and from "latest"',
          hint: `keep the default staging tag "${DEFAULT_STAGING_TAG}"`,
        }),
      ],
      { ...facts, tag },
    );
  }
  if (previous !== null)
    emit({
      type: 'resume',
      journal: journalPath,
      previousRecords: previous.records.length,
      previousTag: previous.start.tag,
      finished: previous.finished,
    });

  // Provenance that cannot be made here stops the run before it reads or writes anything.
  const provenanceSource = options.provenance?.source ?? null;
  const blockers =
    options.provenance === undefined
      ? []
      : provenanceBlockers({
          env: options.provenance.env,
          registry: options.client.registry,
          access: options.access,
          source: options.provenance.source,
        });
  if (blockers.length > 0 && options.dryRun !== true) {
    const refused = refuse(blockers, { ...facts, tag });
    return {
      ...refused,
      result: { ...refused.result, provenance: { source: options.provenance?.source ?? '--provenance', possible: false, attested: [] } },
    };
  }
  const attestations = new Map<string, Attestation>();

  const pre = await preflight(release.manifest, options.client, { concurrency });
  for (const p of pre.packages) emit({ type: 'preflight', package: p.name, version: p.version, state: p.state });
  const plan = planPublish(pre, { tag, stagingTag });
  const outcomes = new Map<string, MutableOutcome>(
    pre.packages.map((p) => [p.name, { action: 'none', verified: false, tagged: [], stagingTagRemoved: false }]),
  );
  // `ok` is the run's verdict (a dry run with conflicts, a release not visible yet), not only "no error".
  const result = (outcome: PublishOutcome, ok: boolean, diagnostics: readonly Diagnostic[], journal: string | null): PublishResult => ({
    ok,
    diagnostics: [...loaded.diagnostics, ...diagnostics],
    result: {
      ...base,
      ...facts,
      outcome,
      tag,
      journalPath: journal,
      resumed: previous !== null,
      preflight: pre,
      plan,
      provenance:
        provenanceSource === null
          ? null
          : {
              source: provenanceSource,
              possible: blockers.length === 0,
              attested: [...attestations.values()]
                .filter((a) => outcomes.get(a.name)?.action === 'published')
                .map((a) => ({ name: a.name, version: a.version, logIndex: a.logIndex })),
            },
      packages: pre.packages.map((p) => {
        const o = outcomes.get(p.name) ?? { action: 'none', verified: false, tagged: [], stagingTagRemoved: false };
        return { name: p.name, version: p.version, kind: p.kind, target: p.target, integrity: p.integrity, before: p.state, ...o };
      }),
    },
  });
  if (options.dryRun === true) {
    for (const c of plan.conflicts) emit({ type: 'conflict', package: c.package, version: c.version, ours: c.ours, theirs: c.theirs });
    // A dry run says what would stop the real one, as warnings (it writes nothing either way).
    const wouldStop = blockers.map((d) => ({
      ...d,
      severity: 'warning' as const,
      message: `a real publish would stop here: ${d.message}`,
    }));
    return result('dry-run', plan.conflicts.length === 0, [...conflictDiagnostics(plan.conflicts), ...wouldStop], null);
  }

  // Every attestation is made (and checked against its tarball) before the first write, so a
  // signing failure cannot strand half a release.
  const publishingNames = new Set([...plan.phases.platformPublish, ...plan.phases.rootPublish].map((s) => s.package));
  if (options.provenance !== undefined && plan.conflicts.length === 0 && publishingNames.size > 0) {
    // The loaded tarballs were checked against the manifest's integrity: that is their sha512.
    const toSign = [...release.platforms, release.root]
      .filter((p) => publishingNames.has(p.entry.name))
      .map((p) => ({ name: p.entry.name, version: p.entry.version, integrity: p.entry.integrity }));
    try {
      // The sigstore stack (~80 ms to load) only when provenance is really made.
      const attest = options.provenance.attest ?? (await import('./attest.js')).attestPackages;
      const made = await attest({
        packages: toSign,
        env: options.provenance.env,
        ...(options.provenance.endpoints === undefined ? {} : { endpoints: options.provenance.endpoints }),
      });
      for (const p of toSign) {
        const a = made.find((m) => m.name === p.name && m.version === p.version);
        const label = `${p.name}@${p.version}`;
        const problems =
          a === undefined
            ? checkProvenanceBundle(null, provenanceSubject(p.name, p.version, p.integrity), label)
            : checkProvenanceBundle(a.bundle, provenanceSubject(p.name, p.version, p.integrity), label);
        if (a === undefined || problems.length > 0) throw new DiagnosticError(problems);
        attestations.set(p.name, a);
        emit({ type: 'attested', package: p.name, version: p.version, logIndex: a.logIndex });
      }
    } catch (error) {
      if (!(error instanceof DiagnosticError)) throw error;
      attestations.clear();
      return result('refused', false, error.diagnostics, null);
    }
  }

  let journal: Journal;
  try {
    journal = await Journal.open(journalPath, randomBytes(8).toString('hex'), release.manifestSha256);
  } catch (error) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_PUBLISH_JOURNAL',
        subject: journalPath,
        message: `cannot open the publish journal: ${errorMessage(error)}`,
        hint: 'nothing was published; make the release dir writable, or put the journal elsewhere (--journal FILE)',
      }),
    ]);
  }
  try {
    // The records before the first registry write go to disk together (one write, one fsync); the
    // first write still waits for all of them.
    const head: Promise<void>[] = [
      journal.append('start', {
        name,
        version,
        manifestSha256: release.manifestSha256,
        registry,
        tag,
        stagingTag,
        resume: options.resume === true,
        previousRun: previous?.start.run ?? null,
        pid: process.pid,
      }),
      ...pre.packages.map((p) =>
        journal.append('preflight', {
          package: p.name,
          version: p.version,
          kind: p.kind,
          state: p.state,
          integrity: p.integrity,
          theirs: p.theirs,
        }),
      ),
    ];
    if (plan.conflicts.length > 0) {
      for (const c of plan.conflicts) {
        emit({ type: 'conflict', package: c.package, version: c.version, ours: c.ours, theirs: c.theirs });
        head.push(journal.append('conflict', { package: c.package, version: c.version, ours: c.ours, theirs: c.theirs }));
      }
      head.push(journal.append('done', { outcome: 'conflict' }));
      await Promise.all(head);
      return result('conflict', false, conflictDiagnostics(plan.conflicts), journalPath);
    }
    head.push(
      journal.append('plan', {
        steps: plan.steps.map(
          (s) => `${s.kind} ${s.package}${s.kind === 'tag' || s.kind === 'untag' || s.kind === 'publish' ? ` ${s.tag}` : ''}`,
        ),
      }),
    );
    await Promise.all(head);
    await execute({ options, release, plan, journal, outcomes, emit, concurrency, attestations });
    await journal.append('done', { outcome: 'published' });
    return result('published', true, [], journalPath);
  } catch (error) {
    if (error instanceof Stop) {
      for (const d of error.diagnostics)
        await journal.append(error.outcome === 'conflict' ? 'conflict' : 'error', {
          code: d.code,
          subject: d.subject ?? null,
          expected: d.expected ?? null,
          found: d.found ?? null,
        });
      await journal.append('done', { outcome: error.outcome });
      return result(error.outcome, false, error.diagnostics, journalPath);
    }
    const codes = error instanceof DiagnosticError ? error.diagnostics.map((d) => d.code) : [];
    await journal.append('error', { codes, message: errorMessage(error) }).catch(() => undefined);
    throw error;
  } finally {
    await journal.close();
  }
}

interface ExecuteContext {
  readonly options: PublishOptions;
  readonly release: LoadedRelease;
  readonly plan: PublishPlan;
  readonly journal: Journal;
  readonly outcomes: Map<string, MutableOutcome>;
  readonly emit: (e: PublishEvent) => void;
  readonly concurrency: number;
  readonly attestations: ReadonlyMap<string, Attestation>;
}

async function execute(ctx: ExecuteContext): Promise<void> {
  const { options, release, plan, journal, outcomes, emit, concurrency, attestations } = ctx;
  const client = options.client;
  const timeoutMs = options.readBackTimeoutMs ?? 120_000;
  const outcome = (pkg: string): MutableOutcome => {
    const o = outcomes.get(pkg);
    if (o === undefined) throw new Error(`internal: no outcome for ${pkg}`);
    return o;
  };
  const publishSteps = new Map(plan.phases.platformPublish.concat(plan.phases.rootPublish).map((s) => [s.package, s]));

  /** Publish under `tag` (the staging tag for a platform package, the requested tag for the root). */
  const publishOne = async (p: ReleasePackage, tag: string): Promise<'published' | 'already-present'> => {
    const { name, version, integrity } = p.entry;
    emit({ type: 'publishing', package: name, version, tag });
    await journal.append('publish-begin', { package: name, version, tag, integrity });
    let state: 'published' | 'already-present';
    const attestation = attestations.get(name);
    if (options.provenance !== undefined && attestation === undefined)
      throw new Error(`internal: provenance is on but ${name}@${version} has no attestation`);
    try {
      const r = await client.publish({
        manifest: p.packageJson,
        tarball: p.tarball,
        // Checked against these when the release was loaded: the body need not hash the bytes again.
        digests: { integrity, shasum: p.entry.sha1 },
        tag,
        ...(options.access === undefined ? {} : { access: options.access }),
        ...(attestation === undefined ? {} : { provenance: { bundle: attestation.bundle, mediaType: attestation.mediaType } }),
      });
      if (r.integrity !== integrity)
        throw new Stop('conflict', conflictDiagnostics([{ package: name, version, ours: integrity, theirs: r.integrity }]));
      state = r.state;
    } catch (error) {
      if (error instanceof DiagnosticError && error.diagnostics.some((d) => d.code === 'NS_PUBLISH_CONFLICT')) {
        // Someone published other bytes between our preflight and our write: report both hashes.
        const theirs = await client.getPackument(name).then(
          (pk) => pk?.versions[version]?.integrity ?? null,
          () => null,
        );
        throw new Stop('conflict', conflictDiagnostics([{ package: name, version, ours: integrity, theirs }]));
      }
      throw error;
    }
    outcome(name).action = state;
    emit({ type: 'published', package: name, version, state });
    await journal.append('publish-done', { package: name, version, state, tag });
    // A version published now carries the tag of its publish; one found already there, no tag of ours.
    if (state === 'published' && tag !== plan.stagingTag) {
      outcome(name).tagged.push(tag);
      emit({ type: 'tagged', package: name, tag, version });
    }
    return state;
  };

  /** The dist-tags each platform package's read-back saw (for its staging-tag clean-up). */
  const seenTags = new Map<string, Readonly<Record<string, string>>>();

  const verifyOne = async (p: ReleasePackage): Promise<void> => {
    const { name, version, integrity } = p.entry;
    const seen = await readBackSeen(client, name, version, integrity, {
      timeoutMs,
      ...(p === release.root
        ? { consequence: "the root's publish was accepted (every platform package is verified); a re-run reads it back again" }
        : {}),
      onWait: (attempt, waitMs, reason) => {
        emit({ type: 'waiting', package: name, version, attempt, waitMs, reason });
      },
    });
    seenTags.set(name, seen.distTags);
    outcome(name).verified = true;
    emit({ type: 'verified', package: name, version, integrity, attempts: seen.attempts });
    await journal.append('verified', { package: name, version, integrity, attempts: seen.attempts });
  };

  const tagOne = async (s: PublishStep): Promise<void> => {
    if (s.kind !== 'tag') return;
    await client.setDistTag(s.package, s.tag, s.version);
    outcome(s.package).tagged.push(s.tag);
    emit({ type: 'tagged', package: s.package, tag: s.tag, version: s.version });
    await journal.append('tag-set', { package: s.package, tag: s.tag, version: s.version });
  };

  /**
   * Remove our staging tag, only while it still points at our version: as `tags` (the dist-tags its
   * read-back saw, moments before) say, else as a fresh read of them says.
   */
  const untagOne = async (s: PublishStep, tags?: Readonly<Record<string, string>>): Promise<void> => {
    if (s.kind !== 'untag') return;
    const current = tags ?? (await client.getDistTags(s.package));
    if (current[s.tag] !== s.version) return;
    await client.removeDistTag(s.package, s.tag);
    outcome(s.package).stagingTagRemoved = true;
    emit({ type: 'untagged', package: s.package, tag: s.tag });
    await journal.append('tag-removed', { package: s.package, tag: s.tag, version: s.version });
  };

  // 1–2: every platform package published (if absent) and read back with our integrity.
  emit({ type: 'phase', phase: 'platforms' });
  await mapPool(release.platforms, concurrency, async (p) => {
    const s = publishSteps.get(p.entry.name);
    if (s?.kind === 'publish') await publishOne(p, s.tag);
    await verifyOne(p);
  });
  // 3 and 5 (platform packages): only now, with every platform package verified, each one gets the
  // requested tag and then loses the staging tag (one package's two writes in turn, never at once),
  // while the root goes out (4); the root's publish waits for none of it. One request slot stays the
  // root's.
  const platformSteps = new Map<string, PublishStep[]>();
  for (const s of [...plan.phases.platformTag, ...plan.phases.untag.filter((u) => u.role === 'platform')])
    platformSteps.set(s.package, [...(platformSteps.get(s.package) ?? []), s]);
  const rootUntag = plan.phases.untag.filter((s) => s.role === 'root');
  if (plan.phases.platformTag.length > 0) emit({ type: 'phase', phase: 'tags' });
  if (plan.phases.untag.some((s) => s.role === 'platform')) emit({ type: 'phase', phase: 'cleanup' });
  emit({ type: 'phase', phase: 'root' });
  const platformTags = mapPool([...platformSteps.values()], Math.max(1, concurrency - 1), async (steps) => {
    for (const s of steps) {
      // The staging tag as the package's read-back saw it (our own tag write leaves it alone).
      if (s.kind === 'tag') await tagOne(s);
      else await untagOne(s, seenTags.get(s.package));
    }
  }).then(
    () => null,
    (error: unknown) => ({ error }),
  );
  // 4: the root, under the requested tag (its tag is the last to move), read back; a root that was
  // already there gets the tag after its read-back.
  let rootFailure: { readonly error: unknown } | null = null;
  try {
    const s = publishSteps.get(release.root.entry.name);
    const state = s?.kind === 'publish' ? await publishOne(release.root, s.tag) : null;
    await verifyOne(release.root);
    // Someone (a lost answer to our own PUT, or a twin run) published the same bytes since the
    // preflight: that publish's tags are not ours to trust, so the requested tag is set here.
    if (state === 'already-present' && s?.kind === 'publish')
      await tagOne({ kind: 'tag', package: s.package, version: s.version, role: 'root', tag: s.tag });
    for (const t of plan.phases.rootTag) await tagOne(t);
  } catch (error) {
    rootFailure = { error };
  }
  const platformFailure = await platformTags;
  if (rootFailure !== null) throw rootFailure.error;
  if (platformFailure !== null) throw platformFailure.error;
  // 5 (root): only a staging tag an earlier run left on it.
  for (const t of rootUntag) await untagOne(t);
}
