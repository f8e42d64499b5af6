/**
 * The rehearsal's parts, one at a time: finding verdaccio (a fake project dir with and without
 * it), the rehearsal root's pins and label, the real-registry URL and plan (against a fake
 * registry client, a closed loopback port, and a real verdaccio holding other bytes), the load
 * script's output, and a rehearsal that skips because verdaccio is missing.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { diagnostic, DiagnosticError } from '../src/diagnostics/index.js';
import type { ReleaseManifest } from '../src/manifest/index.js';
import type { Packument } from '../src/registry/packument.js';
import {
  installerCandidates,
  limitPins,
  LOAD_SCRIPT,
  loadCommand,
  parseLoadLine,
  planRealRegistry,
  prepareRehearsalRelease,
  realRegistryUrl,
  rehearsalLabel,
  rehearse,
  resolveVerdaccio,
  verdaccioSearchDirs,
} from '../src/rehearsal/index.js';
import { releaseDryRun, type DryRunResult } from '../src/release/dry-run.js';
import { renderMarkdown, renderText } from '../src/report/index.js';
import { coreBuiltAbis, coreDir, hostCoreBinary, repoRoot } from './helpers/cli.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';
import { portOpen, startRegistry } from './helpers/verdaccio.js';

const run = promisify(execFile);
/** The core's targets the last build left (the dry runs below use `build: false`). */
const BUILT = coreBuiltAbis();

let scratch = '';
let dry: DryRunResult;
let manifest: ReleaseManifest;
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-rehearsal-unit-'));
  dry = await releaseDryRun({ cwd: coreDir, outDir: path.join(scratch, 'release'), build: false, rehearsal: false });
  manifest = JSON.parse(await readFile(path.join(dry.files.releaseDir, 'release-manifest.json'), 'utf8')) as ReleaseManifest;
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A project dir whose node_modules holds a fake verdaccio package (a package.json and its bin file). */
async function fakeProject(name: string, verdaccio: { version: string; bin: string | Record<string, string> } | null): Promise<string> {
  const dir = path.join(scratch, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  if (verdaccio !== null) {
    const pkg = path.join(dir, 'node_modules', 'verdaccio');
    await mkdir(path.join(pkg, 'bin'), { recursive: true });
    await writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: 'verdaccio', version: verdaccio.version, bin: verdaccio.bin }));
    await writeFile(path.join(pkg, 'bin', 'verdaccio'), '#!/usr/bin/env node\n');
  }
  return dir;
}

describe('finding verdaccio', () => {
  test('a dir without verdaccio anywhere above it: null', async () => {
    // os.tmpdir() has no node_modules above it (the scratch dir is there, outside the repo).
    const bare = await fakeProject('bare', null);
    assert.equal(resolveVerdaccio([bare]), null);
  });

  test("the project's own verdaccio wins over napi-ship's", async () => {
    const project = await fakeProject('has-verdaccio', { version: '9.9.9-fake', bin: { verdaccio: './bin/verdaccio' } });
    const found = resolveVerdaccio(verdaccioSearchDirs(project));
    assert.ok(found);
    assert.equal(found.version, '9.9.9-fake');
    assert.equal(found.bin, path.join(project, 'node_modules', 'verdaccio', 'bin', 'verdaccio'));
    assert.equal(found.from, project);
  });

  test("a project without it falls back to napi-ship's own install (the repo's dev dependency)", async () => {
    const bare = await fakeProject('bare-2', null);
    const found = resolveVerdaccio(verdaccioSearchDirs(bare));
    assert.ok(found);
    const own = JSON.parse(await readFile(path.join(repoRoot, 'node_modules', 'verdaccio', 'package.json'), 'utf8')) as { version: string };
    assert.equal(found.version, own.version);
    assert.match(found.bin, /node_modules[/\\].*verdaccio[/\\]bin[/\\]verdaccio$/);
  });

  test('a verdaccio package whose bin file is missing is not used', async () => {
    const project = await fakeProject('broken-verdaccio', { version: '1.0.0', bin: './bin/nope' });
    assert.equal(resolveVerdaccio([project]), null);
  });

  test('a registry whose parent is killed (SIGKILL, no cleanup) exits by itself and removes its temp dir', async () => {
    const script = path.join(scratch, 'registry-parent.mjs');
    const registryModule = path.join(repoRoot, 'dist', 'src', 'rehearsal', 'registry.js');
    await writeFile(
      script,
      `import { startRegistry } from ${JSON.stringify(pathToFileURL(registryModule).href)};\nconst r = await startRegistry();\nconsole.log(JSON.stringify({ port: r.port, pid: r.pid(), dir: r.dir }));\nsetInterval(() => {}, 1000);\n`,
    );
    const parent = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      parent.on('exit', (code) => {
        reject(new Error(`the parent exited (${String(code)}) before the registry was up`));
      });
    });
    const { port, pid, dir } = JSON.parse(line) as { port: number; pid: number; dir: string };
    assert.equal(existsSync(path.join(dir, 'config.yaml')), true);
    assert.equal(await portOpen(port), true);
    parent.kill('SIGKILL');
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    const outlived = alive();
    if (outlived) process.kill(pid, 'SIGKILL'); // do not leave it behind when the test fails
    assert.equal(outlived, false, 'verdaccio outlived its parent');
    assert.equal(await portOpen(port), false);
    assert.equal(existsSync(dir), false, 'it removed its temp dir');
  });

  test('bun and deno are looked up in the project and beside napi-ship before PATH', () => {
    const bun = installerCandidates('bun', [repoRoot]);
    assert.equal(bun.length, 2);
    assert.match(bun[0] ?? '', /node_modules[/\\].*bun[/\\]bin[/\\]bun\.exe$/);
    assert.equal(bun[1], 'bun');
    const deno = installerCandidates('deno', [repoRoot]);
    assert.match(deno[0] ?? '', /node_modules[/\\].*deno[/\\]deno$/, 'the native executable, not the JS shim');
    assert.deepEqual(installerCandidates('bun', [path.join(scratch, 'nowhere')]), ['bun']);
  });
});

