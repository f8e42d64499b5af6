/**
 * The real-release corpus: published releases of real napi-rs projects, fetched from the npm
 * registry at test time (cached under `.cache/corpus/`), laid out as a CI run leaves them
 * (`artifacts/bindings-<triple>/<binary>` as actions/download-artifact does, the committed WASI
 * loader files in the package root), then staged and verified exactly as a maintainer would.
 *
 * - zero false alarms: stage and verify report no error and no warning on binaries the projects'
 *   own CI built and shipped (findings about the releases themselves are listed in FINDINGS);
 * - every generated platform package.json equals the published one on name, version, os, cpu,
 *   libc, main and files;
 * - for every release, planted faults (libc swap, arch swap, OS swap, format swap, missing target,
 *   truncated binary, truncated wasm) are each caught, on the target they were planted in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Diagnostic } from '../src/diagnostics/index.js';
import { loadPlan, type ReleasePlan } from '../src/plan/index.js';
import { stagePackages } from '../src/stage/index.js';
import { verifyRelease } from '../src/verify/index.js';
import { resolvePolicy } from '../src/verify/policy.js';
import { compressTar } from '../src/pack/tarball.js';
import { gunzipSync } from 'node:zlib';
import { corpusCache, manifest, tarball, unpack, type PublishedManifest } from './helpers/corpus.js';

interface Release {
  readonly name: string;
  readonly version: string;
  /** What this release brings to the corpus. */
  readonly why: string;
  /**
   * Fields of a published platform package.json that an older @napi-rs/cli wrote differently from
   * the 3.10 napi-ship follows: platformArchABI → field → why. They are not compared.
   */
  readonly olderCli?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** The corpus: small binaries, every platform package of the configured targets published. */
export const RELEASES: readonly Release[] = [
  {
    name: 'snappy',
    version: '7.4.3',
    why: 'wrapper main (main.js → index.js); packageName @napi-rs/snappy; arm-linux-androideabi; riscv64, s390x, ppc64le; OpenHarmony; WASI',
    olderCli: {
      'wasm32-wasi': {
        cpu: 'published with @napi-rs/cli ^3.8.6, which wrote no cpu for WASI; 3.10 writes ["wasm32"] next to native targets',
      },
    },
  },
  { name: '@node-rs/crc32', version: '1.7.2', why: 'napi-rs v2 config (napi.name, triples.defaults + additional)' },
  { name: '@node-rs/xxhash', version: '1.4.2', why: 'napi-rs v2 config; android, freebsd, armv7' },
  { name: '@node-rs/xxhash', version: '1.7.6', why: 'napi-rs v3 config with wasm32-wasip1-threads' },
  { name: '@node-rs/crc32', version: '1.10.6', why: 'napi-rs v3, fourteen targets, WASI' },
  { name: '@node-rs/bcrypt', version: '1.10.7', why: 'napi-rs v3, WASI with napi.wasm.browser options' },
  { name: '@node-rs/argon2', version: '2.0.2', why: 'napi-rs v3, WASI, win32 ia32/arm64' },
  { name: '@napi-rs/lzma', version: '1.4.5', why: 'no main: the loader is reached through the exports map; seventeen targets with WASI' },
  { name: '@napi-rs/uuid', version: '0.2.2', why: 'napi-rs v2 config whose triples has only `additional` (v2 still shipped its defaults)' },
  {
    name: '@ast-grep/napi',
    version: '0.51.2',
    why: 'napi.targets spells one triple with Node’s CPU name (x64-unknown-linux-musl), which napi-rs reads as linux-x64-musl',
  },
];

/**
 * Findings about the published releases themselves (not false alarms): diagnostics that are right.
 * Keyed `<name>@<version> <code> <platformArchABI>`.
 */
