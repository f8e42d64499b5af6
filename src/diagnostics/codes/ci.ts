import type { CodeTable } from './types.js';

/** `ci` (src/ci): the generated GitHub Actions workflow. */
export const ciCodes = {
  NS_CI_CONFIG: {
    class: 'check',
    summary: 'the project cannot be tested by the generated workflow as configured (e.g. `main` is not a loadable loader)',
    hint: 'point main at the napi-rs loader (index.js) inside the root package',
  },
  NS_CI_DRIFT: {
    class: 'check',
    summary: 'the committed workflow differs from what `napi-ship ci` generates now',
    hint: 'regenerate it with `napi-ship ci` and commit the result',
  },
  NS_CI_WORKFLOW_UNREADABLE: {
    class: 'usage',
    summary: 'the workflow file to check cannot be read',
    hint: 'pass --out with the path of the workflow file',
  },
  NS_CI_NAPI_SHIP_NOT_INSTALLED: {
    class: 'check',
    summary: "napi-ship is not a devDependency: the generated workflow's package-manager exec of it would fail",
    hint: 'add napi-ship to devDependencies with an exact version (napi-ship init does) and commit the lockfile',
  },
  NS_CI_NO_CRATE: {
    class: 'check',
    summary:
      'the generated build job runs napi build in the package dir, which has no Cargo.toml, names none (build script, napiShip.build.crateDir) and holds no napi-rs crate: the job would fail',
    hint: 'set napiShip.build.crateDir to the addon crate (the warning names the napi-rs crates found in the repository)',
  },
  NS_CI_NAPI_SHIP_NOT_PINNED: {
    class: 'check',
    summary: 'napi-ship is a devDependency with a range, not an exact version',
    hint: 'pin it to an exact version (e.g. pnpm add -D -E napi-ship)',
  },
} as const satisfies CodeTable;
