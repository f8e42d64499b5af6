import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from '../src/diagnostics/index.js';
import { loadPlan } from '../src/plan/index.js';
import { DEFAULT_TARGETS } from '../src/targets/index.js';
import { verifyRelease, type VerifyOutcome } from '../src/verify/index.js';
import { resolvePolicy, type PolicyOverrides } from '../src/verify/policy.js';
import { CORE_TARGETS, coreDir, runCli } from './helpers/cli.js';
import { buildFixtures, type FixtureName, type FixtureSet } from '../scripts/lib/fixtures.js';

/** Which real fixture binary stands in for each target's build. */
const GOOD: Record<string, FixtureName> = {
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
  'linux-x64-gnu': 'linux-x64-gnu',
  'linux-x64-musl': 'linux-x64-musl',
  'linux-arm64-gnu': 'linux-arm64-gnu',
  'linux-arm64-musl': 'linux-arm64-musl',
  'win32-x64-msvc': 'win32-x64-msvc',
  'win32-arm64-msvc': 'win32-arm64-msvc',
};

const LIBC: Record<string, string> = { gnu: 'glibc', musl: 'musl' };

let fixtures: FixtureSet;
let scratch = '';
let loaderTemplate = '';
let coreVersion = '';
let counter = 0;

before(async () => {
  fixtures = await buildFixtures();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-verify-'));
  loaderTemplate = await readFile(path.join(coreDir, 'index.js'), 'utf8');
  coreVersion = (JSON.parse(await readFile(path.join(coreDir, 'package.json'), 'utf8')) as { version: string }).version;
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

interface Layout {
  readonly dir: string;
  readonly npm: string;
}

/**
 * A staged release of `@fixture/addon@1.0.0` as `stage` leaves it: the root with exact pins and a
 * napi-rs loader, one platform package per target with its real fixture binary.
 */
async function stagedRelease(binaries: Record<string, FixtureName | null> = GOOD): Promise<Layout> {
  const dir = path.join(scratch, `release-${String(counter++)}`);
  const npm = path.join(dir, 'npm');
  await mkdir(npm, { recursive: true });
  const optionalDependencies: Record<string, string> = {};
  for (const abi of Object.keys(GOOD)) optionalDependencies[`@fixture/addon-${abi}`] = '1.0.0';
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: '@fixture/addon',
        version: '1.0.0',
        main: 'index.js',
        engines: { node: '>= 18' },
        napi: { binaryName: 'addon', packageName: '@fixture/addon', targets: CORE_TARGETS },
        optionalDependencies,
      },
      null,
      2,
    ),
  );
  // napi-rs's own generated loader, renamed for this package.
  await writeFile(
    path.join(dir, 'index.js'),
    loaderTemplate
      .replaceAll('@napi-ship/core', '@fixture/addon')
      .replaceAll('napi-ship-core.', 'addon.')
      .replaceAll(`!== '${coreVersion}'`, "!== '1.0.0'")
      .replaceAll(`expected ${coreVersion} but`, 'expected 1.0.0 but'),
  );
  for (const [abi, fixture] of Object.entries(binaries)) {
    if (fixture === null) continue;
    const [platform = '', arch = '', abiPart] = abi.split('-');
    const pkgDir = path.join(npm, abi);
    await mkdir(pkgDir, { recursive: true });
    const file = `addon.${abi}.node`;
    await copyFile(fixtures.fixtures[fixture].path, path.join(pkgDir, file));
    await writeFile(
      path.join(pkgDir, 'package.json'),
      JSON.stringify(
        {
          name: `@fixture/addon-${abi}`,
          version: '1.0.0',
          cpu: [arch],
          main: file,
          files: [file],
          os: [platform],
          ...(abiPart && LIBC[abiPart] ? { libc: [LIBC[abiPart]] } : {}),
        },
        null,
        2,
      ),
    );
  }
  return { dir, npm };
}

