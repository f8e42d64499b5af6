/**
 * Tokens are bound to their registries (issue 14, item 2): three loopback "registries" on different
 * ports, each a header-logging proxy in front of one real verdaccio (A, B) or a redirector to B (R),
 * each with its own token in npm's config. Every command that talks to a registry — publish (its
 * preflight, PUTs, dist-tag moves, read-backs), publish --dry-run, status, deprecate, version, and the
 * dry run's plan against the real registry — is run against them; each server must only ever see its
 * own token (or none), never another's, never NPM_TOKEN / NODE_AUTH_TOKEN (those are for
 * registry.npmjs.org only), also when a root's publishConfig.registry names another registry and when
 * a registry redirects to another.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { planRealRegistry } from '../src/rehearsal/real-registry.js';
import { nerfDart } from '../src/registry/npmrc.js';
import { runCli } from './helpers/cli.js';
import { buildFixtureRelease, type FixtureRelease } from '../scripts/lib/publish-release.js';
import { startRegistry, type Registry } from './helpers/verdaccio.js';

interface Seen {
  readonly server: string;
  readonly method: string;
  readonly url: string;
  readonly authorization: string | null;
}

const seen: Seen[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`;
}

function record(name: string, req: IncomingMessage): void {
  const a = req.headers.authorization;
  seen.push({ server: name, method: req.method ?? '', url: req.url ?? '', authorization: typeof a === 'string' ? a : null });
}

/** A registry stand-in: logs each request's Authorization, then forwards it to verdaccio. */
function loggingProxy(name: string, target: URL): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    record(name, req);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
}

/** A registry that answers every request with a 307 to the same path on `to()`. */
function redirector(name: string, to: () => string): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    record(name, req);
    req.resume();
    res.writeHead(307, { location: new URL((req.url ?? '/').slice(1), to()).href, 'content-length': '0' });
    res.end();
  });
}

const ENV_SECRETS = ['env-npm-token-never-sent-1a2b', 'env-node-auth-never-sent-3c4d'];
const TOKEN_B = 'token-for-b-only-5e6f';
const TOKEN_R = 'token-for-r-only-7a8b';

