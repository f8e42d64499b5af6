/**
 * `pnpm release:dry-run`: napi-ship rehearsing the release of its own core (@napi-ship/core).
 * A thin shell over the CLI; extra arguments pass through (e.g. `--strict`, `--json`,
 * `--log-format json`, `--no-build`).
 *
 * The dry run's first step builds the core for this machine through @napi-rs/cli, exactly as the
 * core's own `build` script does (`TARGET_CC=clang napi build --platform --release --use-napi-cross`, no
 * `--target`), so after `pnpm run build` it is a cargo no-op, and without it it is the build.
 *
 * The rehearsal loads each install with the repo's smoke scripts (scripts/lib/smoke.ts), which call
 * every function of the core and check the answers, instead of the generic load.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import { processIo } from '../src/cli/output.js';
import { smokeLoader } from './lib/smoke.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const core = path.join(repo, 'crates', 'napi-ship-node');

const loader = await smokeLoader(core);
process.exitCode = await main(
  ['release', '--dry-run', '--cwd', core, '--out', path.join(repo, 'dist', 'release'), ...process.argv.slice(2)],
  loader === null ? processIo() : { ...processIo(), rehearsalLoader: loader },
);
