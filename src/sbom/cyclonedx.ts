/**
 * CycloneDX 1.6 output, for users who ask for it (`--format cyclonedx`), through OWASP's
 * `@cyclonedx/cdxgen` — an optional peer dependency: it is looked up from the project first, then
 * from napi-ship's own install, and a clear diagnostic says how to add it when it is absent.
 *
 * cdxgen runs offline: no dependency install (`--no-install-deps`), no license lookups on the web
 * (`FETCH_LICENSE=false`), no recursion into other projects (`--no-recurse`).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { diagnostic, DiagnosticError, errorMessage } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';

const execFileAsync = promisify(execFile);

export const CDXGEN_PACKAGE = '@cyclonedx/cdxgen';

export interface CdxgenLocation {
  /** `bin/cdxgen.js` of the package found. */
  readonly bin: string;
  readonly version: string;
}

function packageRoot(entry: string): string | null {
  let dir = path.dirname(entry);
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        const json: unknown = JSON.parse(readFileSync(pj, 'utf8'));
        if (isRecord(json) && json.name === CDXGEN_PACKAGE) return dir;
      } catch {
        // keep looking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * Find cdxgen: from the project dir, then from napi-ship's own install (`selfFile`, a file of it);
 * `null` when neither has it.
 */
export function resolveCdxgen(projectDir: string, selfFile: string = fileURLToPath(import.meta.url)): CdxgenLocation | null {
  const bases = [path.join(path.resolve(projectDir), 'package.json'), selfFile];
  for (const base of bases) {
    let entry: string;
    try {
      entry = createRequire(base).resolve(CDXGEN_PACKAGE);
    } catch {
      continue;
    }
    const root = packageRoot(entry);
    if (root === null) continue;
    const bin = path.join(root, 'bin', 'cdxgen.js');
    if (!existsSync(bin)) continue;
    const json: unknown = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    return { bin, version: isRecord(json) && typeof json.version === 'string' ? json.version : 'unknown' };
  }
  return null;
}

export function cdxgenMissing(projectDir: string): DiagnosticError {
  return new DiagnosticError([
    diagnostic({
      code: 'NS_SBOM_CDXGEN_MISSING',
      subject: projectDir,
      message: `--format cyclonedx needs ${CDXGEN_PACKAGE}, which is not installed in the project nor next to napi-ship`,
      hint: `add it as a dev dependency: \`pnpm add -D ${CDXGEN_PACKAGE}\` (or \`npm i -D ${CDXGEN_PACKAGE}\`); SPDX (the default format) needs nothing extra`,
    }),
  ]);
}

export interface CdxgenRun {
  /** `rust` or `js` (cdxgen's project types). */
  readonly type: 'rust' | 'js';
  /** The dir holding the lockfile (Cargo.lock / pnpm-lock.yaml / package-lock.json). */
  readonly dir: string;
  readonly outFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Run cdxgen once into `outFile` (CycloneDX 1.6 JSON). */
export async function runCdxgen(cdxgen: CdxgenLocation, run: CdxgenRun): Promise<void> {
  const args = [
    cdxgen.bin,
    '-t',
    run.type,
    '--spec-version',
    '1.6',
    '--no-install-deps',
    '--no-recurse',
    '--json-pretty',
    ...(run.type === 'js' ? ['--no-babel'] : []),
    '-o',
    run.outFile,
    run.dir,
  ];
  const env: NodeJS.ProcessEnv = {
    ...(run.env ?? process.env),
    FETCH_LICENSE: 'false',
    CDXGEN_NO_BANNER: 'true',
  };
  try {
    await execFileAsync(process.execPath, args, {
      cwd: run.dir,
      env,
      maxBuffer: 256 * 1024 * 1024,
      timeout: 10 * 60_000,
      windowsHide: true,
    });
  } catch (error) {
    const stderr =
      isRecord(error) && typeof error.stderr === 'string' ? error.stderr.trim().split('\n').slice(-5).join('\n') : errorMessage(error);
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_SBOM_CDXGEN_FAILED',
        subject: run.dir,
        message: `cdxgen -t ${run.type} failed: ${stderr}`,
        hint: 'run the same cdxgen command by hand to see why; SPDX output (the default) does not use cdxgen',
      }),
    ]);
  }
  if (!existsSync(run.outFile)) {
    throw new DiagnosticError([
      diagnostic({
        code: 'NS_SBOM_CDXGEN_FAILED',
        subject: run.dir,
        message: `cdxgen -t ${run.type} wrote no ${path.basename(run.outFile)}`,
        hint: 'run cdxgen by hand to see why',
      }),
    ]);
  }
}
