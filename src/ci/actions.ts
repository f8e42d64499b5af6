/**
 * Every GitHub Action the generated workflow uses, pinned to a full 40-hex commit SHA, with the
 * release that commit is (written as a trailing `# vX.Y.Z` comment after each `uses:`).
 *
 * napi-ship cannot reach GitHub to resolve a tag, so each SHA below was taken from public
 * workflow files that pin the same action to the same SHA with the same version comment; where
 * it was found is noted per entry. An action without such a source is not used at all (we do not
 * invent SHAs): `taiki-e/install-action` (cargo-zigbuild comes from PyPI's prebuilt wheel through
 * the runner's pipx instead) and `goto-bus-stop/setup-zig` (`mlugg/setup-zig` is what napi-rs's template
 * uses). To update a pin, change both fields together and re-run `napi-ship ci generate`.
 */

export interface PinnedAction {
  /** The full commit SHA the workflow runs. */
  readonly sha: string;
  /** The release (or, for dtolnay/rust-toolchain, the branch) that commit is. */
  readonly version: string;
}

export const ACTIONS = {
  // badlogic/pi-mono .github/workflows/build-binaries.yml (commit 711a5c50a9d8…):
  // `actions/checkout@11bd7190… # v4.2.2`; the same pin and comment in many other public workflows.
  'actions/checkout': { sha: '11bd71901bbe5b1630ceea73d27597364c9af683', version: 'v4.2.2' },
  // Public workflows and pin tables in GitHub repositories (found by exact search of the SHA:
  // `actions/setup-node@49933ea5… # v4.4.0`, one table dating the tag 2025-04-02). badlogic/pi-mono
  // pins the older 39370e39… # v4.1.0.
  'actions/setup-node': { sha: '49933ea5288caeca8642d1e84afbd3f7d6820020', version: 'v4.4.0' },
  // Public workflows: `actions/upload-artifact@ea165f8d… # v4.6.2` (several independent repositories).
  'actions/upload-artifact': { sha: 'ea165f8d65b6e75b540449e92b4886f43607fa02', version: 'v4.6.2' },
  // Public workflows: `actions/download-artifact@d3f86a10… # v4.3.0` (several independent
  // repositories; usually next to the upload-artifact pin above).
  'actions/download-artifact': { sha: 'd3f86a106a0bac45b974a628896c90dbdf5c8093', version: 'v4.3.0' },
  // Public workflows: `actions/cache@5a3ec84e… # v4.2.3` (several independent repositories, e.g. a
  // pnpm-store cache step and a Ruby CI workflow pinning it with the same comment).
  'actions/cache': { sha: '5a3ec84eff668545956fd18022155c47e93e2684', version: 'v4.2.3' },
  // Public workflows: `dtolnay/rust-toolchain@b3b07ba8… # stable`; element-hq/synapse's changelog
  // records pinning to this SHA (#18596). The action has no release tags: its branches differ only
  // in the default toolchain, so the workflow always passes `toolchain: stable` explicitly.
  'dtolnay/rust-toolchain': { sha: 'b3b07ba8b418998c39fb20f53e8b695cdcc8de1b', version: 'stable' },
  // Public workflows and pin tables: `mlugg/setup-zig@d1434d08… # v2.2.1`. napi-rs's
  // package-template uses mlugg/setup-zig@v2 (zig 0.14.1) before `napi build -x` for musl.
  'mlugg/setup-zig': { sha: 'd1434d08867e3ee9daa34448df10607b98908d29', version: 'v2.2.1' },
} as const satisfies Readonly<Record<string, PinnedAction>>;

export type ActionName = keyof typeof ACTIONS;

/** `owner/name@<sha>`: the value of a `uses:` key. */
export function usesRef(name: ActionName): string {
  return `${name}@${ACTIONS[name].sha}`;
}

const PINNED_USES = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)@([0-9a-f]{40})$/;

/** The pinned action a `uses:` value names, or undefined when it is not one of ours. */
export function pinnedActionOf(uses: string): PinnedAction | undefined {
  const m = PINNED_USES.exec(uses);
  if (!m) return undefined;
  const entry = (ACTIONS as Readonly<Record<string, PinnedAction | undefined>>)[m[1] ?? ''];
  return entry?.sha === m[2] ? entry : undefined;
}
