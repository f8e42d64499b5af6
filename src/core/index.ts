/**
 * The TypeScript face of the Rust core (`@napi-ship/core`, loaded through its napi-rs loader).
 *
 * The binding answers with optional fields; this module turns them into explicit `null`s, so every
 * stage (and `--json`) sees one stable shape. The string unions (format, libc, crt, error codes) are
 * the binding's own `#[napi(string_enum)]` types: nothing here guesses or defaults a value.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Binding from '@napi-ship/core';
import { DiagnosticError } from '../diagnostics/index.js';

type CoreBinding = typeof Binding;

let binding: CoreBinding | undefined;

/** What the hint of a core that does not load depends on. */
export interface CoreHost {
  /** `process.platform`-`process.arch`[-gnu|musl|msvc], napi-rs's platform-arch-abi of this machine. */
  readonly abi: string;
  /** The platform packages @napi-ship/core pins (its `optionalDependencies`); `null` when its package.json is unreadable. */
  readonly platformPackages: readonly string[] | null;
  /** napi-ship runs from a source checkout (crates/napi-ship-node beside it), not from an install. */
  readonly sourceCheckout: boolean;
}

/** This machine's napi-rs platform-arch-abi (`linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, …). */
export function hostAbi(): string {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform === 'win32') return `${base}-msvc`;
  if (process.platform !== 'linux') return base;
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return `${base}-${report.header?.glibcVersionRuntime === undefined ? 'musl' : 'gnu'}`;
}

/**
 * What to do when @napi-ship/core does not load, for the user in front of it: from a source
 * checkout, build it; from an install, which platform package is missing and how to get it, or
 * that this platform has none. Pure.
 */
export function coreLoadHint(host: CoreHost): string {
  if (host.sourceCheckout) return 'a source checkout of napi-ship: build the core for this machine with `pnpm build`';
  const wanted = `@napi-ship/core-${host.abi}`;
  if (host.platformPackages !== null && host.platformPackages.length > 0 && !host.platformPackages.includes(wanted)) {
    const shipped = host.platformPackages.map((p) => p.replace('@napi-ship/core-', '')).join(', ');
    return `napi-ship's native core is not built for this platform (${host.abi}); it ships for ${shipped}: run napi-ship on one of those (e.g. in CI)`;
  }
  return `the platform package ${wanted} is not installed: install napi-ship again with optional dependencies (not --omit=optional, --no-optional or --ignore-optional; with npm, delete node_modules and package-lock.json first, npm/cli#4828), or add ${wanted} at napi-ship's @napi-ship/core version`;
}

function coreHost(require: NodeJS.Require): CoreHost {
  let platformPackages: string[] | null = null;
  try {
    const manifest = require('@napi-ship/core/package.json') as { optionalDependencies?: Record<string, string> };
    platformPackages = Object.keys(manifest.optionalDependencies ?? {});
  } catch {
    platformPackages = null;
  }
  // dist/src/core → the package root; a checkout has the core's crate beside it.
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return { abi: hostAbi(), platformPackages, sourceCheckout: existsSync(`${root}crates/napi-ship-node/Cargo.toml`) };
}

/** Load the native core once; a missing build is a diagnostic with the fix. */
export function loadCore(): CoreBinding {
  if (binding) return binding;
  const require = createRequire(import.meta.url);
  try {
    binding = require('@napi-ship/core') as CoreBinding;
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    throw new DiagnosticError([
      {
        code: 'NS_CORE_LOAD',
        severity: 'error',
        message: `the native core @napi-ship/core could not be loaded: ${reason}`,
        hint: coreLoadHint(coreHost(require)),
      },
    ]);
  }
  return binding;
}

export type BinaryFormat = Binding.BinaryFormat;
export type Libc = Binding.LibcKind;
export type Crt = Binding.CrtKind;
export type Endian = Binding.ByteOrder;
/** Why the core could not hash or inspect a file. */
export type CoreErrorCode = Binding.CoreErrorCode;

/** What the core read from one binary, in npm's vocabulary. */
export interface BinaryFacts {
  readonly format: BinaryFormat;
  readonly os: string | null;
  readonly cpu: string | null;
  readonly machine: string;
  readonly bits: number;
  readonly endian: Endian;
  readonly sharedLibrary: boolean;
  readonly libc: Libc | null;
  readonly glibc: string | null;
  readonly interpreter: string | null;
  readonly needed: readonly string[];
  readonly macosMin: string | null;
  readonly crt: Crt | null;
  readonly napiExport: boolean;
  readonly napiSymbols: readonly string[];
  readonly stripped: boolean;
  readonly slices: readonly BinaryFacts[];
  readonly size: number;
}

