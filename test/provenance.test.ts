/**
 * npm provenance end to end on loopback: a three-package release published by the real CLI "on
 * GitHub Actions" — an OIDC token endpoint, Fulcio, Rekor and a timestamp authority from
 * `@sigstore/mock` on 127.0.0.1 — through a logging proxy in front of a real verdaccio. Every PUT
 * body carries `<name>-<version>.sigstore`, which `@sigstore/verify` accepts with the mock's trust
 * root and whose subject is the package's purl and the sha512 of `dist.integrity` as the registry
 * stores it; the release installs and loads. Verdaccio itself refuses a body with that attachment
 * (400), so the proxy takes the bundle off before forwarding, as a registry that keeps attestations
 * would. Refusals write nothing: no OIDC token, no CI at all, a registry known to keep no
 * attestations, and a bundle signed for another digest; a bundle whose digest is edited after
 * signing fails verification.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, VerificationError, Verifier } from '@sigstore/verify';
import { attestPackages, loadRelease, PROVENANCE, publishRelease, provenanceSubject } from '../src/publish/index.js';
import { buildPublishBody, RegistryClient } from '../src/registry/index.js';
import { nerfDart } from '../src/registry/npmrc.js';
import { isRecord } from '../src/util/json.js';
import { runCli } from './helpers/cli.js';
import { buildFixtureRelease, type FixtureRelease } from '../scripts/lib/publish-release.js';
import { startMockSigstore, type MockSigstore } from './helpers/sigstore-mock.js';
import { startRegistry, type Registry } from './helpers/verdaccio.js';

const run = promisify(execFile);

interface Captured {
  readonly method: string;
  readonly path: string;
  /** The `.sigstore` attachments of a PUT body, by attachment name. */
  readonly sigstore: Readonly<Record<string, { content_type: unknown; data: unknown; length: unknown }>>;
}

/** A proxy in front of verdaccio that logs every request and takes `.sigstore` attachments off PUT bodies. */
async function startLoggingProxy(target: string): Promise<{ url: string; log: Captured[]; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const log: Captured[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const sigstore: Record<string, { content_type: unknown; data: unknown; length: unknown }> = {};
      if (req.method === 'PUT' && body.length > 0) {
        const doc: unknown = JSON.parse(body.toString('utf8'));
        if (isRecord(doc) && isRecord(doc._attachments)) {
          const kept: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(doc._attachments)) {
            if (k.endsWith('.sigstore') && isRecord(v)) sigstore[k] = { content_type: v.content_type, data: v.data, length: v.length };
            else kept[k] = v;
          }
          body = Buffer.from(JSON.stringify({ ...doc, _attachments: kept }));
        }
      }
      log.push({ method: req.method ?? '', path: req.url ?? '', sigstore });
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
      const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

const REPO = 'napi-ship-test/prov-addon';
const claims = {
  sub: `repo:${REPO}:ref:refs/tags/v1.0.0`,
  repository: REPO,
  workflow_ref: `${REPO}/.github/workflows/release.yml@refs/tags/v1.0.0`,
  event_name: 'push',
  sha: '0123456789abcdef0123456789abcdef01234567',
};

let sigstore: MockSigstore;
let registry: Registry;
let proxy: Awaited<ReturnType<typeof startLoggingProxy>>;
let scratch = '';
let release: FixtureRelease;

/** GitHub Actions as the publish job sees it, pointed at the loopback sigstore; no proxy, no stray npm config. */
function ciEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    NO_COLOR: '1',
    HOME: scratch,
    npm_config_userconfig: path.join(scratch, 'none.npmrc'),
    npm_config_provenance: '',
    NPM_CONFIG_PROVENANCE: '',
    // The publish token bound to the registry it is for (the proxy in front of verdaccio), as npm binds it.
    [`npm_config_${nerfDart(proxy.url)}:_authToken`]: registry.token,
    NPM_TOKEN: '',
    NODE_AUTH_TOKEN: '',
    HTTP_PROXY: '',
    HTTPS_PROXY: '',
    http_proxy: '',
    https_proxy: '',
    GITLAB_CI: '',
    GITHUB_ACTIONS: 'true',
    ACTIONS_ID_TOKEN_REQUEST_URL: sigstore.tokenRequestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: sigstore.tokenRequestToken,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: REPO,
    GITHUB_WORKFLOW_REF: claims.workflow_ref,
    GITHUB_REF: 'refs/tags/v1.0.0',
    GITHUB_SHA: claims.sha,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REPOSITORY_ID: '123456',
    GITHUB_REPOSITORY_OWNER_ID: '654321',
    RUNNER_ENVIRONMENT: 'github-hosted',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '1',
    NAPI_SHIP_SIGSTORE_FULCIO_URL: sigstore.fulcioUrl,
    NAPI_SHIP_SIGSTORE_REKOR_URL: sigstore.rekorUrl,
    NAPI_SHIP_SIGSTORE_TSA_URL: sigstore.tsaUrl,
    ...extra,
  };
}

function publishArgs(...extra: string[]): string[] {
  return ['publish', '--release-dir', release.releaseDir, '--registry', proxy.url, '--read-back-timeout', '30', ...extra];
}

