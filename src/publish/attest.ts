/**
 * npm provenance, the signing: the CI's OIDC id token (audience `sigstore`) buys a short-lived
 * Fulcio certificate for an ephemeral key, the in-toto statement is signed as a DSSE envelope, the
 * signature is logged in Rekor (and timestamped by a TSA when one is configured), all through
 * `@sigstore/sign` as npm's `sigstore.attest` does. The bundle is serialized with `@sigstore/bundle`.
 */
import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness, type IdentityProvider, type Witness } from '@sigstore/sign';
import { diagnostic, DiagnosticError, errorMessage } from '../diagnostics/index.js';
import { requestActionsIdToken } from '../registry/auth.js';
import { createDispatcher } from '../registry/http.js';
import { redact } from '../registry/url.js';
import { isRecord } from '../util/json.js';
import {
  ciProvider,
  checkProvenanceBundle,
  PROVENANCE,
  provenanceStatement,
  provenanceSubject,
  sigstoreEndpoints,
  type SigstoreEndpoints,
} from './provenance.js';

export { sigstoreEndpoints, type SigstoreEndpoints } from './provenance.js';

export interface Attestation {
  readonly name: string;
  readonly version: string;
  /** The bundle as JSON (what goes into `_attachments["<name>-<version>.sigstore"]`). */
  readonly bundle: Record<string, unknown>;
  readonly mediaType: string;
  /** The Rekor log index, when the bundle has a tlog entry. */
  readonly logIndex: string | null;
}

function provenanceError(subject: string, message: string, secrets: readonly (string | undefined)[]): DiagnosticError {
  return new DiagnosticError([
    diagnostic({
      code: 'NS_PUBLISH_PROVENANCE_SIGN',
      subject,
      message: `${redact(message, secrets)}; nothing was published`,
      hint: 'check the job has `permissions: id-token: write` and that Fulcio and Rekor are reachable, then run publish again; or publish without provenance (--no-provenance)',
    }),
  ]);
}

/** The OIDC id token for Fulcio: GitHub Actions' token endpoint (audience sigstore), or GitLab's SIGSTORE_ID_TOKEN. */
export async function sigstoreIdToken(env: NodeJS.ProcessEnv): Promise<string> {
  const secrets = [env.ACTIONS_ID_TOKEN_REQUEST_TOKEN, env.SIGSTORE_ID_TOKEN];
  if (ciProvider(env) === 'gitlab') {
    const token = env.SIGSTORE_ID_TOKEN;
    if (token === undefined || token.trim() === '')
      throw provenanceError('SIGSTORE_ID_TOKEN', 'GitLab CI offers no SIGSTORE_ID_TOKEN', secrets);
    return token.trim();
  }
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '';
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? '';
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    throw provenanceError('ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_URL is not a URL', secrets);
  }
  const timeoutMs = 30_000;
  const dispatcher = createDispatcher({ registry: url, timeoutMs, env });
  try {
    const res = await requestActionsIdToken(
      { dispatcher, timeoutMs, retries: 2, retryBaseMs: 250, secrets: () => secrets, userAgent: `napi-ship node/${process.version}` },
      url,
      requestToken,
      PROVENANCE.audience,
    );
    const value = res.value;
    if (res.status !== 200 || value === null)
      throw provenanceError(
        'ACTIONS_ID_TOKEN_REQUEST_URL',
        `GitHub Actions did not hand out an id token (HTTP ${String(res.status)})`,
        secrets,
      );
    return value;
  } catch (error) {
    if (error instanceof DiagnosticError && error.diagnostics.some((d) => d.code === 'NS_PUBLISH_PROVENANCE_SIGN')) throw error;
    throw provenanceError('ACTIONS_ID_TOKEN_REQUEST_URL', `cannot get an OIDC id token: ${errorMessage(error)}`, secrets);
  } finally {
    await dispatcher.close();
  }
}

export interface AttestInput {
  readonly packages: readonly { readonly name: string; readonly version: string; readonly integrity: string }[];
  readonly env: NodeJS.ProcessEnv;
  readonly endpoints?: SigstoreEndpoints;
  /** Sign with this id token instead of asking the CI (tests, or a token the caller already holds). */
  readonly identityToken?: string;
}

/**
 * One provenance bundle per package, each checked against its package's tarball digest before it
 * is returned. Throws `NS_PUBLISH_PROVENANCE_SIGN` (no token, Fulcio/Rekor refused or unreachable)
 * or `NS_PUBLISH_PROVENANCE_MISMATCH`; the caller has written nothing yet.
 */
export async function attestPackages(input: AttestInput): Promise<Attestation[]> {
  const ci = ciProvider(input.env);
  if (ci === null) throw provenanceError('provenance', 'not on GitHub Actions or GitLab CI', []);
  const endpoints = input.endpoints ?? sigstoreEndpoints(input.env);
  let token: Promise<string> | null = input.identityToken === undefined ? null : Promise.resolve(input.identityToken);
  const identityProvider: IdentityProvider = {
    getToken: () => (token ??= sigstoreIdToken(input.env)),
  };
  const fetchOptions = { retry: { retries: 2 }, timeout: 30_000 };
  const witnesses: Witness[] = [
    new RekorWitness({ rekorBaseURL: endpoints.rekorUrl, entryType: 'dsse', fetchOnConflict: false, ...fetchOptions }),
  ];
  if (endpoints.tsaUrl !== undefined) witnesses.push(new TSAWitness({ tsaBaseURL: endpoints.tsaUrl, ...fetchOptions }));
  const builder = new DSSEBundleBuilder({
    signer: new FulcioSigner({ fulcioBaseURL: endpoints.fulcioUrl, identityProvider, ...fetchOptions }),
    witnesses,
  });
  const out: Attestation[] = [];
  for (const p of input.packages) {
    const subject = provenanceSubject(p.name, p.version, p.integrity);
    const statement = provenanceStatement(subject, input.env, ci);
    let bundle: Record<string, unknown>;
    try {
      const built = await builder.create({ data: Buffer.from(JSON.stringify(statement)), type: PROVENANCE.payloadType });
      bundle = bundleToJSON(built);
    } catch (error) {
      if (error instanceof DiagnosticError) throw error;
      throw provenanceError(`${p.name}@${p.version}`, `signing the provenance of ${p.name}@${p.version} failed: ${errorMessage(error)}`, [
        input.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
        input.env.SIGSTORE_ID_TOKEN,
        input.identityToken,
      ]);
    }
    const problems = checkProvenanceBundle(bundle, subject, `${p.name}@${p.version}`);
    if (problems.length > 0) throw new DiagnosticError(problems);
    const tlog = isRecord(bundle.verificationMaterial) ? bundle.verificationMaterial.tlogEntries : undefined;
    const first: unknown = Array.isArray(tlog) ? tlog[0] : undefined;
    const logIndex = isRecord(first) && typeof first.logIndex === 'string' ? first.logIndex : null;
    out.push({ name: p.name, version: p.version, bundle, mediaType: PROVENANCE.bundleMediaType, logIndex });
  }
  return out;
}
