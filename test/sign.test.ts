import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from '../src/diagnostics/index.js';
import { DiagnosticError } from '../src/diagnostics/index.js';
import {
  MANIFEST_FILE,
  MANIFEST_SCHEMA,
  serializeManifest,
  SHA256SUMS_FILE,
  SIGNATURE_FILE,
  type ManifestFile,
  type ManifestPackage,
  type ReleaseManifest,
} from '../src/manifest/index.js';
import {
  generateKeyPair,
  keyId,
  loadPrivateKey,
  parsePublicKey,
  PUBLIC_KEY_FILE,
  signManifest,
  SIGNING_KEY_ENV,
  verifyRelease,
} from '../src/sign/index.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { tarball } from '../scripts/lib/tar.js';

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-sign-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Every CLI run of this file, so the last test can check no private key ever leaked into output. */
const outputs: CliResult[] = [];
/** Every private key PEM this file created or used. */
const secrets: string[] = [];

async function cli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  const r = await runCli(args, options);
  outputs.push(r);
  return r;
}

/** The base64 body of a PEM (what is secret about it), without armour and line breaks. */
function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('-----'))
    .join('');
}

/** Every 12-character window of the secret: none may appear in any output. */
function assertNoSecret(text: string, secret: string, what: string): void {
  const body = pemBody(secret) || secret;
  for (let i = 0; i + 12 <= body.length; i += 1) {
    const window = body.slice(i, i + 12);
    assert.ok(!text.includes(window), `${what} contains key material (${JSON.stringify(window)})`);
  }
  // Line-wrapped pieces of the PEM, too.
  for (const line of secret.split('\n'))
    if (line.length >= 12 && !line.startsWith('-----')) assert.ok(!text.includes(line), `${what} contains a line of the key`);
}

function digests(data: Buffer): { size: number; sha1: string; sha256: string; integrity: string } {
  return {
    size: data.length,
    sha1: createHash('sha1').update(data).digest('hex'),
    sha256: createHash('sha256').update(data).digest('hex'),
    integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
  };
}

function fileEntry(file: string, data: Buffer): ManifestFile {
  const { size, sha256, integrity } = digests(data);
  return { path: file, size, sha256, integrity };
}

interface Release {
  readonly dir: string;
  readonly manifest: ReleaseManifest;
  readonly tarballs: readonly string[];
}

let releaseCount = 0;

/** A small release dir: three tarballs (any bytes), one extra file, the manifest and SHA256SUMS. */
async function makeRelease(edit: (m: ReleaseManifest) => ReleaseManifest = (m) => m, at?: string): Promise<Release> {
  releaseCount += 1;
  const dir = at ?? path.join(scratch, `release-${releaseCount}`);
  await mkdir(dir, { recursive: true });
  const specs: { name: string; kind: 'root' | 'platform'; target: string | null; tarball: string }[] = [
    { name: 'demo-addon', kind: 'root', target: null, tarball: 'demo-addon-1.2.3.tgz' },
    { name: '@demo/addon-linux-x64-gnu', kind: 'platform', target: 'linux-x64-gnu', tarball: 'demo-addon-linux-x64-gnu-1.2.3.tgz' },
    { name: '@demo/addon-darwin-arm64', kind: 'platform', target: 'darwin-arm64', tarball: 'demo-addon-darwin-arm64-1.2.3.tgz' },
  ];
  const packages: ManifestPackage[] = [];
  for (const [i, s] of specs.entries()) {
    // A real npm tarball (verify-manifest checks each entry once the signature holds), random inside.
    const data = tarball([
      { name: 'package/package.json', body: JSON.stringify({ name: s.name, version: '1.2.3' }) },
      { name: 'package/data.bin', body: randomBytes(200 + i * 37) },
    ]);
    await writeFile(path.join(dir, s.tarball), data);
    packages.push({ ...s, version: '1.2.3', ...digests(data) });
  }
  const sbom = Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5' }) + '\n');
  await writeFile(path.join(dir, 'sbom.cdx.json'), sbom);
  const files: ManifestFile[] = [fileEntry('sbom.cdx.json', sbom)];
  const manifest = edit({
    schema: MANIFEST_SCHEMA,
    name: 'demo-addon',
    version: '1.2.3',
    source: { commit: null, sourceDateEpoch: 0 },
    tools: { napiShip: '0.1.0', core: '0.1.0', node: process.versions.node },
    packages,
    binaries: [],
    files,
  });
  await writeFile(path.join(dir, MANIFEST_FILE), serializeManifest(manifest));
  const sums = packages.map((p) => `${p.sha256}  ${p.tarball}\n`).join('') + `${files[0]!.sha256}  sbom.cdx.json\n`;
  await writeFile(path.join(dir, SHA256SUMS_FILE), sums);
  return { dir, manifest, tarballs: specs.map((s) => s.tarball) };
}

