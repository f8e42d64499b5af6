/**
 * The common half of the three smoke scripts (`scripts/smoke-{node,deno,bun}.ts`): the arguments,
 * the checks and their output. Each script supplies only what its runtime does its own way — how it
 * requires the package, makes a scratch dir, writes a file and computes the reference digests — so
 * the three stay the same checks with the same output.
 *
 * Imported as `./lib/smoke-checks.ts` by the Deno and Bun scripts (which run TypeScript themselves)
 * and compiled by tsc for the Node one: it imports only `node:` built-ins, which all three resolve.
 */
import path from 'node:path';
import process from 'node:process';

export interface Check {
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

/** The reference digests of the sample, computed with the runtime's own crypto. */
export interface ReferenceDigests {
  readonly sha1: string;
  readonly sha256: string;
  readonly sha512: string;
  /** sha512 in base64, for npm's integrity. */
  readonly sha512Base64: string;
}

/** What a runtime does its own way. */
export interface SmokeHost {
  readonly runtime: 'node' | 'deno' | 'bun';
  readonly version: string;
  /** How to run the script, for the usage line. */
  readonly command: string;
  /** Whose digests the core's are compared with (`node:crypto`, `crypto.subtle`, `Bun.CryptoHasher`). */
  readonly digestsBy: string;
  /** The runtime's CommonJS `require` (with its `cache`). */
  readonly require: { (id: string): unknown; readonly cache: Readonly<Record<string, unknown>> };
  makeTempDir(): Promise<string>;
  removeDir(dir: string): Promise<void>;
  writeFile(file: string, data: Uint8Array<ArrayBuffer>): Promise<void>;
  digests(data: Uint8Array<ArrayBuffer>): Promise<ReferenceDigests>;
  /** Exit now (bad arguments). */
  exit(code: number): never;
  /** Set the exit status once the checks are done (Node and Bun let stdout drain first). */
  done(code: number): void;
}

const FUNCTIONS = ['coreVersion', 'hashSync', 'hash', 'inspectSync', 'inspect'] as const;
const FORMATS: Partial<Record<string, string>> = { linux: 'elf', android: 'elf', freebsd: 'elf', darwin: 'macho', win32: 'pe' };

function parseArgs(host: SmokeHost, argv: readonly string[]): { dir: string; expectVersion: string | null } {
  const usage = (message: string): never => {
    console.error(`smoke-${host.runtime}: ${message}\nusage: ${host.command} DIR [--expect-version X.Y.Z]`);
    return host.exit(2);
  };
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
    // First lines only: Node's resolution errors append a multi-line "Require stack".
    const message = current instanceof Error ? current.message : typeof current === 'string' ? current : JSON.stringify(current);
    parts.push(message.split('\n')[0] ?? '');
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' <- ');
}

/** 1 MiB + 4099 bytes of deterministic noise: crosses the core's 1 MiB read chunk. */
function sample(): Uint8Array<ArrayBuffer> {
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

async function run(host: SmokeHost, dir: string, expectVersion: string | null): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (name: string, problem: string | null, detail: string): void => {
    checks.push({ name, ok: problem === null, detail: problem ?? detail });
  };

  const require = host.require;
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

  const scratch = await host.makeTempDir();
  try {
    const file = path.join(scratch, 'sample.bin');
    const data = sample();
    await host.writeFile(file, data);
    const d = await host.digests(data);
    const want = { size: data.length, sha1: d.sha1, sha256: d.sha256, sha512: d.sha512, integrity: `sha512-${d.sha512Base64}` };
    try {
      check(
        'hashSync',
        sameDigests(core.hashSync([file])[0], want),
        `${data.length} bytes, sha256 ${want.sha256} (${host.digestsBy} agrees)`,
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
    await host.removeDir(scratch);
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

/** Run the checks on the package dir named in `argv`, print the one JSON line, exit 0 (all passed) or 1. */
export async function smokeMain(host: SmokeHost, argv: readonly string[]): Promise<void> {
  const { dir, expectVersion } = parseArgs(host, argv);
  let checks: Check[];
  try {
    checks = await run(host, dir, expectVersion);
  } catch (error) {
    checks = [{ name: 'run', ok: false, detail: describe(error) }];
  }
  const ok = checks.every((c) => c.ok);
  for (const c of checks) if (!c.ok) console.error(`smoke-${host.runtime}: ${c.name} failed: ${c.detail}`);
  console.log(JSON.stringify({ runtime: host.runtime, version: host.version, ok, checks }));
  host.done(ok ? 0 : 1);
}
