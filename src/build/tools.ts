/**
 * Where napi-ship keeps the cross tools it installs without root (`doctor --install`, the repo's
 * setup script): a Python venv holding zig (`ziglang`, the PyPI build napi-rs's CI uses) and
 * cargo-zigbuild (its PyPI wheel), plus a two-line `zig` wrapper, all in `<toolsDir>/bin`.
 *
 * The dir is `$NAPI_SHIP_TOOLS_DIR`, else `$XDG_CACHE_HOME/napi-ship/tools`, else
 * `~/.cache/napi-ship/tools`. Builds and probes put its `bin` in front of PATH when it exists, so
 * tools installed there are found without touching the user's shell profile.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The zig napi-rs builds with (its CI installs zig 0.14 through `mlugg/setup-zig`/PyPI). */
export const ZIG_VERSION = '0.14.1';

export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NAPI_SHIP_TOOLS_DIR) return path.resolve(env.NAPI_SHIP_TOOLS_DIR);
  const cache = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(cache, 'napi-ship', 'tools');
}

export function toolsBin(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(toolsDir(env), 'bin');
}

/** PATH with the tools dir's `bin` in front (when it exists and is not there yet). */
export function pathWithTools(env: NodeJS.ProcessEnv = process.env): string {
  const current = env.PATH ?? '';
  const bin = toolsBin(env);
  if (!existsSync(bin) || current.split(path.delimiter).includes(bin)) return current;
  return current === '' ? bin : `${bin}${path.delimiter}${current}`;
}

/** `env` with PATH extended by the tools dir. */
export function envWithTools(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, PATH: pathWithTools(env) };
}

/** The `zig` wrapper: runs the venv's `python -m ziglang`. */
export function zigWrapper(venvPython: string): string {
  return `#!/bin/sh\n# napi-ship: zig from the PyPI ziglang package (pip install ziglang==${ZIG_VERSION})\nexec "${venvPython}" -m ziglang "$@"\n`;
}
