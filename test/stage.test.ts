import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from '../src/diagnostics/index.js';
import { loadPlan } from '../src/plan/index.js';
import type { StageOutcome } from '../src/stage/index.js';
import { platformManifest, platformReadme, setTopLevelKey, stagePackages, type StageOptions } from '../src/stage/index.js';
import { hostCoreBinary, repoRoot, runCli } from './helpers/cli.js';
import { buildFixtures, type FixtureSet } from '../scripts/lib/fixtures.js';

/** The eight targets the repo's own core ships (napi-rs 3 defaults plus arm64 and musl). */
const TRIPLES: Readonly<Record<string, string>> = {
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'linux-x64-gnu': 'x86_64-unknown-linux-gnu',
  'linux-x64-musl': 'x86_64-unknown-linux-musl',
  'linux-arm64-gnu': 'aarch64-unknown-linux-gnu',
  'linux-arm64-musl': 'aarch64-unknown-linux-musl',
  'win32-x64-msvc': 'x86_64-pc-windows-msvc',
  'win32-arm64-msvc': 'aarch64-pc-windows-msvc',
};
const IDS = Object.keys(TRIPLES);
const VERSION = '1.2.3';
const SCOPE = '@acme/addon';

let scratch = '';
let fixtures: FixtureSet;
/** A real binary for each target: the host napi-rs build, and the cross-built fixtures. */
let binaries: Record<string, string> = {};

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-stage-'));
  fixtures = await buildFixtures();
  const f = fixtures.fixtures;
  binaries = {
    'darwin-x64': f['darwin-x64'].path,
    'darwin-arm64': f['darwin-arm64'].path,
    'linux-x64-gnu': hostCoreBinary,
    'linux-x64-musl': f['linux-x64-musl'].path,
    'linux-arm64-gnu': f['linux-arm64-gnu'].path,
    'linux-arm64-musl': f['linux-arm64-musl'].path,
    'win32-x64-msvc': f['win32-x64-msvc'].path,
    'win32-arm64-msvc': f['win32-arm64-msvc'].path,
  };
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function binaryOf(id: string): string {
  const file = binaries[id];
  if (file === undefined) throw new Error(`no binary for ${id}`);
  return file;
}

function tripleOf(id: string): string {
  const triple = TRIPLES[id];
  if (triple === undefined) throw new Error(`no triple for ${id}`);
  return triple;
}

function rootManifest(overrides: Record<string, unknown> = {}, ids: readonly string[] = IDS): Record<string, unknown> {
  return {
    name: SCOPE,
    version: VERSION,
    description: 'An addon for the stage tests',
    keywords: ['napi-rs', 'addon'],
    author: 'Acme <dev@acme.test>',
    homepage: 'https://github.com/acme/addon#readme',
    license: 'MIT',
    main: 'index.js',
    types: 'index.d.ts',
    engines: { node: '>= 18' },
    repository: { type: 'git', url: 'git+https://github.com/acme/addon.git' },
    bugs: { url: 'https://github.com/acme/addon/issues' },
    publishConfig: { access: 'public', registry: 'https://registry.npmjs.org/' },
    scripts: { build: 'napi build --platform --release' },
    napi: { binaryName: 'addon', packageName: SCOPE, targets: ids.map(tripleOf) },
    optionalDependencies: { 'left-pad': '1.3.0' },
    ...overrides,
  };
}

let counter = 0;

