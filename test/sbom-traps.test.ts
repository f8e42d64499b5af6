/**
 * The traps other SBOM generators fall into, one test each: our output avoids it, and (where the
 * official validators check that rule) the bad variant of the same document is caught by them.
 * Plus the pure parts of the readers: Cargo.lock, the cargo graph walk, pnpm-lock.yaml, PURLs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import {
  cargoDownloadLocation,
  cargoPurl,
  IdAllocator,
  integrityDigests,
  inventoryDocument,
  npmPurl,
  parseCargoLock,
  parseCargoMetadata,
  releaseDocument,
  serializeSpdx,
  spdxActor,
  spdxDownloadLocation,
  spdxIdPart,
  spdxTimestamp,
  walkCargoGraph,
  type Inventory,
  type InventoryPackage,
  type SpdxContext,
  type SpdxDocument,
} from '../src/sbom/index.js';
import { pnpmLockGraph } from '../src/sbom/npm.js';
import { filesAnalyzedErrors, ntiaReport, requirePythonValidators, schemaErrors, spdxToolsErrors } from './helpers/spdx-validate.js';

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-sbom-traps-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const CTX: SpdxContext = {
  created: spdxTimestamp(1_700_000_000),
  creators: ['Tool: napi-ship-0.0.0-test', 'Organization: Example'],
  namespaceBase: 'https://spdx.org/spdxdocs/',
  organization: 'Organization: Example',
};

function pkg(p: Partial<InventoryPackage> & Pick<InventoryPackage, 'name' | 'version'>): InventoryPackage {
  const ecosystem = p.ecosystem ?? 'cargo';
  return {
    ecosystem,
    purl: ecosystem === 'cargo' ? cargoPurl(p.name, p.version, null) : npmPurl(p.name, p.version),
    licenseRaw: 'MIT',
    licenseFiles: [],
    source: { kind: 'registry', location: 'registry+https://github.com/rust-lang/crates.io-index' },
    checksum: null,
    supplier: 'Jane Doe <jane@example.org>',
    homepage: null,
    downloadLocation: null,
    scope: 'normal',
    isRoot: false,
    dependsOn: [],
    ...p,
  };
}

/** A small cargo inventory with one package per trap. */
function trapInventory(): Inventory {
  const deps = [
    pkg({
      name: 'a_b',
      version: '1.0.0',
      checksum: 'AC07CDECF99051D9A5238B80F35AF32CDEBA5B336E55D957B318B50137E18DA5',
      downloadLocation: 'registry+https://github.com/rust-lang/crates.io-index',
    }),
    pkg({ name: 'a-b', version: '1.0.0' }),
    pkg({ name: 'legacy', version: '0.1.0+build.7', licenseRaw: 'MIT/Apache-2.0' }),
    pkg({ name: 'custom', version: '2.0.0', licenseRaw: 'SEE LICENSE IN LICENSE.txt' }),
    pkg({ name: 'nolicense', version: '0.3.0', licenseRaw: null }),
    pkg({ name: 'llvm', version: '0.13.0', licenseRaw: 'Apache-2.0 WITH LLVM-exception' }),
  ];
  const root = pkg({
    name: 'addon',
    version: '1.0.0',
    isRoot: true,
    source: { kind: 'path', location: '.' },
    workspaceMember: true,
    dependsOn: deps.map((d) => d.purl),
  });
  return { ecosystem: 'cargo', source: '/x/Cargo.lock', roots: [root.purl], packages: [root, ...deps] };
}

function trapDocument(corrections: SpdxContext['corrections'] = []): SpdxDocument {
  return inventoryDocument(trapInventory(), { ...CTX, corrections }, 'rust').document;
}

let n = 0;
async function toFile(doc: unknown): Promise<string> {
  n += 1;
  const file = path.join(scratch, `doc-${n}.spdx.json`);
  await writeFile(file, JSON.stringify(doc, null, 2));
  return file;
}

