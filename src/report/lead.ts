/**
 * The head of a report: what the run amounts to (targets ready/missing, what blocks a real publish,
 * which stage failed), then "Next" with the exact commands to run, and the diagnostics grouped by
 * code. Also the width fitting of terminal tables. Pure: facts in, lines out.
 */

/** What the report head is built from (read off the run by the report, so this module knows no stage types). */
export interface LeadFacts {
  readonly targets: number;
  readonly ready: number;
  /** platform-arch-abi of targets with no binary built or staged here. */
  readonly missing: readonly string[];
  readonly failing: readonly string[];
  readonly errors: number;
  readonly warnings: number;
  readonly publishable: boolean;
  /** The packed release dir, relative to the root package when inside it; null when nothing was packed. */
  readonly releaseDir: string | null;
  /** Targets the build skipped here (null: no build ran). */
  readonly buildSkipped: number | null;
  readonly buildFailed: number;
  /** The policy stage: null when it did not run. */
  readonly policy: {
    readonly ok: boolean;
    readonly errors: number;
    readonly configured: boolean;
    readonly firstHint: string | null;
  } | null;
  /** Stages with an error of their own, in pipeline order (verify, sbom, sign, …): the heading names them. */
  readonly failedStages: readonly string[];
  /** The rehearsal, split: the local part (embedded registry, installs, loads) and the real-registry plan. */
  readonly rehearsal: {
    readonly local: 'passed' | 'failed' | 'skipped';
    readonly realConflicts: number;
    readonly realStatus: 'ok' | 'fail' | 'skip';
  } | null;
  /** The first error hint per failing verify target, for "Next". */
  readonly verifyHint: string | null;
}

export interface NextStep {
  readonly command: string;
  readonly why: string;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${String(n)} ${n === 1 ? one : many}`;
}

/** The one-line verdict: what failed (by stage), or what blocks a real publish, or that it is publishable. */
export function verdict(f: LeadFacts): string {
  if (f.failedStages.length > 0) return `FAILED: ${f.failedStages.join(', ')}`;
  if (f.publishable) return 'ready to publish';
  if (f.missing.length > 0) return `not publishable yet: ${plural(f.missing.length, 'target')} not built here`;
  return 'not publishable';
}

/** What stands between this run and a real publish, one phrase each; empty when nothing does. */
export function blockers(f: LeadFacts): string[] {
  const out: string[] = [];
  if (f.missing.length > 0) out.push(`${plural(f.missing.length, 'target')} missing (${f.missing.join(', ')})`);
  if (f.failing.length > 0) out.push(`${plural(f.failing.length, 'target')} failing verify (${f.failing.join(', ')})`);
  if (f.buildFailed > 0) out.push(`${plural(f.buildFailed, 'build')} failed`);
  if (f.policy !== null && !f.policy.ok)
    out.push(f.policy.configured ? plural(f.policy.errors, 'policy finding') : 'no license policy configured');
  if (f.rehearsal !== null && f.rehearsal.local === 'failed') out.push('the rehearsal failed');
  if (f.rehearsal !== null && f.rehearsal.realConflicts > 0)
    out.push(`${plural(f.rehearsal.realConflicts, 'conflict')} with what the real registry already has`);
  return out;
}

/** The exact commands to run next, most useful first. Commands are run in the root package directory. */
export function nextSteps(f: LeadFacts): NextStep[] {
  const steps: NextStep[] = [];
  if (f.policy !== null && !f.policy.ok) {
    steps.push(
      f.policy.configured
        ? {
            command: 'napi-ship policy',
            why: `see the ${plural(f.policy.errors, 'finding')}${f.policy.firstHint === null ? '' : `; e.g. ${f.policy.firstHint}`}`,
          }
        : { command: 'napi-ship policy --init', why: 'write a starter license policy from the licenses your dependencies use' },
    );
  }
  if (f.failing.length > 0 && f.verifyHint !== null)
    steps.push({ command: 'napi-ship verify', why: `fix ${f.failing.join(', ')}: ${f.verifyHint}` });
  if (f.missing.length > 0) {
    steps.push({
      command: 'napi-ship ci generate',
      why: `build the ${plural(f.missing.length, 'missing target')} in CI (writes .github/workflows/release.yml; push a tag to run it)`,
    });
    if (f.buildSkipped !== null && f.buildSkipped > 0)
      steps.push({ command: 'napi-ship doctor --install', why: 'install the toolchains this machine lacks to build more targets here' });
  }
  if (f.rehearsal !== null && f.rehearsal.realConflicts > 0)
    steps.push({
      command: 'napi-ship version patch',
      why: 'the real registry already has other bytes under this version: release a new one',
    });
  // No policy is not a failure (the licenses found are reported); configuring one comes before publishing.
  if (f.policy !== null && f.policy.ok && !f.policy.configured)
    steps.push({
      command: 'napi-ship policy --init',
      why: 'no license policy yet: see a starter policy made from the licenses found (--yes writes it)',
    });
  if (f.releaseDir !== null) {
    steps.push(
      f.publishable
        ? { command: `napi-ship publish --release-dir ${f.releaseDir}`, why: 'publish this release (add --dry-run to see the plan first)' }
        : {
            command: `napi-ship publish --release-dir ${f.releaseDir} --dry-run`,
            why: 'see what a publish would do once nothing blocks it',
          },
    );
  }
  return steps;
}

/** The head in terminal text: verdict, counts, blockers, then Next. */
export function leadText(f: LeadFacts, summary: string): string[] {
  const lines = [`Result: ${verdict(f)}`, `  ${summary}`];
  const block = blockers(f);
  if (block.length > 0) lines.push(`  Blocks a real publish: ${block.join('; ')}`);
  if (f.rehearsal !== null) lines.push(`  ${rehearsalPhrase(f.rehearsal)}`);
  const steps = nextSteps(f);
  if (steps.length > 0) {
    const width = Math.min(56, Math.max(...steps.map((s) => s.command.length)));
    lines.push('', 'Next:', ...steps.map((s) => `  ${s.command.padEnd(width)}  ${s.why}`));
  }
  return lines;
}

export function leadMarkdown(f: LeadFacts, summary: string): string[] {
  const lines = [`**${verdict(f)}** — ${summary}`];
  const block = blockers(f);
  if (block.length > 0) lines.push('', `Blocks a real publish: ${block.join('; ')}.`);
  if (f.rehearsal !== null) lines.push('', `${rehearsalPhrase(f.rehearsal)}.`);
  const steps = nextSteps(f);
  if (steps.length > 0) lines.push('', '### Next', '', ...steps.map((s) => `- \`${s.command}\` — ${s.why}`));
  return lines;
}

