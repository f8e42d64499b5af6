/**
 * Smoke-load @napi-ship/core on Bun: load the napi-rs package in DIR with Bun's own `require`,
 * call its functions and check the answers against `Bun.CryptoHasher`. Prints one JSON line
 * `{ runtime, version, ok, checks }`; exit 1 on any failed check, 2 on bad arguments.
 *
 *   bun scripts/smoke-bun.ts DIR [--expect-version X.Y.Z]
 *
 * Excluded from tsc (Bun runs it itself; no bun-types here, so the few Bun APIs used are declared
 * below). Kept in step with smoke-node.ts and smoke-deno.ts: same checks, same output.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

declare const Bun: {
  readonly version: string;
  write(destination: string, data: Uint8Array): Promise<number>;
  CryptoHasher: new (algorithm: 'sha1' | 'sha256' | 'sha512') => {
    update(data: Uint8Array): unknown;
    digest(encoding: 'hex' | 'base64'): string;
  };
};

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
interface CoreError {
  code: string;
  message: string;
}
interface FileHash {
  path: string;
  size?: number;
  sha1?: string;
  sha256?: string;
  sha512?: string;
  integrity?: string;
  error?: CoreError;
}
interface BinaryReport {
  format: string;
  os?: string;
  cpu?: string;
  napiExport: boolean;
}
interface FileInspection {
  path: string;
  report?: BinaryReport;
  error?: CoreError;
}
interface Core {
  coreVersion(): string;
  hashSync(paths: string[]): FileHash[];
  hash(paths: string[]): Promise<FileHash[]>;
  inspectSync(path: string): FileInspection;
  inspect(paths: string[]): Promise<FileInspection[]>;
}

const runtime = 'bun';
const version = Bun.version;
const FUNCTIONS = ['coreVersion', 'hashSync', 'hash', 'inspectSync', 'inspect'] as const;
const FORMATS: Partial<Record<string, string>> = { linux: 'elf', android: 'elf', freebsd: 'elf', darwin: 'macho', win32: 'pe' };

function usage(message: string): never {
  console.error(`smoke-${runtime}: ${message}\nusage: bun scripts/smoke-bun.ts DIR [--expect-version X.Y.Z]`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): { dir: string; expectVersion: string | null } {
  let dir: string | null = null;
  let expectVersion: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--expect-version') {
      expectVersion = argv[++i] ?? usage('--expect-version needs a value');
    } else if (arg !== undefined && !arg.startsWith('--') && dir === null) {
      dir = path.resolve(arg);
    } else {
      usage(`unexpected argument ${String(arg)}`);
    }
  }
  return { dir: dir ?? usage('the directory to load is missing'), expectVersion };
}

/** The message of an error and of every `cause` under it (the napi-rs loader chains one per candidate). */
function describe(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && current !== undefined && !seen.has(current) && parts.length < 20) {
    seen.add(current);
    // First lines only: Node-style resolution errors append a multi-line "Require stack".
    const message = current instanceof Error ? current.message : typeof current === 'string' ? current : JSON.stringify(current);
    parts.push(message.split('\n')[0] ?? '');
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' <- ');
}

/** 1 MiB + 4099 bytes of deterministic noise: crosses the core's 1 MiB read chunk. */
function sample(): Uint8Array {
  const data = new Uint8Array((1 << 20) + 4099);
  let x = 0x9e3779b9;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  return data;
}

function sameDigests(got: FileHash | undefined, want: Omit<FileHash, 'path'>): string | null {
  if (got === undefined) return 'no result';
  if (got.error !== undefined) return `${got.error.code}: ${got.error.message}`;
  const wrong = (['size', 'sha1', 'sha256', 'sha512', 'integrity'] as const).filter((k) => got[k] !== want[k]);
  return wrong.length === 0 ? null : wrong.map((k) => `${k} ${String(got[k])} != ${String(want[k])}`).join('; ');
}

function reportProblems(inspection: FileInspection | undefined): string | null {
  if (inspection === undefined) return 'no result';
  if (inspection.error !== undefined) return `${inspection.error.code}: ${inspection.error.message}`;
  const r = inspection.report;
  if (r === undefined) return 'no report';
  const want = { format: FORMATS[process.platform] ?? '?', os: process.platform, cpu: process.arch, napiExport: true };
  const wrong = (Object.keys(want) as (keyof typeof want)[]).filter((k) =>
    k === 'format' ? !r.format.startsWith(want.format) : r[k] !== want[k],
  );
  return wrong.length === 0 ? null : wrong.map((k) => `${k} ${String(r[k])} != ${String(want[k])}`).join('; ');
}