interface Keys {
  readonly file: string;
  readonly pub: string;
  readonly id: string;
  readonly pem: string;
}

let keyCount = 0;

async function keygen(): Promise<Keys> {
  keyCount += 1;
  const file = path.join(scratch, `key-${keyCount}.pem`);
  const r = await cli(['keygen', '--out', file]);
  assert.equal(r.code, 0, r.stderr);
  const id = /^key id: ([0-9a-f]{16})$/m.exec(r.stdout)?.[1];
  assert.ok(id !== undefined, r.stdout);
  const pem = await readFile(file, 'utf8');
  secrets.push(pem);
  return { file, pub: `${file}.pub`, id, pem };
}

interface VerifyJson {
  ok: boolean;
  diagnostics: Diagnostic[];
}

async function verifyJson(dir: string, pub: string): Promise<{ r: CliResult; out: VerifyJson }> {
  const r = await cli(['verify-manifest', '--dir', dir, '--public-key', pub, '--json']);
  return { r, out: JSON.parse(r.stdout) as VerifyJson };
}

function codes(ds: readonly Diagnostic[]): string[] {
  return ds.filter((d) => d.severity === 'error').map((d) => d.code);
}

describe('keygen', () => {
  test('writes a 0600 PKCS#8 private key and a 0644 SPKI public key, prints only the .pub path and key id', async () => {
    const keys = await keygen();
    assert.equal((await stat(keys.file)).mode & 0o777, 0o600);
    assert.equal((await stat(keys.pub)).mode & 0o777, 0o644);
    assert.match(keys.pem, /^-----BEGIN PRIVATE KEY-----\n/);
    const pubPem = await readFile(keys.pub, 'utf8');
    assert.match(pubPem, /^-----BEGIN PUBLIC KEY-----\n/);
    const expectedId = createHash('sha256')
      .update(parsePublicKey(pubPem, 'pub').export({ type: 'spki', format: 'der' }))
      .digest('hex')
      .slice(0, 16);
    assert.equal(keys.id, expectedId);
    const last = outputs.at(-1)!;
    assert.equal(last.stdout, `public key: ${keys.pub}\nkey id: ${keys.id}\n`);
    assert.equal(last.stderr, '');
  });

  test('refuses to overwrite an existing key unless --force', async () => {
    const keys = await keygen();
    const r = await cli(['keygen', '--out', keys.file]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NS_KEYGEN_EXISTS/);
    assert.equal(await readFile(keys.file, 'utf8'), keys.pem, 'the key must be untouched');
    const forced = await cli(['keygen', '--out', keys.file, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    const replaced = await readFile(keys.file, 'utf8');
    secrets.push(replaced);
    assert.notEqual(replaced, keys.pem);
    assert.equal((await stat(keys.file)).mode & 0o777, 0o600);
  });

  test('--out is required', async () => {
    const r = await cli(['keygen']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--out/);
  });
});

describe('sign and verify-manifest', () => {
  test('keygen → sign → verify-manifest passes', async () => {
    const keys = await keygen();
    const rel = await makeRelease();
    const s = await cli(['sign', '--dir', rel.dir, '--key', keys.file, '--public-key', keys.pub]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, new RegExp(`with key ${keys.id}`));
    const sig = JSON.parse(await readFile(path.join(rel.dir, SIGNATURE_FILE), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(sig), ['algorithm', 'keyId', 'signature']);
    assert.equal(sig.algorithm, 'ed25519');
    assert.equal(sig.keyId, keys.id);
    assert.equal(Buffer.from(String(sig.signature), 'base64').length, 64);
    assert.equal(await readFile(path.join(rel.dir, PUBLIC_KEY_FILE), 'utf8'), await readFile(keys.pub, 'utf8'));

    const text = await cli(['verify-manifest', '--dir', rel.dir, '--public-key', keys.pub]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /verify-manifest passed/);
    const { r, out } = await verifyJson(rel.dir, keys.pub);
    assert.equal(r.code, 0);
    assert.deepEqual(out, { ok: true, diagnostics: [] });
  });

  test('a key file readable by group/others is refused (NS_SIGN_KEY_PERMISSIONS, hint chmod 600)', async () => {
    const keys = await keygen();
    const rel = await makeRelease();
    await chmod(keys.file, 0o644);
    const r = await cli(['sign', '--dir', rel.dir, '--key', keys.file]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NS_SIGN_KEY_PERMISSIONS/);
    assert.match(r.stderr, /chmod 600/);
    await assert.rejects(stat(path.join(rel.dir, SIGNATURE_FILE)), 'nothing may be signed');
    await chmod(keys.file, 0o640);
    assert.match((await cli(['sign', '--dir', rel.dir, '--key', keys.file])).stderr, /NS_SIGN_KEY_PERMISSIONS/);
    await chmod(keys.file, 0o400);
    assert.equal((await cli(['sign', '--dir', rel.dir, '--key', keys.file])).code, 0, 'owner-only read is fine');
  });

  test('a signature by another key fails (NS_MANIFEST_SIGNATURE)', async () => {
    const signer = await keygen();
    const other = await keygen();
    const rel = await makeRelease();
    assert.equal((await cli(['sign', '--dir', rel.dir, '--key', signer.file])).code, 0);
    const { r, out } = await verifyJson(rel.dir, other.pub);
    assert.equal(r.code, 1);
    assert.equal(out.ok, false);
    assert.deepEqual(codes(out.diagnostics), ['NS_MANIFEST_SIGNATURE']);
    const d = out.diagnostics[0]!;
    assert.equal(d.subject, MANIFEST_FILE);
    assert.match(d.expected ?? '', new RegExp(other.id));
    assert.match(d.found ?? '', new RegExp(signer.id));
    assert.ok(d.hint.length > 0);
  });

  test('the manifest edited by one byte fails (NS_MANIFEST_SIGNATURE)', async () => {
    const keys = await keygen();
    const rel = await makeRelease();
    assert.equal((await cli(['sign', '--dir', rel.dir, '--key', keys.file])).code, 0);
    const file = path.join(rel.dir, MANIFEST_FILE);
    const bytes = await readFile(file);
    const at = bytes.indexOf('"version": "1.2.3"') + '"version": "1.2.'.length;
    assert.equal(String.fromCharCode(bytes[at]!), '3');
    bytes[at] = '4'.charCodeAt(0);
    await writeFile(file, bytes);
    const { r, out } = await verifyJson(rel.dir, keys.pub);
    assert.equal(r.code, 1);
    assert.deepEqual(codes(out.diagnostics), ['NS_MANIFEST_SIGNATURE']);
    const text = await cli(['verify-manifest', '--dir', rel.dir, '--public-key', keys.pub]);
    assert.equal(text.code, 1);
    assert.match(text.stderr, /error\[NS_MANIFEST_SIGNATURE\] release-manifest\.json/);
    assert.match(text.stderr, /hint: /);
    assert.match(text.stdout, /verify-manifest failed: 1 error/);
  });

  test('a tarball truncated by one byte fails, naming the file (NS_MANIFEST_HASH_MISMATCH)', async () => {
    const keys = await keygen();
    const rel = await makeRelease();
    assert.equal((await cli(['sign', '--dir', rel.dir, '--key', keys.file])).code, 0);
    const victim = rel.tarballs[1]!;
    const pkg = rel.manifest.packages.find((p) => p.tarball === victim)!;
    await truncate(path.join(rel.dir, victim), pkg.size - 1);
    const { r, out } = await verifyJson(rel.dir, keys.pub);
    assert.equal(r.code, 1);
    assert.deepEqual(codes(out.diagnostics), ['NS_MANIFEST_HASH_MISMATCH']);
    const d = out.diagnostics[0]!;
    assert.equal(d.subject, victim);
    assert.match(d.message, /truncated/);
    assert.match(d.expected ?? '', new RegExp(`^${pkg.size} bytes, sha256 ${pkg.sha256}`));
    assert.match(d.found ?? '', new RegExp(`^${pkg.size - 1} bytes`));
    const text = await cli(['verify-manifest', '--dir', rel.dir, '--public-key', keys.pub]);
    assert.match(text.stderr, new RegExp(`NS_MANIFEST_HASH_MISMATCH\\] ${victim.replaceAll('.', '\\.')}`));
  });

  test('a tarball with the right size but one flipped byte fails', async () => {
    const keys = generateKeyPair();
    const rel = await makeRelease();
    await signManifest(rel.dir, await loadPrivateKey({ env: { [SIGNING_KEY_ENV]: keys.privateKeyPem } }));
    const file = path.join(rel.dir, rel.tarballs[0]!);
    const bytes = await readFile(file);
    bytes[7] = bytes[7]! ^ 0xff;
    await writeFile(file, bytes);
    const ds = await verifyRelease(rel.dir, keys.publicKeyPem);
    assert.deepEqual(codes(ds), ['NS_MANIFEST_HASH_MISMATCH']);
    assert.match(ds[0]!.message, /different content/);
  });

  test('a missing tarball fails (NS_MANIFEST_MISSING_FILE)', async () => {
    const keys = await keygen();
    const rel = await makeRelease();
    assert.equal((await cli(['sign', '--dir', rel.dir, '--key', keys.file])).code, 0);
    await unlink(path.join(rel.dir, rel.tarballs[2]!));
    const { r, out } = await verifyJson(rel.dir, keys.pub);
    assert.equal(r.code, 1);
    assert.deepEqual(codes(out.diagnostics), ['NS_MANIFEST_MISSING_FILE']);
    assert.equal(out.diagnostics[0]!.subject, rel.tarballs[2]);
  });

  test('a missing extra file fails too', async () => {
    const keys = generateKeyPair();
    const rel = await makeRelease();
    await signManifest(rel.dir, await loadPrivateKey({ env: { [SIGNING_KEY_ENV]: keys.privateKeyPem } }));
    await unlink(path.join(rel.dir, 'sbom.cdx.json'));
    const ds = await verifyRelease(rel.dir, keys.publicKeyPem);
    assert.deepEqual(codes(ds), ['NS_MANIFEST_MISSING_FILE']);
    assert.equal(ds[0]!.subject, 'sbom.cdx.json');
  });

  test('SHA256SUMS disagreeing with the manifest fails (NS_MANIFEST_SUMS)', async () => {
    const keys = await keygen();
    const rel = await makeRelease();
    assert.equal((await cli(['sign', '--dir', rel.dir, '--key', keys.file])).code, 0);
    const sumsFile = path.join(rel.dir, SHA256SUMS_FILE);
    const sums = await readFile(sumsFile, 'utf8');
    const pkg = rel.manifest.packages.find((p) => p.tarball === rel.tarballs[0])!;
    const wrong = createHash('sha256').update('something else').digest('hex');
    await writeFile(sumsFile, sums.replace(pkg.sha256, wrong));
    const { r, out } = await verifyJson(rel.dir, keys.pub);
    assert.equal(r.code, 1);
    assert.deepEqual(codes(out.diagnostics), ['NS_MANIFEST_SUMS']);
    assert.equal(out.diagnostics[0]!.subject, pkg.tarball);
    assert.match(out.diagnostics[0]!.expected ?? '', new RegExp(pkg.sha256));
    assert.match(out.diagnostics[0]!.found ?? '', new RegExp(wrong));

    // A tarball left out of SHA256SUMS, and SHA256SUMS missing altogether.
    await writeFile(
      sumsFile,
      sums
        .split('\n')
        .filter((l) => !l.endsWith(pkg.tarball))
        .join('\n'),
    );
    assert.deepEqual(codes((await verifyJson(rel.dir, keys.pub)).out.diagnostics), ['NS_MANIFEST_SUMS']);
    await unlink(sumsFile);
    assert.deepEqual(codes((await verifyJson(rel.dir, keys.pub)).out.diagnostics), ['NS_MANIFEST_SUMS']);
  });

  test('a file SHA256SUMS lists but the manifest does not is a warning, not a failure', async () => {
    const keys = generateKeyPair();
    const rel = await makeRelease();
    await signManifest(rel.dir, await loadPrivateKey({ env: { [SIGNING_KEY_ENV]: keys.privateKeyPem } }));
    const sumsFile = path.join(rel.dir, SHA256SUMS_FILE);
    await writeFile(sumsFile, (await readFile(sumsFile, 'utf8')) + `${'ab'.repeat(32)}  unsigned-extra.tgz\n`);
    const ds = await verifyRelease(rel.dir, keys.publicKeyPem);
    assert.deepEqual(codes(ds), []);
    assert.deepEqual(
      ds.map((d) => [d.code, d.severity, d.subject]),
      [['NS_MANIFEST_SUMS', 'warning', 'unsigned-extra.tgz']],
    );
  });

  test('a ../ or absolute path in the manifest fails and is never opened (NS_MANIFEST_PATH)', async () => {
    const keys = await keygen();
    // A real file just outside the release dir, with the digests the manifest claims: it must still fail.
    const outsideData = Buffer.from('outside the release dir\n');
    const rel = await makeRelease((m) => ({
      ...m,
      files: [...m.files, fileEntry('../outside.txt', outsideData), fileEntry('/etc/hostname', outsideData)],
    }));
    await writeFile(path.join(rel.dir, '..', 'outside.txt'), outsideData);
    assert.equal((await cli(['sign', '--dir', rel.dir, '--key', keys.file])).code, 0);
    const { r, out } = await verifyJson(rel.dir, keys.pub);
    assert.equal(r.code, 1);
    assert.deepEqual(codes(out.diagnostics), ['NS_MANIFEST_PATH', 'NS_MANIFEST_PATH']);
    assert.deepEqual(out.diagnostics.map((d) => d.subject).sort(), ['../outside.txt', '/etc/hostname']);
  });

  test('the private key from NAPI_SHIP_SIGNING_KEY (PEM or base64 of the PEM) works', async () => {
    const keys = await keygen();
    for (const value of [keys.pem, Buffer.from(keys.pem).toString('base64')]) {
      const rel = await makeRelease();
      const s = await cli(['sign', '--dir', rel.dir], { env: { [SIGNING_KEY_ENV]: value } });
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stdout, new RegExp(`with key ${keys.id}`));
      const v = await cli(['verify-manifest', '--dir', rel.dir, '--public-key', keys.pub]);
      assert.equal(v.code, 0, v.stderr);
    }
  });

  test('the default dir is dist/release/packages (where pack writes)', async () => {
    const keys = await keygen();
    const project = path.join(scratch, 'project');
    const rel = await makeRelease(undefined, path.join(project, 'dist', 'release', 'packages'));
    const s = await cli(['sign', '--key', keys.file], { cwd: project });
    assert.equal(s.code, 0, s.stderr);
    assert.ok((await stat(path.join(rel.dir, SIGNATURE_FILE))).isFile());
    assert.equal((await cli(['verify-manifest', '--public-key', keys.pub], { cwd: project })).code, 0);
  });

  test('no key at all, and no manifest, are clear errors', async () => {
    const rel = await makeRelease();
    const r = await cli(['sign', '--dir', rel.dir], { env: { [SIGNING_KEY_ENV]: '' } });
    // Exit status from the code's class (docs/cli.md), no longer 3 for every thrown error: NS_SIGN_NO_KEY is usage (2).
    assert.equal(r.code, 2);
    assert.match(r.stderr, /NS_SIGN_NO_KEY/);
    assert.match(r.stderr, /--key FILE/);
    const keys = generateKeyPair();
    const empty = path.join(scratch, 'empty-release');
    await mkdir(empty);
    const n = await cli(['sign', '--dir', empty], { env: { [SIGNING_KEY_ENV]: keys.privateKeyPem } });
    secrets.push(keys.privateKeyPem);
    // Exit status from the code's class (docs/cli.md), no longer 3 for every thrown error: NS_SIGN_NO_MANIFEST is usage (2).
    assert.equal(n.code, 2);
    assert.match(n.stderr, /NS_SIGN_NO_MANIFEST/);
    await writeFile(path.join(scratch, 'k.pub'), keys.publicKeyPem);
    const v = await cli(['verify-manifest', '--dir', empty, '--public-key', path.join(scratch, 'k.pub')]);
    assert.equal(v.code, 1);
    assert.match(v.stderr, /NS_MANIFEST_MISSING_FILE/);
    assert.equal((await cli(['verify-manifest', '--dir', empty])).code, 2, '--public-key is required');
    const noPub = await cli(['verify-manifest', '--dir', empty, '--public-key', path.join(scratch, 'absent.pub'), '--json']);
    // An unreadable --public-key file is the command line naming a wrong file: NS_SIGN_PUBLIC_KEY is
    // usage (2), not environment (3) as when every thrown error exited 3.
    assert.equal(noPub.code, 2);
    const answer = JSON.parse(noPub.stdout) as VerifyJson;
    assert.equal(answer.ok, false);
    assert.deepEqual(codes(answer.diagnostics), ['NS_SIGN_PUBLIC_KEY']);
  });
});

describe('key material never leaks', () => {
  test('a malformed key file: the error names the file, never its content', async () => {
    const rel = await makeRelease();
    const realPem = generateKeyPair().privateKeyPem;
    const body = pemBody(realPem);
    // Damage the key in the middle so it no longer parses, keeping it PEM-shaped.
    const broken = realPem.replace(body.slice(20, 40), 'A'.repeat(5));
    secrets.push(broken);
    const file = path.join(scratch, 'broken-key.pem');
    await writeFile(file, broken, { mode: 0o600 });
    const r = await cli(['sign', '--dir', rel.dir, '--key', file]);
    // Exit status from the code's class (docs/cli.md), no longer 3 for every thrown error: a malformed --key file is NS_SIGN_KEY_INVALID, usage (2).
    assert.equal(r.code, 2);
    assert.match(r.stderr, /NS_SIGN_KEY_INVALID/);
    assert.ok(r.stderr.includes(file));
    assertNoSecret(r.stderr + r.stdout, broken, 'sign output');

    const error = await loadPrivateKey({ file }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof DiagnosticError);
    assertNoSecret(error.message, broken, 'error message');
    assertNoSecret(JSON.stringify(error.diagnostics), broken, 'diagnostics');
  });

  test('a malformed key in NAPI_SHIP_SIGNING_KEY: the error names the variable, never its content', async () => {
    const rel = await makeRelease();
    const garbage = randomBytes(90).toString('base64');
    const pemGarbage = `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END PRIVATE KEY-----\n`;
    for (const value of [garbage, pemGarbage, 'not a key at all: hunter2-secret-value']) {
      secrets.push(value);
      const r = await cli(['sign', '--dir', rel.dir], { env: { [SIGNING_KEY_ENV]: value } });
      // Exit status from the code's class (docs/cli.md), no longer 3 for every thrown error: NS_SIGN_KEY_INVALID is usage (2).
      assert.equal(r.code, 2);
      assert.match(r.stderr, /NS_SIGN_KEY_INVALID/);
      assert.match(r.stderr, new RegExp(SIGNING_KEY_ENV));
      assertNoSecret(r.stderr + r.stdout, value, 'sign output');
      const error = await loadPrivateKey({ env: { [SIGNING_KEY_ENV]: value } }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(error instanceof DiagnosticError);
      assertNoSecret(error.message + JSON.stringify(error.diagnostics), value, 'error');
    }
  });

  test('a non-Ed25519 key is refused without showing it', async () => {
    const rsa = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    secrets.push(rsa);
    const error = await loadPrivateKey({ env: { [SIGNING_KEY_ENV]: rsa } }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof DiagnosticError);
    assert.equal(error.diagnostics[0]?.code, 'NS_SIGN_KEY_TYPE');
    assertNoSecret(error.message, rsa, 'error');
  });

  test('no private key bytes appear in any output of this file', () => {
    assert.ok(outputs.length > 20);
    assert.ok(secrets.length > 5);
    for (const r of outputs) for (const secret of secrets) assertNoSecret(r.stdout + r.stderr, secret, 'CLI output');
  });
});

describe('library', () => {
  test('signManifest + verifyRelease round-trip; keyId names the public half', async () => {
    const keys = generateKeyPair();
    const key = await loadPrivateKey({ env: { [SIGNING_KEY_ENV]: keys.privateKeyPem } });
    assert.equal(keyId(key), keys.keyId);
    assert.equal(keyId(parsePublicKey(keys.publicKeyPem, 'pub')), keys.keyId);
    const rel = await makeRelease();
    const result = await signManifest(rel.dir, key, { publicKeyPem: keys.publicKeyPem });
    assert.equal(result.keyId, keys.keyId);
    assert.deepEqual(await verifyRelease(rel.dir, keys.publicKeyPem), []);
    const wrong = generateKeyPair();
    await assert.rejects(signManifest(rel.dir, key, { publicKeyPem: wrong.publicKeyPem }), /NS_SIGN_KEY_MISMATCH/);
  });

  test('an unsigned release and a wrong schema are reported', async () => {
    const keys = generateKeyPair();
    const rel = await makeRelease();
    assert.deepEqual(codes(await verifyRelease(rel.dir, keys.publicKeyPem)), ['NS_MANIFEST_SIGNATURE']);
    const manifestFile = path.join(rel.dir, MANIFEST_FILE);
    await writeFile(manifestFile, (await readFile(manifestFile, 'utf8')).replace(MANIFEST_SCHEMA, 'napi-ship.release-manifest/2'));
    await assert.rejects(
      signManifest(rel.dir, await loadPrivateKey({ env: { [SIGNING_KEY_ENV]: keys.privateKeyPem } })),
      /NS_MANIFEST_SCHEMA/,
    );
    assert.deepEqual(codes(await verifyRelease(rel.dir, keys.publicKeyPem)), ['NS_MANIFEST_SIGNATURE', 'NS_MANIFEST_SCHEMA']);
  });
});