function rehearsalPhrase(r: NonNullable<LeadFacts['rehearsal']>): string {
  const local = {
    passed: 'Rehearsal passed (embedded registry, installs, loads)',
    failed: 'Rehearsal FAILED',
    skipped: 'Rehearsal skipped',
  }[r.local];
  const real =
    r.realStatus === 'skip'
      ? 'real-registry plan skipped'
      : r.realConflicts > 0
        ? `real-registry plan: ${plural(r.realConflicts, 'CONFLICT')}`
        : r.realStatus === 'fail'
          ? 'real-registry plan could not be made'
          : 'real-registry plan: no conflicts';
  return `${local}; ${real}`;
}

// Grouping lives with the diagnostics (the policy report groups its findings the same way).
export { formatGroup, groupDiagnostics, type DiagnosticGroup } from '../diagnostics/group.js';

/**
 * A text table fitted to `width` columns: when it is wider, the widest columns are cut (with `…`)
 * until it fits, never below `min` characters. The full text stays in report.md and plan.json.
 */
export function fitTable(header: readonly string[], rows: readonly (readonly string[])[], width: number, min = 8): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const total = (): number => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  // Cut the widest columns first, keeping each at 24 characters if that is enough, else down to `min`.
  for (const floor of [Math.max(min, 24), min]) {
    while (total() > width) {
      let widest = 0;
      for (let i = 1; i < widths.length; i++) if ((widths[i] ?? 0) > (widths[widest] ?? 0)) widest = i;
      const w = widths[widest] ?? 0;
      if (w <= floor) break;
      widths[widest] = Math.max(floor, w - (total() - width));
    }
  }
  const cut = (c: string, w: number): string => (c.length > w ? `${c.slice(0, Math.max(0, w - 1))}…` : c);
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => cut(c, widths[i] ?? 0).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}
