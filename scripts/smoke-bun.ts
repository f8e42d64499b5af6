/**
 * Smoke-load @napi-ship/core on Bun: load the napi-rs package in DIR with Bun's own `require`,
 * call its functions and check the answers against `Bun.CryptoHasher`. Prints one JSON line
 * `{ runtime, version, ok, checks }`; exit 1 on any failed check, 2 on bad arguments.
 *
 *   bun scripts/smoke-bun.ts DIR [--expect-version X.Y.Z]
 *
 * Excluded from tsc (Bun runs it itself; no bun-types here, so the few Bun APIs used are declared
 * below). The checks and the output are scripts/lib/smoke-checks.ts, shared with smoke-node.ts and
 * smoke-deno.ts; this file is what Bun does its own way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { smokeMain } from './lib/smoke-checks.ts';

declare const Bun: {
  readonly version: string;
  write(destination: string, data: Uint8Array): Promise<number>;
  CryptoHasher: new (algorithm: 'sha1' | 'sha256' | 'sha512') => {
    update(data: Uint8Array): unknown;
    digest(encoding: 'hex' | 'base64'): string;
  };
};

await smokeMain(
  {
    runtime: 'bun',
    version: Bun.version,
    command: 'bun scripts/smoke-bun.ts',
    digestsBy: 'Bun.CryptoHasher',
    // Bun's CommonJS `require`, available in ES modules too.
    require,
    makeTempDir: () => mkdtemp(path.join(os.tmpdir(), 'napi-ship-smoke-')),
    removeDir: (dir) => rm(dir, { recursive: true, force: true }),
    writeFile: async (file, data) => {
      await Bun.write(file, data);
    },
    digests: (data) => {
      const digest = (algorithm: 'sha1' | 'sha256' | 'sha512', encoding: 'hex' | 'base64'): string => {
        const hasher = new Bun.CryptoHasher(algorithm);
        hasher.update(data);
        return hasher.digest(encoding);
      };
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
