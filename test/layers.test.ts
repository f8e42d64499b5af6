/**
 * The structure of src/ as docs/design.md draws it, checked from the imports themselves, so the
 * picture cannot rot: every `import`/`export … from`/`import()` of every file under src/ is read with
 * TypeScript's own pre-processor, and the test fails on
 *   - an import circle between files;
 *   - an import from a lower layer up to a higher one;
 *   - inside a layer, an import of a folder listed after the importer's (for the stages, the
 *     pipeline order: no stage imports a later stage);
 *   - a folder under src/ that is in no layer (a new folder must be placed on purpose);
 *   - a reader of the run record (src/run) other than the orchestrator, the report and the shells;
 *   - across the repo's top folders: src/ imports only src/; scripts/ and bench/ never import test/
 *     (tests may import scripts/lib, the repo tools never import the tests).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from './helpers/cli.js';

/** Top-down: each layer may import only the layers below it, and the folders listed before it in its own. */
export const LAYERS: readonly (readonly string[])[] = [
  // the shells: the CLI and the library's entry point
  ['cli', 'index.ts'],
  // orchestration of the whole pipeline: the CI workflow, the project set-up that writes it, the dry run
  ['ci', 'init', 'release'],
  // what a run did, the rehearsal over a packed release, and the report of both
  ['rehearsal', 'load', 'run', 'report'],
  // the stages, in pipeline order (`version` bumps the versions before anything is built)
  ['version', 'build', 'stage', 'verify', 'pack', 'sbom', 'policy', 'sign', 'publish'],
  // what every stage reads: the targets table, the release manifest, the plan
  ['targets', 'manifest', 'config', 'plan'],
  // the npm registry, SPDX licenses, the native core
  ['registry', 'license', 'core'],
  // leaves
  ['diagnostics', 'util', 'log'],
];

/** Who may read the run record: the orchestrator, the report, and the shells above them. */
const RUN_READERS: ReadonlySet<string> = new Set(['release', 'report', 'cli', 'index.ts']);

const src = path.join(repoRoot, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules') return [];
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The folder a file belongs to: the first path segment under src/ (`cli/commands/x.ts` → `cli`), or the file at the top. */
function unitOf(file: string): string {
  return path.relative(src, file).split(path.sep)[0] ?? '';
}

interface Arrow {
  readonly from: string;
  readonly to: string;
}

function imports(dir = src): Arrow[] {
  const arrows: Arrow[] = [];
  for (const file of sourceFiles(dir)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), ref.fileName).replace(/\.js$/, '.ts');
      arrows.push({ from: file, to: target });
    }
  }
  return arrows;
}

const arrows = imports();
const files = sourceFiles(src);
const rel = (f: string): string => path.relative(src, f).split(path.sep).join('/');
const layerOf = new Map<string, { layer: number; index: number }>();
LAYERS.forEach((units, layer) => {
  units.forEach((u, index) => layerOf.set(u, { layer, index }));
});

/** The circles among `nodes`, each as `a -> b -> … -> a`. */
function circles(edges: readonly Arrow[], nodes: readonly string[]): string[] {
  const next = new Map<string, string[]>();
  for (const a of edges) next.set(a.from, [...(next.get(a.from) ?? []), a.to]);
  const state = new Map<string, 'open' | 'done'>();
  const found: string[] = [];
  const visit = (f: string, trail: string[]): void => {
    state.set(f, 'open');
    for (const t of next.get(f) ?? []) {
      if (state.get(t) === 'open') found.push([...trail.slice(trail.indexOf(t)), t].map(rel).join(' -> '));
      else if (state.get(t) === undefined) visit(t, [...trail, t]);
    }
    state.set(f, 'done');
  };
  for (const f of nodes) if (state.get(f) === undefined) visit(f, [f]);
  return found;
}

/** The imports that run up a layer, or sideways to a folder listed after the importer's. */
function upward(edges: readonly Arrow[]): string[] {
  return edges.flatMap((a) => {
    const from = layerOf.get(unitOf(a.from));
    const to = layerOf.get(unitOf(a.to));
    if (from === undefined || to === undefined || unitOf(a.from) === unitOf(a.to)) return [];
    const up = to.layer < from.layer || (to.layer === from.layer && to.index > from.index);
    return up ? [`${rel(a.from)} -> ${rel(a.to)}`] : [];
  });
}

