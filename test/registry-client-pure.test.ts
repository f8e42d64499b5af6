/**
 * The registry client's rules without a registry: the https rule, .npmrc parsing and matching,
 * auth precedence, Retry-After and backoff, the publish body, and — against small loopback servers
 * standing in for a registry, a CI id-token endpoint, an HTTP proxy and a TLS registry — OTP and
 * auth errors, token redaction, OIDC exchange, proxies from the environment and a custom CA.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { create as tarCreate } from 'tar';
import { DiagnosticError, formatDiagnostic } from '../src/diagnostics/index.js';
import {
  backoffMs,
  buildPublishBody,
  checkRegistryUrl,
  chooseRegistry,
  envReplace,
  exchangeOidcToken,
  isLoopbackHost,
  isTransientStatus,
  loadNpmrc,
  MAX_BACKOFF_MS,
  nerfDart,
  parseNpmrc,
  parseRetryAfter,
  publishBodyBytes,
  readTarballManifest,
  redact,
  RegistryClient,
  resolveAuth,
  tokenForRegistry,
} from '../src/registry/index.js';
import { rejection } from './helpers/diagnostics.js';

const run = promisify(execFile);
let scratch = '';

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-regpure-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function thrown(fn: () => unknown): { code: string; text: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DiagnosticError);
    const first = error.diagnostics[0];
    assert.ok(first);
    return { code: first.code, text: error.diagnostics.map(formatDiagnostic).join('\n') };
  }
  assert.fail('expected a throw');
}

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Handler = (req: Seen, res: http.ServerResponse) => void;

/** A loopback HTTP server that records every request and answers with `handler`. */
async function fakeServer(handler: Handler): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function makeTarball(manifest: Record<string, unknown>, files: Record<string, string> = {}): Promise<Uint8Array> {
  const dir = await mkdtemp(path.join(scratch, 'pkg-'));
  await mkdir(path.join(dir, 'package'));
  await writeFile(path.join(dir, 'package', 'package.json'), JSON.stringify(manifest));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, 'package', name), text);
  const file = path.join(dir, 'out.tgz');
  await tarCreate({ gzip: true, cwd: dir, file, portable: true }, ['package']);
  return new Uint8Array(await readFile(file));
}

describe('the https rule', () => {
  test('https anywhere; http only on loopback or with allowInsecure', () => {
    assert.equal(checkRegistryUrl('https://registry.npmjs.org').href, 'https://registry.npmjs.org/');
    assert.equal(
      checkRegistryUrl('https://npm.example.com/artifactory/api/npm/npm').href,
      'https://npm.example.com/artifactory/api/npm/npm/',
    );
    for (const ok of [
      'http://127.0.0.1:4873/',
      'http://127.1.2.3/',
      'http://localhost:4873',
      'http://[::1]:4873/',
      'http://registry.localhost/',
    ]) {
      assert.doesNotThrow(() => checkRegistryUrl(ok), ok);
    }
    for (const bad of [
      'http://registry.npmjs.org/',
      'http://10.0.0.1:4873/',
      'http://128.0.0.1/',
      'http://localhost.example.com/',
      'http://[::2]/',
      'http://127.0.0.1.nip.io/',
    ]) {
      assert.equal(thrown(() => checkRegistryUrl(bad)).code, 'NS_REGISTRY_INSECURE', bad);
      assert.doesNotThrow(() => checkRegistryUrl(bad, true), bad);
    }
    assert.equal(thrown(() => checkRegistryUrl('ftp://example.com/')).code, 'NS_REGISTRY_URL');
    assert.equal(thrown(() => checkRegistryUrl('not a url')).code, 'NS_REGISTRY_URL');
    const withCreds = thrown(() => checkRegistryUrl('https://user:s3cr3t-pass@registry.example.com/'));
    assert.equal(withCreds.code, 'NS_REGISTRY_URL');
    assert.ok(!withCreds.text.includes('s3cr3t-pass'));
  });

  test('the client refuses a non-loopback http registry before sending anything', () => {
    assert.throws(
      () => new RegistryClient({ registry: 'http://registry.example.com/' }),
      (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0]?.code === 'NS_REGISTRY_INSECURE',
    );
    assert.equal(
      new RegistryClient({ registry: 'http://registry.example.com', allowInsecure: true }).registry,
      'http://registry.example.com/',
    );
  });

  test('loopback detection', () => {
    assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('[::1]') && isLoopbackHost('::ffff:127.0.0.1') && isLoopbackHost('LOCALHOST'));
    assert.ok(!isLoopbackHost('0.0.0.0') && !isLoopbackHost('192.168.1.1') && !isLoopbackHost('example.com'));
  });
});

