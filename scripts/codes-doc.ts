/**
 * Writes docs/codes.md from the code tables in src/diagnostics/codes/ (`pnpm run docs:codes`).
 * test/codes.test.ts fails when the committed file and the tables disagree.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_AREAS, CODE_TABLES, type CodeInfo } from '../src/diagnostics/codes/index.js';

const AREA_TITLES: Readonly<Record<(typeof CODE_AREAS)[number], string>> = {
  project: 'Project: package.json, napi config, napiShip config (`src/plan`, `src/targets`, `src/config`)',
  core: 'Native core: loading it, and binaries it cannot inspect (`src/core`, `src/verify`)',
  files: 'The file layer: hostile files and tarball entries (`src/util/fs.ts`, `src/util/tarball.ts`)',
  build: 'build (`src/build`)',
  ci: 'ci (`src/ci`)',
  init: 'init (`src/init`)',
  stage: 'stage (`src/stage`)',
  verify: 'verify (`src/verify`)',
  pack: 'pack (`src/pack`)',
  sbom: 'sbom (`src/sbom`)',
  policy: 'policy (`src/policy`)',
  sign: 'keygen, sign (`src/sign`)',
  manifest: 'verify-manifest (`src/sign/verify.ts`, `src/manifest`)',
  registry: 'The registry client (`src/registry`)',
  publish: 'publish, status, deprecate (`src/publish`)',
  rehearsal: 'release --dry-run rehearsal (`src/rehearsal`)',
  load: 'release --dry-run: loading each staged binary here (`src/load`)',
  version: 'version (`src/version`)',
};

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The whole of docs/codes.md. */
export function renderCodesDoc(): string {
  const lines = [
    '# Diagnostic codes',
    '',
    '<!-- Generated from src/diagnostics/codes/ by `pnpm run docs:codes`; test/codes.test.ts checks it. Do not edit by hand. -->',
    '',
    'Every problem napi-ship reports is a diagnostic with a stable code (`NS_<AREA>_<WHAT>`), a severity,',
    'a message and a hint: `error[NS_BINARY_LIBC] linux-x64-musl path: …`. Codes never change meaning;',
    'grep for them in logs and `--json` output.',
    '',
    'Each code has a **class**, from which the exit status of a failed run derives (see [cli.md](cli.md)):',
    '',
    '- `usage` — the command line is wrong (exit 2);',
    '- `check` — the release or the project failed a check (exit 1);',
    '- `environment` — the machine, the network, the registry or a config file is wrong (exit 3).',
    '',
    'Warnings and notes never fail a run, whatever their class. The hint below is the default; a',
    'diagnostic often carries a more specific one.',
    '',
    '## Where the codes live, and how to add one',
    '',
    'The codes are declared in one table per area, `src/diagnostics/codes/<area>.ts` (`as const`), so',
    "`Diagnostic.code` is the union of every table's keys: a code that is in no table does not type-check.",
    'To add a code:',
    '',
    "1. add it to its area's table with its `class`, a one-line `summary` and a default `hint`",
    '   (a new area gets a new file and an entry in `CODE_TABLES` in `src/diagnostics/codes/index.ts`);',
    "2. use it in `src/` (`code: 'NS_…'` type-checks against the union);",
    '3. run `pnpm run docs:codes` to regenerate this file.',
    '',
    '`test/codes.test.ts` checks that every code is unique across the tables, named `NS_<AREA>_<WHAT>`,',
    'documented here exactly as the tables say, and used somewhere in `src/`; and that every `NS_…` code',
    'written in `src/` is in a table. Code that decides something by code uses the tables (`areaOf`,',
    '`classOf`, explicit sets), never a prefix or a message text.',
    '',
  ];
  for (const area of CODE_AREAS) {
    const table = CODE_TABLES[area] as Readonly<Record<string, CodeInfo>>;
    lines.push(`## ${AREA_TITLES[area]}`, '', `Table: \`src/diagnostics/codes/${area}.ts\``, '');
    lines.push('| Code | Class | Meaning | Default hint |', '| --- | --- | --- | --- |');
    for (const [code, info] of Object.entries(table)) {
      lines.push(`| \`${code}\` | ${info.class} | ${cell(info.summary)} | ${cell(info.hint)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

const here = fileURLToPath(import.meta.url);
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === here) {
  // dist/scripts/codes-doc.js → <repo>/docs/codes.md
  const out = path.resolve(path.dirname(here), '..', '..', 'docs', 'codes.md');
  writeFileSync(out, renderCodesDoc());
  process.stdout.write(`wrote ${out}\n`);
}
