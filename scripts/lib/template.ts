/**
 * A scratch copy of the napi-rs package template (test/fixtures/package-template: its package.json,
 * Cargo.toml, build.rs and src/lib.rs), as a maintainer has it after cloning: a git repository, the
 * JS loader napi-rs generates (written by @napi-rs/cli's own `writeJsBinding`, as `napi build` does;
 * the template commits it), and a Cargo.lock resolved offline from the local cargo cache.
 *
 * Used by the self-release test (a fresh project installing napi-ship) and by
 * scripts/docs-getting-started.ts.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeJsBinding } from '@napi-rs/cli';
import { repoRoot } from './repo.js';

export { repoRoot };

const run = promisify(execFile);

export const TEMPLATE_FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'package-template');

/** The functions the template's src/lib.rs exports (`plus_100`, as napi-rs names it in JS). */
export const TEMPLATE_EXPORTS = ['plus100'] as const;

export interface TemplateOptions {
  /**
   * The template's devDependencies: `all` (ava, oxlint, husky, … and its `prepare: husky` script),
   * `napi-cli` (only `@napi-rs/cli`, default) or `none`: an install then fetches what the test or
   * the doc is about, not the template's toolbox.
   */
  readonly devDependencies?: 'all' | 'napi-cli' | 'none';
  /** The `packageManager` field: the template's (yarn 4), another, or `null` to drop it. */
  readonly packageManager?: string | null;
  /** Write the JS loader (default true). */
  readonly loader?: boolean;
  /** Resolve Cargo.lock offline (default true). */
  readonly lockfile?: boolean;
}

/** Copy the template into `dir` (created) and return its package.json as written. */
export async function writeTemplateProject(dir: string, options: TemplateOptions = {}): Promise<Record<string, unknown>> {
  await mkdir(dir, { recursive: true });
  await cp(TEMPLATE_FIXTURE, dir, {
    recursive: true,
    filter: (src) => path.basename(src) !== 'README.md' || path.dirname(src) !== TEMPLATE_FIXTURE,
  });
  const file = path.join(dir, 'package.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const keep = options.devDependencies ?? 'napi-cli';
  if (keep !== 'all') {
    const napiCli = (manifest.devDependencies as Record<string, string> | undefined)?.['@napi-rs/cli'];
    manifest.devDependencies = napiCli === undefined || keep === 'none' ? {} : { '@napi-rs/cli': napiCli };
    const scripts = { ...(manifest.scripts as Record<string, string>) };
    delete scripts.prepare;
    manifest.scripts = scripts;
  }
  if (options.packageManager === null) delete manifest.packageManager;
  else if (options.packageManager !== undefined) manifest.packageManager = options.packageManager;
  await writeFile(file, JSON.stringify(manifest, null, 2) + '\n');
  await run('git', ['init', '-q', dir]);
  if (options.loader !== false) {
    const napi = manifest.napi as { binaryName: string };
    await writeJsBinding({
      platform: true,
      idents: [...TEMPLATE_EXPORTS],
      binaryName: napi.binaryName,
      packageName: String(manifest.name),
      version: String(manifest.version),
      outputDir: dir,
    });
  }
  if (options.lockfile !== false) {
    await run('cargo', ['generate-lockfile', '--offline', '--manifest-path', path.join(dir, 'Cargo.toml')], { env: process.env });
  }
  return manifest;
}