const summary = (r: BinaryReport | undefined): string =>
  r === undefined ? '' : `${r.format} ${String(r.os)} ${String(r.cpu)} napiExport=${String(r.napiExport)}`;

async function run(dir: string, expectVersion: string | null): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (name: string, problem: string | null, detail: string): void => {
    checks.push({ name, ok: problem === null, detail: problem ?? detail });
  };

  // Bun's CommonJS `require`, available in ES modules too.
  let core: Core;
  try {
    const loaded = require(dir) as Record<string, unknown>;
    const missing = FUNCTIONS.filter((f) => typeof loaded[f] !== 'function');
    if (missing.length > 0) throw new Error(`${dir} does not export ${missing.join(', ')}`);
    core = loaded as unknown as Core;
  } catch (error) {
    check('load', `cannot load ${dir}: ${describe(error)}`, '');
    return checks;
  }
  const binary = Object.keys(require.cache).find((k) => k.endsWith('.node')) ?? null;
  check('load', binary === null ? `loaded ${dir}, but no .node file is in require.cache` : null, binary ?? '');

  try {
    const want = expectVersion ?? (require(path.join(dir, 'package.json')) as { version: string }).version;
    const got = core.coreVersion();
    check('coreVersion', got === want ? null : `coreVersion() is ${got}, expected ${want}`, got);
  } catch (error) {
    check('coreVersion', describe(error), '');
  }

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-smoke-'));
  try {
    const file = path.join(scratch, 'sample.bin');
    const data = sample();
    await Bun.write(file, data);
    const digest = (algorithm: 'sha1' | 'sha256' | 'sha512', encoding: 'hex' | 'base64'): string => {
      const hasher = new Bun.CryptoHasher(algorithm);
      hasher.update(data);
      return hasher.digest(encoding);
    };
    const want = {
      size: data.length,
      sha1: digest('sha1', 'hex'),
      sha256: digest('sha256', 'hex'),
      sha512: digest('sha512', 'hex'),
      integrity: `sha512-${digest('sha512', 'base64')}`,
    };
    try {
      check(
        'hashSync',
        sameDigests(core.hashSync([file])[0], want),
        `${data.length} bytes, sha256 ${want.sha256} (Bun.CryptoHasher agrees)`,
      );
    } catch (error) {
      check('hashSync', describe(error), '');
    }
    try {
      check('hash', sameDigests((await core.hash([file]))[0], want), 'the Promise resolves to the same digests');
    } catch (error) {
      check('hash', describe(error), '');
    }
    try {
      const missing = core.hashSync([path.join(scratch, 'missing')])[0];
      check(
        'hashSync(missing)',
        missing?.error?.code === 'E_NOT_FOUND' ? null : `expected error E_NOT_FOUND, got ${JSON.stringify(missing)}`,
        'E_NOT_FOUND',
      );
    } catch (error) {
      check('hashSync(missing)', describe(error), '');
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  if (binary === null) {
    check('inspectSync', 'no .node file to inspect', '');
    return checks;
  }
  let sync: FileInspection | undefined;
  try {
    sync = core.inspectSync(binary);
    check('inspectSync', reportProblems(sync), summary(sync.report));
  } catch (error) {
    check('inspectSync', describe(error), '');
  }
  try {
    const [report] = await core.inspect([binary]);
    const same = JSON.stringify(report?.report) === JSON.stringify(sync?.report);
    check(
      'inspect',
      reportProblems(report) ?? (same ? null : "the Promise resolves to a report unlike inspectSync's"),
      'the Promise resolves to the same report',
    );
  } catch (error) {
    check('inspect', describe(error), '');
  }
  return checks;
}

const { dir, expectVersion } = parseArgs(process.argv.slice(2));
let checks: Check[];
try {
  checks = await run(dir, expectVersion);
} catch (error) {
  checks = [{ name: 'run', ok: false, detail: describe(error) }];
}
const ok = checks.every((c) => c.ok);
for (const c of checks) if (!c.ok) console.error(`smoke-${runtime}: ${c.name} failed: ${c.detail}`);
console.log(JSON.stringify({ runtime, version, ok, checks }));
process.exitCode = ok ? 0 : 1;
