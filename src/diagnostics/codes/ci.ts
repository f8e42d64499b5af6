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
} as const satisfies CodeTable;