const FINDINGS: ReadonlySet<string> = new Set<string>([
  // linux-riscv64-gnu binaries built against glibc 2.34 (dlopen, dlsym, pthread_create…@GLIBC_2.34,
  // stat64/fstat64@GLIBC_2.33, gettid@GLIBC_2.30): they do not load on Debian 11 / Ubuntu 20.04 riscv64,
  // while engines.node (>= 10) promises the oldest systems; riscv64 glibc itself starts at 2.27.
  'snappy@7.4.3 NS_VERIFY_GLIBC_CEILING linux-riscv64-gnu',
  '@napi-rs/lzma@1.4.5 NS_VERIFY_GLIBC_CEILING linux-riscv64-gnu',
  // linux-arm-gnueabihf: __cxa_thread_atexit_impl@GLIBC_2.18 (a weak reference, but its version need
  // is not marked weak, so ld.so refuses glibc 2.17), while engines.node >= 10 allows glibc 2.17 systems.
  '@node-rs/crc32@1.7.2 NS_VERIFY_GLIBC_CEILING linux-arm-gnueabihf',
  '@node-rs/xxhash@1.4.2 NS_VERIFY_GLIBC_CEILING linux-arm-gnueabihf',
  // linux-arm-gnueabihf: statx@GLIBC_2.28 and getrandom@GLIBC_2.25 (weak references, version needs not weak).
  '@napi-rs/uuid@0.2.2 NS_VERIFY_GLIBC_CEILING linux-arm-gnueabihf',
  // No repository in the root package.json: the platform packages have none either (npm provenance needs it).
  '@napi-rs/uuid@0.2.2 NS_STAGE_REPOSITORY_URL ',
  // index.js compares every platform package with '1.4.4' (23 `bindingPackageVersion !== '1.4.4'` checks
  // and `expected 1.4.4 but got` messages) while the package is 1.4.5: the loader was generated before its
  // `version` script (`napi version`) bumped the packages. With NAPI_RS_ENFORCE_VERSION_CHECK=1 no install loads.
  '@napi-rs/lzma@1.4.5 NS_VERIFY_LOADER_VERSION ',
  // The same, 0.45.1 against 0.51.2.
  '@ast-grep/napi@0.51.2 NS_VERIFY_LOADER_VERSION ',
  // napi.targets lists x64-unknown-linux-musl: napi-rs names its package linux-x64-musl, but cargo cannot build
  // it (the project's CI builds x86_64-unknown-linux-musl); the warning says to write the Rust triple.
  '@ast-grep/napi@0.51.2 NS_TARGET_NODE_ARCH x64-unknown-linux-musl',
]);

interface Laid {
  readonly plan: ReleasePlan;
  readonly dir: string;
  /** platformArchABI → the published platform package (unpacked) and its manifest. */
  readonly published: ReadonlyMap<string, { readonly dir: string; readonly manifest: PublishedManifest }>;
}

const WASI_LOADER = /\.(wasi|wasip1)(-browser)?\.(cjs|js|d\.cts)$|^wasi-worker(-browser)?\.mjs$/;

/** Lay a release out as a CI run leaves it: the root package, its artifacts, the committed WASI loaders. */
async function layOut(release: Release, work: string): Promise<Laid> {
  const root = await manifest(release.name, release.version);
  assert.ok(root, `${release.name}@${release.version} is not on the registry`);
  const dir = path.join(work, 'pkg');
  await unpack(await tarball(root), dir);
  rmSync(path.join(dir, 'npm'), { recursive: true, force: true });
  const draft = await loadPlan(dir);
  // napi-rs projects commit their npm/<platform>/package.json (napi create-npm-dirs output); a CI
  // checkout has them, without binaries. Stage regenerates them (keeping a WASI package's runtime
  // dependencies, which napi-rs resolves from the registry when it creates the dir).
  const artifacts = path.join(dir, 'artifacts');
  const published = new Map<string, { dir: string; manifest: PublishedManifest }>();
  for (const t of draft.targets) {
    const m = await manifest(t.packageName, release.version);
    assert.ok(m, `${t.packageName}@${release.version} is not published: pick a release that shipped every configured target`);
    const unpacked = path.join(work, 'published', t.spec.platformArchABI);
    await unpack(await tarball(m), unpacked);
    published.set(t.spec.platformArchABI, { dir: unpacked, manifest: m });
    mkdirSync(t.packageDir, { recursive: true });
    copyFileSync(path.join(unpacked, 'package.json'), path.join(t.packageDir, 'package.json'));
    const binary = path.join(unpacked, t.binaryFile);
    assert.ok(existsSync(binary), `${t.packageName} ships no ${t.binaryFile}`);
    mkdirSync(path.join(artifacts, `bindings-${t.spec.triple}`), { recursive: true });
    copyFileSync(binary, path.join(artifacts, `bindings-${t.spec.triple}`, t.binaryFile));
    if (t.spec.platform === 'wasi') {
      for (const name of readdirSync(unpacked)) if (WASI_LOADER.test(name)) copyFileSync(path.join(unpacked, name), path.join(dir, name));
    }
  }
  return { plan: await loadPlan(dir), dir, published };
}

