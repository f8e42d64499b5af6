/**
 * Child processes of a rehearsal: installers and runtimes, each with a cleaned environment (no
 * settings of a surrounding `npm run`/`pnpm run`, no napi-rs loader overrides, no NODE_OPTIONS) and
 * a HOME of its own, so nothing is read from or written to the user's ~/.npmrc, caches or configs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRecord } from '../util/json.js';
import { execute, type Exited } from '../util/process.js';

export { execute, type Exited };

/** Variables a child never inherits: they would redirect an installer or the napi-rs loader. */
export function inherited(key: string): boolean {
  return !(
    /^(npm|pnpm|yarn|bun)_/i.test(key) ||
    key.startsWith('NAPI_RS_') ||
    key.startsWith('DENO_') ||
    key.startsWith('BUN_') ||
    ['NODE_OPTIONS', 'NODE_TEST_CONTEXT', 'INIT_CWD', 'PNPM_SCRIPT_SRC_DIR', 'PNPM_HOME', 'COREPACK_ROOT'].includes(key)
  );
}

/** A child's environment: the parent's minus `inherited` misses, HOME and XDG dirs under `home`, then `extra`. */
export function childEnv(home: string, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (inherited(key)) env[key] = value;
  // A proxy from the environment must not swallow the loopback registry.
  const noProxy = [env.NO_PROXY ?? env.no_proxy ?? '', '127.0.0.1', 'localhost', '::1'].filter((x) => x !== '').join(',');
  return {
    ...env,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    NO_COLOR: '1',
    ...extra,
  };
}

/** Why a command did not succeed, in a few words plus the tail of its stderr. */
export function failure(done: Exited, timeoutMs: number): string {
  const why =
    done.spawnError ?? (done.timedOut ? `timed out after ${String(Math.round(timeoutMs / 1000))} s` : `exit ${String(done.code)}`);
  const tail = (done.stderr.trim() || done.stdout.trim())
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-6)
    .join('\n');
  return tail === '' ? why : `${why}: ${tail}`;
}

/** napi-ship's own install dir (`<napi-ship>/dist/src/rehearsal`): the second place tools are looked up. */
export const ownDir = path.dirname(fileURLToPath(import.meta.url));

/**
 * The executable `bin` entry `binName` of npm package `pkg`, resolved from each dir in turn (the
 * project, then napi-ship's own install); `null` when none has it.
 */
export function resolvePackageBin(pkg: string, binName: string, searchDirs: readonly string[]): string | null {
  for (const from of searchDirs) {
    try {
      const manifestPath = createRequire(path.join(path.resolve(from), 'noop.js')).resolve(`${pkg}/package.json`);
      const manifest: unknown = JSON.parse(readFileSync(manifestPath, 'utf8'));
      if (!isRecord(manifest)) continue;
      const bins = manifest.bin;
      const rel = typeof bins === 'string' ? bins : isRecord(bins) && typeof bins[binName] === 'string' ? bins[binName] : null;
      if (rel === null) continue;
      let file = path.resolve(path.dirname(manifestPath), rel);
      // deno's npm package points `bin` at a JS shim; the native executable sits beside it.
      const native = path.join(path.dirname(manifestPath), process.platform === 'win32' ? `${binName}.exe` : binName);
      if (file.endsWith('.cjs') && existsSync(native)) file = native;
      if (existsSync(file)) return file;
    } catch {
      continue;
    }
  }
  return null;
}
