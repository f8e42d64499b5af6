/**
 * Where the credentials for a registry come from — each bound to the registry it was configured for.
 *
 * 1. For npm's public registry (`https://registry.npmjs.org/`) only: `NPM_TOKEN`, then `NODE_AUTH_TOKEN`
 *    (the variables CI docs name for it). They are never sent to any other registry: a private or
 *    loopback registry, a `--registry`, or a registry named by a tarball's `publishConfig.registry`
 *    get them only through an `.npmrc` line `//host/path/:_authToken=${NPM_TOKEN}`, as with npm.
 * 2. npm's config (project, workspace root, user, global, `npm_config_*` env): the
 *    `//host[:port]/path/` key that is the longest prefix of the registry URL, with `:_authToken`
 *    (Bearer), `:username` + `:_password` or `:_auth` (Basic) — npm-registry-fetch's rules.
 * 3. Only when none is configured, npm trusted publishing (OIDC) where the CI offers an id token
 *    (`ACTIONS_ID_TOKEN_REQUEST_URL` + `ACTIONS_ID_TOKEN_REQUEST_TOKEN` on GitHub Actions, or
 *    `NPM_ID_TOKEN`): the id token (audience `npm:<registry host>`) is exchanged per package with
 *    that registry, so `resolveAuth` only reports `oidc` and `exchangeOidcToken` does the exchange.
 *
 * actions/setup-node writes `//registry/:_authToken=${NODE_AUTH_TOKEN}` and sets NODE_AUTH_TOKEN to
 * the placeholder `XXXXX-XXXXX-XXXXX-XXXXX` when no secret is given; that placeholder counts as no token.
 */
import { diagnostic, DiagnosticError, errorMessage } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';
import { createDispatcher, registryMessage, send, type HttpSettings, type ProxySettings, type TlsSettings } from './http.js';
import { credentialsForUrl, loadNpmrc, nerfDart, type NpmConfig } from './npmrc.js';
import { DEFAULT_REGISTRY } from './url.js';
import { packagePath } from './packument.js';
import { checkRegistryUrl, redact } from './url.js';

export type AuthSource = 'NPM_TOKEN' | 'NODE_AUTH_TOKEN' | 'npmrc' | 'oidc' | 'none';

/** What actions/setup-node puts in NODE_AUTH_TOKEN when no token was given. */
export const SETUP_NODE_PLACEHOLDER = 'XXXXX-XXXXX-XXXXX-XXXXX';

function usable(token: string | undefined): token is string {
  return token !== undefined && token.trim() !== '' && token !== SETUP_NODE_PLACEHOLDER && !/\$\{[^}]*\}/.test(token);
}

/** Whether the environment offers an OIDC id token for npm trusted publishing. */
export function oidcAvailable(env: NodeJS.ProcessEnv): boolean {
  return usable(env.NPM_ID_TOKEN) || (usable(env.ACTIONS_ID_TOKEN_REQUEST_URL) && usable(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN));
}

/** Where `NPM_TOKEN` / `NODE_AUTH_TOKEN` may go: npm's public registry, nowhere else. */
export const ENV_TOKEN_REGISTRY = DEFAULT_REGISTRY;

/** Whether `registry` is the one registry the environment tokens are for. */
export function envTokensApply(registry: string): boolean {
  try {
    return nerfDart(registry) === nerfDart(ENV_TOKEN_REGISTRY);
  } catch {
    return false;
  }
}

export interface ResolvedAuth {
  /** A Bearer token. */
  readonly token?: string;
  /** A Basic credential (base64 of `user:password`), from `_auth` or `username` + `_password`. */
  readonly basic?: string;
  readonly source: AuthSource;
}

export async function resolveAuth(input: {
  registry: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  userconfig?: string;
  /** npm's config when the caller already loaded it (else it is loaded for `cwd`). */
  config?: NpmConfig;
}): Promise<ResolvedAuth> {
  const { env } = input;
  if (envTokensApply(input.registry)) {
    if (usable(env.NPM_TOKEN)) return { token: env.NPM_TOKEN.trim(), source: 'NPM_TOKEN' };
    if (usable(env.NODE_AUTH_TOKEN)) return { token: env.NODE_AUTH_TOKEN.trim(), source: 'NODE_AUTH_TOKEN' };
  }
  const npmrc =
    input.config ?? (await loadNpmrc({ cwd: input.cwd, env, ...(input.userconfig === undefined ? {} : { userconfig: input.userconfig }) }));
  const found = credentialsForUrl(input.registry, npmrc);
  const authorization = found?.authorization ?? null;
  if (authorization !== null) {
    const space = authorization.indexOf(' ');
    const scheme = authorization.slice(0, space);
    const value = authorization.slice(space + 1);
    if (scheme === 'Bearer' && usable(value)) return { token: value, source: 'npmrc' };
    if (scheme === 'Basic' && usable(value)) return { basic: value, source: 'npmrc' };
  }
  if (oidcAvailable(env)) return { source: 'oidc' };
  return { source: 'none' };
}

