/**
 * Registry URLs: the https rule, loopback detection, and keeping secrets out of text.
 *
 * Pure functions: the client calls them before it sends anything.
 */
import { isIP } from 'node:net';
import { diagnostic, DiagnosticError } from '../diagnostics/index.js';
import { DEFAULT_REGISTRY } from '../util/registry-defaults.js';

export { DEFAULT_REGISTRY };

/** `127.0.0.0/8`, `::1` (and `::ffff:127.x.y.z`) and `localhost` (with its subdomains, RFC 6761). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) {
    if (host === '::1' || /^0{0,4}(:0{0,4}){6}:0{0,3}1$/.test(host)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    return mapped?.[1]?.startsWith('127.') ?? false;
  }
  return false;
}

/** A URL for display: no user info, no query (either can carry a credential). */
export function displayUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<invalid URL>';
  }
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

/**
 * Check and normalise a registry base URL (always ending in `/`). `https:` is required unless the
 * host is loopback or `allowInsecure` is set; user info in the URL is refused (tokens belong in
 * the token option or `.npmrc`). Throws `NS_REGISTRY_INSECURE` / `NS_REGISTRY_URL`.
 */
export function checkRegistryUrl(registry: string, allowInsecure = false): URL {
  let url: URL;
  try {
    url = new URL(registry);
  } catch {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_URL',
        subject: registry.slice(0, 200),
        message: 'the registry is not a URL',
        hint: `e.g. --registry ${DEFAULT_REGISTRY}`,
      }),
    ]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_URL',
        subject: displayUrl(url),
        message: `the registry URL has the scheme ${url.protocol} (only https: and http: are spoken)`,
        hint: `e.g. --registry ${DEFAULT_REGISTRY}`,
      }),
    ]);
  }
  if (url.username !== '' || url.password !== '') {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_URL',
        subject: displayUrl(url),
        message: 'the registry URL carries credentials',
        hint: 'put the token in NPM_TOKEN or .npmrc (//host/:_authToken=…), not in the URL',
      }),
    ]);
  }
  if (url.protocol === 'http:' && !allowInsecure && !isLoopbackHost(url.hostname)) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_INSECURE',
        subject: displayUrl(url),
        message: 'refusing to send packages and tokens to a registry over plain http',
        expected: 'https:// (or a loopback host)',
        found: 'http://',
        hint: "use the registry's https URL; --allow-insecure-registry overrides this for a trusted network",
      }),
    ]);
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

export { redact } from '../log/redact.js';
