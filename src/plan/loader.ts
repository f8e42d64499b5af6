/**
 * The root package's loader, found by following its code: from `main` and the `exports` map, through
 * local `require`/`import` specifiers, to the file(s) that name the platform packages (napi-rs's
 * generated loader, whatever its name: `index.js`, `napi build --js binding.js`, behind a wrapper).
 * `verify` checks what the loader resolves; `version` updates the version napi-rs 3 embeds in it.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** Files followed at most, and the largest file read: a loader is small, a bundle is not followed. */
const MAX_FILES = 64;
const MAX_BYTES = 4 * 1024 * 1024;

/** Relative specifiers of `require(…)`, `import … from …`, `import(…)`, `export … from …` in JS text. Pure. */
export function localSpecifiers(text: string): string[] {
  const out = new Set<string>();
  const patterns = [
    /\brequire\s*\(\s*(['"`])(\.{1,2}\/[^'"`]+)\1\s*\)/g,
    /\bimport\s*\(\s*(['"`])(\.{1,2}\/[^'"`]+)\1\s*\)/g,
    /\b(?:import|export)\b[^'";]*?\bfrom\s*(['"])(\.{1,2}\/[^'"]+)\1/g,
    /\bimport\s*(['"])(\.{1,2}\/[^'"]+)\1/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) if (m[2] !== undefined) out.add(m[2]);
  return [...out];
}

/**
 * `#name` specifiers (package.json `imports`, Node's subpath imports) of `require(…)`, `import(…)`,
 * `import … from`, `export … from` in JS text: @tursodatabase/database reaches napi-rs's loader as
 * `import … from "#index"`. Pure.
 */
export function subpathImports(text: string): string[] {
  const out = new Set<string>();
  const patterns = [
    /\b(?:require|import)\s*\(\s*(['"`])(#[^'"`\s]+)\1\s*\)/g,
    /\b(?:import|export)\b[^'";]*?\bfrom\s*(['"])(#[^'"\s]+)\1/g,
    /\bimport\s*(['"])(#[^'"\s]+)\1/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) if (m[2] !== undefined) out.add(m[2]);
  return [...out];
}

/** Every string target of an `exports` value (conditions and subpaths, recursively). Pure. */
export function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(exportTargets);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(exportTargets);
  return [];
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Node's resolution of a relative specifier to a file: as is, with an extension, or a directory's index. */
async function resolveLocal(from: string, specifier: string, root: string): Promise<string | null> {
  const base = path.resolve(path.dirname(from), specifier);
  if (base !== root && !base.startsWith(root + path.sep)) return null;
  for (const candidate of [
    base,
    `${base}.js`,
    `${base}.cjs`,
    `${base}.mjs`,
    path.join(base, 'index.js'),
    path.join(base, 'index.cjs'),
    path.join(base, 'index.mjs'),
  ]) {
    if (/\.(node|wasm|json)$/.test(candidate)) continue;
    if (await isFile(candidate)) return candidate;
  }
  return null;
}

export interface LoaderTrace {
  /** The entry files (`main`, `exports`), relative to the root. */
  readonly entries: readonly string[];
  /** Every file read, in the order reached, relative to the root. */
  readonly followed: readonly string[];
  /** The files that name a platform package: napi-rs's loader, whatever its name. */
  readonly loaders: readonly { readonly file: string; readonly text: string }[];
}

/** Follow the root package's code from `main`/`exports` to the file(s) that resolve its platform packages. */
export async function traceLoader(rootDir: string, root: Readonly<Record<string, unknown>>, packageName: string): Promise<LoaderTrace> {
  const rel = (f: string): string => path.relative(rootDir, f).split(path.sep).join('/');
  const starts: string[] = [];
  if (typeof root.main === 'string') starts.push(root.main);
  if (root.exports !== undefined) {
    const dot = typeof root.exports === 'object' && root.exports !== null && !Array.isArray(root.exports) && '.' in root.exports;
    starts.push(...exportTargets(dot ? (root.exports as Record<string, unknown>)['.'] : root.exports));
  }
  if (starts.length === 0) starts.push('index.js');
  const queue: string[] = [];
  for (const s of starts) {
    if (!/\.(c|m)?js$/.test(s) && !s.endsWith('/') && path.extname(s) !== '') continue;
    const resolved = await resolveLocal(path.join(rootDir, 'x'), s.startsWith('.') ? s : `./${s}`, rootDir);
    if (resolved !== null && !queue.includes(resolved)) queue.push(resolved);
  }
  const entries = queue.map(rel);
  const followed: string[] = [];
  const loaders: { file: string; text: string }[] = [];
  const seen = new Set<string>();
  while (queue.length > 0 && followed.length < MAX_FILES) {
    const file = queue.shift();
    if (file === undefined || seen.has(file)) continue;
    seen.add(file);
    let text: string;
    try {
      if ((await stat(file)).size > MAX_BYTES) continue;
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    followed.push(rel(file));
    if (text.includes(`${packageName}-`)) loaders.push({ file: rel(file), text });
    for (const specifier of localSpecifiers(text)) {
      const next = await resolveLocal(file, specifier, rootDir);
      if (next !== null && !seen.has(next)) queue.push(next);
    }
    // `#index` → the root's `imports` map (exact keys; every condition's target is followed).
    const imports = root.imports;
    if (typeof imports === 'object' && imports !== null && !Array.isArray(imports)) {
      for (const specifier of subpathImports(text)) {
        if (!Object.hasOwn(imports, specifier)) continue;
        for (const to of exportTargets((imports as Record<string, unknown>)[specifier])) {
          if (!to.startsWith('./')) continue;
          const next = await resolveLocal(path.join(rootDir, 'x'), to, rootDir);
          if (next !== null && !seen.has(next)) queue.push(next);
        }
      }
    }
  }
  return { entries, followed, loaders };
}
