/**
 * `pnpm release:dry-run`: napi-ship rehearsing the release of its own core (@napi-ship/core).
 * A thin shell over the CLI; extra arguments pass through (e.g. `--strict`, `--json`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const core = path.join(repo, 'crates', 'napi-ship-node');

process.exitCode = await main(['release', '--dry-run', '--cwd', core, '--out', path.join(repo, 'dist', 'release'), ...process.argv.slice(2)]);
