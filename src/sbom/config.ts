/**
 * `napiShip.sbom` in the root package.json: where the SBOM stage looks and what it writes. Read by the
 * one config reader (src/config), so a wrong key anywhere in `napiShip` is reported with the rest.
 */
import { readNapiShipConfig, type SbomConfig } from '../config/index.js';

export { DEFAULT_NAMESPACE, type SbomConfig, type SbomFormat } from '../config/index.js';

/** Read `napiShip.sbom` from the root package.json (absent keys take their defaults). */
export function readSbomConfig(manifest: Readonly<Record<string, unknown>>, source: string): SbomConfig {
  return readNapiShipConfig(manifest, source).sbom;
}
