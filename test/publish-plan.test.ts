/**
 * The publish plan (pure), the journal, the pool, the read-back loop, and the orchestration of
 * `publishRelease` over a real release dir against an in-memory registry that records the order of
 * every call and lags like a real one (a published version shows only after some reads).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile, appendFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { diagnostic, DiagnosticError } from '../src/diagnostics/index.js';
import { MANIFEST_FILE, serializeManifest, SIGNATURE_FILE, type ManifestPackage, type ReleaseManifest } from '../src/manifest/index.js';
import {
  checkReleaseContents,
  conflictDiagnostics,
  defaultTag,
  invalidTag,
  Journal,
  journalRuns,
  lastRunFor,
  mapPool,
  planPublish,
  publishRelease,
  readBack,
  readJournal,
  type Preflight,
  type PreflightPackage,
  type PublishClient,
  type PublishResult,
} from '../src/publish/index.js';
import type { Packument } from '../src/registry/packument.js';
import { tarballDigests } from '../src/registry/publish-body.js';
import { generateKeyPair, PUBLIC_KEY_FILE } from '../src/sign/index.js';
import { runCli } from './helpers/cli.js';
import { buildFixtureRelease, type FixtureRelease } from '../scripts/lib/publish-release.js';

const OURS = 'sha512-' + Buffer.alloc(64, 1).toString('base64');
const THEIRS = 'sha512-' + Buffer.alloc(64, 2).toString('base64');

function pkg(
  name: string,
  kind: 'root' | 'platform',
  state: PreflightPackage['state'],
  distTags: Record<string, string> = {},
): PreflightPackage {
  return {
    name,
    version: '1.0.0',
    kind,
    target: kind === 'root' ? null : name,
    integrity: OURS,
    state,
    theirs: state === 'different' ? THEIRS : state === 'same' ? OURS : null,
    distTags,
  };
}

function preflightOf(packages: PreflightPackage[]): Preflight {
  return { registry: 'http://127.0.0.1/', name: 'root', version: '1.0.0', packages };
}

describe('planPublish (pure)', () => {
  test('default tags: prereleases go to next, others to latest', () => {
    assert.equal(defaultTag('1.0.0'), 'latest');
    assert.equal(defaultTag('1.0.0-beta.1'), 'next');
    assert.equal(defaultTag('0.0.1-0'), 'next');
  });

  test('tag names npm refuses are refused', () => {
    assert.equal(invalidTag('latest'), null);
    assert.equal(invalidTag('napi-ship-staging'), null);
    for (const bad of ['', ' latest', '1.2', 'v1', '^1', 'a b', 'a/b']) assert.notEqual(invalidTag(bad), null, bad);
  });

  test('a fresh release: platforms published and verified, then tagged, then the root straight under the tag; the staging tag goes from the platforms meanwhile', () => {
    const plan = planPublish(
      preflightOf([pkg('root', 'root', 'absent'), pkg('p-b', 'platform', 'absent'), pkg('p-a', 'platform', 'absent')]),
      { tag: 'latest' },
    );
    assert.deepEqual(plan.conflicts, []);
    assert.equal(plan.complete, false);
    assert.deepEqual(
      plan.steps.map((s) => `${s.kind} ${s.package}`),
      [
        'publish p-a',
        'publish p-b',
        'verify p-a',
        'verify p-b',
        'tag p-a',
        'tag p-b',
        'untag p-a',
        'untag p-b',
        'publish root',
        'verify root',
      ],
    );
    // Platform packages never go out under the requested tag; the root, which follows them, does (and never carries the staging tag).
    for (const s of plan.steps)
      if (s.kind === 'publish') assert.equal(s.tag, s.role === 'root' ? 'latest' : 'napi-ship-staging', s.package);
    assert.deepEqual(plan.phases.rootTag, []);
    assert.deepEqual(
      plan.phases.untag.map((s) => s.package),
      ['p-a', 'p-b'],
    );
  });

  test('a root already there (an earlier run put it under the staging tag): read back, then tagged, its staging tag removed last', () => {
    const plan = planPublish(
      preflightOf([
        pkg('root', 'root', 'same', { latest: '0.9.0', 'napi-ship-staging': '1.0.0' }),
        pkg('p-a', 'platform', 'same', { latest: '1.0.0' }),
      ]),
      { tag: 'latest' },
    );
    assert.deepEqual(
      plan.steps.map((s) => `${s.kind} ${s.package}`),
      ['verify p-a', 'verify root', 'tag root', 'untag root'],
    );
  });

  test('resuming: what the registry already has is not published again, a left-over staging tag is removed', () => {
    const plan = planPublish(
      preflightOf([
        pkg('root', 'root', 'absent', { latest: '0.9.0' }),
        pkg('p-a', 'platform', 'same', { latest: '0.9.0', 'napi-ship-staging': '1.0.0' }),
        pkg('p-b', 'platform', 'absent', { latest: '0.9.0' }),
      ]),
      { tag: 'latest' },
    );
    assert.deepEqual(
      plan.steps.map((s) => `${s.kind} ${s.package}`),
      ['publish p-b', 'verify p-a', 'verify p-b', 'tag p-a', 'tag p-b', 'untag p-a', 'untag p-b', 'publish root', 'verify root'],
    );
  });

  test('everything done: only read-backs remain, the plan is complete', () => {
    const done = { latest: '1.0.0' };
    const plan = planPublish(preflightOf([pkg('root', 'root', 'same', done), pkg('p-a', 'platform', 'same', done)]), { tag: 'latest' });
    assert.equal(plan.complete, true);
    assert.deepEqual(
      plan.steps.map((s) => s.kind),
      ['verify', 'verify'],
    );
  });

  test('other bytes under one version: no step at all, the conflict names both hashes', () => {
    const plan = planPublish(
      preflightOf([pkg('root', 'root', 'absent'), pkg('p-a', 'platform', 'absent'), pkg('p-b', 'platform', 'different')]),
      { tag: 'latest' },
    );
    assert.deepEqual(plan.steps, []);
    assert.deepEqual(plan.conflicts, [{ package: 'p-b', version: '1.0.0', ours: OURS, theirs: THEIRS }]);
    const [d] = conflictDiagnostics(plan.conflicts);
    assert.ok(d !== undefined);
    assert.equal(d.code, 'NS_PUBLISH_CONFLICT');
    assert.ok(d.expected?.includes(OURS) === true && d.found?.includes(THEIRS) === true);
  });
});

describe('checkReleaseContents (pure)', () => {
  const entry = (name: string, kind: 'root' | 'platform', version = '1.0.0'): ManifestPackage => ({
    name,
    version,
    kind,
    target: kind === 'root' ? null : 'linux-x64-gnu',
    tarball: `${name}.tgz`,
    size: 1,
    integrity: OURS,
    sha1: 'a'.repeat(40),
    sha256: 'b'.repeat(64),
  });
  const root = (pins: Record<string, string>) => ({
    entry: entry('root', 'root'),
    packageJson: { name: 'root', version: '1.0.0', optionalDependencies: pins },
  });
  const platform = (name: string, version = '1.0.0') => ({ entry: entry(name, 'platform', version), packageJson: { name, version } });
  const m = { name: 'root', version: '1.0.0' };

  test('a root pinning exactly the platform packages of the release is publishable', () => {
    assert.deepEqual(checkReleaseContents(m, [root({ 'p-a': '1.0.0', 'p-b': '1.0.0' }), platform('p-a'), platform('p-b')]), []);
  });
  test('a pin without its package in the release: NS_PUBLISH_INCOMPLETE ("every platform or none")', () => {
    const ds = checkReleaseContents(m, [
      root({ 'p-a': '1.0.0', 'root-linux-x64-gnu': '1.0.0', 'root-wasm32-wasi': '1.0.0' }),
      platform('p-a'),
    ]);
    assert.deepEqual(
      ds.map((d) => d.code),
      ['NS_PUBLISH_INCOMPLETE'],
    );
    assert.match(ds[0]?.message ?? '', /root-linux-x64-gnu@1\.0\.0, root-wasm32-wasi@1\.0\.0/);
  });
  test("a pin that is no platform package of the root (fsevents) is the root's own optional dependency, not a missing package", () => {
    assert.deepEqual(checkReleaseContents(m, [root({ 'p-a': '1.0.0', fsevents: '2.3.3' }), platform('p-a')]), []);
  });
  test('a range pin, an unpinned package, a tarball that is another package', () => {
    const ds = checkReleaseContents(m, [
      root({ 'p-a': '^1.0.0' }),
      platform('p-a'),
      platform('p-b'),
      { entry: entry('p-c', 'platform'), packageJson: { name: 'evil', version: '1.0.0' } },
    ]);
    assert.deepEqual(ds.map((d) => d.code).sort(), [
      'NS_PUBLISH_MANIFEST',
      'NS_PUBLISH_PIN_MISMATCH',
      'NS_PUBLISH_UNPINNED',
      'NS_PUBLISH_UNPINNED',
    ]);
  });
});

describe('journal', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-journal-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('records come back in order; a torn last line is skipped and the next record starts clean', async () => {
    const file = path.join(dir, 'j.jsonl');
    const start = {
      name: 'root',
      version: '1.0.0',
      manifestSha256: 'abc',
      registry: 'http://127.0.0.1/',
      tag: 'beta',
      stagingTag: 'napi-ship-staging',
      resume: false,
    };
    const j = await Journal.open(file, 'run1');
    await Promise.all([j.append('start', start), j.append('preflight', { package: 'p-a' }), j.append('publish-begin', { package: 'p-a' })]);
    await j.close();
    await appendFile(file, '{"v":1,"time":"2026-01-01T00:00:00Z","run":"run1","type":"publish-do'); // killed mid-write
    const j2 = await Journal.open(file, 'run2');
    await j2.append('start', { ...start, resume: true });
    await j2.append('done', { outcome: 'published' });
    await j2.close();
    const { records, skipped } = await readJournal(file);
    assert.equal(skipped, 1);
    assert.deepEqual(
      records.map((r) => `${r.run} ${r.type}`),
      ['run1 start', 'run1 preflight', 'run1 publish-begin', 'run2 start', 'run2 done'],
    );
    const runs = journalRuns(records);
    assert.deepEqual(
      runs.map((r) => [r.start.run, r.finished, r.outcome]),
      [
        ['run1', false, null],
        ['run2', true, 'published'],
      ],
    );
    assert.equal(lastRunFor(records, { name: 'root', version: '1.0.0', manifestSha256: 'abc' })?.start.run, 'run2');
    assert.equal(lastRunFor(records, { name: 'root', version: '1.0.0', manifestSha256: 'other' }), null);
    assert.deepEqual(await readJournal(path.join(dir, 'missing.jsonl')), { records: [], skipped: 0 });
  });
});

describe('mapPool', () => {
  test('never more than the limit in flight; all results in order', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5 + (n % 3)));
      inFlight--;
      return n * 2;
    });
    assert.deepEqual(out, [2, 4, 6, 8, 10, 12, 14]);
    assert.equal(most, 3);
  });
  test('the first failure stops new work; in-flight work finishes before the error is thrown', async () => {
    const started: number[] = [];
    let finished = 0;
    await assert.rejects(
      mapPool([1, 2, 3, 4, 5, 6], 2, async (n) => {
        started.push(n);
        await new Promise((r) => setTimeout(r, n === 1 ? 1 : 20));
        if (n === 1) throw new Error('boom');
        finished++;
      }),
      /boom/,
    );
    assert.deepEqual(started, [1, 2]);
    assert.equal(finished, 1);
  });
});

// ── an in-memory registry ──────────────────────────────────────────────────────────────────────

interface FakePackage {
  tags: Record<string, string>;
  versions: Map<string, string>;
  hiddenReads: Map<string, number>;
}

class FakeRegistry implements PublishClient {
  readonly registry = 'http://127.0.0.1:9/';
  readonly packages = new Map<string, FakePackage>();
  readonly log: string[] = [];
  /** Reads a newly published version stays invisible for. */
  lag = 2;
  /** Names whose publish fails as if someone else had just published other bytes. */
  readonly raceConflict = new Set<string>();
  /** Names that never become visible. */
  readonly neverVisible = new Set<string>();
  /** Names whose version someone else publishes, with our bytes and no tag, just before our publish. */
  readonly twinPublish = new Set<string>();
  /** Fail every write with an unreachable registry after this many writes. */
  failAfterWrites = Infinity;
  writes = 0;
  /** Versions a read showed as visible (name@version), to check the root only follows verified platforms. */
  readonly seenVisible = new Set<string>();
  /** What every platform package's read-back had shown when the root was published. */
  visibleAtRootPublish: string[] | null = null;
  /** Every package's dist-tags when the root was published. */
  tagsAtRootPublish: Map<string, Record<string, string>> | null = null;
  /** What had been read back when the first dist-tag was set on a platform package. */
  visibleAtFirstPlatformTag: string[] | null = null;
  rootName = '';

  private entry(name: string): FakePackage {
    let p = this.packages.get(name);
    if (p === undefined) {
      p = { tags: {}, versions: new Map(), hiddenReads: new Map() };
      this.packages.set(name, p);
    }
    return p;
  }

  seed(name: string, version: string, integrity: string, tags: Record<string, string>): void {
    const p = this.entry(name);
    p.versions.set(version, integrity);
    Object.assign(p.tags, tags);
  }

  private write(what: string): void {
    if (this.writes++ >= this.failAfterWrites) {
      throw new DiagnosticError([
        diagnostic({ code: 'NS_REGISTRY_UNREACHABLE', subject: this.registry, message: 'cannot reach the registry', hint: 'test' }),
      ]);
    }
    this.log.push(what);
  }

  getPackument(name: string): Promise<Packument | null> {
    const p = this.packages.get(name);
    if (p === undefined || p.versions.size === 0) return Promise.resolve(null);
    const versions: Record<string, Packument['versions'][string]> = {};
    for (const [v, integrity] of p.versions) {
      const hidden = p.hiddenReads.get(v) ?? 0;
      if (this.neverVisible.has(name) && hidden > 0) continue;
      if (hidden > 0) {
        p.hiddenReads.set(v, hidden - 1);
        continue;
      }
      this.seenVisible.add(`${name}@${v}`);
      versions[v] = { version: v, integrity, shasum: null, tarball: null, optionalDependencies: {}, deprecated: null };
    }
    return Promise.resolve({ name, distTags: { ...p.tags }, versions });
  }

  publish(input: {
    manifest: Readonly<Record<string, unknown>>;
    tarball: Uint8Array;
    tag: string;
  }): Promise<{ state: 'published' | 'already-present'; integrity: string }> {
    const name = String(input.manifest.name);
    const version = String(input.manifest.version);
    const { integrity } = tarballDigests(input.tarball);
    this.write(`publish ${name} ${input.tag}`);
    if (this.raceConflict.has(name)) {
      this.seed(name, version, THEIRS, {});
      return Promise.reject(
        new DiagnosticError([diagnostic({ code: 'NS_PUBLISH_CONFLICT', subject: name, message: 'other bytes', hint: 'test' })]),
      );
    }
    if (name === this.rootName) {
      this.visibleAtRootPublish = [...this.seenVisible].sort();
      this.tagsAtRootPublish = new Map([...this.packages].map(([n, e]) => [n, { ...e.tags }]));
    }
    if (this.twinPublish.has(name)) this.seed(name, version, integrity, {});
    const p = this.entry(name);
    const there = p.versions.get(version);
    if (there !== undefined) return Promise.resolve({ state: 'already-present', integrity });
    p.versions.set(version, integrity);
    p.hiddenReads.set(version, this.neverVisible.has(name) ? Number.MAX_SAFE_INTEGER : this.lag);
    p.tags[input.tag] = version;
    if (!('latest' in p.tags)) p.tags.latest = version; // a first publish always sets latest, as npmjs and verdaccio do
    return Promise.resolve({ state: 'published', integrity });
  }

  getDistTags(name: string): Promise<Record<string, string>> {
    return Promise.resolve({ ...(this.packages.get(name)?.tags ?? {}) });
  }

  setDistTag(name: string, tag: string, version: string): Promise<void> {
    this.write(`tag ${name} ${tag}`);
    if (name !== this.rootName) this.visibleAtFirstPlatformTag ??= [...this.seenVisible].sort();
    this.entry(name).tags[tag] = version;
    return Promise.resolve();
  }

  removeDistTag(name: string, tag: string): Promise<void> {
    this.write(`untag ${name} ${tag}`);
    const p = this.entry(name);
    p.tags = Object.fromEntries(Object.entries(p.tags).filter(([t]) => t !== tag));
    return Promise.resolve();
  }
}

