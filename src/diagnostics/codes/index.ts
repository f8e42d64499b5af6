/**
 * Every diagnostic code napi-ship reports, one table per area (cargo-deny's model: a typed code
 * enum per check, a test that each is unique, documented and used — test/codes.test.ts).
 *
 * To add a code: put it in its area's table (`<area>.ts` here) with its class, a one-line summary
 * and a default hint, use it in `src/`, and run `pnpm run docs:codes` to regenerate docs/codes.md.
 * A new area gets a new file and an entry in `CODE_TABLES`.
 */
import { buildCodes } from './build.js';
import { ciCodes } from './ci.js';
import { coreCodes } from './core.js';
import { filesCodes } from './files.js';
import { initCodes } from './init.js';
import { loadCodes } from './load.js';
import { manifestCodes } from './manifest.js';
import { packCodes } from './pack.js';
import { policyCodes } from './policy.js';
import { projectCodes } from './project.js';
import { publishCodes } from './publish.js';
import { registryCodes } from './registry.js';
import { rehearsalCodes } from './rehearsal.js';
import { sbomCodes } from './sbom.js';
import { signCodes } from './sign.js';
import { stageCodes } from './stage.js';
import { verifyCodes } from './verify.js';
import { versionCodes } from './version.js';
import type { CodeClass, CodeInfo } from './types.js';

export type { CodeClass, CodeInfo, CodeTable } from './types.js';

/** The tables, in pipeline order (the order of docs/codes.md). */
export const CODE_TABLES = {
  project: projectCodes,
  core: coreCodes,
  files: filesCodes,
  build: buildCodes,
  ci: ciCodes,
  init: initCodes,
  stage: stageCodes,
  verify: verifyCodes,
  pack: packCodes,
  sbom: sbomCodes,
  policy: policyCodes,
  sign: signCodes,
  manifest: manifestCodes,
  registry: registryCodes,
  publish: publishCodes,
  rehearsal: rehearsalCodes,
  load: loadCodes,
  version: versionCodes,
} as const;

export type CodeArea = keyof typeof CODE_TABLES;
/** The codes of one area. */
export type AreaCode<A extends CodeArea> = keyof (typeof CODE_TABLES)[A] & string;
/** Every diagnostic code: the type of `Diagnostic.code`. */
export type Code = { [A in CodeArea]: AreaCode<A> }[CodeArea];

export const CODE_AREAS = Object.keys(CODE_TABLES) as CodeArea[];

const index = new Map<string, CodeInfo & { readonly area: CodeArea; readonly code: Code }>();
for (const area of CODE_AREAS) {
  for (const [code, info] of Object.entries(CODE_TABLES[area]) as [Code, CodeInfo][]) {
    index.set(code, { ...info, area, code });
  }
}

/** Is this string one of napi-ship's codes (e.g. a code read back from a `--json` report)? */
export function isCode(value: string): value is Code {
  return index.has(value);
}

/** A code's table entry, with its area. */
export function codeInfo(code: Code): CodeInfo & { readonly area: CodeArea; readonly code: Code } {
  const info = index.get(code);
  if (info === undefined) throw new Error(`not a napi-ship diagnostic code: ${code}`);
  return info;
}

export function areaOf(code: Code): CodeArea {
  return codeInfo(code).area;
}

export function classOf(code: Code): CodeClass {
  return codeInfo(code).class;
}

/** Every code with its area and entry, in table order. */
export function allCodes(): (CodeInfo & { readonly area: CodeArea; readonly code: Code })[] {
  return [...index.values()];
}