export interface CoreFailure {
  readonly code: CoreErrorCode;
  readonly message: string;
}

export type Inspected =
  | { readonly path: string; readonly ok: true; readonly facts: BinaryFacts }
  | { readonly path: string; readonly ok: false; readonly error: CoreFailure };

export interface FileDigests {
  readonly size: number;
  readonly sha1: string;
  readonly sha256: string;
  readonly sha512: string;
  /** `sha512-<base64>`, as npm's `dist.integrity`. */
  readonly integrity: string;
}

/** A file's digests with its identity (`fileIdentity` in util/fs.ts) from just before it was read. */
export interface IdentifiedDigests extends FileDigests {
  readonly identity: string;
}

export type Hashed =
  ({ readonly path: string; readonly ok: true } & FileDigests) | { readonly path: string; readonly ok: false; readonly error: CoreFailure };

export function toFacts(r: Binding.BinaryReport): BinaryFacts {
  return {
    format: r.format,
    os: r.os ?? null,
    cpu: r.cpu ?? null,
    machine: r.machine,
    bits: r.bits,
    endian: r.endian,
    sharedLibrary: r.sharedLibrary,
    libc: r.libc ?? null,
    glibc: r.glibc ?? null,
    interpreter: r.interpreter ?? null,
    needed: r.needed,
    macosMin: r.macosMin ?? null,
    crt: r.crt ?? null,
    napiExport: r.napiExport,
    napiSymbols: r.napiSymbols,
    stripped: r.stripped,
    slices: r.slices.map(toFacts),
    size: r.size,
  };
}

/**
 * A name that was not UTF-8 reaches Node (argv, readdir) with U+FFFD in place of its bytes, so the
 * file cannot be opened by it: say so instead of a bare "not found".
 */
function explainError(path: string, error: CoreFailure): CoreFailure {
  if (error.code === 'E_NOT_FOUND' && path.includes('\uFFFD'))
    return {
      code: 'E_NOT_FOUND',
      message: `${error.message} (the name holds bytes that are not UTF-8, which Node cannot pass on: rename the file to a UTF-8 name)`,
    };
  return error;
}

function toInspected(r: Binding.FileInspection): Inspected {
  if (r.report) return { path: r.path, ok: true, facts: toFacts(r.report) };
  return { path: r.path, ok: false, error: explainError(r.path, r.error ?? { code: 'E_INTERNAL', message: 'no report and no error' }) };
}

function toHashed(r: Binding.FileHash): Hashed {
  const { size, sha1, sha256, sha512, integrity } = r;
  if (!r.error && size !== undefined && sha1 && sha256 && sha512 && integrity) {
    return { path: r.path, ok: true, size, sha1, sha256, sha512, integrity };
  }
  return { path: r.path, ok: false, error: explainError(r.path, r.error ?? { code: 'E_INTERNAL', message: 'no digests and no error' }) };
}

export interface InspectOptions {
  /** Refuse files larger than this many bytes (default: the core's 1 GiB). */
  readonly sizeLimit?: number;
}

/** Inspect binaries off the main thread; one result per path, in order. */
export async function inspectFiles(paths: readonly string[], options: InspectOptions = {}): Promise<Inspected[]> {
  const results = await loadCore().inspect([...paths], options.sizeLimit);
  return results.map(toInspected);
}

export function inspectFileSync(path: string, options: InspectOptions = {}): Inspected {
  return toInspected(loadCore().inspectSync(path, options.sizeLimit));
}

export function inspectBuffer(data: Uint8Array): Inspected {
  return toInspected(loadCore().inspectBuffer(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
}

/** sha1 + sha256 + sha512 of each file in one read pass, files in parallel. */
export async function hashFiles(paths: readonly string[]): Promise<Hashed[]> {
  const results = await loadCore().hash([...paths]);
  return results.map(toHashed);
}

export function hashFilesSync(paths: readonly string[]): Hashed[] {
  return loadCore()
    .hashSync([...paths])
    .map(toHashed);
}

export function coreVersion(): string {
  return loadCore().coreVersion();
}

/**
 * A reproducible gzip member of `data`, compressed by the core (libdeflate) off the main thread:
 * smaller than zlib level 9 and several times faster. Its bytes depend on `compressorId()` only.
 */
export async function gzip(data: Uint8Array): Promise<Buffer> {
  return loadCore().gzip(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** What `gzip`'s bytes depend on (libdeflate build, level rule, header), for cache keys and the manifest. */
export function compressorId(): string {
  return loadCore().compressorId();
}
