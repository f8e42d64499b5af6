/**
 * `pnpm run docs:getting-started`: writes docs/getting-started.md from a real run of napi-ship on a
 * scratch copy of the napi-rs package template (test/fixtures/package-template, scripts/lib/template.ts):
 * init (preview, then --yes), the dry run, the CI workflow and matrix, and what `publish` says before
 * CI has built every target. `--check` regenerates it in memory and exits 1 when docs/getting-started.md
 * has drifted (test/docs-getting-started.test.ts runs it; `--doc FILE` checks another file).
 *
 * Volatile parts (the scratch path, temp dirs, ports, times, hashes, key ids) become placeholders in
 * the doc; `--check` also masks the counts that depend on the local cargo cache (crates in the graph).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { repoRoot, writeTemplateProject } from './lib/template.js';

export const DOC = path.join(repoRoot, 'docs', 'getting-started.md');
const CLI = path.join(repoRoot, 'bin', 'napi-ship.js');
/** Where the doc says the project is. */
const SHOWN_DIR = '~/package-template';

interface Step {
  /** What the doc shows as typed. */
  readonly shown: string;
  readonly code: number | null;
  readonly output: string;
}

/** Replace what changes from run to run with placeholders. Pure. */
export function normalise(text: string, projectDir: string): string {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (
    text
      .replace(new RegExp(escape(projectDir), 'g'), SHOWN_DIR)
      .replace(new RegExp(escape(repoRoot), 'g'), '<napi-ship>')
      .replace(new RegExp(`${escape(os.tmpdir())}/[\\w.-]+`, 'g'), '<tmp>')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
      .replace(/sha(1|256|512)-[A-Za-z0-9+/]+=*(…)?/g, 'sha$1-<hash>')
      .replace(/\b[0-9a-f]{40,128}\b/g, '<hash>')
      .replace(/\bkey [0-9a-f]{16}\b/g, 'key <key-id>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
      .replace(/\b\d+(\.\d+)? ?(ms|s)\b(?!\w)/g, '<time>')
      // Table columns sized to a hash or a path re-pad: trailing blanks go.
      .replace(/[ \t]+$/gm, '')
  );
}

/** For `--check` only: also mask counts that follow the local cargo cache (the crate graph resolved offline). Pure. */
export function comparable(doc: string): string {
  return (
    doc
      .replace(/\(\d+ packages?\)/g, '(N packages)')
      .replace(/\b\d+ package\(s\)/g, 'N package(s)')
      .replace(/found in \d+ third-party packages/g, 'found in N third-party packages')
      .replace(/\b\d+ (crates?|licenses?)\b/g, 'N $1')
      // Columns padded to a path's length (the temp dir differs between machines).
      .replace(/ {2,}/g, '  ')
      .replace(/-{3,}/g, '---')
  );
}

function run(args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', COLUMNS: '100', NAPI_SHIP_LOG: '' };
    delete env.FORCE_COLOR;
    delete env.GITHUB_STEP_SUMMARY;
    delete env.CI;
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // stderr (progress, notes: written while working), then stdout (the result): the order the two
    // pipes' chunks arrive in is not stable, the doc must be.
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, output: stderr + stdout });
    });
  });
}

function block(step: Step): string {
  const exit = step.code === 0 ? '' : `\n(exit ${String(step.code)})`;
  return ['```console', `$ ${step.shown}`, step.output.trimEnd() + exit, '```'].join('\n');
}

