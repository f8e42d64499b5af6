/**
 * Does a binary match the target it is shipped for? Pure: facts from the core in, diagnostics out.
 */
import type { BinaryFacts } from '../core/index.js';
import { diagnostic, type Code, type Diagnostic } from '../diagnostics/index.js';
import type { TargetSpec } from '../targets/index.js';

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The CPUs a binary holds: its own, or those of its slices for a universal Mach-O. */
export function binaryCpus(facts: BinaryFacts): string[] {
  if (facts.slices.length > 0) return facts.slices.map((s) => s.cpu ?? '?');
  return [facts.cpu ?? '?'];
}

export function checkBinary(spec: TargetSpec, facts: BinaryFacts, subject: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const target = spec.platformArchABI;
  const mismatch = (code: Code, what: string, expected: string, found: string, hint: string): void => {
    out.push(diagnostic({ code, target, subject, message: `${what} does not match the target`, expected, found, hint }));
  };
  if (facts.format !== spec.format) {
    mismatch(
      'NS_BINARY_FORMAT',
      'binary format',
      spec.format,
      facts.format,
      `build ${spec.triple} for this package; a ${facts.format} file belongs to another platform`,
    );
  }
  if (spec.os !== null && facts.os !== spec.os) {
    mismatch(
      'NS_BINARY_OS',
      'operating system',
      spec.os,
      facts.os ?? 'unknown',
      `the file was built for ${facts.os ?? 'another OS'}; build it with --target ${spec.triple}`,
    );
  }
  const cpus = binaryCpus(facts);
  if (!sameSet(cpus, spec.cpu)) {
    mismatch(
      'NS_BINARY_CPU',
      'CPU architecture',
      spec.cpu.join('+'),
      cpus.join('+'),
      `the file holds ${cpus.join('+')} code; build it with --target ${spec.triple}`,
    );
  }
  if (facts.bits !== spec.bits) {
    mismatch('NS_BINARY_BITS', 'bitness', `${spec.bits}-bit`, `${facts.bits}-bit`, `build it with --target ${spec.triple}`);
  }
  if (facts.endian !== spec.endian) {
    mismatch('NS_BINARY_ENDIAN', 'byte order', spec.endian, facts.endian, `build it with --target ${spec.triple}`);
  }
  if (spec.libc !== null) {
    if (facts.libc === null) {
      out.push(
        diagnostic({
          code: 'NS_BINARY_LIBC_UNPROVEN',
          severity: 'warning',
          target,
          subject,
          message: 'the binary links no C library that proves glibc or musl',
          expected: spec.libc,
          found: 'none',
          hint: 'a fully static binary is fine on both; check it loads on the target libc',
        }),
      );
    } else if (facts.libc !== spec.libc) {
      mismatch(
        'NS_BINARY_LIBC',
        'C library',
        spec.libc,
        facts.libc,
        `a ${facts.libc} binary in a ${spec.libc} package fails to load; build it with --target ${spec.triple}`,
      );
    }
  }
  if (spec.crt !== null && facts.crt !== null) {
    if (facts.crt === 'none') {
      out.push(
        diagnostic({
          code: 'NS_BINARY_CRT_UNPROVEN',
          severity: 'warning',
          target,
          subject,
          message: 'the DLL imports no C runtime, so its MSVC/MinGW flavour cannot be proven',
          expected: spec.crt,
          found: 'none',
          hint: 'fine for a -nostdlib DLL; a real Rust build imports its CRT',
        }),
      );
    } else if (facts.crt !== spec.crt) {
      mismatch(
        'NS_BINARY_CRT',
        'C runtime flavour',
        spec.crt,
        facts.crt,
        `a ${facts.crt} DLL in a ${spec.crt} package: build with --target ${spec.triple}`,
      );
    }
  }
  if (!facts.sharedLibrary) {
    out.push(
      diagnostic({
        code: 'NS_BINARY_NOT_SHARED',
        target,
        subject,
        message: 'the file is not a shared library the runtime can load',
        expected: 'shared library',
        found: 'executable or object',
        hint: 'napi-rs addons are cdylib crates: set crate-type = ["cdylib"]',
      }),
    );
  }
  if (spec.format !== 'wasm' && !facts.napiExport) {
    out.push(
      diagnostic({
        code: 'NS_BINARY_NO_NAPI_EXPORT',
        target,
        subject,
        message: 'napi_register_module_v1 is not exported',
        expected: 'napi_register_module_v1',
        found: facts.napiSymbols.join(', ') || 'no Node-API symbol',
        hint: 'Node cannot load this as an addon; is it a napi-rs cdylib built with #[napi] items?',
      }),
    );
  }
  return out;
}