/** Which of the repo's top folders each may import: scripts → test never; src → nothing outside src. */
export const TOP_FOLDERS: Readonly<Record<string, readonly string[]>> = {
  src: ['src'],
  scripts: ['scripts', 'src'],
  bench: ['bench', 'scripts', 'src'],
  test: ['test', 'scripts', 'src'],
};

/** The imports from one top folder into another it may not import. */
function crossing(edges: readonly Arrow[]): string[] {
  const top = (f: string): string => path.relative(repoRoot, f).split(path.sep)[0] ?? '';
  return edges.flatMap((a) => {
    const allowed = TOP_FOLDERS[top(a.from)] ?? [];
    return allowed.includes(top(a.to)) ? [] : [`${path.relative(repoRoot, a.from)} -> ${path.relative(repoRoot, a.to)}`];
  });
}

describe('the top folders of the repo: src, scripts, bench, test', () => {
  test('src/ imports only src/; scripts/ and bench/ never import test/', () => {
    const all = Object.keys(TOP_FOLDERS).flatMap((d) => imports(path.join(repoRoot, d)));
    assert.ok(
      all.some((a) => a.from.startsWith(path.join(repoRoot, 'scripts'))),
      'the reader sees the imports of scripts/',
    );
    assert.deepEqual(crossing(all), []);
  });

  test('the check can fail: a script importing a test helper is caught', () => {
    const f = (p: string): string => path.join(repoRoot, ...p.split('/'));
    assert.deepEqual(
      crossing([
        { from: f('scripts/crash-trials.ts'), to: f('test/helpers/cli.ts') },
        { from: f('src/index.ts'), to: f('scripts/lib/repo.ts') },
        { from: f('test/crash.test.ts'), to: f('scripts/lib/crash-trial.ts') },
      ]),
      ['scripts/crash-trials.ts -> test/helpers/cli.ts', 'src/index.ts -> scripts/lib/repo.ts'],
    );
  });
});

describe('the layers of src/ (docs/design.md)', () => {
  test('the import reader sees the imports (every relative import names a file of src/)', () => {
    assert.ok(files.length > 50, `${String(files.length)} files`);
    assert.ok(arrows.length > 300, `${String(arrows.length)} imports`);
    const known = new Set(files);
    assert.deepEqual(
      arrows.filter((a) => !known.has(a.to)).map((a) => `${rel(a.from)} -> ${rel(a.to)}`),
      [],
    );
  });

  test('every folder of src/ is placed in exactly one layer', () => {
    const units = [...new Set(files.map(unitOf))].sort();
    assert.deepEqual(
      units.filter((u) => !layerOf.has(u)),
      [],
    );
    const declared = LAYERS.flat();
    assert.equal(new Set(declared).size, declared.length, 'a folder is in two layers');
  });

  test('no import circle', () => {
    assert.deepEqual(circles(arrows, files), []);
  });

  test('no import runs up a layer, nor to a folder listed after the importer in its own layer', () => {
    assert.deepEqual(upward(arrows), []);
  });

  test('only the orchestrator, the report and the shells read the run record', () => {
    assert.deepEqual(
      arrows
        .filter((a) => unitOf(a.to) === 'run' && unitOf(a.from) !== 'run' && !RUN_READERS.has(unitOf(a.from)))
        .map((a) => `${rel(a.from)} -> ${rel(a.to)}`),
      [],
    );
  });

  test('the checks can fail: made-up upward and sideways imports, and a circle, are caught', () => {
    const f = (p: string): string => path.join(src, ...p.split('/'));
    assert.deepEqual(
      upward([
        { from: f('plan/index.ts'), to: f('publish/run.ts') },
        { from: f('sbom/release.ts'), to: f('sign/verify.ts') },
        { from: f('rehearsal/index.ts'), to: f('report/index.ts') },
        { from: f('policy/evaluate.ts'), to: f('sbom/inventory.ts') },
      ]),
      ['plan/index.ts -> publish/run.ts', 'sbom/release.ts -> sign/verify.ts', 'rehearsal/index.ts -> report/index.ts'],
    );
    assert.deepEqual(
      circles(
        [
          { from: f('a.ts'), to: f('b.ts') },
          { from: f('b.ts'), to: f('a.ts') },
        ],
        [f('a.ts'), f('b.ts')],
      ),
      ['a.ts -> b.ts -> a.ts'],
    );
  });
});
