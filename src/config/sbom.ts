/** `napiShip.sbom`: where the SBOM stage looks and what it writes. */
import { DEFAULT_REGISTRY } from '../registry/url.js';
import type { ConfigReader } from './reader.js';

export type SbomFormat = 'spdx' | 'cyclonedx';

export interface SbomConfig {
  /** The addon crate's Cargo.toml, relative to the root package (default `Cargo.toml` there, when present). */
  readonly cargoManifest: string | null;
  /** Supplier/creator name for first-party packages and the release artifacts (default: see `resolveOrganization`). */
  readonly organization: string | null;
  /** Prefix of every document namespace (default `https://spdx.org/spdxdocs/`). */
  readonly namespace: string;
  /** The npm registry tarball URLs are derived from when the lockfile records none. */
  readonly npmRegistry: string;
  /** Keep crates reached only through build-dependencies (marked as such). Default true. */
  readonly includeBuild: boolean;
  /** Keep the root's dev-dependencies (marked as such). Default false. */
  readonly includeDev: boolean;
  /** Put the npm SBOM into the root package as `sbom.spdx.json` (the release dry run adds it to `files`). */
  readonly shipNpmSbom: boolean;
}

export const DEFAULT_NAMESPACE = 'https://spdx.org/spdxdocs/';

export const SBOM_KEYS = [
  'cargoManifest',
  'organization',
  'namespace',
  'npmRegistry',
  'includeBuild',
  'includeDev',
  'shipNpmSbom',
] as const;

export function readSbomSection(r: ConfigReader, raw: unknown, key: string): SbomConfig {
  const hint = 'see docs/config.md, `napiShip.sbom`';
  const value = r.record(raw, key, hint) ?? {};
  r.keys(value, key, SBOM_KEYS, 'sbom');
  const text = (k: string): string | null => r.text(value[k], `${key}.${k}`, hint) ?? null;
  const bool = (k: string, dflt: boolean): boolean => r.bool(value[k], `${key}.${k}`) ?? dflt;
  let namespace = text('namespace') ?? DEFAULT_NAMESPACE;
  if (!/^https?:\/\/[^\s#]+$/.test(namespace)) {
    r.fail(`${key}.namespace`, 'must be an http(s) URI without a "#"', hint);
    namespace = DEFAULT_NAMESPACE;
  }
  let npmRegistry = text('npmRegistry') ?? DEFAULT_REGISTRY;
  if (!/^https?:\/\/\S+$/.test(npmRegistry)) {
    r.fail(`${key}.npmRegistry`, 'must be an http(s) URL', hint);
    npmRegistry = DEFAULT_REGISTRY;
  }
  return {
    cargoManifest: text('cargoManifest'),
    organization: text('organization'),
    namespace,
    npmRegistry,
    includeBuild: bool('includeBuild', true),
    includeDev: bool('includeDev', false),
    shipNpmSbom: bool('shipNpmSbom', false),
  };
}
