/**
 * `napi-ship init` on a project laid out as the official napi-rs package template (written here:
 * its package.json napi config, yarn 4 `packageManager`, `@napi-rs/cli` dev dependency, a Cargo.toml
 * with the napi crates and src/lib.rs; Cargo.lock resolved offline from the local cargo cache) and on
 * the published package.json of a real napi-rs project (@node-rs/argon2, fetched from npm, cached).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  addDevCommand,
  applyInit,
  detectPackageManager,
  lineDiff,
  parsePackageManagerField,
  planInit,
  readCrateFacts,
  readInitInput,
  starterPolicy,
  toolDependencies,
  type CommandRunner,
} from '../src/init/index.js';
import type { Inventory, InventoryPackage } from '../src/sbom/inventory.js';
import { isRecord } from '../src/util/json.js';
import { napiShipManifest, napiShipVersion } from '../src/util/version.js';
import { repoRoot, runCli } from './helpers/cli.js';

const run = promisify(execFile);

/** The official template's targets (napi-rs/package-template package.json). */
const TEMPLATE_TARGETS = [
  'x86_64-pc-windows-msvc',
  'x86_64-apple-darwin',
  'x86_64-unknown-linux-gnu',
  'x86_64-unknown-linux-musl',
  'aarch64-unknown-linux-gnu',
  'i686-pc-windows-msvc',
  'armv7-unknown-linux-gnueabihf',
  'aarch64-apple-darwin',
  'aarch64-linux-android',
  'x86_64-unknown-freebsd',
  'aarch64-unknown-linux-musl',
  'aarch64-pc-windows-msvc',
  'armv7-linux-androideabi',
  'wasm32-wasip1-threads',
];

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-init-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A project laid out as napi-rs/package-template, in a git repository of its own. */
async function writeTemplate(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await mkdir(path.join(dir, '.git'), { recursive: true });
  const manifest = {
    name: '@napi-rs/package-template',
    version: '1.0.0',
    description: 'Template project for writing node package with napi-rs',
    main: 'index.js',
    repository: { type: 'git', url: 'git+ssh://git@github.com/napi-rs/package-template.git' },
    license: 'MIT',
    browser: 'browser.js',
    files: ['index.d.ts', 'index.js', 'browser.js'],
    napi: { binaryName: 'package-template', targets: TEMPLATE_TARGETS },
    engines: { node: '>= 10' },
    publishConfig: { registry: 'https://registry.npmjs.org/', access: 'public' },
    scripts: {
      artifacts: 'napi artifacts',
      build: 'napi build --platform --release',
      'build:debug': 'napi build --platform',
      prepublishOnly: 'napi prepublish -t npm',
      test: 'ava',
      version: 'napi version',
    },
    devDependencies: { '@emnapi/core': '^1.5.0', '@emnapi/runtime': '^1.5.0', '@napi-rs/cli': '^3.2.0', ava: '^6.4.1' },
    packageManager: 'yarn@4.13.0',
  };
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  await writeFile(
    path.join(dir, 'Cargo.toml'),
    [
      '[package]',
      'authors = ["LongYinan <lynweklm@gmail.com>"]',
      'edition = "2021"',
      'name = "napi-package-template"',
      'version = "0.1.0"',
      '',
      '[lib]',
      'crate-type = ["cdylib"]',
      '',
      '[dependencies]',
      'napi = { version = "3", default-features = false, features = ["napi4"] }',
      'napi-derive = "3"',
      '',
      '[build-dependencies]',
      'napi-build = "2"',
      '',
      '[profile.release]',
      'lto = true',
      'strip = "symbols"',
      '',
    ].join('\n'),
  );
  await writeFile(path.join(dir, 'build.rs'), 'fn main() {\n  napi_build::setup();\n}\n');
  await writeFile(
    path.join(dir, 'src', 'lib.rs'),
    '#![deny(clippy::all)]\n\nuse napi_derive::napi;\n\n#[napi]\npub fn plus_100(input: u32) -> u32 {\n  input + 100\n}\n',
  );
  // The crate graph from the local cargo cache (the repo's own build fetched the napi crates).
  await run('cargo', ['generate-lockfile', '--offline', '--manifest-path', path.join(dir, 'Cargo.toml')], { env: process.env });
}

async function json(file: string): Promise<Record<string, unknown>> {
  const v: unknown = JSON.parse(await readFile(file, 'utf8'));
  assert.ok(isRecord(v));
  return v;
}

function record(v: unknown): Record<string, unknown> {
  assert.ok(isRecord(v), JSON.stringify(v));
  return v;
}

const tools = toolDependencies(napiShipManifest(), napiShipVersion());

