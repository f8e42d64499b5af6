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
export { stagePackages, type StageOptions } from './stage/index.js';
export { packRelease, selectFiles, type PackInput, type PackResult } from './pack/index.js';
export { generateKeyPair, loadPrivateKey, signManifest, verifyRelease as verifySignedRelease } from './sign/index.js';
export { stagingCopy } from './release/staging.js';
export { ciMatrix, generateWorkflow, workflowDrift } from './ci/index.js';
export { readPackument, publishState, parsePackument, type Packument, type PublishState } from './registry/packument.js';
export { releaseDryRun, type DryRunOptions, type DryRunResult } from './release/dry-run.js';
export * from './report/index.js';
export { main } from './cli/main.js';
