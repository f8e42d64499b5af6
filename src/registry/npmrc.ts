/**
 * `.npmrc` as npm reads it, for the parts a publisher needs: `registry`, `@scope:registry`, `cafile`
 * and `//host[:port]/path/:_authToken`.
 *
 * Follows npm's own code: ini parsing (ini@5: `;`/`#` comments, quoted values, `key[]`), `${VAR}` /
 * `${VAR?}` expansion in keys and values (@npmcli/config env-replace), the project file over the
 * user file, and the longest-prefix match of a registry URL against the `//host/path/` keys
 * (npm-registry-fetch's auth.js walks the path up one segment or one slash at a time).
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { diagnostic, DiagnosticError, errorMessage } from '../diagnostics/index.js';
import { DEFAULT_REGISTRY } from './url.js';

/** A flattened npm config: key → string value (later files already merged over earlier ones). */
export type NpmConfig = Readonly<Record<string, string>>;

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

async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return null;
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_NPMRC',
        subject: file,
        message: `cannot read ${file}: ${errorMessage(error)}`,
        hint: "fix the file's permissions or remove it",
      }),
    ]);
  }
}

/** The user config file npm would read: `userconfig`, else `$NPM_CONFIG_USERCONFIG`, else `~/.npmrc`. */
export function userconfigPath(env: NodeJS.ProcessEnv, userconfig?: string): string {
  const explicit = userconfig ?? env.NPM_CONFIG_USERCONFIG ?? env.npm_config_userconfig;
  if (explicit !== undefined && explicit !== '') return path.resolve(explicit);
  return path.join(env.HOME ?? os.homedir(), '.npmrc');
}

/** The user `.npmrc` then the project `<cwd>/.npmrc` (project wins), merged. Missing files are fine. */
export async function loadNpmrc(input: {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly userconfig?: string;
}): Promise<NpmConfig> {
  const user = userconfigPath(input.env, input.userconfig);
  const project = path.resolve(input.cwd, '.npmrc');
  const merged: Record<string, string> = {};
  for (const file of user === project ? [project] : [user, project]) {
    const text = await readIfPresent(file);
    if (text !== null) Object.assign(merged, parseNpmrc(text, input.env));
  }
  return merged;
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
