/**
 * The Rust SBOM on cargo workspaces as napi-rs projects have them, built at test time:
 * - a sibling member enables an optional feature of a shared dependency that the addon does not:
 *   the addon's SBOM lists what `cargo tree -p ADDON --target T -e normal,build` shows, not the
 *   workspace-wide union;
 * - package.json beside a workspace-root Cargo.toml, the addon (the cdylib depending on napi) in napi/:
 *   found, not guessed; two such crates: an error listing both;
 * - no Cargo.lock (the napi-rs template git-ignores it): resolved in a scratch copy, nothing written
 *   into the tree, and the SBOM says it was resolved now, not locked.
 * The napi crate is the one in napi-ship's own Cargo.lock (in the local registry cache after the core build).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { generateSboms, readProjectInventories, type SpdxDocument } from '../src/sbom/index.js';
import { repoRoot } from './helpers/cli.js';
import { schemaErrors } from './helpers/spdx-validate.js';

const execFileAsync = promisify(execFile);
let scratch = '';
let napiVersion = '';
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-cargo-ws-'));
  const lock = await readFile(path.join(repoRoot, 'Cargo.lock'), 'utf8');
  napiVersion = /name = "napi"\nversion = "([^"]+)"/.exec(lock)?.[1] ?? '';
  assert.notEqual(napiVersion, '', "napi in napi-ship's Cargo.lock");
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function crate(dir: string, toml: string, lib = true): Promise<void> {
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await writeFile(path.join(dir, 'Cargo.toml'), toml);
  await writeFile(path.join(dir, 'src', lib ? 'lib.rs' : 'main.rs'), lib ? '' : 'fn main() {}\n');
}

const pkg = (name: string, extra = ''): string =>
  `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\nlicense = "MIT"\nauthors = ["Fixture <f@example.org>"]\n${extra}`;

/** A workspace: root Cargo.toml (virtual), napi/ (the addon), tool/ (a sibling enabling `shared/extra`), shared/, extra/. */
async function workspace(name: string, options: { secondAddon?: boolean } = {}): Promise<string> {
  const root = path.join(scratch, name);
  const members = ['napi', 'tool', 'shared', 'extra', ...(options.secondAddon === true ? ['napi2'] : [])];
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, 'Cargo.toml'), `[workspace]\nresolver = "2"\nmembers = [${members.map((m) => `"${m}"`).join(', ')}]\n`);
  await writeFile(
    path.join(root, 'package.json'),
    JSON.stringify({
      name,
      version: '0.1.0',
      license: 'MIT',
      napi: { binaryName: name, targets: ['x86_64-unknown-linux-gnu', 'x86_64-pc-windows-msvc'] },
    }),
  );
  await crate(
    path.join(root, 'napi'),
    pkg(
      `${name}-node`,
      `\n[lib]\ncrate-type = ["cdylib"]\n\n[dependencies]\nnapi = { version = "=${napiVersion}", default-features = false }\nshared = { path = "../shared" }\n`,
    ),
  );
  if (options.secondAddon === true)
    await crate(
      path.join(root, 'napi2'),
      pkg(
        `${name}-node2`,
        `\n[lib]\ncrate-type = ["cdylib"]\n\n[dependencies]\nnapi = { version = "=${napiVersion}", default-features = false }\n`,
      ),
    );
  await crate(
    path.join(root, 'tool'),
    pkg(`${name}-tool`, `\n[dependencies]\nshared = { path = "../shared", features = ["extra"] }\n`),
    false,
  );
  await crate(
    path.join(root, 'shared'),
    pkg('shared', `\n[dependencies]\nextra = { path = "../extra", optional = true }\n\n[features]\nextra = ["dep:extra"]\n`),
  );
  await crate(path.join(root, 'extra'), pkg('extra'));
  return root;
}

async function cargo(args: readonly string[], cwd: string): Promise<void> {
  try {
    await execFileAsync('cargo', [...args, '--offline'], { cwd });
  } catch {
    await execFileAsync('cargo', [...args], { cwd });
  }
}

