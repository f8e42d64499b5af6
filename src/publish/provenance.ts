/**
 * npm provenance, the pure part: when it is asked for, whether this run can make it, the in-toto
 * statement npm signs (libnpmpublish `lib/provenance.js`, as data), and the check of a signed bundle
 * against the tarball it must attest. The signing itself (Fulcio, Rekor) is in `attest.ts`.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';

/** The wire format of an npm provenance attestation, field for field as npm makes it. */
export const PROVENANCE = {
  payloadType: 'application/vnd.in-toto+json',
  statementV1: 'https://in-toto.io/Statement/v1',
  statementV01: 'https://in-toto.io/Statement/v0.1',
  slsaV1: 'https://slsa.dev/provenance/v1',
  slsaV02: 'https://slsa.dev/provenance/v0.2',
  githubBuildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
  githubBuilderPrefix: 'https://github.com/actions/runner',
  gitlabBuildType: 'https://github.com/npm/cli/gitlab/v0alpha1',
  /** The media type of the bundle npm attaches (`@sigstore/bundle`'s v0.3). */
  bundleMediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  /** The OIDC audience Fulcio accepts. */
  audience: 'sigstore',
  fulcioUrl: 'https://fulcio.sigstore.dev',
  rekorUrl: 'https://rekor.sigstore.dev',
  /** Where npm points people for a log entry. */
  searchUrl: 'https://search.sigstore.dev/',
} as const;

/**
 * Registries known to take no provenance (they accept or drop the attachment, so the release would
 * go out without it). npm's public registry takes it; for any other registry nothing is known.
 */
export const NO_PROVENANCE_REGISTRIES: Readonly<Record<string, string>> = {
  'npm.pkg.github.com': 'GitHub Packages does not store npm provenance attestations',
};

/** Where provenance was asked for. */
export type ProvenanceSource = '--provenance' | 'publishConfig.provenance' | 'npm_config_provenance' | 'npm config provenance';

/**
 * Whether this publish is asked to carry provenance, as npm decides: `--provenance` (or
 * `--no-provenance`), else the root package's `publishConfig.provenance` (npm applies it over its
 * config), else npm's own `provenance` setting (`npmConfig`: env `npm_config_provenance` over the
 * project, user and global npmrc, as the config layer resolved it). The env is read only to name
 * where the setting came from.
 */
export function provenanceRequested(input: {
  readonly flag?: boolean | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly npmConfig: boolean;
  readonly publishConfig?: unknown;
}): ProvenanceSource | null {
  if (input.flag === true) return '--provenance';
  if (input.flag === false) return null;
  if (isRecord(input.publishConfig) && typeof input.publishConfig.provenance === 'boolean')
    return input.publishConfig.provenance ? 'publishConfig.provenance' : null;
  if (!input.npmConfig) return null;
  const fromEnv = Object.entries(input.env).some(([k, v]) => k.toLowerCase() === 'npm_config_provenance' && v === 'true');
  return fromEnv ? 'npm_config_provenance' : 'npm config provenance';
}

export type CiProvider = 'github' | 'gitlab';

/** The CI this runs on, as ci-info tells npm (only the two npm makes provenance on). */
export function ciProvider(env: NodeJS.ProcessEnv): CiProvider | null {
  if (env.GITHUB_ACTIONS !== undefined && env.GITHUB_ACTIONS !== '' && env.GITHUB_ACTIONS !== 'false') return 'github';
  if (env.GITLAB_CI !== undefined && env.GITLAB_CI !== '' && env.GITLAB_CI !== 'false') return 'gitlab';
  return null;
}

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/**
 * Why provenance cannot be made here (empty: it can be tried): not on GitHub Actions or GitLab CI,
 * no OIDC id token offered, a registry known to take none, restricted access (npm refuses
 * provenance for a private package). Every one stops the publish before its first write.
 */
