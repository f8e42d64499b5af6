/**
 * Check 4 (glibc symbol ceiling, macOS minimum) and check 8 (binary size): pure over facts + policy.
 */
import type { BinaryFacts } from '../core/index.js';
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import type { TargetSpec } from '../targets/index.js';
import { compareVersions, type VerifyPolicy } from './policy.js';

/** arm64 macOS starts at 11.0: no arm64 binary can declare less. */
const ARM64_MACOS_FLOOR = '11.0';

export function checkFloors(spec: TargetSpec, facts: BinaryFacts, policy: VerifyPolicy, subject: string): Diagnostic[] {
  const target = spec.platformArchABI;
  const out: Diagnostic[] = [];
  if (spec.libc === 'glibc' && facts.glibc !== null && compareVersions(facts.glibc, policy.glibcMax) > 0) {
    out.push(
      diagnostic({
        code: 'NS_VERIFY_GLIBC_CEILING',
        target,
        subject,
        message: `the binary needs glibc ${facts.glibc}, newer than the ${policy.glibcMax} it must run on`,
        expected: `≤ GLIBC_${policy.glibcMax}`,
        found: `GLIBC_${facts.glibc}`,
        hint: 'build on an older sysroot (napi build --use-napi-cross gives glibc 2.17, or cargo-zigbuild with <triple>.2.17), or raise --glibc-max if you drop older systems',
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
