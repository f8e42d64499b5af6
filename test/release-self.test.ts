/**
 * napi-ship releases itself with itself (scripts/release-self.ts, docs/releasing.md): the core and
 * its platform packages built here, then napi-ship, published to the embedded verdaccio (which
 * proxies every other package to the npm registry, as a user's registry would serve napi-ship's own
 * dependencies); then a fresh copy of the napi-rs package template installs napi-ship from it with
 * npm, pnpm and yarn 4 (corepack) and runs `--help`, `--version`, `targets`, `init --yes --no-install`
 * and `release --dry-run --no-build --offline --no-rehearsal` through each package manager.
 *
 * Holds whether the core dir has one built `.node` (after `pnpm build`) or six (after
 * `pnpm release:dry-run`): the release is `--partial`, exactly the targets built here.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { coreLoadHint, hostAbi } from '../src/core/index.js';
import { packageRules } from '../src/rehearsal/registry.js';
import { isRecord } from '../src/util/json.js';
import { napiShipVersion } from '../src/util/version.js';
import {
  isLoopbackRegistry,
  packedManifestProblems,
  publishedManifest,
  publishedWorkspaceSpec,
  type ReleaseSelfResult,
} from '../scripts/lib/release-self.js';
import { writeTemplateProject } from '../scripts/lib/template.js';
import { CORE_ABIS, coreBuiltAbis, coreDir, repoRoot, runNode } from './helpers/cli.js';
import { startRegistry, type Registry } from './helpers/verdaccio.js';
import { nerfDart } from '../src/registry/npmrc.js';

const script = path.join(repoRoot, 'dist', 'scripts', 'release-self.js');
const NPM_REGISTRY = 'https://registry.npmjs.org/';
/** Env vars a child keeps: TLS trust and proxies. */
const PASS_THROUGH =
  /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|HTTPS?_PROXY|https?_proxy|npm_config_(cafile|proxy|https_proxy)|NPM_CONFIG_(CAFILE|PROXY|HTTPS_PROXY))$/;

describe('pure parts', () => {
  test('workspace: specifiers become what pnpm publishes; anything a registry cannot resolve is named', () => {
    assert.equal(publishedWorkspaceSpec('workspace:*', '1.2.3'), '1.2.3');
    assert.equal(publishedWorkspaceSpec('workspace:^', '1.2.3'), '^1.2.3');
    assert.equal(publishedWorkspaceSpec('workspace:~', '1.2.3'), '~1.2.3');
    assert.equal(publishedWorkspaceSpec('workspace:^1.0.0', '1.2.3'), '^1.0.0');
    assert.equal(publishedWorkspaceSpec('1.2.3', '1.2.3'), null);
    const manifest = {
      name: 'napi-ship',
      dependencies: { '@napi-ship/core': 'workspace:*', yaml: '2.9.1' },
      devDependencies: { '@napi-ship/core': 'workspace:^' },
    };
    const out = publishedManifest(manifest, new Map([['@napi-ship/core', '0.4.0']]));
    assert.deepEqual(out.dependencies, { '@napi-ship/core': '0.4.0', yaml: '2.9.1' });
    assert.deepEqual(out.devDependencies, { '@napi-ship/core': '^0.4.0' });
    assert.equal(manifest.dependencies['@napi-ship/core'], 'workspace:*', 'the input is not modified');
    assert.throws(() => publishedManifest({ dependencies: { other: 'workspace:*' } }, new Map()), /the workspace has no package other/);
    assert.deepEqual(packedManifestProblems(out, '@napi-ship/core', '0.4.0'), []);
    const bad = packedManifestProblems(
      { dependencies: { '@napi-ship/core': 'workspace:*', x: 'catalog:' }, optionalDependencies: { y: 'link:../y' } },
      '@napi-ship/core',
      '0.4.0',
    );
    assert.equal(bad.length, 4, bad.join('\n'));
    assert.match(bad.join('\n'), /dependencies\.x "catalog:"/);
    assert.match(bad.join('\n'), /depends on @napi-ship\/core "workspace:\*", not the core released with it \(0\.4\.0\)/);
    assert.equal(isLoopbackRegistry('http://127.0.0.1:4873/'), true);
    assert.equal(isLoopbackRegistry('http://localhost:4873/'), true);
    assert.equal(isLoopbackRegistry(NPM_REGISTRY), false);
    assert.equal(isLoopbackRegistry('not a url'), false);
  });

  test("@napi-ship/core's hint when it does not load speaks to a user: which package is missing, or that the platform has none", () => {
    const platformPackages = ['@napi-ship/core-linux-x64-gnu', '@napi-ship/core-darwin-arm64'];
    const missing = coreLoadHint({ abi: 'linux-x64-gnu', platformPackages, sourceCheckout: false });
    assert.match(missing, /the platform package @napi-ship\/core-linux-x64-gnu is not installed/);
    assert.match(missing, /--omit=optional/);
    assert.doesNotMatch(missing, /pnpm build/);
    const unsupported = coreLoadHint({ abi: 'freebsd-x64', platformPackages, sourceCheckout: false });
    assert.match(unsupported, /not built for this platform \(freebsd-x64\); it ships for linux-x64-gnu, darwin-arm64/);
    assert.match(
      coreLoadHint({ abi: 'linux-x64-gnu', platformPackages: null, sourceCheckout: false }),
      /core-linux-x64-gnu is not installed/,
    );
    assert.match(coreLoadHint({ abi: 'linux-x64-gnu', platformPackages, sourceCheckout: true }), /source checkout.*pnpm build/);
  });

  test('the embedded registry proxies everything but the local packages only when asked', () => {
    assert.deepEqual(packageRules(undefined).slice(0, 3), ['uplinks: {}', 'packages:', '  "**":']);
    const rules = packageRules({ url: NPM_REGISTRY, local: ['napi-ship', '@napi-ship/*'] }).join('\n');
    assert.match(rules, /url: "https:\/\/registry\.npmjs\.org\/"/);
    // First match wins in verdaccio: the local names come before the proxied catch-all.
    const order = ['"napi-ship":', '"@napi-ship/*":', '"**":', 'proxy: upstream'].map((s) => rules.indexOf(s));
    assert.ok(
      order.every((i, n) => i >= 0 && (n === 0 || i > (order[n - 1] ?? -1))),
      rules,
    );
    assert.equal(rules.match(/proxy:/g)?.length, 1);
  });
});

