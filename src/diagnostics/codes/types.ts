/**
 * The shape of a code table. Every area of napi-ship has one (`<area>.ts` in this folder), `as const`,
 * so `Diagnostic.code` is the union of all their keys (see `index.ts`).
 */

/**
 * What kind of failure a code reports, from which the exit status derives:
 * `usage` — the command line is wrong (exit 2); `check` — the release or project failed a check
 * (exit 1); `environment` — the machine, network, registry or a config file is wrong (exit 3).
 * A warning or note never fails a run, whatever its class.
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
