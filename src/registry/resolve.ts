/**
 * The one resolver every registry command uses (`publish`, `status`, `deprecate`, `version`, the dry
 * run's plan): npm's config for the working dir (npm-config.ts), then the registry for a package
 * (flag > `publishConfig.registry` > `@scope:registry` > `registry`), the credentials bound to that
 * registry (auth.ts), TLS and proxies, and `publishConfig.access` / `tag` / `provenance` over npm's
 * `access` / `tag` / `provenance`.
 */
import path from 'node:path';
import { isRecord } from '../util/json.js';
import { resolveAuth, type ResolvedAuth } from './auth.js';
import type { RegistryClientOptions } from './client.js';
import { loadNpmSettings, type NpmSettings } from './npm-config.js';
import { chooseRegistry, credentialsForUrl, type RegistrySource } from './npmrc.js';
import { readFileSync } from 'node:fs';
import { diagnostic, DiagnosticError, errorMessage } from '../diagnostics/index.js';

export interface ResolvedRegistry {
  readonly registry: string;
  readonly source: RegistrySource;
  readonly auth: ResolvedAuth;
  readonly settings: NpmSettings;
  /** What a `RegistryClient` for this registry needs, credentials included (never printed). */
  readonly client: Pick<RegistryClientOptions, 'registry' | 'token' | 'basicAuth' | 'oidc' | 'tls' | 'proxy' | 'caFile' | 'env'>;
  /** `publishConfig.access`, else npm's `access`, else null (the registry's default). */
  readonly access: 'public' | 'restricted' | null;
  /** `publishConfig.tag`, else npm's `tag` when set in a file or the environment, else null. */
  readonly tag: string | null;
  /** `publishConfig.provenance`, else npm's `provenance`. */
  readonly provenance: boolean;
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_REGISTRY_CA',
        subject: file,
        message: `cannot read the ${what} named in npm's config: ${errorMessage(error)}`,
        hint: 'fix the certfile/keyfile path in .npmrc',
      }),
    ]);
  }
}

export async function resolveRegistry(input: {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The package whose registry is asked (its scope counts); '' for none. */
  readonly packageName: string;
  readonly flag?: string | undefined;
  /** The root package.json's `publishConfig` (from signed data when publishing). */
  readonly publishConfig?: unknown;
  /** `--ca-file` (trusted on top of the CAs). */
  readonly caFile?: string | undefined;
  /** Already loaded settings (for tests and repeated calls). */
  readonly settings?: NpmSettings;
}): Promise<ResolvedRegistry> {
  const settings = input.settings ?? (await loadNpmSettings({ cwd: input.cwd, env: input.env }));
  const chosen = chooseRegistry({
    packageName: input.packageName,
    flag: input.flag,
    publishConfig: input.publishConfig,
    npmrc: settings.values,
    env: {},
  });
  const auth = await resolveAuth({ registry: chosen.url, env: input.env, cwd: input.cwd, config: settings.values });
  const creds = credentialsForUrl(chosen.url, settings.values);
  let cert = settings.cert;
  let key = settings.key;
  if (creds?.certfile != null && creds.keyfile != null) {
    cert = readPem(path.resolve(input.cwd, creds.certfile), 'certfile');
    key = readPem(path.resolve(input.cwd, creds.keyfile), 'keyfile');
  }
  const pc = isRecord(input.publishConfig) ? input.publishConfig : {};
  const pcAccess = pc.access === 'public' || pc.access === 'restricted' ? pc.access : null;
  const pcTag = typeof pc.tag === 'string' && pc.tag.trim() !== '' ? pc.tag.trim() : null;
  const pcProvenance = typeof pc.provenance === 'boolean' ? pc.provenance : null;
  return {
    registry: chosen.url,
    source: chosen.source,
    auth,
    settings,
    client: {
      registry: chosen.url,
      ...(auth.token === undefined ? {} : { token: auth.token }),
      ...(auth.basic === undefined ? {} : { basicAuth: auth.basic }),
      oidc: auth.source === 'oidc',
      tls: { ca: settings.ca, cert, key, strictSSL: settings.strictSSL },
      proxy: { proxy: settings.proxy, httpsProxy: settings.httpsProxy, noProxy: settings.noProxy },
      ...(input.caFile === undefined || input.caFile === '' ? {} : { caFile: path.resolve(input.cwd, input.caFile) }),
      env: input.env,
    },
    access: pcAccess ?? settings.access,
    tag: pcTag ?? settings.tag,
    provenance: pcProvenance ?? settings.provenance,
  };
}