function policyOf(plan: ReleasePlan): ReturnType<typeof resolvePolicy> {
  return resolvePolicy(plan.root.manifest, plan.root.config.verify, {});
}

function alarms(release: Release, diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics
    .filter((d) => d.severity !== 'note')
    .filter((d) => !FINDINGS.has(`${release.name}@${release.version} ${d.code} ${d.target ?? ''}`))
    .map((d) => `${d.severity} ${d.code} ${d.target ?? ''} ${d.subject ?? ''}: ${d.message}`);
}

const COMPARED = ['name', 'version', 'os', 'cpu', 'libc', 'main', 'files'] as const;

function pick(m: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of COMPARED) out[key] = key === 'files' && Array.isArray(m[key]) ? [...(m[key] as string[])].sort() : m[key];
  return out;
}

interface Fault {
  readonly name: string;
  /** The target the fault is planted in. */
  readonly target: string;
  /** Codes of which at least one must be reported on that target. */
  readonly codes: readonly string[];
  readonly plant: (laid: Laid) => void;
}

function stagedBinary(laid: Laid, id: string): string {
  const t = laid.plan.targets.find((x) => x.spec.platformArchABI === id);
  assert.ok(t, id);
  return path.join(t.packageDir, t.binaryFile);
}

function has(laid: Laid, id: string): boolean {
  return laid.plan.targets.some((t) => t.spec.platformArchABI === id);
}

