/**
 * The license and source policy gate (`napi-ship policy`): read the config, judge inventories of
 * cargo and npm packages, render the report. The inventories come from src/sbom.
 */
export {
  CONFIG_FILE,
  CRATES_IO_INDEXES,
  defaultPolicyConfig,
  parsePolicyConfig,
  readPolicyConfig,
  type BanRule,
  type Clarification,
  type ClarifyFile,
  type DuplicateLevel,
  type LicenseException,
  type PackageMatcher,
  type PolicyConfig,
} from './config.js';
export {
  evaluatePolicy,
  gitKey,
  registryKey,
  type PolicyCheck,
  type PolicyOutcome,
  type PolicyVerdict,
  type PolicyPackageResult,
  type PolicyViolation,
} from './evaluate.js';
export { policySummaryLine, renderPolicyMarkdown, renderPolicyText } from './render.js';
export { judgeProject, type ProjectPolicy, type ProjectPolicyOptions } from './project.js';