export function provenanceBlockers(input: {
  readonly env: NodeJS.ProcessEnv;
  readonly registry: string;
  readonly access?: 'public' | 'restricted' | undefined;
  readonly source: ProvenanceSource;
}): Diagnostic[] {
  const { env, source } = input;
  const out: Diagnostic[] = [];
  const ci = ciProvider(env);
  const asked = `provenance is on (${source})`;
  if (ci === null) {
    out.push(
      diagnostic({
        code: 'NS_PUBLISH_PROVENANCE_UNAVAILABLE',
        subject: source,
        message: `${asked} but this is neither GitHub Actions nor GitLab CI: npm makes provenance only there, so nothing was published`,
        hint: 'publish from the release workflow (GitHub Actions with `permissions: id-token: write`), or turn provenance off for a local publish (--no-provenance)',
      }),
    );
  } else if (ci === 'github' && !(set(env.ACTIONS_ID_TOKEN_REQUEST_URL) && set(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN))) {
    out.push(
      diagnostic({
        code: 'NS_PUBLISH_PROVENANCE_UNAVAILABLE',
        subject: source,
        message: `${asked} but GitHub Actions offers no OIDC id token (ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set), so nothing was published`,
        hint: 'give the publish job `permissions: id-token: write` (napi-ship ci generate does)',
      }),
    );
  } else if (ci === 'gitlab' && !set(env.SIGSTORE_ID_TOKEN)) {
    out.push(
      diagnostic({
        code: 'NS_PUBLISH_PROVENANCE_UNAVAILABLE',
        subject: source,
        message: `${asked} but GitLab CI offers no SIGSTORE_ID_TOKEN, so nothing was published`,
        hint: 'add `id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore` to the publish job',
      }),
    );
  }
  let host = '';
  try {
    host = new URL(input.registry).hostname;
  } catch {
    // an unparsable registry is refused by the client already
  }
  const why = NO_PROVENANCE_REGISTRIES[host];
  if (why !== undefined) {
    out.push(
      diagnostic({
        code: 'NS_PUBLISH_PROVENANCE_REGISTRY',
        subject: input.registry,
        message: `${asked} but ${why}: the release would go out without it, so nothing was published`,
        hint: 'publish with provenance to registry.npmjs.org, or turn provenance off for this registry (--no-provenance)',
      }),
    );
  }
  if (input.access === 'restricted') {
    out.push(
      diagnostic({
        code: 'NS_PUBLISH_PROVENANCE_UNAVAILABLE',
        subject: '--access restricted',
        message: `${asked} but access is restricted: npm makes no provenance for private packages, so nothing was published`,
        hint: 'publish with --access public, or without provenance',
      }),
    );
  }
  return out;
}

/** The subject npm attests: the package URL (`npa.toPurl`) and the sha512 of the tarball, in hex. */
export interface ProvenanceSubject {
  readonly name: string;
  readonly digest: { readonly sha512: string };
}