describe('publishRelease over an in-memory registry (a real release dir of 1 root + 4 platform packages)', () => {
  let scratch = '';
  let release: FixtureRelease;
  let counter = 0;

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-publish-plan-'));
    release = await buildFixtureRelease({ scratch, name: '@fake/addon', version: '1.0.0', targets: 4 });
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  /** A private copy of the release dir (each test has its own journal). */
  async function copy(): Promise<string> {
    const dir = path.join(scratch, `copy-${String(++counter)}`);
    await cp(release.releaseDir, dir, { recursive: true });
    return dir;
  }

  function fake(): FakeRegistry {
    const f = new FakeRegistry();
    f.rootName = release.manifest.name;
    return f;
  }

  const platforms = (): ManifestPackage[] => release.manifest.packages.filter((p) => p.kind === 'platform');
  const root = (): ManifestPackage => {
    const r = release.manifest.packages.find((p) => p.kind === 'root');
    assert.ok(r);
    return r;
  };

  function assertComplete(f: FakeRegistry, tag: string): void {
    for (const p of release.manifest.packages) {
      const e = f.packages.get(p.name);
      assert.equal(e?.versions.get(p.version), p.integrity, p.name);
      assert.equal(e.tags[tag], p.version, `${p.name} ${tag}`);
      assert.equal(e.tags['napi-ship-staging'], undefined, `${p.name} staging tag`);
    }
  }

  test('order: every platform package published and seen with our integrity before the root is published under the tag, and before any platform package gets the tag; each loses the staging tag only after its tag', async () => {
    const dir = await copy();
    const f = fake();
    const events: string[] = [];
    const result = await publishRelease({
      releaseDir: dir,
      client: f,
      concurrency: 3,
      onEvent: (e) => {
        events.push(e.type);
      },
    });
    assert.equal(result.result.outcome, 'published', JSON.stringify(result.diagnostics));
    assert.equal(result.ok, true);
    assert.equal(result.result.tag, 'latest');
    assert.deepEqual(result.result.signature, { key: 'release-dir', keyId: result.result.signature?.keyId });
    assertComplete(f, 'latest');
    // The root goes out straight under the requested tag, never under the staging tag.
    const rootIndex = f.log.indexOf(`publish ${root().name} latest`);
    assert.ok(rootIndex > 0);
    assert.ok(!f.log.includes(`publish ${root().name} napi-ship-staging`));
    const lastPlatformPublish = Math.max(...platforms().map((p) => f.log.indexOf(`publish ${p.name} napi-ship-staging`)));
    for (const p of platforms()) {
      assert.ok(f.log.indexOf(`publish ${p.name} napi-ship-staging`) < rootIndex, p.name);
      assert.ok(f.visibleAtRootPublish?.includes(`${p.name}@${p.version}`), `${p.name} was read back before the root went out`);
      assert.ok(
        f.visibleAtFirstPlatformTag?.includes(`${p.name}@${p.version}`),
        `${p.name} was read back before any platform package got the tag`,
      );
      const tagIndex = f.log.indexOf(`tag ${p.name} latest`);
      assert.ok(tagIndex > lastPlatformPublish, `${p.name} got the tag only after every platform package was published`);
      assert.ok(f.log.indexOf(`untag ${p.name} napi-ship-staging`) > tagIndex, `${p.name} lost the staging tag after it got the tag`);
    }
    const tagLines = f.log.filter((l) => l.startsWith('tag '));
    assert.equal(tagLines.length, platforms().length, 'the root needs no tag of its own');
    assert.ok(!f.log.some((l) => l.startsWith(`untag ${root().name} `)), 'the root never had the staging tag');
    assert.ok(events.includes('waiting'), 'the registry lag made the read-back wait');
    const { records } = await readJournal(path.join(dir, 'publish-journal.jsonl'));
    assert.deepEqual([records[0]?.type, records.at(-1)?.type, records.at(-1)?.outcome], ['start', 'done', 'published']);
    assert.equal(records.filter((r) => r.type === 'verified').length, release.manifest.packages.length);
    assert.equal(records.filter((r) => r.type === 'tag-removed').length, platforms().length);
    const rootOutcome = result.result.packages.find((p) => p.kind === 'root');
    assert.deepEqual([rootOutcome?.action, rootOutcome?.verified, rootOutcome?.tagged], ['published', true, ['latest']]);

    // A second run finds everything in place and writes nothing.
    f.log.length = 0;
    const again = await publishRelease({ releaseDir: dir, client: f });
    assert.equal(again.result.outcome, 'published');
    assert.equal(again.result.resumed, true);
    assert.deepEqual(f.log, []);
    assert.ok(again.result.packages.every((p) => p.before === 'same' && p.action === 'none'));
  });

  test('resume from a crashed run: packages already there are not published again; the staging tag is cleaned up', async () => {
    const dir = await copy();
    const f = fake();
    const [first, second] = platforms();
    assert.ok(first && second);
    f.seed(first.name, first.version, first.integrity, { latest: first.version, 'napi-ship-staging': first.version });
    f.seed(second.name, second.version, second.integrity, { latest: second.version, 'napi-ship-staging': second.version });
    const result = await publishRelease({ releaseDir: dir, client: f, tag: 'beta' });
    assert.equal(result.result.outcome, 'published');
    assert.ok(!f.log.includes(`publish ${first.name} napi-ship-staging`));
    assert.ok(!f.log.includes(`publish ${second.name} napi-ship-staging`));
    assertComplete(f, 'beta');
    assert.deepEqual(
      result.result.packages.find((p) => p.name === first.name),
      {
        ...result.result.packages.find((p) => p.name === first.name),
        before: 'same',
        action: 'none',
        verified: true,
        tagged: ['beta'],
        stagingTagRemoved: true,
      },
    );
  });

  test("other bytes already under a platform package's version: nothing is written, both hashes reported", async () => {
    const dir = await copy();
    const f = fake();
    const victim = platforms()[1];
    assert.ok(victim);
    f.seed(victim.name, victim.version, THEIRS, { latest: victim.version });
    const result = await publishRelease({ releaseDir: dir, client: f });
    assert.equal(result.result.outcome, 'conflict');
    assert.equal(result.ok, false);
    assert.deepEqual(f.log, [], 'not a single write');
    const d = result.diagnostics.find((x) => x.code === 'NS_PUBLISH_CONFLICT');
    assert.ok(d?.expected?.includes(victim.integrity) === true && d.found?.includes(THEIRS) === true);
    const { records } = await readJournal(path.join(dir, 'publish-journal.jsonl'));
    assert.deepEqual(
      records.map((r) => r.type).filter((t) => t !== 'preflight'),
      ['start', 'conflict', 'done'],
    );
  });

  test('someone publishes other bytes between our preflight and our write: stop, the root is never published', async () => {
    const dir = await copy();
    const f = fake();
    const victim = platforms()[2];
    assert.ok(victim);
    f.raceConflict.add(victim.name);
    const result = await publishRelease({ releaseDir: dir, client: f, concurrency: 1 });
    assert.equal(result.result.outcome, 'conflict');
    assert.ok(result.diagnostics.some((d) => d.expected?.includes(victim.integrity) === true && d.found?.includes(THEIRS) === true));
    assert.ok(!f.log.some((l) => l.startsWith(`publish ${root().name} `)));
    assert.ok(!f.log.some((l) => l.startsWith('tag ')));
  });

  test('a platform package that never shows: not-visible, the root is not published', async () => {
    const dir = await copy();
    const f = fake();
    const slow = platforms()[0];
    assert.ok(slow);
    f.neverVisible.add(slow.name);
    const result = await publishRelease({ releaseDir: dir, client: f, readBackTimeoutMs: 300 });
    assert.equal(result.result.outcome, 'not-visible');
    assert.deepEqual(
      result.diagnostics.map((d) => d.code),
      ['NS_PUBLISH_NOT_VISIBLE'],
    );
    assert.ok(!f.log.some((l) => l.startsWith(`publish ${root().name} `)));
  });

  test('the root that never shows: not-visible after its publish; the platform clean-up that ran alongside is finished and journaled before the run ends', async () => {
    const dir = await copy();
    const f = fake();
    f.neverVisible.add(root().name);
    const result = await publishRelease({ releaseDir: dir, client: f, readBackTimeoutMs: 300 });
    assert.equal(result.result.outcome, 'not-visible');
    const [d] = result.diagnostics;
    assert.equal(d?.code, 'NS_PUBLISH_NOT_VISIBLE');
    assert.match(d.message, /the root's publish was accepted/);
    for (const p of platforms()) assert.equal(f.packages.get(p.name)?.tags['napi-ship-staging'], undefined, p.name);
    const { records } = await readJournal(path.join(dir, 'publish-journal.jsonl'));
    assert.equal(records.filter((r) => r.type === 'tag-removed').length, platforms().length);
    assert.deepEqual([records.at(-1)?.type, records.at(-1)?.outcome], ['done', 'not-visible']);
    // Once it shows, a re-run verifies it and writes nothing.
    f.neverVisible.clear();
    const entry = f.packages.get(root().name);
    entry?.hiddenReads.clear();
    f.log.length = 0;
    const again = await publishRelease({ releaseDir: dir, client: f, resume: true });
    assert.equal(again.result.outcome, 'published');
    assert.deepEqual(f.log, []);
    assertComplete(f, 'latest');
  });

  test('other bytes under the root since the preflight: conflict; the root is never tagged; the clean-up alongside is awaited', async () => {
    const dir = await copy();
    const f = fake();
    f.raceConflict.add(root().name);
    const result = await publishRelease({ releaseDir: dir, client: f });
    assert.equal(result.result.outcome, 'conflict');
    assert.ok(result.diagnostics.some((d) => d.code === 'NS_PUBLISH_CONFLICT' && d.found?.includes(THEIRS) === true));
    assert.equal(f.packages.get(root().name)?.tags.latest, undefined);
    const { records } = await readJournal(path.join(dir, 'publish-journal.jsonl'));
    assert.deepEqual([records.at(-1)?.type, records.at(-1)?.outcome], ['done', 'conflict']);
    assert.equal(records.filter((r) => r.type === 'tag-removed').length, platforms().length);
  });

  test('the root published by someone else with our bytes since the preflight: our publish finds it there, and the tag is set after the read-back', async () => {
    const dir = await copy();
    const f = fake();
    f.twinPublish.add(root().name);
    const result = await publishRelease({ releaseDir: dir, client: f, tag: 'beta' });
    assert.equal(result.result.outcome, 'published', JSON.stringify(result.diagnostics));
    assertComplete(f, 'beta');
    const rootOutcome = result.result.packages.find((p) => p.kind === 'root');
    assert.deepEqual([rootOutcome?.action, rootOutcome?.tagged], ['already-present', ['beta']]);
    assert.ok(f.log.indexOf(`tag ${root().name} beta`) > f.log.indexOf(`publish ${root().name} beta`));
  });

  test('the registry goes away mid-publish: the error is thrown (exit 3), journaled, and a re-run completes', async () => {
    const dir = await copy();
    const f = fake();
    f.failAfterWrites = 2;
    await assert.rejects(
      publishRelease({ releaseDir: dir, client: f, tag: 'rc', concurrency: 1 }),
      (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0]?.code === 'NS_REGISTRY_UNREACHABLE',
    );
    assert.ok(!f.log.some((l) => l.startsWith(`publish ${root().name} `)));
    const { records } = await readJournal(path.join(dir, 'publish-journal.jsonl'));
    assert.equal(records.at(-1)?.type, 'error');
    f.failAfterWrites = Infinity;
    // The unsigned journal never chooses the tag: --resume without --tag is refused when it names another one.
    const refused = await publishRelease({ releaseDir: dir, client: f, resume: true });
    assert.deepEqual([refused.result.outcome, refused.diagnostics.map((d) => d.code)], ['refused', ['NS_PUBLISH_TAG_MISMATCH']]);
    const resumed = await publishRelease({ releaseDir: dir, client: f, resume: true, tag: 'rc' });
    assert.equal(resumed.result.outcome, 'published');
    assert.equal(resumed.result.tag, 'rc');
    assertComplete(f, 'rc');
    const other = await publishRelease({ releaseDir: dir, client: f, resume: true, tag: 'latest' });
    assert.deepEqual([other.result.outcome, other.diagnostics.map((d) => d.code)], ['refused', ['NS_PUBLISH_TAG_MISMATCH']]);
  });

  test('the journal is bound to the signed manifest: every line carries its digest; --resume refuses a journal of another manifest', async () => {
    const dir = await copy();
    const f = fake();
    f.failAfterWrites = 2;
    await assert.rejects(publishRelease({ releaseDir: dir, client: f, concurrency: 1 }));
    const journalFile = path.join(dir, 'publish-journal.jsonl');
    const sha = createHash('sha256')
      .update(await readFile(path.join(dir, 'release-manifest.json')))
      .digest('hex');
    const { records } = await readJournal(journalFile);
    assert.ok(records.length > 3 && records.every((r) => r.manifestSha256 === sha), 'every record names the manifest it is about');
    // The release dir packed again (another manifest): its journal does not speak for the new one.
    const other = 'f'.repeat(64);
    await writeFile(journalFile, (await readFile(journalFile, 'utf8')).replaceAll(sha, other));
    f.failAfterWrites = Infinity;
    const before = f.log.length;
    const refused = await publishRelease({ releaseDir: dir, client: f, resume: true });
    assert.deepEqual([refused.result.outcome, refused.diagnostics.map((d) => d.code)], ['refused', ['NS_PUBLISH_JOURNAL_MANIFEST']]);
    assert.equal(f.log.length, before, 'nothing was sent');
    // Without --resume it starts afresh and completes.
    const fresh = await publishRelease({ releaseDir: dir, client: f });
    assert.deepEqual([fresh.result.outcome, fresh.result.resumed], ['published', false]);
  });

  test('--dry-run reads and plans but writes nothing, not even a journal', async () => {
    const dir = await copy();
    const f = fake();
    const result = await publishRelease({ releaseDir: dir, client: f, dryRun: true });
    assert.equal(result.result.outcome, 'dry-run');
    assert.equal(result.ok, true);
    assert.equal(result.result.plan?.steps.filter((s) => s.kind === 'publish').length, release.manifest.packages.length);
    assert.deepEqual(f.log, []);
    await assert.rejects(access(path.join(dir, 'publish-journal.jsonl')));
  });

  test('--resume with no journal (a failure before the first write) simply starts', async () => {
    const f = fake();
    const result = await publishRelease({ releaseDir: await copy(), client: f, resume: true });
    assert.deepEqual([result.result.outcome, result.result.resumed], ['published', false]);
    assertComplete(f, 'latest');
  });

  test('a forged journal start line cannot choose the tag: --resume is refused, nothing is written', async () => {
    const dir = await copy();
    const f = fake();
    const manifestSha256 = createHash('sha256')
      .update(await readFile(path.join(dir, 'release-manifest.json')))
      .digest('hex');
    const forged = {
      v: 1,
      time: new Date().toISOString(),
      run: 'forged',
      type: 'start',
      name: root().name,
      version: root().version,
      manifestSha256,
      registry: 'x',
      tag: 'evil',
      stagingTag: 'napi-ship-staging',
      resume: false,
    };
    await writeFile(path.join(dir, 'publish-journal.jsonl'), JSON.stringify(forged) + '\n');
    const result = await publishRelease({ releaseDir: dir, client: f, resume: true });
    assert.deepEqual([result.result.outcome, result.diagnostics.map((d) => d.code)], ['refused', ['NS_PUBLISH_TAG_MISMATCH']]);
    assert.deepEqual(f.log, []);
  });

  test('refused before any registry call: a tarball changed after pack, a wrong signing key, a root whose pins are not all in the dir', async () => {
    const check = async (dir: string, codes: readonly string[], publicKeyPem?: string): Promise<PublishResult> => {
      const f = fake();
      let reads = 0;
      const counting: PublishClient = {
        registry: f.registry,
        getPackument: (n) => {
          reads++;
          return f.getPackument(n);
        },
        publish: (i) => f.publish(i),
        getDistTags: (n) => f.getDistTags(n),
        setDistTag: (n, t, v) => f.setDistTag(n, t, v),
        removeDistTag: (n, t) => f.removeDistTag(n, t),
      };
      const result = await publishRelease({ releaseDir: dir, client: counting, ...(publicKeyPem === undefined ? {} : { publicKeyPem }) });
      assert.equal(result.result.outcome, 'refused');
      for (const c of codes)
        assert.ok(
          result.diagnostics.some((d) => d.code === c),
          `${c} in ${result.diagnostics.map((d) => d.code).join(', ')}`,
        );
      assert.equal(reads, 0);
      assert.deepEqual(f.log, []);
      return result;
    };
    // 1 tampered tarball (the signature still matches the manifest, the bytes do not).
    const tampered = await copy();
    const victim = platforms()[0];
    assert.ok(victim);
    const bytes = await readFile(path.join(tampered, victim.tarball));
    bytes.writeUInt8((bytes.readUInt8(bytes.length - 1) ^ 0xff) & 0xff, bytes.length - 1);
    await writeFile(path.join(tampered, victim.tarball), bytes);
    await check(tampered, ['NS_MANIFEST_HASH_MISMATCH']);
    await rm(path.join(tampered, PUBLIC_KEY_FILE));
    await check(tampered, ['NS_PUBLISH_TARBALL_MISMATCH']);
    // 2 a key that did not sign it.
    await check(await copy(), ['NS_MANIFEST_SIGNATURE'], generateKeyPair().publicKeyPem);
    // 3 a platform package dropped from the manifest: the root still pins it.
    const incomplete = await copy();
    const manifest = JSON.parse(await readFile(path.join(incomplete, MANIFEST_FILE), 'utf8')) as ReleaseManifest;
    await writeFile(
      path.join(incomplete, MANIFEST_FILE),
      serializeManifest({ ...manifest, packages: manifest.packages.filter((p) => p.name !== victim.name) }),
    );
    await rm(path.join(incomplete, PUBLIC_KEY_FILE));
    await rm(path.join(incomplete, SIGNATURE_FILE));
    const r = await check(incomplete, ['NS_PUBLISH_INCOMPLETE']);
    assert.match(r.diagnostics.map((d) => d.message).join('\n'), new RegExp(victim.name.replace(/[/]/g, '.')));
  });
});

describe('readBack', () => {
  const client = (answers: (Packument | null | Error)[]): { getPackument: () => Promise<Packument | null>; reads: () => number } => {
    let i = 0;
    return {
      getPackument: () => {
        const a = answers[Math.min(i++, answers.length - 1)];
        return a instanceof Error ? Promise.reject(a) : Promise.resolve(a ?? null);
      },
      reads: () => i,
    };
  };
  const doc = (integrity: string): Packument => ({
    name: 'p',
    distTags: {},
    versions: { '1.0.0': { version: '1.0.0', integrity, shasum: null, tarball: null, optionalDependencies: {}, deprecated: null } },
  });
  const flaky = new DiagnosticError([diagnostic({ code: 'NS_REGISTRY_HTTP', message: '503', hint: '' })]);

  test('absent, then registry trouble, then our integrity: visible on the 4th read', async () => {
    const c = client([null, flaky, null, doc(OURS)]);
    assert.equal(await readBack(c, 'p', '1.0.0', OURS, { timeoutMs: 10_000, firstWaitMs: 1 }), 4);
  });
  test('other bytes: a conflict naming both', async () => {
    await assert.rejects(
      readBack(client([doc(THEIRS)]), 'p', '1.0.0', OURS, { timeoutMs: 1000, firstWaitMs: 1 }),
      (e: unknown) => e instanceof Error && e.message.includes('other bytes'),
    );
  });
  test('never there: NS_PUBLISH_NOT_VISIBLE after the bounded wait', async () => {
    const c = client([null]);
    await assert.rejects(readBack(c, 'p', '1.0.0', OURS, { timeoutMs: 50, firstWaitMs: 5, maxWaitMs: 10 }), /did not show/);
    assert.ok(c.reads() >= 2);
  });
  test('an error that is not registry trouble is not swallowed', async () => {
    await assert.rejects(readBack(client([new TypeError('bug')]), 'p', '1.0.0', OURS, { timeoutMs: 1000 }), TypeError);
  });
});

describe('publish, status, deprecate: help and usage errors (no registry needed)', () => {
  test('--help shows each usage and exits 0; missing arguments are usage errors (exit 2)', async () => {
    for (const name of ['publish', 'status', 'deprecate']) {
      const r = await runCli([name, '--help']);
      assert.equal(r.code, 0, name);
      assert.match(r.stdout, new RegExp(`Usage: napi-ship ${name}`));
    }
    const cases: [string[], RegExp][] = [
      [['status'], /status needs the version/],
      [['deprecate', '1.0.0', '--name', 'x'], /needs --message/],
      [['publish', 'extra'], /unexpected argument "extra"/],
      [['publish', '--access', 'secret'], /--access must be public or restricted/],
      [['publish', '--read-back-timeout', '0'], /--read-back-timeout/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
  });

  test('no release dir: refused with NS_PUBLISH_NO_RELEASE, exit 1, before any registry call', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-no-release-'));
    try {
      // Port 9 (discard) on loopback: nothing listens, and nothing must be asked.
      const r = await runCli(['publish', '--from', empty, '--registry', 'http://127.0.0.1:9/'], { env: { NO_COLOR: '1' } });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /NS_PUBLISH_NO_RELEASE/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
