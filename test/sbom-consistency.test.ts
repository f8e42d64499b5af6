/**
 * One project, two ways to its SBOMs, one answer: the release dry run's SBOM stage, and a maintainer
 * running `napi-ship stage`, `pack` and `sbom` by hand, describe the same graph — the same packages
 * (names, versions, PURLs, checksums, licenses declared and concluded) and the same relationships —
 * up to the creation time and the namespace. The project: a napi-rs crate (napi 3, napi-derive,
 * napi-build; Cargo.lock resolved offline from the local cargo cache), an npm lockfile with
 * production dependencies, and a policy whose `clarify` entry corrects a crate's license (the
 * dry run writes it into `licenseConcluded`; so must the standalone run).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { releaseDryRun, type DryRunResult } from '../src/release/dry-run.js';
import { readProjectInventories, type SpdxDocument } from '../src/sbom/index.js';
import { runCli } from './helpers/cli.js';
import { buildFixtures } from '../scripts/lib/fixtures.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';

const run = promisify(execFile);
const EPOCH = '1700000000';
const DOCS = ['sbom.rust.spdx.json', 'sbom.npm.spdx.json', 'sbom.release.spdx.json'];

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-sbom-same-'));
});
after(async () => {
  if (process.env.KEEP_SCRATCH !== '1') await rm(scratch, { recursive: true, force: true });
});

async function writeProject(dir: string): Promise<string> {
  await writeRootPackage(dir, { name: '@fixture/same', binaryName: 'same', targets: ['x86_64-unknown-linux-gnu'] });
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await writeFile(
    path.join(dir, 'Cargo.toml'),
    [
      '[package]',
      'name = "same-addon"',
      'version = "0.1.0"',
      'edition = "2021"',
      'license = "MIT"',
      'authors = ["Fixture Maintainers <fixtures@example.org>"]',
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
    ].join('\n'),
  );
  await writeFile(path.join(dir, 'build.rs'), 'fn main() {\n  napi_build::setup();\n}\n');
  await writeFile(path.join(dir, 'src', 'lib.rs'), 'use napi_derive::napi;\n\n#[napi]\npub fn plus_one(x: u32) -> u32 {\n  x + 1\n}\n');
  await run('cargo', ['generate-lockfile', '--offline', '--manifest-path', path.join(dir, 'Cargo.toml')], { env: process.env });

  const deps = { 'ok-thing': '2.1.0', 'other-thing': '1.0.0' };
  const file = path.join(dir, 'package.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(
    file,
    JSON.stringify({ ...manifest, author: 'Fixture Maintainers <fixtures@example.org>', dependencies: deps }, null, 2) + '\n',
  );
  const entry = (name: string, version: string, license: string): Record<string, unknown> => ({
    version,
    resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`,
    integrity: `sha512-${Buffer.from(name.padEnd(64, '.')).toString('base64')}`,
    license,
  });
  await writeFile(
    path.join(dir, 'package-lock.json'),
    JSON.stringify(
      {
        name: '@fixture/same',
        version: '1.2.3',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: '@fixture/same', version: '1.2.3', license: 'MIT', dependencies: deps },
          'node_modules/ok-thing': entry('ok-thing', '2.1.0', 'MIT'),
          'node_modules/other-thing': entry('other-thing', '1.0.0', 'ISC'),
        },
      },
      null,
      2,
    ) + '\n',
  );

  // A clarification that holds (its license file hashes as recorded): the SBOMs conclude it.
  const inventories = await readProjectInventories({ rootDir: dir, fetch: false });
  const clarified = inventories.cargo?.packages.find(
    (p) => !p.isRoot && p.licenseFiles.length > 0 && p.licenseRaw?.includes('MIT') === true,
  );
  assert.ok(clarified !== undefined, 'a crate that ships its license files');
  const withPolicy = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  withPolicy.napiShip = {
    policy: {
      licenses: {
        allow: ['MIT', 'Apache-2.0', 'ISC', 'Unicode-3.0'],
        clarify: [
          {
            name: clarified.name,
            ecosystem: 'cargo',
            expression: 'MIT',
            licenseFiles: clarified.licenseFiles.map((f) => ({ path: f.path, sha256: f.sha256 })),
          },
        ],
      },
    },
  };
  await writeFile(file, JSON.stringify(withPolicy, null, 2) + '\n');
  return clarified.name;
}

/** The document without what may differ between two runs of the same graph: creation time, namespaces. */
function comparable(doc: SpdxDocument): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown> & { creationInfo: Record<string, unknown> };
  delete copy.documentNamespace;
  delete copy.creationInfo.created;
  copy.externalDocumentRefs = (doc.externalDocumentRefs ?? []).map((r) => r.externalDocumentId);
  return copy;
}

describe('the dry run and stage → pack → sbom by hand', () => {
  let dir = '';
  let dry: DryRunResult;
  let byHand = '';
  let clarified = '';
  before(async () => {
    const fixtures = await buildFixtures();
    dir = path.join(scratch, 'project');
    clarified = await writeProject(dir);
    await copyFile(fixtures.fixtures['linux-x64-gnu'].path, path.join(dir, 'same.linux-x64-gnu.node'));
    // Both runs pack with the same mtime (SOURCE_DATE_EPOCH), as CI would.
    process.env.SOURCE_DATE_EPOCH = EPOCH;
    dry = await releaseDryRun({ cwd: dir, outDir: path.join(scratch, 'dry'), build: false, rehearsal: false, load: false });
    for (const args of [['stage'], ['pack']]) {
      const r = await runCli([...args, '--cwd', dir], { env: { SOURCE_DATE_EPOCH: EPOCH } });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    }
    byHand = path.join(scratch, 'by-hand');
    const r = await runCli(['sbom', '--cwd', dir, '--out', byHand, '--json'], { env: { SOURCE_DATE_EPOCH: EPOCH } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  test('the same three documents: packages and relationships, licenses concluded by the policy, up to time and namespace', async () => {
    assert.deepEqual(
      dry.run.stages.sbom?.diagnostics.filter((d) => d.severity !== 'note'),
      [],
    );
    assert.equal(dry.run.stages.policy?.ok, true);
    for (const name of DOCS) {
      const a = JSON.parse(await readFile(path.join(dry.files.releaseDir, name), 'utf8')) as SpdxDocument;
      const b = JSON.parse(await readFile(path.join(byHand, name), 'utf8')) as SpdxDocument;
      assert.ok(a.packages.length >= 3, `${name}: ${String(a.packages.length)} packages`);
      assert.deepEqual(comparable(b), comparable(a), name);
    }
    const rust = JSON.parse(await readFile(path.join(byHand, 'sbom.rust.spdx.json'), 'utf8')) as SpdxDocument;
    const corrected = rust.packages.find((p) => p.name === clarified);
    assert.equal(corrected?.licenseConcluded, 'MIT');
    assert.match(corrected.licenseComments ?? '', /clarification/);
  });
});