describe('the rehearsal root', () => {
  test('pins limited to the built targets, in the original order', () => {
    const pins = { '@x/a-linux-x64-gnu': '1.0.0', '@x/a-darwin-arm64': '1.0.0', '@x/a-win32-x64-msvc': '1.0.0' };
    assert.deepEqual(limitPins(pins, new Set(['@x/a-win32-x64-msvc', '@x/a-linux-x64-gnu', '@x/a-other'])), {
      '@x/a-linux-x64-gnu': '1.0.0',
      '@x/a-win32-x64-msvc': '1.0.0',
    });
  });

  test('the label says how many targets it pins and what blocks a real publish', () => {
    assert.equal(
      rehearsalLabel(['linux-x64-gnu'], ['darwin-arm64', 'win32-x64-msvc']),
      'rehearsal root pins only the 1 built target(s) (linux-x64-gnu); a real publish needs all 3 — blocked by: darwin-arm64, win32-x64-msvc',
    );
    assert.match(rehearsalLabel(['a', 'b'], []), /the release itself: its root pins all 2 target\(s\)/);
  });

  test('every pinned target built: the release itself is published, nothing is copied', async () => {
    const root = path.join(scratch, 'single-target');
    await writeRootPackage(root, { name: '@fixture/single', binaryName: 'addon', targets: ['x86_64-unknown-linux-gnu'] });
    const artifacts = path.join(scratch, 'single-artifacts');
    await mkdir(path.join(artifacts, 'bindings-x86_64-unknown-linux-gnu'), { recursive: true });
    await copyFile(hostCoreBinary, path.join(artifacts, 'bindings-x86_64-unknown-linux-gnu', 'addon.linux-x64-gnu.node'));
    const single = await releaseDryRun({ cwd: root, outDir: path.join(scratch, 'single-out'), artifactsDir: artifacts, rehearsal: false });
    assert.equal(single.summary.publishable, true);
    const prepared = await prepareRehearsalRelease(single.plan, single.files.releaseDir, path.join(scratch, 'single-out', 'rehearsal'));
    assert.equal(prepared.kind, 'release');
    assert.equal(prepared.dir, single.files.releaseDir);
    assert.deepEqual([prepared.pinned, prepared.missing], [['linux-x64-gnu'], []]);
    assert.equal(prepared.label, 'the release itself: its root pins all 1 target(s), every one built');
    assert.deepEqual(await readdir(path.join(scratch, 'single-out', 'rehearsal')), []);
  });

  test('on the core: a copy of the root pinning only the built targets, packed and signed; the platform tarball byte-identical', async () => {
    const prepared = await prepareRehearsalRelease(dry.plan, dry.files.releaseDir, path.join(scratch, 'prepared'));
    assert.equal(prepared.kind, 'rehearsal');
    // --no-build: whatever the last build left (the host target, or six after `pnpm release:dry-run`).
    assert.deepEqual([...prepared.pinned].sort(), BUILT);
    assert.equal(prepared.missing.length, 8 - BUILT.length);
    assert.equal(prepared.platformTarballsIdentical, true);
    const root = prepared.manifest.packages.find((p) => p.kind === 'root');
    const platform = prepared.manifest.packages.find((p) => p.kind === 'platform');
    assert.ok(root && platform);
    assert.equal(platform.integrity, manifest.packages.find((p) => p.name === platform.name)?.integrity);
    assert.notEqual(
      root.integrity,
      manifest.packages.find((p) => p.kind === 'root')?.integrity,
      'the rehearsal root has other pins, so other bytes',
    );
    const { stdout } = await run('tar', ['-xzOf', path.join(prepared.dir, root.tarball), 'package/package.json']);
    const pkg = JSON.parse(stdout) as { name: string; optionalDependencies: Record<string, string> };
    assert.equal(pkg.name, '@napi-ship/core');
    assert.deepEqual(pkg.optionalDependencies, Object.fromEntries(BUILT.map((abi) => [`@napi-ship/core-${abi}`, root.version])));
    const files = await Promise.all(
      ['release-manifest.json.sig', 'release-manifest.pub', 'SHA256SUMS'].map((f) => readFile(path.join(prepared.dir, f), 'utf8')),
    );
    assert.ok(files.every((f) => f.length > 0));
  });
});

