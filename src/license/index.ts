/** SPDX license expressions: normalising package license fields and checking them against an allow list. */
export {
  allowEntryProblem,
  licenseLeaves,
  normalizeLicense,
  renderSpdx,
  type LicenseProblem,
  type NormalizedLicense,
} from './expression.js';
export { licensesNeeded, satisfiesAllowList } from './satisfies.js';
export { canonicalIdCase, isDeprecatedLicenseId, isExceptionId, isLicenseId } from './spdx.js';
