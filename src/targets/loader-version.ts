/**
 * The package version napi-rs 3 embeds in the loader it generates (`napi build --platform`, @napi-rs/cli
 * 3.x): for every platform package, and for the WASI package,
 *
 *     const bindingPackageVersion = require('<pkg>-<platform-arch-abi>/package.json').version
 *     if (bindingPackageVersion !== '<version>' && process.env.NAPI_RS_ENFORCE_VERSION_CHECK …) {
 *       throw new Error(`Native binding package version mismatch, expected <version> but got ${bindingPackageVersion}. …`)
 *
 * (`WASI binding package version mismatch, expected <version> …` for WASI). Only these two forms are
 * read or rewritten: no other string of the loader is touched. Pure.
 */

const COMPARISON = /(bindingPackageVersion\s*!==\s*)(['"])([^'"\s]+)\2/g;
const MESSAGE = /(binding package version mismatch, expected )(\S+?)( but got )/g;

/** Every version the loader's version checks compare against (in order of appearance, repeats kept). */
export function bindingVersions(text: string): string[] {
  return [...text.matchAll(COMPARISON)].map((m) => m[3] ?? '');
}

/** The loader text with every embedded binding version set to `version`, and how many places changed. */
export function setBindingVersions(text: string, version: string): { readonly text: string; readonly changed: number } {
  let changed = 0;
  const out = text
    .replace(COMPARISON, (whole, head: string, quote: string, found: string) => {
      if (found === version) return whole;
      changed++;
      return `${head}${quote}${version}${quote}`;
    })
    .replace(MESSAGE, (whole, head: string, found: string, tail: string) => (found === version ? whole : `${head}${version}${tail}`));
  return { text: out, changed };
}
