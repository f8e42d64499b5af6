/** `napiShip.verify`: overrides of the verify policy (the CLI's `--glibc-max`, `--macos-min`, … win over these). */
import type { ConfigReader } from './reader.js';

/** Overrides of the verify policy (`napiShip.verify`, or the CLI's flags). */
export interface PolicyOverrides {
  readonly glibcMax?: string | undefined;
  /**
   * Per-target glibc ceilings (`napiShip.verify.glibcMaxByTarget`: Rust triple → "X.Y"), over
   * `glibcMax` (and `--glibc-max`) for those targets only: e.g. a riscv64 binary built on the CI
   * runner's own glibc, accepted without lifting the ceiling of every other target.
   */
  readonly glibcMaxByTarget?: Readonly<Record<string, string>> | undefined;
  readonly macosMin?: string | undefined;
  readonly sizeWarn?: number | undefined;
  readonly sizeError?: number | undefined;
}

const VERSION = /^\d+\.\d+$/;
export const VERIFY_KEYS = ['glibcMax', 'glibcMaxByTarget', 'macosMin', 'sizeWarn', 'sizeError'] as const;

export function readVerifySection(r: ConfigReader, raw: unknown, key: string): PolicyOverrides {
  const value = r.record(raw, key, 'e.g. "verify": { "glibcMax": "2.28" } (see docs/config.md)');
  if (value === null) return {};
  r.keys(value, key, VERIFY_KEYS, 'verify');
  const version = (k: string): string | undefined => {
    const v = value[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !VERSION.test(v)) {
      r.fail(`${key}.${k}`, 'must be a string like "2.28"', 'quote the version: "X.Y"');
      return undefined;
    }
    return v;
  };
  const bytes = (k: string): number | undefined => r.bytes(value[k], `${key}.${k}`, 'e.g. 52428800 for 50 MiB');
  const byTarget = r.record(value['glibcMaxByTarget'], `${key}.glibcMaxByTarget`, 'e.g. { "riscv64gc-unknown-linux-gnu": "2.35" }');
  let glibcMaxByTarget: Record<string, string> | undefined;
  if (byTarget !== null) {
    glibcMaxByTarget = {};
    for (const [triple, v] of Object.entries(byTarget)) {
      if (typeof v !== 'string' || !VERSION.test(v)) {
        r.fail(`${key}.glibcMaxByTarget.${triple}`, 'must be a string like "2.35"', 'quote the version: "X.Y"');
      } else {
        glibcMaxByTarget[triple] = v;
      }
    }
  }
  return {
    glibcMax: version('glibcMax'),
    glibcMaxByTarget,
    macosMin: version('macosMin'),
    sizeWarn: bytes('sizeWarn'),
    sizeError: bytes('sizeError'),
  };
}
