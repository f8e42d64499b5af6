/**
 * Only installable manifests ship (issue 11 item 7): the package.json napi-ship packs is what the
 * project's package manager would pack — checked against the real `pnpm pack` and `yarn pack` (yarn 4
 * from @yarnpkg/cli-dist) on small workspaces — and what no package manager can make installable
 * (file:, link:, git, workspace: under npm, a missing catalog entry) is an error naming the
 * dependency and its field, with nothing written.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { extract } from 'tar';
import { PackError, packRelease } from '../src/pack/index.js';
import { publishManifest, specKind } from '../src/plan/publish-manifest.js';
import { readWorkspace } from '../src/plan/workspace.js';
import { repoRoot } from './helpers/cli.js';

const execFileAsync = promisify(execFile);

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-pubman-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function write(file: string, content: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
}

/** `package/package.json` of a tarball, as text. */
async function packedManifest(tgz: string): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, 'x-'));
  await extract({ file: tgz, cwd: dir });
  return readFile(path.join(dir, 'package', 'package.json'), 'utf8');
}

async function ourPack(dir: string): Promise<{ text: string; notes: string[] }> {
  const out = await mkdtemp(path.join(scratch, 'out-'));
  const result = await packRelease({ packages: [{ dir, kind: 'root', target: null }], outDir: out, cache: false, sourceDateEpoch: 0 });
  const tgz = result.packages[0]?.tarball;
  assert.ok(tgz !== undefined);
  return { text: await packedManifest(path.join(out, tgz)), notes: result.diagnostics.map((d) => `${d.code}: ${d.message}`) };
}

/** The member package of both workspaces: every specifier form and publishConfig field the tools rewrite. */
function member(packageManager: string): Record<string, unknown> {
  return {
    name: '@x/a',
    version: '1.0.0',
    main: 'src/index.js',
    types: 'src/index.d.ts',
    scripts: { prepack: 'true', prepare: 'true', prepublishOnly: 'true', postinstall: 'true', build: 'true' },
    dependencies: { '@x/b': 'workspace:*', 'is-number': 'catalog:', 'is-odd': 'catalog:tools' },
    optionalDependencies: { 'c-pkg': 'workspace:^' },
    peerDependencies: { '@x/b': 'workspace:~' },
    devDependencies: { 'c-pkg': 'workspace:*', 'local-tool': 'link:../c' },
    publishConfig: {
      main: 'dist/index.js',
      types: 'dist/index.d.ts',
      exports: { '.': './dist/index.js' },
      bin: { xa: 'dist/cli.js' },
      type: 'module',
      module: 'dist/index.mjs',
      os: ['linux'],
      libc: ['glibc'],
      access: 'public',
      tag: 'next',
      provenance: true,
    },
    packageManager,
  };
}

async function workspaceFixture(label: string, packageManager: string, rootExtra: Record<string, unknown>): Promise<string> {
  const root = path.join(scratch, label);
  await write(path.join(root, 'package.json'), { name: 'ws-root', private: true, packageManager, ...rootExtra });
  await write(path.join(root, 'packages', 'b', 'package.json'), { name: '@x/b', version: '2.3.4' });
  await write(path.join(root, 'packages', 'c', 'package.json'), { name: 'c-pkg', version: '0.5.0' });
  const a = path.join(root, 'packages', 'a');
  await write(path.join(a, 'package.json'), member(packageManager));
  for (const f of ['dist/index.js', 'dist/index.mjs', 'dist/cli.js', 'src/index.js']) await write(path.join(a, f), 'module.exports = 1;\n');
  return root;
}

describe('specifiers', () => {
  test('workspace-only, local and git specifiers are told from registry ranges, tags, aliases and tarball URLs', () => {
    const cases: [string, ReturnType<typeof specKind>][] = [
      ['workspace:*', 'workspace'],
      ['catalog:', 'catalog'],
      ['file:../x', 'file'],
      ['../x', 'file'],
      ['./vendor/x.tgz', 'file'],
      ['link:../x', 'link'],
      ['portal:../x', 'portal'],
      ['patch:x@npm%3A1.0.0#./x.patch', 'patch'],
      ['github:owner/repo', 'git'],
      ['owner/repo#v1', 'git'],
      ['git+https://github.com/owner/repo.git', 'git'],
      ['https://example.com/owner/repo.git', 'git'],
      ['git@github.com:owner/repo.git', 'git'],
      ['^1.2.3', null],
      ['1.x || >=2.5.0', null],
      ['latest', null],
      ['npm:other@^1.0.0', null],
      ['https://example.com/x-1.0.0.tgz', null],
      ['', null],
    ];
    for (const [spec, kind] of cases) assert.equal(specKind(spec), kind, spec);
  });
});

