/**
 * The registry client the publish plan writes through: packument reads, publish, dist-tags,
 * deprecate — each a request npm's own client would send, over `http.ts` (TLS, proxies, timeouts,
 * bounded retries).
 *
 * A publish is the one write that cannot simply be repeated: when its answer is lost (a reset, a
 * timeout, a 5xx) it may have landed. So a 403/409 "cannot publish over an existing version" is
 * never taken at its word: the packument is read back, and our integrity there means the publish
 * is done (`already-present`), other bytes mean `NS_PUBLISH_CONFLICT`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { diagnostic, DiagnosticError } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';
import { napiShipVersion } from '../util/version.js';
import { exchangeOidcToken } from './auth.js';
import {
  createDispatcher,
  registryMessage,
  send,
  type HttpRequest,
  type HttpResponse,
  type HttpSettings,
  type ProxySettings,
  type RetryInfo,
  type TlsSettings,
} from './http.js';
import { ABBREVIATED, packagePath, parsePackument, type Packument } from './packument.js';
import { buildPublishBody, publishBodyBytes, type PublishBodyInput } from './publish-body.js';
import { checkRegistryUrl, displayUrl, redact } from './url.js';

export { readTarballManifest, tarballDigests } from './publish-body.js';
export { exchangeOidcToken, resolveAuth } from './auth.js';

export interface RegistryClientOptions {
  /** Base URL; https required unless loopback (127.0.0.0/8, ::1, localhost) or `allowInsecure`. */
  readonly registry: string;
  /**
   * Bearer token for this registry; sent only with requests under the registry's URL (its
   * `//host[:port]/path/`), never to another host, and never printed (errors, logs, diagnostics).
   */
  readonly token?: string;
  /** A Basic credential (base64 `user:password`, npm's `_auth`) for this registry, when no `token`. */
  readonly basicAuth?: string;
  /** npm's `ca`/`cafile`, `cert`/`key`, `strict-ssl`. */
  readonly tls?: TlsSettings;
  /** npm's `proxy`, `https-proxy`, `noproxy` (each unset one falls back to the environment). */
  readonly proxy?: ProxySettings;
  /** One-time password, sent as the `npm-otp` header on writes. */
  readonly otp?: string;
  /** An extra CA bundle (PEM) trusted for TLS, on top of the system's. */
  readonly caFile?: string;
  readonly allowInsecure?: boolean;
  /** Connect / headers / body timeout in ms (default 30 000). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (default 6). */
  readonly retries?: number;
  /** Backoff base in ms (default 250): jittered exponential, capped at 30 s, never below `Retry-After`. */
  readonly retryBaseMs?: number;
  readonly onRetry?: (info: { method: string; path: string; attempt: number; reason: string; waitMs: number }) => void;
  /**
   * npm trusted publishing: with no `token`, exchange the CI's OIDC id token for a per-package
   * token before the first request about each package (see `exchangeOidcToken`).
   */
  readonly oidc?: boolean;
  /** The environment read for proxies (`HTTP(S)_PROXY`, `NO_PROXY`) and OIDC (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

export type PublishOutcome = { readonly state: 'published' | 'already-present'; readonly integrity: string };

/** How many times a publish reads the packument back before deciding a refused version is absent. */
const READBACK_ATTEMPTS = 6;

function userAgent(): string {
  let version = 'unknown';
  try {
    version = napiShipVersion();
  } catch {
    // a bundled copy without package.json: the version stays unknown
  }
  return `napi-ship/${version} node/${process.version} ${process.platform} ${process.arch}`;
}

/** Whether a 401/403 asks for a one-time password (npm-registry-fetch's test, plus the body wording). */
export function wantsOtp(res: {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}): boolean {
  const auth = (res.headers['www-authenticate'] ?? '').split(/,\s*/).map((s) => s.trim().toLowerCase());
  if (auth.includes('otp')) return true;
  const text = res.body.toString('utf8');
  return /one-time pass/i.test(text) || /\botp\b/i.test(text);
}

export class RegistryClient {
  readonly registry: string;
  readonly #url: URL;
  readonly #token: string | undefined;
  readonly #basic: string | undefined;
  readonly #otp: string | undefined;
  readonly #oidc: boolean;
  readonly #env: NodeJS.ProcessEnv;
  readonly #options: RegistryClientOptions;
  readonly #oidcTokens = new Map<string, Promise<string>>();
  readonly #issued: string[] = [];
  readonly #dispatcher: Dispatcher;
  readonly #http: HttpSettings;