/** The package documents PUT (not the dist-tag writes under `/-/`). */
const puts = (): Captured[] => proxy.log.filter((r) => r.method === 'PUT' && !r.path.includes('/-/'));

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-provenance-'));
  [sigstore, registry] = await Promise.all([startMockSigstore(claims), startRegistry()]);
  proxy = await startLoggingProxy(registry.url);
  release = await buildFixtureRelease({ scratch, name: '@napi-prov/addon', version: '1.0.0', targets: 2 });
});
after(async () => {
  await Promise.all([proxy.close(), sigstore.close(), registry.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

describe('publish --provenance', () => {
  test('no OIDC token on GitHub Actions: exit 3 before the first request, the registry untouched', async () => {
    const r = await runCli(publishArgs('--provenance'), {
      env: ciEnv({ ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' }),
    });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stderr, /NS_PUBLISH_PROVENANCE_UNAVAILABLE/);
    assert.match(r.stderr, /id-token: write/);
    assert.equal(proxy.log.length, 0, JSON.stringify(proxy.log));
    assert.equal(sigstore.requests.length, 0);
    // publishConfig-free release, not on CI at all, provenance from npm's env config: the same stop.
    const local = await runCli(publishArgs(), { env: ciEnv({ GITHUB_ACTIONS: '', npm_config_provenance: 'true' }) });
    assert.equal(local.code, 3, local.stdout + local.stderr);
    assert.match(local.stderr, /NS_PUBLISH_PROVENANCE_UNAVAILABLE.*\(npm_config_provenance\)/);
    assert.equal(proxy.log.length, 0);
    const client = new RegistryClient({ registry: registry.url });
    for (const p of release.manifest.packages) assert.equal(await client.getPackument(p.name), null, `${p.name} is not on the registry`);
  });

  test('GitHub Packages keeps no attestations: refused with a usage error, nothing sent', async () => {
    const r = await runCli(['publish', '--release-dir', release.releaseDir, '--registry', 'https://npm.pkg.github.com/', '--provenance'], {
      env: ciEnv(),
    });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /NS_PUBLISH_PROVENANCE_REGISTRY/);
    assert.equal(sigstore.requests.length, 0);
  });

  test('the dry run says whether provenance would be attached', async () => {
    const yes = await runCli(publishArgs('--dry-run', '--provenance'), { env: ciEnv() });
    assert.equal(yes.code, 0, yes.stdout + yes.stderr);
    assert.match(yes.stdout, /provenance \(--provenance\): would be signed and attached to every package published/);
    const no = await runCli(publishArgs('--dry-run', '--provenance', '--json'), { env: ciEnv({ GITHUB_ACTIONS: '' }) });
    assert.equal(no.code, 0, no.stdout + no.stderr);
    const result = JSON.parse(no.stdout) as { provenance: { possible: boolean }; diagnostics: { code: string; severity: string }[] };
    assert.equal(result.provenance.possible, false);
    assert.ok(result.diagnostics.some((d) => d.code === 'NS_PUBLISH_PROVENANCE_UNAVAILABLE' && d.severity === 'warning'));
    assert.equal(puts().length, 0);
    assert.equal(sigstore.requests.length, 0, 'a dry run signs nothing');
  });

  test('a bundle signed for another digest is refused before the first PUT; an edited digest fails verification', async () => {
    const loaded = await loadRelease(release.releaseDir);
    const client = new RegistryClient({ registry: proxy.url, token: registry.token });
    const env = ciEnv();
    const otherDigest = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;
    const before = puts().length;
    const result = await publishRelease({
      releaseDir: release.releaseDir,
      loaded,
      client,
      provenance: {
        source: '--provenance',
        env,
        endpoints: { fulcioUrl: sigstore.fulcioUrl, rekorUrl: sigstore.rekorUrl },
        // A signing service that attests something else for the first package.
        attest: (input) =>
          attestPackages({ ...input, packages: input.packages.map((p, i) => (i === 0 ? { ...p, integrity: otherDigest } : p)) }),
      },
    });
    assert.equal(result.result.outcome, 'refused');
    assert.equal(result.diagnostics[0]?.code, 'NS_PUBLISH_PROVENANCE_MISMATCH', JSON.stringify(result.diagnostics));
    assert.equal(result.result.journalPath, null);
    assert.equal(puts().length, before, 'no PUT');

    // A genuinely signed bundle whose statement is edited to another digest: the signature breaks.
    const [good] = await attestPackages({
      packages: [{ name: release.manifest.name, version: '1.0.0', integrity: release.manifest.packages[0]?.integrity ?? '' }],
      env,
      endpoints: { fulcioUrl: sigstore.fulcioUrl, rekorUrl: sigstore.rekorUrl, tsaUrl: sigstore.tsaUrl },
    });
    assert.ok(good !== undefined);
    const verifier = new Verifier(sigstore.trustMaterial, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 });
    verifier.verify(toSignedEntity(bundleFromJSON(good.bundle)));
    const envelope = good.bundle.dsseEnvelope as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as { subject: { digest: { sha512: string } }[] };
    const first = statement.subject[0];
    assert.ok(first !== undefined);
    first.digest.sha512 = Buffer.alloc(64, 7).toString('hex');
    const forged = { ...good.bundle, dsseEnvelope: { ...envelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') } };
    assert.throws(
      () => verifier.verify(toSignedEntity(bundleFromJSON(forged))),
      (e: unknown) => e instanceof VerificationError && /payload hash mismatch|signature/i.test(e.message),
    );
  });

  test('verdaccio refuses a publish body carrying a .sigstore attachment (so the proxy takes it off)', async () => {
    const [att] = await attestPackages({
      packages: [{ name: 'napi-prov-probe', version: '1.0.0', integrity: `sha512-${Buffer.alloc(64, 1).toString('base64')}` }],
      env: ciEnv(),
      endpoints: { fulcioUrl: sigstore.fulcioUrl, rekorUrl: sigstore.rekorUrl },
    });
    assert.ok(att !== undefined);
    const body = buildPublishBody({
      registry: registry.url,
      manifest: { name: 'napi-prov-probe', version: '1.0.0' },
      tarball: Buffer.from('the bytes do not matter to this probe'),
      tag: 'latest',
      provenance: { bundle: att.bundle, mediaType: att.mediaType },
    });
    const res = await fetch(new URL('napi-prov-probe', registry.url), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${registry.token}` },
      body: JSON.stringify(body.document),
    });
    assert.equal(res.status, 400, await res.text());
  });

  test('every package is published with a bundle @sigstore/verify accepts, bound to its dist.integrity; it installs', async () => {
    const r = await runCli(publishArgs('--provenance'), { env: ciEnv() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /provenance \(--provenance\): attached to 3 package\(s\)/);
    assert.deepEqual(sigstore.audiences.slice(-1), [PROVENANCE.audience]);
    const bodies = puts().filter((p) => Object.keys(p.sigstore).length > 0);
    assert.equal(bodies.length, release.manifest.packages.length, 'one PUT with a bundle per package');
    assert.equal(puts().length, release.manifest.packages.length, 'no PUT without a bundle');
    // The root goes last, as always.
    assert.equal(decodeURIComponent(bodies.at(-1)?.path ?? ''), `/${release.manifest.name}`);
    const verifier = new Verifier(sigstore.trustMaterial, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 });
    const client = new RegistryClient({ registry: registry.url });
    for (const p of release.manifest.packages) {
      const key = `${p.name}-${p.version}.sigstore`;
      const body = bodies.find((b) => key in b.sigstore);
      const att = body?.sigstore[key];
      assert.ok(att !== undefined, `${key} attached`);
      assert.equal(att.content_type, PROVENANCE.bundleMediaType);
      assert.equal(typeof att.data, 'string');
      assert.equal(att.length, (att.data as string).length);
      const json: unknown = JSON.parse(att.data as string);
      assert.ok(isRecord(json));
      const signer = verifier.verify(toSignedEntity(bundleFromJSON(json)));
      const identity = signer.identity;
      assert.ok(identity !== undefined, 'a certificate identity');
      assert.equal(identity.subjectAlternativeName, claims.sub);
      assert.equal(identity.extensions?.issuer, 'https://token.actions.githubusercontent.com');
      const envelope = json.dsseEnvelope as { payload: string; payloadType: string };
      assert.equal(envelope.payloadType, PROVENANCE.payloadType);
      const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
        _type: string;
        predicateType: string;
        subject: { name: string; digest: { sha512: string } }[];
        predicate: { buildDefinition: { externalParameters: { workflow: { path: string; ref: string; repository: string } } } };
      };
      assert.equal(statement._type, PROVENANCE.statementV1);
      assert.equal(statement.predicateType, PROVENANCE.slsaV1);
      assert.deepEqual(statement.predicate.buildDefinition.externalParameters.workflow, {
        ref: 'refs/tags/v1.0.0',
        repository: `https://github.com/${REPO}`,
        path: '.github/workflows/release.yml',
      });
      // What the registry stores is what was attested.
      const stored = (await client.getPackument(p.name))?.versions[p.version]?.integrity;
      assert.equal(stored, p.integrity);
      assert.deepEqual(statement.subject, [provenanceSubject(p.name, p.version, stored)]);
      assert.equal(statement.subject[0]?.name, `pkg:npm/${p.name.replace('@', '%40')}@${p.version}`);
    }
    // The release installs from the registry and loads.
    const project = await mkdtemp(path.join(scratch, 'install-'));
    await writeFile(path.join(project, '.npmrc'), `registry=${registry.url}\n`);
    await writeFile(path.join(project, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true}\n');
    await run('npm', ['install', '--no-audit', '--no-fund', `${release.manifest.name}@1.0.0`], {
      cwd: project,
      env: { ...process.env, HOME: scratch, npm_config_userconfig: path.join(scratch, 'none.npmrc') },
      timeout: 120_000,
    });
    const { stdout } = await run(
      process.execPath,
      ['-e', `console.log(typeof require(${JSON.stringify(release.manifest.name)}).coreVersion())`],
      {
        cwd: project,
      },
    );
    assert.equal(stdout.trim(), 'string');
  });
});
