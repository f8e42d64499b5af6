/**
 * napi-ship as a library: the same functions the CLI is a thin shell over.
 */
export * from './diagnostics/index.js';
export * from './targets/index.js';
export {
  coreVersion,
  hashFiles,
  hashFilesSync,
  inspectBuffer,
  inspectFileSync,
  inspectFiles,
  type BinaryFacts,
  type BinaryFormat,
  type CoreFailure,
  type Crt,
  type FileDigests,
  type Hashed,
  type Inspected,
  type Libc,
} from './core/index.js';
export * from './plan/index.js';
export { checkBinary, binaryCpus } from './verify/binary.js';
export * from './verify/index.js';
export * from './verify/policy.js';
export * from './manifest/index.js';
export { stagePackages, type StageOptions, type StagedPackage, type StageOutcome } from './stage/index.js';
export * from './run/index.js';
export { packRelease, packStage, selectFiles, type PackInput, type PackOutcome, type PackResult } from './pack/index.js';
export { generateKeyPair, loadPrivateKey, signManifest, verifyRelease as verifySignedRelease, type SignOutcome } from './sign/index.js';
export { stagingCopy } from './release/staging.js';
export { ciMatrix, generateWorkflow, workflowDrift } from './ci/index.js';
export * from './registry/index.js';
export * from './publish/index.js';
export * from './build/index.js';
export * from './sbom/index.js';
export * from './policy/index.js';
export * from './license/index.js';
export * from './rehearsal/index.js';
export * from './log/index.js';
// Two names exist in two modules: the publish run's outcome and the client's, the log's pattern
// redaction and the client's redaction of known secrets.
export type { PublishOutcome } from './publish/index.js';
export type { PublishOutcome as RegistryPublishOutcome } from './registry/index.js';
export { redact } from './log/index.js';
export { redact as redactSecrets } from './registry/index.js';
export { releaseDryRun, type DryRunOptions, type DryRunResult } from './release/dry-run.js';
export * from './report/index.js';
export { main } from './cli/main.js';
