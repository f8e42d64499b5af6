/**
 * One HTTP exchange with a registry, on undici: TLS (extra CA bundle), proxies from the environment,
 * timeouts on connect/headers/body, and bounded retries with jittered exponential backoff that
 * honour `Retry-After`. Anything transient (429, 5xx, resets, timeouts) is retried; every other
 * answer is handed back to the caller to interpret, so a 4xx that means "no" is never retried here.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { diagnostic, DiagnosticError, errorMessage, type Diagnostic } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';
import { displayUrl, isLoopbackHost, redact } from './url.js';

/** What `onRetry` is told before each wait. */
export interface RetryInfo {
  readonly method: string;
  readonly path: string;
  /** The attempt that failed (1 = the first try). */
  readonly attempt: number;
  readonly reason: string;
  readonly waitMs: number;
}

export interface HttpSettings {
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryBaseMs: number;
  /** Secrets that must never appear in a message. */
  readonly secrets: () => readonly (string | undefined)[];
  readonly onRetry?: (info: RetryInfo) => void;
  readonly userAgent: string;
  /**
   * The overall deadline of one attempt, headers and body together (default: 4 × `timeoutMs`, plus
   * one second per 64 KiB of request body). `timeoutMs` bounds each gap; this bounds the whole, so
   * a registry trickling a byte at a time cannot keep us waiting for ever.
   */
  readonly deadlineMs?: number;
}

/** The overall deadline of one attempt (see `HttpSettings.deadlineMs`). */
export function attemptDeadlineMs(settings: Pick<HttpSettings, 'timeoutMs' | 'deadlineMs'>, bodyBytes: number): number {
  return settings.deadlineMs ?? settings.timeoutMs * 4 + Math.ceil(bodyBytes / 65_536) * 1000;
}

export interface HttpRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** How many attempts it took (1 = no retry). */
  readonly attempts: number;
  /** Whether an earlier attempt may have reached the server (a lost answer, a 5xx). */
  readonly earlierMayHaveLanded: boolean;
}

/** The longest exponential wait between attempts. */
export const MAX_BACKOFF_MS = 30_000;
/** The longest `Retry-After` honoured; a registry asking for more stops the retries. */
export const MAX_RETRY_AFTER_MS = 120_000;
/** Response bodies larger than this are refused (the largest packuments are tens of MB). */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

/** `Retry-After` as milliseconds from `nowMs`: delta-seconds or an HTTP date; `null` if absent or bad. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}

/**
 * The wait after the `failures`-th failed attempt: `base · 2^(failures−1)` capped at 30 s, jittered
 * into its upper half (`random` ∈ [0, 1)), and never shorter than what `Retry-After` asked for.
 */
export function backoffMs(failures: number, baseMs: number, retryAfterMs: number | null, random: number): number {
  const exponential = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, failures - 1));
  const jittered = Math.round(exponential * (0.5 + 0.5 * random));
  return retryAfterMs === null ? jittered : Math.max(jittered, Math.ceil(retryAfterMs));
}

/** 429, 408 and the 5xx that mean "not now" (not 501 Not Implemented / 505 Version Not Supported). */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
]);
const TRANSIENT = new Set([
  ...CONNECT_FAILURES,
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'E_DEADLINE',
]);

/** The `code` of an error or of the first cause that has one. */
export function errorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return null;
}

function isTlsError(code: string | null): boolean {
  return (
    code !== null &&
    (code.startsWith('CERT_') ||
      code.startsWith('ERR_TLS_') ||
      code.startsWith('ERR_SSL_') ||
      [
        'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        'UNABLE_TO_GET_ISSUER_CERT',
        'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
        'SELF_SIGNED_CERT_IN_CHAIN',
        'DEPTH_ZERO_SELF_SIGNED_CERT',
      ].includes(code))
  );
}

