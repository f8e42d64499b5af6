/**
 * `napiShip.sbom` in the root package.json: where the SBOM stage looks and what it writes.
 */
import { diagnostic, DiagnosticError } from '../diagnostics/index.js';
import { DEFAULT_REGISTRY } from '../registry/url.js';
import { isRecord } from '../util/json.js';

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

function configError(source: string, message: string): DiagnosticError {
  return new DiagnosticError([
    diagnostic({ code: 'NS_CONFIG_INVALID', subject: source, message, hint: 'see docs/config.md, `napiShip.sbom`' }),
  ]);
}

/** Read `napiShip.sbom` from the root package.json (absent keys take their defaults). */
export function readSbomConfig(manifest: Readonly<Record<string, unknown>>, source: string): SbomConfig {
  const napiShip = manifest.napiShip;
  const raw = isRecord(napiShip) ? napiShip.sbom : undefined;
  if (raw !== undefined && !isRecord(raw)) throw configError(source, '`napiShip.sbom` must be an object');
  const r = raw ?? {};
  const text = (key: string): string | null => {
    const v = r[key];
    if (v === undefined) return null;
    if (typeof v !== 'string' || v.trim() === '') throw configError(source, `\`napiShip.sbom.${key}\` must be a non-empty string`);
    return v;
  };
  const bool = (key: string, dflt: boolean): boolean => {
    const v = r[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') throw configError(source, `\`napiShip.sbom.${key}\` must be true or false`);
    return v;
  };
  const namespace = text('namespace') ?? DEFAULT_NAMESPACE;
  if (!/^https?:\/\/[^\s#]+$/.test(namespace)) throw configError(source, '`napiShip.sbom.namespace` must be an http(s) URI without a "#"');
  const npmRegistry = text('npmRegistry') ?? DEFAULT_REGISTRY;
  if (!/^https?:\/\/\S+$/.test(npmRegistry)) throw configError(source, '`napiShip.sbom.npmRegistry` must be an http(s) URL');
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
