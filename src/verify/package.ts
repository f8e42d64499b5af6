/**
 * Pure checks of package manifests: a platform package.json against its target, and the root's
 * `optionalDependencies` and loader against the planned targets.
 */
import { diagnostic, type Code, type Diagnostic } from '../diagnostics/index.js';
import type { PlannedTarget } from '../plan/index.js';
import { platformMain } from '../stage/plan.js';

type Manifest = Readonly<Record<string, unknown>>;

function asStrings(v: unknown): string[] | null {
  return Array.isArray(v) && v.every((x): x is string => typeof x === 'string') ? v : null;
}

function show(v: unknown): string {
  return v === undefined ? 'absent' : JSON.stringify(v);
}

/** Check 2: name, version, os, cpu, libc, main of one platform package. */
export function checkPlatformManifest(t: PlannedTarget, manifest: Manifest, version: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const target = t.spec.platformArchABI;
  const subject = t.packageName;
  const field = (code: Code, name: string, expected: string, found: string, hint: string): void => {
    out.push(diagnostic({ code, target, subject, message: `package.json \`${name}\` is wrong`, expected, found, hint }));
  };
  if (manifest.name !== t.packageName) {
    field(
      'NS_VERIFY_NAME',
      'name',
      t.packageName,
      show(manifest.name),
      'platform packages are named <packageName>-<platform-arch-abi>; run napi-ship stage',
    );
  }
  if (manifest.version !== version) {
    field(
      'NS_VERIFY_VERSION',
      'version',
      version,
      show(manifest.version),
      "every platform package must have the root's version; run napi-ship stage",
    );
  }
  const os = asStrings(manifest.os);
  const expectedOs = t.spec.os === null ? null : [t.spec.os];
  if (expectedOs !== null && JSON.stringify(os) !== JSON.stringify(expectedOs)) {
    field(
      'NS_VERIFY_OS',
      'os',
      JSON.stringify(expectedOs),
      show(manifest.os),
      'npm skips a package whose os does not match; run napi-ship stage',
    );
  }
  const cpu = asStrings(manifest.cpu);
  if (JSON.stringify([...(cpu ?? [])].sort()) !== JSON.stringify([...t.spec.cpu].sort())) {
    field(
      'NS_VERIFY_CPU',
      'cpu',
      JSON.stringify(t.spec.cpu),
      show(manifest.cpu),
      'npm would install this package on the wrong CPU; run napi-ship stage',
    );
  }
  const libc = asStrings(manifest.libc);
  const expectedLibc = t.spec.libc === null ? null : [t.spec.libc];
  if (JSON.stringify(libc) !== JSON.stringify(expectedLibc)) {
    field(
      'NS_VERIFY_LIBC',
      'libc',
      show(expectedLibc ?? undefined),
      show(manifest.libc),
      expectedLibc === null
        ? 'a libc field on a non-Linux package makes npm refuse it there; remove it'
        : 'without the right libc field glibc and musl systems install the wrong package; run napi-ship stage',
    );
  }
  const main = platformMain(t);
  if (manifest.main !== main) {
    field(
      'NS_VERIFY_MAIN',
      'main',
      main,
      show(manifest.main),
      t.spec.platform === 'wasi'
        ? "a WASI package's main is napi-rs's .cjs loader (the .wasm cannot be required); run napi-ship stage"
        : "main must name the .node file napi-rs's loader requires",
    );
  }
  return out;
}

/** Check 7a: the root pins every planned package at exactly the version, and nothing else of the scheme. */
export function checkRootPins(root: Manifest, targets: readonly PlannedTarget[], version: string, packageName: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const raw = root.optionalDependencies;
  const deps: Readonly<Record<string, unknown>> = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  for (const t of targets) {
    const pin = deps[t.packageName];
    if (pin === undefined) {
      out.push(
        diagnostic({
          code: 'NS_VERIFY_PIN_MISSING',
          target: t.spec.platformArchABI,
          subject: t.packageName,
          message: 'the root package does not list this platform package in optionalDependencies',
          expected: `"${t.packageName}": "${version}"`,
          found: 'absent',
          hint: 'users on this platform would get no binary; run napi-ship stage to write the pins',
        }),
      );
    } else if (pin !== version) {
      out.push(
        diagnostic({
          code: 'NS_VERIFY_PIN_VERSION',
          target: t.spec.platformArchABI,
          subject: t.packageName,
          message: 'the root pins this platform package at another version (pins must be exact)',
          expected: version,
          found: show(pin),
          hint: 'a range or old pin installs a binary from another release; run napi-ship stage',
        }),
      );
    }
  }
  const planned = new Set(targets.map((t) => t.packageName));
  for (const name of Object.keys(deps)) {
    if (name.startsWith(`${packageName}-`) && !planned.has(name)) {
      out.push(
        diagnostic({
          code: 'NS_VERIFY_PIN_EXTRA',
          subject: name,
          message: 'the root pins a platform package that is not a configured target',
          expected: 'only configured targets',
          found: name,
          hint: 'add its triple to napi.targets or remove the pin',
        }),
      );
    }
  }
  return out;
}
