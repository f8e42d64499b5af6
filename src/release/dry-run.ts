/**
 * `release --dry-run`: lay out the plan, run the stages that exist, and write the report.
 * Stages are added here as they land (stage, verify, pack, sbom, policy, publish rehearsal, smoke).
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadPlan, type ReleasePlan } from '../plan/index.js';
import { renderJson, renderMarkdown, summarize, type ReportSummary } from '../report/index.js';
import { collectBinaries } from './binaries.js';

export interface DryRunOptions {
  /** The root package directory (holds package.json with the napi config). */
  readonly cwd: string;
  /** Where report files go (default `<cwd>/dist/release`). */
  readonly outDir?: string;
  /** Append the markdown report here (GitHub Actions sets `GITHUB_STEP_SUMMARY`). */
  readonly stepSummary?: string;
  /** Called as each step starts, for progress output. */
  readonly onStep?: (step: string) => void;
}

export interface DryRunResult {
  readonly plan: ReleasePlan;
  readonly summary: ReportSummary;
  readonly files: { readonly markdown: string; readonly json: string };
}

export async function releaseDryRun(options: DryRunOptions): Promise<DryRunResult> {
  const step = options.onStep ?? ((): void => undefined);
  step('reading the release plan');
  let plan = await loadPlan(options.cwd);
  step(`inspecting binaries for ${plan.targets.length} targets`);
  plan = await collectBinaries(plan);
  const outDir = path.resolve(options.outDir ?? path.join(plan.root.dir, 'dist', 'release'));
  await mkdir(outDir, { recursive: true });
  const markdown = renderMarkdown(plan);
  const files = { markdown: path.join(outDir, 'report.md'), json: path.join(outDir, 'plan.json') };
  await writeFile(files.markdown, markdown);
  await writeFile(files.json, renderJson(plan));
  if (options.stepSummary) await appendFile(options.stepSummary, markdown);
  return { plan, summary: summarize(plan), files };
}
