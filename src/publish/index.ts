/**
 * Atomic publish: the root never goes out before every platform package is on the registry with
 * our integrity; a crash or a flaky registry resumes safely; other bytes under a version stop the
 * release before anything is written. See docs/commands/publish.md.
 */
export {
  conflictDiagnostics,
  DEFAULT_STAGING_TAG,
  defaultTag,
  describeStep,
  invalidTag,
  planPublish,
  type Conflict,
  type PackageKind,
  type Preflight,
  type PreflightPackage,
  type PreflightState,
  type PublishPhases,
  type PublishPlan,
  type PublishStep,
} from './plan.js';
export {
  Journal,
  JOURNAL_FILE,
  JOURNAL_VERSION,
  journalRuns,
  lastRunFor,
  readJournal,
  type JournalContents,
  type JournalRecord,
  type JournalRecordType,
  type JournalRun,
  type JournalStart,
} from './journal.js';
export {
  checkReleaseContents,
  loadRelease,
  parseManifestText,
  type LoadedRelease,
  type LoadReleaseOptions,
  type LoadReleaseResult,
  type ReleasePackage,
  type SignatureCheck,
} from './release.js';
export {
  preflight,
  publishRelease,
  readBack,
  type PackageOutcome,
  type PublishClient,
  type PublishEvent,
  type PublishOptions,
  type PublishOutcome,
  publishJson,
  type PublishJson,
  type PublishReport,
  type PublishResult,
  type ProvenanceOptions,
  type ProvenanceOutcome,
  type ReadBackOptions,
} from './run.js';
export { releaseStatus, type PackageStatus, type StatusInput, type StatusReport } from './status.js';
export { deprecateRelease, type DeprecatedPackage, type DeprecateInput, type DeprecateResult } from './deprecate.js';
export { mapPool } from '../util/pool.js';
export {
  checkProvenanceBundle,
  ciProvider,
  NO_PROVENANCE_REGISTRIES,
  PROVENANCE,
  provenanceBlockers,
  provenanceRequested,
  provenanceStatement,
  provenanceSubject,
  type CiProvider,
  type ProvenanceSource,
  type ProvenanceSubject,
} from './provenance.js';
import type { Attestation, AttestInput } from './attest.js';

export type { Attestation, AttestInput } from './attest.js';
export { sigstoreEndpoints, type SigstoreEndpoints } from './provenance.js';

// The sigstore stack takes ~80 ms to load: loaded on first use, not with this module.
/** Fulcio + Rekor (+ TSA) attestations of packages, each bound to its tarball's sha512 (src/publish/attest.ts). */
export async function attestPackages(input: AttestInput): Promise<Attestation[]> {
  return (await import('./attest.js')).attestPackages(input);
}

/** The OIDC id token for Fulcio on this CI (src/publish/attest.ts). */
export async function sigstoreIdToken(env: NodeJS.ProcessEnv): Promise<string> {
  return (await import('./attest.js')).sigstoreIdToken(env);
}
