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
  const libc = spec.binaryLibc;
  if (libc !== null) {
    if (facts.libc === null) {
      out.push(
        diagnostic({
          code: 'NS_BINARY_LIBC_UNPROVEN',
          severity: 'warning',
          target,
          subject,
          message: 'the binary links no C library that proves glibc or musl',
          expected: libc,
          found: 'none',
          hint: 'a fully static binary is fine on both; check it loads on the target libc',
        }),
      );
    } else if (facts.libc !== libc) {
      mismatch(
        'NS_BINARY_LIBC',
        'C library',
        libc,
        facts.libc,
        `a ${facts.libc} binary in a ${libc} package fails to load; build it with --target ${spec.triple}`,
      );
    }
  }
  if (spec.crt !== null && facts.crt !== null) {
    // A DLL importing no C runtime: for MSVC that is a static CRT (`-C target-feature=+crt-static`,
    // which napi-rs's template sets for windows-msvc), fine; a MinGW build always imports msvcrt or
    // the UCRT, so for windows-gnu it proves nothing.
    if (facts.crt === 'none' && spec.crt === 'mingw') {
      out.push(
        diagnostic({
          code: 'NS_BINARY_CRT_UNPROVEN',
          severity: 'warning',
          target,
          subject,
          message: 'the DLL imports no C runtime: a MinGW (windows-gnu) build imports msvcrt.dll or the UCRT, so this may not be one',
          expected: spec.crt,
          found: 'none',
          hint: `check it was built with --target ${spec.triple}; a static-CRT DLL is an MSVC (windows-msvc) build`,
        }),
      );
    } else if (facts.crt !== 'none' && facts.crt !== spec.crt) {
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
  if (!facts.napiExport) {
    const symbol = spec.format === 'wasm' ? 'napi_register_wasm_v1' : 'napi_register_module_v1';
    out.push(
      diagnostic({
        code: 'NS_BINARY_NO_NAPI_EXPORT',
        target,
        subject,
        message: `${symbol} is not exported`,
        expected: symbol,
        found: facts.napiSymbols.join(', ') || 'no Node-API symbol',
        hint: 'Node cannot load this as an addon; is it a napi-rs cdylib built with #[napi] items?',
      }),
    );
  }
  return out;
}
