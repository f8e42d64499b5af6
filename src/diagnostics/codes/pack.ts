import type { CodeTable } from './types.js';

const rebuild = 'rebuild the addon; the file is not a loadable binary';

/** `pack` (src/pack): reproducible tarballs, the release manifest and SHA256SUMS. */
export const packCodes = {
  NS_PACK_INPUT: {
    class: 'usage',
    summary: 'what was given to pack is not usable (no package, bad option)',
    hint: 'see the message; `napi-ship pack --help` lists the options',
  },
  NS_PACK_MISSING_PACKAGE: {
    class: 'check',
    summary: 'a platform package to pack does not exist (no package.json in its dir)',
    hint: 'stage the platform packages first (napi-ship stage, or napi create-npm-dirs + napi artifacts)',
  },
  NS_PACK_PACKAGE_INVALID: {
    class: 'check',
    summary: "a package's package.json cannot be read or is not a valid manifest",
    hint: 'fix the package.json named in the message',
  },
  NS_PACK_FILES_INVALID: {
    class: 'check',
    summary: '`files` in a package.json is not an array of strings',
    hint: 'e.g. "files": ["index.js", "lib"]',
  },
  NS_PACK_PATH_ESCAPE: {
    class: 'check',
    summary: 'a `files`, `main`, `browser` or `bin` path leaves the package',
    hint: 'a package can only ship files inside its own directory: copy the file in, or fix the path',
  },
  NS_PACK_SYMLINK: {
    class: 'check',
    summary: 'a file to pack is a symbolic link (napi-ship never packs symlinks)',
    hint: 'replace the link with the real file',
  },
  NS_PACK_NOT_A_FILE: {
    class: 'check',
    summary: 'a file to pack is not a regular file (or stopped being one while packing)',
    hint: 'napi-ship packs regular files only; do not modify the package while it is packed',
  },
  NS_PACK_MAIN_MISSING: {
    class: 'check',
    summary: '`main` names a file that is not packed',
    hint: 'build or stage it before packing',
  },
  NS_PACK_BUNDLE_MISSING: {
    class: 'check',
    summary: 'a bundled dependency is not installed under node_modules; it is left out (as npm does)',
    hint: 'install dependencies before packing, or drop it from bundleDependencies',
  },
  NS_PACK_NO_BINARY: {
    class: 'check',
    summary: 'a platform package packs no .node binary',
    hint: 'stage the binary into the package first (napi-ship stage / napi artifacts), and list it in `files`',
  },
  NS_PACK_DEP_WORKSPACE: {
    class: 'check',
    summary:
      "a `workspace:` dependency that the project's package manager would not rewrite at pack time (npm, yarn 1, or no such workspace package)",
    hint: 'write the dependency\'s version range, or declare the package manager that rewrites it (packageManager "pnpm@…" or "yarn@4…")',
  },
  NS_PACK_DEP_CATALOG: {
    class: 'check',
    summary: 'a `catalog:` dependency with no catalog entry (or under a package manager without catalogs)',
    hint: 'add the dependency to the catalog (pnpm-workspace.yaml, .yarnrc.yml), or write its version range',
  },
  NS_PACK_DEP_LOCAL: {
    class: 'check',
    summary:
      'a `file:`, `link:`, `portal:`, `patch:`, `exec:` or path dependency in dependencies, optionalDependencies or peerDependencies',
    hint: 'publish the dependency to the registry and depend on its version range',
  },
  NS_PACK_DEP_GIT: {
    class: 'check',
    summary:
      'a git dependency in dependencies, optionalDependencies or peerDependencies (unpinned by the registry, fetched from the git host)',
    hint: 'publish the dependency to the registry and depend on its version range',
  },
  NS_PACK_PUBLISH_DIRECTORY: {
    class: 'check',
    summary: "pnpm's `publishConfig.directory` (pack another dir) is set; napi-ship packs the package dir itself",
    hint: 'remove publishConfig.directory; point files/main/exports into the build output instead',
  },
  NS_PACK_MANIFEST_REWRITTEN: {
    class: 'check',
    summary:
      "the packed package.json was rewritten as the project's package manager rewrites it at pack time (workspace:, catalog:, publishConfig fields)",
    hint: 'nothing to do: the package.json on disk is unchanged, the tarball holds the rewritten one',
  },
  NS_PACK_DUPLICATE: {
    class: 'check',
    summary: 'two packages of the release pack to the same tarball name',
    hint: 'every package of a release needs its own name',
  },
  NS_PACK_OUT_INSIDE: {
    class: 'usage',
    summary: 'the output dir is inside a package and would be packed into it',
    hint: 'exclude it from the package (files / .npmignore), or pack to another --out dir',
  },
  NS_PACK_SOURCE_DATE_EPOCH: {
    class: 'usage',
    summary: 'SOURCE_DATE_EPOCH (or --mtime) is not a whole number of seconds since 1970',
    hint: 'e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)',
  },
  NS_PACK_HASH: {
    class: 'environment',
    summary: 'the tarball just written cannot be hashed',
    hint: 'check the output dir is readable',
  },
  NS_PACK_BINARY_E_NOT_FOUND: { class: 'check', summary: 'a packed binary disappeared before it was read', hint: rebuild },
  NS_PACK_BINARY_E_IO: { class: 'environment', summary: 'a packed binary cannot be read', hint: 'check the file is readable' },
  NS_PACK_BINARY_E_NOT_A_FILE: { class: 'check', summary: 'a packed binary is not a regular file', hint: rebuild },
  NS_PACK_BINARY_E_EMPTY: { class: 'check', summary: 'a packed binary is an empty file', hint: rebuild },
  NS_PACK_BINARY_E_TOO_LARGE: { class: 'check', summary: 'a packed binary is over the size limit of inspection', hint: rebuild },
  NS_PACK_BINARY_E_UNKNOWN_FORMAT: { class: 'check', summary: 'a packed .node file is not ELF, Mach-O, PE or wasm', hint: rebuild },
  NS_PACK_BINARY_E_TRUNCATED: { class: 'check', summary: 'a packed binary is truncated', hint: rebuild },
  NS_PACK_BINARY_E_MALFORMED: { class: 'check', summary: "a packed binary's structures are inconsistent", hint: rebuild },
  NS_PACK_BINARY_E_UNSUPPORTED: {
    class: 'check',
    summary: 'a packed .node file is a binary of a kind that is not an addon',
    hint: rebuild,
  },
  NS_PACK_BINARY_E_INTERNAL: {
    class: 'environment',
    summary: 'the native core failed internally on a packed binary',
    hint: 'please report the file to napi-ship',
  },
} as const satisfies CodeTable;
