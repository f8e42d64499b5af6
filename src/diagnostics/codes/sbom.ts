import type { CodeTable } from './types.js';

/** `sbom` (src/sbom): SPDX 2.3 / CycloneDX documents of what a release ships. */
export const sbomCodes = {
  NS_SBOM_FAILED: {
    class: 'environment',
    summary: 'the SBOM stage of a release failed',
    hint: 'run `napi-ship sbom` to see the error on its own',
  },
  NS_SBOM_CARGO_MANIFEST: {
    class: 'environment',
    summary: 'napiShip.sbom.cargoManifest names a Cargo.toml that does not exist',
    hint: "point it at the addon crate's Cargo.toml, relative to the root package",
  },
  NS_SBOM_CARGO_ROOT: {
    class: 'environment',
    summary:
      'no addon crate: the Cargo.toml is a workspace none of whose members is a cdylib depending on napi, or `napi build -p` names no member',
    hint: "point napiShip.sbom.cargoManifest at the cdylib crate's own Cargo.toml",
  },
  NS_SBOM_CARGO_METADATA: {
    class: 'environment',
    summary: '`cargo metadata` failed or answered something unreadable',
    hint: 'run `cargo metadata --format-version 1` in the crate to see why',
  },
  NS_SBOM_CARGO_LOCK: {
    class: 'check',
    summary: 'Cargo.lock cannot be read: crates get no checksum',
    hint: 'commit Cargo.lock for an addon crate',
  },
  NS_SBOM_CARGO_CHECKSUM: {
    class: 'check',
    summary: 'Cargo.lock records no checksum for a registry crate',
    hint: 'regenerate Cargo.lock with a current cargo',
  },
  NS_SBOM_NPM_LOCKFILE: {
    class: 'environment',
    summary: 'the npm-side lockfile cannot be read or parsed',
    hint: 'regenerate the lockfile with your package manager',
  },
  NS_SBOM_NPM_NO_LOCKFILE: {
    class: 'check',
    summary: 'the root package has no lockfile (an error when it declares dependencies)',
    hint: 'commit the lockfile your package manager writes (pnpm, yarn, bun or npm install)',
  },
  NS_SBOM_NPM_LOCKFILE_CHOICE: {
    class: 'check',
    summary: 'several lockfiles lie in one dir, or packageManager names one that is not there: which one was read',
    hint: 'set `packageManager` in package.json and delete the lockfiles of the package managers you do not use',
  },
  NS_SBOM_NPM_NOT_LOCKED: {
    class: 'check',
    summary: 'dependencies the root package declares are not in its lockfile, so not listed',
    hint: "run your package manager's install and commit the lockfile",
  },
  NS_SBOM_CARGO_AMBIGUOUS: {
    class: 'usage',
    summary: 'several workspace crates are cdylibs depending on napi and nothing says which one this package builds',
    hint: "set napiShip.sbom.cargoManifest to the addon crate's Cargo.toml (or pass --manifest-path to `napi build` in the build script)",
  },
  NS_SBOM_CARGO_NOT_ADDON: {
    class: 'check',
    summary: 'the crate described is not a cdylib depending on napi, and no workspace member is',
    hint: "set napiShip.sbom.cargoManifest to the addon crate's Cargo.toml",
  },
  NS_SBOM_CARGO_UNLOCKED: {
    class: 'check',
    summary: 'no Cargo.lock: the Rust SBOM lists versions resolved now (in a scratch copy), not locked ones',
    hint: 'commit Cargo.lock, or generate SBOMs after the release build (which writes it)',
  },
  NS_SBOM_NPM_NOT_INSTALLED: {
    class: 'check',
    summary: 'locked packages are not installed in node_modules: their license comes from the lockfile, else NOASSERTION',
    hint: 'install first (pnpm install --frozen-lockfile, npm ci, yarn install with nodeLinker node-modules, bun install) for full license data',
  },
  NS_SBOM_NO_SUPPLIER: {
    class: 'check',
    summary: 'packages declare no author and no repository, so their supplier is NOASSERTION',
    hint: 'add `authors`/`repository` (Cargo.toml) or `author`/`repository` (package.json) to first-party packages',
  },
  NS_SBOM_NOT_PACKED: {
    class: 'check',
    summary: "napiShip.sbom.shipNpmSbom is set but the root package's `files` does not include the SBOM",
    hint: 'add the SBOM file to `files` in package.json',
  },
  NS_SBOM_RELEASE_MISSING: {
    class: 'usage',
    summary: 'the release manifest of the --release dir cannot be read',
    hint: 'pass the dir `napi-ship pack` (or `release --dry-run`, `<out>/packages`) wrote with --release',
  },
  NS_SBOM_RELEASE_TARBALL: {
    class: 'check',
    summary: 'a file of a release tarball cannot be read',
    hint: 'repack with `napi-ship pack`',
  },
  NS_SBOM_RELEASE_DIGEST: {
    class: 'check',
    summary: 'a release file does not have the digest the manifest lists',
    hint: 'the release dir changed after packing; repack it',
  },
  NS_SBOM_MANIFEST_PATH: {
    class: 'usage',
    summary: 'an SBOM to list in the manifest is not inside the release dir',
    hint: 'write the SBOMs into the release dir',
  },
  NS_SBOM_MANIFEST_HASH: {
    class: 'environment',
    summary: 'an SBOM written into the release dir cannot be hashed',
    hint: 'check the release dir is readable',
  },
  NS_SBOM_CDXGEN_MISSING: {
    class: 'environment',
    summary: '--format cyclonedx needs @cyclonedx/cdxgen, which is not installed',
    hint: 'add it as a dev dependency (`pnpm add -D @cyclonedx/cdxgen`); SPDX (the default format) needs nothing extra',
  },
  NS_SBOM_CDXGEN_FAILED: {
    class: 'environment',
    summary: 'cdxgen failed or wrote no document',
    hint: 'run the same cdxgen command by hand to see why; SPDX output (the default) does not use cdxgen',
  },
} as const satisfies CodeTable;
