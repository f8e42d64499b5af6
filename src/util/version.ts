import { readFileSync } from 'node:fs';
import { isRecord } from './json.js';

let cached: string | undefined;

/** napi-ship's own version, from its package.json (read once); `unknown` when it names none. */
export function napiShipVersion(): string {
  if (cached === undefined) {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    cached = isRecord(pkg) && typeof pkg.version === 'string' ? pkg.version : 'unknown';
  }
  return cached;
}

let manifest: Record<string, unknown> | undefined;

/** napi-ship's own package.json (read once): `init` pins the tools the rehearsal needs to the versions it was tested with. */
export function napiShipManifest(): Readonly<Record<string, unknown>> {
  if (manifest === undefined) {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    manifest = isRecord(pkg) ? pkg : {};
  }
  return manifest;
}
