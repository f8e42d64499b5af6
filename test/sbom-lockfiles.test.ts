/**
 * The npm SBOM and the policy over the lockfiles napi-rs projects really have, each written at test
 * time by the real package manager against the npm registry: yarn 4 (berry; what the napi-rs
 * template's packageManager names), yarn 1 (classic), bun (bun.lock), pnpm and npm. A small
 * napi-rs-shaped root package (a few production dependencies, an optional one for another platform,
 * dev dependencies), installed as its maintainer would; then `stage`'s own platform packages are
 * added to optionalDependencies, which must change nothing. Every document passes the SPDX schema,
 * pyspdxtools and the NTIA checker.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseSyml } from '@yarnpkg/parsers';
import { findLockfile, readNpmInventory, type SpdxDocument } from '../src/sbom/index.js';
import { parseJsonc } from '../src/sbom/lock-bun.js';
import { repoRoot, runCli } from './helpers/cli.js';
import { describeValidation, requirePythonValidators, schemaErrors, validateSpdxFile } from './helpers/spdx-validate.js';

const execFileAsync = promisify(execFile);
const EPOCH = '1700000000';
const YARN4 = path.join(repoRoot, 'node_modules', '@yarnpkg', 'cli-dist', 'bin', 'yarn.js');
const BUN = path.join(repoRoot, 'node_modules', '.bin', 'bun');
const CLIENT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  YARN_NPM_MINIMAL_AGE_GATE: '0',
  YARN_ENABLE_TELEMETRY: '0',
  YARN_ENABLE_GLOBAL_CACHE: '0',
  YARN_NODE_LINKER: 'node-modules',
  YARN_ENABLE_IMMUTABLE_INSTALLS: '0',
  npm_config_yes: 'true',
  CI: '',
};

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-sbom-locks-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A napi-rs-shaped root package: production deps, an optional dep for macOS only, dev deps. */
function rootManifest(name: string, packageManager?: string): Record<string, unknown> {
  return {
    name,
    version: '1.2.3',
    license: 'MIT',
    author: 'Fixture Maintainers <fixtures@example.org>',
    ...(packageManager === undefined ? {} : { packageManager }),
    napi: { binaryName: 'fixture', targets: ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin'] },
    dependencies: { chalk: '4.1.2', 'strip-ansi-cjs': 'npm:strip-ansi@6.0.1' },
    optionalDependencies: { fsevents: '2.3.3' },
    devDependencies: { 'is-number': '7.0.0', 'to-regex-range': '5.0.1' },
  };
}

const PRODUCTION = [
  'ansi-regex',
  'ansi-styles',
  'chalk',
  'color-convert',
  'color-name',
  'fsevents',
  'has-flag',
  'strip-ansi',
  'supports-color',
];

async function run(cmd: string, args: readonly string[], cwd: string): Promise<void> {
  await execFileAsync(cmd, [...args], { cwd, env: CLIENT_ENV, timeout: 5 * 60_000, maxBuffer: 64 * 1024 * 1024 });
}

async function project(name: string, packageManager?: string, files: Record<string, string> = {}): Promise<string> {
  const dir = path.join(scratch, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(rootManifest(name, packageManager), null, 2) + '\n');
  for (const [f, text] of Object.entries(files)) await writeFile(path.join(dir, f), text);
  return dir;
}

/** `stage` adds the release's own platform packages to optionalDependencies: nothing may change because of it. */
async function stageOwnPackages(dir: string): Promise<void> {
  const file = path.join(dir, 'package.json');
  const m = JSON.parse(await readFile(file, 'utf8')) as { name: string; optionalDependencies: Record<string, string> };
  m.optionalDependencies[`${m.name}-linux-x64-gnu`] = '1.2.3';
  m.optionalDependencies[`${m.name}-darwin-arm64`] = '1.2.3';
  await writeFile(file, JSON.stringify(m, null, 2) + '\n');
}

async function assertValid(t: import('node:test').TestContext, file: string): Promise<void> {
  const doc: unknown = JSON.parse(await readFile(file, 'utf8'));
  assert.deepEqual(schemaErrors(doc), [], `${path.basename(file)}: JSON schema`);
  if (!requirePythonValidators(t)) return;
  const v = await validateSpdxFile(file);
  assert.deepEqual(v.spdxTools, [], describeValidation(v));
  assert.equal(v.ntia.conformant, true, describeValidation(v));
  assert.deepEqual(v.ntia.floating, [], describeValidation(v));
}

interface SbomRun {
  readonly code: number | null;
  readonly doc: SpdxDocument;
  readonly stderr: string;
}

async function sbom(dir: string, out: string, extra: readonly string[] = []): Promise<SbomRun> {
  const r = await runCli(['sbom', '--cwd', dir, '--out', out, ...extra], { env: { SOURCE_DATE_EPOCH: EPOCH } });
  const doc = JSON.parse(await readFile(path.join(out, 'sbom.npm.spdx.json'), 'utf8')) as SpdxDocument;
  return { code: r.code, doc, stderr: r.stderr };
}

/** The packages that ship on every platform (not only through an optional dependency). */
function required(doc: SpdxDocument, root: string): string[] {
  return [...new Set(doc.packages.filter((p) => !/optional dependency/.test(p.comment ?? '')).map((p) => p.name))]
    .filter((n) => n !== root)
    .sort();
}

function names(doc: SpdxDocument, root: string): string[] {
  return [...new Set(doc.packages.map((p) => p.name).filter((n) => n !== root))].sort();
}

describe('yarn 4 (berry), as the napi-rs template has it', () => {
  let dir = '';
  before(async () => {
    dir = await project('yarn4-addon', 'yarn@4.18.1', { '.yarnrc.yml': 'nodeLinker: node-modules\nenableTelemetry: false\n' });
    await run(process.execPath, [YARN4, 'install'], dir);
  });

  test('without --include-dev: what ships, with PURL, checksum and the installed license; valid SPDX', async (t) => {
    const r = await sbom(dir, path.join(scratch, 'y4-out'));
    assert.equal(r.code, 0, r.stderr);
    // yarn's graph gives fsevents (macOS only) node-gyp as a dependency (it builds it): optional like fsevents.
    assert.deepEqual(
      required(r.doc, 'yarn4-addon'),
      PRODUCTION.filter((n) => n !== 'fsevents'),
    );
    assert.ok(names(r.doc, 'yarn4-addon').includes('fsevents'));
    assert.ok(!names(r.doc, 'yarn4-addon').includes('is-number'), 'no dev dependency');
    const chalk = r.doc.packages.find((p) => p.name === 'chalk');
    assert.equal(chalk?.externalRefs?.[0]?.referenceLocator, 'pkg:npm/chalk@4.1.2');
    assert.equal(chalk.licenseDeclared, 'MIT');
    assert.match(chalk.checksums?.find((c) => c.algorithm === 'SHA512')?.checksumValue ?? '', /^[0-9a-f]{128}$/);
    assert.match(chalk.comment ?? '', /yarn's cache archive/, 'the SBOM says what the yarn checksum is of');
    assert.equal(r.doc.packages.find((p) => p.name === 'strip-ansi')?.versionInfo, '6.0.1', 'an npm: alias is the real package');
    await assertValid(t, path.join(scratch, 'y4-out', 'sbom.npm.spdx.json'));
  });

  test('with --include-dev: every non-workspace yarn.lock entry is listed, each with a PURL, and with a checksum where yarn.lock has one', async (t) => {
    const out = path.join(scratch, 'y4-dev');
    const r = await sbom(dir, out, ['--include-dev']);
    assert.equal(r.code, 0, r.stderr);
    const lock = parseSyml(await readFile(path.join(dir, 'yarn.lock'), 'utf8')) as Record<
      string,
      { resolution?: string; version?: string; checksum?: string }
    >;
    const listed = new Map(r.doc.packages.map((p) => [`${p.name}@${p.versionInfo}`, p]));
    let entries = 0;
    for (const [key, e] of Object.entries(lock)) {
      if (key === '__metadata' || e.resolution === undefined || e.resolution.includes('@workspace:')) continue;
      entries += 1;
      const name = e.resolution.slice(0, e.resolution.indexOf('@', 1));
      const p = listed.get(`${name}@${e.version ?? ''}`);
      assert.ok(p, `${key} is listed`);
      assert.match(p.externalRefs?.[0]?.referenceLocator ?? '', /^pkg:npm\//);
      if (e.checksum !== undefined) assert.equal(p.checksums?.[0]?.checksumValue, e.checksum.split('/').pop());
    }
    assert.ok(entries >= 11, `${entries} yarn.lock entries`);
    assert.ok(r.doc.packages.some((p) => p.name === 'is-number' && /dev dependency/.test(p.comment ?? '')));
    await assertValid(t, path.join(out, 'sbom.npm.spdx.json'));
  });

  test('after stage adds our own platform packages to optionalDependencies: same graph, no error, policy does not fail on them', async () => {
    const before = await readNpmInventory({ rootDir: dir });
    await stageOwnPackages(dir);
    const after = await readNpmInventory({ rootDir: dir });
    assert.deepEqual(
      after.inventory.packages.map((p) => p.purl),
      before.inventory.packages.map((p) => p.purl),
    );
    assert.deepEqual(
      after.diagnostics.filter((d) => d.severity !== 'note'),
      [],
    );
    // A policy that allows no license at all: every third-party package is judged (and fails), so the
    // check below means something; our own platform packages are the release, never judged.
    const configFile = path.join(dir, 'napi-ship.config.json');
    await writeFile(configFile, JSON.stringify({ policy: { licenses: { allow: [] } } }));
    try {
      const policy = await runCli(['policy', '--cwd', dir, '--json']);
      assert.equal(policy.code, 1, policy.stderr);
      const json = JSON.parse(policy.stdout) as { violations: { package: string }[]; diagnostics: { code: string }[] };
      assert.ok(
        json.violations.some((v) => v.package.startsWith('chalk')),
        `third-party packages are judged: ${json.violations.map((v) => v.package).join(', ')}`,
      );
      assert.ok(!json.violations.some((v) => v.package.startsWith('yarn4-addon-')), 'our own packages are not judged');
      assert.ok(!json.diagnostics.some((d) => d.code === 'NS_SBOM_NPM_NO_LOCKFILE' || d.code === 'NS_SBOM_NPM_NOT_LOCKED'));
    } finally {
      await rm(configFile, { force: true });
    }
  });

  test('the addon as a workspace below the yarn.lock: found above it, read from its own workspace entry', async () => {
    const ws = path.join(scratch, 'yarn4-ws');
    const member = path.join(ws, 'packages', 'addon');
    await mkdir(member, { recursive: true });
    await writeFile(
      path.join(ws, 'package.json'),
      JSON.stringify({
        name: 'ws-root',
        private: true,
        packageManager: 'yarn@4.18.1',
        workspaces: ['packages/*'],
        devDependencies: { 'is-number': '7.0.0' },
      }),
    );
    await writeFile(path.join(ws, '.yarnrc.yml'), 'nodeLinker: node-modules\nenableTelemetry: false\n');
    const m = rootManifest('ws-addon');
    delete m.packageManager;
    await writeFile(path.join(member, 'package.json'), JSON.stringify(m));
    await run(process.execPath, [YARN4, 'install'], ws);
    const found = await findLockfile(member);
    assert.equal(found?.file, path.join(ws, 'yarn.lock'));
    const inv = await readNpmInventory({ rootDir: member, includeDev: true });
    const listed = inv.inventory.packages.map((p) => p.name);
    for (const n of PRODUCTION) assert.ok(listed.includes(n), n);
    assert.ok(listed.includes('to-regex-range'), "the member's own dev dependency");
    assert.equal(inv.inventory.packages.find((p) => p.name === 'ws-addon')?.isRoot, true);
  });
});

describe('yarn 1 (classic)', () => {
  test('yarn.lock v1: tarball integrity, registry.yarnpkg.com accepted as the npm registry, dev dependencies only on request', async (t) => {
    const dir = await project('yarn1-addon');
    await run(
      'npm',
      ['exec', '--yes', '--package=yarn@1.22.22', '--', 'yarn', 'install', '--ignore-scripts', '--non-interactive', '--no-progress'],
      dir,
    );
    const r = await sbom(dir, path.join(scratch, 'y1-out'));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(names(r.doc, 'yarn1-addon'), PRODUCTION);
    const chalk = r.doc.packages.find((p) => p.name === 'chalk');
    assert.equal(chalk?.downloadLocation, 'https://registry.yarnpkg.com/chalk/-/chalk-4.1.2.tgz');
    assert.equal(chalk.licenseDeclared, 'MIT');
    // The sha512 of the registry tarball, as npm's own lockfile would record it.
    assert.equal(
      chalk.checksums?.find((c) => c.algorithm === 'SHA512')?.checksumValue,
      Buffer.from('oKnbhFyRIXpUuez8iBMmyEa4nbj4IOQyuhc/wy9kY7/WVPcwIO9VA668Pu8RkO7+0G76SLROeyw9CpQ061i4mA==', 'base64').toString('hex'),
    );
    await assertValid(t, path.join(scratch, 'y1-out', 'sbom.npm.spdx.json'));
    const withDev = await sbom(dir, path.join(scratch, 'y1-dev'), ['--include-dev']);
    assert.ok(names(withDev.doc, 'yarn1-addon').includes('is-number'));
    await stageOwnPackages(dir);
    const policy = await runCli(['policy', '--cwd', dir, '--json']);
    const json = JSON.parse(policy.stdout) as { violations: { code: string; package: string }[] };
    assert.ok(!json.violations.some((v) => v.code.startsWith('NS_POLICY_SOURCE')), JSON.stringify(json.violations));
    assert.ok(!json.violations.some((v) => v.package.startsWith('yarn1-addon-')));
  });
});

describe('bun.lock', () => {
  test('bun install writes bun.lock (JSONC): read with nested copies, integrity, dev on request; valid SPDX', async (t) => {
    const dir = await project('bun-addon', 'bun@1.4.5');
    await run(BUN, ['install', '--ignore-scripts'], dir);
    const text = await readFile(path.join(dir, 'bun.lock'), 'utf8');
    assert.ok(/,\s*\n\s*}/.test(text), 'bun writes trailing commas: not plain JSON');
    assert.ok(parseJsonc(text));
    const r = await sbom(dir, path.join(scratch, 'bun-out'));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(names(r.doc, 'bun-addon'), PRODUCTION);
    const chalk = r.doc.packages.find((p) => p.name === 'chalk');
    assert.equal(chalk?.licenseDeclared, 'MIT');
    assert.match(chalk.checksums?.find((c) => c.algorithm === 'SHA512')?.checksumValue ?? '', /^[0-9a-f]{128}$/);
    await assertValid(t, path.join(scratch, 'bun-out', 'sbom.npm.spdx.json'));
    const withDev = await sbom(dir, path.join(scratch, 'bun-dev'), ['--include-dev']);
    assert.deepEqual(names(withDev.doc, 'bun-addon'), [...PRODUCTION, 'is-number', 'to-regex-range'].sort());
  });
});

describe('which lockfile', () => {
  test('packageManager picks between lockfiles in one dir; without it a warning names them; bun.lockb alone is a clear error', async () => {
    const dir = await project('choice', 'yarn@4.18.1', { '.yarnrc.yml': 'nodeLinker: node-modules\nenableTelemetry: false\n' });
    // npm first: it rewrites a yarn.lock it finds.
    await run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
    await run(process.execPath, [YARN4, 'install', '--mode=update-lockfile'], dir);
    const chosen = await findLockfile(dir);
    assert.equal(chosen?.kind, 'yarn');
    assert.deepEqual(
      chosen.diagnostics.map((d) => d.severity),
      ['note'],
    );
    const m = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    m.packageManager = 'npm@11.0.0';
    await writeFile(path.join(dir, 'package.json'), JSON.stringify(m));
    assert.equal((await findLockfile(dir))?.kind, 'npm');
    delete m.packageManager;
    await writeFile(path.join(dir, 'package.json'), JSON.stringify(m));
    const unnamed = await findLockfile(dir);
    assert.equal(unnamed?.diagnostics[0]?.severity, 'warning');
    assert.match(unnamed.diagnostics[0].hint, /packageManager/);
    // Both graphs hold the same packages that ship everywhere.
    const fromNpm = await readNpmInventory({ rootDir: dir, lockfile: path.join(dir, 'package-lock.json') });
    const fromYarn = await readNpmInventory({ rootDir: dir, lockfile: path.join(dir, 'yarn.lock') });
    const everywhere = (i: typeof fromNpm): string[] => i.inventory.packages.filter((p) => p.optional !== true).map((p) => p.purl);
    assert.deepEqual(everywhere(fromYarn), everywhere(fromNpm));
    assert.equal(fromYarn.inventory.packages.find((p) => p.name === 'fsevents')?.optional, true);
    const lockb = path.join(scratch, 'lockb');
    await mkdir(lockb, { recursive: true });
    await writeFile(path.join(lockb, 'package.json'), JSON.stringify(rootManifest('lockb')));
    await writeFile(path.join(lockb, 'bun.lockb'), Buffer.from([0x23, 0x21, 0x2f, 0x75]));
    const r = await runCli(['sbom', '--cwd', lockb, '--out', path.join(scratch, 'lockb-out')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /bun\.lockb[\s\S]*--save-text-lockfile/);
  });

  test('pnpm: the same root package, lockfile v9; no lockfile with declared dependencies is an error naming them', async () => {
    const dir = await project('pnpm-addon', 'pnpm@12.21.0');
    // pmOnFail=ignore: pnpm 12 would otherwise resolve @pnpm/exe for every platform to record the
    // packageManager pin in the lockfile; the registry reachable here lacks some of them, and pnpm
    // then fails the install now and then (ERR_PNPM_BAD_CONFIG_DEP). The lockfile is the same.
    await run('pnpm', ['install', '--lockfile-only', '--ignore-scripts', '--reporter=silent', '--config.pm-on-fail=ignore'], dir);
    const inv = await readNpmInventory({ rootDir: dir });
    assert.deepEqual([...new Set(inv.inventory.packages.map((p) => p.name).filter((n) => n !== 'pnpm-addon'))].sort(), PRODUCTION);
    const none = await project('nolock-addon');
    const r = await readNpmInventory({ rootDir: none });
    assert.equal(r.diagnostics[0]?.code, 'NS_SBOM_NPM_NO_LOCKFILE');
    assert.equal(r.diagnostics[0].severity, 'error');
    assert.match(r.diagnostics[0].message, /chalk/);
  });
});