function headerRecord(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

async function readBody(body: Dispatcher.ResponseData['body']): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw Object.assign(new Error(`the response body exceeds ${String(MAX_BODY_BYTES)} bytes`), { code: 'NS_BODY_TOO_LARGE' });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Send one request, retrying transient failures. Resolves with the first non-transient answer,
 * whatever its status; throws `NS_REGISTRY_UNREACHABLE` (never connected, or TLS refused) or
 * `NS_REGISTRY_RETRIES_EXHAUSTED` (kept failing transiently).
 */
export async function send(settings: HttpSettings, req: HttpRequest): Promise<HttpResponse> {
  const where = `${req.method} ${displayUrl(req.url)}`;
  const maxAttempts = Math.max(1, settings.retries + 1);
  let earlierMayHaveLanded = false;
  let everConnected = false;
  let lastReason = '';
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let retryAfterMs: number | null = null;
    const deadlineMs = attemptDeadlineMs(settings, req.body === undefined ? 0 : req.body.length);
    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort(Object.assign(new Error(`no complete answer within ${String(deadlineMs)} ms`), { code: 'E_DEADLINE' }));
    }, deadlineMs);
    try {
      const response = await request(req.url, {
        dispatcher: settings.dispatcher,
        method: req.method,
        headers: { 'user-agent': settings.userAgent, ...req.headers },
        ...(req.body === undefined ? {} : { body: req.body }),
        headersTimeout: settings.timeoutMs,
        bodyTimeout: settings.timeoutMs,
        signal: deadline.signal,
      });
      everConnected = true;
      const headers = headerRecord(response.headers);
      const body = await readBody(response.body);
      clearTimeout(timer);
      if (!isTransientStatus(response.statusCode)) {
        return { status: response.statusCode, headers, body, attempts: attempt, earlierMayHaveLanded };
      }
      // A 5xx may come after the write was done (a gateway timing out on a slow backend).
      if (req.method !== 'GET' && response.statusCode >= 500) earlierMayHaveLanded = true;
      retryAfterMs = parseRetryAfter(headers['retry-after'], Date.now());
      reason = `HTTP ${String(response.statusCode)}${registryMessage(body) ? ` (${registryMessage(body)})` : ''}`;
    } catch (caught) {
      clearTimeout(timer);
      // The deadline aborts with its own reason; undici may wrap it.
      const error: unknown = deadline.signal.aborted ? deadline.signal.reason : caught;
      const code = errorCode(error);
      if (isTlsError(code)) {
        throw new DiagnosticError([
          diagnostic({
            code: 'NS_REGISTRY_UNREACHABLE',
            subject: where,
            message: redact(`TLS refused the registry's certificate: ${errorMessage(error)}`, settings.secrets()),
            hint: 'if the registry uses a private CA, pass its PEM bundle with --ca-file (or cafile= in .npmrc)',
          }),
        ]);
      }
      if (code === 'NS_BODY_TOO_LARGE' || code === null || !TRANSIENT.has(code)) {
        throw new DiagnosticError([
          diagnostic({
            code: 'NS_REGISTRY_UNREACHABLE',
            subject: where,
            message: redact(`cannot reach the registry: ${errorMessage(error)}${code === null ? '' : ` (${code})`}`, settings.secrets()),
            hint:
              code === 'ENOTFOUND'
                ? 'check the registry host name (--registry) and DNS'
                : 'check --registry, the network and any HTTP(S)_PROXY setting',
          }),
        ]);
      }
      if (!CONNECT_FAILURES.has(code)) {
        everConnected = true;
        // The request may have been written before the connection died: a write may have landed.
        if (req.method !== 'GET') earlierMayHaveLanded = true;
      }
      reason = `${code}: ${errorMessage(error)}`;
    }
    lastReason = redact(reason, settings.secrets());
    if (attempt >= maxAttempts) break;
    if (retryAfterMs !== null && retryAfterMs > MAX_RETRY_AFTER_MS) {
      lastReason += ` and asked to wait ${String(Math.round(retryAfterMs / 1000))} s (Retry-After), longer than the ${String(MAX_RETRY_AFTER_MS / 1000)} s napi-ship waits`;
      break;
    }
    const waitMs = backoffMs(attempt, settings.retryBaseMs, retryAfterMs, Math.random());
    settings.onRetry?.({ method: req.method, path: req.url.pathname, attempt, reason: lastReason, waitMs });
    await sleep(waitMs);
  }
  const d: Diagnostic = everConnected
    ? diagnostic({
        code: 'NS_REGISTRY_RETRIES_EXHAUSTED',
        subject: where,
        message: `the registry kept failing; gave up (last: ${lastReason})`,
        hint: 'the registry or the network is unwell; run again later (a publish resumes where it stopped)',
      })
    : diagnostic({
        code: 'NS_REGISTRY_UNREACHABLE',
        subject: where,
        message: `cannot reach the registry (last: ${lastReason})`,
        hint: 'check --registry, the network and any HTTP(S)_PROXY setting',
      });
  throw new DiagnosticError([d]);
}