describe('refusals before anything is written', () => {
  test('a core release with targets not built here, and --partial or a throwaway key off loopback', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-self-refuse-'));
    try {
      const built = coreBuiltAbis();
      if (built.length < 8) {
        const r = await runNode(script, ['--out', scratch, '--json']);
        assert.equal(r.code, 1, r.stderr);
        const result = JSON.parse(r.stdout) as ReleaseSelfResult;
        assert.equal(result.napiShip, null);
        assert.deepEqual(
          [...result.targets.left].sort(),
          CORE_ABIS.filter((a) => !built.includes(a)),
        );
        assert.match(result.problems.join('\n'), /a release ships every target .* or pass --partial for a test registry/);
      }
      assert.equal(existsSync(path.join(scratch, 'core')), false, 'nothing was staged');
      const off = await runNode(script, ['--out', scratch, '--registry', NPM_REGISTRY, '--partial']);
      assert.equal(off.code, 1);
      assert.match(off.stdout, /--partial publishes a core without every target: only to a test registry on loopback/);
      assert.match(off.stdout, /needs the release signing key: --key FILE/);
      assert.equal(existsSync(path.join(scratch, 'core')), false, 'nothing was staged');
      const usage = await runNode(script, ['--registyr', 'x']);
      assert.equal(usage.code, 2);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

interface Ran {
  readonly code: number | null;
  readonly out: string;
}

/** Run a command (no shell) with a scratch HOME; output is kept for the failure message. */
function exec(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new Error('empty command');
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, out });
    });
  });
}

function manifestOf(v: unknown): Record<string, unknown> {
  assert.ok(isRecord(v), JSON.stringify(v));
  return v;
}