async function editJson(file: string, edit: (v: Record<string, unknown>) => void): Promise<void> {
  const v = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(v);
  await writeFile(file, JSON.stringify(v, null, 2));
}

async function verify(dir: string, flags: PolicyOverrides = {}): Promise<VerifyOutcome> {
  const plan = await loadPlan(dir);
  return verifyRelease(plan, resolvePolicy(plan.root.manifest, plan.root.config.verify, flags));
}

function errors(outcome: VerifyOutcome): [string, string | undefined][] {
  return outcome.diagnostics.filter((d: Diagnostic) => d.severity === 'error').map((d) => [d.code, d.target]);
}

describe('verify: the all-good path', () => {
  test('eight targets of real binaries pass every check', async () => {
    const { dir } = await stagedRelease();
    const outcome = await verify(dir);
    assert.deepEqual(errors(outcome), []);
    assert.equal(outcome.result.targets.length, 8);
    for (const t of outcome.result.targets) {
      assert.deepEqual(
        Object.values(t.checks).filter((m) => m === 'fail' || m === 'skip'),
        [],
        t.platformArchABI,
      );
      assert.ok(t.facts, t.platformArchABI);
    }
    assert.equal(outcome.result.policy.glibcMax, '2.28');
    const cli = await runCli(['verify', '--cwd', dir, '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as { ok: boolean }).ok, true);
  });

  test("napi-ship's own eight targets are napi-rs's triples (DEFAULT_TARGETS are a subset)", () => {
    for (const t of DEFAULT_TARGETS) assert.ok(CORE_TARGETS.includes(t), t);
  });
});

describe('verify: 1 present', () => {
  test('a missing platform package fails "present"', async () => {
    const { dir } = await stagedRelease({ ...GOOD, 'linux-arm64-musl': null });
    const outcome = await verify(dir);
    assert.deepEqual(errors(outcome), [['NS_VERIFY_MISSING_PACKAGE', 'linux-arm64-musl']]);
    assert.equal(outcome.result.targets.find((t) => t.platformArchABI === 'linux-arm64-musl')?.checks.present, 'fail');
  });

  test('an extra platform package dir is reported', async () => {
    const { dir, npm } = await stagedRelease();
    await mkdir(path.join(npm, 'freebsd-x64'));
    await writeFile(path.join(npm, 'freebsd-x64', 'package.json'), '{"name":"@fixture/addon-freebsd-x64","version":"1.0.0"}');
    assert.deepEqual(errors(await verify(dir)), [['NS_VERIFY_EXTRA_PACKAGE', undefined]]);
  });
});

describe('verify: 2 package fields', () => {
  const cases: [string, (v: Record<string, unknown>) => void, string][] = [
    [
      'name off the scheme',
      (v) => {
        v.name = '@fixture/addon-linux-x64';
      },
      'NS_VERIFY_NAME',
    ],
    [
      'another version',
      (v) => {
        v.version = '0.9.0';
      },
      'NS_VERIFY_VERSION',
    ],
    [
      'wrong os',
      (v) => {
        v.os = ['darwin'];
      },
      'NS_VERIFY_OS',
    ],
    [
      'wrong cpu',
      (v) => {
        v.cpu = ['arm64'];
      },
      'NS_VERIFY_CPU',
    ],
    [
      'libc missing on a linux-gnu package',
      (v) => {
        delete v.libc;
      },
      'NS_VERIFY_LIBC',
    ],
    [
      'main not the binary',
      (v) => {
        v.main = 'index.js';
        v.files = ['addon.linux-x64-gnu.node', 'index.js'];
      },
      'NS_VERIFY_MAIN',
    ],
  ];
  for (const [name, edit, code] of cases) {
    test(name, async () => {
      const { dir, npm } = await stagedRelease();
      await editJson(path.join(npm, 'linux-x64-gnu', 'package.json'), edit);
      if (code === 'NS_VERIFY_MAIN') await writeFile(path.join(npm, 'linux-x64-gnu', 'index.js'), '');
      const found = errors(await verify(dir));
      assert.deepEqual(
        found.filter(([c]) => c !== 'NS_BINARY_NO_NAPI_EXPORT' && !c.startsWith('NS_INSPECT')),
        [[code, 'linux-x64-gnu']],
      );
    });
  }

  test('a libc field on a Windows package is an error (npm refuses it there)', async () => {
    const { dir, npm } = await stagedRelease();
    await editJson(path.join(npm, 'win32-x64-msvc', 'package.json'), (v) => {
      v.libc = ['glibc'];
    });
    assert.deepEqual(errors(await verify(dir)), [['NS_VERIFY_LIBC', 'win32-x64-msvc']]);
  });
});

describe('verify: 3 the binary is what its target says', () => {
  test('a glibc binary in a -musl package', async () => {
    const { dir } = await stagedRelease({ ...GOOD, 'linux-x64-musl': 'linux-x64-gnu' });
    const outcome = await verify(dir);
    assert.deepEqual(errors(outcome), [['NS_BINARY_LIBC', 'linux-x64-musl']]);
    const d = outcome.diagnostics.find((x) => x.code === 'NS_BINARY_LIBC');
    assert.equal(d?.expected, 'musl');
    assert.equal(d.found, 'glibc');
    assert.match(d.hint, /x86_64-unknown-linux-musl/);
  });

  test('an x64 binary in an arm64 package', async () => {
    const { dir } = await stagedRelease({ ...GOOD, 'linux-arm64-gnu': 'linux-x64-gnu' });
    assert.deepEqual(errors(await verify(dir)), [['NS_BINARY_CPU', 'linux-arm64-gnu']]);
  });

  test('a MinGW DLL in an -msvc package', async () => {
    const { dir } = await stagedRelease({ ...GOOD, 'win32-x64-msvc': 'win32-x64-mingw' });
    assert.deepEqual(errors(await verify(dir)), [['NS_BINARY_CRT', 'win32-x64-msvc']]);
  });

  test('a Mach-O in a Linux package', async () => {
    const { dir } = await stagedRelease({ ...GOOD, 'linux-x64-gnu': 'darwin-x64' });
    const codes = errors(await verify(dir)).map(([c]) => c);
    assert.deepEqual(codes, ['NS_BINARY_FORMAT', 'NS_BINARY_OS']);
  });

  test("a corrupt .node fails with the inspector's code", async () => {
    const { dir, npm } = await stagedRelease();
    const file = path.join(npm, 'linux-x64-gnu', 'addon.linux-x64-gnu.node');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, 30));
    assert.deepEqual(errors(await verify(dir)), [['NS_INSPECT_E_TRUNCATED', 'linux-x64-gnu']]);
  });
});

