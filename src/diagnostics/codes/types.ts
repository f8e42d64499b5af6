/**
 * The shape of a code table. Every area of napi-ship has one (`<area>.ts` in this folder), `as const`,
 * so `Diagnostic.code` is the union of all their keys (see `index.ts`).
 */

/**
 * What kind of failure a code reports, from which the exit status derives (`exitCodeOf` in
 * src/cli/exit-codes.ts, the only place that maps them; docs/cli.md states the rule):
 * `usage` — the command line is wrong: an option or argument, or a file or dir it names that cannot
 * be read or used (exit 2); `check` — the project, its config or the release failed a check (exit 1);
 * `environment` — the machine, its tools, the native core, the network or the registry is wrong, so
 * the checks could not run (exit 3). A warning or note never fails a run, whatever its class.
 */
export type CodeClass = 'usage' | 'check' | 'environment';

export interface CodeInfo {
  readonly class: CodeClass;
  /** One line: what it means when this code is reported. */
  readonly summary: string;
  /** The default fix; a diagnostic may carry a more specific hint. */
  readonly hint: string;
}

/** One area's table: `NS_<AREA>_<WHAT>` → its description. */
export type CodeTable = Readonly<Record<`NS_${string}`, CodeInfo>>;