/** A registry client that answers from a table (name → packument). */
function fakeClient(table: Record<string, Packument | null | Error>): {
  registry: string;
  getPackument: (name: string) => Promise<Packument | null>;
} {
  return {
    registry: 'https://registry.example/',
    getPackument: (name) => {
      const v = table[name];
      return v instanceof Error ? Promise.reject(v) : Promise.resolve(v ?? null);
    },
  };
}

function packument(name: string, version: string, integrity: string): Packument {
  return {
    name,
    distTags: { latest: version },
    versions: { [version]: { version, integrity, shasum: null, tarball: null, optionalDependencies: {}, deprecated: null } },
  };
}

describe('the plan against the real registry', () => {
  test('the URL: publishConfig.registry, else npm_config_registry, else npmjs', () => {
    assert.deepEqual(realRegistryUrl({ publishConfig: { registry: 'https://npm.example/' } }, { npm_config_registry: 'https://other/' }), {
      url: 'https://npm.example/',
      source: 'publishConfig.registry',
    });
    assert.deepEqual(realRegistryUrl({}, { npm_config_registry: 'https://other/' }), {
      url: 'https://other/',
      source: 'npm_config_registry',
    });
    assert.deepEqual(realRegistryUrl({}, {}), { url: 'https://registry.npmjs.org/', source: 'default' });
    // The same choice `napi-ship publish` makes: a scope's registry from .npmrc beats the env and the .npmrc default.
    assert.deepEqual(
      realRegistryUrl(
        { name: '@acme/addon' },
        { npm_config_registry: 'https://other/' },
        { '@acme:registry': 'https://acme.example/npm', registry: 'https://rc/' },
      ),
      { url: 'https://acme.example/npm/', source: 'scope' },
    );
    assert.deepEqual(realRegistryUrl({ name: 'addon' }, {}, { registry: 'https://rc/' }), { url: 'https://rc/', source: 'npmrc' });
  });

  test('absent → would publish, same bytes → already there, other bytes → CONFLICT with both hashes; not-built targets listed', async () => {
    const root = manifest.packages.find((p) => p.kind === 'root');
    const platform = manifest.packages.find((p) => p.kind === 'platform');
    assert.ok(root && platform);
    const theirs = `sha512-${Buffer.alloc(64, 9).toString('base64')}`;
    const { plan, diagnostics } = await planRealRegistry({
      manifest,
      notBuilt: [{ target: 'win32-arm64-msvc', packageName: '@napi-ship/core-win32-arm64-msvc', version: root.version }],
      registry: { url: 'https://registry.example/', source: 'publishConfig.registry' },
      client: fakeClient({
        [root.name]: packument(root.name, root.version, theirs),
        [platform.name]: packument(platform.name, platform.version, platform.integrity),
      }),
    });
    assert.equal(plan.status, 'fail');
    assert.deepEqual(
      plan.packages.map((p) => [p.name, p.action]),
      [
        ...manifest.packages.map((p) => [p.name, p === root ? 'conflict' : p === platform ? 'same' : 'would-publish']),
        ['@napi-ship/core-win32-arm64-msvc', 'not-built'],
      ],
    );
    assert.equal(diagnostics.length, 1);
    const [conflict] = diagnostics;
    assert.ok(conflict);
    assert.equal(conflict.code, 'NS_REHEARSAL_REAL_CONFLICT');
    assert.equal(conflict.severity, 'error');
    assert.ok(conflict.expected?.startsWith(root.integrity), conflict.expected);
    assert.ok(conflict.found?.startsWith(theirs), conflict.found);

    const clean = await planRealRegistry({
      manifest,
      notBuilt: [],
      registry: { url: 'https://registry.example/', source: 'default' },
      client: fakeClient({}),
    });
    assert.equal(clean.plan.status, 'ok');
    assert.deepEqual(
      clean.plan.packages.map((p) => p.action),
      manifest.packages.map(() => 'would-publish'),
    );
    assert.deepEqual(clean.diagnostics, []);
  });

  test('--offline: skipped with a note, nothing asked', async () => {
    let asked = 0;
    const { plan, diagnostics } = await planRealRegistry({
      manifest,
      notBuilt: [],
      registry: { url: 'https://registry.example/', source: 'default' },
      offline: true,
      client: {
        registry: 'x',
        getPackument: () => {
          asked++;
          return Promise.resolve(null);
        },
      },
    });
    assert.equal(asked, 0);
    assert.equal(plan.status, 'skip');
    assert.match(plan.note, /offline/);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity]),
      [['NS_REHEARSAL_REAL_OFFLINE', 'note']],
    );
  });

  test('an unreachable registry (a closed loopback port, the real client): skipped with a warning, not a failure', async () => {
    const { plan, diagnostics } = await planRealRegistry({
      manifest,
      notBuilt: [],
      registry: { url: 'http://127.0.0.1:9/', source: 'npm_config_registry' },
      timeoutMs: 2000,
    });
    assert.equal(plan.status, 'skip');
    assert.match(plan.note, /could not be reached/);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity]),
      [['NS_REHEARSAL_REAL_UNREACHABLE', 'warning']],
    );
  });

  test('a client error that is not about reaching the registry: failed, with a warning', async () => {
    const boom = new DiagnosticError([diagnostic({ code: 'NS_REGISTRY_BAD_PACKUMENT', message: 'not a package document', hint: '' })]);
    const root = manifest.packages.find((p) => p.kind === 'root');
    assert.ok(root);
    const { plan, diagnostics } = await planRealRegistry({
      manifest,
      notBuilt: [],
      registry: { url: 'https://registry.example/', source: 'default' },
      client: fakeClient({ [root.name]: boom }),
    });
    assert.equal(plan.status, 'fail');
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity]),
      [['NS_REHEARSAL_REAL_FAILED', 'warning']],
    );
  });

  test("against a real registry (verdaccio) that holds other bytes under the root's version: CONFLICT", async () => {
    const registry = await startRegistry();
    try {
      // The rehearsal root: same name and version as the release's root, other pins, other bytes.
      const prepared = await prepareRehearsalRelease(dry.plan, dry.files.releaseDir, path.join(scratch, 'prepared-conflict'));
      const other = prepared.manifest.packages.find((p) => p.kind === 'root');
      assert.ok(other);
      await run(
        'npm',
        ['publish', path.join(prepared.dir, other.tarball), '--userconfig', registry.npmrc, '--registry', registry.url, '--loglevel=error'],
        { cwd: scratch, timeout: 120_000 },
      );
      const { plan, diagnostics } = await planRealRegistry({
        manifest,
        notBuilt: [],
        registry: { url: registry.url, source: 'publishConfig.registry' },
      });
      assert.deepEqual(
        plan.packages.map((p) => [p.kind, p.action]),
        [['root', 'conflict'], ...BUILT.map(() => ['platform', 'would-publish'])],
      );
      assert.deepEqual(
        diagnostics.map((d) => d.code),
        ['NS_REHEARSAL_REAL_CONFLICT'],
      );
      assert.equal(plan.packages[0]?.detail, `CONFLICT: the registry has ${other.integrity}`);
    } finally {
      await registry.stop();
    }
    assert.equal(await portOpen(registry.port), false, 'verdaccio is gone after stop()');
  });
});