describe('verify: 4 glibc ceiling and macOS minimum', () => {
  test('a GLIBC_2.34 symbol breaks the Node 18 floor of 2.28; --glibc-max 2.34 allows it', async () => {
    const { dir } = await stagedRelease({ ...GOOD, 'linux-x64-gnu': 'linux-x64-gnu-pthread' });
    const strict = await verify(dir);
    assert.deepEqual(errors(strict), [['NS_VERIFY_GLIBC_CEILING', 'linux-x64-gnu']]);
    assert.equal(strict.diagnostics.find((d) => d.code === 'NS_VERIFY_GLIBC_CEILING')?.found, 'GLIBC_2.34');
    assert.deepEqual(errors(await verify(dir, { glibcMax: '2.34' })), []);
    const cli = await runCli(['verify', '--cwd', dir, '--glibc-max', '2.34']);
    assert.equal(cli.code, 0, cli.stderr);
  });

  test('napiShip.verify.glibcMaxByTarget accepts a newer glibc for that target only; a key that is no target is a warning', async () => {
    // A real GLIBC_2.34 binary in linux-x64-gnu: accepted for that target only, without lifting the
    // 2.28 of the others (linux-arm64-gnu still holds to it).
    const { dir } = await stagedRelease({ ...GOOD, 'linux-x64-gnu': 'linux-x64-gnu-pthread', 'linux-arm64-gnu': 'linux-x64-gnu-pthread' });
    const before = errors(await verify(dir));
    assert.ok(before.some(([c, t]) => c === 'NS_VERIFY_GLIBC_CEILING' && t === 'linux-x64-gnu'));
    const hint = (await verify(dir)).diagnostics.find((d) => d.code === 'NS_VERIFY_GLIBC_CEILING' && d.target === 'linux-x64-gnu')?.hint;
    assert.match(hint ?? '', /glibcMaxByTarget \(e\.g\. \{ "x86_64-unknown-linux-gnu": "2\.34" \}\)/);
    await editJson(path.join(dir, 'package.json'), (v) => {
      v.napiShip = { verify: { glibcMaxByTarget: { 'x86_64-unknown-linux-gnu': '2.34', 'riscv64gc-unknown-linux-gnu': '2.39' } } };
    });
    const after = await verify(dir);
    assert.ok(!errors(after).some(([c, t]) => c === 'NS_VERIFY_GLIBC_CEILING' && t === 'linux-x64-gnu'), JSON.stringify(errors(after)));
    assert.ok(
      errors(after).some(([, t]) => t === 'linux-arm64-gnu'),
      'the other targets keep their ceiling',
    );
    assert.deepEqual(
      after.diagnostics
        .filter((d) => d.code === 'NS_CONFIG_INVALID')
        .map((d) => [d.severity, /riscv64gc-unknown-linux-gnu/.test(d.message)]),
      [['warning', true]],
    );
    const cli = await runCli(['verify', '--cwd', dir]);
    assert.match(cli.stdout, /policy: glibc ≤ 2\.28; x86_64-unknown-linux-gnu glibc ≤ 2\.34; riscv64gc-unknown-linux-gnu glibc ≤ 2\.39,/);
    // Below what the binary needs, the target's own ceiling is the one named.
    await editJson(path.join(dir, 'package.json'), (v) => {
      v.napiShip = { verify: { glibcMaxByTarget: { 'x86_64-unknown-linux-gnu': '2.31' } } };
    });
    const low = (await verify(dir)).diagnostics.find((d) => d.code === 'NS_VERIFY_GLIBC_CEILING' && d.target === 'linux-x64-gnu');
    assert.match(
      low?.message ?? '',
      /newer than the 2\.31 it must run on \(napiShip\.verify\.glibcMaxByTarget\["x86_64-unknown-linux-gnu"\]\)/,
    );
  });

  test('engines.node decides the default ceiling: Node 16 allows only glibc 2.17', async () => {
    const { dir } = await stagedRelease({ ...GOOD, 'linux-x64-gnu': 'linux-x64-gnu-pthread' });
    await editJson(path.join(dir, 'package.json'), (v) => {
      v.engines = { node: '>=16' };
    });
    const outcome = await verify(dir);
    assert.equal(outcome.result.policy.glibcMax, '2.17');
    assert.deepEqual(errors(outcome), [['NS_VERIFY_GLIBC_CEILING', 'linux-x64-gnu']]);
  });

  test('a macOS 10.13 build fails a --macos-min 10.12 policy; arm64 is never held below 11.0', async () => {
    const { dir } = await stagedRelease();
    assert.deepEqual(errors(await verify(dir, { macosMin: '10.12' })), [['NS_VERIFY_MACOS_MIN', 'darwin-x64']]);
  });
});

