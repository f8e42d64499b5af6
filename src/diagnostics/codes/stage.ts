import type { CodeTable } from './types.js';

/** `stage` (src/stage): each target's binary into its platform package, pins into the root. */
export const stageCodes = {
  NS_STAGE_ARTIFACTS_MISSING: {
    class: 'usage',
    summary: 'the --artifacts directory cannot be read',
    hint: 'download them first (actions/download-artifact with `path: artifacts`), or leave out --artifacts to stage napi-rs build output',
  },
  NS_STAGE_MISSING_BINARY: {
    class: 'check',
    summary: 'no binary for a configured target was found: its platform package is not staged',
    hint: 'build the target (CI matrix) and pass its artifact, or remove the target from napi.targets',
  },
  NS_STAGE_DUPLICATE_BINARY: {
    class: 'check',
    summary: 'several files with different bytes claim to be one target’s binary; napi-ship will not guess',
    hint: 'two jobs built this target (a matrix entry listed twice, or a stale artifact): keep exactly one',
  },
  NS_STAGE_DUPLICATE_IDENTICAL: {
    class: 'check',
    summary: 'several identical copies of one target’s binary were found (one is staged)',
    hint: 'harmless, but the build matrix may list this target twice',
  },
  NS_STAGE_UNKNOWN_FILE: {
    class: 'check',
    summary: 'a .node file in the artifacts is not the binary of any configured target',
    hint: 'add its target to napi.targets, or check napi.binaryName',
  },
  NS_STAGE_UNREADABLE_BINARY: {
    class: 'check',
    summary: 'an artifact cannot be read or is not a binary',
    hint: 'the artifact is damaged or empty: re-run the build job for this target',
  },
  NS_STAGE_WASI_LOADER_MISSING: {
    class: 'check',
    summary: 'a WASI target’s napi-rs loader files (.wasi.cjs, -browser.js, workers) are neither next to the .wasm nor in the package root',
    hint: 'napi build writes them into the package root (commit them, as napi new does), or upload them with the .wasm artifact',
  },
  NS_STAGE_WASI_RUNTIME: {
    class: 'check',
    summary: 'no version of @napi-rs/wasm-runtime for the WASI package to depend on (its loader imports it)',
    hint: 'add @napi-rs/wasm-runtime to the root devDependencies (napi new does)',
  },
  NS_STAGE_STALE_BINARY: {
    class: 'check',
    summary: 'a platform package still holds a binary this run did not supply (it would ship as this version)',
    hint: "supply this release's binary for the target, or delete the stale file if the target should not ship",
  },
  NS_STAGE_REMOVED_FILE: {
    class: 'check',
    summary: "a file that is not the target's binary was removed from its platform package",
    hint: 'nothing to do; it was probably staged under an earlier napi.binaryName',
  },
  NS_STAGE_PIN_REMOVED: {
    class: 'check',
    summary: 'a root pin was removed because its target is no longer in napi.targets',
    hint: 'if the target should still ship, add its triple back to napi.targets',
  },
  NS_STAGE_ROOT_OPTIONAL_DEPS: {
    class: 'check',
    summary: 'the root optionalDependencies is not an object; it is replaced by the platform pins',
    hint: 'nothing to do: stage rewrote it',
  },
  NS_STAGE_REPOSITORY_URL: {
    class: 'check',
    summary: "the root package's repository URL is missing or unusable for the platform packages (an error when provenance is on)",
    hint: 'set `repository` in package.json to the GitHub repository URL',
  },
  NS_STAGE_WRITE_FAILED: {
    class: 'environment',
    summary: 'a platform package could not be written, or the staged binary is not the chosen file',
    hint: 'check that the platform package directory is writable, and that nothing else writes the artifacts',
  },
  NS_STAGE_NOT_A_FILE: {
    class: 'check',
    summary: "an artifact is a symlink, FIFO, device or socket (or a hard link to another user's file): not staged",
    hint: 'download the artifacts as plain files',
  },
} as const satisfies CodeTable;
