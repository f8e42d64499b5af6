/**
 * Check 4 (glibc symbol ceiling, macOS minimum) and check 8 (binary size): pure over facts + policy.
 */
import type { BinaryFacts } from '../core/index.js';
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import type { TargetSpec } from '../targets/index.js';
import { compareVersions, type VerifyPolicy } from './policy.js';

/** arm64 macOS starts at 11.0: no arm64 binary can declare less. */
const ARM64_MACOS_FLOOR = '11.0';

/**
 * The triples @napi-rs/cross-toolchain has a sysroot for (`napi build --use-napi-cross`, glibc 2.17).
 * Others (riscv64, loongarch64) are built with cargo-zigbuild's glibc pin (`napi build -x --target <triple>.<glibc>`).
 */
const NAPI_CROSS_TRIPLES: ReadonlySet<string> = new Set([
  'x86_64-unknown-linux-gnu',
  'aarch64-unknown-linux-gnu',
  'armv7-unknown-linux-gnueabihf',
  'powerpc64le-unknown-linux-gnu',
  's390x-unknown-linux-gnu',
]);

/** The ceiling the policy sets for one target: its own (`glibcMaxByTarget`) when it has one, else `glibcMax`. */
function policyCeiling(spec: TargetSpec, policy: VerifyPolicy): string {
  return (Object.hasOwn(policy.glibcMaxByTarget, spec.triple) ? policy.glibcMaxByTarget[spec.triple] : undefined) ?? policy.glibcMax;
}

/** The glibc ceiling for one target: the policy's, raised to the oldest glibc that exists for its architecture. */
export function glibcCeiling(spec: TargetSpec, policy: VerifyPolicy): string {
  const floor = spec.glibcFloor;
  const max = policyCeiling(spec, policy);
  return floor !== null && compareVersions(floor, max) > 0 ? floor : max;
}

/** A toolchain that really exists for this target and gives an old glibc. */
export function glibcHint(spec: TargetSpec, ceiling: string, found = 'X.Y'): string {
  const pin = compareVersions(ceiling, '2.17') < 0 && NAPI_CROSS_TRIPLES.has(spec.triple) ? '2.17' : ceiling;
  const zig = `cargo-zigbuild's glibc pin (napi build -x --target ${spec.triple}.${pin})`;
  const how = NAPI_CROSS_TRIPLES.has(spec.triple)
    ? `napi build --use-napi-cross --target ${spec.triple} (glibc 2.17), or ${zig}`
    : `${zig}; @napi-rs/cross-toolchain has no ${spec.arch} sysroot`;
  return `build against an older glibc: ${how}; or, if you drop older systems for this target only, accept it in napiShip.verify.glibcMaxByTarget (e.g. { "${spec.triple}": "${found}" }), for every target with --glibc-max`;
}

export function checkFloors(spec: TargetSpec, facts: BinaryFacts, policy: VerifyPolicy, subject: string): Diagnostic[] {
  const target = spec.platformArchABI;
  const out: Diagnostic[] = [];
  const ceiling = glibcCeiling(spec, policy);
  if (spec.binaryLibc === 'glibc' && facts.libc === 'glibc' && facts.glibc !== null && compareVersions(facts.glibc, ceiling) > 0) {
    const own = policyCeiling(spec, policy);
    const raised =
      ceiling !== own
        ? ` (${spec.arch} glibc starts at ${ceiling})`
        : own !== policy.glibcMax
          ? ` (napiShip.verify.glibcMaxByTarget["${spec.triple}"])`
          : '';
    out.push(
      diagnostic({
        code: 'NS_VERIFY_GLIBC_CEILING',
        target,
        subject,
        message: `the binary needs glibc ${facts.glibc}, newer than the ${ceiling} it must run on${raised}`,
        expected: `≤ GLIBC_${ceiling}`,
        found: `GLIBC_${facts.glibc}`,
        hint: glibcHint(spec, ceiling, facts.glibc),
      }),
    );
  }
  if (spec.os === 'darwin') {
    const slices = facts.slices.length > 0 ? facts.slices : [facts];
    for (const s of slices) {
      if (s.macosMin === null) continue;
      const allowed = s.cpu === 'arm64' && compareVersions(policy.macosMin, ARM64_MACOS_FLOOR) < 0 ? ARM64_MACOS_FLOOR : policy.macosMin;
      if (compareVersions(s.macosMin, allowed) > 0) {
        out.push(
          diagnostic({
            code: 'NS_VERIFY_MACOS_MIN',
            target,
            subject,
            message: `the ${s.cpu ?? ''} binary requires macOS ${s.macosMin}, newer than the ${allowed} it must run on`,
            expected: `≤ ${allowed}`,
            found: s.macosMin,
            hint: 'set MACOSX_DEPLOYMENT_TARGET when building, or raise --macos-min',
          }),
        );
      }
    }
  }
  return out;
}

export function checkSize(spec: TargetSpec, size: number, policy: VerifyPolicy, subject: string): Diagnostic[] {
  const target = spec.platformArchABI;
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (size > policy.sizeError) {
    return [
      diagnostic({
        code: 'NS_VERIFY_SIZE',
        target,
        subject,
        message: `the binary is ${mib(size)}, over the ${mib(policy.sizeError)} limit`,
        expected: `≤ ${mib(policy.sizeError)}`,
        found: mib(size),
        hint: 'strip it (profile.release strip = "symbols"), enable LTO, or raise napiShip.verify.sizeError',
      }),
    ];
  }
  if (size > policy.sizeWarn) {
    return [
      diagnostic({
        code: 'NS_VERIFY_SIZE',
        severity: 'warning',
        target,
        subject,
        message: `the binary is ${mib(size)}, over the ${mib(policy.sizeWarn)} warning size`,
        expected: `≤ ${mib(policy.sizeWarn)}`,
        found: mib(size),
        hint: 'strip it or enable LTO; raise napiShip.verify.sizeWarn to silence',
      }),
    ];
  }
  return [];
}