describe('the packed package.json is what the package manager packs', () => {
  test('pnpm: pnpm pack and napi-ship pack write the same package.json text', async () => {
    const root = await workspaceFixture('pnpm-ws', 'pnpm@12.21.0', {});
    await write(
      path.join(root, 'pnpm-workspace.yaml'),
      'packages:\n  - packages/*\ncatalog:\n  is-number: ^7.0.0\ncatalogs:\n  tools:\n    is-odd: 3.0.1\n',
    );
    const a = path.join(root, 'packages', 'a');
    const before = await readFile(path.join(a, 'package.json'), 'utf8');
    const pnpmOut = await mkdtemp(path.join(scratch, 'pnpm-out-'));
    // pmOnFail=ignore: see sbom-lockfiles.test.ts (pnpm 12 and the registry reachable here).
    await execFileAsync('pnpm', ['pack', '--pack-destination', pnpmOut, '--config.pm-on-fail=ignore'], {
      cwd: a,
      timeout: 120_000,
      env: { ...process.env, CI: '1' },
    });
    const [tgz] = await readdir(pnpmOut);
    assert.ok(tgz !== undefined, 'pnpm pack wrote a tarball');
    const theirs = await packedManifest(path.join(pnpmOut, tgz));
    const ours = await ourPack(a);
    assert.equal(ours.text, theirs, 'the same bytes as pnpm pack');
    const parsed = JSON.parse(ours.text) as Record<string, Record<string, string>>;
    assert.deepEqual(parsed.dependencies, { '@x/b': '2.3.4', 'is-number': '^7.0.0', 'is-odd': '3.0.1' });
    assert.equal(parsed.main, 'dist/index.js');
    assert.ok(
      ours.notes.some((n) => n.startsWith('NS_PACK_MANIFEST_REWRITTEN') && n.includes('"workspace:*" → "2.3.4"')),
      ours.notes.join('\n'),
    );
    assert.equal(await readFile(path.join(a, 'package.json'), 'utf8'), before, 'the package.json on disk is untouched');
  });

  test('yarn 4: yarn pack and napi-ship pack write the same manifest', async () => {
    const root = await workspaceFixture('yarn-ws', 'yarn@4.18.1', { workspaces: ['packages/*'] });
    await write(
      path.join(root, '.yarnrc.yml'),
      'nodeLinker: node-modules\nenableTelemetry: false\ncatalog:\n  is-number: ^7.0.0\ncatalogs:\n  tools:\n    is-odd: 3.0.1\n',
    );
    const yarn = path.join(repoRoot, 'node_modules', '@yarnpkg', 'cli-dist', 'bin', 'yarn.js');
    const env = {
      ...process.env,
      YARN_ENABLE_IMMUTABLE_INSTALLS: '0',
      YARN_NPM_MINIMAL_AGE_GATE: '0',
      YARN_ENABLE_GLOBAL_CACHE: '0',
      YARN_CACHE_FOLDER: path.join(repoRoot, '.cache', 'yarn-pack-fixture'),
      COREPACK_ENABLE_STRICT: '0',
    };
    await execFileAsync(process.execPath, [yarn, 'install', '--mode=skip-build'], { cwd: root, timeout: 300_000, env });
    const a = path.join(root, 'packages', 'a');
    const out = path.join(scratch, 'yarn-a.tgz');
    await execFileAsync(process.execPath, [yarn, 'pack', '-o', out], { cwd: a, timeout: 120_000, env });
    const theirs = JSON.parse(await packedManifest(out)) as unknown;
    const ours = await ourPack(a);
    // Same content; yarn's key order for hoisted fields it adds differs from ours only where JSON order does not matter.
    assert.deepEqual(JSON.parse(ours.text), theirs);
    const parsed = JSON.parse(ours.text) as Record<string, Record<string, string>>;
    assert.deepEqual(parsed.peerDependencies, { '@x/b': '~2.3.4' });
    assert.deepEqual(parsed.optionalDependencies, { 'c-pkg': '^0.5.0' });
  });
});

