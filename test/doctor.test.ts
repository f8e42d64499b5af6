import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { diagnose, type DoctorReport } from '../src/build/doctor.js';
import type { BuildHost } from '../src/build/index.js';
import { loadPlan } from '../src/plan/index.js';
import { coreDir, runCli } from './helpers/cli.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';

let scratch = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-doctor-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function bareLinux(): BuildHost {
  return {
    triple: 'x86_64-unknown-linux-gnu',
    rustc: 'rustc 1.95.0',
    platform: 'linux',
    arch: 'x64',
    installedTargets: ['x86_64-unknown-linux-gnu'],
    tools: { zig: null, cargoZigbuild: null, cargoXwin: null },
    napiCrossTargets: ['x86_64-unknown-linux-gnu', 'aarch64-unknown-linux-gnu'],
    napiCross: { version: '1.0.0', usable: true, reason: '', cached: ['x86_64-unknown-linux-gnu'] },
    napiCli: { version: '3.10.12', entry: '/x/cli.js' },
  };
}

describe('doctor (pure)', () => {
  test('a fresh Linux machine: per target the toolchain, what is missing, and the exact commands', async () => {
    const plan = await loadPlan(coreDir);
    const r = diagnose(plan.targets, bareLinux(), {}, { toolsDir: '/t', qemu: false, arm64Sysroot: false });
    const row = (abi: string): DoctorReport['targets'][number] => {
      const t = r.targets.find((x) => x.target === abi);
      assert.ok(t, abi);
      return t;
    };
    assert.deepEqual([row('linux-x64-gnu').status, row('linux-x64-gnu').toolchain], ['ready', 'napi-cross']);
    const mac = row('darwin-arm64');
    assert.deepEqual([mac.status, mac.toolchain], ['missing', 'zig']);
    assert.deepEqual(
      mac.fixes.map((f) => f.command),
      [
        'rustup target add aarch64-apple-darwin',
        'python3 -m venv /t && /t/bin/pip install ziglang==0.14.1',
        'python3 -m venv /t && /t/bin/pip install cargo-zigbuild==0.24.1',
      ],
    );
    assert.deepEqual(
      row('linux-arm64-gnu').fixes.map((f) => f.command),
      ['rustup target add aarch64-unknown-linux-gnu'],
    );
    assert.deepEqual(
      row('win32-x64-msvc').fixes.map((f) => f.command),
      ['rustup target add x86_64-pc-windows-msvc', 'cargo install --locked cargo-xwin'],
    );
    assert.deepEqual(
      r.emulation.map((f) => f.command),
      ['sudo apt-get install --no-install-recommends qemu-user libc6-arm64-cross libstdc++6-arm64-cross'],
    );
    assert.ok(r.targets.every((t) => t.fixes.every((f) => f.installable)));
  });
});

describe('napi-ship doctor', () => {
  test('on the core here (setup.sh ran): six targets ready, MSVC missing cargo-xwin with the command; exit 3; --json', async () => {
    const r = await runCli(['doctor', '--cwd', coreDir, '--json']);
    assert.equal(r.code, 3, r.stderr);
    const report = JSON.parse(r.stdout) as DoctorReport & { installed: null };
    assert.equal(report.installed, null);
    const ready = report.targets.filter((t) => t.status === 'ready').map((t) => t.target);
    assert.deepEqual(ready.sort(), [
      'darwin-arm64',
      'darwin-x64',
      'linux-arm64-gnu',
      'linux-arm64-musl',
      'linux-x64-gnu',
      'linux-x64-musl',
    ]);
    const msvc = report.targets.find((t) => t.target === 'win32-x64-msvc');
    assert.equal(msvc?.status, 'missing');
    assert.ok(msvc.fixes.some((f) => f.command === 'cargo install --locked cargo-xwin'));
    const text = await runCli(['doctor', '--cwd', coreDir]);
    assert.match(text.stdout, /6 of 8 targets can build here\. Next: napi-ship doctor --install/);
    assert.match(text.stdout, /\* cargo install --locked cargo-xwin/);
  });

  test('--install puts zig and cargo-zigbuild into the tools dir (PyPI) and says what it did; then the musl target is ready', async () => {
    const dir = path.join(scratch, 'musl-only');
    await writeRootPackage(dir, { name: '@fixture/musl', binaryName: 'addon', targets: ['x86_64-unknown-linux-musl'] });
    const tools = path.join(scratch, 'tools');
    const env = { ...process.env, NAPI_SHIP_TOOLS_DIR: tools };
    const before = await runCli(['doctor', '--cwd', dir, '--json'], { env });
    assert.equal(before.code, 3, before.stderr);
    const first = JSON.parse(before.stdout) as DoctorReport;
    assert.equal(first.targets[0]?.status, 'missing');
    assert.deepEqual(first.targets[0].fixes.map((f) => f.what).sort(), ['cargo-zigbuild', 'zig']);
    const r = await runCli(['doctor', '--cwd', dir, '--install'], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /doctor --install did:\n(?: {2}✓ .*\n)* {2}✓ .*\/pip install --disable-pip-version-check ziglang==0\.14\.1 cargo-zigbuild==0\.24\.1/,
    );
    assert.match(r.stdout, /✓ write .*\/bin\/zig/);
    assert.match(r.stdout, /linux-x64-musl\s+ready\s+zig/);
    assert.ok(existsSync(path.join(tools, 'bin', 'zig')));
    assert.ok(existsSync(path.join(tools, 'bin', 'cargo-zigbuild')));
  });
});
