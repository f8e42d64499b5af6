/**
 * npm's own rules for what `pack` may write: a package name npm accepts for a new package
 * (`validate-npm-package-name`, the module npm itself uses) and a valid semver version. Checked
 * before any tarball is written, so a name such as `../../../x` never becomes a file name.
 */
import { createRequire } from 'node:module';
import semver from 'semver';
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';

const require = createRequire(import.meta.url);
const validate: unknown = require('validate-npm-package-name');
if (typeof validate !== 'function') throw new Error('validate-npm-package-name does not export a function');

interface Validity {
  readonly validForNewPackages?: boolean;
  readonly errors?: readonly string[];
  readonly warnings?: readonly string[];
}

/** Why npm would refuse `name` for a new package, or `null`. */
export function badPackageName(name: string): string | null {
  const v = (validate as (n: string) => Validity)(name);
  if (v.validForNewPackages === true) return null;
  return [...(v.errors ?? []), ...(v.warnings ?? [])].join('; ') || 'npm refuses it';
}

/** Diagnostics for a package's name and version, `subject` naming its directory. */
export function checkNameAndVersion(name: string, version: string, subject: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const why = badPackageName(name);
  if (why !== null)
    out.push(
      diagnostic({
        code: 'NS_PACK_BAD_NAME',
        subject,
        message: `the package name ${JSON.stringify(name)} is not one npm accepts: ${why}`,
        hint: 'fix `name` in package.json (lowercase, URL-safe, optionally @scope/…)',
      }),
    );
  if (semver.valid(version) === null || version.trim() !== version || /^[v=]/.test(version))
    out.push(
      diagnostic({
        code: 'NS_PACK_BAD_VERSION',
        subject,
        message: `the version ${JSON.stringify(version)} is not a plain semver version`,
        hint: 'set `version` to e.g. 1.2.3 (napi-ship version sets it everywhere)',
      }),
    );
  return out;
}
