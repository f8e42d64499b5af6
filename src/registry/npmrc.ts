/**
 * `.npmrc` as npm reads it, for the parts a publisher needs: `registry`, `@scope:registry`, `cafile`
 * and `//host[:port]/path/:_authToken`.
 *
 * Follows npm's own code: ini parsing (ini@5: `;`/`#` comments, quoted values, `key[]`), `${VAR}` /
 * `${VAR?}` expansion in keys and values (@npmcli/config env-replace), the project file over the
 * user file, and the longest-prefix match of a registry URL against the `//host/path/` keys
 * (npm-registry-fetch's auth.js walks the path up one segment or one slash at a time).
 */
import os from 'node:os';
import path from 'node:path';
import { loadNpmSettings, type NpmConfig } from './npm-config.js';
import { DEFAULT_REGISTRY } from './url.js';

export type { NpmConfig };

const ENV_EXPR = /(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}/g;

/** npm's `${VAR}` expansion: unset stays literal, `${VAR?}` becomes empty, `\${VAR}` is escaped. */
export function envReplace(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(ENV_EXPR, (orig: string, esc: string, name: string, modifier: string | undefined) => {
    const fallback = modifier === '?' ? '' : `\${${name}}`;
    const value = env[name] ?? fallback;
    if (esc.length % 2 === 1) return orig.slice((esc.length + 1) / 2);
    return esc.slice(esc.length / 2) + value;
  });
}

/** ini's `unsafe`: unquote a quoted value, else cut at the first unescaped `;` or `#`. */
function unsafe(raw: string): string {
  const val = raw.trim();
  const quoted = val.length > 1 && ((val.startsWith('"') && val.endsWith('"')) || (val.startsWith("'") && val.endsWith("'")));
  if (quoted) {
    const inner = val.startsWith("'") ? val.slice(1, -1) : val;
    try {
      const parsed: unknown = JSON.parse(inner);
      return typeof parsed === 'string' ? parsed : inner;
    } catch {
      return inner;
    }
  }
  let escaped = false;
  let out = '';
  for (const c of val) {
    if (escaped) {
      out += ';#\\'.includes(c) ? c : `\\${c}`;
      escaped = false;
    } else if (c === ';' || c === '#') {
      break;
    } else if (c === '\\') {
      escaped = true;
    } else {
      out += c;
    }
  }
  if (escaped) out += '\\';
  return out.trim();
}

/**
 * Parse one `.npmrc` text. Keys and values are `${ENV}`-expanded as npm does. Section headers
 * (`[x]`) are not npm config and are skipped with their keys; `key[]` lists keep their last value.
 */
export function parseNpmrc(text: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  let inSection = false;
  for (const line of text.split(/[\r\n]+/)) {
    if (line.trim() === '' || /^\s*[;#]/.test(line)) continue;
    const match = /^\[([^\]]*)\]\s*$|^([^=]+)(=(.*))?$/.exec(line);
    if (match === null) continue;
    if (match[1] !== undefined) {
      inSection = true;
      continue;
    }
    if (inSection) continue;
    let key = unsafe(match[2] ?? '');
    if (key.endsWith('[]') && key.length > 2) key = key.slice(0, -2);
    if (key === '__proto__' || key === '') continue;
    const value = match[3] === undefined ? 'true' : unsafe(match[4] ?? '');
    out[envReplace(key, env)] = envReplace(value, env).trim();
  }
  return out;
}

/** The user config file npm would read: `userconfig`, else `$NPM_CONFIG_USERCONFIG`, else `~/.npmrc`. */
export function userconfigPath(env: NodeJS.ProcessEnv, userconfig?: string): string {
  const explicit = userconfig ?? env.NPM_CONFIG_USERCONFIG ?? env.npm_config_userconfig;
  if (explicit !== undefined && explicit !== '') return path.resolve(explicit);
  return path.join(env.HOME ?? os.homedir(), '.npmrc');
}

/**
 * npm's config as a flat key → value record, read by npm's own loader (see npm-config.ts): global,
 * user, project (the workspace root's in a monorepo) and `npm_config_*` env, later over earlier.
 */
export async function loadNpmrc(input: {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly userconfig?: string;
}): Promise<NpmConfig> {
  return (await loadNpmSettings(input)).values;
}

/** npm's "nerf dart" of a URL: `//host[:port]/path/`. */
export function nerfDart(url: string): string {
  const parsed = new URL(url);
  const pathname = parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`;
  return `//${parsed.host}${pathname}`;
}

/**
 * The `_authToken` npm would send to `url`: the longest `//host[:port]/path…:_authToken` key that is a
 * prefix of the URL, walking up as npm does (strip the last segment, then its slash). A value that
 * still holds an unexpanded `${VAR}` counts as no token. `_auth` and username/password are not used.
 */
export function tokenForRegistry(
  url: string,
  config: Readonly<Record<string, string | undefined>>,
): { readonly key: string; readonly token: string } | null {
  const parsed = new URL(url);
  let regKey = `//${parsed.host}${parsed.pathname}`;
  while (regKey.length > '//'.length) {
    const key = `${regKey}:_authToken`;
    const token = config[key];
    if (token !== undefined && token !== '') {
      return /\$\{[^}]*\}/.test(token) ? null : { key, token };
    }
    regKey = regKey.replace(/([^/]+|\/)$/, '');
  }
  return null;
}