describe('verify: 5 napi export', () => {
  test('a shared object without napi_register_module_v1 fails', async () => {
    const { dir } = await stagedRelease({ ...GOOD, 'linux-x64-gnu': 'linux-x64-gnu-no-export' });
    const outcome = await verify(dir);
    assert.deepEqual(errors(outcome), [['NS_BINARY_NO_NAPI_EXPORT', 'linux-x64-gnu']]);
    assert.equal(outcome.result.targets.find((t) => t.platformArchABI === 'linux-x64-gnu')?.checks.napi, 'fail');
  });
});

describe('verify: 6 files', () => {
  test('a file named in `files` that does not exist', async () => {
    const { dir, npm } = await stagedRelease();
    await editJson(path.join(npm, 'darwin-x64', 'package.json'), (v) => {
      v.files = ['addon.darwin-x64.node', 'README.md'];
    });
    assert.deepEqual(errors(await verify(dir)), [['NS_VERIFY_FILE_MISSING', 'darwin-x64']]);
  });

  test('a symlinked binary', async () => {
    const { dir, npm } = await stagedRelease();
    const file = path.join(npm, 'darwin-x64', 'addon.darwin-x64.node');
    await rm(file);
    await symlink(fixtures.fixtures['darwin-x64'].path, file);
    assert.deepEqual(errors(await verify(dir)), [['NS_VERIFY_SYMLINK', 'darwin-x64']]);
  });

  test('a path that escapes the package', async () => {
    const { dir, npm } = await stagedRelease();
    await editJson(path.join(npm, 'darwin-x64', 'package.json'), (v) => {
      v.files = ['addon.darwin-x64.node', '../../package.json'];
    });
    assert.deepEqual(errors(await verify(dir)), [['NS_VERIFY_PATH_ESCAPE', 'darwin-x64']]);
  });
});

