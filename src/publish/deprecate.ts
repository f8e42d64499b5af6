/**
 * `deprecateRelease`: mark every package of a release deprecated (or, with an empty message,
 * not deprecated any more), as `npm deprecate` does one package at a time.
 *
 * The release is the root version plus its platform packages: the names given (`packages`: the
 * signed manifest's list, or the configured targets' package names), else the root's published pins
 * shaped like its platform packages (`<root>-<abi>`). Any other `optionalDependencies` of the root
 * (e.g. `fsevents`) is not part of the release and is never touched. Platform packages are marked first and the root last; a package missing the version is
 * reported and the others are still marked.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import type { RegistryClient } from '../registry/client.js';
import { displayUrl } from '../registry/url.js';
import type { PackageKind } from './plan.js';
import { mapPool } from '../util/pool.js';
import { DEFAULT_REGISTRY_CONCURRENCY } from '../util/registry-defaults.js';
import { releasePins } from './status.js';

export interface DeprecateInput {
  /** The root package's name. */
  readonly name: string;
  readonly version: string;
  /** The deprecation message; `''` removes a deprecation. */
  readonly message: string;
  readonly client: Pick<RegistryClient, 'registry' | 'getPackument' | 'deprecate'>;
  readonly concurrency?: number;
  /** The release's platform package names (the manifest's or the configured targets'); see the module doc. */
  readonly packages?: readonly string[];
  readonly onPackage?: (p: DeprecatedPackage) => void;
}

export interface DeprecatedPackage {
  readonly name: string;
  readonly kind: PackageKind;
  readonly version: string;
  /** `absent`: the registry does not have this version, nothing was changed. */
  readonly state: 'deprecated' | 'undeprecated' | 'absent';
}

export interface DeprecateResult {
  readonly ok: boolean;
  readonly registry: string;
  readonly name: string;
  readonly version: string;
  readonly message: string;
  readonly packages: readonly DeprecatedPackage[];
  readonly diagnostics: readonly Diagnostic[];
}

export async function deprecateRelease(input: DeprecateInput): Promise<DeprecateResult> {
  const { name, version, message, client } = input;
  const base = { registry: displayUrl(client.registry), name, version, message };
  const root = await client.getPackument(name, { full: true });
  const rootVersion = root?.versions[version];
  if (rootVersion === undefined) {
    return {
      ...base,
      ok: false,
      packages: [{ name, kind: 'root', version, state: 'absent' }],
      diagnostics: [
        diagnostic({
          code: 'NS_DEPRECATE_NOT_PUBLISHED',
          subject: `${name}@${version}`,
          message: `${name}@${version} is not on the registry; nothing was changed`,
          hint: 'check the version and --registry (napi-ship status <version> shows what is there)',
        }),
      ],
    };
  }
  const state: DeprecatedPackage['state'] = message === '' ? 'undeprecated' : 'deprecated';
  const mark = async (pkg: string, kind: PackageKind, v: string): Promise<DeprecatedPackage> => {
    const packument = kind === 'root' ? root : await client.getPackument(pkg, { full: true });
    let result: DeprecatedPackage = { name: pkg, kind, version: v, state: 'absent' };
    if (packument?.versions[v] !== undefined) {
      await client.deprecate(pkg, v, message);
      result = { name: pkg, kind, version: v, state };
    }
    input.onPackage?.(result);
    return result;
  };
  const pins = Object.entries(releasePins(name, rootVersion.optionalDependencies, input.packages)).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const platforms = await mapPool(pins, input.concurrency ?? DEFAULT_REGISTRY_CONCURRENCY, ([pkg, pin]) => mark(pkg, 'platform', pin));
  const packages = [...platforms, await mark(name, 'root', version)];
  const diagnostics = packages
    .filter((p) => p.state === 'absent')
    .map((p) =>
      diagnostic({
        code: 'NS_DEPRECATE_NOT_PUBLISHED',
        subject: `${p.name}@${p.version}`,
        message: `the root pins ${p.name}@${p.version} but the registry does not have it; it was not marked`,
        hint: 'the release is incomplete on this registry: `napi-ship status <version>` shows what is missing',
      }),
    );
  return { ...base, ok: diagnostics.length === 0, packages, diagnostics };
}