describe('the load script', () => {
  test('its JSON line is read back; anything else is no result', () => {
    assert.deepEqual(
      parseLoadLine('noise\n{"runtime":"bun","version":"1.4.5","ok":true,"exports":["a","b"],"functions":["a"],"error":null}\n', 'bun'),
      { version: '1.4.5', ok: true, functions: ['a'], error: null },
    );
    assert.equal(parseLoadLine('{"runtime":"node","ok":true}', 'deno'), null, "another runtime's line");
    assert.equal(parseLoadLine('not json', 'node'), null);
  });

  test("Deno runs it with FFI allowed under the project's node_modules only, no network, no npm", () => {
    const { command } = loadCommand('deno', '/x/deno', '/s/load-addon.mjs', '/p/node_modules/@a/b', '/h');
    assert.deepEqual(command.slice(1, 7), ['run', '--no-config', '--no-lock', '--no-remote', '--no-npm', '--no-prompt']);
    assert.ok(command.includes('--allow-ffi=/p/node_modules'));
    assert.ok(!command.some((c) => c.startsWith('--allow-net') || c === '-A' || c === '--allow-all'));
    assert.deepEqual(loadCommand('bun', '/x/bun', '/s/l.mjs', '/p', '/h').command, ['/x/bun', '--no-install', '/s/l.mjs', '/p']);
  });

  test('on Node: a package that loads lists its functions; a package that throws is a failure with the message', async () => {
    const dir = path.join(scratch, 'load-script');
    await mkdir(path.join(dir, 'good'), { recursive: true });
    await mkdir(path.join(dir, 'bad'), { recursive: true });
    await writeFile(path.join(dir, 'load-addon.mjs'), LOAD_SCRIPT);
    await writeFile(path.join(dir, 'good', 'package.json'), '{"name":"good","main":"index.js"}');
    await writeFile(path.join(dir, 'good', 'index.js'), 'module.exports = { hash() {}, inspect() {}, VERSION: 1 };');
    await writeFile(path.join(dir, 'bad', 'package.json'), '{"name":"bad","main":"index.js"}');
    await writeFile(
      path.join(dir, 'bad', 'index.js'),
      'throw new Error("Cannot find native binding", { cause: new Error("no linux-x64-gnu package") });',
    );
    const good = await run(process.execPath, [path.join(dir, 'load-addon.mjs'), path.join(dir, 'good')]);
    assert.deepEqual(parseLoadLine(good.stdout, 'node'), {
      version: process.versions.node,
      ok: true,
      functions: ['hash', 'inspect'],
      error: null,
    });
    const bad = await run(process.execPath, [path.join(dir, 'load-addon.mjs'), path.join(dir, 'bad')]).then(
      () => null,
      (e: unknown) => e as { code: number; stdout: string },
    );
    assert.ok(bad);
    assert.equal(bad.code, 1);
    assert.equal(parseLoadLine(bad.stdout, 'node')?.error, 'Cannot find native binding <- no linux-x64-gnu package');
  });
});

