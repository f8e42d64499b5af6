/**
 * The verify policy: how old a glibc and macOS the binaries must still run on, and size limits.
 * Defaults follow the oldest Node.js the root package's `engines.node` allows: an addon need not
 * run where that Node itself cannot.
 */
import semver from 'semver';
import { DiagnosticError } from '../diagnostics/index.js';

export interface VerifyPolicy {
  /** Highest `GLIBC_x.y` a linux-gnu binary may require. */
  readonly glibcMax: string;
  /** Per-target ceilings (Rust triple → "X.Y"), over `glibcMax` for those targets (`napiShip.verify.glibcMaxByTarget`). */
  readonly glibcMaxByTarget: Readonly<Record<string, string>>;
  /** Highest macOS minimum a darwin binary may declare (arm64 is never below 11.0). */
  readonly macosMin: string;
  /** Binaries larger than this many bytes get a warning. */
  readonly sizeWarn: number;
  /** Binaries larger than this many bytes are an error. */
  readonly sizeError: number;
  /** Where the defaults came from, for the report. */
  readonly basis: string;
}

import type { PolicyOverrides } from '../config/index.js';

export type { PolicyOverrides };

/** glibc and macOS floors of official Node.js builds, by the first major they apply to. */
const NODE_FLOORS: readonly { readonly major: number; readonly glibc: string; readonly macos: string }[] = [
  { major: 0, glibc: '2.17', macos: '10.13' },
  { major: 18, glibc: '2.28', macos: '10.15' },
  { major: 22, glibc: '2.28', macos: '11.0' },
  { major: 24, glibc: '2.28', macos: '13.5' },
];

export const DEFAULT_SIZE_WARN = 50 * 1024 * 1024;
export const DEFAULT_SIZE_ERROR = 200 * 1024 * 1024;

/** `2.28` → [2, 28]; anything else → null. */
export function parseVersion(text: string): number[] | null {
  if (!/^\d+(\.\d+){0,3}$/.test(text)) return null;
  return text.split('.').map(Number);
}

/** Compare dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a) ?? [];
  const y = parseVersion(b) ?? [];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The oldest Node.js major an `engines.node` range allows, or null when there is none. */
export function oldestNodeMajor(engines: unknown): number | null {
  if (typeof engines !== 'object' || engines === null || !('node' in engines) || typeof engines.node !== 'string') return null;
  try {
    const min = semver.minVersion(engines.node);
    return min ? min.major : null;
  } catch {
    return null;
  }
}

function floorFor(major: number | null): (typeof NODE_FLOORS)[number] {
  const applicable = NODE_FLOORS.filter((f) => f.major <= (major ?? 18));
  return applicable[applicable.length - 1] ?? { major: 18, glibc: '2.28', macos: '10.15' };
}

function invalid(what: string, value: string, hint: string): DiagnosticError {
  return new DiagnosticError([{ code: 'NS_VERIFY_POLICY', severity: 'error', message: `${what} "${value}" is not valid`, hint }]);
}

export function resolvePolicy(
  rootPackage: Readonly<Record<string, unknown>>,
  config: PolicyOverrides,
  flags: PolicyOverrides,
): VerifyPolicy {
  const major = oldestNodeMajor(rootPackage.engines);
  const floor = floorFor(major);
  const glibcMax = flags.glibcMax ?? config.glibcMax ?? floor.glibc;
  const macosMin = flags.macosMin ?? config.macosMin ?? floor.macos;
  if (!parseVersion(glibcMax)) throw invalid('glibc ceiling', glibcMax, 'write it as X.Y, e.g. --glibc-max 2.28');
  if (!parseVersion(macosMin)) throw invalid('macOS minimum', macosMin, 'write it as X.Y, e.g. --macos-min 10.15');
  const sizeWarn = flags.sizeWarn ?? config.sizeWarn ?? DEFAULT_SIZE_WARN;
  const sizeError = flags.sizeError ?? config.sizeError ?? DEFAULT_SIZE_ERROR;
  for (const [name, v] of [
    ['size warning limit', sizeWarn],
    ['size error limit', sizeError],
  ] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) throw invalid(name, String(v), 'a positive whole number of bytes');
  }
  const basis =
    major === null
      ? 'no engines.node: Node 18 floors assumed'
      : `engines.node allows Node ${major}: its official builds need glibc ${floor.glibc} and macOS ${floor.macos}`;
  const glibcMaxByTarget = flags.glibcMaxByTarget ?? config.glibcMaxByTarget ?? {};
  for (const [triple, v] of Object.entries(glibcMaxByTarget)) {
    if (!parseVersion(v)) throw invalid(`glibc ceiling of ${triple}`, v, 'write it as X.Y, e.g. "2.35"');
  }
  return { glibcMax, glibcMaxByTarget, macosMin, sizeWarn, sizeError, basis };
}