/** The human part of a registry error body (`error`, `message`, `reason`), or the text itself, short. */
export function registryMessage(body: Buffer): string {
  const text = body.toString('utf8');
  let message = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) {
      const pick = [parsed.error, parsed.message, parsed.reason].find((v): v is string => typeof v === 'string' && v !== '');
      message = pick ?? '';
    }
  } catch {
    // not JSON: the text it is
  }
  message = message.replace(/\s+/g, ' ').trim();
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

/** TLS settings from npm's config (`ca`/`cafile`, `cert`/`key`, `strict-ssl`). */
export interface TlsSettings {
  /** PEM certificates that replace the system CAs (npm's `ca` / `cafile`). */
  readonly ca?: readonly string[] | null;
  readonly cert?: string | null;
  readonly key?: string | null;
  /** `strict-ssl=false` accepts any certificate (npm's meaning); default true. */
  readonly strictSSL?: boolean;
}

/** Proxies from npm's config; each unset one falls back to the environment (`HTTP(S)_PROXY`, `NO_PROXY`). */
export interface ProxySettings {
  readonly proxy?: string | null;
  readonly httpsProxy?: string | null;
  readonly noProxy?: string | null;
}

export interface DispatcherOptions {
  readonly registry: URL;
  readonly timeoutMs: number;
  /** An extra CA bundle (PEM) trusted on top of the system's (or of `tls.ca`). */
  readonly caFile?: string;
  readonly tls?: TlsSettings;
  readonly proxy?: ProxySettings;
  readonly env: NodeJS.ProcessEnv;
}

/** The loopback names that always bypass a proxy. */
const LOOPBACK_NO_PROXY = 'localhost,127.0.0.1,::1,[::1]';

function caFileCerts(caFile: string): string {
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_CA',
        subject: caFile,
        message: `cannot read the CA bundle: ${errorMessage(error)}`,
        hint: 'pass a readable PEM file to --ca-file',
      }),
    ]);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_CA',
        subject: caFile,
        message: 'the CA bundle holds no PEM certificate',
        hint: 'pass a PEM file (-----BEGIN CERTIFICATE-----) to --ca-file',
      }),
    ]);
  }
  return pem;
}

const set = (v: string | null | undefined): v is string => v !== undefined && v !== null && v.trim() !== '';

/**
 * The undici dispatcher for a registry: connect timeout; the CAs (npm's `ca`/`cafile` replace the
 * system's, as in npm; `caFile` is trusted on top); a client certificate (`cert`/`key`);
 * `strict-ssl`; and a proxy — npm's `https-proxy` (https) / `proxy` (http) / `noproxy`, else
 * `HTTP(S)_PROXY` / `NO_PROXY` from the environment — through undici's `EnvHttpProxyAgent`. A loopback
 * registry never goes through a proxy.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const t = options.tls ?? {};
  let ca: string[] | undefined;
  if (t.ca !== undefined && t.ca !== null && t.ca.length > 0) ca = [...t.ca];
  if (options.caFile !== undefined) ca = [...(ca ?? rootCertificates), caFileCerts(options.caFile)];
  const tls = {
    timeout: options.timeoutMs,
    ...(ca === undefined ? {} : { ca }),
    ...(set(t.cert) && set(t.key) ? { cert: t.cert, key: t.key } : {}),
    ...(t.strictSSL === false ? { rejectUnauthorized: false } : {}),
  };
  const agentOptions = { connect: tls, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, keepAliveTimeout: 4_000 };
  const env = options.env;
  const p = options.proxy ?? {};
  const httpProxy = set(p.proxy) ? p.proxy : (env.http_proxy ?? env.HTTP_PROXY);
  const httpsProxy = set(p.httpsProxy) ? p.httpsProxy : set(p.proxy) ? p.proxy : (env.https_proxy ?? env.HTTPS_PROXY);
  const anyProxy = set(httpProxy) || set(httpsProxy);
  if (!anyProxy || isLoopbackHost(options.registry.hostname)) return new Agent(agentOptions);
  const configured = set(p.noProxy) ? p.noProxy : (env.no_proxy ?? env.NO_PROXY ?? '');
  const noProxy = [configured, LOOPBACK_NO_PROXY].filter((s) => s !== '').join(',');
  return new EnvHttpProxyAgent({
    ...agentOptions,
    httpProxy: httpProxy ?? '',
    httpsProxy: httpsProxy ?? httpProxy ?? '',
    noProxy,
    requestTls: tls,
    proxyTls: tls,
  });
}
