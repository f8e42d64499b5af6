/**
 * The target model: every napi-rs triple, its napi-rs names, the npm fields of its platform package
 * and what its binary must be; plus reading napi-rs v3 config (`napi.targets`, `binaryName`,
 * `packageName`) from a root package.json. Pure functions, no I/O.
 */
export {
  AVAILABLE_TARGETS,
  DEFAULT_TARGETS,
  TRIPLE_ALIASES,
  V2_DEFAULT_TARGETS,
  napiParseTriple,
  type NapiTriple,
  allTargets,
  lookupTarget,
  platformPackageName,
  isPlatformPackageName,
  type NapiArch,
  type NapiPlatform,
  type TargetCrt,
  type TargetMachine,
  type TargetSpec,
} from './table.js';
export { readNapiConfig, readTargets, type NapiConfig, type NapiWasmConfig } from './config.js';
