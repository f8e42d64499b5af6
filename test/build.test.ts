import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chooseToolchain, selectTargets, type BuildHost, type BuildResult } from '../src/build/index.js';
import type { Diagnostic } from '../src/diagnostics/index.js';

/** What `napi-ship build --json` prints: the build outcome's result and its diagnostics. */
type BuildJson = BuildResult & { readonly diagnostics: readonly Diagnostic[] };
import { makeStaging, placeOutputs, removeStaging, removeStaleStaging, STAGING_OWNER, STAGING_PREFIX } from '../src/build/outputs.js';
import { loadPlan } from '../src/plan/index.js';
import { releaseDryRun } from '../src/release/dry-run.js';
import { renderMarkdown, reportRows } from '../src/report/index.js';
import { lookupTarget, type TargetSpec } from '../src/targets/index.js';
import { CORE_TARGETS, coreDir, repoRoot, runCli } from './helpers/cli.js';

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-build-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function spec(triple: string): TargetSpec {
  const s = lookupTarget(triple);
  assert.ok(s, triple);
  return s;
}

const NAPI_CROSS = [
  'armv7-unknown-linux-gnueabihf',
  'aarch64-unknown-linux-gnu',
  'x86_64-unknown-linux-gnu',
  's390x-unknown-linux-gnu',
  'powerpc64le-unknown-linux-gnu',
];

/** A Linux x64 machine with every Rust target and cross tool installed. */
function linuxHost(overrides: Partial<BuildHost> = {}): BuildHost {
  return {
    triple: 'x86_64-unknown-linux-gnu',
    rustc: 'rustc 1.95.0 (59807616e 2026-04-14)',
    platform: 'linux',
    arch: 'x64',
    installedTargets: [...CORE_TARGETS, 'armv7-unknown-linux-gnueabihf', 'x86_64-unknown-freebsd'],
    tools: { zig: '0.14.1', cargoZigbuild: 'cargo-zigbuild 0.20.1', cargoXwin: 'cargo-xwin 0.19.0' },
    napiCrossTargets: NAPI_CROSS,
    napiCross: { version: '1.0.0', usable: true, reason: '', cached: ['x86_64-unknown-linux-gnu'] },
    napiCli: { version: '3.10.12', entry: '/x/@napi-rs/cli/dist/index.cjs' },
    ...overrides,
  };
}