/** One of each planted fault this release's targets allow. */
function faultsFor(laid: Laid): Fault[] {
  const faults: Fault[] = [];
  const swap = (name: string, into: string, from: string, codes: readonly string[]): void => {
    if (has(laid, into) && has(laid, from)) {
      faults.push({
        name,
        target: into,
        codes,
        plant: (l) => {
          copyFileSync(stagedBinary(l, from), stagedBinary(l, into));
        },
      });
    }
  };
  const firstOf = (pairs: readonly (readonly [string, string])[], name: string, codes: readonly string[]): void => {
    const pair = pairs.find(([a, b]) => has(laid, a) && has(laid, b));
    if (pair) swap(name, pair[0], pair[1], codes);
  };
  firstOf(
    [
      ['linux-x64-gnu', 'linux-x64-musl'],
      ['linux-arm64-musl', 'linux-arm64-gnu'],
    ],
    'libc swap',
    ['NS_BINARY_LIBC'],
  );
  firstOf(
    [
      ['linux-x64-gnu', 'linux-arm64-gnu'],
      ['win32-x64-msvc', 'win32-ia32-msvc'],
      ['darwin-x64', 'darwin-arm64'],
    ],
    'arch swap',
    ['NS_BINARY_CPU'],
  );
  firstOf(
    [
      ['openharmony-arm64', 'linux-arm64-musl'],
      ['linux-x64-gnu', 'freebsd-x64'],
      ['android-arm64', 'linux-arm64-gnu'],
    ],
    'OS swap',
    ['NS_BINARY_OS'],
  );
  firstOf(
    [
      ['linux-x64-gnu', 'darwin-x64'],
      ['linux-arm64-gnu', 'darwin-arm64'],
      ['darwin-arm64', 'win32-arm64-msvc'],
    ],
    'format swap',
    ['NS_BINARY_FORMAT'],
  );
  const first = laid.plan.targets.find((t) => t.spec.platform !== 'wasi');
  assert.ok(first);
  faults.push({
    name: 'missing target',
    target: first.spec.platformArchABI,
    codes: ['NS_VERIFY_MISSING_PACKAGE'],
    plant: (l) => {
      rmSync(path.dirname(stagedBinary(l, first.spec.platformArchABI)), { recursive: true });
    },
  });
  const truncate = (file: string): void => {
    truncateSync(file, Math.floor(statSync(file).size / 2));
  };
  const windows = laid.plan.targets.find((t) => t.spec.platform === 'win32') ?? first;
  faults.push({
    name: 'truncated file',
    target: windows.spec.platformArchABI,
    codes: ['NS_INSPECT_E_TRUNCATED', 'NS_INSPECT_E_MALFORMED'],
    plant: (l) => {
      truncate(stagedBinary(l, windows.spec.platformArchABI));
    },
  });
  const wasi = laid.plan.targets.find((t) => t.spec.platform === 'wasi');
  if (wasi) {
    faults.push({
      name: 'wasm truncated',
      target: wasi.spec.platformArchABI,
      codes: ['NS_INSPECT_E_TRUNCATED'],
      plant: (l) => {
        truncate(stagedBinary(l, wasi.spec.platformArchABI));
      },
    });
    faults.push({
      name: 'wasm replaced by an 8-byte header',
      target: wasi.spec.platformArchABI,
      codes: ['NS_INSPECT_E_TRUNCATED'],
      plant: (l) => {
        truncateSync(stagedBinary(l, wasi.spec.platformArchABI), 8);
      },
    });
  }
  return faults;
}

const results: string[] = [];