describe('.npmrc as npm reads it', () => {
  test('${ENV} expansion: set, unset (literal), ${VAR?} (empty), escaped', () => {
    const env = { TOKEN: 'abc', EMPTY: '' };
    assert.equal(envReplace('${TOKEN}', env), 'abc');
    assert.equal(envReplace('x-${MISSING}-y', env), 'x-${MISSING}-y');
    assert.equal(envReplace('x-${MISSING?}-y', env), 'x--y');
    assert.equal(envReplace('\\${TOKEN}', env), '${TOKEN}');
    assert.equal(envReplace('\\\\${TOKEN}', env), '\\abc');
    assert.equal(envReplace('${EMPTY}', env), '');
  });

  test('ini parsing: comments, quotes, keys expanded too, sections skipped', () => {
    const text = [
      '; a comment',
      '# another',
      'registry = https://registry.example.com/ ; trailing comment',
      '//registry.example.com/:_authToken=${NPM_TOKEN_X}',
      '"//quoted.example.com/:_authToken" = "tok;with#chars"',
      '@corp:registry=https://npm.corp.example/',
      '//${HOSTVAR}/:_authToken=hostvar-token',
      'flag',
      'list[]=a',
      'list[]=b',
      '[section]',
      'registry=https://ignored.example/',
      '',
    ].join('\r\n');
    const config = parseNpmrc(text, { NPM_TOKEN_X: 'tok-123', HOSTVAR: 'h.example' });
    assert.equal(config.registry, 'https://registry.example.com/');
    assert.equal(config['//registry.example.com/:_authToken'], 'tok-123');
    assert.equal(config['//quoted.example.com/:_authToken'], 'tok;with#chars');
    assert.equal(config['@corp:registry'], 'https://npm.corp.example/');
    assert.equal(config['//h.example/:_authToken'], 'hostvar-token');
    assert.equal(config.flag, 'true');
    assert.equal(config.list, 'b');
  });

  test('longest-prefix matching of //host[:port]/path/ keys, as npm-registry-fetch walks it', () => {
    const config = {
      '//npm.example.com/:_authToken': 'host-token',
      '//npm.example.com/api/npm/:_authToken': 'api-token',
      '//npm.example.com/api/npm/private/:_authToken': 'private-token',
      '//npm.example.com:8443/:_authToken': 'port-token',
      '//other.example.com/:_authToken': '${UNSET}',
    };
    assert.equal(tokenForRegistry('https://npm.example.com/api/npm/private/', config)?.token, 'private-token');
    assert.equal(
      tokenForRegistry('https://npm.example.com/api/npm/private', config)?.token,
      'api-token',
      'no trailing slash: npm walks up to /api/npm/',
    );
    assert.equal(tokenForRegistry('https://npm.example.com/api/npm/public/', config)?.token, 'api-token');
    assert.equal(tokenForRegistry('https://npm.example.com/api/', config)?.token, 'host-token');
    assert.equal(tokenForRegistry('https://npm.example.com:8443/x/', config)?.token, 'port-token');
    assert.equal(tokenForRegistry('https://npm.example.com:443/', config)?.token, 'host-token', 'the default port is not part of the key');
    assert.equal(tokenForRegistry('https://other.example.com/', config), null, 'an unexpanded ${VAR} is no token');
    assert.equal(tokenForRegistry('https://third.example.com/', config), null);
    // Path-less key without the trailing slash also matches, as in npm.
    assert.equal(tokenForRegistry('https://slash.example.com/a/', { '//slash.example.com/a:_authToken': 'noslash' })?.token, 'noslash');
    assert.equal(nerfDart('https://npm.example.com/api/npm'), '//npm.example.com/api/npm/');
  });

  test('scoped registries', () => {
    const npmrc = { registry: 'https://registry.example.com', '@corp:registry': 'https://npm.corp.example/' };
    const registryFor = (packageName: string, rc: Record<string, string>): string =>
      chooseRegistry({ packageName, npmrc: rc, env: {} }).url;
    assert.equal(registryFor('@corp/pkg', npmrc), 'https://npm.corp.example/');
    assert.equal(registryFor('@other/pkg', npmrc), 'https://registry.example.com/');
    assert.equal(registryFor('plain', npmrc), 'https://registry.example.com/');
    assert.equal(registryFor('plain', {}), 'https://registry.npmjs.org/');
  });

  test('where a publish goes: flag, publishConfig.registry, scope, npm_config_registry, .npmrc, npmjs', () => {
    const npmrc = { registry: 'https://rc.example', '@corp:registry': 'https://corp.example/npm' };
    const env = { npm_config_registry: 'https://env.example/' };
    const pc = { registry: 'https://pc.example' };
    assert.deepEqual(chooseRegistry({ packageName: '@corp/pkg', flag: 'https://flag.example', publishConfig: pc, npmrc, env }), {
      url: 'https://flag.example/',
      source: 'flag',
    });
    assert.deepEqual(chooseRegistry({ packageName: '@corp/pkg', publishConfig: pc, npmrc, env }), {
      url: 'https://pc.example/',
      source: 'publishConfig.registry',
    });
    assert.deepEqual(chooseRegistry({ packageName: '@corp/pkg', npmrc, env }), { url: 'https://corp.example/npm/', source: 'scope' });
    assert.deepEqual(chooseRegistry({ packageName: 'plain', npmrc, env }), { url: 'https://env.example/', source: 'npm_config_registry' });
    assert.deepEqual(chooseRegistry({ packageName: 'plain', npmrc, env: {} }), { url: 'https://rc.example/', source: 'npmrc' });
    assert.deepEqual(chooseRegistry({ packageName: 'plain', publishConfig: { registry: '  ' }, npmrc: {}, env: {} }), {
      url: 'https://registry.npmjs.org/',
      source: 'default',
    });
  });

  test('files: user config then project (project wins); NPM_CONFIG_USERCONFIG; resolveAuth precedence', async () => {
    const home = await mkdtemp(path.join(scratch, 'home-'));
    const project = await mkdtemp(path.join(scratch, 'proj-'));
    const registry = 'https://npm.example.com/';
    await writeFile(path.join(home, '.npmrc'), '//npm.example.com/:_authToken=${USER_TOKEN}\nregistry=https://user.example/\n');
    await writeFile(path.join(project, '.npmrc'), 'registry=https://project.example/\n');
    const env = { HOME: home, USER_TOKEN: 'user-token-value' };
    const merged = await loadNpmrc({ cwd: project, env });
    assert.equal(merged.registry, 'https://project.example/');
    assert.deepEqual(await resolveAuth({ registry, env, cwd: project }), { token: 'user-token-value', source: 'npmrc' });

    // The project file wins for the same key.
    await writeFile(path.join(project, '.npmrc'), '//npm.example.com/:_authToken=project-token\n');
    assert.deepEqual(await resolveAuth({ registry, env, cwd: project }), { token: 'project-token', source: 'npmrc' });

    // NPM_CONFIG_USERCONFIG and the explicit userconfig replace ~/.npmrc.
    await rm(path.join(project, '.npmrc'));
    const alt = path.join(scratch, 'alt.npmrc');
    await writeFile(alt, '//npm.example.com/:_authToken=alt-token\n');
    assert.equal((await resolveAuth({ registry, env: { ...env, NPM_CONFIG_USERCONFIG: alt }, cwd: project })).token, 'alt-token');
    assert.equal((await resolveAuth({ registry, env, cwd: project, userconfig: alt })).token, 'alt-token');

    // Environment tokens are for npm's public registry only: never sent to another registry, where
    // the .npmrc token for that registry is used.
    assert.deepEqual(await resolveAuth({ registry, env: { ...env, NODE_AUTH_TOKEN: 'node-auth', NPM_TOKEN: 'npm-tok' }, cwd: project }), {
      token: 'user-token-value',
      source: 'npmrc',
    });
    assert.deepEqual(
      await resolveAuth({
        registry: 'http://127.0.0.1:4873/',
        env: { ...env, NODE_AUTH_TOKEN: 'node-auth', NPM_TOKEN: 'npm-tok' },
        cwd: project,
      }),
      { source: 'none' },
    );
    // For registry.npmjs.org they win over files; NPM_TOKEN over NODE_AUTH_TOKEN.
    const npmjs = 'https://registry.npmjs.org/';
    assert.deepEqual(await resolveAuth({ registry: npmjs, env: { ...env, NODE_AUTH_TOKEN: 'node-auth' }, cwd: project }), {
      token: 'node-auth',
      source: 'NODE_AUTH_TOKEN',
    });
    assert.deepEqual(
      await resolveAuth({ registry: npmjs, env: { ...env, NODE_AUTH_TOKEN: 'node-auth', NPM_TOKEN: 'npm-tok' }, cwd: project }),
      {
        token: 'npm-tok',
        source: 'NPM_TOKEN',
      },
    );
    // _auth and username/_password are Basic credentials for their registry only.
    await writeFile(alt, '//npm.example.com/:_auth=dXNlcjpwYXNz\n//basic.example/:username=u\n//basic.example/:_password=cGFzcw==\n');
    assert.deepEqual(await resolveAuth({ registry, env, cwd: project, userconfig: alt }), { basic: 'dXNlcjpwYXNz', source: 'npmrc' });
    assert.deepEqual(await resolveAuth({ registry: 'https://basic.example/', env, cwd: project, userconfig: alt }), {
      basic: Buffer.from('u:pass').toString('base64'),
      source: 'npmrc',
    });
    assert.deepEqual(await resolveAuth({ registry: 'https://other.example/', env, cwd: project, userconfig: alt }), { source: 'none' });

    // setup-node's placeholder is no token; with an id-token endpoint it is OIDC.
    const setupNode = { HOME: home, NODE_AUTH_TOKEN: 'XXXXX-XXXXX-XXXXX-XXXXX' };
    await writeFile(path.join(home, '.npmrc'), '//npm.example.com/:_authToken=${NODE_AUTH_TOKEN}\n');
    assert.deepEqual(await resolveAuth({ registry, env: setupNode, cwd: project }), { source: 'none' });
    assert.deepEqual(
      await resolveAuth({
        registry,
        env: { ...setupNode, ACTIONS_ID_TOKEN_REQUEST_URL: 'https://gh.example/token', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req' },
        cwd: project,
      }),
      { source: 'oidc' },
    );
    // A token for another host is not sent.
    assert.deepEqual(
      await resolveAuth({ registry: 'https://elsewhere.example/', env: { ...env, NODE_AUTH_TOKEN: undefined }, cwd: project }),
      { source: 'none' },
    );
  });
});

describe('retries', () => {
  test('Retry-After: delta-seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now), 0, 'a past date means now');
    assert.equal(parseRetryAfter(undefined, now), null);
    assert.equal(parseRetryAfter('soon', now), null);
    assert.equal(parseRetryAfter('-3', now), null);
  });

  test('backoff grows, is jittered into its upper half, is capped, and never undercuts Retry-After', () => {
    assert.equal(backoffMs(1, 250, null, 0), 125);
    assert.equal(backoffMs(1, 250, null, 0.999999), 250);
    assert.equal(backoffMs(3, 250, null, 0.999999), 1000);
    assert.equal(backoffMs(30, 250, null, 0.999999), MAX_BACKOFF_MS);
    assert.equal(backoffMs(1, 250, 5000, 0.5), 5000);
    assert.equal(backoffMs(6, 250, 100, 1 - 1e-9), 8000);
  });

  test('what is transient', () => {
    for (const s of [408, 429, 500, 502, 503, 504, 599]) assert.ok(isTransientStatus(s), String(s));
    for (const s of [200, 201, 400, 401, 403, 404, 409, 422, 501, 505]) assert.ok(!isTransientStatus(s), String(s));
  });
});

