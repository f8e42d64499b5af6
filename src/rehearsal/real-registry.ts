/**
 * The read-only plan against the real registry the release would go to: per package of the dry
 * run's release "would publish" (absent), "already there, same bytes" or CONFLICT (other bytes
 * under that version: a real publish would stop), and the targets not built here, which a real
 * publish needs first. Nothing is written and no token is sent: reads are anonymous (a private
 * registry that refuses them shows as failed; `napi-ship publish --dry-run` reads with your token).
 */
import { areaOf, diagnostic, DiagnosticError, errorMessage, type Code, type Diagnostic } from '../diagnostics/index.js';
import type { ReleaseManifest } from '../manifest/index.js';
import { preflight } from '../publish/index.js';
import { RegistryClient, type RegistryClientOptions } from '../registry/client.js';
import { chooseRegistry } from '../registry/npmrc.js';
import { displayUrl } from '../registry/url.js';
import type { RealRegistryPackage, RealRegistryPlan } from './types.js';

/** The registry a real `napi-ship publish` would use (chooseRegistry: publishConfig, scope, env, .npmrc, npmjs). */
export function realRegistryUrl(
  rootManifest: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv = process.env,
  npmrc: Readonly<Record<string, string | undefined>> = {},
): { url: string; source: string } {
  const name = typeof rootManifest.name === 'string' ? rootManifest.name : '';
  return chooseRegistry({ packageName: name, publishConfig: rootManifest.publishConfig, npmrc, env });
}

/** A target the real root pins but this run did not build. */
export interface NotBuilt {
  readonly target: string;
  readonly packageName: string;
  readonly version: string;
}

export interface RealPlanInput {
  /** The dry run's own release (the root pinning every target, and the platform packages built). */
  readonly manifest: ReleaseManifest;
  readonly notBuilt: readonly NotBuilt[];
  readonly registry: { readonly url: string; readonly source: string };
  readonly offline?: boolean;
  /** Per request (default 10 s): an unreachable registry should not hold the dry run up. */
  readonly timeoutMs?: number;
  /** Where proxies are read (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** npm's TLS (CAs, client certificate, strict-ssl) and proxy settings, as publish would use them (never credentials). */
  readonly tls?: RegistryClientOptions['tls'];
  readonly proxy?: RegistryClientOptions['proxy'];
  /** For tests: a client other than `new RegistryClient({ registry, timeoutMs, retries: 1 })`. */
  readonly client?: Pick<RegistryClient, 'registry' | 'getPackument'>;
}

function notBuiltRows(notBuilt: readonly NotBuilt[]): RealRegistryPackage[] {
  return notBuilt.map((n) => ({
    name: n.packageName,
    version: n.version,
    kind: 'platform',
    target: n.target,
    action: 'not-built',
    detail: 'not built here: a real publish needs it first',
  }));
}

/** Registry codes that mean the registry was asked (or never should be): a wrong URL, not a network failure. */
const NOT_UNREACHABLE: ReadonlySet<Code> = new Set<Code>(['NS_REGISTRY_URL', 'NS_REGISTRY_INSECURE', 'NS_REGISTRY_BAD_PACKUMENT']);

/** True for failures that mean "the registry could not be asked" (network, DNS, TLS, timeouts, 5xx). */
function unreachable(error: unknown): boolean {
  return error instanceof DiagnosticError && error.diagnostics.some((d) => areaOf(d.code) === 'registry' && !NOT_UNREACHABLE.has(d.code));
}

export async function planRealRegistry(input: RealPlanInput): Promise<{ plan: RealRegistryPlan; diagnostics: Diagnostic[] }> {
  const registry = displayUrl(input.registry.url);
  const base = { registry, registrySource: input.registry.source };
  const skipped = input.manifest.packages.map((p): RealRegistryPackage => ({
    name: p.name,
    version: p.version,
    kind: p.kind,
    target: p.target,
    action: 'would-publish',
    detail: 'not checked',
  }));
  if (input.offline === true) {
    return {
      plan: { ...base, status: 'skip', note: 'offline (--offline): the real registry was not asked', packages: [] },
      diagnostics: [
        diagnostic({
          code: 'NS_REHEARSAL_REAL_OFFLINE',
          severity: 'note',
          subject: registry,
          message: 'the plan against the real registry was skipped (--offline)',
          hint: 'run without --offline to see what a real publish would do',
        }),
      ],
    };
  }
  let pre;
  let owned: RegistryClient | null = null;
  try {
    let client = input.client;
    if (client === undefined) {
      // Anonymous reads: a dry run sends no credentials anywhere (safe in a pull request's CI).
      owned = new RegistryClient({
        registry: input.registry.url,
        timeoutMs: input.timeoutMs ?? 10_000,
        retries: 1,
        env: input.env ?? process.env,
        ...(input.tls === undefined ? {} : { tls: input.tls }),
        ...(input.proxy === undefined ? {} : { proxy: input.proxy }),
      });
      client = owned;
    }
    pre = await preflight(input.manifest, client);
  } catch (error) {
    const message = errorMessage(error);
    if (unreachable(error)) {
      return {
        plan: { ...base, status: 'skip', note: `the real registry could not be reached: ${message}`, packages: [] },
        diagnostics: [
          diagnostic({
            code: 'NS_REHEARSAL_REAL_UNREACHABLE',
            severity: 'warning',
            subject: registry,
            message: `the plan against the real registry was skipped: ${message}`,
            hint: 'check the network, or pass --offline to skip this step on purpose',
          }),
        ],
      };
    }
    return {
      plan: { ...base, status: 'fail', note: message, packages: skipped },
      diagnostics: [
        diagnostic({
          code: 'NS_REHEARSAL_REAL_FAILED',
          severity: 'warning',
          subject: registry,
          message: `the plan against the real registry failed: ${message}`,
          hint: 'check the registry URL (publishConfig.registry / npm_config_registry); a private registry needs `napi-ship publish --dry-run` (which reads with your token)',
        }),
      ],
    };
  } finally {
    await owned?.close();
  }
  const diagnostics: Diagnostic[] = [];
  const rows = pre.packages.map((p): RealRegistryPackage => {
    const row = { name: p.name, version: p.version, kind: p.kind, target: p.target };
    switch (p.state) {
      case 'absent':
        return { ...row, action: 'would-publish', detail: 'absent: would publish' };
      case 'same':
        return { ...row, action: 'same', detail: 'already there with the same bytes' };
      case 'different':
        diagnostics.push(
          diagnostic({
            code: 'NS_REHEARSAL_REAL_CONFLICT',
            subject: `${p.name}@${p.version}`,
            message: `${registry} already has ${p.name}@${p.version} with other bytes: a real publish would stop before writing anything`,
            expected: `${p.integrity} (our tarball)`,
            found: `${p.theirs ?? 'no recorded integrity'} (the registry)`,
            hint: 'a version can never be republished: bump the version (napi-ship version patch)',
          }),
        );
        return { ...row, action: 'conflict', detail: `CONFLICT: the registry has ${p.theirs ?? 'other bytes'}` };
    }
  });
  return {
    plan: { ...base, status: diagnostics.length > 0 ? 'fail' : 'ok', note: '', packages: [...rows, ...notBuiltRows(input.notBuilt)] },
    diagnostics,
  };
}
