/**
 * `pnpm release:self`: napi-ship releasing itself with itself (see docs/releasing.md and
 * scripts/lib/release-self.ts). A thin shell: options in, progress on stderr, a summary (or `--json`)
 * on stdout; exit 0 done, 1 a check failed, 2 usage.
 *
 *   pnpm release:self                                 # stage, verify, pack, SBOM, sign; publish nothing
 *   pnpm release:self -- --registry URL --key FILE    # and publish: the core, then napi-ship
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { diagnosticLines, releaseSelf } from './lib/release-self.js';

const USAGE = `usage: pnpm release:self [-- --registry URL [--key FILE] [--tag TAG] [--partial]] [--out DIR] [--json]

Releases @napi-ship/core (crates/napi-ship-node, the binaries already built there), its platform
packages and napi-ship through napi-ship's own pipeline. Without --registry nothing is published.

  --registry URL  publish to this registry (the core's release first, napi-ship's last)
  --key FILE      sign both release manifests with this Ed25519 key (napi-ship keygen); required
                  off loopback, else a throwaway key
  --tag TAG       dist-tag to move (default latest)
  --partial       release only the core targets built here (test registries on loopback only)
  --out DIR       where the staging copies and release dirs go (default dist/release-self)
  --json          the result as JSON on stdout

examples:
  pnpm release:self
  pnpm release:self -- --registry http://127.0.0.1:4873/ --partial
  pnpm release:self -- --registry https://registry.npmjs.org/ --key ~/.napi-ship/release.key
`;

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let values: { registry?: string; key?: string; tag?: string; partial?: boolean; out?: string; json?: boolean; help?: boolean };
try {
  values = parseArgs({
    options: {
      registry: { type: 'string' },
      key: { type: 'string' },
      tag: { type: 'string' },
      partial: { type: 'boolean' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  }).values;
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)}\n${USAGE.split('\n')[0] ?? ''}\n`);
  process.exit(2);
}
if (values.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const result = await releaseSelf({
  repoDir: repo,
  registry: values.registry ?? null,
  ...(values.out === undefined ? {} : { outDir: path.resolve(values.out) }),
  ...(values.key === undefined ? {} : { keyFile: values.key }),
  ...(values.tag === undefined ? {} : { tag: values.tag }),
  partial: values.partial === true,
  log: (line) => {
    process.stderr.write(`› ${line}\n`);
  },
});

if (values.json === true) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} else {
  for (const line of diagnosticLines(result.diagnostics)) process.stdout.write(line + '\n');
  for (const p of result.problems) process.stdout.write(`error: ${p}\n`);
  const releases = [result.core, result.napiShip].filter((r) => r !== null);
  for (const r of releases) {
    process.stdout.write(`\n${r.name}@${r.version} (${r.releaseDir})\n`);
    for (const p of r.packages) process.stdout.write(`  ${p.name}@${p.version}  ${p.integrity}\n`);
  }
  if (result.targets.left.length > 0) process.stdout.write(`\ncore targets not in this release: ${result.targets.left.join(', ')}\n`);
  if (!result.ok) process.stdout.write('\nNot released: fix the errors above and run it again.\n');
  else if (values.registry === undefined) {
    process.stdout.write('\nPacked and signed; nothing published. Next: pnpm release:self -- --registry URL --key FILE\n');
  } else {
    for (const p of result.published)
      process.stdout.write(
        `published ${String(p.result.name)}@${String(p.result.version)} (${p.result.outcome}) to ${p.result.registry}\n`,
      );
  }
}
process.exitCode = result.ok ? 0 : 1;
