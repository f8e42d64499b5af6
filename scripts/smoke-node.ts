/**
 * Smoke-load @napi-ship/core on Node.js: load the napi-rs package in DIR (`createRequire`), call
 * its functions and check the answers against `node:crypto`. Prints one JSON line
 * `{ runtime, version, ok, checks }`; exit 1 on any failed check, 2 on bad arguments.
 *
 *   node dist/scripts/smoke-node.js DIR [--expect-version X.Y.Z]
 *
 * The checks and the output are scripts/lib/smoke-checks.ts, shared with smoke-deno.ts and
 * smoke-bun.ts; this file is what Node does its own way.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { smokeMain } from './lib/smoke-checks.js';

await smokeMain(
  {
    runtime: 'node',
    version: process.versions.node,
    command: 'node dist/scripts/smoke-node.js',
    digestsBy: 'node:crypto',
    require: createRequire(import.meta.url),
    makeTempDir: () => mkdtemp(path.join(os.tmpdir(), 'napi-ship-smoke-')),
    removeDir: (dir) => rm(dir, { recursive: true, force: true }),
    writeFile: (file, data) => writeFile(file, data),
    digests: (data) => {
      const digest = (algorithm: string, encoding: 'hex' | 'base64'): string => createHash(algorithm).update(data).digest(encoding);
      return Promise.resolve({
        sha1: digest('sha1', 'hex'),
        sha256: digest('sha256', 'hex'),
        sha512: digest('sha512', 'hex'),
        sha512Base64: digest('sha512', 'base64'),
      });
    },
    exit: (code) => process.exit(code),
    done: (code) => {
      process.exitCode = code;
    },
  },
  process.argv.slice(2),
);