describe('the publish body', () => {
  test('field for field as libnpmpublish builds it', async () => {
    const manifest = { name: '@scope/pkg-linux-x64-gnu', version: 'v1.2.3', description: 'd', os: ['linux'], main: 'x.node' };
    const tarball = await makeTarball(manifest, { 'x.node': 'binary' });
    assert.deepEqual(await readTarballManifest(tarball), manifest);
    const body = buildPublishBody({
      registry: 'https://registry.example.com/',
      manifest,
      tarball,
      tag: 'napi-ship-staging',
      access: 'public',
    });
    const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    const shasum = createHash('sha1').update(tarball).digest('hex');
    assert.equal(body.version, '1.2.3', 'semver.clean as npm');
    assert.equal(body.integrity, integrity);
    assert.deepEqual(Object.keys(body.document), ['_id', 'name', 'description', 'dist-tags', 'versions', 'access', '_attachments']);
    assert.equal(body.document._id, '@scope/pkg-linux-x64-gnu');
    assert.deepEqual(body.document['dist-tags'], { 'napi-ship-staging': '1.2.3' });
    assert.equal(body.document.access, 'public');
    const v = (body.document.versions as Record<string, Record<string, unknown>>)['1.2.3'];
    assert.ok(v);
    assert.equal(v._id, '@scope/pkg-linux-x64-gnu@1.2.3');
    assert.equal(v.version, '1.2.3');
    assert.deepEqual(v.os, ['linux']);
    assert.equal(v._nodeVersion, process.versions.node);
    assert.deepEqual(v.dist, {
      integrity,
      shasum,
      tarball: 'https://registry.example.com/@scope/pkg-linux-x64-gnu/-/pkg-linux-x64-gnu-1.2.3.tgz',
    });
    const att = (body.document._attachments as Record<string, { content_type: string; data: string; length: number }>)[
      '@scope/pkg-linux-x64-gnu-1.2.3.tgz'
    ];
    assert.ok(att);
    assert.equal(att.content_type, 'application/octet-stream');
    assert.equal(att.length, tarball.byteLength);
    assert.deepEqual(new Uint8Array(Buffer.from(att.data, 'base64')), tarball);
  });

  test('the bytes sent are JSON.stringify of the document; given digests are used as they are', async () => {
    // Non-ASCII, characters JSON escapes, and the marker's own prefix in the manifest.
    const manifest = { name: '@s/p', version: '1.0.0', description: 'é ☃ \u2028 "q" \\ \u0000napi-ship-attachment-' };
    const tarball = await makeTarball(manifest, { 'x.node': 'b'.repeat(5000) });
    const provenance = {
      bundle: { mediaType: 'm', note: 'x\u0000"y"' },
      mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2',
    };
    for (const extra of [{}, { provenance }]) {
      const body = buildPublishBody({ registry: 'https://r.example/', manifest, tarball, tag: 'latest', ...extra });
      assert.ok(publishBodyBytes(body).equals(Buffer.from(JSON.stringify(body.document))));
      const given = buildPublishBody({
        registry: 'https://r.example/',
        manifest,
        tarball,
        tag: 'latest',
        ...extra,
        digests: { integrity: body.integrity, shasum: body.shasum },
      });
      assert.deepEqual(given.document, body.document);
    }
    const empty = buildPublishBody({
      registry: 'https://r.example/',
      manifest: { name: 'e', version: '1.0.0' },
      tarball: new Uint8Array(0),
      tag: 'latest',
    });
    assert.ok(publishBodyBytes(empty).equals(Buffer.from(JSON.stringify(empty.document))));
  });

  test('refuses what npm refuses', async () => {
    const tarball = await makeTarball({ name: 'x', version: '1.0.0' });
    assert.equal(
      thrown(() =>
        buildPublishBody({
          registry: 'https://r.example/',
          manifest: { name: 'x', version: '1.0.0', private: true },
          tarball,
          tag: 'latest',
        }),
      ).code,
      'NS_PUBLISH_PRIVATE',
    );
    assert.equal(
      thrown(() => buildPublishBody({ registry: 'https://r.example/', manifest: { name: 'x', version: 'one' }, tarball, tag: 'latest' }))
        .code,
      'NS_PUBLISH_BAD_MANIFEST',
    );
    assert.equal(
      thrown(() =>
        buildPublishBody({
          registry: 'https://r.example/',
          manifest: { name: 'x', version: '1.0.0' },
          tarball,
          tag: 'latest',
          access: 'restricted',
        }),
      ).code,
      'NS_PUBLISH_ACCESS',
    );
    assert.equal(
      thrown(() => buildPublishBody({ registry: 'https://r.example/', manifest: { name: 'x', version: '1.0.0' }, tarball, tag: '1.x' }))
        .code,
      'NS_PUBLISH_BAD_TAG',
    );
    assert.equal((await rejection(readTarballManifest(new Uint8Array([1, 2, 3])))).code, 'NS_PUBLISH_BAD_TARBALL');
  });
});