/** A fresh root package dir in the scratch dir; `text` is written verbatim when given. */
async function makeRoot(manifest: Record<string, unknown> = rootManifest(), text?: string): Promise<string> {
  const dir = path.join(scratch, `root-${++counter}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), text ?? `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/** Artifacts as download-artifact@v4 leaves them: `<dir>/bindings-<triple>/addon.<id>.node`. */
async function makeArtifacts(ids: readonly string[], name = 'artifacts'): Promise<string> {
  const dir = path.join(scratch, `${name}-${++counter}`);
  for (const id of ids) {
    const sub = path.join(dir, `bindings-${tripleOf(id)}`);
    await mkdir(sub, { recursive: true });
    await copyFile(binaryOf(id), path.join(sub, `addon.${id}.node`));
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

async function stage(root: string, options: StageOptions = {}): Promise<StageOutcome> {
  return stagePackages(await loadPlan(root), options);
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

function codes(diagnostics: readonly Diagnostic[], severity?: Diagnostic['severity']): string[] {
  return diagnostics
    .filter((d) => severity === undefined || d.severity === severity)
    .map((d) => d.code)
    .sort();
}

function errors(outcome: StageOutcome): Diagnostic[] {
  return outcome.diagnostics.filter((d) => d.severity === 'error');
}

function expectedPins(ids: readonly string[] = IDS): Record<string, string> {
  const pins: Record<string, string> = { 'left-pad': '1.3.0' };
  for (const id of ids) pins[`${SCOPE}-${id}`] = VERSION;
  return Object.fromEntries(Object.entries(pins).sort(([a], [b]) => a.localeCompare(b, 'en')));
}

describe('stage: the platform package.json is the one napi-rs writes', () => {
  test("for the repo's own core, platformManifest reproduces npm/*/package.json and README.md byte for byte", async () => {
    const plan = await loadPlan(path.join(repoRoot, 'crates', 'napi-ship-node'));
    assert.equal(plan.targets.length, 8);
    for (const t of plan.targets) {
      const written = await readFile(path.join(t.packageDir, 'package.json'), 'utf8');
      // As stage does: the package.json already there is passed in (its listed LICENSE-* files stay).
      const existing = JSON.parse(written) as Record<string, unknown>;
      const ours = platformManifest({ root: plan.root.manifest, target: t, version: plan.root.version, wasiOnly: false, existing });
      assert.equal(`${JSON.stringify(ours, null, 2)}\n`, written, t.spec.platformArchABI);
      assert.equal(platformReadme(plan.root.packageName, t), await readFile(path.join(t.packageDir, 'README.md'), 'utf8'));
    }
  });
});

describe('stage', () => {
  test('all eight targets from a download-artifact layout: every package.json field by field, the root pinned exactly', async () => {
    const root = await makeRoot();
    const artifacts = await makeArtifacts(IDS);
    const outcome = await stage(root, { artifactsDir: artifacts });
    assert.deepEqual(outcome.diagnostics, []);
    assert.equal(outcome.result.packages.length, 8);

    for (const id of IDS) {
      const dir = path.join(root, 'npm', id);
      const binaryFile = `addon.${id}.node`;
      const [platform, arch] = id.split('-') as [string, string];
      const linux = platform === 'linux';
      const pkg = await readJson(path.join(dir, 'package.json'));
      assert.equal(pkg.name, `${SCOPE}-${id}`, id);
      assert.equal(pkg.version, VERSION, id);
      assert.deepEqual(pkg.os, [platform], id);
      assert.deepEqual(pkg.cpu, [arch], id);
      if (linux) assert.deepEqual(pkg.libc, [id.endsWith('-musl') ? 'musl' : 'glibc'], id);
      else assert.equal('libc' in pkg, false, `${id} must have no libc`);
      assert.equal(pkg.main, binaryFile, id);
      assert.deepEqual(pkg.files, [binaryFile], id);
      assert.equal(pkg.description, 'An addon for the stage tests');
      assert.deepEqual(pkg.keywords, ['napi-rs', 'addon']);
      assert.equal(pkg.author, 'Acme <dev@acme.test>');
      assert.equal(pkg.homepage, 'https://github.com/acme/addon#readme');
      assert.equal(pkg.license, 'MIT');
      assert.deepEqual(pkg.engines, { node: '>= 18' });
      assert.deepEqual(pkg.repository, { type: 'git', url: 'git+https://github.com/acme/addon.git' });
      assert.deepEqual(pkg.bugs, { url: 'https://github.com/acme/addon/issues' });
      assert.deepEqual(pkg.publishConfig, { access: 'public', registry: 'https://registry.npmjs.org/' });
      // Root-only fields stay in the root.
      for (const key of ['types', 'scripts', 'napi', 'optionalDependencies']) assert.equal(key in pkg, false, `${id}: ${key}`);
      // napi-rs's key order.
      assert.deepEqual(
        Object.keys(pkg),
        [
          'name',
          'version',
          'cpu',
          'main',
          'files',
          'description',
          'keywords',
          'author',
          'homepage',
          'license',
          'engines',
          'repository',
          'bugs',
          'publishConfig',
          'os',
          ...(linux ? ['libc'] : []),
        ],
        id,
      );
      // The binary is the artifact's bytes, under napi-rs's name; a README is written.
      assert.deepEqual(await readdir(dir).then((n) => n.sort()), ['README.md', binaryFile, 'package.json'].sort(), id);
      assert.equal(await sha256(path.join(dir, binaryFile)), await sha256(binaryOf(id)), id);
      const staged = outcome.result.packages.find((p) => p.platformArchABI === id);
      assert.ok(staged, id);
      assert.equal(staged.triple, tripleOf(id));
      assert.equal(staged.packageName, `${SCOPE}-${id}`);
      assert.equal(staged.dir, dir);
      assert.equal(staged.binaryPath, path.join(dir, binaryFile));
      assert.equal(staged.source, path.join(artifacts, `bindings-${tripleOf(id)}`, binaryFile));
      assert.deepEqual(staged.manifest, pkg);
    }

    const rootPkg = await readJson(path.join(root, 'package.json'));
    assert.deepEqual(rootPkg.optionalDependencies, expectedPins());
    assert.deepEqual(Object.keys(rootPkg.optionalDependencies as object), Object.keys(expectedPins()));
    assert.deepEqual(outcome.result.rootOptionalDependencies, expectedPins());
  });

  test('napi-rs build output in the root (napi build --platform); an existing README.md is kept', async () => {
    const ids = ['linux-x64-gnu', 'darwin-arm64', 'win32-x64-msvc'];
    const root = await makeRoot(rootManifest({}, ids));
    for (const id of ids) await copyFile(binaryOf(id), path.join(root, `addon.${id}.node`));
    await mkdir(path.join(root, 'npm', 'darwin-arm64'), { recursive: true });
    await writeFile(path.join(root, 'npm', 'darwin-arm64', 'README.md'), '# hand-written\n');

    const outcome = await stage(root);
    assert.deepEqual(outcome.diagnostics, []);
    assert.deepEqual(
      outcome.result.packages.map((p) => p.platformArchABI),
      ['linux-x64-gnu', 'darwin-arm64', 'win32-x64-msvc'],
    );
    for (const id of ids) {
      const staged = outcome.result.packages.find((p) => p.platformArchABI === id);
      assert.equal(staged?.source, path.join(root, `addon.${id}.node`));
      assert.equal(await sha256(path.join(root, 'npm', id, `addon.${id}.node`)), await sha256(binaryOf(id)));
    }
    assert.equal(await readFile(path.join(root, 'npm', 'darwin-arm64', 'README.md'), 'utf8'), '# hand-written\n');
    assert.match(
      await readFile(path.join(root, 'npm', 'linux-x64-gnu', 'README.md'), 'utf8'),
      /\*\*x86_64-unknown-linux-gnu\*\* binary for `@acme\/addon`/,
    );
    assert.deepEqual(outcome.result.rootOptionalDependencies, expectedPins(ids));
  });

  test('a file that matches no configured target is NS_STAGE_UNKNOWN_FILE; the targets are still staged', async () => {
    const ids = ['linux-x64-gnu', 'linux-arm64-gnu'];
    const root = await makeRoot(rootManifest({}, ids));
    const artifacts = await makeArtifacts(ids);
    await mkdir(path.join(artifacts, 'bindings-armv7-unknown-linux-gnueabihf'));
    await copyFile(
      binaryOf('linux-arm64-gnu'),
      path.join(artifacts, 'bindings-armv7-unknown-linux-gnueabihf', 'addon.linux-arm-gnueabihf.node'),
    );
    await copyFile(binaryOf('linux-x64-gnu'), path.join(artifacts, 'other.linux-x64-gnu.node'));
    await writeFile(path.join(artifacts, 'bindings-x86_64-unknown-linux-gnu', 'index.d.ts'), 'export {}\n');

    const outcome = await stage(root, { artifactsDir: artifacts });
    const unknown = outcome.diagnostics.filter((d) => d.code === 'NS_STAGE_UNKNOWN_FILE');
    assert.equal(unknown.length, 3);
    for (const d of unknown) {
      assert.equal(d.severity, 'error');
      assert.ok(d.expected?.includes('addon.linux-x64-gnu.node'));
      assert.ok(d.found !== undefined && d.hint !== '');
    }
    const byFound = (s: string): Diagnostic | undefined => unknown.find((d) => d.found?.endsWith(s));
    assert.match(byFound('addon.linux-arm-gnueabihf.node')?.hint ?? '', /armv7-unknown-linux-gnueabihf.*napi\.targets/);
    assert.match(byFound('other.linux-x64-gnu.node')?.hint ?? '', /binaryName is "addon"/);
    assert.ok(byFound('bindings-x86_64-unknown-linux-gnu/index.d.ts'));
    assert.deepEqual(codes(outcome.diagnostics), ['NS_STAGE_UNKNOWN_FILE', 'NS_STAGE_UNKNOWN_FILE', 'NS_STAGE_UNKNOWN_FILE']);
    assert.deepEqual(
      outcome.result.packages.map((p) => p.platformArchABI),
      ids,
    );
  });

  test('two files for one target with different bytes is NS_STAGE_DUPLICATE_BINARY and that target is not staged', async () => {
    const ids = ['linux-x64-gnu', 'darwin-x64'];
    const root = await makeRoot(rootManifest({}, ids));
    const artifacts = await makeArtifacts(ids);
    await mkdir(path.join(artifacts, 'bindings-x86_64-unknown-linux-gnu-rerun'));
    await copyFile(
      fixtures.fixtures['linux-x64-gnu'].path,
      path.join(artifacts, 'bindings-x86_64-unknown-linux-gnu-rerun', 'addon.linux-x64-gnu.node'),
    );

    const outcome = await stage(root, { artifactsDir: artifacts });
    assert.deepEqual(codes(outcome.diagnostics), ['NS_STAGE_DUPLICATE_BINARY']);
    const [dup] = outcome.diagnostics;
    assert.equal(dup?.severity, 'error');
    assert.equal(dup.target, 'linux-x64-gnu');
    assert.match(
      dup.found ?? '',
      /bindings-x86_64-unknown-linux-gnu\/addon\.linux-x64-gnu\.node \(sha256 [0-9a-f]{12}…\), bindings-x86_64-unknown-linux-gnu-rerun\//,
    );
    assert.ok(dup.expected !== undefined && dup.hint !== '');
    assert.deepEqual(
      outcome.result.packages.map((p) => p.platformArchABI),
      ['darwin-x64'],
    );
    await assert.rejects(readdir(path.join(root, 'npm', 'linux-x64-gnu')), /ENOENT/);
    // The root still pins every configured target.
    assert.deepEqual(outcome.result.rootOptionalDependencies, expectedPins(ids));
  });

  test('identical duplicates (a merged download next to per-artifact dirs) are fine: a note, and the target is staged', async () => {
    const ids = ['linux-x64-gnu', 'win32-arm64-msvc'];
    const root = await makeRoot(rootManifest({}, ids));
    const artifacts = await makeArtifacts(ids);
    await copyFile(binaryOf('linux-x64-gnu'), path.join(artifacts, 'addon.linux-x64-gnu.node'));

    const outcome = await stage(root, { artifactsDir: artifacts });
    assert.deepEqual(errors(outcome), []);
    assert.deepEqual(codes(outcome.diagnostics), ['NS_STAGE_DUPLICATE_IDENTICAL']);
    const [note] = outcome.diagnostics;
    assert.equal(note?.severity, 'note');
    assert.equal(note.target, 'linux-x64-gnu');
    assert.deepEqual(
      outcome.result.packages.map((p) => p.platformArchABI),
      ids,
    );
    assert.equal(
      await sha256(path.join(root, 'npm', 'linux-x64-gnu', 'addon.linux-x64-gnu.node')),
      await sha256(binaryOf('linux-x64-gnu')),
    );
  });

  test('merge-multiple: true (every binary directly in the artifacts dir) stages the same', async () => {
    const root = await makeRoot();
    const artifacts = path.join(scratch, `merged-${++counter}`);
    await mkdir(artifacts);
    for (const id of IDS) await copyFile(binaryOf(id), path.join(artifacts, `addon.${id}.node`));
    const outcome = await stage(root, { artifactsDir: artifacts });
    assert.deepEqual(outcome.diagnostics, []);
    assert.equal(outcome.result.packages.length, 8);
  });

  test('a binary left in a platform dir that this run did not supply is NS_STAGE_STALE_BINARY, whatever its package.json version', async () => {
    const ids = ['linux-x64-gnu', 'linux-arm64-gnu', 'darwin-arm64'];
    const root = await makeRoot(rootManifest({}, ids));
    // linux-arm64-gnu: left from 1.0.0; darwin-arm64: version already bumped to 1.2.3 (napi version), binary old.
    const oldArm = path.join(root, 'npm', 'linux-arm64-gnu');
    await mkdir(oldArm, { recursive: true });
    await writeFile(
      path.join(oldArm, 'package.json'),
      `${JSON.stringify({ name: `${SCOPE}-linux-arm64-gnu`, version: '1.0.0' }, null, 2)}\n`,
    );
    await copyFile(binaryOf('linux-arm64-gnu'), path.join(oldArm, 'addon.linux-arm64-gnu.node'));
    const bumped = path.join(root, 'npm', 'darwin-arm64');
    await mkdir(bumped, { recursive: true });
    await writeFile(path.join(bumped, 'package.json'), `${JSON.stringify({ name: `${SCOPE}-darwin-arm64`, version: VERSION }, null, 2)}\n`);
    await copyFile(binaryOf('darwin-arm64'), path.join(bumped, 'addon.darwin-arm64.node'));
    // linux-x64-gnu: a fresh binary is supplied; a binary of an old binaryName is removed (a note).
    const fresh = path.join(root, 'npm', 'linux-x64-gnu');
    await mkdir(fresh, { recursive: true });
    await copyFile(binaryOf('linux-x64-gnu'), path.join(fresh, 'oldname.linux-x64-gnu.node'));

    const outcome = await stage(root, { artifactsDir: await makeArtifacts(['linux-x64-gnu']) });
    const stale = outcome.diagnostics.filter((d) => d.code === 'NS_STAGE_STALE_BINARY');
    assert.deepEqual(stale.map((d) => d.target).sort(), ['darwin-arm64', 'linux-arm64-gnu']);
    const armStale = stale.find((d) => d.target === 'linux-arm64-gnu');
    assert.equal(armStale?.severity, 'error');
    assert.match(armStale.message, /1\.0\.0, this release is 1\.2\.3/);
    assert.match(armStale.found ?? '', /addon\.linux-arm64-gnu\.node \(sha256 [0-9a-f]{12}…\), package\.json version 1\.0\.0/);
    assert.ok(armStale.expected !== undefined && armStale.hint !== '');
    assert.match(stale.find((d) => d.target === 'darwin-arm64')?.message ?? '', /already says 1\.2\.3, but that proves nothing/);
    // Both are also missing a fresh binary; nothing of theirs is rewritten.
    assert.deepEqual(
      outcome.diagnostics
        .filter((d) => d.code === 'NS_STAGE_MISSING_BINARY')
        .map((d) => d.target)
        .sort(),
      ['darwin-arm64', 'linux-arm64-gnu'],
    );
    assert.equal((await readJson(path.join(oldArm, 'package.json'))).version, '1.0.0');
    assert.deepEqual(
      outcome.result.packages.map((p) => p.platformArchABI),
      ['linux-x64-gnu'],
    );
    const removed = outcome.diagnostics.find((d) => d.code === 'NS_STAGE_REMOVED_FILE');
    assert.equal(removed?.severity, 'note');
    assert.equal(removed.subject, path.join(fresh, 'oldname.linux-x64-gnu.node'));
    assert.deepEqual((await readdir(fresh)).sort(), ['README.md', 'addon.linux-x64-gnu.node', 'package.json']);
  });

  test('repository: an empty url is an error, no repository a warning (an error with provenance), another repo an error with provenance', async () => {
    const ids = ['linux-x64-gnu'];
    const artifacts = await makeArtifacts(ids);
    const repoDiag = (o: StageOutcome): Diagnostic[] => o.diagnostics.filter((d) => d.code === 'NS_STAGE_REPOSITORY_URL');

    const empty = await stage(await makeRoot(rootManifest({ repository: { type: 'git', url: '' } }, ids)), { artifactsDir: artifacts });
    assert.equal(repoDiag(empty).length, 1);
    const [d] = repoDiag(empty);
    assert.equal(d?.severity, 'error');
    assert.equal(d.found, '""');
    assert.equal(d.expected, 'a non-empty repository.url');
    assert.match(d.hint, /"url": "git\+https:\/\/github\.com\//);
    assert.equal(empty.result.packages.length, 1, 'the packages are still staged');

    const noUrl = await stage(await makeRoot(rootManifest({ repository: { type: 'git' } }, ids)), { artifactsDir: artifacts });
    assert.deepEqual(
      repoDiag(noUrl).map((x) => [x.severity, x.found]),
      [['error', 'absent']],
    );

    const missing = await stage(await makeRoot(rootManifest({ repository: undefined }, ids)), { artifactsDir: artifacts });
    assert.deepEqual(
      repoDiag(missing).map((x) => x.severity),
      ['warning'],
    );
    assert.deepEqual(errors(missing), []);
    const missingProvenance = await stage(await makeRoot(rootManifest({ repository: undefined }, ids)), {
      artifactsDir: artifacts,
      provenance: true,
    });
    assert.deepEqual(
      repoDiag(missingProvenance).map((x) => x.severity),
      ['error'],
    );
    const viaPublishConfig = await stage(
      await makeRoot(rootManifest({ repository: undefined, publishConfig: { access: 'public', provenance: true } }, ids)),
      { artifactsDir: artifacts },
    );
    assert.deepEqual(
      repoDiag(viaPublishConfig).map((x) => x.severity),
      ['error'],
    );

    const good = rootManifest({}, ids);
    assert.deepEqual(
      repoDiag(await stage(await makeRoot(good), { artifactsDir: artifacts, provenance: true, expectedRepository: 'Acme/Addon' })),
      [],
    );
    const other = await stage(await makeRoot(good), { artifactsDir: artifacts, provenance: true, expectedRepository: 'someone/else' });
    assert.deepEqual(
      repoDiag(other).map((x) => [x.severity, x.expected]),
      [['error', 'https://github.com/someone/else']],
    );
  });

  test('a target with no binary is NS_STAGE_MISSING_BINARY; the other seven are staged and all eight pinned', async () => {
    const root = await makeRoot();
    const present = IDS.filter((id) => id !== 'win32-arm64-msvc');
    const outcome = await stage(root, { artifactsDir: await makeArtifacts(present) });
    assert.deepEqual(codes(outcome.diagnostics), ['NS_STAGE_MISSING_BINARY']);
    const [d] = outcome.diagnostics;
    assert.equal(d?.severity, 'error');
    assert.equal(d.target, 'win32-arm64-msvc');
    assert.equal(d.expected, 'addon.win32-arm64-msvc.node');
    assert.equal(d.found, 'nothing');
    assert.match(d.hint, /aarch64-pc-windows-msvc/);
    assert.deepEqual(outcome.result.packages.map((p) => p.platformArchABI).sort(), [...present].sort());
    await assert.rejects(readdir(path.join(root, 'npm', 'win32-arm64-msvc')), /ENOENT/);
    assert.deepEqual(outcome.result.rootOptionalDependencies, expectedPins());
    assert.deepEqual((await readJson(path.join(root, 'package.json'))).optionalDependencies, expectedPins());
  });

  test('the root package.json keeps every other byte: key order, tabs or 4 spaces, compact arrays, CRLF, trailing newline or none', async () => {
    const ids = ['linux-x64-gnu', 'darwin-arm64'];
    const artifacts = await makeArtifacts(ids);
    const base = rootManifest({}, ids);
    const withStalePins = {
      ...base,
      optionalDependencies: { 'left-pad': '1.3.0', [`${SCOPE}-linux-x64-gnu`]: '0.0.1', [`${SCOPE}-linux-arm64-musl`]: '0.9.0' },
    };
    // Tabs, compact arrays, the pins in the middle of the file, no trailing newline.
    const tabbed = JSON.stringify(withStalePins, null, '\t').replace(/\[\n\t+"napi-rs",\n\t+"addon"\n\t+\]/, '["napi-rs", "addon"]');
    assert.match(tabbed, /"keywords": \["napi-rs", "addon"\]/);
    const tabRoot = await makeRoot(withStalePins, tabbed);
    const outcome = await stage(tabRoot, { artifactsDir: artifacts });
    assert.deepEqual(
      codes(outcome.diagnostics),
      ['NS_STAGE_PIN_REMOVED'],
      'the pin of a target no longer configured is dropped, with a warning',
    );
    assert.equal(outcome.diagnostics[0]?.severity, 'warning');
    // The hint names the triple that makes the dropped package.
    assert.match(outcome.diagnostics.map((d) => d.hint).join(' '), /add "aarch64-unknown-linux-musl" \(back\) to napi\.targets/);
    const expectedDeps = { [`${SCOPE}-darwin-arm64`]: VERSION, [`${SCOPE}-linux-x64-gnu`]: VERSION, 'left-pad': '1.3.0' };
    const expectedTabbed = tabbed.replace(
      /"optionalDependencies": \{[^}]*\}/,
      `"optionalDependencies": ${JSON.stringify(expectedDeps, null, '\t').split('\n').join('\n\t')}`,
    );
    const after = await readFile(path.join(tabRoot, 'package.json'), 'utf8');
    assert.equal(after, expectedTabbed);
    assert.ok(!after.endsWith('\n'));
    // A second run changes nothing.
    await stage(tabRoot, { artifactsDir: artifacts });
    assert.equal(await readFile(path.join(tabRoot, 'package.json'), 'utf8'), expectedTabbed);

    // Four spaces, CRLF, no optionalDependencies yet: appended as the last key, in the file's style.
    const noDeps = Object.fromEntries(Object.entries(base).filter(([key]) => key !== 'optionalDependencies'));
    const crlf = `${JSON.stringify(noDeps, null, 4).split('\n').join('\r\n')}\r\n`;
    const crlfRoot = await makeRoot(noDeps, crlf);
    await stage(crlfRoot, { artifactsDir: artifacts });
    const appended = { [`${SCOPE}-darwin-arm64`]: VERSION, [`${SCOPE}-linux-x64-gnu`]: VERSION };
    assert.equal(
      await readFile(path.join(crlfRoot, 'package.json'), 'utf8'),
      `${JSON.stringify({ ...noDeps, optionalDependencies: appended }, null, 4)
        .split('\n')
        .join('\r\n')}\r\n`,
    );

    // The text edit on its own: a one-line file stays one line.
    assert.equal(setTopLevelKey('{"a":1}', 'b', { c: '1' }), '{"a":1,"b":{"c":"1"}}');
    assert.equal(setTopLevelKey('{\n  "b": [1, 2],\n  "a": "}"\n}\n', 'b', {}), '{\n  "b": {},\n  "a": "}"\n}\n');
  });
});

describe('stage CLI', () => {
  // Keep the tests independent of the environment they run in (CI may publish with provenance).
  const env = { npm_config_provenance: 'false', NPM_CONFIG_PROVENANCE: 'false', GITHUB_ACTIONS: 'false' };

  test('exit 0 with a table of target → package → source → status', async () => {
    const ids = ['linux-x64-gnu', 'darwin-x64'];
    const root = await makeRoot(rootManifest({}, ids));
    const artifacts = await makeArtifacts(ids);
    const r = await runCli(['stage', '--cwd', root, '--artifacts', artifacts], { env, cwd: root });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^target\s+package\s+source\s+status$/m);
    assert.match(
      r.stdout,
      /^linux-x64-gnu\s+@acme\/addon-linux-x64-gnu\s+\S*bindings-x86_64-unknown-linux-gnu\/addon\.linux-x64-gnu\.node\s+staged$/m,
    );
    assert.match(r.stdout, /staged 2 of 2 platform package/);
    assert.equal(r.stderr, '');
  });

  test('--json prints { packages, rootOptionalDependencies, diagnostics }; an error exits 1', async () => {
    const ids = ['linux-x64-gnu', 'darwin-x64'];
    const root = await makeRoot(rootManifest({}, ids));
    const artifacts = await makeArtifacts(['linux-x64-gnu']);
    const r = await runCli(['stage', '--cwd', root, '--artifacts', artifacts, '--json'], { env });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as {
      packages: { platformArchABI: string }[];
      rootOptionalDependencies: Record<string, string>;
      diagnostics: Diagnostic[];
    };
    assert.deepEqual(Object.keys(out), ['packages', 'rootOptionalDependencies', 'diagnostics']);
    assert.deepEqual(
      out.packages.map((p) => p.platformArchABI),
      ['linux-x64-gnu'],
    );
    assert.deepEqual(out.rootOptionalDependencies, expectedPins(ids));
    assert.deepEqual(
      out.diagnostics.map((d) => [d.code, d.target]),
      [['NS_STAGE_MISSING_BINARY', 'darwin-x64']],
    );

    const text = await runCli(['stage', '--cwd', root, '--artifacts', artifacts], { env });
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^darwin-x64\s+@acme\/addon-darwin-x64\s+-\s+missing$/m);
    assert.match(text.stderr, /error\[NS_STAGE_MISSING_BINARY\] darwin-x64/);
    assert.match(text.stdout, /stage failed: 1 error/);
  });

  // Exit status from the code's class (docs/cli.md), no longer 3 for every thrown error: a --cwd
  // without package.json (NS_ROOT_PACKAGE_MISSING) and an --artifacts dir that does not exist
  // (NS_STAGE_ARTIFACTS_MISSING) are the command line naming a wrong place: usage (2).
  test('usage errors exit 2: no root package.json, an artifacts dir that does not exist, a bad option', async () => {
    const empty = path.join(scratch, `empty-${++counter}`);
    await mkdir(empty);
    const noRoot = await runCli(['stage', '--cwd', empty], { env });
    assert.equal(noRoot.code, 2);
    assert.match(noRoot.stderr, /NS_ROOT_PACKAGE_MISSING/);

    const root = await makeRoot(rootManifest({}, ['linux-x64-gnu']));
    const noArtifacts = await runCli(['stage', '--cwd', root, '--artifacts', path.join(empty, 'nope')], { env });
    assert.equal(noArtifacts.code, 2);
    assert.match(noArtifacts.stderr, /NS_STAGE_ARTIFACTS_MISSING/);

    assert.equal((await runCli(['stage', '--cwd', root, '--bogus'], { env })).code, 2);
  });
});