describe('cargo workspaces', () => {
  test('the addon in napi/ is found beside a workspace-root Cargo.toml; a sibling-only feature is not in its graph', async () => {
    const root = await workspace('feat');
    await cargo(['generate-lockfile'], root);
    const inv = await readProjectInventories({ rootDir: root, fetch: true });
    assert.ok(inv.cargo);
    const names = inv.cargo.packages.map((p) => p.name);
    assert.equal(inv.cargo.packages.find((p) => p.isRoot)?.name, 'feat-node');
    assert.ok(names.includes('napi') && names.includes('shared'), names.join(', '));
    assert.ok(!names.includes('extra'), 'only the sibling tool enables shared/extra: the addon never compiles it');
    assert.ok(!names.includes('feat-tool'));
    assert.ok(
      inv.notes.some((n) => /feat-node \(napi\/Cargo\.toml\), the one workspace member/.test(n)),
      inv.notes.join('\n'),
    );
    // What cargo itself says the addon compiles, target by target.
    for (const target of ['x86_64-unknown-linux-gnu', 'x86_64-pc-windows-msvc']) {
      const { stdout } = await execFileAsync(
        'cargo',
        ['tree', '--offline', '-p', 'feat-node', '--target', target, '-e', 'normal,build', '--prefix', 'none', '-f', '{p}', '--no-dedupe'],
        { cwd: root, maxBuffer: 64 * 1024 * 1024 },
      );
      const expected = new Set(
        stdout
          .split('\n')
          .map((l) => /^(\S+) v(\S+)/.exec(l))
          .flatMap((m) => (m === null ? [] : [`${m[1] ?? ''}@${m[2] ?? ''}`])),
      );
      const listed: Set<string> = new Set(
        inv.cargo.packages.filter((p) => p.targets === undefined || p.targets.includes(target)).map((p) => `${p.name}@${p.version}`),
      );
      assert.deepEqual([...listed].sort(), [...expected].sort(), target);
    }
  });

  test('two cdylib crates depending on napi and nothing to choose: an error naming both; napiShip.sbom.cargoManifest chooses', async () => {
    const root = await workspace('two', { secondAddon: true });
    await cargo(['generate-lockfile'], root);
    await assert.rejects(readProjectInventories({ rootDir: root, fetch: true }), (error: unknown) => {
      const text = JSON.stringify(error, Object.getOwnPropertyNames(error));
      return (
        /NS_SBOM_CARGO_AMBIGUOUS/.test(text) && /two-node \(napi\/Cargo\.toml\)/.test(text) && /two-node2 \(napi2\/Cargo\.toml\)/.test(text)
      );
    });
    const m = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    m.napiShip = { sbom: { cargoManifest: 'napi2/Cargo.toml' } };
    await writeFile(path.join(root, 'package.json'), JSON.stringify(m));
    const inv = await readProjectInventories({ rootDir: root, fetch: true });
    assert.equal(inv.cargo?.packages.find((p) => p.isRoot)?.name, 'two-node2');
    // The build script's --manifest-path is read the same way.
    delete m.napiShip;
    m.scripts = { build: 'napi build --platform --release --manifest-path napi/Cargo.toml' };
    await writeFile(path.join(root, 'package.json'), JSON.stringify(m));
    const fromScript = await readProjectInventories({ rootDir: root, fetch: true });
    assert.equal(fromScript.cargo?.packages.find((p) => p.isRoot)?.name, 'two-node');
  });

  test('no Cargo.lock: resolved in a scratch copy, nothing written into the tree, the SBOM and the notes say "resolved now, not locked"', async () => {
    const root = await workspace('nolock');
    const inv = await readProjectInventories({ rootDir: root, fetch: true });
    assert.equal(existsSync(path.join(root, 'Cargo.lock')), false, 'no Cargo.lock written into the tree');
    assert.equal(existsSync(path.join(root, 'target')), false);
    assert.ok(inv.cargo?.packages.some((p) => p.name === 'napi'));
    assert.ok(inv.diagnostics.some((d) => d.code === 'NS_SBOM_CARGO_UNLOCKED' && d.severity === 'warning'));
    assert.ok(inv.notes.some((n) => /resolved now .*not locked/.test(n)));
    const out = path.join(scratch, 'nolock-out');
    await generateSboms({ rootDir: root, outDir: out, inventories: inv, sourceDateEpoch: 1_700_000_000 });
    const doc = JSON.parse(await readFile(path.join(out, 'sbom.rust.spdx.json'), 'utf8')) as SpdxDocument;
    assert.match(doc.comment ?? '', /resolved now .*not locked/);
    assert.deepEqual(schemaErrors(doc), []);
  });
});
