import type { CodeTable } from './types.js';

/** `load` (src/load): loading each staged binary here, natively or under qemu (the report's "loaded" column). */
export const loadCodes = {
  NS_LOAD_FAILED: {
    class: 'check',
    summary: 'a staged binary that this machine can run (natively or under qemu) did not load, or exported no function',
    hint: 'run the load by hand with the runtime the Loaded section names; a binary that cannot load must not be published',
  },
} as const satisfies CodeTable;