describe('a rehearsal without verdaccio', () => {
  test('is skipped with a note saying to install verdaccio; the rest of the report stands', async () => {
    const bare = await fakeProject('no-verdaccio', null);
    const outcome = await rehearse({
      plan: dry.plan,
      releaseDir: dry.files.releaseDir,
      outDir: path.join(scratch, 'no-verdaccio-out'),
      projectDir: bare,
      offline: true,
      verdaccioSearchDirs: [bare],
    });
    assert.equal(outcome.result.status, 'skip');
    assert.match(outcome.result.note, /install verdaccio \(dev dependency\) to rehearse/);
    assert.equal(outcome.result.registry, null);
    assert.deepEqual(outcome.result.installs, []);
    assert.deepEqual(
      outcome.diagnostics.map((d) => [d.code, d.severity]),
      [
        ['NS_REHEARSAL_NO_VERDACCIO', 'warning'],
        ['NS_REHEARSAL_REAL_OFFLINE', 'note'],
      ],
    );
    const plan = { ...dry.run, stages: { ...dry.run.stages, rehearsal: outcome } };
    assert.match(
      renderMarkdown(plan),
      /### Rehearsal\n\nRehearsal skipped in [\d.]+ s — skipped: install verdaccio \(dev dependency\) to rehearse/,
    );
    assert.match(
      renderText(plan),
      /Plan against the real registry https:\/\/registry\.npmjs\.org\/ \(default; read-only\): skipped — offline/,
    );
  });
});
