/**
 * npm's config, read by npm's own loader (`@npmcli/config` with its definitions): the one resolver
 * `publish`, `status`, `deprecate`, `version` and the dry run all use.
 *
 * The layers and their order are npm's: defaults < builtin < global (`$PREFIX/etc/npmrc`,
 * `npm_config_globalconfig`) < user (`~/.npmrc`, `npm_config_userconfig`) < project (the `.npmrc`
 * beside the nearest package.json — the workspace root's in a monorepo, as npm finds it) < env
 * (`npm_config_*`, case-insensitive). There are no CLI flags here: napi-ship's own flags
 * (`--registry`, `--ca-file`, …) are applied over this by the callers.
 */
// @npmcli/config (and npm's definitions) load in ~80 ms: imported when npm's config is first read, so
// commands that never ask a registry (and `--offline` dry runs) do not pay for it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnostic, DiagnosticError, errorMessage } from '../diagnostics/index.js';

/** A flattened npm config: key → string value (later layers already merged over earlier ones). */
export type NpmConfig = Readonly<Record<string, string>>;

/** What napi-ship needs from npm's config, resolved. */
export interface NpmSettings {
  /** Every key set in a builtin/global/user/project/env layer (defaults excluded), as text. */
  readonly values: NpmConfig;
  /** The dir whose `.npmrc` is the project config (the workspace root in a monorepo). */
  readonly localPrefix: string;
  readonly files: { readonly project: string; readonly user: string; readonly global: string };
  /** `ca` / `cafile` as PEM certificates (npm replaces the system CAs with these), else null. */
  readonly ca: readonly string[] | null;
  /** `cert` / `key` (PEM text) for client-certificate auth, when both are set. */
  readonly cert: string | null;
  readonly key: string | null;
  readonly strictSSL: boolean;
  /** `proxy` (http requests) and `https-proxy` (https requests; npm falls back to `proxy`). */
  readonly proxy: string | null;
  readonly httpsProxy: string | null;
  /** `noproxy`, comma separated (unset: NO_PROXY / no_proxy, as npm). */
  readonly noProxy: string | null;
  /** `access` / `tag` / `provenance` when set in a file or the environment (not npm's defaults). */
  readonly access: 'public' | 'restricted' | null;
  readonly tag: string | null;
  readonly provenance: boolean;
}

const LAYERS = ['builtin', 'global', 'user', 'project', 'env'] as const;

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    const last: unknown = value[value.length - 1];
    return typeof last === 'string' ? last : null;
  }
  return null;
}

function nonEmpty(value: unknown): string | null {
  const t = text(value);
  return t === null || t.trim() === '' ? null : t.trim();
}

/** Where npm's builtin `npmrc` would be: napi-ship ships none, so this points at our own package. */
function ownPackageDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/**
 * Load npm's config for `cwd` and `env` exactly as npm would (without CLI flags). `userconfig`
 * replaces the user file like `npm_config_userconfig`. Throws `NS_REGISTRY_NPMRC` when a config file
 * exists but cannot be read or parsed.
 */
export async function loadNpmSettings(input: {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly userconfig?: string;
}): Promise<NpmSettings> {
  // npm writes npm_config_* back into the env it is given: hand it a copy.
  const env: Record<string, string | undefined> =
    input.userconfig === undefined
      ? { ...input.env }
      : {
          ...Object.fromEntries(Object.entries(input.env).filter(([k]) => k.toLowerCase() !== 'npm_config_userconfig')),
          npm_config_userconfig: input.userconfig,
        };
  const [{ default: Config }, { default: npmDefinitions }] = await Promise.all([
    import('@npmcli/config'),
    import('@npmcli/config/lib/definitions/index.js'),
  ]);
  const config = new Config({
    definitions: npmDefinitions.definitions,
    shorthands: npmDefinitions.shorthands,
    flatten: npmDefinitions.flatten,
    npmPath: ownPackageDir(),
    argv: [process.execPath, 'napi-ship'],
    env,
    cwd: path.resolve(input.cwd),
    platform: process.platform,
    execPath: process.execPath,
    excludeNpmCpuConfigs: true,
  });
  try {
    await config.load();
  } catch (error) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_NPMRC',
        subject: input.cwd,
        message: `npm's config cannot be read: ${errorMessage(error)}`,
        hint: 'fix the .npmrc named in the message (permissions, syntax) or remove it',
      }),
    ]);
  }
  const values: Record<string, string> = {};
  for (const where of LAYERS) {
    const layer = config.data.get(where);
    if (layer === undefined) continue;
    for (const [k, v] of Object.entries(layer.data)) {
      if (k === '__proto__') continue;
      const t = text(v);
      if (t !== null) values[k] = t;
    }
  }
  const flat = config.flat;
  const caFlat: unknown = flat.ca;
  const ca = Array.isArray(caFlat)
    ? caFlat.filter((c): c is string => typeof c === 'string' && c.trim() !== '')
    : typeof caFlat === 'string' && caFlat.trim() !== ''
      ? [caFlat]
      : [];
  const cert = nonEmpty(flat.cert);
  const key = nonEmpty(flat.key);
  const access = values.access === 'public' || values.access === 'restricted' ? values.access : null;
  return {
    values,
    localPrefix: config.localPrefix,
    files: {
      project: path.join(config.localPrefix, '.npmrc'),
      user: text(config.get('userconfig')) ?? '',
      global: text(config.get('globalconfig')) ?? '',
    },
    ca: ca.length > 0 ? ca : null,
    cert: cert !== null && key !== null ? cert : null,
    key: cert !== null && key !== null ? key : null,
    strictSSL: values['strict-ssl'] !== 'false',
    // Only what a file or npm_config_* set: npm's defaults for these read process.env, and the
    // dispatcher reads the env it is given (HTTP(S)_PROXY, NO_PROXY) itself.
    proxy: nonEmpty(values.proxy),
    httpsProxy: nonEmpty(values['https-proxy']),
    noProxy: nonEmpty(values.noproxy),
    access,
    tag: nonEmpty(values.tag),
    provenance: values.provenance === 'true',
  };
}