// The three installs wait on the network, not the CPU: they run side by side.
describe('released to the embedded registry, installed into a fresh napi-rs project', { concurrency: true }, () => {
  let registry: Registry;
  let scratch = '';
  let result: ReleaseSelfResult;
  const version = napiShipVersion();

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-self-'));
    registry = await startRegistry({ uplink: { url: NPM_REGISTRY, local: ['napi-ship', '@napi-ship/*'] } });
    const r = await runNode(script, ['--registry', registry.url, '--partial', '--out', path.join(scratch, 'out'), '--json'], {
      env: { [`npm_config_${nerfDart(registry.url)}:_authToken`]: registry.token },
    });
    assert.equal(r.code, 0, r.stdout.slice(-3000) + r.stderr.slice(-3000));
    result = JSON.parse(r.stdout) as ReleaseSelfResult;
  });
  after(async () => {
    await registry.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  test('the core (the targets built here), then napi-ship, each published and verified; no workspace: specifier anywhere', async () => {
    const built = coreBuiltAbis();
    assert.deepEqual([...result.targets.released].sort(), built);
    assert.deepEqual(
      result.published.map((p) => [p.result.name, p.result.outcome]),
      [
        ['@napi-ship/core', 'published'],
        ['napi-ship', 'published'],
      ],
    );
    const coreVersion = (JSON.parse(await readFile(path.join(coreDir, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(result.core?.packages.length, built.length + 1);
    assert.deepEqual(manifestOf(result.packedManifest?.dependencies)['@napi-ship/core'], coreVersion);
    // What the registry serves (not what we packed): the version napi-ship depends on, pinned.
    const served = manifestOf(await (await fetch(new URL('napi-ship', registry.url))).json());
    const entry = manifestOf(manifestOf(served.versions)[version]);
    assert.equal(manifestOf(entry.dependencies)['@napi-ship/core'], coreVersion);
    assert.doesNotMatch(JSON.stringify(entry), /"(workspace|catalog):/);
    const core = manifestOf(await (await fetch(new URL('@napi-ship%2fcore', registry.url))).json());
    assert.deepEqual(
      Object.keys(manifestOf(manifestOf(manifestOf(core.versions)[coreVersion]).optionalDependencies)).sort(),
      built.map((abi) => `@napi-ship/core-${abi}`),
    );
    assert.equal(manifestOf(core['dist-tags']).latest, coreVersion);
    // Signed release dirs with SBOMs, as for any napi-ship release.
    const releases = [result.core, result.napiShip];
    for (const release of releases) {
      assert.ok(release !== null);
      const dir = release.releaseDir;
      for (const f of ['release-manifest.json.sig', 'sbom.npm.spdx.json', 'sbom.release.spdx.json', 'policy-report.md']) {
        assert.ok(existsSync(path.join(dir, f)), `${dir}/${f}`);
      }
    }
  });

  const corepackHome = path.join(repoRoot, '.cache', 'corepack');
  const managers = [
    {
      name: 'npm',
      packageManager: null,
      add: (v: string, home: string) => [
        'npm',
        'install',
        '--save-dev',
        '--save-exact',
        `napi-ship@${v}`,
        '--no-audit',
        '--no-fund',
        `--cache=${path.join(home, 'npm-cache')}`,
      ],
      exec: ['npx', '--no-install', 'napi-ship'],
    },
    {
      name: 'pnpm',
      packageManager: null,
      add: (v: string, home: string) => [
        'pnpm',
        'add',
        '--save-dev',
        '--save-exact',
        `napi-ship@${v}`,
        `--store-dir=${path.join(home, 'pnpm-store')}`,
        `--cache-dir=${path.join(home, 'pnpm-cache')}`,
        '--reporter=append-only',
      ],
      exec: ['pnpm', 'exec', 'napi-ship'],
    },
    {
      // The template's own package manager (packageManager: yarn@4.17.0), through corepack.
      name: 'yarn',
      packageManager: undefined,
      add: (v: string) => ['corepack', 'yarn', 'add', '--dev', '--exact', `napi-ship@${v}`],
      exec: ['corepack', 'yarn', 'napi-ship'],
    },
  ] as const;

  for (const pm of managers) {
    test(`${pm.name}: installs napi-ship from the registry into the napi-rs template and runs it`, async (t) => {
      let last = Date.now();
      // Where the time goes (reported, never asserted).
      const lap = (what: string): void => {
        t.diagnostic(`${what}: ${String(Date.now() - last)} ms`);
        last = Date.now();
      };
      const dir = path.join(scratch, `template-${pm.name}`);
      const home = path.join(scratch, `home-${pm.name}`);
      await mkdir(home, { recursive: true });
      // Without the template's dev tools (@napi-rs/cli included: nothing is built here), so the install is napi-ship's.
      await writeTemplateProject(dir, { devDependencies: 'none', ...(pm.packageManager === null ? { packageManager: null } : {}) });
      await writeFile(path.join(dir, '.npmrc'), `registry=${registry.url}\n`);
      // minimumReleaseAge: ours are seconds old. verifyDepsBeforeRun: `init --no-install` writes the dev dependencies
      // it would add into package.json, and `pnpm exec` would otherwise install them (verdaccio, bun, deno) first.
      if (pm.name === 'pnpm') await writeFile(path.join(dir, 'pnpm-workspace.yaml'), 'minimumReleaseAge: 0\nverifyDepsBeforeRun: false\n');
      if (pm.name === 'yarn') {
        await writeFile(
          path.join(dir, '.yarnrc.yml'),
          [
            'nodeLinker: node-modules',
            `npmRegistryServer: ${JSON.stringify(registry.url.replace(/\/$/, ''))}`,
            'unsafeHttpWhitelist: ["127.0.0.1"]',
            'enableTelemetry: false',
            'enableGlobalCache: false',
            `cacheFolder: ${JSON.stringify(path.join(home, 'yarn-cache'))}`,
            '',
          ].join('\n'),
        );
      }
      const env: NodeJS.ProcessEnv = {
        // The machine's TLS trust and proxy settings (corepack fetches yarn from the npm registry;
        // behind a TLS-inspecting proxy that needs its CA), and nothing else of the caller's env.
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => PASS_THROUGH.test(k))),
        PATH: process.env.PATH,
        HOME: home,
        // cargo (the SBOM's `cargo metadata`) from the real toolchain, whatever HOME says.
        CARGO_HOME: process.env.CARGO_HOME ?? path.join(os.homedir(), '.cargo'),
        RUSTUP_HOME: process.env.RUSTUP_HOME ?? path.join(os.homedir(), '.rustup'),
        NO_COLOR: '1',
        NO_PROXY: ['127.0.0.1', 'localhost', process.env.NO_PROXY ?? process.env.no_proxy ?? ''].filter((x) => x !== '').join(','),
        npm_config_registry: registry.url,
        npm_config_update_notifier: 'false',
        // yarn 4 through corepack (see /work/shared/notes): from the npm registry, no signature keys
        // the registry here can satisfy, cached under .cache/ (a package.json there keeps yarn.js CommonJS).
        COREPACK_HOME: corepackHome,
        COREPACK_NPM_REGISTRY: NPM_REGISTRY.replace(/\/$/, ''),
        COREPACK_INTEGRITY_KEYS: '0',
        COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
        COREPACK_ENABLE_STRICT: '0',
        YARN_NPM_MINIMAL_AGE_GATE: '0',
        YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
        YARN_ENABLE_PROGRESS_BARS: 'false',
      };
      if (pm.name === 'yarn') {
        await mkdir(corepackHome, { recursive: true });
        await writeFile(path.join(corepackHome, 'package.json'), '{ "type": "commonjs" }\n');
      }
      lap('template copy');
      const added = await exec(pm.add(version, home), dir, env, 180_000);
      lap('install');
      assert.equal(added.code, 0, added.out.slice(-3000));
      const manifest = manifestOf(JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')));
      assert.equal(manifestOf(manifest.devDependencies)['napi-ship'], version);

      const ship = (args: readonly string[]): Promise<Ran> => exec([...pm.exec, ...args], dir, env);
      const help = await ship(['--help']);
      assert.equal(help.code, 0, help.out);
      assert.match(help.out, /Usage: napi-ship <command> \[options\]/);
      assert.match(help.out, /^\s+init\s/m);
      const ver = await ship(['--version']);
      assert.equal(ver.code, 0, ver.out);
      assert.match(ver.out, new RegExp(version.replace(/\./g, '\\.')));

      lap('--help, --version');
      const targets = await ship(['targets']);
      assert.equal(targets.code, 0, targets.out);
      assert.match(targets.out, /x86_64-unknown-linux-gnu.*@napi-rs\/package-template-linux-x64-gnu/);
      assert.match(targets.out, /wasm32-wasip1-threads/);

      // --no-install: init's own install step would add verdaccio, bun and deno (~100 MB) per package manager.
      const init = await ship(['init', '--yes', '--no-install']);
      lap('targets, init');
      assert.equal(init.code, 0, init.out);
      const after = manifestOf(JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')));
      assert.equal(manifestOf(after.scripts)['release:dry-run'], 'napi-ship release --dry-run');
      assert.ok(isRecord(manifestOf(after.napiShip).policy));
      const workflow = await readFile(path.join(dir, '.github', 'workflows', 'release.yml'), 'utf8');
      assert.match(workflow, /napi-ship/);
      const again = await ship(['init', '--yes', '--no-install']);
      assert.match(again.out, /nothing to do: napi-ship is set up here/);

      // Quick: no build (cargo), no real-registry plan (--offline), no rehearsal (verdaccio, bun and deno are not installed).
      const dry = await ship(['release', '--dry-run', '--no-build', '--offline', '--no-rehearsal']);
      assert.equal(dry.code, 0, dry.out.slice(-4000));
      lap('release --dry-run');
      assert.match(dry.out, /0 of 14 targets ready; 14 missing \(would block a real publish\)/);
      assert.match(dry.out, /policy passed/);
      assert.ok(existsSync(path.join(dir, 'dist', 'release', 'report.md')));
      assert.ok(existsSync(path.join(dir, 'dist', 'release', 'packages', 'release-manifest.json.sig')));

      if (pm.name === 'npm') {
        // The host's core package gone (as after `npm i --omit=optional`): the hint names it, for a user.
        const hostPackage = path.join(dir, 'node_modules', '@napi-ship', `core-${hostAbi()}`);
        assert.ok(existsSync(hostPackage), 'npm installed the core for this machine from the registry');
        await rm(hostPackage, { recursive: true, force: true });
        const broken = await ship(['hash', 'package.json']);
        assert.equal(broken.code, 3, broken.out);
        assert.match(broken.out, new RegExp(`the platform package @napi-ship/core-${hostAbi()} is not installed`));
        assert.doesNotMatch(broken.out, /pnpm build/);
      }
    });
  }
});