describe('what cannot be made installable is refused', () => {
  async function single(label: string, pkg: Record<string, unknown>, extra: Record<string, string> = {}): Promise<string> {
    const dir = path.join(scratch, label);
    await write(path.join(dir, 'package.json'), { name: label, version: '1.0.0', ...pkg });
    await write(path.join(dir, 'index.js'), 'module.exports = 1;\n');
    for (const [f, text] of Object.entries(extra)) await write(path.join(dir, f), text);
    return dir;
  }

  async function refusal(dir: string): Promise<string[]> {
    const out = path.join(scratch, `${path.basename(dir)}-out`);
    await assert.rejects(
      packRelease({ packages: [{ dir, kind: 'root', target: null }], outDir: out, cache: false, sourceDateEpoch: 0 }),
      (error: unknown) => error instanceof PackError,
    );
    assert.equal(
      await readdir(out)
        .catch(() => [])
        .then((l) => l.length),
      0,
      'nothing written',
    );
    const error = await packRelease({ packages: [{ dir, kind: 'root', target: null }], outDir: out, cache: false }).catch(
      (e: unknown) => e as PackError,
    );
    assert.ok(error instanceof PackError);
    return error.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
  }

  test('file:, link:, git and path dependencies name the dependency and the field; devDependencies pass', async () => {
    const dir = await single('local-deps', {
      dependencies: { vendored: 'file:../vendored', gitdep: 'github:owner/repo#v1', ok: '^1.0.0' },
      optionalDependencies: { linked: 'link:../linked' },
      peerDependencies: { pathdep: '../p' },
      devDependencies: { tool: 'link:../tool' },
    });
    const errors = await refusal(dir);
    assert.equal(errors.length, 4, errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('NS_PACK_DEP_LOCAL dependencies["vendored"] is "file:../vendored"')));
    assert.ok(errors.some((e) => e.startsWith('NS_PACK_DEP_GIT dependencies["gitdep"]')));
    assert.ok(errors.some((e) => e.startsWith('NS_PACK_DEP_LOCAL optionalDependencies["linked"]')));
    assert.ok(errors.some((e) => e.startsWith('NS_PACK_DEP_LOCAL peerDependencies["pathdep"]')));
  });

  test('workspace: under npm (which packs it verbatim) is refused, naming npm and how it was detected', async () => {
    const dir = await single('npm-ws', { dependencies: { sibling: 'workspace:*' } }, { 'package-lock.json': '{}\n' });
    const errors = await refusal(dir);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^NS_PACK_DEP_WORKSPACE dependencies\["sibling"\] is "workspace:\*".*npm.*package-lock\.json/);
  });

  test('a workspace: naming no workspace package and a catalog: without an entry are refused under pnpm', async () => {
    const dir = await single(
      'pnpm-missing',
      { dependencies: { ghost: 'workspace:^', absent: 'catalog:' }, packageManager: 'pnpm@12.21.0' },
      { 'pnpm-workspace.yaml': 'packages:\n  - .\ncatalog:\n  other: ^1.0.0\n' },
    );
    const errors = await refusal(dir);
    assert.equal(errors.length, 2, errors.join('\n'));
    assert.ok(
      errors.some((e) => e.startsWith('NS_PACK_DEP_WORKSPACE dependencies["ghost"]') && e.includes('no workspace package named ghost')),
    );
    assert.ok(errors.some((e) => e.startsWith('NS_PACK_DEP_CATALOG dependencies["absent"]') && e.includes('no entry for absent')));
  });

  test('pnpm publishConfig.directory is refused; a manifest needing nothing is packed byte for byte', async () => {
    const dir = await single('pnpm-dir', { publishConfig: { directory: 'dist' }, packageManager: 'pnpm@12.21.0' });
    const errors = await refusal(dir);
    assert.ok(
      errors.some((e) => e.startsWith('NS_PACK_PUBLISH_DIRECTORY')),
      errors.join('\n'),
    );
    const plain = await single('npm-plain', { publishConfig: { main: 'other.js', registry: 'https://r.example/' } });
    const text = await readFile(path.join(plain, 'package.json'), 'utf8');
    assert.equal((await ourPack(plain)).text, text, 'npm reads publishConfig.main nowhere: the file is packed as it is');
  });

  test('the workspace as read: package manager, packages and catalogs', () => {
    const root = path.join(scratch, 'pnpm-ws');
    const ws = readWorkspace(path.join(root, 'packages', 'a'));
    assert.equal(ws.root, root);
    assert.equal(ws.packageManager, 'pnpm');
    assert.deepEqual([...ws.packages.keys()].sort(), ['@x/a', '@x/b', 'c-pkg', 'ws-root']);
    assert.deepEqual(ws.catalogs.get('tools'), { 'is-odd': '3.0.1' });
    const r = publishManifest({
      manifest: { name: 'z', version: '1.0.0', dependencies: { x: 'workspace:c-pkg@^' } },
      dir: root,
      workspace: ws,
      subject: 'z',
    });
    assert.deepEqual(r.manifest.dependencies, { x: 'npm:c-pkg@^0.5.0' });
  });
});

describe('verify', () => {
  test('verify reports the root dependency pack would refuse, not "publishable"', async () => {
    const { loadPlan } = await import('../src/plan/index.js');
    const { verifyRelease } = await import('../src/verify/index.js');
    const { resolvePolicy } = await import('../src/verify/policy.js');
    const dir = path.join(scratch, 'verify-root');
    await write(path.join(dir, 'package.json'), {
      name: 'verify-root',
      version: '1.0.0',
      napi: { binaryName: 'v', targets: ['x86_64-unknown-linux-gnu'] },
      dependencies: { helper: 'workspace:^' },
      optionalDependencies: { 'verify-root-linux-x64-gnu': '1.0.0' },
    });
    await write(path.join(dir, 'package-lock.json'), '{}\n');
    const outcome = await verifyRelease(await loadPlan(dir), resolvePolicy({}, {}, {}));
    const found = outcome.result.releaseDiagnostics.filter((d) => d.code === 'NS_PACK_DEP_WORKSPACE');
    assert.equal(found.length, 1);
    assert.match(found[0]?.message ?? '', /dependencies\["helper"\]/);
  });
});
