/** What the stage step wrote: one platform package per staged target, and the root's pins. */
import type { IdentifiedDigests } from '../core/index.js';
import type { Outcome } from '../diagnostics/index.js';

/** One platform package as `stage` wrote it. */
export interface StagedPackage {
  readonly triple: string;
  readonly platformArchABI: string;
  readonly packageName: string;
  /** The platform package directory (`<npmDir>/<platform-arch-abi>`). */
  readonly dir: string;
  /** Absolute path of the staged `.node` file inside `dir`. */
  readonly binaryPath: string;
  /** Where the binary came from (artifact or build output). */
  readonly source: string;
  /** The package.json written for it. */
  readonly manifest: Readonly<Record<string, unknown>>;
  /**
   * The staged binary's digests and identity, when stage hashed that very file (the staged path is a
   * hard link of the chosen one): verify re-uses them while the identity holds instead of reading the
   * binary again.
   */
  readonly digests: IdentifiedDigests | null;
}

export interface StageResult {
  readonly packages: readonly StagedPackage[];
  /** What the root's `optionalDependencies` now pin: name → exact version. */
  readonly rootOptionalDependencies: Readonly<Record<string, string>>;
}

/** The stage stage's outcome (the one outcome shape: `ok`, diagnostics, result). */
export type StageOutcome = Outcome<StageResult>;
