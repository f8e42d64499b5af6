/**
 * A sigstore on loopback for provenance tests: `@sigstore/mock`'s Fulcio (with a CT log), Rekor and
 * timestamp authority handlers served by one HTTP server on 127.0.0.1, a GitHub Actions style OIDC
 * token endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL` answering `{"value": <jwt>}`), and the trusted root
 * that `@sigstore/verify` needs to check what they signed.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  fulcioHandler,
  initializeCA,
  initializeCTLog,
  initializeTLog,
  initializeTSA,
  rekorHandler,
  tsaHandler,
  type HandlerFn,
} from '@sigstore/mock';
import { HashAlgorithm, PublicKeyDetails, type TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';

export interface MockSigstore {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly fulcioUrl: string;
  readonly rekorUrl: string;
  readonly tsaUrl: string;
  /** For `ACTIONS_ID_TOKEN_REQUEST_URL` (the `audience` query is added by the caller). */
  readonly tokenRequestUrl: string;
  /** What `ACTIONS_ID_TOKEN_REQUEST_TOKEN` must be. */
  readonly tokenRequestToken: string;
  /** The TSA's full timestamp URL (sigstore takes a URL with a path as the full endpoint). */
  /** Every request served, in order: method, path (with query) and whether the bearer was right. */
  readonly requests: { readonly method: string; readonly path: string }[];
  /** The OIDC audiences asked for at the token endpoint. */
  readonly audiences: string[];
  readonly trustMaterial: TrustMaterial;
  readonly claims: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

const view = (v: ArrayBufferView): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const b64url = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

function keyPair(): { publicKey: import('node:crypto').KeyObject; privateKey: import('node:crypto').KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/**
 * What Rekor stores for a `dsse` v0.0.1 entry is not the proposed entry (envelope + verifiers) but
 * its canonical form: the envelope's signatures with their verifiers and the envelope's and
 * payload's sha256. The mock logs what it is sent, so this does Rekor's part first; other kinds
 * go through unchanged.
 */
function canonicalRekorEntry(body: string): string {
  const entry = JSON.parse(body) as {
    kind?: string;
    apiVersion?: string;
    spec?: { proposedContent?: { envelope: string; verifiers: string[] } };
  };
  const proposed = entry.spec?.proposedContent;
  if (entry.kind !== 'dsse' || proposed === undefined) return body;
  const envelope = JSON.parse(proposed.envelope) as { payload: string; signatures: { sig: string }[] };
  const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
  return JSON.stringify({
    apiVersion: entry.apiVersion,
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256(proposed.envelope) },
      payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(envelope.payload, 'base64')) },
      signatures: envelope.signatures.map((sig, i) => ({ signature: sig.sig, verifier: proposed.verifiers[i] ?? '' })),
    },
  });
}

export async function startMockSigstore(claims: Readonly<Record<string, string>>): Promise<MockSigstore> {
  // One clock on a whole second for every service: the mock TSA writes its GeneralizedTime through
  // asn1js, which trims trailing zeros of the milliseconds ("…05.5Z"), and @sigstore/core reads only
  // three digits or none, so a timestamp taken at a random millisecond fails one time in ten. The
  // mock's root certificates start at the real time of their creation (second precision), so the
  // clock is set, once they exist, to the next whole second after them (the services keep this Date
  // object and read it at each use). Fulcio's certificates are valid ten minutes from it.
  const clock = new Date();
  const ctlog = await initializeCTLog(keyPair(), clock);
  const ca = await initializeCA(keyPair(), ctlog, clock);
  const tsa = await initializeTSA(keyPair(), clock);
  const requests: { method: string; path: string }[] = [];
  const audiences: string[] = [];
  const tokenRequestToken = 'gha-request-token-not-a-secret';
  let tlogReady: Awaited<ReturnType<typeof initializeTLog>> | null = null;
  const handlers = new Map<string, HandlerFn>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? '', path });
      const body = await readBody(req);
      const url = new URL(path, 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/oidc/token') {
        if (req.headers.authorization !== `Bearer ${tokenRequestToken}`) {
          res.writeHead(401).end('{"message":"bad request token"}');
          return;
        }
        const audience = url.searchParams.get('audience') ?? '';
        audiences.push(audience);
        const now = Math.floor(Date.now() / 1000);
        const jwt = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({
          iss: 'https://token.actions.githubusercontent.com',
          aud: audience,
          iat: now,
          exp: now + 600,
          ...claims,
        })}.${Buffer.from('not-signed').toString('base64url')}`;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: jwt }));
        return;
      }
      const handler = req.method === 'POST' ? handlers.get(url.pathname) : undefined;
      if (handler === undefined) {
        res.writeHead(404).end('not found');
        return;
      }
      const r = await handler(url.pathname.startsWith('/rekor/') ? canonicalRekorEntry(body) : body);
      res.writeHead(r.statusCode, { 'content-type': r.contentType ?? 'text/plain' });
      res.end(typeof r.response === 'string' ? r.response : view(r.response));
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  tlogReady = await initializeTLog(`${url}/rekor`, keyPair(), clock);
  clock.setTime((Math.floor(Date.now() / 1000) + 1) * 1000);
  const tlog = tlogReady;
  for (const [prefix, h] of [
    ['/fulcio', fulcioHandler(ca)],
    ['/rekor', rekorHandler(tlog)],
    ['/tsa', tsaHandler(tsa)],
  ] as const) {
    handlers.set(`${prefix}${h.path}`, h.fn);
  }

  const start = new Date(Date.now() - 60_000);
  const root: TrustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: `${url}/fulcio`,
        certChain: { certificates: [{ rawBytes: view(ca.rootCertificate) }] },
        validFor: { start },
        operator: 'sigstore.mock',
      },
    ],
    tlogs: [
      {
        baseUrl: `${url}/rekor`,
        hashAlgorithm: HashAlgorithm.SHA2_256,
        publicKey: { rawBytes: tlog.publicKey, keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256, validFor: { start } },
        logId: { keyId: createHash('sha256').update(tlog.publicKey).digest() },
        checkpointKeyId: undefined,
        operator: 'sigstore.mock',
      },
    ],
    ctlogs: [
      {
        baseUrl: `${url}/ctlog`,
        hashAlgorithm: HashAlgorithm.SHA2_256,
        publicKey: { rawBytes: ctlog.publicKey, keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256, validFor: { start } },
        logId: { keyId: view(ctlog.logID) },
        checkpointKeyId: undefined,
        operator: 'sigstore.mock',
      },
    ],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: `${url}/tsa`,
        certChain: { certificates: [{ rawBytes: view(tsa.intCertificate) }, { rawBytes: view(tsa.rootCertificate) }] },
        validFor: { start },
        operator: 'sigstore.mock',
      },
    ],
  };
  return {
    url,
    fulcioUrl: `${url}/fulcio`,
    rekorUrl: `${url}/rekor`,
    tsaUrl: `${url}/tsa/api/v1/timestamp`,
    tokenRequestUrl: `${url}/oidc/token?api-version=2.0`,
    tokenRequestToken,
    requests,
    audiences,
    trustMaterial: toTrustMaterial(root),
    claims,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
