/**
 * A seeded hostile-release generator for the file layer (issue 14, item 8), and the harness that
 * runs napi-ship's real CLI on each case.
 *
 * From one valid signed release (a fixture napi-rs package, two targets), each case makes a copy and
 * turns it hostile in one seeded way: symlinks out of and inside the release dir, FIFOs in place of
 * the manifest, SHA256SUMS, signature, a tarball or the journal, `/dev/zero` as a key, huge
 * manifests, `../` and absolute tarball paths, names with control characters, newlines and
 * non-UTF-8 bytes, truncated and garbage tarballs, a small gzip bomb, tarballs with `../`,
 * absolute, symlink and hard-link entries, hard links out of the dir, and hostile artifacts dirs for
 * `stage`. Manifests that were changed are signed again (with a new key), so the checks behind the
 * signature are reached. Device nodes need root to make: `/dev/zero` and `/dev/null` are used
 * through paths and symlinks instead.
 *
 * Each case runs `verify-manifest`, `publish` (against a loopback registry that records every PUT
 * and must receive none), `stage --artifacts`, `hash` or `inspect` as fits, and each run must end
 * within its time limit (a hang is a failure), exit non-zero with an `NS_` code, print no stack trace,
 * and never write a raw control character (names are escaped, one diagnostic per line).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { cp, link, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { serializeSignature } from '../../src/sign/index.js';
import { generateKeyPair, keyId } from '../../src/sign/keys.js';
import { mulberry32 } from './prng.js';
import { buildFixtureRelease, type FixtureRelease } from './publish-release.js';
import { repoRoot } from './repo.js';
import { tarball } from './tar.js';

const CLI = path.join(repoRoot, 'bin', 'napi-ship.js');

/** A loopback registry that answers every read with 404, accepts every PUT, and records them. */
export interface RecordingRegistry {
  readonly url: string;
  /** `METHOD path` of every PUT received. */
  readonly puts: string[];
  stop(): Promise<void>;
}

export async function startRecordingRegistry(): Promise<RecordingRegistry> {
  const puts: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'PUT') {
        puts.push(`PUT ${req.url ?? ''}`);
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/`,
    puts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export interface FuzzBase {
  readonly scratch: string;
  readonly release: FixtureRelease;
  /** The release's public key, outside the release dir. */
  readonly publicKey: string;
  /** The artifacts the release was staged from. */
  readonly artifactsDir: string;
  readonly registry: RecordingRegistry;
}

export async function prepareFuzzBase(scratch: string): Promise<FuzzBase> {
  const release = await buildFixtureRelease({ scratch, name: 'fuzz-addon', version: '1.0.0', targets: 2 });
  const publicKey = path.join(scratch, 'release.pub');
  await writeFile(publicKey, release.publicKeyPem);
  const registry = await startRecordingRegistry();
  return { scratch, release, publicKey, artifactsDir: path.join(path.dirname(release.rootDir), 'artifacts'), registry };
}

export interface FuzzRun {
  readonly code: number | null;
  readonly output: string;
  readonly hung: boolean;
  readonly ms: number;
}

/** Run the CLI once, killed after `boundMs` (then `hung`). */
export function runCli(args: readonly (string | Buffer)[], cwd: string, boundMs: number, env: NodeJS.ProcessEnv = {}): Promise<FuzzRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // A Buffer argument (a non-UTF-8 path) goes through as raw bytes: spawn encodes strings as UTF-8, so bash's printf makes them.
    const raw = args.some((a) => Buffer.isBuffer(a));
    const quote = (a: string | Buffer): string =>
      Buffer.isBuffer(a)
        ? `"$(printf '${[...a].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}')"`
        : `'${a.replaceAll("'", "'\\''")}'`;
    const spawnEnv = { ...process.env, NO_COLOR: '1', NPM_TOKEN: '', NODE_AUTH_TOKEN: '', ...env };
    const child = raw
      ? spawn('bash', ['-c', `exec ${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')}`], {
          cwd,
          env: spawnEnv,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(process.execPath, [CLI, ...args.map(String)], { cwd, env: spawnEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let hung = false;
    child.stdout.setEncoding('latin1').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('latin1').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, boundMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, hung, ms: Date.now() - started });
    });
  });
}