describe('tokens bound to their registries (header-logging loopback registries)', () => {
  let registry: Registry;
  let scratch = '';
  let a = '';
  let b = '';
  let r = '';
  const servers: Server[] = [];
  let env: NodeJS.ProcessEnv = {};
  let plain: FixtureRelease;
  let elsewhere: FixtureRelease;

  before(async () => {
    registry = await startRegistry();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-tokens-'));
    const target = new URL(registry.url);
    const sa = loggingProxy('A', target);
    const sb = loggingProxy('B', target);
    const sr = redirector('R', () => b);
    servers.push(sa, sb, sr);
    a = await listen(sa);
    b = await listen(sb);
    r = await listen(sr);
    const userconfig = path.join(scratch, 'user.npmrc');
    await writeFile(
      userconfig,
      [
        `registry=${a}`,
        `${nerfDart(a)}:_authToken=${registry.token}`,
        `${nerfDart(b)}:_authToken=${TOKEN_B}`,
        `${nerfDart(r)}:_authToken=${TOKEN_R}`,
        '',
      ].join('\n'),
    );
    env = {
      HOME: scratch,
      NO_COLOR: '1',
      npm_config_userconfig: userconfig,
      NPM_TOKEN: ENV_SECRETS[0],
      NODE_AUTH_TOKEN: ENV_SECRETS[1],
    };
    plain = await buildFixtureRelease({ scratch, name: '@tok/addon', version: '1.0.0', targets: 1 });
    // A root whose own publishConfig.registry names B: B must get B's token, never A's.
    elsewhere = await buildFixtureRelease({
      scratch,
      name: '@tok/elsewhere',
      version: '1.0.0',
      targets: 1,
      rootFields: { publishConfig: { registry: b, access: 'public' } },
    });
  });
  after(async () => {
    for (const s of servers) s.close();
    await registry.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  /** Every request each server saw carried its own token or none. */
  function assertBound(context: string): void {
    const own: Record<string, string> = { A: `Bearer ${registry.token}`, B: `Bearer ${TOKEN_B}`, R: `Bearer ${TOKEN_R}` };
    for (const s of seen) {
      if (s.authorization === null) continue;
      assert.equal(s.authorization, own[s.server], `${context}: ${s.server} got another registry's credential on ${s.method} ${s.url}`);
    }
    const all = JSON.stringify(seen);
    for (const secret of ENV_SECRETS) assert.ok(!all.includes(secret), `${context}: an env token reached a loopback registry`);
  }

  test('publish, publish --dry-run, status, deprecate, version against A carry only A’s token', async () => {
    const start = seen.length;
    const dry = await runCli(['publish', '--from', plain.releaseDir, '--dry-run'], { env, cwd: scratch });
    assert.equal(dry.code, 0, dry.stderr);
    const pub = await runCli(['publish', '--from', plain.releaseDir], { env, cwd: scratch });
    assert.equal(pub.code, 0, pub.stderr + pub.stdout);
    const status = await runCli(['status', '1.0.0', '--name', '@tok/addon', '--release-dir', plain.releaseDir], { env, cwd: scratch });
    assert.equal(status.code, 0, status.stderr + status.stdout);
    const dep = await runCli(['deprecate', '1.0.0', '--name', '@tok/addon', '--message', 'use 1.0.1'], { env, cwd: scratch });
    assert.equal(dep.code, 0, dep.stderr + dep.stdout);
    const ver = await runCli(['version', 'patch', '--cwd', plain.rootDir], { env, cwd: scratch });
    assert.equal(ver.code, 0, ver.stderr + ver.stdout);
    const mine = seen.slice(start);
    assert.ok(
      mine.every((s) => s.server === 'A'),
      'only A was asked',
    );
    const writes = mine.filter((s) => s.method !== 'GET');
    assert.ok(writes.length >= 4, 'the publish PUTs, dist-tag moves and the deprecation went to A');
    assert.ok(
      writes.every((s) => s.authorization === `Bearer ${registry.token}`),
      'every write carried A’s token',
    );
    assertBound('commands against A');
    for (const out of [dry, pub, status, dep, ver])
      for (const secret of [registry.token, ...ENV_SECRETS]) assert.ok(!(out.stdout + out.stderr).includes(secret));
  });

  test('a root whose publishConfig.registry names B: B sees only B’s token, never A’s', async () => {
    const start = seen.length;
    const pub = await runCli(['publish', '--from', elsewhere.releaseDir], { env, cwd: scratch });
    // B's token is not a verdaccio token: the registry refuses it, and nothing is published.
    assert.notEqual(pub.code, 0);
    const mine = seen.slice(start);
    assert.ok(mine.length > 0 && mine.every((s) => s.server === 'B'), `only B was asked: ${JSON.stringify(mine.map((s) => s.server))}`);
    assertBound('publishConfig.registry');
  });

  test('a registry that redirects to another: the token is not carried over, the redirect is not followed', async () => {
    const start = seen.length;
    const runs = [
      ['publish', '--from', plain.releaseDir, '--registry', r, '--dry-run'],
      ['publish', '--from', plain.releaseDir, '--registry', r],
      ['status', '1.0.0', '--name', '@tok/addon', '--registry', r],
      ['deprecate', '1.0.0', '--name', '@tok/addon', '--message', 'x', '--registry', r],
      ['version', 'minor', '--cwd', plain.rootDir, '--registry', r],
    ];
    for (const args of runs) {
      const out = await runCli(args, { env, cwd: scratch });
      assert.notEqual(out.code, 0, `${args.join(' ')} cannot succeed on a registry that only redirects`);
    }
    const mine = seen.slice(start);
    assert.ok(
      mine.some((s) => s.server === 'R' && s.authorization === `Bearer ${TOKEN_R}`),
      'R got its own token',
    );
    assert.ok(!mine.some((s) => s.server !== 'R'), 'nothing followed the redirect to B');
    assertBound('redirect');
  });

  test("the dry run's plan against the real registry reads anonymously", async () => {
    const start = seen.length;
    const { plan } = await planRealRegistry({ manifest: plain.manifest, notBuilt: [], registry: { url: a, source: 'test' }, env });
    assert.equal(plan.status, 'ok', plan.note);
    const mine = seen.slice(start);
    assert.ok(mine.length > 0 && mine.every((s) => s.server === 'A' && s.authorization === null));
  });
});