export interface OidcOptions {
  readonly registry: string;
  readonly env: NodeJS.ProcessEnv;
  readonly caFile?: string;
  readonly tls?: TlsSettings;
  readonly proxy?: ProxySettings;
  readonly allowInsecure?: boolean;
  readonly timeoutMs?: number;
  readonly retries?: number;
}

/**
 * Ask GitHub Actions' id-token endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL`) for a token with `audience`:
 * the HTTP status and the token (`null` when the answer holds none). npm's trusted publishing asks
 * for `npm:<registry host>`, provenance signing for `sigstore`.
 */
export async function requestActionsIdToken(
  settings: HttpSettings,
  requestUrl: URL,
  requestToken: string,
  audience: string,
): Promise<{ readonly status: number; readonly value: string | null; readonly body: Buffer }> {
  const url = new URL(requestUrl);
  url.searchParams.append('audience', audience);
  const res = await send(settings, {
    method: 'GET',
    url,
    headers: { accept: 'application/json', authorization: `Bearer ${requestToken}` },
  });
  let value: unknown;
  try {
    const parsed: unknown = JSON.parse(res.body.toString('utf8'));
    value = isRecord(parsed) ? parsed.value : undefined;
  } catch {
    value = undefined;
  }
  return { status: res.status, value: typeof value === 'string' && value !== '' ? value : null, body: res.body };
}

function oidcError(subject: string, message: string, secrets: readonly (string | undefined)[]): DiagnosticError {
  return new DiagnosticError([
    diagnostic({
      code: 'NS_REGISTRY_AUTH',
      subject,
      message: redact(message, secrets),
      hint: "configure this package's trusted publisher on the registry (repository, workflow file) and give the job `permissions: id-token: write`; or set NPM_TOKEN",
    }),
  ]);
}

/**
 * npm trusted publishing, as npm's `lib/utils/oidc.js` does it: take the id token (`NPM_ID_TOKEN`, or
 * ask GitHub at `ACTIONS_ID_TOKEN_REQUEST_URL&audience=npm:<registry hostname>` with
 * `ACTIONS_ID_TOKEN_REQUEST_TOKEN`), then `POST /-/npm/v1/oidc/token/exchange/package/<name>` on the
 * registry's origin with the id token as bearer; the answer's `token` is a short-lived publish token
 * for that one package. Throws `NS_REGISTRY_AUTH` (no token, refused exchange) or the transport errors.
 */
export async function exchangeOidcToken(name: string, options: OidcOptions): Promise<string> {
  const registry = checkRegistryUrl(options.registry, options.allowInsecure ?? false);
  const { env } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const secrets: (string | undefined)[] = [env.ACTIONS_ID_TOKEN_REQUEST_TOKEN, env.NPM_ID_TOKEN];
  const dispatcher = createDispatcher({
    registry,
    timeoutMs,
    env,
    ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
  });
  const settings = {
    dispatcher,
    timeoutMs,
    retries: options.retries ?? 3,
    retryBaseMs: 250,
    secrets: () => secrets,
    userAgent: `napi-ship node/${process.version}`,
  };
  try {
    let idToken = usable(env.NPM_ID_TOKEN) ? env.NPM_ID_TOKEN : undefined;
    if (idToken === undefined) {
      const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
      const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
      if (!usable(requestUrl) || !usable(requestToken))
        throw oidcError(
          name,
          'no OIDC id token: neither NPM_ID_TOKEN nor ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN is set',
          secrets,
        );
      let url: URL;
      try {
        url = new URL(requestUrl);
      } catch {
        throw oidcError(name, 'ACTIONS_ID_TOKEN_REQUEST_URL is not a URL', secrets);
      }
      const res = await requestActionsIdToken(settings, url, requestToken, `npm:${registry.hostname}`);
      const value = res.value;
      if (res.status !== 200 || value === null) {
        throw oidcError(
          name,
          `the CI did not hand out an id token (HTTP ${String(res.status)}${registryMessage(res.body) ? `: ${registryMessage(res.body)}` : ''})`,
          secrets,
        );
      }
      idToken = value;
    }
    secrets.push(idToken);
    const exchange = new URL(`/-/npm/v1/oidc/token/exchange/package/${packagePath(name)}`, registry);
    const res = await send(settings, {
      method: 'POST',
      url: exchange,
      headers: { accept: 'application/json', authorization: `Bearer ${idToken}` },
    });
    let token: unknown;
    try {
      const parsed: unknown = JSON.parse(res.body.toString('utf8'));
      token = isRecord(parsed) ? parsed.token : undefined;
    } catch {
      token = undefined;
    }
    if (res.status < 200 || res.status > 299 || typeof token !== 'string' || token === '') {
      throw oidcError(
        name,
        `the registry refused the OIDC token exchange for ${name} (HTTP ${String(res.status)}${registryMessage(res.body) ? `: ${registryMessage(res.body)}` : ''})`,
        secrets,
      );
    }
    return token;
  } catch (error) {
    if (error instanceof DiagnosticError) throw error;
    throw oidcError(name, `OIDC token exchange failed: ${errorMessage(error)}`, secrets);
  } finally {
    await dispatcher.close();
  }
}