  constructor(options: RegistryClientOptions) {
    this.#url = checkRegistryUrl(options.registry, options.allowInsecure ?? false);
    this.registry = this.#url.href;
    this.#token = options.token === undefined || options.token === '' ? undefined : options.token;
    this.#basic = this.#token === undefined && options.basicAuth !== undefined && options.basicAuth !== '' ? options.basicAuth : undefined;
    this.#otp = options.otp === undefined || options.otp === '' ? undefined : options.otp;
    this.#oidc = options.oidc === true && this.#token === undefined && this.#basic === undefined;
    this.#env = options.env ?? process.env;
    this.#options = options;
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.#dispatcher = createDispatcher({
      registry: this.#url,
      timeoutMs,
      env: this.#env,
      ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
    });
    const onRetry = options.onRetry;
    this.#http = {
      dispatcher: this.#dispatcher,
      timeoutMs,
      retries: options.retries ?? 6,
      retryBaseMs: options.retryBaseMs ?? 250,
      secrets: () => [this.#token, this.#basic, this.#otp, ...this.#issued],
      ...(onRetry === undefined
        ? {}
        : {
            onRetry: (info: RetryInfo): void => {
              onRetry({ ...info });
            },
          }),
      userAgent: userAgent(),
    };
  }

  /** Close idle connections (optional: idle sockets do not keep the process alive). */
  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  /** Never reveal the token through inspection or JSON. */
  toJSON(): Record<string, unknown> {
    return { registry: this.registry, token: this.#token === undefined && this.#basic === undefined ? null : '***' };
  }

  #redact(text: string): string {
    return redact(text, this.#http.secrets());
  }

  async #tokenFor(name: string): Promise<string | undefined> {
    if (!this.#oidc) return this.#token;
    let pending = this.#oidcTokens.get(name);
    if (pending === undefined) {
      const o = this.#options;
      pending = exchangeOidcToken(name, {
        registry: this.registry,
        env: this.#env,
        ...(o.caFile === undefined ? {} : { caFile: o.caFile }),
        ...(o.tls === undefined ? {} : { tls: o.tls }),
        ...(o.proxy === undefined ? {} : { proxy: o.proxy }),
        ...(o.allowInsecure === undefined ? {} : { allowInsecure: o.allowInsecure }),
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      }).then((token) => {
        this.#issued.push(token);
        return token;
      });
      this.#oidcTokens.set(name, pending);
      pending.catch(() => {
        this.#oidcTokens.delete(name);
      });
    }
    return pending;
  }

  async #send(
    name: string,
    req: Omit<HttpRequest, 'headers'> & { readonly headers?: Readonly<Record<string, string>>; readonly write: boolean },
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    // A credential belongs to this registry: only a URL under it (same origin, path below the
    // registry's) carries one. Redirects are not followed (undici's request), so none travels on.
    if (this.#ownsUrl(req.url)) {
      const token = await this.#tokenFor(name);
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      else if (this.#basic !== undefined) headers.authorization = `Basic ${this.#basic}`;
    }
    if (req.write && this.#otp !== undefined) headers['npm-otp'] = this.#otp;
    return send(this.#http, { method: req.method, url: req.url, headers, ...(req.body === undefined ? {} : { body: req.body }) });
  }

  #ownsUrl(url: URL): boolean {
    return url.protocol === this.#url.protocol && url.host === this.#url.host && url.pathname.startsWith(this.#url.pathname);
  }

  /** A non-success answer as a diagnostic: `NS_REGISTRY_AUTH` for 401/403 (with the fix), else `NS_REGISTRY_HTTP`. */
  #statusError(res: HttpResponse, what: string, subject: string): DiagnosticError {
    const said = this.#redact(registryMessage(res.body));
    const message = `the registry answered ${String(res.status)} to ${what}${said ? `: ${said}` : ''}`;
    if (res.status === 401 || res.status === 403) {
      let hint: string;
      if (wantsOtp(res)) {
        hint =
          this.#otp === undefined
            ? 'the account has two-factor auth on writes: pass --otp <code>, or use a granular/automation token that bypasses 2FA'
            : 'the one-time password was refused (expired?): pass a fresh --otp <code>';
      } else if (this.#token === undefined && this.#basic === undefined && !this.#oidc) {
        hint =
          'no token was sent for this registry: add //<registry host>/:_authToken=… to .npmrc (NPM_TOKEN / NODE_AUTH_TOKEN count for registry.npmjs.org only), or use trusted publishing (OIDC)';
      } else if (res.status === 401) {
        hint =
          'the token was refused: check the //<registry host>/:_authToken line in .npmrc (or NPM_TOKEN / NODE_AUTH_TOKEN for registry.npmjs.org): expired, or for another registry?';
      } else {
        hint = 'the token lacks the right for this (read-only token, wrong scope or organisation, or the package belongs to someone else)';
      }
      return new DiagnosticError([diagnostic({ code: 'NS_REGISTRY_AUTH', subject, message, hint, found: String(res.status) })]);
    }
    return new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_HTTP',
        subject,
        message,
        found: String(res.status),
        hint: res.status === 404 ? 'check the package name and --registry' : "see the registry's message above",
      }),
    ]);
  }

  #packageUrl(name: string, suffix = ''): URL {
    return new URL(`${packagePath(name)}${suffix}`, this.#url);
  }

  #json(res: HttpResponse, what: string, subject: string): unknown {
    try {
      return JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_REGISTRY_BAD_PACKUMENT',
          subject,
          message: `the registry answered ${what} with something that is not JSON`,
          hint: `check --registry (${displayUrl(this.#url)})`,
        }),
      ]);
    }
  }

  /**
   * The packument; `null` when the registry does not have the package. Abbreviated unless `full`;
   * `fresh` asks past caches (`?write=true` and `Cache-Control: no-cache`, the full document, as
   * npm reads before a write) — for reading back what was just written.
   */
  async getPackument(name: string, opts: { full?: boolean; fresh?: boolean } = {}): Promise<Packument | null> {
    const fresh = opts.fresh === true;
    const res = await this.#send(name, {
      method: 'GET',
      url: this.#packageUrl(name, fresh ? '?write=true' : ''),
      write: false,
      headers: fresh
        ? { accept: 'application/json', 'cache-control': 'no-cache' }
        : { accept: opts.full === true ? 'application/json' : ABBREVIATED },
    });
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.#statusError(res, `the package document of ${name}`, name);
    return parsePackument(name, this.#json(res, `the package document of ${name}`, name));
  }

  /** The full, uncached document a write starts from (`?write=true`, as `npm deprecate` reads it). */
  async #packumentForWrite(name: string): Promise<Record<string, unknown> | null> {
    const url = this.#packageUrl(name, '?write=true');
    const res = await this.#send(name, {
      method: 'GET',
      url,
      headers: { accept: 'application/json', 'cache-control': 'no-cache' },
      write: false,
    });
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.#statusError(res, `the package document of ${name}`, name);
    const body = this.#json(res, `the package document of ${name}`, name);
    if (!isRecord(body))
      throw new DiagnosticError([
        diagnostic({
          code: 'NS_REGISTRY_BAD_PACKUMENT',
          subject: name,
          message: 'the registry answered something that is not a package document',
          hint: 'check --registry',
        }),
      ]);
    return body;
  }

  /** Read back what the registry holds for `name@version` (fresh): its integrity and shasum, or null. */
  async #readBack(name: string, version: string): Promise<{ integrity: string | null; shasum: string | null } | null> {
    const doc = await this.#packumentForWrite(name);
    if (doc === null) return null;
    const v = parsePackument(name, doc).versions[version];
    return v === undefined ? null : { integrity: v.integrity, shasum: v.shasum };
  }

  async publish(input: {
    manifest: Readonly<Record<string, unknown>>;
    tarball: Uint8Array;
    tag: string;
    access?: 'public' | 'restricted';
    provenance?: PublishBodyInput['provenance'];
    digests?: PublishBodyInput['digests'];
  }): Promise<PublishOutcome> {
    const body = buildPublishBody({
      registry: this.registry,
      manifest: input.manifest,
      tarball: input.tarball,
      ...(input.digests === undefined ? {} : { digests: input.digests }),
      tag: input.tag,
      ...(input.access === undefined ? {} : { access: input.access }),
      ...(input.provenance === undefined ? {} : { provenance: input.provenance }),
    });
    const { name, version, integrity, shasum } = body;
    const subject = `${name}@${version}`;
    const res = await this.#send(name, {
      method: 'PUT',
      url: this.#packageUrl(name),
      write: true,
      headers: { 'content-type': 'application/json' },
      body: publishBodyBytes(body),
    });
    if (res.status >= 200 && res.status <= 299) return { state: 'published', integrity };
    if (res.status !== 403 && res.status !== 409) throw this.#statusError(res, `the publish of ${subject}`, subject);

    // "You cannot publish over the previously published version" (npmjs: 403; verdaccio: 409), or a
    // real refusal. Only the registry's own document tells which; a publish that just landed may
    // take a moment to show, so read it back a few times before calling the version absent.
    for (let read = 1; ; read++) {
      const there = await this.#readBack(name, version);
      if (there !== null) {
        const same = there.integrity?.startsWith('sha512-') === true ? there.integrity === integrity : there.shasum === shasum;
        if (same) return { state: 'already-present', integrity };
        throw new DiagnosticError([
          diagnostic({
            code: 'NS_PUBLISH_CONFLICT',
            subject,
            message: `${subject} is already on the registry with other bytes`,
            expected: integrity,
            found: there.integrity ?? `shasum ${there.shasum ?? 'unknown'}`,
            hint: 'a version can never be republished: bump the version (napi-ship version patch) and release again; never overwrite',
          }),
        ]);
      }
      const mayAppear = res.status === 409 || res.earlierMayHaveLanded;
      if (!mayAppear || read >= READBACK_ATTEMPTS) break;
      const waitMs = Math.min(5_000, this.#http.retryBaseMs * 2 ** (read - 1));
      this.#http.onRetry?.({
        method: 'GET',
        path: this.#packageUrl(name).pathname,
        attempt: read,
        reason: `${subject} refused as existing (${String(res.status)}) but not visible yet`,
        waitMs,
      });
      await sleep(waitMs);
    }
    throw this.#statusError(res, `the publish of ${subject}`, subject);
  }

  /** The package's dist-tags; `{}` when the registry does not have the package. */
  async getDistTags(name: string): Promise<Record<string, string>> {
    const res = await this.#send(name, { method: 'GET', url: this.#distTagsUrl(name), write: false });
    if (res.status === 404) return {};
    if (res.status !== 200) throw this.#statusError(res, `the dist-tags of ${name}`, name);
    const body = this.#json(res, `the dist-tags of ${name}`, name);
    const tags: Record<string, string> = {};
    if (isRecord(body)) for (const [tag, v] of Object.entries(body)) if (typeof v === 'string' && tag !== '_etag') tags[tag] = v;
    return tags;
  }

  #distTagsUrl(name: string, tag?: string): URL {
    return new URL(`-/package/${packagePath(name)}/dist-tags${tag === undefined ? '' : `/${encodeURIComponent(tag)}`}`, this.#url);
  }

  /** Point `tag` at `version` (`PUT /-/package/<name>/dist-tags/<tag>`, body the JSON string, as `npm dist-tag add`). */
  async setDistTag(name: string, tag: string, version: string): Promise<void> {
    const res = await this.#send(name, {
      method: 'PUT',
      url: this.#distTagsUrl(name, tag),
      write: true,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(version),
    });
    if (res.status < 200 || res.status > 299)
      throw this.#statusError(res, `setting the dist-tag ${tag} of ${name} to ${version}`, `${name}@${version}`);
  }

  /** Remove `tag` (`DELETE /-/package/<name>/dist-tags/<tag>`); a tag already gone is not an error. */
  async removeDistTag(name: string, tag: string): Promise<void> {
    const res = await this.#send(name, { method: 'DELETE', url: this.#distTagsUrl(name, tag), write: true });
    if (res.status >= 200 && res.status <= 299) return;
    // A DELETE whose answer was lost and is then repeated finds nothing to delete.
    if (res.status === 404 && (await this.getDistTags(name))[tag] === undefined) return;
    throw this.#statusError(res, `removing the dist-tag ${tag} of ${name}`, name);
  }

  /**
   * Deprecate `name@version` with `message` (`''` un-deprecates), as `npm deprecate` does: read the
   * full document (`?write=true`), set `versions[version].deprecated`, `PUT` it back. Already in the
   * wanted state → nothing is sent. A 409 (the document changed meanwhile) re-reads and tries again.
   */
  async deprecate(name: string, version: string, message: string): Promise<void> {
    const subject = `${name}@${version}`;
    for (let round = 1; ; round++) {
      const doc = await this.#packumentForWrite(name);
      const versions = doc !== null && isRecord(doc.versions) ? doc.versions : null;
      const entry = versions?.[version];
      if (doc === null || !isRecord(entry)) {
        throw new DiagnosticError([
          diagnostic({
            code: 'NS_REGISTRY_HTTP',
            subject,
            message: `${subject} is not on the registry, so it cannot be deprecated`,
            found: '404',
            hint: 'check the version and --registry',
          }),
        ]);
      }
      const current = typeof entry.deprecated === 'string' ? entry.deprecated : '';
      if (current === message) return;
      entry.deprecated = message;
      const res = await this.#send(name, {
        method: 'PUT',
        url: this.#packageUrl(name),
        write: true,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(doc),
      });
      if (res.status >= 200 && res.status <= 299) return;
      if (res.status === 409 && round < 3) continue;
      throw this.#statusError(res, `${message === '' ? 'un-deprecating' : 'deprecating'} ${subject}`, subject);
    }
  }
}
