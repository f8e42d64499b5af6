/**
 * The binaries stage: find each target's `.node` file (napi-rs build output in the root package,
 * or already in its platform package dir), hash and inspect it, and check it against the target.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { hashFiles, inspectFiles } from '../core/index.js';
import { diagnostic } from '../diagnostics/index.js';
import { withStage, type BinaryFinding, type PlannedTarget, type ReleasePlan } from '../plan/index.js';
import { checkBinary } from '../verify/binary.js';

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

export async function locateBinary(plan: ReleasePlan, target: PlannedTarget): Promise<string | null> {
  const candidates = [path.join(plan.root.dir, target.binaryFile), path.join(target.packageDir, target.binaryFile)];
  for (const candidate of candidates) {
    if (await exists(candidate)) return candidate;
  }
  return null;
}

export async function collectBinaries(plan: ReleasePlan): Promise<ReleasePlan> {
  const located = await Promise.all(plan.targets.map(async (t) => ({ t, file: await locateBinary(plan, t) })));
  const present = located.flatMap((l) => (l.file === null ? [] : [l.file]));
  const [inspected, hashed] = await Promise.all([inspectFiles(present), hashFiles(present)]);
  const findings: BinaryFinding[] = located.map(({ t, file }) => {
    const base = { triple: t.spec.triple, platformArchABI: t.spec.platformArchABI };
    if (file === null) {
      return {
        ...base, status: 'missing', path: null, facts: null, digests: null,
        diagnostics: [diagnostic({
          code: 'NS_TARGET_MISSING_BINARY', severity: 'warning', target: t.spec.platformArchABI,
          message: `no ${t.binaryFile} was built or staged: a real publish would be blocked`,
          expected: t.binaryFile, found: 'nothing',
          hint: `build it in CI (napi-ship ci generate) or here with napi build --target ${t.spec.triple}`,
        })],
      };
    }
    const i = inspected.find((r) => r.path === file);
    const h = hashed.find((r) => r.path === file);
    if (i === undefined || !i.ok) {
      const error = i === undefined ? { code: 'E_INTERNAL', message: 'not inspected' } : i.error;
      return {
        ...base, status: 'unreadable', path: file, facts: null, digests: null,
        diagnostics: [diagnostic({
          code: `NS_INSPECT_${error.code}`, target: t.spec.platformArchABI, subject: file,
          message: error.message, hint: 'rebuild the addon; the file is not a loadable binary',
        })],
      };
    }
    const digests = h?.ok ? { size: h.size, sha1: h.sha1, sha256: h.sha256, sha512: h.sha512, integrity: h.integrity } : null;
    return { ...base, status: 'found', path: file, facts: i.facts, digests, diagnostics: checkBinary(t.spec, i.facts, file) };
  });
  return withStage(plan, 'binaries', findings);
}