/** Run every step on a scratch copy of the template and return the doc (normalised). */
export async function generate(): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-getting-started-'));
  const dir = path.join(scratch, 'package-template');
  try {
    const manifest = await writeTemplateProject(dir, { devDependencies: 'napi-cli' });
    const targets = (manifest.napi as { targets: string[] }).targets;
    const step = async (shown: string, args: readonly string[]): Promise<Step> => {
      const r = await run(args, dir);
      return { shown, code: r.code, output: normalise(r.output, dir) };
    };
    const preview = await step('yarn dlx napi-ship init', ['init']);
    const initFull = await step('yarn dlx napi-ship init --yes --no-install', ['init', '--yes', '--no-install']);
    // The same summary and diff as the preview: shown once.
    const lines = initFull.output.split('\n');
    const diffAt = lines.findIndex((l) => l.startsWith('--- '));
    const tailAt = lines.findIndex((l) => l.startsWith('then: '));
    const init: Step =
      diffAt > 0 && tailAt > diffAt
        ? { ...initFull, output: [...lines.slice(0, diffAt), '[… the same diff as above …]', '', ...lines.slice(tailAt)].join('\n') }
        : initFull;
    const written = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    const again = await step('yarn napi-ship init', ['init']);
    const dry = await step('yarn napi-ship release --dry-run --no-build --offline --no-rehearsal', [
      'release',
      '--dry-run',
      '--no-build',
      '--offline',
      '--no-rehearsal',
    ]);
    const check = await step('yarn napi-ship ci generate --check', ['ci', 'generate', '--check']);
    const matrix = await step('yarn napi-ship ci matrix', ['ci', 'matrix']);
    const workflow = parseYaml(await readFile(path.join(dir, '.github', 'workflows', 'release.yml'), 'utf8')) as {
      on?: unknown;
      jobs: Record<string, { name?: string; steps?: { name?: string; run?: string }[] }>;
    };
    const jobs = Object.entries(workflow.jobs).map(
      ([id, job]) => `- \`${id}\`: ${(job.steps ?? []).map((s) => s.name ?? '?').join(' → ')}`,
    );
    const publishJob = Object.entries(workflow.jobs).find(([id]) => id === 'publish')?.[1];
    const publishRuns = (publishJob?.steps ?? []).filter((s) => s.run !== undefined).map((s) => `# ${s.name ?? ''}\n${s.run ?? ''}`);
    const publish = await step('yarn napi-ship publish --dry-run', ['publish', '--dry-run']);
    const devDeps = written.devDependencies as Record<string, string> | undefined;
    const scripts = written.scripts as Record<string, string> | undefined;

    return normalise(
      [
        '# Getting started',
        '',
        '<!-- Generated by `pnpm run docs:getting-started` (scripts/docs-getting-started.ts) from a real run; CI checks it',
        '     for drift (test/docs-getting-started.test.ts). Edit the script, not this file. -->',
        '',
        'From a napi-rs project to its first release with napi-ship, on the',
        '[napi-rs package template](https://github.com/napi-rs/package-template) (the project `napi new` and',
        `"Use this template" give you: a Rust crate, a \`napi\` config with ${String(targets.length)} targets, yarn 4).`,
        '',
        'Every output below is real: it was produced by running napi-ship on a fresh copy of the template',
        '(`test/fixtures/package-template`). Paths, times, ports, hashes and key ids are replaced by',
        `placeholders; the project sits in \`${SHOWN_DIR}\`.`,
        '',
        '## 1. Set it up: `napi-ship init`',
        '',
        'In the project, `init` reads what is there — the package manager (the `packageManager` field, else the',
        'lockfile), the `napi` config, the crate — and shows what it would change. It writes nothing yet:',
        '',
        block(preview),
        '',
        'With `--yes` it writes the config, the workflow and the script. (Here with `--no-install`: the doc is',
        'generated offline. Without it, `init` then runs the `yarn add --dev --exact …` line itself, pinning',
        'napi-ship and what the rehearsal runs: verdaccio, Bun and Deno.)',
        '',
        block(init),
        '',
        'What it added to `package.json`:',
        '',
        '```json',
        JSON.stringify(
          {
            scripts: { 'release:dry-run': scripts?.['release:dry-run'] },
            napiShip: written.napiShip,
            ...(devDeps === undefined ? {} : { devDependencies: devDeps }),
          },
          null,
          2,
        ),
        '```',
        '',
        'A second run has nothing to do:',
        '',
        block(again),
        '',
        '## 2. Rehearse: `napi-ship release --dry-run`',
        '',
        'The dry run does the whole release on a throwaway copy (your working tree is never touched):',
        'build, stage, verify every binary against its target, pack reproducible tarballs, SBOMs and the',
        'license policy, sign, then publish to an embedded registry and install the result with npm, pnpm,',
        'Bun and Deno. `yarn release:dry-run` (the script `init` added) runs all of it.',
        '',
        'For this page it ran with `--no-build` (no Rust build: the template has no binary yet, so every',
        'target shows as missing), `--offline` (no read-only plan against npmjs.com) and `--no-rehearsal`.',
        'Missing targets do not fail a dry run (`--strict` makes them fail); they block a real publish:',
        '',
        block(dry),
        '',
        'On your machine, `yarn release:dry-run` builds what this machine can (`napi-ship doctor` says which',
        'toolchain each target needs and `doctor --install` adds it) and those targets show as ready. The rest',
        'are built in CI.',
        '',
        '## 3. CI: the release workflow',
        '',
        '`init` wrote `.github/workflows/release.yml` (the same as `napi-ship ci generate`). Its jobs:',
        '',
        ...jobs,
        '',
        '`ci generate --check` fails when the workflow no longer matches `napi.targets` (run it in CI):',
        '',
        block(check),
        '',
        'One build job per target, on the runner that can build it:',
        '',
        block(matrix),
        '',
        '## 4. The first publish',
        '',
        'A release ships every platform or none: locally, with only some binaries, `publish` refuses before',
        'it reads or writes anything on the registry:',
        '',
        block(publish),
        '',
        "The first publish happens in CI, on a version tag. The publish job downloads every build job's",
        'binary and runs:',
        '',
        '```sh',
        publishRuns.join('\n'),
        '```',
        '',
        'So, to release:',
        '',
        '1. `yarn napi-ship version patch` (or `minor`, `major`, `x.y.z`): the root, every platform package',
        '   and Cargo.toml move together; a version already on the registry is refused.',
        '2. Once: `yarn napi-ship keygen --out release.key`, store the private key as the `NAPI_SHIP_SIGNING_KEY`',
        '   secret (the release manifest is signed with it; ship `release.key.pub`), and let the workflow',
        '   publish: npm trusted publishing for the repository (the publish job has `id-token: write`), or',
        "   `NODE_AUTH_TOKEN` in its env (the workflow's header says what it needs).",
        '3. Commit, tag `v<version>`, push the tag.',
        '4. The platform packages go out first, each read back by integrity; the root goes last. A run that',
        '   stopped resumes when re-run. `yarn napi-ship status` shows where each package stands.',
        '',
        'Next: the [command guides](README.md), the [configuration reference](config.md) (the `napiShip`',
        'key), and [how napi-ship releases itself](releasing.md).',
        '',
      ].join('\n'),
      dir,
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `null` when `committed` says what napi-ship prints now (`generated`), else why not and how to fix it. Pure. */
export function driftMessage(committed: string, generated: string, docFile: string): string | null {
  const a = comparable(committed).split('\n');
  const b = comparable(generated).split('\n');
  const first = b.findIndex((line, i) => line !== a[i]);
  const at = first === -1 && a.length !== b.length ? b.length : first;
  if (at === -1) return null;
  return (
    `${docFile} has drifted from what napi-ship prints now (first difference at line ${String(at + 1)}):\n` +
    `  doc: ${a[at] ?? '(end of file)'}\n  now: ${b[at] ?? '(end of file)'}\n` +
    'regenerate it: pnpm run docs:getting-started\n'
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, doc: { type: 'string' } } });
  const docFile = values.doc === undefined ? DOC : path.resolve(values.doc);
  const doc = await generate();
  if (values.check === true) {
    const drift = driftMessage(await readFile(docFile, 'utf8').catch(() => ''), doc, docFile);
    process.stdout.write(drift ?? `${docFile} is up to date with a run of napi-ship\n`);
    if (drift !== null) process.exitCode = 1;
  } else {
    await writeFile(docFile, doc);
    process.stdout.write(`wrote ${docFile}\n`);
  }
}
