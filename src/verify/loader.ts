/**
 * Check 7b: the root package's loader. napi-rs generates a loader (`index.js`, or any name given
 * to `napi build --js`) that requires the local `.node` file or the platform package of each
 * target; projects often wrap it (`main.js` → `./index.js`, `index.js` → `./binding.js`). So the
 * check follows the code: from `main` and the `exports` map, through local `require`/`import`
 * specifiers, to the file(s) that name the platform packages, and checks those.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import type { PlannedTarget } from '../plan/index.js';
import { platformMain } from '../stage/plan.js';
import { bindingVersions } from '../targets/loader-version.js';
import type { LoaderTrace } from '../plan/loader.js';

export { exportTargets, localSpecifiers, traceLoader, type LoaderTrace } from '../plan/loader.js';

/** Check 7b over a trace: some loader file names each target's local file and its platform package. Pure. */
export function checkLoader(trace: LoaderTrace, targets: readonly PlannedTarget[], subject: string, version?: string): Diagnostic[] {
  if (trace.entries.length === 0) {
    return [
      diagnostic({
        code: 'NS_VERIFY_LOADER',
        subject,
        message: 'the root package has no loader: neither main nor exports names a JavaScript file that exists',
        expected: 'main (or exports) naming the napi-rs loader or a file that requires it',
        found: 'nothing',
        hint: 'napi build --platform generates index.js (or the file named by --js); ship it and point main at it',
      }),
    ];
  }
  if (trace.loaders.length === 0) {
    return [
      diagnostic({
        code: 'NS_VERIFY_LOADER',
        subject,
        message: `no file reached from ${trace.entries.join(', ')} resolves the platform packages (followed ${trace.followed.join(' → ') || 'nothing'})`,
        expected: 'a loader requiring the platform packages, reached through local require/import',
        found: `followed ${trace.followed.length} file(s)`,
        hint: 'regenerate the loader with `napi build --platform` and require it from main (or include it in files)',
      }),
    ];
  }
  const names = trace.loaders.map((l) => l.file).join(', ');
  // napi-rs 3 loaders compare each platform package's version with the one they were generated for.
  const stale: Diagnostic[] = [];
  for (const loader of version === undefined ? [] : trace.loaders) {
    const other = [...new Set(bindingVersions(loader.text).filter((v) => v !== version))];
    if (other.length === 0) continue;
    stale.push(
      diagnostic({
        code: 'NS_VERIFY_LOADER_VERSION',
        subject: loader.file,
        message: `the loader ${loader.file} checks the platform packages against version ${other.join(', ')}, but the release is ${version ?? ''}: with NAPI_RS_ENFORCE_VERSION_CHECK set every install fails to load`,
        expected: `bindingPackageVersion !== '${version ?? ''}'`,
        found: other.map((v) => `bindingPackageVersion !== '${v}'`).join(', '),
        hint: 'regenerate the loader (napi build --platform) after the version bump, or bump with napi-ship version, which updates it',
      }),
    );
  }
  const perTarget = targets.flatMap((t) => {
    const local = platformMain(t);
    const missing = [local, t.packageName].filter((needle) => !trace.loaders.some((l) => l.text.includes(needle)));
    return missing.length === 0 ? [] : [{ t, local, missing }];
  });
  // A hand-written loader that computes the package name (lightningcss:
  // require(`lightningcss-${parts.join('-')}`)) names no target: it cannot be proven either way here.
  const computed = trace.loaders.find((l) => computesPackageName(l.text, targets));
  if (perTarget.length > 0 && computed !== undefined) {
    return [
      ...stale,
      diagnostic({
        code: 'NS_VERIFY_LOADER',
        severity: 'note',
        subject: computed.file,
        message: `the loader ${computed.file} computes the platform package's name at run time (${perTarget.length} target(s) are not named in it): napi-ship cannot check it resolves each target`,
        hint: 'the dry run installs the packed release and loads it on this machine; a loader napi build --platform generates names every target and is checked',
      }),
    ];
  }
  return [
    ...stale,
    ...perTarget.map(({ t, local, missing }) =>
      diagnostic({
        code: 'NS_VERIFY_LOADER',
        target: t.spec.platformArchABI,
        subject: names,
        message: `the loader (${names}) cannot resolve this target`,
        expected: `requires of ${local} and ${t.packageName}`,
        found: `no mention of ${missing.join(' or ')}`,
        hint: 'regenerate the loader with `napi build --platform` after adding the target to napi.targets',
      }),
    ),
  ];
}

/**
 * Whether loader text requires a platform package by a computed name: `require(\`<prefix>${…}\`)` or
 * `require('<prefix>' + …)` (also `import(…)`), where `<prefix>` is the platform packages' common
 * `<packageName>-`. Pure.
 */
export function computesPackageName(text: string, targets: readonly PlannedTarget[]): boolean {
  const first = targets[0];
  if (first === undefined) return false;
  const prefix = first.packageName.slice(0, first.packageName.length - first.spec.platformArchABI.length);
  if (!prefix.endsWith('-') || targets.some((t) => !t.packageName.startsWith(prefix))) return false;
  for (const m of text.matchAll(/\b(?:require|import)\s*\(\s*`([^`$]*)\$\{/g)) if (m[1] === prefix) return true;
  for (const m of text.matchAll(/\b(?:require|import)\s*\(\s*(['"])([^'"]*)\1\s*\+/g)) if (m[2] === prefix) return true;
  return false;
}