describe('against loopback stand-ins', () => {
  test('401 with www-authenticate: OTP → NS_REGISTRY_AUTH with the --otp hint; the otp travels as npm-otp on writes only', async () => {
    const server = await fakeServer((req, res) => {
      if (req.method === 'GET') json(res, 200, { latest: '1.0.0' });
      else if (req.headers['npm-otp'] === '123456') json(res, 201, { ok: true });
      else json(res, 401, { error: 'You must provide a one-time pass.' }, { 'www-authenticate': 'OTP' });
    });
    try {
      const token = 'npm_SuperSecretTokenValue1234567890';
      const noOtp = new RegistryClient({ registry: server.url, token });
      const r = await rejection(noOtp.setDistTag('pkg', 'latest', '1.0.0'));
      assert.equal(r.code, 'NS_REGISTRY_AUTH');
      assert.match(r.text, /--otp/);
      assert.ok(!r.text.includes(token));
      const withOtp = new RegistryClient({ registry: server.url, token, otp: '123456' });
      await withOtp.setDistTag('pkg', 'latest', '1.0.0');
      await withOtp.getDistTags('pkg');
      const get = server.seen.at(-1);
      const put = server.seen.at(-2);
      assert.equal(put?.method, 'PUT');
      assert.equal(put.url, '/-/package/pkg/dist-tags/latest');
      assert.equal(put.body, '"1.0.0"');
      assert.equal(put.headers['content-type'], 'application/json');
      assert.equal(put.headers['npm-otp'], '123456');
      assert.equal(put.headers.authorization, `Bearer ${token}`);
      assert.equal(get?.method, 'GET');
      assert.equal(get.headers['npm-otp'], undefined, 'no otp on reads');
      await noOtp.close();
      await withOtp.close();
    } finally {
      await server.close();
    }
  });

  test('a token the registry echoes back never reaches an error message; 4xx "no" is not retried', async () => {
    const token = 'tkn-5f0b1c2d-echoed-in-errors';
    const server = await fakeServer((req, res) => {
      json(res, req.method === 'GET' ? 403 : 400, { error: `token ${token} rejected (Bearer ${token})` });
    });
    try {
      const retries: unknown[] = [];
      const client = new RegistryClient({ registry: server.url, token, onRetry: (i) => retries.push(i) });
      const tarball = await makeTarball({ name: 'echo', version: '1.0.0' });
      const a = await rejection(client.publish({ manifest: { name: 'echo', version: '1.0.0' }, tarball, tag: 'latest' }));
      assert.equal(a.code, 'NS_REGISTRY_HTTP');
      assert.ok(!a.text.includes(token), a.text);
      const b = await rejection(client.getPackument('echo'));
      assert.equal(b.code, 'NS_REGISTRY_AUTH');
      assert.ok(!b.text.includes(token), b.text);
      assert.match(b.text, /rejected/);
      assert.equal(server.seen.length, 2, 'one request each: a 400 and a 403 are never retried');
      assert.equal(retries.length, 0);
      assert.ok(!JSON.stringify(client).includes(token));
      await client.close();
    } finally {
      await server.close();
    }
  });

  test('transient failures are retried, then NS_REGISTRY_RETRIES_EXHAUSTED; a closed port is NS_REGISTRY_UNREACHABLE', async () => {
    const server = await fakeServer((_req, res) => {
      json(res, 503, { error: 'down' });
    });
    try {
      const waits: number[] = [];
      const client = new RegistryClient({ registry: server.url, retries: 3, retryBaseMs: 1, onRetry: (i) => waits.push(i.waitMs) });
      const r = await rejection(client.getPackument('x'));
      assert.equal(r.code, 'NS_REGISTRY_RETRIES_EXHAUSTED');
      assert.equal(server.seen.length, 4);
      assert.equal(waits.length, 3);
      await client.close();
    } finally {
      await server.close();
    }
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => {
          resolve(p);
        });
      });
    });
    const dead = new RegistryClient({ registry: `http://127.0.0.1:${String(port)}/`, retries: 2, retryBaseMs: 1 });
    assert.equal((await rejection(dead.getPackument('x'))).code, 'NS_REGISTRY_UNREACHABLE');
  });

  test('OIDC trusted publishing: id token with audience npm:<host>, exchanged per package, used as bearer', async () => {
    const idToken = 'eyJhbGciOiJub25lIn0.eyJyZXBvIjoieCJ9.sig';
    const gh = await fakeServer((req, res) => {
      if (req.headers.authorization !== 'Bearer gh-request-token') json(res, 403, { message: 'no' });
      else json(res, 200, { value: idToken });
    });
    const registry = await fakeServer((req, res) => {
      if (req.method !== 'POST' || !req.url.startsWith('/-/npm/v1/oidc/token/exchange/package/')) json(res, 200, { latest: '1.0.0' });
      else if (req.headers.authorization !== `Bearer ${idToken}`) json(res, 401, { message: 'bad id token' });
      else json(res, 201, { token: `npm_exchanged_for_${decodeURIComponent(req.url.split('/').pop() ?? '')}` });
    });
    try {
      const env = { ACTIONS_ID_TOKEN_REQUEST_URL: `${gh.url}token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'gh-request-token' };
      const token = await exchangeOidcToken('@scope/pkg', { registry: registry.url, env });
      assert.equal(token, 'npm_exchanged_for_@scope/pkg');
      const ask = new URL(gh.seen[0]?.url ?? '', gh.url);
      assert.equal(ask.searchParams.get('audience'), 'npm:127.0.0.1');
      assert.equal(ask.searchParams.get('api-version'), '2.0');
      assert.equal(registry.seen[0]?.url, '/-/npm/v1/oidc/token/exchange/package/@scope%2Fpkg');

      // The client does it lazily, once per package.
      const client = new RegistryClient({ registry: registry.url, oidc: true, env });
      await client.getDistTags('a');
      await client.getDistTags('a');
      await client.getDistTags('b');
      const reads = registry.seen.filter((s) => s.method === 'GET');
      assert.deepEqual(
        reads.map((s) => s.headers.authorization),
        ['Bearer npm_exchanged_for_a', 'Bearer npm_exchanged_for_a', 'Bearer npm_exchanged_for_b'],
      );
      assert.equal(registry.seen.filter((s) => s.method === 'POST').length, 3);
      await client.close();

      // A refused exchange is NS_REGISTRY_AUTH and leaks neither token.
      const refused = await rejection(exchangeOidcToken('x', { registry: registry.url, env: { NPM_ID_TOKEN: 'wrong-id-token-value' } }));
      assert.equal(refused.code, 'NS_REGISTRY_AUTH');
      assert.ok(!refused.text.includes('wrong-id-token-value'));
    } finally {
      await gh.close();
      await registry.close();
    }
  });

  test('HTTP(S)_PROXY is used for a remote registry, bypassed for loopback', async () => {
    // A forward proxy that serves any tunnelled or absolute-form request from a fake registry.
    const backend = await fakeServer((_req, res) => {
      json(res, 200, { latest: '9.9.9' });
    });
    const backendPort = Number(new URL(backend.url).port);
    const proxied: string[] = [];
    const proxy = http.createServer((req, res) => {
      proxied.push(`${req.method ?? ''} ${req.url ?? ''}`);
      const up = http.request(
        { host: '127.0.0.1', port: backendPort, method: req.method, path: new URL(req.url ?? '/').pathname, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      proxied.push(`CONNECT ${req.url ?? ''}`);
      const up = net.connect(backendPort, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
      socket.on('error', () => up.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${String((proxy.address() as AddressInfo).port)}`;
    try {
      const remote = new RegistryClient({
        registry: 'http://registry.invalid/',
        allowInsecure: true,
        env: { HTTP_PROXY: proxyUrl },
        retries: 0,
      });
      assert.deepEqual(await remote.getDistTags('pkg'), { latest: '9.9.9' });
      assert.equal(proxied.length, 1);
      assert.match(proxied[0] ?? '', /registry\.invalid/);
      await remote.close();

      const noProxy = new RegistryClient({
        registry: 'http://registry.invalid/',
        allowInsecure: true,
        env: { HTTP_PROXY: proxyUrl, NO_PROXY: 'registry.invalid' },
        retries: 0,
      });
      assert.equal(
        (await rejection(noProxy.getDistTags('pkg'))).code,
        'NS_REGISTRY_UNREACHABLE',
        'NO_PROXY: resolved directly, and .invalid does not resolve',
      );
      await noProxy.close();

      const loopback = new RegistryClient({
        registry: backend.url,
        env: { HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' },
        retries: 0,
      });
      assert.deepEqual(await loopback.getDistTags('pkg'), { latest: '9.9.9' });
      await loopback.close();
      assert.equal(proxied.length, 1, 'loopback never goes through the proxy');
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) =>
        proxy.close(() => {
          resolve();
        }),
      );
      await backend.close();
    }
  });

  test('TLS: a private CA is refused by default and trusted with caFile', async (t) => {
    const dir = await mkdtemp(path.join(scratch, 'tls-'));
    try {
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ]);
    } catch (error) {
      t.skip(`openssl is not available: ${String(error)}`);
      return;
    }
    const server = https.createServer(
      { key: await readFile(path.join(dir, 'key.pem')), cert: await readFile(path.join(dir, 'cert.pem')) },
      (_req, res) => {
        json(res, 200, { latest: '1.0.0' });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}/`;
    try {
      const untrusted = new RegistryClient({ registry: url, retries: 0 });
      const r = await rejection(untrusted.getDistTags('pkg'));
      assert.equal(r.code, 'NS_REGISTRY_UNREACHABLE');
      assert.match(r.text, /--ca-file/);
      await untrusted.close();
      const trusted = new RegistryClient({ registry: url, caFile: path.join(dir, 'cert.pem'), retries: 0 });
      assert.deepEqual(await trusted.getDistTags('pkg'), { latest: '1.0.0' });
      await trusted.close();
      assert.throws(
        () => new RegistryClient({ registry: url, caFile: path.join(dir, 'key.pem') }),
        (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0]?.code === 'NS_REGISTRY_CA',
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });

  test('redact', () => {
    assert.equal(redact('x abcdef y abcdef', ['abcdef']), 'x *** y ***');
    assert.equal(redact('authorization: Bearer anything-here', []), 'authorization: Bearer ***');
    assert.equal(redact('//h/:_authToken=zzz', []), '//h/:_authToken=***');
    assert.equal(redact('npm_abcdefghijklmnopqrstuvwxyz0123', []), 'npm_***');
  });
});
