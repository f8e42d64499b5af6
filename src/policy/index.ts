/**
 * The license and source policy gate (`napi-ship policy`): read the config, judge inventories of
 * cargo and npm packages, render the report. The inventories come from src/sbom.
 */
export { CONFIG_FILE, readPolicyConfig } from './config.js';
export {
  CRATES_IO_INDEXES,
  defaultPolicyConfig,
  parsePolicyConfig,
  type BanRule,
  type Clarification,
  type ClarifyFile,
  type DuplicateLevel,
  type LicenseException,
  type PackageMatcher,
  type PolicyConfig,
} from '../config/policy.js';
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
export { USUAL_LICENSES, licenseGroups, type LicenseGroup, type LicensedPackage } from './licenses.js';
export {
  licenseSummaryText,
  policyFailed,
  policySummaryLine,
  renderPolicyMarkdown,
  renderPolicyText,
  type PolicyRenderOptions,
} from './render.js';
export { judgeProject, readPolicyInputs, type PolicyInputs, type ProjectPolicy, type ProjectPolicyOptions } from './project.js';