describe('pure parts', () => {
  test('package manager: the packageManager field, then lockfiles, else npm; exact-pinning add commands', async () => {
    assert.deepEqual(parsePackageManagerField('yarn@4.13.0+sha512.abc'), { name: 'yarn', version: '4.13.0' });
    assert.deepEqual(parsePackageManagerField('pnpm@10.1.0'), { name: 'pnpm', version: '10.1.0' });
    assert.equal(parsePackageManagerField('cnpm@1'), null);
    for (const [lockfile, name] of [
      ['pnpm-lock.yaml', 'pnpm'],
      ['yarn.lock', 'yarn'],
      ['bun.lock', 'bun'],
      ['package-lock.json', 'npm'],
    ] as const) {
      const dir = path.join(scratch, `pm-${lockfile}`);
      await mkdir(path.join(dir, '.git'), { recursive: true });
      await writeFile(path.join(dir, 'package.json'), '{"name":"x","version":"1.0.0"}\n');
      await writeFile(path.join(dir, lockfile), '');
      const found = await detectPackageManager(dir);
      assert.deepEqual([found.name, found.source], [name, lockfile]);
    }
    const bare = path.join(scratch, 'pm-none');
    await mkdir(path.join(bare, '.git'), { recursive: true });
    assert.equal((await detectPackageManager(bare)).name, 'npm');
    assert.deepEqual(addDevCommand('npm', ['a@1.0.0']), ['npm', 'install', '--save-dev', '--save-exact', 'a@1.0.0']);
    assert.deepEqual(addDevCommand('yarn', ['a@1.0.0']), ['yarn', 'add', '--dev', '--exact', 'a@1.0.0']);
    assert.deepEqual(addDevCommand('pnpm', ['a@1.0.0']), ['pnpm', 'add', '--save-dev', '--save-exact', 'a@1.0.0']);
  });

  test('the tools are exact pins: napi-ship itself and what the rehearsal runs', () => {
    assert.equal(tools['napi-ship'], napiShipVersion());
    for (const name of ['verdaccio', 'bun', 'deno', '@napi-rs/cli']) assert.match(tools[name] ?? '', /^\d+\.\d+\.\d+/, name);
    assert.equal(toolDependencies({ devDependencies: { verdaccio: '^6.0.0', bun: 'npm:bun@1.2.3' } }, '9.9.9').verdaccio, undefined);
    assert.equal(toolDependencies({ devDependencies: { bun: 'npm:bun@1.2.3' } }, '9.9.9').bun, '1.2.3');
  });

  test('crate facts from Cargo.toml', () => {
    assert.deepEqual(readCrateFacts('[package]\nname = "a"\n[dependencies]\nnapi = { version = "3.1", features = ["napi4"] }\n'), {
      name: 'a',
      napi: '3.1',
    });
    assert.deepEqual(readCrateFacts('[package]\nname = "b" # x\n\n[dependencies.napi]\nversion = "2"\n'), { name: 'b', napi: '2' });
    assert.deepEqual(readCrateFacts('[workspace]\nmembers = ["x"]\n'), { name: null, napi: null });
  });

  test('starter policy: the fewest ids that pass every readable license; the rest named', () => {
    const pkg = (name: string, licenseRaw: string | null, extra: Partial<InventoryPackage> = {}): InventoryPackage => ({
      ecosystem: 'cargo',
      name,
      version: '1.0.0',
      purl: `pkg:cargo/${name}@1.0.0`,
      licenseRaw,
      licenseFiles: [],
      source: { kind: 'registry', location: null },
      checksum: null,
      supplier: null,
      homepage: null,
      downloadLocation: null,
      scope: 'normal',
      isRoot: false,
      dependsOn: [],
      ...extra,
    });
    const inventory: Inventory = {
      ecosystem: 'cargo',
      source: 'test',
      roots: [],
      packages: [
        pkg('me', 'BSD-3-Clause', { isRoot: true }),
        pkg('a', 'MIT OR Apache-2.0'),
        pkg('b', 'MIT/Apache-2.0'),
        pkg('c', 'Apache-2.0'),
        pkg('d', '(MIT OR Apache-2.0) AND Unicode-3.0'),
        pkg('e', null),
        pkg('f', 'MIT'),
      ],
    };
    const p = starterPolicy([inventory]);
    assert.deepEqual(p.allow, ['Apache-2.0', 'MIT', 'Unicode-3.0']);
    assert.equal(p.checked, 6);
    assert.equal(p.basis, 'found');
    assert.deepEqual(p.unresolved, ['cargo e@1.0.0: no license declared']);
    assert.deepEqual(starterPolicy([{ ...inventory, packages: [] }], 'MIT OR Apache-2.0'), {
      allow: ['MIT'],
      unresolved: [],
      checked: 0,
      basis: 'own-license',
    });
  });

  test('the diff is unified: context, hunks, a new file from /dev/null', () => {
    assert.equal(lineDiff('f', 'a\nb\n', 'a\nb\n'), '');
    assert.equal(lineDiff('f', 'a\nb\nc\n', 'a\nB\nc\n'), '--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
    assert.equal(lineDiff('n', null, 'x\ny\n'), '--- /dev/null\n+++ b/n\n@@ -0,0 +1,2 @@\n+x\n+y\n');
    const long = Array.from({ length: 20 }, (_, i) => `l${String(i)}`);
    const changed = [...long];
    changed[2] = 'X';
    changed[17] = 'Y';
    assert.equal(lineDiff('f', long.join('\n') + '\n', changed.join('\n') + '\n').match(/^@@/gm)?.length, 2);
  });
});

describe('on the napi-rs package template', () => {
  let dir = '';
  before(async () => {
    dir = path.join(scratch, 'package-template');
    await writeTemplate(dir);
  });

  test('without --yes: shows what it would do, writes nothing', async () => {
    const before = await readFile(path.join(dir, 'package.json'), 'utf8');
    const r = await runCli(['init', '--cwd', dir], { env: { NO_COLOR: '1' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /package manager: yarn 4\.13\.0 \(packageManager field/);
    assert.match(r.stdout, /napi config: {5}binaryName package-template, 14 targets/);
    assert.match(r.stdout, /crate: {11}napi-package-template \(napi 3\) in /);
    assert.match(r.stdout, /license policy: {2}allow MIT\b.*\(found in \d+ third-party packages\)/);
    assert.match(r.stdout, /^\+ {4}"release:dry-run": "napi-ship release --dry-run"$/m);
    assert.match(r.stdout, /^\+\+\+ b\/\.github\/workflows\/release\.yml \(new file\)$/m);
    assert.match(r.stdout, new RegExp(`then: yarn add --dev --exact napi-ship@${napiShipVersion().replace(/\./g, '\\.')} verdaccio@`));
    assert.match(r.stdout, /kept: @napi-rs\/cli: already a dependency \(\^3\.2\.0\)/);
    assert.match(r.stdout, /nothing was written: run `napi-ship init --yes`/);
    assert.equal(await readFile(path.join(dir, 'package.json'), 'utf8'), before);
    assert.equal(existsSync(path.join(dir, '.github')), false);
  });

  test('--yes with the install step injected: writes, the package manager adds the pins, the second run has nothing to do', async () => {
    const input = await readInitInput(dir);
    const plan = planInit(input, tools);
    assert.equal(plan.packageManager.name, 'yarn');
    assert.deepEqual(plan.targets, TEMPLATE_TARGETS);
    assert.ok(plan.policy !== null && plan.policy.allow.includes('MIT'));
    const calls: { argv: readonly string[]; cwd: string }[] = [];
    // Stands in for `yarn add --dev --exact …`: the package manager writes the pins into package.json.
    const runner: CommandRunner = async (argv, cwd) => {
      calls.push({ argv, cwd });
      const file = path.join(cwd, 'package.json');
      const m = await json(file);
      const dev = record(m.devDependencies);
      for (const spec of argv.slice(4)) {
        const at = spec.lastIndexOf('@');
        dev[spec.slice(0, at)] = spec.slice(at + 1);
      }
      await writeFile(file, JSON.stringify({ ...m, devDependencies: dev }, null, 2) + '\n');
      return { code: 0, output: '' };
    };
    const result = await applyInit(plan, { runner });
    assert.deepEqual(result.diagnostics, []);
    const [call, ...more] = calls;
    assert.ok(call !== undefined && more.length === 0);
    assert.deepEqual(call.argv.slice(0, 4), ['yarn', 'add', '--dev', '--exact']);
    assert.equal(call.cwd, dir);
    assert.deepEqual(
      [...result.written].sort(),
      [path.join(dir, '.github', 'workflows', 'release.yml'), path.join(dir, 'package.json')].sort(),
    );

    const manifest = await json(path.join(dir, 'package.json'));
    assert.equal(record(manifest.scripts)['release:dry-run'], 'napi-ship release --dry-run');
    assert.equal(record(manifest.scripts).build, 'napi build --platform --release', 'existing scripts kept');
    assert.equal(record(manifest.devDependencies)['napi-ship'], napiShipVersion());
    assert.equal(record(manifest.devDependencies)['@napi-rs/cli'], '^3.2.0', "the project's own pin is left alone");
    assert.deepEqual(record(record(record(manifest.napiShip).policy).licenses).allow, plan.policy.allow);

    // The workflow is exactly what `ci generate` writes (yarn, from the packageManager field).
    const check = await runCli(['ci', 'generate', '--check', '--cwd', dir]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(await readFile(path.join(dir, '.github', 'workflows', 'release.yml'), 'utf8'), /corepack enable && yarn install/);

    // The starter policy passes on the project's real crate graph.
    const policy = await runCli(['policy', '--cwd', dir, '--json']);
    assert.equal(policy.code, 0, policy.stdout.slice(0, 2000) + policy.stderr);

    // Idempotent.
    const again = await runCli(['init', '--cwd', dir, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout) as { upToDate: boolean; changes: unknown[]; install: unknown; written: unknown[] };
    assert.deepEqual([second.upToDate, second.changes, second.install, second.written], [true, [], null, []]);
    const text = await runCli(['init', '--cwd', dir, '--yes'], { env: { NO_COLOR: '1' } });
    assert.match(text.stdout, /nothing to do: napi-ship is set up here/);
  });

  test('a package manager that fails: named, with the command to run, exit 3', async () => {
    const copy = path.join(scratch, 'template-failing-pm');
    await writeTemplate(copy);
    const plan = planInit(await readInitInput(copy), tools);
    const result = await applyInit(plan, {
      runner: () => Promise.resolve({ code: 1, output: 'YN0035: napi-ship@0.1.0: Package not found' }),
    });
    const [failure] = result.diagnostics;
    assert.ok(failure !== undefined);
    assert.equal(failure.code, 'NS_INIT_INSTALL_FAILED');
    assert.match(failure.message, /exit 1.*Package not found/);
    assert.match(failure.hint, /--no-install/);
    // What init writes itself is written; the dev dependencies are still missing, so a re-run retries only them.
    const again = planInit(await readInitInput(copy), tools);
    const [change, ...others] = again.changes;
    assert.ok(change !== undefined && others.length === 0);
    assert.match(change.file, /package\.json$/);
    assert.equal(change.what.length, 1);
    assert.ok(again.install !== null);
  });
});

describe("a real project's config: @node-rs/argon2 2.2.1 as published", () => {
  test('npm (no field, no lockfile), no crate: warned; the policy starts from its own license; --no-install writes the pins', async () => {
    const cache = path.join(repoRoot, '.cache', 'real-projects', 'node-rs-argon2-2.2.1.json');
    if (!existsSync(cache)) {
      const res = await fetch('https://registry.npmjs.org/@node-rs/argon2/2.2.1');
      assert.equal(res.status, 200);
      await mkdir(path.dirname(cache), { recursive: true });
      await writeFile(cache, await res.text());
    }
    const published = await json(cache);
    const dir = path.join(scratch, 'argon2');
    await mkdir(path.join(dir, '.git'), { recursive: true });
    const keys = ['name', 'version', 'description', 'license', 'main', 'types', 'files', 'napi', 'engines', 'scripts', 'devDependencies'];
    const manifest = Object.fromEntries(keys.filter((k) => published[k] !== undefined).map((k) => [k, published[k]]));
    manifest.optionalDependencies = published.optionalDependencies;
    await writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

    const r = await runCli(['init', '--cwd', dir, '--json', '--yes', '--no-install']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      packageManager: { name: string };
      crate: unknown;
      targets: string[];
      policy: { allow: string[]; basis: string };
      install: string[];
      diagnostics: { code: string }[];
    };
    assert.equal(out.packageManager.name, 'npm');
    assert.equal(out.crate, null);
    assert.equal(
      out.targets.length,
      record(published.napi).targets instanceof Array ? (record(published.napi).targets as unknown[]).length : -1,
    );
    assert.ok(out.diagnostics.some((d) => d.code === 'NS_INIT_NO_CRATE'));
    assert.deepEqual(out.policy, { ...out.policy, allow: ['MIT'], basis: 'own-license' });
    assert.deepEqual(out.install.slice(0, 4), ['npm', 'install', '--save-dev', '--save-exact']);
    const written = await json(path.join(dir, 'package.json'));
    assert.equal(record(written.devDependencies)['napi-ship'], napiShipVersion());
    assert.equal(record(written.devDependencies)['@napi-rs/cli'], record(published.devDependencies)['@napi-rs/cli']);
    assert.deepEqual(written.optionalDependencies, published.optionalDependencies, 'the platform pins are left alone');
    assert.ok(existsSync(path.join(dir, '.github', 'workflows', 'release.yml')));
    const again = JSON.parse((await runCli(['init', '--cwd', dir, '--json'])).stdout) as { upToDate: boolean };
    assert.equal(again.upToDate, true);
  });
});