/** What npm would authenticate a request to a URL with (npm-registry-fetch's auth.js). */
export interface Credentials {
  /** The `//host[:port]/path/` key the credentials were found under. */
  readonly key: string;
  /** The `Authorization` header value: `Bearer <token>` or `Basic <base64>`; null for a client cert only. */
  readonly authorization: string | null;
  /** The secret parts, for redaction. */
  readonly secrets: readonly string[];
  readonly certfile: string | null;
  readonly keyfile: string | null;
}

const UNEXPANDED = /\$\{[^}]*\}/;

/**
 * The credentials npm would send to `url`: the longest `//host[:port]/path…` key that is a prefix of
 * the URL and carries `:_authToken`, `:_auth`, `:username` + `:_password` or `:certfile` + `:keyfile`,
 * walking up as npm-registry-fetch does. A token, so found, belongs to that key only: nothing
 * configured for another host or path is ever returned. Values still holding `${VAR}` count as unset.
 */
export function credentialsForUrl(url: string | URL, config: Readonly<Record<string, string | undefined>>): Credentials | null {
  const parsed = new URL(url);
  const get = (k: string): string | null => {
    const v = config[k];
    return v === undefined || v.trim() === '' || UNEXPANDED.test(v) ? null : v.trim();
  };
  const present = (k: string): boolean => {
    const v = config[k];
    return v !== undefined && v.trim() !== '';
  };
  let regKey = `//${parsed.host}${parsed.pathname}`;
  while (regKey.length > '//'.length) {
    const has =
      present(`${regKey}:_authToken`) ||
      present(`${regKey}:_auth`) ||
      (present(`${regKey}:username`) && present(`${regKey}:_password`)) ||
      (present(`${regKey}:certfile`) && present(`${regKey}:keyfile`));
    if (has) {
      const certfile = get(`${regKey}:certfile`);
      const keyfile = get(`${regKey}:keyfile`);
      const tls = { certfile: certfile !== null && keyfile !== null ? certfile : null, keyfile: certfile !== null ? keyfile : null };
      const token = get(`${regKey}:_authToken`);
      if (token !== null) return { key: regKey, authorization: `Bearer ${token}`, secrets: [token], ...tls };
      const username = get(`${regKey}:username`);
      const password64 = get(`${regKey}:_password`);
      if (username !== null && password64 !== null) {
        const password = Buffer.from(password64, 'base64').toString('utf8');
        const basic = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
        return { key: regKey, authorization: `Basic ${basic}`, secrets: [basic, password64, password], ...tls };
      }
      const auth = get(`${regKey}:_auth`);
      if (auth !== null) return { key: regKey, authorization: `Basic ${auth}`, secrets: [auth], ...tls };
      if (tls.certfile !== null) return { key: regKey, authorization: null, secrets: [], ...tls };
      return null;
    }
    regKey = regKey.replace(/([^/]+|\/)$/, '');
  }
  return null;
}

/** Which setting chose the registry. */
export type RegistrySource = 'flag' | 'publishConfig.registry' | 'scope' | 'npm_config_registry' | 'npmrc' | 'default';

/**
 * Where a publish of `packageName` goes, in npm's order: the `--registry` flag, the package's
 * `publishConfig.registry`, its scope's `@scope:registry`, `npm_config_registry`, the `.npmrc`
 * `registry`, npmjs. `publish`, `status`, `deprecate` and the dry run's real-registry plan all ask this.
 */
export function chooseRegistry(input: {
  readonly packageName: string;
  readonly flag?: string | undefined;
  readonly publishConfig?: unknown;
  readonly npmrc: Readonly<Record<string, string | undefined>>;
  readonly env: NodeJS.ProcessEnv;
}): { url: string; source: RegistrySource } {
  const slash = (u: string): string => (u.endsWith('/') ? u : `${u}/`);
  const set = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
  if (set(input.flag)) return { url: slash(input.flag.trim()), source: 'flag' };
  const pc = input.publishConfig;
  if (typeof pc === 'object' && pc !== null && 'registry' in pc && set(pc.registry))
    return { url: slash(pc.registry.trim()), source: 'publishConfig.registry' };
  const name = input.packageName;
  const scope = name.startsWith('@') && name.indexOf('/') > 1 ? name.slice(0, name.indexOf('/')) : null;
  const scoped = scope === null ? undefined : input.npmrc[`${scope}:registry`];
  if (set(scoped)) return { url: slash(scoped.trim()), source: 'scope' };
  const env = input.env.npm_config_registry ?? input.env.NPM_CONFIG_REGISTRY;
  if (set(env)) return { url: slash(env.trim()), source: 'npm_config_registry' };
  if (set(input.npmrc.registry)) return { url: slash(input.npmrc.registry.trim()), source: 'npmrc' };
  return { url: DEFAULT_REGISTRY, source: 'default' };
}
