import type { CodeTable } from './types.js';

const stage = 'run napi-ship stage to rewrite the platform package';
const rebuild = (what: string): string =>
  `the binary was built for another ${what}: build it with --target <the triple> and stage it again`;

/** `verify` (src/verify): every platform package checked on disk against its target and its binary. */
export const verifyCodes = {
  NS_VERIFY_MISSING_PACKAGE: {
    class: 'check',
    summary: 'the platform package of a configured target is not staged',
    hint: 'a release needs every target: build it (CI matrix) and run napi-ship stage',
  },
  NS_VERIFY_EXTRA_PACKAGE: {
    class: 'check',
    summary: 'a platform package directory is not a configured target',
    hint: 'add its triple to napi.targets or delete the directory',
  },
  NS_VERIFY_NAME: { class: 'check', summary: "the platform package's name is not the one its target needs", hint: stage },
  NS_VERIFY_VERSION: { class: 'check', summary: "the platform package's version is not the root's", hint: stage },
  NS_VERIFY_OS: { class: 'check', summary: "the platform package's `os` field is not its target's", hint: stage },
  NS_VERIFY_CPU: { class: 'check', summary: "the platform package's `cpu` field is not its target's", hint: stage },
  NS_VERIFY_LIBC: { class: 'check', summary: "the platform package's `libc` field is not its target's", hint: stage },
  NS_VERIFY_MAIN: {
    class: 'check',
    summary: "the platform package's `main` does not name the .node file the loader requires",
    hint: stage,
  },
  NS_VERIFY_FILE_MISSING: {
    class: 'check',
    summary: 'a file the platform package lists (main, files) is not there',
    hint: 'stage the binary again, or fix `files`',
  },
  NS_VERIFY_SYMLINK: {
    class: 'check',
    summary: 'a file of the platform package is a symbolic link',
    hint: 'replace the link with the real file',
  },
  NS_VERIFY_PATH_ESCAPE: {
    class: 'check',
    summary: 'a path in main/files leaves the package',
    hint: 'list files relative to the package directory',
  },
  NS_VERIFY_GLIBC_CEILING: {
    class: 'check',
    summary: 'the binary needs a newer glibc than the oldest it must run on',
    hint: 'build on an older sysroot (napi build --use-napi-cross gives glibc 2.17), or raise --glibc-max if you drop older systems',
  },
  NS_VERIFY_MACOS_MIN: {
    class: 'check',
    summary: 'the binary requires a newer macOS than the oldest it must run on',
    hint: 'set MACOSX_DEPLOYMENT_TARGET when building, or raise --macos-min',
  },
  NS_VERIFY_SIZE: {
    class: 'check',
    summary: 'the binary is over the size limit (a warning over the warning limit)',
    hint: 'strip it (profile.release strip = "symbols"), enable LTO, or raise napiShip.verify.sizeError',
  },
  NS_VERIFY_PIN_MISSING: {
    class: 'check',
    summary: 'the root package does not pin this platform package in optionalDependencies',
    hint: 'users on this platform would get no binary; run napi-ship stage to write the pins',
  },
  NS_VERIFY_PIN_VERSION: {
    class: 'check',
    summary: 'the root pins this platform package at another version (pins must be exact)',
    hint: 'a range or old pin installs a binary from another release; run napi-ship stage',
  },
  NS_VERIFY_PIN_EXTRA: {
    class: 'check',
    summary: 'the root pins a platform package that is not a configured target',
    hint: 'add its triple to napi.targets or remove the pin',
  },
  NS_VERIFY_LOADER_VERSION: {
    class: 'check',
    summary: "the napi-rs 3 loader's embedded version checks (`bindingPackageVersion !== 'x.y.z'`) name another version than the package's",
    hint: 'regenerate the loader with napi build --platform after the bump, or bump with napi-ship version (it updates them)',
  },
  NS_VERIFY_LOADER: {
    class: 'check',
    summary: 'the root package has no loader file, or it does not load the platform packages',
    hint: 'napi build --platform generates index.js; commit or ship it',
  },
  NS_VERIFY_POLICY: {
    class: 'usage',
    summary: 'a verify limit (--glibc-max, --macos-min, size limits) is not a valid value',
    hint: 'e.g. --glibc-max 2.17, --macos-min 10.13',
  },
  NS_BINARY_FORMAT: { class: 'check', summary: "the binary's format (ELF, Mach-O, PE, wasm) is not its target's", hint: rebuild('format') },
  NS_BINARY_OS: { class: 'check', summary: 'the binary is built for another operating system than its target', hint: rebuild('OS') },
  NS_BINARY_CPU: { class: 'check', summary: 'the binary is built for another CPU than its target', hint: rebuild('CPU') },
  NS_BINARY_BITS: { class: 'check', summary: "the binary's bitness is not its target's", hint: rebuild('bitness') },
  NS_BINARY_ENDIAN: { class: 'check', summary: "the binary's byte order is not its target's", hint: rebuild('byte order') },
  NS_BINARY_LIBC: {
    class: 'check',
    summary: 'the binary links another C library (glibc/musl) than its target',
    hint: rebuild('C library'),
  },
  NS_BINARY_LIBC_UNPROVEN: {
    class: 'check',
    summary: 'the binary links no C library that proves glibc or musl',
    hint: 'a fully static binary is fine on both; check it loads on the target libc',
  },
  NS_BINARY_CRT: {
    class: 'check',
    summary: 'the DLL links another C runtime (MSVC/MinGW) than its target',
    hint: rebuild('C runtime'),
  },
  NS_BINARY_CRT_UNPROVEN: {
    class: 'check',
    summary: 'the DLL imports no C runtime, so its MSVC/MinGW flavour cannot be proven',
    hint: 'fine for a -nostdlib DLL; a real Rust build imports its CRT',
  },
  NS_BINARY_NOT_SHARED: {
    class: 'check',
    summary: 'the file is not a shared library the runtime can load',
    hint: 'napi-rs addons are cdylib crates: set crate-type = ["cdylib"]',
  },
  NS_BINARY_NO_NAPI_EXPORT: {
    class: 'check',
    summary: 'napi_register_module_v1 is not exported: Node cannot load it as an addon',
    hint: 'is it a napi-rs cdylib built with #[napi] items?',
  },
} as const satisfies CodeTable;
