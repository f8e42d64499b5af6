/**
 * The typed diagnostic code of each failure of the native core (`CoreErrorCode`, the core's own
 * `E_*` names), per use: inspecting a binary (`NS_INSPECT_E_*`, the core area's table) and hashing a
 * file (the one file layer's `NS_FS_*` codes: hashing reads a file, it judges no format).
 */
import type { AreaCode } from '../diagnostics/index.js';
import type { CoreErrorCode } from './index.js';

export type InspectCode = Extract<AreaCode<'core'>, `NS_INSPECT_${string}`>;

/** The code of a binary the core could not inspect. */
export const INSPECT_FAILURE: Readonly<Record<CoreErrorCode, InspectCode>> = {
  E_NOT_FOUND: 'NS_INSPECT_E_NOT_FOUND',
  E_IO: 'NS_INSPECT_E_IO',
  E_NOT_A_FILE: 'NS_INSPECT_E_NOT_A_FILE',
  E_EMPTY: 'NS_INSPECT_E_EMPTY',
  E_TOO_LARGE: 'NS_INSPECT_E_TOO_LARGE',
  E_UNKNOWN_FORMAT: 'NS_INSPECT_E_UNKNOWN_FORMAT',
  E_TRUNCATED: 'NS_INSPECT_E_TRUNCATED',
  E_MALFORMED: 'NS_INSPECT_E_MALFORMED',
  E_UNSUPPORTED: 'NS_INSPECT_E_UNSUPPORTED',
  E_INTERNAL: 'NS_INSPECT_E_INTERNAL',
};

/** The code of a file the core could not hash (only reading can fail; a format is never judged). */
export const HASH_FAILURE: Readonly<Record<CoreErrorCode, AreaCode<'files'>>> = {
  E_NOT_FOUND: 'NS_FS_NOT_FOUND',
  E_IO: 'NS_FS_IO',
  E_NOT_A_FILE: 'NS_FS_NOT_REGULAR',
  E_EMPTY: 'NS_FS_IO',
  E_TOO_LARGE: 'NS_FS_TOO_LARGE',
  E_UNKNOWN_FORMAT: 'NS_FS_IO',
  E_TRUNCATED: 'NS_FS_IO',
  E_MALFORMED: 'NS_FS_IO',
  E_UNSUPPORTED: 'NS_FS_IO',
  E_INTERNAL: 'NS_FS_IO',
};
