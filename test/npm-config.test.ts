/**
 * npm's config, exactly (issue 14, item 3): our resolver's answers against the real npm's — `npm config
 * get <key>` in the same layouts (user vs project, global, env overrides in any case, scoped
 * registries, TLS/proxy keys), and, in a workspace monorepo where `npm config get` refuses to run
 * from a package dir, the registry `npm view` really asks (a loopback server logs it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadNpmSettings } from '../src/registry/npm-config.js';
import { resolveRegistry } from '../src/registry/resolve.js';

const run = promisify(execFile);

/** The environment without any npm_config_* of the test runner's own (pnpm sets some). */
function baseEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, HOME: home, npm_config_globalconfig: path.join(home, 'global.npmrc'), ...extra };
}

async function npmGet(key: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run('npm', ['config', 'get', key], { cwd, env });
  return stdout.trim();
}

describe("npm's config as npm resolves it (compared with the real npm)", () => {
  let scratch = '';
  let home = '';
  let project = '';

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-npmconfig-'));
    home = path.join(scratch, 'home');
    project = path.join(scratch, 'project');
    await mkdir(home, { recursive: true });
    await mkdir(project, { recursive: true });
    await writeFile(path.join(project, 'package.json'), '{"name":"@s/addon","version":"1.0.0"}\n');
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  const KEYS = ['registry', '@s:registry', '@t:registry', 'strict-ssl', 'proxy', 'https-proxy', 'noproxy', 'access', 'tag', 'cafile'];

  async function compare(label: string, env: NodeJS.ProcessEnv, cwd = project): Promise<void> {
    const ours = await loadNpmSettings({ cwd, env });
    for (const key of KEYS) {
      const theirs = await npmGet(key, cwd, env);
      const mine = ours.values[key];
      if (mine === undefined) {
        // Not set anywhere: npm prints its default (or "undefined"/"null"); our resolver falls back to the same.
        if (key === 'registry') assert.equal(theirs, 'https://registry.npmjs.org/', `${label}: ${key}`);
        continue;
      }
      assert.equal(mine, theirs, `${label}: ${key}`);
    }
    const plain = await resolveRegistry({ cwd, env, packageName: 'plain' });
    assert.equal(plain.registry, await npmGet('registry', cwd, env), `${label}: the registry of an unscoped package`);
    const scoped = await resolveRegistry({ cwd, env, packageName: '@s/addon' });
    const scopeReg = await npmGet('@s:registry', cwd, env);
    assert.equal(scoped.registry, scopeReg === 'undefined' ? plain.registry : scopeReg, `${label}: the registry of @s/addon`);
    assert.equal(ours.strictSSL, (await npmGet('strict-ssl', cwd, env)) === 'true', `${label}: strict-ssl`);
  }

  test('user file alone, then the project file over it', async () => {
    await writeFile(
      path.join(home, '.npmrc'),
      'registry=https://user.example/\n@s:registry=https://user-scope.example/\nstrict-ssl=false\ntag=beta\n',
    );
    await compare('user only', baseEnv(home));
    await writeFile(
      path.join(project, '.npmrc'),
      'registry=https://project.example/\n@t:registry=https://project-t.example/npm/\naccess=public\nhttps-proxy=http://proxy.example:3128/\nnoproxy=internal.example\n',
    );
    await compare('user + project', baseEnv(home));
  });

  test('global file under the user file; env overrides in any case; ${VAR} expansion', async () => {
    await writeFile(path.join(home, 'global.npmrc'), 'registry=https://global.example/\nproxy=http://global-proxy.example:8080/\n');
    await rm(path.join(project, '.npmrc'), { force: true });
    await writeFile(path.join(home, '.npmrc'), '@s:registry=${SCOPE_REG}\n');
    await compare('global + user with ${VAR}', baseEnv(home, { SCOPE_REG: 'https://expanded.example/' }));
    await compare(
      'env overrides',
      baseEnv(home, {
        SCOPE_REG: 'https://expanded.example/',
        NPM_CONFIG_REGISTRY: 'https://env-upper.example/',
        'npm_config_@s:registry': 'https://env-scope.example/',
        npm_config_strict_ssl: 'false',
      }),
    );
    // npm_config_userconfig replaces ~/.npmrc.
    const alt = path.join(scratch, 'alt.npmrc');
    await writeFile(alt, 'registry=https://alt-user.example/\n');
    await compare('npm_config_userconfig', baseEnv(home, { npm_config_userconfig: alt }));
    await rm(path.join(home, 'global.npmrc'), { force: true });
  });

  test('a workspace monorepo: from a package dir, the workspace root .npmrc — the registry npm view asks', async () => {
    const seen: string[] = [];
    const servers: Server[] = [];
    const listen = async (name: string): Promise<string> => {
      const server = createServer((req, res) => {
        seen.push(`${name} ${req.method ?? ''} ${req.url ?? ''}`);
        req.resume();
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"not found"}');
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`;
    };
    try {
      const rootReg = await listen('root');
      const userReg = await listen('user');
      const mono = path.join(scratch, 'mono');
      const pkg = path.join(mono, 'packages', 'addon');
      await mkdir(pkg, { recursive: true });
      await writeFile(path.join(mono, 'package.json'), '{"name":"mono","private":true,"workspaces":["packages/*"]}\n');
      await writeFile(path.join(pkg, 'package.json'), '{"name":"@w/addon","version":"1.0.0"}\n');
      await writeFile(path.join(mono, '.npmrc'), `@w:registry=${rootReg}\n`);
      await writeFile(path.join(home, '.npmrc'), `registry=${userReg}\n@w:registry=${userReg}\n`);
      const env = baseEnv(home);
      const ours = await resolveRegistry({ cwd: pkg, env, packageName: '@w/addon' });
      assert.equal(ours.settings.localPrefix, mono, 'the project config is the workspace root');
      await run('npm', ['view', '@w/addon', 'version', '--fetch-retries=0'], { cwd: pkg, env }).catch(() => undefined);
      const asked = seen.filter((s) => s.includes('/@w%2faddon') || s.includes('/@w%2Faddon'));
      assert.ok(asked.length > 0, `npm view asked nobody: ${JSON.stringify(seen)}`);
      assert.ok(
        asked.every((s) => s.startsWith('root ')),
        `npm view asked ${JSON.stringify(asked)}`,
      );
      assert.equal(ours.registry, rootReg, 'we ask the registry npm view asks');
      // And from the root itself, `npm config get` agrees too.
      assert.equal(ours.registry, await npmGet('@w:registry', mono, env));
    } finally {
      for (const s of servers) s.close();
      await rm(path.join(home, '.npmrc'), { force: true });
    }
  });
});