for (const release of RELEASES) {
  void test(`corpus: ${release.name}@${release.version} (${release.why}) stages and verifies clean, and every planted fault is caught`, async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'napi-ship-corpus-'));
    try {
      const laid = await layOut(release, work);
      const staged = await stagePackages(laid.plan, { artifactsDir: 'artifacts' });
      assert.deepEqual(alarms(release, staged.diagnostics), [], 'stage raised false alarms');
      assert.equal(staged.result.packages.length, laid.plan.targets.length);

      for (const t of laid.plan.targets) {
        const ours = JSON.parse(readFileSync(path.join(t.packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
        const theirs = laid.published.get(t.spec.platformArchABI)?.manifest;
        assert.ok(theirs);
        const skipped = new Set(Object.keys(release.olderCli?.[t.spec.platformArchABI] ?? {}));
        const ourFields = Object.fromEntries(Object.entries(pick(ours)).filter(([k]) => !skipped.has(k)));
        const theirFields = Object.fromEntries(Object.entries(pick(theirs)).filter(([k]) => !skipped.has(k)));
        assert.deepEqual(ourFields, theirFields, `${t.packageName}: generated package.json differs from the published one`);
      }

      const verified = await verifyRelease(laid.plan, policyOf(laid.plan));
      assert.deepEqual(alarms(release, verified.diagnostics), [], 'verify raised false alarms');
      // The gate also says how it read the napi-rs config (a v2 config, a Node-spelled triple).
      for (const n of laid.plan.root.configNotes) assert.ok(verified.diagnostics.includes(n), `verify reports ${n.code}`);
      // A glibc finding (riscv64 built on the runner's glibc, …) is accepted for its target alone with
      // napiShip.verify.glibcMaxByTarget at the version found; every other diagnostic stays.
      const ceilings = verified.diagnostics.filter((d) => d.code === 'NS_VERIFY_GLIBC_CEILING');
      if (ceilings.length > 0) {
        const byTarget: Record<string, string> = {};
        for (const d of ceilings) {
          const t = laid.plan.targets.find((x) => x.spec.platformArchABI === d.target);
          const found = d.found ?? '';
          assert.ok(t && found.startsWith('GLIBC_'), d.message);
          byTarget[t.spec.triple] = found.slice('GLIBC_'.length);
        }
        const policy = resolvePolicy(laid.plan.root.manifest, { ...laid.plan.root.config.verify, glibcMaxByTarget: byTarget }, {});
        const accepted = await verifyRelease(laid.plan, policy);
        const rest = (ds: readonly Diagnostic[]): string[] =>
          ds.filter((d) => d.code !== 'NS_VERIFY_GLIBC_CEILING').map((d) => `${d.code} ${d.target ?? ''}`);
        assert.deepEqual(
          accepted.diagnostics.filter((d) => d.code === 'NS_VERIFY_GLIBC_CEILING'),
          [],
        );
        assert.deepEqual(rest(accepted.diagnostics), rest(verified.diagnostics));
      }

      // Planted faults: each on a fresh copy of the clean staged release.
      const clean = path.join(work, 'clean-npm');
      cpSync(laid.plan.root.npmDir, clean, { recursive: true });
      const faults = faultsFor(laid);
      assert.ok(faults.length >= 5, `${faults.length} faults`);
      for (const fault of faults) {
        rmSync(laid.plan.root.npmDir, { recursive: true, force: true });
        cpSync(clean, laid.plan.root.npmDir, { recursive: true });
        fault.plant(laid);
        const outcome = await verifyRelease(laid.plan, policyOf(laid.plan));
        const caught = outcome.diagnostics.filter((d) => d.severity === 'error' && d.target === fault.target);
        assert.ok(
          caught.some((d) => fault.codes.includes(d.code)),
          `${fault.name} in ${fault.target} was not caught as ${fault.codes.join('/')}: ${caught.map((d) => d.code).join(', ') || 'no error'}`,
        );
      }
      results.push(`${release.name}@${release.version}: ${laid.plan.targets.length} targets, ${faults.length} faults caught`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

void test("corpus: our gzip of each published tarball's own tar bytes is never larger than the tarball the project published", async () => {
  // The same tar stream, compressed by napi-ship's packer (libdeflate; zlib-9 kept for small streams
  // if smaller) against what npm/pnpm/yarn pack wrote for these real releases.
  const tarballs = path.join(corpusCache, 'tarballs');
  const names = readdirSync(tarballs).filter((n) => n.endsWith('.tgz'));
  assert.ok(names.length >= 20, `only ${String(names.length)} cached tarballs`);
  let ours = 0;
  let theirs = 0;
  const larger: string[] = [];
  for (const name of names) {
    const published = readFileSync(path.join(tarballs, name));
    const tar = gunzipSync(published);
    const gz = await compressTar(tar);
    assert.ok(gunzipSync(gz).equals(tar), `${name}: round trip`);
    ours += gz.length;
    theirs += published.length;
    if (gz.length > published.length) larger.push(`${name}: ${String(gz.length)} > ${String(published.length)}`);
  }
  assert.deepEqual(larger, []);
  process.stdout.write(
    `# gzip over ${String(names.length)} real tarballs: ${String(ours)} bytes vs ${String(theirs)} published (${((100 * (ours - theirs)) / theirs).toFixed(2)} %)\n`,
  );
});

void test('corpus: the cache holds what was fetched', () => {
  assert.ok(existsSync(corpusCache));
  let bytes = 0;
  const tarballs = path.join(corpusCache, 'tarballs');
  for (const name of readdirSync(tarballs)) bytes += statSync(path.join(tarballs, name)).size;
  process.stdout.write(
    `# corpus: ${results.length} releases, ${(bytes / 1024 / 1024).toFixed(1)} MiB of tarballs cached\n# ${results.join('\n# ')}\n`,
  );
  assert.equal(results.length, RELEASES.length);
});
