/**
 * napi-ship's own settings, from the root package.json's `napiShip` key.
 */
import { DiagnosticError } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';

/** Overrides of the verify policy (`napiShip.verify`, or the CLI's flags). */
export interface PolicyOverrides {
  readonly glibcMax?: string | undefined;
  readonly macosMin?: string | undefined;
  readonly sizeWarn?: number | undefined;
  readonly sizeError?: number | undefined;
}

/** napi-ship's own settings, from the root package.json's `napiShip` key. */
export interface NapiShipConfig {
  /** Where the platform package directories live, relative to the root package (default `npm`). */
  readonly npmDir: string;
  /** Overrides of the verify policy (defaults follow `engines.node`). */
  readonly verify: PolicyOverrides;
}

function configError(source: string, message: string, hint: string): DiagnosticError {
  return new DiagnosticError([{ code: 'NS_CONFIG_INVALID', severity: 'error', subject: source, message, hint }]);
}

function readVerifyOverrides(raw: unknown, source: string): PolicyOverrides {
  if (raw === undefined) return {};
  if (!isRecord(raw))
    throw configError(source, '`napiShip.verify` must be an object', 'e.g. "verify": { "glibcMax": "2.28" } (see docs/config.md)');
  const text = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw configError(source, `\`napiShip.verify.${key}\` must be a string like "2.28"`, 'quote the version');
    return v;
  };
  const bytes = (key: string): number | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number')
      throw configError(source, `\`napiShip.verify.${key}\` must be a number of bytes`, 'e.g. 52428800 for 50 MiB');
    return v;
  };
  return { glibcMax: text('glibcMax'), macosMin: text('macosMin'), sizeWarn: bytes('sizeWarn'), sizeError: bytes('sizeError') };
}

export function readNapiShipConfig(pkg: Record<string, unknown>, source: string): NapiShipConfig {
  const raw = pkg.napiShip;
  if (raw === undefined) return { npmDir: 'npm', verify: {} };
  if (!isRecord(raw) || (raw.npmDir !== undefined && typeof raw.npmDir !== 'string')) {
    throw configError(
      source,
      '`napiShip` must be an object whose `npmDir` is a string',
      'e.g. "napiShip": { "npmDir": "npm" } (see docs/config.md)',
    );
  }
  return { npmDir: typeof raw.npmDir === 'string' ? raw.npmDir : 'npm', verify: readVerifyOverrides(raw.verify, source) };
}