/** Why a run is not "a typed error within its bound" (empty: it is). */
export function typedErrorProblems(r: FuzzRun): string[] {
  const problems: string[] = [];
  if (r.hung) problems.push(`hung (killed after ${String(r.ms)} ms)`);
  else if (r.code === 0) problems.push('exit 0 on a hostile input');
  if (!/\bNS_[A-Z0-9_]+\b/.test(r.output)) problems.push('no NS_ code in the output');
  if (/^\s+at .+:\d+:\d+\)?$/m.test(r.output)) problems.push('a stack trace reached the user');
  if (/\b(RangeError|TypeError|SyntaxError|ReferenceError)\b|\bE[A-Z]{2,}: /.test(r.output))
    problems.push('a raw JS or errno error reached the user');
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(r.output)) problems.push('a raw control character in the output');
  return problems;
}

export interface FuzzCommand {
  readonly args: readonly (string | Buffer)[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** This run talks to the recording registry: it must send no PUT. */
  readonly publish?: boolean;
}

export interface FuzzCase {
  readonly seed: number;
  readonly kind: string;
  readonly detail: string;
  readonly commands: readonly FuzzCommand[];
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

interface Release {
  readonly dir: string;
  manifest: Record<string, unknown>;
  packages: {
    name: string;
    version: string;
    kind: string;
    tarball: string;
    sha256: string;
    integrity: string;
    sha1: string;
    size: number;
  }[];
}

async function copyRelease(base: FuzzBase, dir: string): Promise<Release> {
  await cp(base.release.releaseDir, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(dir, 'release-manifest.json'), 'utf8')) as Record<string, unknown>;
  return { dir, manifest, packages: manifest.packages as Release['packages'] };
}

/** Write the manifest (and SHA256SUMS) back and sign it with a new key; returns that key's public file. */
async function resign(r: Release, manifestText?: string): Promise<string> {
  const text = manifestText ?? JSON.stringify(r.manifest, null, 2) + '\n';
  await writeFile(path.join(r.dir, 'release-manifest.json'), text);
  await writeFile(
    path.join(r.dir, 'SHA256SUMS'),
    r.packages
      .filter((p) => typeof p.sha256 === 'string' && typeof p.tarball === 'string' && !p.tarball.includes('\n'))
      .map((p) => `${p.sha256}  ${p.tarball}\n`)
      .join(''),
  );
  const pair = generateKeyPair();
  const key = createPrivateKey(pair.privateKeyPem);
  const signature = sign(null, Buffer.from(text), key).toString('base64');
  await writeFile(
    path.join(r.dir, 'release-manifest.json.sig'),
    serializeSignature({ algorithm: 'ed25519', keyId: keyId(key), signature }),
  );
  await writeFile(path.join(r.dir, 'release-manifest.pub'), pair.publicKeyPem);
  const pub = `${r.dir}.pub`;
  await writeFile(pub, pair.publicKeyPem);
  return pub;
}

/** Give a package new tarball bytes and the manifest the digests of them. */
function setTarball(r: Release, index: number, bytes: Buffer): void {
  const p = r.packages[index];
  if (p === undefined) return;
  p.size = bytes.length;
  p.sha256 = createHash('sha256').update(bytes).digest('hex');
  p.sha1 = createHash('sha1').update(bytes).digest('hex');
  p.integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/** The commands a hostile release dir must fail: verify-manifest and publish (no PUT). */
function releaseCommands(dir: string, pub: string, registry: string, cwd: string, extra: readonly string[] = []): FuzzCommand[] {
  return [
    { args: ['verify-manifest', '--release-dir', dir, '--public-key', pub, ...extra] },
    {
      args: ['publish', '--release-dir', dir, '--registry', registry, '--public-key', pub, '--read-back-timeout', '2', ...extra],
      cwd,
      publish: true,
    },
  ];
}

export const KINDS = [
  'symlink-out',
  'symlink-in',
  'fifo',
  'dev-zero',
  'huge-manifest',
  'path-trick',
  'odd-name',
  'garbage-tarball',
  'gzip-bomb',
  'hostile-entries',
  'hard-link-out',
  'journal',
  'stage-artifacts',
] as const;

export type FuzzKind = (typeof KINDS)[number];

/** The hostile case of `seed` (of kind `only`, else drawn from the seed), built under `dir`. */
export async function makeCase(base: FuzzBase, seed: number, dir: string, only?: FuzzKind): Promise<FuzzCase> {
  const random = mulberry32(seed);
  const drawn = pick(random, KINDS);
  const kind = only ?? drawn;
  await mkdir(dir, { recursive: true });
  // Tokens for the recording registry only (a project .npmrc, as a maintainer would have).
  const host = new URL(base.registry.url).host;
  await writeFile(path.join(dir, '.npmrc'), `registry=${base.registry.url}\n//${host}/:_authToken=fuzz-token\n`);
  const r = await copyRelease(base, path.join(dir, 'release'));
  const index = Math.floor(random() * r.packages.length);
  const target = r.packages[index];
  if (target === undefined) throw new Error('the base release has no packages');
  const tgz = path.join(r.dir, target.tarball);
  const outside = path.join(dir, 'outside');
  await writeFile(outside, 'not yours\n');
  const cmds = (pub = base.publicKey): FuzzCommand[] => releaseCommands(r.dir, pub, base.registry.url, dir);
  const done = (detail: string, commands: FuzzCommand[]): FuzzCase => ({ seed, kind, detail, commands });

  switch (kind) {
    case 'symlink-out': {
      const to = pick(random, ['/etc/passwd', outside, base.release.releaseDir, '/dev/zero']);
      const which = pick(random, [target.tarball, 'release-manifest.json', 'SHA256SUMS', 'release-manifest.json.sig']);
      await rm(path.join(r.dir, which), { force: true });
      await symlink(to, path.join(r.dir, which));
      const file = path.join(r.dir, which);
      // hash follows a link the user names (as sha256sum does): it must fail only where the link leads to no regular file.
      const hash: FuzzCommand[] = to === '/dev/zero' || to === base.release.releaseDir ? [{ args: ['hash', file] }] : [];
      return done(`${which} -> ${to}`, [...cmds(), ...hash, { args: ['inspect', file] }]);
    }
    case 'symlink-in': {
      const which = pick(random, [target.tarball, 'release-manifest.json', 'SHA256SUMS']);
      const other = pick(random, r.packages.map((p) => p.tarball).concat(['release-manifest.pub']));
      await rm(path.join(r.dir, which), { force: true });
      await symlink(other, path.join(r.dir, which));
      return done(`${which} -> ./${other}`, cmds());
    }
    case 'fifo': {
      const which = pick(random, [target.tarball, 'release-manifest.json', 'SHA256SUMS', 'release-manifest.json.sig']);
      const file = path.join(r.dir, which);
      await rm(file, { force: true });
      execFileSync('mkfifo', [file]);
      const more: FuzzCommand[] = which === target.tarball ? [{ args: ['hash', file] }, { args: ['inspect', file] }] : [];
      return done(`${which} is a FIFO`, [...cmds(), ...more]);
    }
    case 'dev-zero': {
      const dev = pick(random, ['/dev/zero', '/dev/null', '/dev/urandom']);
      return done(`--public-key ${dev}, hash/inspect ${dev}`, [...cmds(dev), { args: ['hash', dev] }, { args: ['inspect', dev] }]);
    }
    case 'huge-manifest': {
      const n = 20_000 + Math.floor(random() * 300_000);
      const entry = JSON.stringify(target);
      const text = `{"schema":${JSON.stringify(r.manifest.schema)},"name":${JSON.stringify(r.manifest.name)},"version":"1.0.0","packages":[${Array.from({ length: n }, () => entry).join(',')}],"binaries":[],"files":[]}\n`;
      const pub = await resign(r, text);
      return done(`${String(n)} package entries (${String(text.length)} bytes)`, cmds(pub));
    }
    case 'path-trick': {
      const trick = pick(random, [
        '../outside',
        '/etc/passwd',
        'sub/../../outside',
        '..',
        '.',
        `${r.dir}/${target.tarball}`,
        'a/b.tgz',
        '',
      ]);
      target.tarball = trick;
      const pub = await resign(r);
      return done(`tarball "${trick}"`, cmds(pub));
    }
    case 'odd-name': {
      const odd = pick(random, ['x\ny.tgz', 'x\ry.tgz', 'esc\u001b[31mred.tgz', 'bell\u0007.tgz', 'nul-free\u007f.tgz', 'tab\t.tgz']);
      await cp(tgz, path.join(r.dir, odd));
      target.tarball = odd;
      const pub = await resign(r);
      // A non-UTF-8 name (bytes 0xff 0xfe), given to hash and inspect as raw bytes.
      const raw = Buffer.concat([Buffer.from(dir + '/'), Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x0a]), Buffer.from('.node')]);
      const rawPath = pick(random, ['file', 'dir']);
      if (rawPath === 'file') await writeFile(raw, 'garbage');
      else await mkdir(raw);
      return done(`tarball ${JSON.stringify(odd)}; a ${rawPath} with a non-UTF-8 name`, [
        ...cmds(pub),
        { args: ['hash', raw] },
        { args: ['inspect', raw] },
      ]);
    }
    case 'garbage-tarball': {
      const original = await readFile(tgz);
      const how = pick(random, ['truncated', 'random bytes', 'not gzip', 'empty', 'gzip of garbage']);
      const bytes =
        how === 'truncated'
          ? original.subarray(0, Math.floor(random() * original.length))
          : how === 'random bytes'
            ? Buffer.from(Array.from({ length: 1 + Math.floor(random() * 4096) }, () => Math.floor(random() * 256)))
            : how === 'not gzip'
              ? Buffer.from('{"name":"not a tarball"}\n')
              : how === 'empty'
                ? Buffer.alloc(0)
                : gzipSync(Buffer.from(Array.from({ length: 3000 }, () => Math.floor(random() * 256))));
      await writeFile(tgz, bytes);
      setTarball(r, index, bytes);
      const pub = await resign(r);
      return done(`${target.tarball}: ${how} (${String(bytes.length)} bytes)`, cmds(pub));
    }
    case 'gzip-bomb': {
      // 256 MiB of zeros in a ~250 KiB gzip, as the root tarball (inflated only behind a cap, after the signature).
      const rootIndex = r.packages.findIndex((p) => p.kind === 'root');
      const root = r.packages[rootIndex];
      if (root === undefined) throw new Error('no root');
      const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
      await writeFile(path.join(r.dir, root.tarball), bomb);
      setTarball(r, rootIndex, bomb);
      const pub = await resign(r);
      return done(`root tarball: ${String(bomb.length)}-byte gzip of 256 MiB of zeros`, cmds(pub));
    }
    case 'hostile-entries': {
      const pkgJson = JSON.stringify({ name: target.name, version: target.version });
      const entry = pick(random, [
        { name: 'package/../../escape.js', body: 'x' },
        { name: '/etc/cron.d/x', body: 'x' },
        { name: 'package/link', type: '2', link: '/etc/passwd' },
        { name: 'package/hard', type: '1', link: '/etc/passwd' },
        { name: 'other/file.js', body: 'x' },
        { name: 'package/dev', type: '3' },
      ]);
      const withJson = random() < 0.7;
      const entries = [...(withJson ? [{ name: 'package/package.json', body: pkgJson }] : []), entry];
      const bytes = tarball(entries);
      await writeFile(tgz, bytes);
      setTarball(r, index, bytes);
      const pub = await resign(r);
      return done(`${target.tarball}: entry ${entry.name}${withJson ? '' : ', no package/package.json'}`, cmds(pub));
    }
    case 'hard-link-out': {
      await rm(tgz, { force: true });
      await link(outside, tgz);
      return done(`${target.tarball} is a hard link to a file outside`, cmds());
    }
    case 'journal': {
      const journal = path.join(r.dir, 'publish-journal.jsonl');
      // (A journal of garbage lines is not hostile: its records are skipped, and a resume with no run recorded simply starts.)
      const how = pick(random, ['symlink out', 'directory', 'FIFO']);
      if (how === 'symlink out') await symlink(outside, journal);
      else if (how === 'directory') await mkdir(journal);
      else execFileSync('mkfifo', [journal]);
      const publish = releaseCommands(r.dir, base.publicKey, base.registry.url, dir, ['--resume']).filter((c) => c.publish === true);
      return done(`the journal is a ${how}`, publish);
    }
    case 'stage-artifacts': {
      const artifacts = path.join(dir, 'artifacts');
      const root = path.join(dir, 'root');
      await cp(base.release.rootDir, root, { recursive: true });
      await mkdir(artifacts, { recursive: true });
      const binary = path.join(artifacts, `addon.${pick(random, ['linux-x64-gnu', 'darwin-x64'])}.node`);
      const how = pick(random, ['symlink to /etc/passwd', 'symlink to a real binary', 'FIFO', 'directory', 'symlinked dir', 'odd name']);
      const real = path.join(base.artifactsDir, (await readdir(base.artifactsDir))[0] ?? '');
      if (how === 'symlink to /etc/passwd') await symlink('/etc/passwd', binary);
      else if (how === 'symlink to a real binary') await symlink(real, binary);
      else if (how === 'FIFO') execFileSync('mkfifo', [binary]);
      else if (how === 'directory') await mkdir(binary);
      else if (how === 'symlinked dir') await symlink(real, path.join(artifacts, 'bindings-x'));
      else await writeFile(path.join(artifacts, 'addon.linux-x64-gnu\n\u001b[2J.node'), 'x');
      return done(`stage --artifacts: ${how}`, [{ args: ['stage', '--cwd', root, '--artifacts', artifacts] }]);
    }
  }
}

export interface CaseResult {
  readonly fuzzCase: FuzzCase;
  /** One line per failing run: the command and what was wrong. */
  readonly failures: readonly string[];
  readonly runs: number;
}

/** Run every command of a case; `boundMs` per run. */
export async function runCase(base: FuzzBase, c: FuzzCase, boundMs: number): Promise<CaseResult> {
  const failures: string[] = [];
  for (const cmd of c.commands) {
    const before = base.registry.puts.length;
    const r = await runCli(cmd.args, cmd.cwd ?? base.scratch, boundMs, {
      npm_config_userconfig: path.join(base.scratch, 'no-user-npmrc'),
      ...cmd.env,
    });
    const problems = typedErrorProblems(r);
    if (cmd.publish === true && base.registry.puts.length > before)
      problems.push(`the registry received ${base.registry.puts.slice(before).join(', ')}`);
    const shown = cmd.args.map((a) => (Buffer.isBuffer(a) ? `<bytes ${a.toString('hex')}>` : JSON.stringify(a))).join(' ');
    if (problems.length > 0) failures.push(`${shown}: ${problems.join('; ')}\n    output: ${JSON.stringify(r.output.slice(-600))}`);
  }
  return { fuzzCase: c, failures, runs: c.commands.length };
}
