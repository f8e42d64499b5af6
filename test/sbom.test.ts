/**
 * SBOMs end to end: the repo's own core through the release dry run, and a fixture workspace built
 * from real lockfiles (≈236 locked crates, ≈290 npm packages) installed from the real registries
 * into a scratch dir. Every document is checked by the JSON schema, spdx-tools and the NTIA checker.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { releaseDryRun, type DryRunResult } from '../src/release/dry-run.js';
import { generateSboms, readCargoInventory, readNpmInventory, readProjectInventories, type SpdxDocument } from '../src/sbom/index.js';
import { coreDir, repoRoot, runCli } from './helpers/cli.js';
import { describeValidation, requirePythonValidators, validateSpdxFile } from './helpers/spdx-validate.js';

const execFileAsync = promisify(execFile);
const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'sbom-workspace');
const EPOCH = '1700000000';

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-sbom-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function readDoc(file: string): Promise<SpdxDocument> {
  return JSON.parse(await readFile(file, 'utf8')) as SpdxDocument;
}

async function assertValid(t: import('node:test').TestContext, file: string): Promise<void> {
  const doc: unknown = JSON.parse(await readFile(file, 'utf8'));
  const { schemaErrors } = await import('./helpers/spdx-validate.js');
  assert.deepEqual(schemaErrors(doc), [], `${path.basename(file)}: JSON schema`);
  if (!requirePythonValidators(t)) return;
  const v = await validateSpdxFile(file);
  assert.deepEqual(v.spdxTools, [], `${path.basename(file)}: ${describeValidation(v)}`);
  assert.equal(v.ntia.conformant, true, `${path.basename(file)}: ${describeValidation(v)}`);
  assert.deepEqual(v.ntia.floating, [], `${path.basename(file)}: every package is reachable from what the document DESCRIBES`);
  assert.deepEqual(v.ntia.problems, [], `${path.basename(file)}: ${describeValidation(v)}`);
}

describe("the repo's own core", () => {
  let dry: DryRunResult;
  before(async () => {
    dry = await releaseDryRun({ cwd: coreDir, outDir: path.join(scratch, 'core'), build: false, rehearsal: false });
  });

  test('release --dry-run writes the three SBOMs and the policy report into the release dir, listed in the signed manifest', async () => {
    const files = (await readdir(dry.files.releaseDir)).sort();
    for (const f of ['sbom.rust.spdx.json', 'sbom.npm.spdx.json', 'sbom.release.spdx.json', 'policy-report.md'])
      assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    const manifest = JSON.parse(await readFile(path.join(dry.files.releaseDir, 'release-manifest.json'), 'utf8')) as {
      files: { path: string; sha256: string }[];
    };
    assert.deepEqual(manifest.files.map((f) => f.path).sort(), [
      'policy-report.md',
      'sbom.npm.spdx.json',
      'sbom.release.spdx.json',
      'sbom.rust.spdx.json',
    ]);
    const sums = await readFile(path.join(dry.files.releaseDir, 'SHA256SUMS'), 'utf8');
    for (const f of manifest.files) assert.ok(sums.includes(`${f.sha256}  ${f.path}\n`), `${f.path} in SHA256SUMS`);
    // verify-manifest ran after: the signature covers the SBOMs, and their hashes check out.
    assert.deepEqual(dry.run.stages.sign?.diagnostics, []);
    assert.deepEqual(dry.run.stages.sbom?.diagnostics, []);
    assert.equal(dry.run.stages.sbom.result.documents.length, 3);
    assert.ok(dry.run.stages.policy, 'the policy stage ran');
    assert.match(await readFile(dry.files.markdown, 'utf8'), /### SBOMs and policy[\s\S]*sbom\.release\.spdx\.json/);
  });

  test('each of the three documents passes the schema, spdx-tools and the NTIA checker', async (t) => {
    for (const f of ['sbom.rust.spdx.json', 'sbom.npm.spdx.json', 'sbom.release.spdx.json'])
      await assertValid(t, path.join(dry.files.releaseDir, f));
  });

  test('the Rust SBOM is the shipped crate graph: napi and the core in it, napi-build marked as a build dependency, no dev-dependencies', async () => {
    const doc = await readDoc(path.join(dry.files.releaseDir, 'sbom.rust.spdx.json'));
    const byName = new Map(doc.packages.map((p) => [p.name, p]));
    const root = doc.relationships.find((r) => r.relationshipType === 'DESCRIBES');
    assert.equal(root?.relatedSpdxElement, byName.get('napi-ship-node')?.SPDXID);
    assert.ok(byName.has('napi') && byName.has('napi-ship-core') && byName.has('object') && byName.has('sha2'));
    const build = byName.get('napi-build');
    assert.match(build?.comment ?? '', /build dependency/);
    assert.ok(
      doc.relationships.some(
        (r) =>
          r.spdxElementId === build?.SPDXID &&
          r.relationshipType === 'BUILD_DEPENDENCY_OF' &&
          r.relatedSpdxElement === byName.get('napi-ship-node')?.SPDXID,
      ),
    );
    assert.ok(!byName.has('proptest'), "napi-ship-core's dev-dependency proptest is not shipped");
    const napi = byName.get('napi');
    assert.match(napi?.checksums?.[0]?.checksumValue ?? '', /^[0-9a-f]{64}$/);
    assert.equal(napi?.downloadLocation, `https://crates.io/api/v1/crates/napi/${napi?.versionInfo ?? ''}/download`);
    // Cargo.lock's checksum, as written there.
    const lock = await readFile(path.join(repoRoot, 'Cargo.lock'), 'utf8');
    assert.ok(
      lock.includes(
        `name = "napi"\nversion = "${napi.versionInfo}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "${napi.checksums?.[0]?.checksumValue ?? ''}"`,
      ),
    );
  });

  test('the release SBOM: tarballs and the .node with three digests, GENERATED_FROM the crate, root DEPENDS_ON / OPTIONAL_DEPENDENCY_OF, external refs with SHA1', async () => {
    const doc = await readDoc(path.join(dry.files.releaseDir, 'sbom.release.spdx.json'));
    const manifest = JSON.parse(await readFile(path.join(dry.files.releaseDir, 'release-manifest.json'), 'utf8')) as {
      packages: { name: string; sha1: string; sha256: string }[];
      binaries: { file: string; sha256: string }[];
    };
    const root = doc.packages.find((p) => p.name === '@napi-ship/core');
    const platform = doc.packages.find((p) => p.name === '@napi-ship/core-linux-x64-gnu');
    const binary = doc.packages.find((p) => p.name === 'napi-ship-core.linux-x64-gnu.node');
    assert.ok(root && platform && binary);
    assert.deepEqual(
      platform.checksums?.map((c) => c.algorithm),
      ['SHA1', 'SHA256', 'SHA512'],
    );
    assert.equal(platform.checksums[1]?.checksumValue, manifest.packages.find((p) => p.name === platform.name)?.sha256);
    assert.equal(binary.checksums?.[1]?.checksumValue, manifest.binaries.find((b) => path.basename(b.file) === binary.name)?.sha256);
    const host = dry.run.stages.verify?.result.targets.find((v) => v.platformArchABI === 'linux-x64-gnu');
    assert.equal(binary.checksums?.[0]?.checksumValue, host?.digests?.sha1, "sha1 is verify's, not a second read");
    const rel = (a: string, type: string, b: string): boolean =>
      doc.relationships.some((r) => r.spdxElementId === a && r.relationshipType === type && r.relatedSpdxElement === b);
    assert.ok(rel(root.SPDXID, 'DEPENDS_ON', platform.SPDXID));
    assert.ok(rel(platform.SPDXID, 'OPTIONAL_DEPENDENCY_OF', root.SPDXID));
    assert.ok(rel(platform.SPDXID, 'CONTAINS', binary.SPDXID));
    assert.ok(rel(binary.SPDXID, 'GENERATED_FROM', 'DocumentRef-rust:SPDXRef-Package-cargo-napi-ship-node-0.1.0'));
    const rustBytes = await readFile(path.join(dry.files.releaseDir, 'sbom.rust.spdx.json'));
    const rustDoc = JSON.parse(rustBytes.toString('utf8')) as SpdxDocument;
    const ref = doc.externalDocumentRefs?.find((r) => r.externalDocumentId === 'DocumentRef-rust');
    assert.equal(ref?.spdxDocument, rustDoc.documentNamespace);
    const { createHash } = await import('node:crypto');
    assert.equal(ref.checksum.checksumValue, createHash('sha1').update(rustBytes).digest('hex'));
  });

  test("`napi-ship sbom --release` over the dry run's release dir gives the same release document, byte for byte", async () => {
    const out = path.join(scratch, 'core-cli');
    const r = await runCli(['sbom', '--cwd', coreDir, '--out', out, '--release', dry.files.releaseDir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { ok: boolean; documents: { kind: string }[] };
    assert.deepEqual(
      json.documents.map((d) => d.kind),
      ['rust', 'npm', 'release'],
    );
    for (const f of ['sbom.rust.spdx.json', 'sbom.npm.spdx.json', 'sbom.release.spdx.json']) {
      assert.equal(await readFile(path.join(out, f), 'utf8'), await readFile(path.join(dry.files.releaseDir, f), 'utf8'), f);
    }
  });

  test("the core's npm SBOM is its root alone (it has no production dependencies); a --release dir without a manifest is exit 3", async () => {
    const npm = await readDoc(path.join(dry.files.releaseDir, 'sbom.npm.spdx.json'));
    assert.deepEqual(
      npm.packages.map((p) => p.name),
      ['@napi-ship/core'],
    );
    const r = await runCli([
      'sbom',
      '--cwd',
      coreDir,
      '--out',
      path.join(scratch, 'core-norelease'),
      '--release',
      path.join(scratch, 'nowhere'),
      '--no-fetch',
    ]);
    // Exit status from the code's class (docs/cli.md): --release naming a dir with no release is
    // NS_SBOM_RELEASE_MISSING, usage (2), no longer 3 as when every thrown error exited 3.
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /NS_SBOM_RELEASE_MISSING/);
  });

  test('determinism: generating twice gives byte-identical documents (SOURCE_DATE_EPOCH sets `created`)', async () => {
    const a = await generateSboms({ rootDir: coreDir, outDir: path.join(scratch, 'det-a'), sourceDateEpoch: Number(EPOCH) });
    const b = await generateSboms({
      rootDir: coreDir,
      outDir: path.join(scratch, 'det-b'),
      env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH },
    });
    for (const [i, d] of a.outcome.result.documents.entries()) {
      const other = b.outcome.result.documents[i];
      assert.ok(other);
      assert.equal(await readFile(d.file, 'utf8'), await readFile(other.file, 'utf8'), path.basename(d.file));
    }
    const doc = await readDoc(a.outcome.result.documents[0]?.file ?? '');
    assert.equal(doc.creationInfo.created, '2023-11-14T22:13:20Z');
    const c = await generateSboms({ rootDir: coreDir, outDir: path.join(scratch, 'det-c'), sourceDateEpoch: Number(EPOCH) + 1 });
    const docC = await readDoc(c.outcome.result.documents[0]?.file ?? '');
    assert.notEqual(docC.documentNamespace, doc.documentNamespace, 'the namespace follows the content');
  });
});

describe('a fixture workspace from real lockfiles (pnpm + cargo), installed from the registries', () => {
  let dir = '';
  let out = '';
  before(async () => {
    dir = path.join(scratch, 'fixture');
    await cp(FIXTURE, dir, { recursive: true });
    await execFileAsync('pnpm', ['install', '--frozen-lockfile', '--ignore-scripts', '--reporter=silent'], {
      cwd: dir,
      timeout: 10 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    out = path.join(scratch, 'fixture-out');
    // The crates come from the local registry cache; readCargoInventory runs `cargo fetch --locked` when they are not there yet.
    await generateSboms({ rootDir: dir, outDir: out, sourceDateEpoch: Number(EPOCH) });
  });

  test('a few hundred crates and npm packages; both documents pass all three validators', async (t) => {
    const rust = await readDoc(path.join(out, 'sbom.rust.spdx.json'));
    const npm = await readDoc(path.join(out, 'sbom.npm.spdx.json'));
    assert.ok(rust.packages.length >= 150, `${rust.packages.length} crates`);
    assert.ok(npm.packages.length >= 250, `${npm.packages.length} npm packages`);
    await assertValid(t, path.join(out, 'sbom.rust.spdx.json'));
    await assertValid(t, path.join(out, 'sbom.npm.spdx.json'));
  });

  test('npm: scoped PURLs encoded, integrity as SHA512 hex, license from the installed package.json, dev dependencies left out', async () => {
    const npm = await readDoc(path.join(out, 'sbom.npm.spdx.json'));
    const babel = npm.packages.find((p) => p.name === '@babel/core');
    assert.equal(babel?.externalRefs?.[0]?.referenceLocator, `pkg:npm/%40babel/core@${babel?.versionInfo ?? ''}`);
    assert.match(babel.checksums?.find((c) => c.algorithm === 'SHA512')?.checksumValue ?? '', /^[0-9a-f]{128}$/);
    assert.equal(babel.licenseDeclared, 'MIT');
    assert.equal(babel.downloadLocation, `https://registry.npmjs.org/@babel/core/-/core-${babel.versionInfo}.tgz`);
    assert.ok(!npm.packages.some((p) => p.name === 'typescript'), 'typescript is a devDependency');
    const express = npm.packages.find((p) => p.name === 'express');
    const root = npm.packages.find((p) => p.name === '@fixture/sbom-addon');
    assert.ok(
      npm.relationships.some(
        (r) => r.spdxElementId === root?.SPDXID && r.relationshipType === 'DEPENDS_ON' && r.relatedSpdxElement === express?.SPDXID,
      ),
    );
    // fsevents is an optional dependency for macOS: locked, not installed here → its license is not guessed.
    const fsevents = npm.packages.find((p) => p.name === 'fsevents');
    assert.equal(fsevents?.licenseDeclared, 'NOASSERTION');
    assert.match(fsevents.comment ?? '', /optional dependency; not installed here/);
    assert.ok(npm.relationships.some((r) => r.spdxElementId === fsevents.SPDXID && r.relationshipType === 'OPTIONAL_DEPENDENCY_OF'));
    // Only installed packages got their license from package.json; every installed one has one here.
    assert.deepEqual(
      npm.packages.filter((p) => p.licenseDeclared === 'NOASSERTION').map((p) => p.name),
      ['fsevents'],
    );
  });

  test('cargo: MIT/Apache-2.0 read as OR, a crate without a license is NOASSERTION, build dependencies marked, target-only crates noted', async () => {
    const rust = await readDoc(path.join(out, 'sbom.rust.spdx.json'));
    const byName = new Map(rust.packages.map((p) => [p.name, p]));
    assert.equal(byName.get('legacy-license')?.licenseDeclared, 'MIT OR Apache-2.0');
    assert.match(byName.get('legacy-license')?.comment ?? '', /declared as "MIT\/Apache-2.0"/);
    assert.equal(byName.get('no-license')?.licenseDeclared, 'NOASSERTION');
    assert.equal(byName.get('target-lexicon')?.licenseDeclared, 'Apache-2.0 WITH LLVM-exception');
    assert.match(byName.get('cc')?.comment ?? '', /build dependency/);
    assert.ok(!byName.has('proptest'), 'dev-dependencies are left out by default');
    assert.ok(
      rust.packages.some((p) => /only in the dependency graph of: .*windows/.test(p.comment ?? '')),
      'windows-only crates say so',
    );
    assert.ok(byName.has('windows-sys'));
  });

  test('--include-dev adds the dev dependencies, marked DEV_DEPENDENCY_OF', async () => {
    const withDev = await readProjectInventories({ rootDir: dir, includeDev: true, fetch: false });
    const proptest = withDev.cargo?.packages.find((p) => p.name === 'proptest');
    assert.equal(proptest?.scope, 'dev');
    assert.equal(withDev.npm.packages.find((p) => p.name === 'typescript')?.scope, 'dev');
    const result = await generateSboms({
      rootDir: dir,
      outDir: path.join(scratch, 'fixture-dev'),
      inventories: withDev,
      sourceDateEpoch: Number(EPOCH),
    });
    const rust = await readDoc(result.outcome.result.documents[0]?.file ?? '');
    const id = rust.packages.find((p) => p.name === 'proptest')?.SPDXID;
    assert.ok(rust.relationships.some((r) => r.spdxElementId === id && r.relationshipType === 'DEV_DEPENDENCY_OF'));
  });

  test('determinism over the fixture: a second run gives the same bytes', async () => {
    const again = path.join(scratch, 'fixture-again');
    await generateSboms({ rootDir: dir, outDir: again, sourceDateEpoch: Number(EPOCH), fetch: false });
    for (const f of ['sbom.rust.spdx.json', 'sbom.npm.spdx.json'])
      assert.equal(await readFile(path.join(again, f), 'utf8'), await readFile(path.join(out, f), 'utf8'), f);
  });
});

describe('CycloneDX and the shipped npm SBOM', () => {
  test('--format cyclonedx writes CycloneDX 1.6 for the crates and the npm packages through cdxgen', async () => {
    const out = path.join(scratch, 'cdx');
    const r = await runCli(['sbom', '--cwd', coreDir, '--out', out, '--format', 'cyclonedx', '--json', '--no-fetch']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await readdir(out)).sort(), ['sbom.npm.cdx.json', 'sbom.rust.cdx.json']);
    const rust = JSON.parse(await readFile(path.join(out, 'sbom.rust.cdx.json'), 'utf8')) as {
      bomFormat: string;
      specVersion: string;
      components: { purl?: string }[];
    };
    assert.equal(rust.bomFormat, 'CycloneDX');
    assert.equal(rust.specVersion, '1.6');
    assert.ok(
      rust.components.some((c) => c.purl?.startsWith('pkg:cargo/napi@') === true),
      'the napi crate is listed',
    );
    const bad = await runCli(['sbom', '--cwd', coreDir, '--format', 'xml']);
    assert.equal(bad.code, 2);
  });

  test('without cdxgen in the project or next to napi-ship: NS_SBOM_CDXGEN_MISSING with the install command', async () => {
    const { cdxgenMissing, resolveCdxgen } = await import('../src/sbom/index.js');
    assert.ok(resolveCdxgen(coreDir), 'found here (a devDependency of napi-ship)');
    const elsewhere = path.join(scratch, 'no-cdxgen');
    await mkdir(elsewhere, { recursive: true });
    assert.equal(resolveCdxgen(elsewhere, path.join(elsewhere, 'self.js')), null);
    const d = cdxgenMissing(elsewhere).diagnostics[0];
    assert.equal(d?.code, 'NS_SBOM_CDXGEN_MISSING');
    assert.match(d.hint, /pnpm add -D @cyclonedx\/cdxgen/);
  });

  test('napiShip.sbom.shipNpmSbom copies the npm SBOM into the root package, and warns when `files` would not pack it', async () => {
    const dir = path.join(scratch, 'ship');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: '@fixture/ship',
        version: '1.0.0',
        license: 'MIT',
        author: 'Fixture Team <team@example.org>',
        files: ['index.js'],
        napiShip: { sbom: { shipNpmSbom: true, organization: 'Fixture Org' } },
      }),
    );
    const r = await runCli(['sbom', '--cwd', dir], { env: { SOURCE_DATE_EPOCH: EPOCH } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no Cargo\.toml/);
    assert.match(r.stderr, /NS_SBOM_NOT_PACKED/);
    const shipped = await readDoc(path.join(dir, 'sbom.spdx.json'));
    assert.equal(
      await readFile(path.join(dir, 'sbom.spdx.json'), 'utf8'),
      await readFile(path.join(dir, 'dist', 'sbom', 'sbom.npm.spdx.json'), 'utf8'),
    );
    assert.deepEqual(shipped.creationInfo.creators, ['Tool: napi-ship-0.1.0', 'Organization: Fixture Org']);
    assert.equal(shipped.packages[0]?.supplier, 'Organization: Fixture Team (team@example.org)', 'the declared author comes first');
  });
});

describe('package-lock.json (npm) and a git dependency (cargo)', () => {
  test('package-lock.json: the production graph, license from node_modules after `npm ci`, and from the lockfile before it', async (t) => {
    const dir = path.join(scratch, 'npm-lock');
    await cp(path.join(FIXTURE, 'npm-lock'), dir, { recursive: true });
    const before = await readNpmInventory({ rootDir: dir });
    const express0 = before.inventory.packages.find((p) => p.name === 'express');
    assert.equal(express0?.installed, false);
    assert.equal(express0.licenseRaw, 'MIT', 'npm records the license in package-lock.json');
    await execFileAsync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      timeout: 10 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const after = await readNpmInventory({ rootDir: dir });
    const names = after.inventory.packages.map((p) => p.name);
    assert.ok(names.includes('@octokit/rest') && names.includes('express') && names.includes('chalk'));
    assert.ok(!names.includes('typescript'));
    assert.equal(after.inventory.packages.find((p) => p.name === 'express')?.installed, true);
    assert.equal(after.inventory.packages.find((p) => p.name === '@octokit/rest')?.purl, 'pkg:npm/%40octokit/rest@21.0.2');
    assert.ok(after.inventory.packages.length > 60, String(after.inventory.packages.length));
    const out = path.join(scratch, 'npm-lock-out');
    await generateSboms({ rootDir: dir, outDir: out, sourceDateEpoch: Number(EPOCH) });
    await assertValid(t, path.join(out, 'sbom.npm.spdx.json'));
  });

  test('a crate from a git repository is recorded with its git source, PURL vcs_url, and no made-up download location', async (t) => {
    const base = path.join(scratch, 'git');
    const dep = path.join(base, 'dep');
    const app = path.join(base, 'app');
    await mkdir(path.join(dep, 'src'), { recursive: true });
    await mkdir(path.join(app, 'src'), { recursive: true });
    await writeFile(
      path.join(dep, 'Cargo.toml'),
      '[package]\nname = "gitdep"\nversion = "0.2.0"\nedition = "2021"\nlicense = "MIT"\nauthors = ["Gitdep Maintainer <gitdep@example.org>"]\n\n[workspace]\n',
    );
    await writeFile(path.join(dep, 'src', 'lib.rs'), 'pub fn x() {}\n');
    const git = (args: string[]): Promise<unknown> =>
      execFileAsync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], { cwd: dep });
    await git(['init', '-q']);
    await git(['add', '.']);
    await git(['commit', '-qm', 'init']);
    const url = `file://${dep}`;
    await writeFile(
      path.join(app, 'Cargo.toml'),
      `[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\nlicense = "MIT"\n\n[lib]\ncrate-type = ["cdylib"]\n\n[dependencies]\ngitdep = { git = "${url}" }\n\n[workspace]\n`,
    );
    await writeFile(path.join(app, 'src', 'lib.rs'), '');
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'git-app', version: '0.1.0', license: 'MIT' }));
    // A local file:// repository: cargo locks and checks it out without the network.
    await execFileAsync('cargo', ['generate-lockfile'], { cwd: app });
    const inv = await readCargoInventory({ manifestPath: path.join(app, 'Cargo.toml') });
    const gitdep = inv.inventory.packages.find((p) => p.name === 'gitdep');
    assert.equal(gitdep?.source.kind, 'git');
    assert.match(gitdep.source.location ?? '', new RegExp(`^git\\+${url.replace(/[/.]/g, '\\$&')}#[0-9a-f]{40}$`));
    assert.match(gitdep.purl, /^pkg:cargo\/gitdep@0\.2\.0\?vcs_url=git%2Bfile%3A%2F%2F.*%40[0-9a-f]{40}$/);
    assert.equal(gitdep.downloadLocation, null, 'a file:// repository is no download location');
    const out = path.join(base, 'out');
    // No packed release here: the two dependency SBOMs only, and a note saying so.
    const cli = await runCli(['sbom', '--cwd', app, '--out', out], { env: { SOURCE_DATE_EPOCH: EPOCH } });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /no packed release given/);
    assert.deepEqual((await readdir(out)).sort(), ['sbom.npm.spdx.json', 'sbom.rust.spdx.json']);
    const doc = await readDoc(path.join(out, 'sbom.rust.spdx.json'));
    const pkg = doc.packages.find((p) => p.name === 'gitdep');
    assert.equal(pkg?.downloadLocation, 'NOASSERTION');
    assert.match(pkg.sourceInfo ?? '', /^git source git\+file:/);
    await assertValid(t, path.join(out, 'sbom.rust.spdx.json'));
  });
});