/** `pkg:npm/%40scope/name@1.2.3` and the hex sha512 from `sha512-<base64>` integrity. */
export function provenanceSubject(name: string, version: string, integrity: string): ProvenanceSubject {
  if (!integrity.startsWith('sha512-')) throw new Error(`internal: not a sha512 integrity: ${integrity}`);
  return {
    name: `pkg:npm/${name.replace(/^@/, '%40')}@${version}`,
    digest: { sha512: Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex') },
  };
}

/**
 * The in-toto statement npm signs for one package: SLSA v1 with the GitHub workflow build
 * definition on GitHub Actions, SLSA v0.2 with the GitLab pipeline on GitLab CI.
 */
export function provenanceStatement(subject: ProvenanceSubject, env: NodeJS.ProcessEnv, ci: CiProvider): Record<string, unknown> {
  const e = (k: string): string | undefined => env[k];
  if (ci === 'github') {
    const relativeRef = (e('GITHUB_WORKFLOW_REF') ?? '').replace(`${e('GITHUB_REPOSITORY') ?? ''}/`, '');
    const at = relativeRef.indexOf('@');
    const server = e('GITHUB_SERVER_URL') ?? '';
    const repo = e('GITHUB_REPOSITORY') ?? '';
    return {
      _type: PROVENANCE.statementV1,
      subject: [subject],
      predicateType: PROVENANCE.slsaV1,
      predicate: {
        buildDefinition: {
          buildType: PROVENANCE.githubBuildType,
          externalParameters: {
            workflow: {
              ref: relativeRef.slice(at + 1),
              repository: `${server}/${repo}`,
              path: at < 0 ? relativeRef.slice(0, -1) : relativeRef.slice(0, at),
            },
          },
          internalParameters: {
            github: {
              event_name: e('GITHUB_EVENT_NAME'),
              repository_id: e('GITHUB_REPOSITORY_ID'),
              repository_owner_id: e('GITHUB_REPOSITORY_OWNER_ID'),
            },
          },
          resolvedDependencies: [{ uri: `git+${server}/${repo}@${e('GITHUB_REF') ?? ''}`, digest: { gitCommit: e('GITHUB_SHA') } }],
        },
        runDetails: {
          builder: { id: `${PROVENANCE.githubBuilderPrefix}/${e('RUNNER_ENVIRONMENT') ?? ''}` },
          metadata: {
            invocationId: `${server}/${repo}/actions/runs/${e('GITHUB_RUN_ID') ?? ''}/attempts/${e('GITHUB_RUN_ATTEMPT') ?? ''}`,
          },
        },
      },
    };
  }
  const project = e('CI_PROJECT_URL') ?? '';
  return {
    _type: PROVENANCE.statementV01,
    subject: [subject],
    predicateType: PROVENANCE.slsaV02,
    predicate: {
      buildType: PROVENANCE.gitlabBuildType,
      builder: { id: `${project}/-/runners/${e('CI_RUNNER_ID') ?? ''}` },
      invocation: {
        configSource: { uri: `git+${project}`, digest: { sha1: e('CI_COMMIT_SHA') }, entryPoint: e('CI_JOB_NAME') },
        parameters: Object.fromEntries(
          Object.entries(env).filter(
            ([k]) => k.startsWith('CI_') || k === 'CI' || k.startsWith('GITLAB_') || k === 'RUNNER_GENERATE_ARTIFACTS_METADATA',
          ),
        ),
        environment: {
          name: e('CI_RUNNER_DESCRIPTION'),
          architecture: e('CI_RUNNER_EXECUTABLE_ARCH'),
          server: e('CI_SERVER_URL'),
          project: e('CI_PROJECT_PATH'),
          job: { id: e('CI_JOB_ID') },
          pipeline: { id: e('CI_PIPELINE_ID'), ref: e('CI_CONFIG_PATH') },
        },
      },
      metadata: {
        buildInvocationId: e('CI_JOB_URL') ?? '',
        completeness: { parameters: true, environment: true, materials: false },
        reproducible: false,
      },
      materials: [{ uri: `git+${project}`, digest: { sha1: e('CI_COMMIT_SHA') } }],
    },
  };
}

/**
 * Check a serialized sigstore bundle against the package it is to be attached to (libnpmpublish's
 * `verifyProvenance` checks, before any signature check): a DSSE envelope carrying an in-toto
 * statement with exactly one subject, that package's purl and its tarball's sha512. Empty: it fits.
 */
export function checkProvenanceBundle(bundle: unknown, expected: ProvenanceSubject, subject: string): Diagnostic[] {
  const bad = (message: string, found?: string): Diagnostic[] => [
    diagnostic({
      code: 'NS_PUBLISH_PROVENANCE_MISMATCH',
      subject,
      message: `the provenance bundle for ${subject} does not attest its tarball: ${message}; nothing was published`,
      expected: `${expected.name} sha512:${expected.digest.sha512}`,
      ...(found === undefined ? {} : { found }),
      hint: 'this is a bug or a tampered signing service: do not publish; report it',
    }),
  ];
  if (!isRecord(bundle) || bundle.mediaType !== PROVENANCE.bundleMediaType) return bad('it is not a sigstore v0.3 bundle');
  const envelope = bundle.dsseEnvelope;
  if (!isRecord(envelope) || envelope.payloadType !== PROVENANCE.payloadType || typeof envelope.payload !== 'string')
    return bad('it has no in-toto DSSE envelope');
  let statement: unknown;
  try {
    statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
  } catch {
    return bad('its payload is not JSON');
  }
  if (!isRecord(statement) || !Array.isArray(statement.subject) || statement.subject.length !== 1)
    return bad('its statement does not have exactly one subject');
  const s: unknown = statement.subject[0];
  const name = isRecord(s) ? s.name : undefined;
  const sha512 = isRecord(s) && isRecord(s.digest) ? s.digest.sha512 : undefined;
  if (name !== expected.name || sha512 !== expected.digest.sha512)
    return bad('its subject names another package or digest', `${String(name)} sha512:${String(sha512)}`);
  return [];
}

/** Where the sigstore services are (default: the public-good instance npm uses). */
export interface SigstoreEndpoints {
  readonly fulcioUrl: string;
  readonly rekorUrl: string;
  /** An RFC 3161 timestamp authority; npm uses none by default. */
  readonly tsaUrl?: string;
}

/**
 * The endpoints from the environment: `NAPI_SHIP_SIGSTORE_FULCIO_URL`, `…_REKOR_URL`, `…_TSA_URL`
 * (a private sigstore instance), else the public-good instance.
 */
export function sigstoreEndpoints(env: NodeJS.ProcessEnv): SigstoreEndpoints {
  const pick = (k: string): string | undefined => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const tsa = pick('NAPI_SHIP_SIGSTORE_TSA_URL');
  return {
    fulcioUrl: pick('NAPI_SHIP_SIGSTORE_FULCIO_URL') ?? PROVENANCE.fulcioUrl,
    rekorUrl: pick('NAPI_SHIP_SIGSTORE_REKOR_URL') ?? PROVENANCE.rekorUrl,
    ...(tsa === undefined ? {} : { tsaUrl: tsa }),
  };
}