/** The document passes all validators; the bad variant (when given) fails spdx-tools with `expected`. */
async function good(t: TestContext, doc: SpdxDocument): Promise<void> {
  assert.deepEqual(schemaErrors(doc), []);
  assert.deepEqual(filesAnalyzedErrors(doc), []);
  if (!requirePythonValidators(t)) return;
  const file = await toFile(doc);
  assert.deepEqual(await spdxToolsErrors(file), []);
  const ntia = await ntiaReport(file);
  assert.equal(ntia.conformant, true, JSON.stringify(ntia));
  assert.deepEqual(ntia.floating, []);
}

async function caught(t: TestContext, bad: unknown, expected: RegExp): Promise<void> {
  if (!requirePythonValidators(t)) return;
  const errors = await spdxToolsErrors(await toFile(bad));
  assert.ok(errors.length > 0, 'spdx-tools reports the bad variant');
  assert.match(errors.join('\n'), expected);
}

function clone(doc: SpdxDocument): Record<string, unknown> & {
  packages: Record<string, unknown>[];
  relationships: Record<string, unknown>[];
  creationInfo: Record<string, unknown>;
} {
  return JSON.parse(JSON.stringify(doc)) as ReturnType<typeof clone>;
}

describe('SPDX traps', () => {
  test('the trap document itself passes the schema, spdx-tools and the NTIA checker', async (t) => {
    await good(t, trapDocument());
  });

  test('`created` has no fractional seconds (and a millisecond timestamp is rejected)', async (t) => {
    assert.equal(spdxTimestamp(1_700_000_000), '2023-11-14T22:13:20Z');
    assert.equal(spdxTimestamp(1_700_000_000.789), '2023-11-14T22:13:20Z');
    const doc = trapDocument();
    assert.match(doc.creationInfo.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const bad = clone(doc);
    bad.creationInfo.created = '2023-11-14T22:13:20.123Z';
    await caught(t, bad, /does not match format/);
  });

  test('SPDXIDs hold only letters, digits, "." and "-", and are unique (a_b and a-b do not collide); `_` is rejected', async (t) => {
    assert.equal(spdxIdPart('@scope/name+x_y'), 'scope-name-x-y');
    const ids = new IdAllocator();
    assert.equal(ids.allocate('Package', 'a_b'), 'SPDXRef-Package-a-b');
    assert.equal(ids.allocate('Package', 'a-b'), 'SPDXRef-Package-a-b-2');
    const doc = trapDocument();
    const all = doc.packages.map((p) => p.SPDXID);
    for (const id of all) assert.match(id, /^SPDXRef-[A-Za-z0-9.-]+$/);
    assert.equal(new Set(all).size, all.length);
    const bad = clone(doc);
    const old = String(bad.packages[1]?.SPDXID);
    const text = JSON.stringify(bad).replaceAll(`"${old}"`, '"SPDXRef-Package-cargo-a_b@1.0.0"');
    await caught(t, JSON.parse(text), /must only contain letters, numbers, "\." and "-"|SPDXRef-Package-cargo-a_b/);
  });

  test('a `registry+https://` source is never a download location (NOASSERTION instead); the bad variant is rejected', async (t) => {
    assert.equal(spdxDownloadLocation('registry+https://github.com/rust-lang/crates.io-index'), 'NOASSERTION');
    assert.equal(spdxDownloadLocation('sparse+https://index.crates.io/'), 'NOASSERTION');
    assert.equal(spdxDownloadLocation('file:///tmp/x'), 'NOASSERTION');
    assert.equal(spdxDownloadLocation('git+https://github.com/o/r@0123abc'), 'git+https://github.com/o/r@0123abc');
    assert.equal(
      cargoDownloadLocation('serde', '1.0.0', 'registry+https://github.com/rust-lang/crates.io-index'),
      'https://crates.io/api/v1/crates/serde/1.0.0/download',
    );
    assert.equal(cargoDownloadLocation('x', '1.0.0', 'registry+https://my.registry/index'), null);
    assert.equal(
      cargoDownloadLocation('x', '1.0.0', 'git+https://github.com/o/r?branch=main#0123abcd'),
      'git+https://github.com/o/r@0123abcd',
    );
    const doc = trapDocument();
    assert.ok(doc.packages.every((p) => !p.downloadLocation.startsWith('registry+')));
    assert.equal(doc.packages.find((p) => p.name === 'a_b')?.downloadLocation, 'NOASSERTION');
    const bad = clone(doc);
    const target = bad.packages.find((p) => p.name === 'a_b');
    if (target) target.downloadLocation = 'registry+https://github.com/rust-lang/crates.io-index';
    await caught(t, bad, /download_location/);
  });

  test('checksum hex is lower case (an upper-case lock checksum is written lower case); upper case is rejected', async (t) => {
    const doc = trapDocument();
    const checksums = doc.packages.flatMap((p) => p.checksums ?? []);
    assert.ok(checksums.length > 0);
    for (const c of checksums) assert.match(c.checksumValue, /^[0-9a-f]+$/);
    assert.deepEqual(integrityDigests('sha512-AAAA sha1-//8='), [
      { algorithm: 'SHA512', hex: '000000' },
      { algorithm: 'SHA1', hex: 'ffff' },
    ]);
    const bad = clone(doc);
    const withSum = bad.packages.find((p) => Array.isArray(p.checksums)) as { checksums: { checksumValue: string }[] } | undefined;
    if (withSum?.checksums[0]) withSum.checksums[0].checksumValue = withSum.checksums[0].checksumValue.toUpperCase();
    await caught(t, bad, /lowercase hexadecimal/);
  });

  test('every LicenseRef- has its hasExtractedLicensingInfos entry; without it the document is rejected', async (t) => {
    const doc = trapDocument();
    const custom = doc.packages.find((p) => p.name === 'custom');
    assert.match(custom?.licenseDeclared ?? '', /^LicenseRef-[A-Za-z0-9.-]+$/);
    assert.deepEqual(
      doc.hasExtractedLicensingInfos?.map((e) => [e.licenseId, e.extractedText]),
      [[custom?.licenseDeclared, 'SEE LICENSE IN LICENSE.txt']],
    );
    const bad = clone(doc);
    delete bad.hasExtractedLicensingInfos;
    await caught(t, bad, /LicenseRef/);
  });

  test('the document DESCRIBES its root; without it the document is rejected', async (t) => {
    const doc = trapDocument();
    const describes = doc.relationships.filter((r) => r.relationshipType === 'DESCRIBES');
    assert.deepEqual(
      describes.map((r) => [r.spdxElementId, r.relatedSpdxElement]),
      [['SPDXRef-DOCUMENT', doc.packages[0]?.SPDXID]],
    );
    assert.equal(doc.packages[0]?.name, 'addon');
    const bad = clone(doc);
    bad.relationships = bad.relationships.filter((r) => r.relationshipType !== 'DESCRIBES');
    await caught(t, bad, /DESCRIBES/);
  });

  test('filesAnalyzed is written false on every package (left out, it defaults to true and then needs files and a verification code)', () => {
    const doc = trapDocument();
    const written = JSON.parse(serializeSpdx(doc)) as { packages: { filesAnalyzed?: unknown }[] };
    assert.ok(written.packages.every((p) => p.filesAnalyzed === false));
    assert.ok(serializeSpdx(doc).includes('"filesAnalyzed": false'));
    const bad = clone(doc);
    for (const p of bad.packages) delete p.filesAnalyzed;
    // spdx-tools accepts this; the SPDX 2.3 rule (clause 7.8, 7.9) is checked by our own helper.
    assert.ok(filesAnalyzedErrors(bad).length > 0);
  });

  test('a correction goes to licenseConcluded with licenseComments; licenseDeclared stays what the package declares', async (t) => {
    const comment = 'Clarified by policy: LICENSE sha256 0123…';
    const doc = trapDocument([{ ecosystem: 'cargo', name: 'nolicense', version: '0.3.0', expression: 'MIT', comment }]);
    const p = doc.packages.find((x) => x.name === 'nolicense');
    assert.equal(p?.licenseDeclared, 'NOASSERTION');
    assert.equal(p.licenseConcluded, 'MIT');
    assert.equal(p.licenseComments, comment);
    const other = doc.packages.find((x) => x.name === 'a-b');
    assert.equal(other?.licenseConcluded, 'NOASSERTION', 'nothing concluded without a correction');
    assert.equal(other.licenseComments, undefined);
    await good(t, doc);
  });

  test('`MIT/Apache-2.0` is read as `MIT OR Apache-2.0` (not one of them); WITH exceptions stay whole', () => {
    const doc = trapDocument();
    assert.equal(doc.packages.find((p) => p.name === 'legacy')?.licenseDeclared, 'MIT OR Apache-2.0');
    assert.equal(doc.packages.find((p) => p.name === 'llvm')?.licenseDeclared, 'Apache-2.0 WITH LLVM-exception');
  });

  test('PURLs: npm scopes percent-encoded, cargo build metadata encoded, non-crates.io sources qualified', () => {
    assert.equal(npmPurl('@scope/name', '1.0.0'), 'pkg:npm/%40scope/name@1.0.0');
    assert.equal(npmPurl('left-pad', '1.3.0'), 'pkg:npm/left-pad@1.3.0');
    assert.equal(
      cargoPurl('legacy', '0.1.0+build.7', 'registry+https://github.com/rust-lang/crates.io-index'),
      'pkg:cargo/legacy@0.1.0%2Bbuild.7',
    );
    assert.equal(
      cargoPurl('x', '1.0.0', 'git+https://github.com/o/r?branch=main#abc'),
      'pkg:cargo/x@1.0.0?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fo%2Fr%40abc',
    );
    assert.equal(
      cargoPurl('x', '1.0.0', 'sparse+https://my.registry/index/'),
      'pkg:cargo/x@1.0.0?repository_url=https%3A%2F%2Fmy.registry%2Findex%2F',
    );
  });

  test('suppliers: a declared author as Person/Organization; none at all is NOASSERTION, which the NTIA checker rejects', async (t) => {
    assert.equal(spdxActor('Josh Stone <cuviper@gmail.com>'), 'Person: Josh Stone (cuviper@gmail.com)');
    assert.equal(spdxActor('The Rust Project Developers'), 'Organization: The Rust Project Developers');
    assert.equal(spdxActor('Barney (the dino) <b@r.com> (http://b.example)'), 'Person: Barney (b@r.com)');
    const inv = trapInventory();
    const orphan = pkg({ name: 'orphan', version: '1.0.0', supplier: null, source: { kind: 'git', location: 'git+file:///tmp/x#abc' } });
    const root = inv.packages[0];
    assert.ok(root);
    const doc = inventoryDocument(
      { ...inv, packages: [{ ...root, dependsOn: [...root.dependsOn, orphan.purl] }, ...inv.packages.slice(1), orphan] },
      CTX,
      'rust',
    );
    assert.deepEqual(doc.noSupplier, ['orphan@1.0.0']);
    if (!requirePythonValidators(t)) return;
    const ntia = await ntiaReport(await toFile(doc.document));
    assert.equal(ntia.conformant, false);
  });

  test('a release document is deterministic and links what it describes', async (t) => {
    const digests = { sha1: 'a'.repeat(40), sha256: 'b'.repeat(64), sha512: 'c'.repeat(128) };
    const input = {
      name: '@x/addon',
      version: '1.0.0',
      binaryLicense: 'MIT',
      packages: [
        {
          name: '@x/addon-linux-x64-gnu',
          version: '1.0.0',
          kind: 'platform' as const,
          target: 'linux-x64-gnu',
          triple: 'x86_64-unknown-linux-gnu',
          tarball: 'x-addon-linux-x64-gnu-1.0.0.tgz',
          digests,
          license: 'MIT',
        },
        {
          name: '@x/addon',
          version: '1.0.0',
          kind: 'root' as const,
          target: null,
          triple: null,
          tarball: 'x-addon-1.0.0.tgz',
          digests,
          license: 'MIT',
        },
      ],
      binaries: [
        {
          target: 'linux-x64-gnu',
          triple: 'x86_64-unknown-linux-gnu',
          package: '@x/addon-linux-x64-gnu',
          file: 'addon.linux-x64-gnu.node',
          digests,
        },
      ],
      rust: {
        id: 'DocumentRef-rust' as const,
        namespace: 'https://spdx.org/spdxdocs/r-1',
        sha1: 'd'.repeat(40),
        rootId: 'SPDXRef-Package-cargo-addon-1.0.0',
      },
      npm: {
        id: 'DocumentRef-npm' as const,
        namespace: 'https://spdx.org/spdxdocs/n-1',
        sha1: 'e'.repeat(40),
        rootId: 'SPDXRef-Package-npm-x-addon-1.0.0',
      },
    };
    const a = serializeSpdx(releaseDocument(input, CTX));
    const b = serializeSpdx(releaseDocument({ ...input, packages: [...input.packages].reverse() }, CTX));
    assert.equal(a, b);
    const doc = JSON.parse(a) as SpdxDocument;
    assert.equal(doc.packages[0]?.name, '@x/addon');
    assert.deepEqual(
      doc.externalDocumentRefs?.map((r) => r.externalDocumentId),
      ['DocumentRef-npm', 'DocumentRef-rust'],
    );
    await good(t, doc);
  });
});

describe('reader internals', () => {
  test('Cargo.lock: v4 checksums per package, v1 checksums from [metadata]', () => {
    const v4 = parseCargoLock(
      'version = 4\n\n[[package]]\nname = "a"\nversion = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "abc"\ndependencies = [\n "b",\n]\n\n[[package]]\nname = "b"\nversion = "0.1.0"\n',
    );
    assert.equal(v4.get('a 1.0.0 registry+https://github.com/rust-lang/crates.io-index')?.checksum, 'abc');
    assert.equal(v4.get('b 0.1.0 ')?.checksum, null);
    const v1 = parseCargoLock(
      '[[package]]\nname = "a"\nversion = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n\n[metadata]\n"checksum a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "def"\n',
    );
    assert.equal(v1.get('a 1.0.0 registry+https://github.com/rust-lang/crates.io-index')?.checksum, 'def');
  });

  test('the cargo graph walk: normal, build-only and dev scopes; dev-dependencies of other workspace members never enter', () => {
    const id = (n: string): string => `registry+https://github.com/rust-lang/crates.io-index#${n}@1.0.0`;
    const p = (n: string): unknown => ({
      id: id(n),
      name: n,
      version: '1.0.0',
      source: 'registry+https://github.com/rust-lang/crates.io-index',
      manifest_path: `/r/${n}/Cargo.toml`,
      license: 'MIT',
      authors: [],
    });
    const dep = (n: string, kind: string | null): unknown => ({ pkg: id(n), dep_kinds: [{ kind, target: null }] });
    const meta = parseCargoMetadata({
      packages: ['root', 'lib', 'shared', 'cc', 'ccdep', 'testonly', 'member', 'memberdev'].map(p),
      workspace_members: [id('root'), id('member')],
      workspace_root: '/r',
      resolve: {
        root: id('root'),
        nodes: [
          { id: id('root'), deps: [dep('lib', null), dep('cc', 'build'), dep('testonly', 'dev'), dep('member', null)] },
          { id: id('lib'), deps: [dep('shared', null)] },
          { id: id('cc'), deps: [dep('ccdep', null), dep('shared', null)] },
          { id: id('member'), deps: [dep('memberdev', 'dev')] },
        ],
      },
    });
    const walk = walkCargoGraph(meta, id('root'), { includeDev: false });
    const scopes = Object.fromEntries([...walk.scopes].map(([k, v]) => [k.split('#')[1]?.split('@')[0] ?? '', v]));
    assert.deepEqual(scopes, { root: 'normal', lib: 'normal', member: 'normal', shared: 'normal', cc: 'build', ccdep: 'build' });
    const withDev = walkCargoGraph(meta, id('root'), { includeDev: true, includeBuild: false });
    const scopes2 = Object.fromEntries([...withDev.scopes].map(([k, v]) => [k.split('#')[1]?.split('@')[0] ?? '', v]));
    assert.deepEqual(scopes2, { root: 'normal', lib: 'normal', member: 'normal', shared: 'normal', testonly: 'dev' });
  });

  test('pnpm-lock.yaml v9: peer suffixes, aliases, optional deps, workspace links and git resolutions', () => {
    const lock = [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies:',
      '      a:',
      '        specifier: ^1.0.0',
      '        version: 1.0.0(peer@2.0.0)',
      '      sw-cjs:',
      '        specifier: npm:string-width@4.2.3',
      '        version: string-width@4.2.3',
      '      ws:',
      '        specifier: workspace:*',
      '        version: link:packages/ws',
      '      gd:',
      '        specifier: github:o/gd',
      '        version: https://codeload.github.com/o/gd/tar.gz/0123',
      '    optionalDependencies:',
      '      fsevents:',
      '        specifier: 2.3.3',
      '        version: 2.3.3',
      '    devDependencies:',
      '      typescript:',
      '        specifier: 5.0.0',
      '        version: 5.0.0',
      '  packages/ws:',
      '    dependencies:',
      "      '@s/b':",
      '        specifier: 3.0.0',
      '        version: 3.0.0',
      'packages:',
      '  a@1.0.0: {resolution: {integrity: sha512-AAAA}}',
      '  peer@2.0.0: {resolution: {integrity: sha512-AAAA}}',
      '  string-width@4.2.3: {resolution: {integrity: sha512-AAAA}}',
      '  fsevents@2.3.3: {resolution: {integrity: sha512-AAAA}}',
      '  typescript@5.0.0: {resolution: {integrity: sha512-AAAA}}',
      "  '@s/b@3.0.0': {resolution: {integrity: sha512-AAAA}}",
      "  gd@https://codeload.github.com/o/gd/tar.gz/0123: {resolution: {type: git, repo: 'https://github.com/o/gd.git', commit: '0123'}, version: 0.4.0}",
      'snapshots:',
      '  a@1.0.0(peer@2.0.0):',
      '    dependencies:',
      '      peer: 2.0.0',
      '  peer@2.0.0: {}',
      '  string-width@4.2.3: {}',
      '  fsevents@2.3.3: {}',
      '  typescript@5.0.0: {}',
      "  '@s/b@3.0.0': {}",
      '  gd@https://codeload.github.com/o/gd/tar.gz/0123: {}',
      '',
    ].join('\n');
    const g = pnpmLockGraph(lock, '/w/pnpm-lock.yaml', '.', { registry: 'https://registry.npmjs.org/', includeDev: false });
    const nodes = [...g.nodes.entries()]
      .filter(([k]) => !k.startsWith('importer:'))
      .map(([, v]) => `${v.name}@${v.version} ${v.source.kind}`)
      .sort();
    assert.deepEqual(nodes, [
      '@s/b@3.0.0 registry',
      'a@1.0.0 registry',
      'fsevents@2.3.3 registry',
      'gd@0.4.0 git',
      'peer@2.0.0 registry',
      'string-width@4.2.3 registry',
    ]);
    const gd = [...g.nodes.values()].find((v) => v.name === 'gd');
    assert.equal(gd?.downloadLocation, 'git+https://github.com/o/gd.git@0123');
    assert.ok(g.nodes.has('importer:packages/ws'), 'the workspace link is followed into its importer');
    const root = g.nodes.get('importer:.');
    assert.deepEqual(root?.deps.map((d) => d.kind).sort(), ['normal', 'normal', 'normal', 'normal', 'optional']);
  });
});
