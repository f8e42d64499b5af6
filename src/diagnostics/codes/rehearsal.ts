import type { CodeTable } from './types.js';

/** `release --dry-run` (src/rehearsal): publish to an embedded verdaccio, install with real clients, load. */
export const rehearsalCodes = {
  NS_REHEARSAL_FAILED: {
    class: 'environment',
    summary: 'the rehearsal stopped on an unexpected error',
    hint: 'see the message; rerun with --no-rehearsal to skip the rehearsal',
  },
  NS_REHEARSAL_NO_VERDACCIO: {
    class: 'environment',
    summary: 'verdaccio is not installed: the rehearsal is skipped',
    hint: 'add verdaccio as a dev dependency (`pnpm add -D verdaccio`), or pass --no-rehearsal',
  },
  NS_REHEARSAL_REGISTRY_START: {
    class: 'environment',
    summary: 'the embedded verdaccio did not start',
    hint: 'run it by hand (npx verdaccio) to see why; it needs Node.js >= 18 and a free loopback port',
  },
  NS_REHEARSAL_RELEASE: {
    class: 'environment',
    summary: 'the rehearsal cannot read the release it should publish',
    hint: 'run the dry run again',
  },
  NS_REHEARSAL_PUBLISH: {
    class: 'check',
    summary: 'the rehearsal publish to the embedded registry did not complete',
    hint: 'see the publish journal in <out>/rehearsal/',
  },
  NS_REHEARSAL_INSTALL: {
    class: 'check',
    summary: 'a package manager could not install the release from the embedded registry',
    hint: 'rerun the printed install command by hand in a scratch dir',
  },
  NS_REHEARSAL_LOAD: {
    class: 'check',
    summary: 'the installed package does not load under a runtime',
    hint: 'rerun the printed load command by hand',
  },
  NS_REHEARSAL_TOOL_MISSING: {
    class: 'environment',
    summary: 'a package manager or runtime to rehearse with is not installed: its installs or loads are skipped',
    hint: 'install it to rehearse with it',
  },
  NS_REHEARSAL_NOTHING_BUILT: {
    class: 'check',
    summary: 'no target was built here: there is nothing to install or load',
    hint: 'build the host target first (napi build, or napi-ship build)',
  },
  NS_REHEARSAL_NO_HOST_PACKAGE: {
    class: 'check',
    summary: 'no package for this host is in the release: the installs ran, the loads were skipped',
    hint: 'rehearse on a machine of one of the built targets',
  },
  NS_REHEARSAL_REAL_OFFLINE: {
    class: 'check',
    summary: 'the plan against the real registry was skipped (--offline)',
    hint: 'run without --offline to see what a real publish would do',
  },
  NS_REHEARSAL_REAL_UNREACHABLE: {
    class: 'environment',
    summary: 'the plan against the real registry was skipped: the registry could not be asked',
    hint: 'check the network, or pass --offline to skip this step on purpose',
  },
  NS_REHEARSAL_REAL_FAILED: {
    class: 'environment',
    summary: 'the plan against the real registry failed',
    hint: 'check the registry URL (publishConfig.registry / npm_config_registry); a private registry needs `napi-ship publish --dry-run`',
  },
  NS_REHEARSAL_REAL_CONFLICT: {
    class: 'check',
    summary: 'the real registry already has a version of the release with other bytes: a real publish would stop',
    hint: 'a version can never be republished: bump the version (napi-ship version patch)',
  },
} as const satisfies CodeTable;
