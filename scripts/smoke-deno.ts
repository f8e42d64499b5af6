/**
 * Smoke-load @napi-ship/core on Deno: load the napi-rs package in DIR through Deno's Node-API
 * support (`createRequire` from `node:module`), call its functions and check the answers against
 * Deno's own `crypto.subtle`. Prints one JSON line `{ runtime, version, ok, checks }`; exit 1 on
 * any failed check, 2 on bad arguments.
 *
 *   deno run --no-config --no-lock --no-remote --no-npm --no-prompt \
 *     --allow-read --allow-ffi --allow-env='NAPI_RS_*' --allow-write="$TMPDIR" \
 *     scripts/smoke-deno.ts DIR [--expect-version X.Y.Z]
 *
 * Excluded from tsc (Deno runs and type-checks it itself: `deno check scripts/smoke-deno.ts`).
 * The checks and the output are scripts/lib/smoke-checks.ts, shared with smoke-node.ts and
 * smoke-bun.ts; this file is what Deno does its own way.
 */
import { createRequire } from 'node:module';
import { smokeMain } from './lib/smoke-checks.ts';

async function digest(algorithm: 'SHA-1' | 'SHA-256' | 'SHA-512', data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(algorithm, data));
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const base64 = (bytes: Uint8Array): string => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));

await smokeMain(
  {
    runtime: 'deno',
    version: Deno.version.deno,
    command: 'deno run … scripts/smoke-deno.ts',
    digestsBy: 'crypto.subtle',
    require: createRequire(import.meta.url),
    makeTempDir: () => Deno.makeTempDir({ prefix: 'napi-ship-smoke-' }),
    removeDir: (dir) => Deno.remove(dir, { recursive: true }),
    writeFile: (file, data) => Deno.writeFile(file, data),
    digests: async (data) => {
      const sha512 = await digest('SHA-512', data);
      return {
        sha1: hex(await digest('SHA-1', data)),
        sha256: hex(await digest('SHA-256', data)),
        sha512: hex(sha512),
        sha512Base64: base64(sha512),
      };
    },
    exit: (code) => Deno.exit(code),
    done: (code) => Deno.exit(code),
  },
  Deno.args,
);
