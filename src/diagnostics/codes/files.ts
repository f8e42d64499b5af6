import type { CodeTable } from './types.js';

/** The file layer (src/util/fs.ts, src/util/tarball.ts): hostile files in a release or artifacts dir, and tarball entries. */
export const filesCodes = {
  NS_FS_NOT_FOUND: {
    class: 'environment',
    summary: 'a file or directory napi-ship needs does not exist',
    hint: 'check the path',
  },
  NS_FS_PERMISSION: {
    class: 'environment',
    summary: 'a file cannot be read or written: permission denied',
    hint: "check the file's and its directory's permissions",
  },
  NS_FS_NOT_REGULAR: {
    class: 'check',
    summary: 'a file to read is a directory, FIFO, device or socket, not a regular file',
    hint: 'pass a regular file (a FIFO would hang the read, a device never ends)',
  },
  NS_FS_SYMLINK: {
    class: 'check',
    summary: 'a file to read is a symbolic link, which napi-ship does not follow here',
    hint: 'replace the link with the real file',
  },
  NS_FS_TOO_LARGE: {
    class: 'check',
    summary: 'a file is larger than napi-ship reads for its kind',
    hint: 'this is not a file napi-ship wrote; check the path',
  },
  NS_FS_OUTSIDE: {
    class: 'check',
    summary: 'a file of the release dir resolves outside it',
    hint: 'keep every file of the release inside its directory',
  },
  NS_FS_HARD_LINK: {
    class: 'check',
    summary: 'a file is a hard link to a file owned by another user',
    hint: 'replace the link with a copy of the real file',
  },
  NS_FS_EXISTS: {
    class: 'environment',
    summary: 'a path to create already exists (or is a file where a directory is needed)',
    hint: 'remove it first or choose another path',
  },
  NS_FS_REPLACE_REFUSED: {
    class: 'environment',
    summary: 'napi-ship refuses to replace a symlink, device, FIFO or directory with a file',
    hint: 'choose a path that is a regular file or does not exist yet',
  },
  NS_FS_NO_SPACE: {
    class: 'environment',
    summary: 'the disk is full',
    hint: 'free some space and run again',
  },
  NS_FS_IO: {
    class: 'environment',
    summary: 'a file operation failed',
    hint: 'check the file and the disk',
  },
  NS_FS_INTERNAL: {
    class: 'environment',
    summary: 'napi-ship failed unexpectedly (a bug): one line instead of a stack trace',
    hint: 'please report it; NAPI_SHIP_DEBUG=1 prints the stack',
  },
  NS_TARBALL_NOT_GZIP: {
    class: 'check',
    summary: 'a tarball of the release is not gzip data',
    hint: 'publish only the tarballs `napi-ship pack` wrote',
  },
  NS_TARBALL_TOO_LARGE: {
    class: 'check',
    summary: 'a tarball inflates past the cap (50× its size, at least 64 MiB): a gzip bomb',
    hint: 'publish only the tarballs `napi-ship pack` wrote',
  },
  NS_TARBALL_CORRUPT: {
    class: 'check',
    summary: "a tarball's gzip or tar stream is broken",
    hint: 'pack the release again',
  },
  NS_TARBALL_ENTRY_PATH: {
    class: 'check',
    summary: 'a tarball entry is not a plain path under package/ (absolute, "..", elsewhere)',
    hint: 'publish only the tarballs `napi-ship pack` wrote',
  },
  NS_TARBALL_ENTRY_TYPE: {
    class: 'check',
    summary: 'a tarball entry is a symlink, hard link, device or FIFO, not a file or directory',
    hint: 'publish only the tarballs `napi-ship pack` wrote',
  },
  NS_TARBALL_NO_PACKAGE_JSON: {
    class: 'check',
    summary: 'a tarball has no (parsable) package/package.json',
    hint: 'pack the release again',
  },
  NS_TARBALL_PACKAGE_MISMATCH: {
    class: 'check',
    summary: "a tarball's package.json names another package or version than the signed manifest",
    hint: 'pack the release again; do not rename or swap tarballs',
  },
} as const satisfies CodeTable;
