import type { CodeTable } from './types.js';

/** The registry client (src/registry): URLs, .npmrc, auth, HTTP with retries, packuments. */
export const registryCodes = {
  NS_REGISTRY_URL: {
    class: 'usage',
    summary: 'the registry is not an http(s) URL, or carries credentials',
    hint: 'e.g. --registry https://registry.npmjs.org/',
  },
  NS_REGISTRY_INSECURE: {
    class: 'usage',
    summary: 'plain http to a non-loopback registry',
    hint: "use the registry's https URL; --allow-insecure-registry overrides this for a trusted network",
  },
  NS_REGISTRY_CA: {
    class: 'usage',
    summary: 'the CA bundle (--ca-file / cafile) cannot be read or holds no certificate',
    hint: 'pass a readable PEM file (-----BEGIN CERTIFICATE-----) to --ca-file',
  },
  NS_REGISTRY_NPMRC: {
    class: 'environment',
    summary: 'an .npmrc file cannot be read',
    hint: "fix the file's permissions or remove it",
  },
  NS_REGISTRY_UNREACHABLE: {
    class: 'environment',
    summary: 'DNS failure, TLS refusal, or every attempt failed to connect',
    hint: 'check the network and --registry; a private CA needs --ca-file (or cafile= in .npmrc)',
  },
  NS_REGISTRY_RETRIES_EXHAUSTED: {
    class: 'environment',
    summary: 'the registry kept answering 429/5xx or dropping the connection',
    hint: 'the registry or the network is unwell; run again later (a publish resumes where it stopped)',
  },
  NS_REGISTRY_AUTH: {
    class: 'environment',
    summary: 'the registry refused the credentials (401/403), or the OIDC token exchange was refused',
    hint: 'set NPM_TOKEN (or a token in .npmrc), pass --otp, or configure trusted publishing for this package',
  },
  NS_REGISTRY_HTTP: {
    class: 'environment',
    summary: "the registry refused a request (any other status), with the registry's own message",
    hint: "see the registry's message; a 404 means: check the package name and --registry",
  },
  NS_REGISTRY_STATUS: {
    class: 'environment',
    summary: 'the registry answered an unexpected status for a package document',
    hint: 'check --registry and the network',
  },
  NS_REGISTRY_BAD_PACKUMENT: {
    class: 'environment',
    summary: 'the registry answered something that is not a package document',
    hint: 'check --registry',
  },
  NS_BODY_TOO_LARGE: {
    class: 'environment',
    summary: 'a registry answer exceeded the size cap (reported inside NS_REGISTRY_UNREACHABLE)',
    hint: 'check --registry: a registry does not send package documents that large',
  },
} as const satisfies CodeTable;
