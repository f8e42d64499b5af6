/**
 * Talking to an npm registry: reads, publish, dist-tags, deprecate, and where the token comes from.
 * See docs/registry.md.
 */
export {
  RegistryClient,
  readTarballManifest,
  tarballDigests,
  wantsOtp,
  type PublishOutcome,
  type RegistryClientOptions,
} from './client.js';
export {
  ENV_TOKEN_REGISTRY,
  envTokensApply,
  exchangeOidcToken,
  oidcAvailable,
  resolveAuth,
  SETUP_NODE_PLACEHOLDER,
  type AuthSource,
  type OidcOptions,
  type ResolvedAuth,
} from './auth.js';
export { loadNpmSettings, type NpmSettings } from './npm-config.js';
export { resolveRegistry, type ResolvedRegistry } from './resolve.js';
export {
  chooseRegistry,
  credentialsForUrl,
  envReplace,
  loadNpmrc,
  nerfDart,
  parseNpmrc,
  tokenForRegistry,
  userconfigPath,
  type Credentials,
  type NpmConfig,
  type RegistrySource,
} from './npmrc.js';
export { backoffMs, isTransientStatus, parseRetryAfter, MAX_BACKOFF_MS, MAX_RETRY_AFTER_MS, type RetryInfo } from './http.js';
export { buildPublishBody, publishBodyBytes, type PublishBody, type PublishBodyInput } from './publish-body.js';
export { distTagFor } from './dist-tag.js';
export { checkRegistryUrl, DEFAULT_REGISTRY, displayUrl, isLoopbackHost, redact } from './url.js';
export {
  ABBREVIATED,
  packagePath,
  parsePackument,
  publishState,
  readPackument,
  type Packument,
  type PublishedVersion,
  type PublishState,
  type RegistryOptions,
} from './packument.js';
