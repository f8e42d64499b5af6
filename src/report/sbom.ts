/** The SBOM and policy section of the release report: which documents were written, and the policy verdict. */
import path from 'node:path';
import type { RunRecord } from '../run/index.js';
import { licenseSummaryText, policyFailed, policySummaryLine } from '../policy/render.js';

/**
 * Errors of the dependency-graph readers (cargo, the npm lockfile) recorded by the SBOM stage: the
 * policy judged an incomplete graph, so its line says "failed" — one verdict, as `napi-ship policy` gives.
 */
function readErrors(run: RunRecord): number {
  return (run.stages.sbom?.diagnostics ?? []).filter((d) => d.severity === 'error' && /^NS_SBOM_(CARGO|NPM)_/.test(d.code)).length;
}

function documentRows(run: RunRecord): string[][] {
  return (run.stages.sbom?.result.documents ?? []).map((d) => [
    d.kind,
    path.basename(d.file),
    String(d.packages),
    d.sha256.slice(0, 16) + '…',
  ]);
}

export function sbomTextLines(run: RunRecord): string[] {
  const sbom = run.stages.sbom;
  const policy = run.stages.policy;
  if (sbom === undefined && policy === undefined) return [];
  const lines = [''];
  if (sbom !== undefined) {
    lines.push(
      sbom.result.documents.length === 0
        ? 'SBOMs: none written (see the diagnostics)'
        : `SBOMs (${sbom.result.format === 'spdx' ? 'SPDX 2.3' : 'CycloneDX 1.6'}): ${sbom.result.documents.map((d) => `${path.basename(d.file)} (${d.packages} packages)`).join(', ')}`,
    );
    for (const n of sbom.result.notes) lines.push(`  note: ${n}`);
  }
  if (policy !== undefined) {
    // No policy configured: the licenses found are the report (nothing was judged).
    if (!policy.result.configured) lines.push(...licenseSummaryText(policy.result.licenses, policy.result.checked));
    lines.push(policySummaryLine(policy, { readErrors: readErrors(run) }));
  }
  return lines;
}

export function sbomMarkdownLines(run: RunRecord): string[] {
  const sbom = run.stages.sbom;
  const policy = run.stages.policy;
  if (sbom === undefined && policy === undefined) return [];
  const lines = ['', '### SBOMs and policy', ''];
  if (sbom !== undefined) {
    const rows = documentRows(run);
    if (rows.length === 0) {
      lines.push('No SBOM was written (see the diagnostics).');
    } else {
      lines.push(
        '| document | file | packages | sha256 |',
        '| --- | --- | --- | --- |',
        ...rows.map((r) => `| ${r[0] ?? ''} | \`${r[1] ?? ''}\` | ${r[2] ?? ''} | \`${r[3] ?? ''}\` |`),
      );
    }
    for (const n of sbom.result.notes) lines.push('', `Note: ${n}`);
  }
  if (policy !== undefined) {
    if (!policy.result.configured) {
      lines.push('', `${readErrors(run) > 0 ? '❌' : 'ℹ️'} ${policySummaryLine(policy, { readErrors: readErrors(run) })}.`);
      if (policy.result.licenses.length > 0) {
        lines.push('', '| license | packages | unusual: read before allowing |', '| --- | --- | --- |');
        for (const g of policy.result.licenses)
          lines.push(
            `| \`${g.license.replaceAll('|', '\\|')}\` | ${g.count} | ${g.unusual ? g.packages.map((p) => `\`${p}\``).join(', ') : ''} |`,
          );
      }
    } else {
      const failed = policyFailed(policy, { readErrors: readErrors(run) });
      lines.push('', `${failed ? '❌' : '✅'} ${policySummaryLine(policy, { readErrors: readErrors(run) })}.`);
    }
  }
  return lines;
}