describe('verify: 7 root pins and loader', () => {
  test('a missing pin, a range instead of an exact pin, and a pin of no target', async () => {
    const { dir } = await stagedRelease();
    await editJson(path.join(dir, 'package.json'), (v) => {
      const deps = v.optionalDependencies as Record<string, string>;
      delete deps['@fixture/addon-win32-arm64-msvc'];
      deps['@fixture/addon-linux-x64-gnu'] = '^1.0.0';
      deps['@fixture/addon-freebsd-x64'] = '1.0.0';
    });
    assert.deepEqual(errors(await verify(dir)).sort(), [
      ['NS_VERIFY_PIN_EXTRA', undefined],
      ['NS_VERIFY_PIN_MISSING', 'win32-arm64-msvc'],
      ['NS_VERIFY_PIN_VERSION', 'linux-x64-gnu'],
    ]);
  });

  test('a loader that cannot resolve a target', async () => {
    const { dir } = await stagedRelease();
    const loader = path.join(dir, 'index.js');
    await writeFile(loader, (await readFile(loader, 'utf8')).replaceAll('linux-arm64-musl', 'linux-arm64-muslx'));
    assert.deepEqual(errors(await verify(dir)), [['NS_VERIFY_LOADER', 'linux-arm64-musl']]);
  });
});

describe('verify: 8 size', () => {
  test('over the warning size warns, over the error size fails', async () => {
    const { dir } = await stagedRelease();
    const warned = await verify(dir, { sizeWarn: 100, sizeError: 10_000_000 });
    assert.deepEqual(errors(warned), []);
    assert.equal(warned.diagnostics.filter((d) => d.code === 'NS_VERIFY_SIZE' && d.severity === 'warning').length, 8);
    const failed = await verify(dir, { sizeWarn: 100, sizeError: 200 });
    assert.equal(errors(failed).filter(([c]) => c === 'NS_VERIFY_SIZE').length, 8);
    const cli = await runCli(['verify', '--cwd', dir, '--max-size', '200', '--warn-size', '100']);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /error\[NS_VERIFY_SIZE\]/);
  });

  test('bad policy values are refused', async () => {
    const { dir } = await stagedRelease();
    const cli = await runCli(['verify', '--cwd', dir, '--glibc-max', 'new']);
    // Exit status from the code's class (docs/cli.md): NS_VERIFY_POLICY is usage (2), no longer 3.
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /NS_VERIFY_POLICY/);
    assert.equal((await runCli(['verify', '--cwd', dir, '--max-size', '-5'])).code, 2);
  });
});
