import type { CodeTable } from './types.js';

const rebuild = 'rebuild the addon and stage it again: the file is not a loadable binary';

/**
 * The native core (src/core): loading it, and the typed failures of `inspect` (`NS_INSPECT_<E_*>`,
 * one per `CoreErrorCode` of @napi-ship/core).
 */
export const coreCodes = {
  NS_CORE_LOAD: {
    class: 'environment',
    summary: 'the native core @napi-ship/core could not be loaded',
    hint: "install napi-ship again with optional dependencies, so that @napi-ship/core's package for this platform (e.g. @napi-ship/core-linux-x64-gnu) is installed; from a source checkout: pnpm build",
  },
  NS_INSPECT_E_NOT_FOUND: { class: 'check', summary: 'the binary to inspect does not exist', hint: 'build and stage the binary first' },
  NS_INSPECT_E_IO: { class: 'environment', summary: 'the binary could not be read', hint: 'check the file is readable' },
  NS_INSPECT_E_NOT_A_FILE: { class: 'check', summary: 'the path to inspect is not a regular file', hint: rebuild },
  NS_INSPECT_E_EMPTY: { class: 'check', summary: 'the binary is an empty file', hint: rebuild },
  NS_INSPECT_E_TOO_LARGE: { class: 'check', summary: 'the binary is over the size limit of inspection (1 GiB)', hint: rebuild },
  NS_INSPECT_E_UNKNOWN_FORMAT: { class: 'check', summary: 'the file is not ELF, Mach-O, PE or wasm', hint: rebuild },
  NS_INSPECT_E_TRUNCATED: { class: 'check', summary: 'the binary ends before the structures its header announces', hint: rebuild },
  NS_INSPECT_E_MALFORMED: { class: 'check', summary: "the binary's structures are inconsistent", hint: rebuild },
  NS_INSPECT_E_UNSUPPORTED: {
    class: 'check',
    summary: 'a real binary of a kind that is not an addon (object file, archive, executable)',
    hint: rebuild,
  },
  NS_INSPECT_E_INTERNAL: {
    class: 'environment',
    summary: 'the native core failed internally on this file',
    hint: 'please report the file to napi-ship',
  },
} as const satisfies CodeTable;
