/**
 * The "loaded" column and section of the report: per target, whether its binary loaded on this
 * machine and under what, or why it cannot be loaded here. Pure: plan in, strings out.
 */
import type { TargetLoad } from '../load/index.js';
import type { RunRecord } from '../run/index.js';
import { textTable } from './table.js';

function find(plan: RunRecord, triple: string): TargetLoad | undefined {
  return plan.stages.load?.result.targets.find((t) => t.triple === triple);
}

/** The table cell: null when no load step ran. */
export function loadedCell(plan: RunRecord, triple: string, markdown: boolean): string | null {
  if (!plan.stages.load) return null;
  const t = find(plan, triple);
  if (!t) return markdown ? '➖ not built' : '- not built';
  if (t.status === 'ok') return `${markdown ? '✅' : '✓'} ${t.runtimes}`;
  if (t.status === 'fail') return `${markdown ? '❌' : '✗'} ${t.runtimes || 'failed'}`;
  return markdown ? '➖ not loadable here' : '- not loadable here';
}

function rows(plan: RunRecord): string[][] {
  return (plan.stages.load?.result.targets ?? []).map((t) => [t.target, t.status, t.runtimes || '-', t.detail]);
}

export function loadMarkdownLines(plan: RunRecord): string[] {
  if (!plan.stages.load || plan.stages.load.result.targets.length === 0) return [];
  return [
    '',
    '### Loaded',
    '',
    '| target | loaded | under | detail |',
    '| --- | --- | --- | --- |',
    ...rows(plan).map((r) => `| \`${r[0] ?? ''}\` | ${r[1] ?? ''} | ${r[2] ?? ''} | ${(r[3] ?? '').replaceAll('|', '\\|')} |`),
  ];
}

export function loadTextLines(plan: RunRecord): string[] {
  if (!plan.stages.load || plan.stages.load.result.targets.length === 0) return [];
  return ['', 'loaded:', textTable(['target', 'loaded', 'under', 'detail'], rows(plan)).trimEnd()];
}