describe('toolchain choice (pure)', () => {
  test('on Linux x64 with everything installed: napi-cross for glibc, zig for musl and macOS, xwin for MSVC', () => {
    const host = linuxHost();
    const pick = (t: string): string => {
      const c = chooseToolchain(spec(t), host);
      return c.kind === 'build' ? c.toolchain : `skip: ${c.reason}`;
    };
    assert.equal(pick('x86_64-unknown-linux-gnu'), 'napi-cross');
    assert.equal(pick('aarch64-unknown-linux-gnu'), 'napi-cross');
    assert.equal(pick('armv7-unknown-linux-gnueabihf'), 'napi-cross');
    assert.equal(pick('x86_64-unknown-linux-musl'), 'zig');
    assert.equal(pick('aarch64-unknown-linux-musl'), 'zig');
    assert.equal(pick('x86_64-unknown-freebsd'), 'zig');
    assert.equal(pick('x86_64-pc-windows-msvc'), 'xwin');
    assert.equal(pick('aarch64-pc-windows-msvc'), 'xwin');
    assert.equal(pick('aarch64-apple-darwin'), 'zig');
    assert.equal(pick('x86_64-apple-darwin'), 'zig');
    assert.match(pick('universal-apple-darwin'), /^skip: .*napi universalize/);
    assert.match(pick('x86_64-pc-windows-gnu'), /^skip: no cross toolchain for x86_64-pc-windows-gnu/);
  });

  test('macOS from Linux: MACOSX_DEPLOYMENT_TARGET 11.0 arm64 / 10.13 x64, or the project setting, or the user env untouched', () => {
    const host = linuxHost();
    const arm = chooseToolchain(spec('aarch64-apple-darwin'), host);
    assert.equal(arm.kind, 'build');
    assert.deepEqual(arm.env, { MACOSX_DEPLOYMENT_TARGET: '11.0' });
    assert.equal(arm.target, 'aarch64-apple-darwin');
    assert.match(arm.note, /without an Apple SDK.*macOS runner/);
    const x64 = chooseToolchain(spec('x86_64-apple-darwin'), host);
    assert.deepEqual(x64.kind === 'build' ? x64.env : null, { MACOSX_DEPLOYMENT_TARGET: '10.13' });
    const project = chooseToolchain(spec('x86_64-apple-darwin'), host, { macosDeploymentTarget: '10.15' });
    assert.deepEqual(project.kind === 'build' ? project.env : null, { MACOSX_DEPLOYMENT_TARGET: '10.15' });
    const user = chooseToolchain(spec('x86_64-apple-darwin'), host, { env: { MACOSX_DEPLOYMENT_TARGET: '12.0' } });
    assert.deepEqual(user.kind === 'build' ? user.env : null, {});
    const noZig = chooseToolchain(spec('aarch64-apple-darwin'), linuxHost({ tools: { zig: null, cargoZigbuild: null, cargoXwin: null } }));
    assert.equal(noZig.kind, 'skip');
    assert.match(noZig.reason, /zig not found.*or build it on a macOS runner/);
  });

  test('musl: cargo-zigbuild with -crt-static in RUSTFLAGS (kept with the user RUSTFLAGS)', () => {
    const musl = chooseToolchain(spec('aarch64-unknown-linux-musl'), linuxHost());
    assert.deepEqual(musl.kind === 'build' ? [musl.toolchain, musl.target, musl.env] : null, [
      'zig',
      'aarch64-unknown-linux-musl',
      { RUSTFLAGS: '-C target-feature=-crt-static' },
    ]);
    const user = chooseToolchain(spec('x86_64-unknown-linux-musl'), linuxHost(), { env: { RUSTFLAGS: '-C opt-level=s' } });
    assert.deepEqual(user.kind === 'build' ? user.env : null, { RUSTFLAGS: '-C opt-level=s -C target-feature=-crt-static' });
  });

  test('napi-cross that cannot run on this Node (its lzma): zig with the glibc floor as a target suffix; the host builds natively, saying why', () => {
    const reason = '@napi-rs/cross-toolchain 1.0.6 unpacks its toolchains with @napi-rs/lzma 1.5.0, which does not load on Node 20.20.2';
    const host = linuxHost({ napiCross: { version: '1.0.6', usable: false, reason, cached: [] } });
    const arm = chooseToolchain(spec('aarch64-unknown-linux-gnu'), host);
    assert.equal(arm.kind, 'build');
    assert.equal(arm.toolchain, 'zig');
    assert.equal(arm.target, 'aarch64-unknown-linux-gnu.2.17');
    assert.ok(arm.note.includes(reason), arm.note);
    assert.equal(arm.fallback, undefined);
    const own = chooseToolchain(spec('x86_64-unknown-linux-gnu'), host);
    assert.equal(own.toolchain, 'native');
    assert.ok(own.kind === 'build' && own.note.includes(reason));
    const floor = chooseToolchain(spec('aarch64-unknown-linux-gnu'), host, { glibcFloor: '2.28' });
    assert.equal(floor.kind === 'build' ? floor.target : null, 'aarch64-unknown-linux-gnu.2.28');
  });

  test('napi-cross for a target whose toolchain is not unpacked yet carries a zig fallback; a cached one does not', () => {
    const fresh = chooseToolchain(spec('aarch64-unknown-linux-gnu'), linuxHost());
    assert.equal(fresh.kind, 'build');
    assert.equal(fresh.toolchain, 'napi-cross');
    assert.equal(fresh.target, 'aarch64-unknown-linux-gnu');
    assert.deepEqual(fresh.fallback && [fresh.fallback.toolchain, fresh.fallback.target], ['zig', 'aarch64-unknown-linux-gnu.2.17']);
    const cached = chooseToolchain(
      spec('aarch64-unknown-linux-gnu'),
      linuxHost({ napiCross: { version: '1.0.0', usable: true, reason: '', cached: ['aarch64-unknown-linux-gnu'] } }),
    );
    assert.equal(cached.kind === 'build' ? cached.fallback : 'skip', undefined);
  });

  test('a missing Rust target or tool skips the target with what to install, keeping the toolchain it would take', () => {
    const noArm = linuxHost({ installedTargets: ['x86_64-unknown-linux-gnu'] });
    assert.deepEqual(chooseToolchain(spec('aarch64-unknown-linux-gnu'), noArm), {
      kind: 'skip',
      toolchain: 'napi-cross',
      reason: 'rust target aarch64-unknown-linux-gnu not installed (rustup target add aarch64-unknown-linux-gnu)',
    });
    const noZig = linuxHost({ tools: { zig: null, cargoZigbuild: null, cargoXwin: 'cargo-xwin 0.19.0' } });
    const musl = chooseToolchain(spec('x86_64-unknown-linux-musl'), noZig);
    assert.equal(musl.kind, 'skip');
    assert.equal(musl.toolchain, 'zig');
    assert.match(
      musl.reason,
      /^zig not found on PATH .*; cargo-zigbuild not installed \(napi-ship doctor --install, or pip install cargo-zigbuild\)$/,
    );
    const noXwin = linuxHost({ tools: { zig: '0.14.1', cargoZigbuild: 'cargo-zigbuild 0.20.1', cargoXwin: null } });
    const msvc = chooseToolchain(spec('x86_64-pc-windows-msvc'), noXwin);
    assert.equal(msvc.kind, 'skip');
    assert.equal(msvc.toolchain, 'xwin');
    assert.match(
      msvc.reason,
      /^cargo-xwin not installed \(cargo install --locked cargo-xwin; it downloads Microsoft's CRT .*Windows runner$/,
    );
  });

  test('the host target builds natively when napi-cross has no toolchain here, and says what that means', () => {
    const c = chooseToolchain(spec('x86_64-unknown-linux-gnu'), linuxHost({ napiCrossTargets: [] }));
    assert.equal(c.kind, 'build');
    assert.equal(c.toolchain, 'native');
    assert.match(c.note, /glibc floor is this machine's/);
  });

  test('macOS and Windows hosts build their own platform natively', () => {
    const mac = linuxHost({ triple: 'aarch64-apple-darwin', platform: 'darwin', arch: 'arm64', napiCrossTargets: [] });
    assert.deepEqual(chooseToolchain(spec('aarch64-apple-darwin'), mac), {
      kind: 'build',
      toolchain: 'native',
      target: 'aarch64-apple-darwin',
      env: {},
      note: '',
    });
    assert.equal(chooseToolchain(spec('x86_64-apple-darwin'), mac).toolchain, 'native');
    assert.equal(chooseToolchain(spec('x86_64-unknown-linux-gnu'), mac).toolchain, 'zig');
    const win = linuxHost({ triple: 'x86_64-pc-windows-msvc', platform: 'win32', napiCrossTargets: [] });
    assert.equal(chooseToolchain(spec('aarch64-pc-windows-msvc'), win).toolchain, 'native');
  });

  test('no rustc or no @napi-rs/cli: every target is skipped with that reason', () => {
    const noRust = chooseToolchain(spec('x86_64-unknown-linux-gnu'), linuxHost({ triple: null, rustc: null }));
    assert.equal(noRust.kind, 'skip');
    assert.match(noRust.reason, /rustc not found/);
    const noCli = chooseToolchain(spec('x86_64-unknown-linux-gnu'), linuxHost({ napiCli: null }));
    assert.match(noCli.kind === 'skip' ? noCli.reason : '', /@napi-rs\/cli not found/);
  });
});

describe('build outputs', () => {
  test('each output is renamed from the staging dir over its place; one written elsewhere stays; the staging dir goes', async () => {
    const pkg = path.join(scratch, 'outputs-pkg');
    await mkdir(pkg, { recursive: true });
    await writeFile(path.join(pkg, 'addon.linux-x64-gnu.node'), 'old binary');
    await writeFile(path.join(pkg, 'index.js'), '/* auto-generated by NAPI-RS */ old loader');
    const staging = await makeStaging(pkg);
    assert.equal(path.dirname(staging), pkg);
    assert.ok(path.basename(staging).startsWith(STAGING_PREFIX));
    await mkdir(path.join(staging, 'types'), { recursive: true });
    await writeFile(path.join(staging, 'addon.linux-x64-gnu.node'), 'new binary');
    await writeFile(path.join(staging, 'index.js'), '/* auto-generated by NAPI-RS */ new loader');
    await writeFile(path.join(staging, 'types', 'index.d.ts'), 'new typings');
    const elsewhere = path.join(scratch, 'elsewhere.d.ts');
    await writeFile(elsewhere, 'typings elsewhere');
    const placed = await placeOutputs(staging, pkg, [
      { kind: 'node', path: path.join(staging, 'addon.linux-x64-gnu.node') },
      { kind: 'js', path: path.join(staging, 'index.js') },
      { kind: 'dts', path: path.join(staging, 'types', 'index.d.ts') },
      { kind: 'dts', path: elsewhere },
    ]);
    assert.deepEqual(placed, [
      { kind: 'node', path: path.join(pkg, 'addon.linux-x64-gnu.node') },
      { kind: 'js', path: path.join(pkg, 'index.js') },
      { kind: 'dts', path: path.join(pkg, 'types', 'index.d.ts') },
      { kind: 'dts', path: elsewhere },
    ]);
    assert.equal(await readFile(path.join(pkg, 'addon.linux-x64-gnu.node'), 'utf8'), 'new binary');
    assert.equal(await readFile(path.join(pkg, 'index.js'), 'utf8'), '/* auto-generated by NAPI-RS */ new loader');
    assert.equal(await readFile(path.join(pkg, 'types', 'index.d.ts'), 'utf8'), 'new typings');
    assert.equal(await readFile(elsewhere, 'utf8'), 'typings elsewhere');
    await removeStaging(staging);
    assert.deepEqual(readdirSync(pkg).sort(), ['addon.linux-x64-gnu.node', 'index.js', 'types']);
  });
});

describe('staging dirs a killed build left behind', () => {
  test("the next build removes them (the owner is gone, or no owner and over an hour old); a live build's stays", async () => {
    const pkg = path.join(scratch, 'stale-pkg');
    await mkdir(pkg, { recursive: true });
    // A child that has exited: its pid is free (a dead owner).
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    const mk = async (name: string, owner: string | null): Promise<string> => {
      const dir = path.join(pkg, `${STAGING_PREFIX}${name}`);
      await mkdir(dir);
      await writeFile(path.join(dir, 'addon.linux-x64-gnu.node'), 'half a binary');
      if (owner !== null) await writeFile(path.join(dir, STAGING_OWNER), owner);
      return dir;
    };
    await mk('killed', `${String(deadPid)}\n`);
    await mk('live', `${String(process.pid)}\n`);
    const young = await mk('young-no-owner', null);
    const old = await mk('old-no-owner', null);
    const hourAgo = (Date.now() - 2 * 3_600_000) / 1000;
    await utimes(old, hourAgo, hourAgo);
    await writeFile(path.join(pkg, `${STAGING_PREFIX}a-file`), 'not a dir: not ours to remove');
    const staging = await makeStaging(pkg);
    assert.equal(await readFile(path.join(staging, STAGING_OWNER), 'utf8'), `${String(process.pid)}\n`);
    assert.deepEqual(
      readdirSync(pkg).sort(),
      [`${STAGING_PREFIX}a-file`, `${STAGING_PREFIX}live`, path.basename(staging), path.basename(young)].sort(),
    );
    await removeStaging(staging);
    assert.deepEqual(await removeStaleStaging(pkg, Date.now() + 2 * 3_600_000), [young]);
  });
});

describe('target selection', () => {
  test('triples, napi-rs aliases and platform-arch-abi names; unknown and unconfigured names reported', async () => {
    const plan = await loadPlan(coreDir);
    const all = selectTargets(plan, []);
    assert.equal(all.targets.length, 8);
    const some = selectTargets(plan, [
      'linux-x64-gnu',
      'aarch64-apple-darwin',
      'x86_64-unknown-linux-gnu',
      'riscv64gc-unknown-linux-gnu',
      'no-such-target',
    ]);
    assert.deepEqual(
      some.targets.map((t) => t.spec.triple),
      ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin'],
    );
    assert.deepEqual(some.unknown, ['no-such-target']);
    assert.deepEqual(some.notConfigured, ['riscv64gc-unknown-linux-gnu']);
  });
});

function gitStatus(): string {
  return execFileSync('git', ['status', '--porcelain', '--', 'crates/napi-ship-node', 'npm'], { cwd: repoRoot, encoding: 'utf8' });
}

describe('napi-ship build on this machine', () => {
  test('builds the host target with napi-cross and five more with cargo-zigbuild through @napi-rs/cli; MSVC skipped with why', async () => {
    const before = gitStatus();
    // While napi-ship rebuilds the core in place, its binary, loader and typings never go missing
    // (other tests, and any process a user runs meanwhile, read them).
    const watched = ['napi-ship-core.linux-x64-gnu.node', 'index.js', 'index.d.ts'].map((f) => path.join(coreDir, f));
    const run = { building: true };
    let polls = 0;
    const missing = new Set<string>();
    const watcher = (async () => {
      while (run.building && polls < 2_000_000) {
        for (const file of watched) {
          polls += 1;
          if (!existsSync(file)) missing.add(file);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const r = await runCli(['build', '--cwd', coreDir, '--json']);
    run.building = false;
    await watcher;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(polls > 100, `the outputs were looked at while the build ran (${polls} polls)`);
    assert.deepEqual([...missing], [], 'no output was ever missing during the build');
    assert.deepEqual(
      readdirSync(coreDir).filter((f) => f.startsWith('.napi-ship-build-')),
      [],
      'the staging dir is removed',
    );
    const outcome = JSON.parse(r.stdout) as BuildJson;
    assert.equal(gitStatus(), before, 'napi build regenerates the committed loader and typings byte for byte');
    assert.equal(outcome.profile, 'release');
    assert.equal(outcome.manifestPath, path.join(coreDir, 'Cargo.toml'));
    assert.deepEqual(
      outcome.targets.map((t) => t.triple),
      [...CORE_TARGETS],
    );
    assert.match(outcome.host.napiCli?.version ?? '', /^3\./);

    const host = outcome.targets.find((t) => t.triple === 'x86_64-unknown-linux-gnu');
    assert.ok(host);
    assert.equal(host.status, 'built', host.reason);
    assert.equal(host.toolchain, 'napi-cross');
    assert.equal(host.output, path.join(coreDir, 'napi-ship-core.linux-x64-gnu.node'));
    assert.ok((await stat(host.output)).size > 0);
    assert.match(host.rustc ?? '', /^rustc \d+\.\d+\.\d+/);
    assert.equal(
      host.command,
      'TARGET_CC=clang napi build --platform --release --use-napi-cross',
      "the host target is built as the package's own build script builds it",
    );
    assert.ok(host.durationMs > 0);
    assert.deepEqual(outcome.diagnostics, []);

    // setup.sh installs the Rust targets, zig and cargo-zigbuild: six of the eight build here,
    // each read back by inspect; the two MSVC targets need cargo-xwin (Microsoft's CRT download).
    const built = (abi: string): NonNullable<BuildJson['targets'][number]> => {
      const t = outcome.targets.find((x) => x.platformArchABI === abi);
      assert.ok(t, abi);
      assert.equal(t.status, 'built', `${abi}: ${t.reason}`);
      assert.ok(t.output !== null && existsSync(t.output), abi);
      return t;
    };
    const darwinArm = built('darwin-arm64');
    assert.equal(darwinArm.toolchain, 'zig');
    assert.match(darwinArm.binary ?? '', /^Mach-O arm64, macOS 11\.0$/);
    // The build script's own variables (TARGET_CC=clang, for libdeflate's C) come first, then the toolchain's.
    assert.deepEqual(darwinArm.env, { TARGET_CC: 'clang', MACOSX_DEPLOYMENT_TARGET: '11.0' });
    assert.match(built('darwin-x64').binary ?? '', /^Mach-O x64, macOS 10\.13$/);
    for (const abi of ['linux-x64-musl', 'linux-arm64-musl']) {
      const t = built(abi);
      assert.equal(t.toolchain, 'zig');
      assert.match(t.binary ?? '', /musl/);
    }
    const arm = built('linux-arm64-gnu');
    assert.match(
      arm.binary ?? '',
      /^ELF arm64, glibc 2\.(1[0-7]|[0-9])\b/,
      'the arm64 glibc build keeps the 2.17 floor, whichever toolchain made it',
    );
    for (const abi of ['win32-x64-msvc', 'win32-arm64-msvc']) {
      const t = outcome.targets.find((x) => x.platformArchABI === abi);
      assert.equal(t?.status, 'skipped');
      assert.match(t.reason, /cargo-xwin not installed .*Microsoft's CRT/);
    }
  });

  test('a target asked for by name that cannot build here: skipped with why, exit 1; text output names it', async () => {
    const r = await runCli(['build', '--cwd', coreDir, '--target', 'x86_64-pc-windows-msvc']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /win32-x64-msvc\s+skipped\s+xwin\s+.*cargo-xwin not installed/);
    assert.match(r.stderr, /win32-x64-msvc skipped: .*cargo-xwin not installed/);
  });

  test('usage errors exit 2: an unknown target, a target not in napi.targets, --release with --debug, a bad --log-format', async () => {
    const unknown = await runCli(['build', '--cwd', coreDir, '--target', 'x86_64-unknown-linux-gnu', '--target', 'sparc-sun-nowhere']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown target "sparc-sun-nowhere"/);
    assert.match(unknown.stderr, /Usage: napi-ship build/);
    const unconfigured = await runCli(['build', '--cwd', coreDir, '-t', 'riscv64gc-unknown-linux-gnu']);
    assert.equal(unconfigured.code, 2);
    assert.match(unconfigured.stderr, /riscv64gc-unknown-linux-gnu not in napi.targets/);
    const both = await runCli(['build', '--cwd', coreDir, '--release', '--debug']);
    assert.equal(both.code, 2);
    const format = await runCli(['build', '--cwd', coreDir, '--log-format', 'xml']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--log-format must be text or json/);
  });

  test('a root package without Cargo.toml: environment error (exit 3), nothing built', async () => {
    const dir = path.join(scratch, 'no-crate');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'no-crate', version: '1.0.0', napi: { binaryName: 'x', targets: ['x86_64-unknown-linux-gnu'] } }),
    );
    const r = await runCli(['build', '--cwd', dir, '--json']);
    assert.equal(r.code, 3, r.stderr);
    const outcome = JSON.parse(r.stdout) as BuildJson;
    assert.equal(outcome.manifestPath, null);
    assert.deepEqual(
      outcome.diagnostics.map((d) => d.code),
      ['NS_BUILD_NO_CRATE'],
    );
    assert.deepEqual(
      outcome.targets.map((t) => t.status),
      ['skipped'],
    );
  });
});

describe('a crate that does not compile', () => {
  test("build: failed with cargo's error as the reason, NS_BUILD_FAILED, exit 1; the dry run counts it and is not publishable", async () => {
    const dir = path.join(scratch, 'broken');
    await mkdir(path.join(dir, 'src'), { recursive: true });
    await writeFile(
      path.join(dir, 'Cargo.toml'),
      '[package]\nname = "broken-addon"\nversion = "0.1.0"\nedition = "2021"\n\n[lib]\ncrate-type = ["cdylib"]\n\n[workspace]\n',
    );
    await writeFile(path.join(dir, 'src', 'lib.rs'), 'pub fn broken() -> u32 { not_defined_anywhere }\n');
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify(
        {
          name: '@fixture/broken',
          version: '1.0.0',
          license: 'MIT',
          main: 'index.js',
          files: ['index.js'],
          napi: { binaryName: 'broken', packageName: '@fixture/broken', targets: ['x86_64-unknown-linux-gnu', 'aarch64-apple-darwin'] },
        },
        null,
        2,
      ),
    );
    const r = await runCli(['build', '--cwd', dir, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const outcome = JSON.parse(r.stdout) as BuildJson;
    const host = outcome.targets.find((t) => t.triple === 'x86_64-unknown-linux-gnu');
    assert.equal(host?.status, 'failed');
    assert.equal(host.toolchain, 'napi-cross');
    assert.match(host.reason, /Build failed with exit code \d+: error\[E0425\]: cannot find value `not_defined_anywhere`/);
    assert.equal(host.output, null);
    assert.equal(existsSync(path.join(dir, 'broken.linux-x64-gnu.node')), false);
    // Every target that could build here (darwin-arm64 too, where zig is installed) fails with the same crate error.
    const failed = outcome.targets.filter((t) => t.status === 'failed').map((t) => `NS_BUILD_FAILED ${t.platformArchABI}`);
    assert.ok(failed.includes('NS_BUILD_FAILED linux-x64-gnu'));
    assert.deepEqual(
      outcome.diagnostics.map((d) => `${d.code} ${d.target ?? ''}`),
      failed,
    );
    assert.match(r.stderr, /linux-x64-gnu failed/);

    {
      const dry = await releaseDryRun({ cwd: dir, outDir: path.join(scratch, 'broken-out'), rehearsal: false });
      assert.equal(dry.run.stages.build?.result.targets.find((t) => t.platformArchABI === 'linux-x64-gnu')?.status, 'failed');
      assert.equal(dry.summary.publishable, false);
      assert.ok(dry.summary.errors >= 1, 'a failed build is an error even though its target then has no binary');
      const row = reportRows(dry.run).find((x) => x.target === 'linux-x64-gnu');
      assert.equal(row?.build, 'fail');
      assert.match(row.note, /build failed: Build failed with exit code/);
      const md = renderMarkdown(dry.run);
      assert.match(md, /\| `linux-x64-gnu` \| ❌ failed \| napi-cross \| Build failed with exit code/);
      assert.match(md, /error\[NS_BUILD_FAILED\] linux-x64-gnu/);
    }
  });
});
