/**
 * Real native-addon binaries of a chosen size, for every target a benchmark release ships.
 *
 * Each is built with the same real toolchains and C sources as the test fixtures
 * (scripts/lib/fixtures.ts, test/fixtures/src), plus one extra translation unit that puts a
 * read-only data section of the wanted size into the binary (`.incbin` of a pad file in `.rodata`,
 * `__TEXT,__const` or `.rdata`). The pad is part of the image the linker lays out — a section and a
 * segment like any constant table of a real addon — so `inspect`'s extent checks and every `verify`
 * check see an ordinary, complete binary. The pad bytes are copies of the repo's own built core
 * (real machine code), so gzip compresses the padded binaries about as much as a real Rust addon.
 *
 * Built sets are cached in `.cache/bench/binaries/<key>/<size>/` (key: recipes, sources, pad source).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './proc.js';

const execFileAsync = promisify(execFile);

/** Bump when the build below changes in a way the recipes do not show. */
const BUILDER_VERSION = 1;

export const MIB = 1024 * 1024;

type Tool = 'gcc' | 'aarch64-linux-gnu-gcc' | 'musl-gcc' | 'x86_64-w64-mingw32-gcc' | 'clang' | 'llvm-dlltool';
type PadFormat = 'elf' | 'macho' | 'coff';

interface Step {
  readonly tool: Tool;
  /** `{src}`, `{work}`, `{out}` and `{pad}` (the pad translation unit; dropped when unpadded). */
  readonly args: readonly string[];
}

export interface BenchTarget {
  readonly triple: string;
  readonly abi: string;
  readonly pad: PadFormat;
  readonly steps: readonly Step[];
}

const DEBIAN_PACKAGE: Readonly<Record<Tool | 'ld.lld' | 'ld64.lld' | 'lld-link', string>> = {
  gcc: 'gcc',
  'aarch64-linux-gnu-gcc': 'gcc-aarch64-linux-gnu',
  'musl-gcc': 'musl-tools',
  'x86_64-w64-mingw32-gcc': 'gcc-mingw-w64-x86-64',
  clang: 'clang',
  'llvm-dlltool': 'llvm',
  'ld.lld': 'lld',
  'ld64.lld': 'lld',
  'lld-link': 'lld',
};

const ADDON = '{src}/addon.c';

function gcc(tool: Tool, extra: readonly string[] = []): Step[] {
  return [{ tool, args: ['-O2', '-fPIC', '-shared', ...extra, ADDON, '{pad}', '-o', '{out}'] }];
}

function clangNoLibc(target: string, extra: readonly string[] = []): Step[] {
  return [
    {
      tool: 'clang',
      args: [
        `--target=${target}`,
        '-O2',
        '-fPIC',
        '-DADDON_NO_LIBC',
        '-nostdlib',
        '-shared',
        '-fuse-ld=lld',
        ADDON,
        ...extra,
        '{pad}',
        '-o',
        '{out}',
      ],
    },
  ];
}

function clangMsvcCrt(arch: 'x86_64' | 'aarch64' | 'i686', abi: string): Step[] {
  const machine = arch === 'x86_64' ? 'i386:x86-64' : arch === 'aarch64' ? 'arm64' : 'i386';
  const vcruntime = `{work}/${abi}-vcruntime140.lib`;
  const ucrt = `{work}/${abi}-api-ms-win-crt-runtime-l1-1-0.lib`;
  return [
    { tool: 'llvm-dlltool', args: ['-m', machine, '-d', '{src}/vcruntime140.def', '-l', vcruntime] },
    { tool: 'llvm-dlltool', args: ['-m', machine, '-d', '{src}/api-ms-win-crt-runtime-l1-1-0.def', '-l', ucrt] },
    {
      tool: 'clang',
      args: [
        `--target=${arch}-pc-windows-msvc`,
        '-O2',
        '-fno-builtin',
        '-fuse-ld=lld',
        '-nostdlib',
        '-shared',
        '-Wl,-noentry',
        `-Wl,-implib:{work}/${abi}.lib`,
        '{src}/addon-msvcrt.c',
        '{pad}',
        vcruntime,
        ucrt,
        '-o',
        '{out}',
      ],
    },
  ];
}

function clangDarwin(target: string, abi: string): Step[] {
  return [
    {
      tool: 'clang',
      args: [
        `--target=${target}`,
        '-O2',
        '-DADDON_NO_LIBC',
        '-fuse-ld=lld',
        '-nostdlib',
        '-shared',
        '-Wl,-undefined,dynamic_lookup',
        `-Wl,-install_name,@rpath/addon.${abi}.node`,
        ADDON,
        '{pad}',
        '-o',
        '{out}',
      ],
    },
  ];
}

/** The eight targets napi-ship's own core ships (scripts/lib/repo.ts CORE_TARGETS), same recipes as the fixtures. */
export const CORE_TARGETS: readonly BenchTarget[] = [
  { triple: 'x86_64-apple-darwin', abi: 'darwin-x64', pad: 'macho', steps: clangDarwin('x86_64-apple-macos10.13', 'darwin-x64') },
  { triple: 'aarch64-apple-darwin', abi: 'darwin-arm64', pad: 'macho', steps: clangDarwin('arm64-apple-macos11', 'darwin-arm64') },
  { triple: 'x86_64-unknown-linux-gnu', abi: 'linux-x64-gnu', pad: 'elf', steps: gcc('gcc') },
  { triple: 'x86_64-unknown-linux-musl', abi: 'linux-x64-musl', pad: 'elf', steps: gcc('musl-gcc') },
  { triple: 'aarch64-unknown-linux-gnu', abi: 'linux-arm64-gnu', pad: 'elf', steps: gcc('aarch64-linux-gnu-gcc') },
  {
    triple: 'aarch64-unknown-linux-musl',
    abi: 'linux-arm64-musl',
    pad: 'elf',
    steps: [
      {
        tool: 'clang',
        args: [
          '--target=aarch64-linux-musl',
          '-O2',
          '-fPIC',
          '-nostdlib',
          '-shared',
          '-fuse-ld=lld',
          '-Wl,-soname,libc.so',
          '{src}/musl-libc-stub.c',
          '-o',
          '{work}/linux-arm64-musl-libc.so',
        ],
      },
      {
        tool: 'clang',
        args: [
          '--target=aarch64-linux-musl',
          '-O2',
          '-fPIC',
          '-nostdlib',
          '-shared',
          '-fuse-ld=lld',
          ADDON,
          '{pad}',
          '{work}/linux-arm64-musl-libc.so',
          '-o',
          '{out}',
        ],
      },
    ],
  },
  { triple: 'x86_64-pc-windows-msvc', abi: 'win32-x64-msvc', pad: 'coff', steps: clangMsvcCrt('x86_64', 'win32-x64-msvc') },
  { triple: 'aarch64-pc-windows-msvc', abi: 'win32-arm64-msvc', pad: 'coff', steps: clangMsvcCrt('aarch64', 'win32-arm64-msvc') },
];

/**
 * Eight more napi-rs targets, each a distinct triple with its own real binary, for the 16-target
 * scaling row (napi-rs refuses the same triple twice, so duplicates are not an honest 16).
 */
export const EXTRA_TARGETS: readonly BenchTarget[] = [
  {
    triple: 'x86_64-pc-windows-gnu',
    abi: 'win32-x64-gnu',
    pad: 'coff',
    steps: [{ tool: 'x86_64-w64-mingw32-gcc', args: ['-O2', '-shared', ADDON, '{pad}', '-o', '{out}'] }],
  },
  { triple: 'i686-pc-windows-msvc', abi: 'win32-ia32-msvc', pad: 'coff', steps: clangMsvcCrt('i686', 'win32-ia32-msvc') },
  {
    triple: 'aarch64-linux-android',
    abi: 'android-arm64',
    pad: 'elf',
    steps: clangNoLibc('aarch64-linux-android21', ['{src}/android-note.c']),
  },
  {
    triple: 'armv7-linux-androideabi',
    abi: 'android-arm-eabi',
    pad: 'elf',
    steps: clangNoLibc('armv7a-linux-androideabi21', ['{src}/android-note.c']),
  },
  { triple: 'x86_64-unknown-freebsd', abi: 'freebsd-x64', pad: 'elf', steps: clangNoLibc('x86_64-unknown-freebsd13') },
  { triple: 'aarch64-unknown-freebsd', abi: 'freebsd-arm64', pad: 'elf', steps: clangNoLibc('aarch64-unknown-freebsd13') },
  { triple: 'armv7-unknown-linux-gnueabihf', abi: 'linux-arm-gnueabihf', pad: 'elf', steps: clangNoLibc('armv7-unknown-linux-gnueabihf') },
  {
    triple: 'armv7-unknown-linux-musleabihf',
    abi: 'linux-arm-musleabihf',
    pad: 'elf',
    steps: clangNoLibc('armv7-unknown-linux-musleabihf'),
  },
];

export const ALL_TARGETS: readonly BenchTarget[] = [...CORE_TARGETS, ...EXTRA_TARGETS];

/** The assembler directive that opens a read-only data section, per object format. */
const PAD_SECTION: Readonly<Record<PadFormat, string>> = {
  elf: '.section .rodata.napi_ship_bench_pad,\\"a\\",%progbits',
  macho: '.section __TEXT,__const',
  coff: '.section .rdata,\\"dr\\"',
};

function padSource(format: PadFormat, padFile: string): string {
  return [
    '/* Generated by bench/lib/binaries.ts: a read-only data section of the benchmark size. */',
    `__asm__("${PAD_SECTION[format]}\\n"`,
    '        ".balign 16\\n"',
    `        ".incbin \\"${padFile}\\"\\n"`,
    '        ".text\\n");',
    '',
  ].join('\n');
}

/** The repo's own linux-x64-gnu core: the real machine code the pads are made of. */
export const CORE_BINARY = join(repoRoot, 'crates', 'napi-ship-node', 'napi-ship-core.linux-x64-gnu.node');

async function writePad(file: string, bytes: number): Promise<void> {
  const unit = await readFile(CORE_BINARY);
  const out = Buffer.alloc(bytes);
  for (let at = 0; at < bytes; at += unit.length) unit.copy(out, at, 0, Math.min(unit.length, bytes - at));
  await writeFile(file, out);
}

// ---------------------------------------------------------------------------------------------
// Tools.

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** PATH, then `NAME-<major>` on PATH, then `/usr/lib/llvm-<major>/bin` (as scripts/lib/fixtures.ts does). */
function resolveTool(tool: string): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const dir of dirs) if (isExecutable(join(dir, tool))) return join(dir, tool);
  const majors = (dir: string, re: RegExp): number[] => {
    try {
      return readdirSync(dir)
        .map((e) => re.exec(e)?.[1])
        .filter((m): m is string => m !== undefined)
        .map(Number)
        .sort((a, b) => b - a);
    } catch {
      return [];
    }
  };
  const escaped = tool.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const dir of dirs) {
    for (const major of majors(dir, new RegExp(`^${escaped}-(\\d+)$`))) {
      if (isExecutable(join(dir, `${tool}-${major}`))) return join(dir, `${tool}-${major}`);
    }
  }
  for (const major of majors('/usr/lib', /^llvm-(\d+)$/)) {
    const candidate = join('/usr/lib', `llvm-${major}`, 'bin', tool);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function resolveTools(targets: readonly BenchTarget[]): Map<Tool, string> {
  const needed = new Set<Tool | 'ld.lld' | 'ld64.lld' | 'lld-link'>();
  for (const t of targets) {
    for (const s of t.steps) {
      needed.add(s.tool);
      if (s.args.includes('-fuse-ld=lld')) needed.add(t.pad === 'macho' ? 'ld64.lld' : t.pad === 'coff' ? 'lld-link' : 'ld.lld');
    }
  }
  const resolved = new Map<Tool, string>();
  const missing: string[] = [];
  for (const tool of needed) {
    const p = resolveTool(tool);
    if (p === null) missing.push(`${tool} (apt-get install -y ${DEBIAN_PACKAGE[tool]})`);
    else if (tool !== 'ld.lld' && tool !== 'ld64.lld' && tool !== 'lld-link') resolved.set(tool, p);
  }
  if (missing.length > 0)
    throw new Error(`cannot build the benchmark binaries, missing: ${missing.join(', ')} — or run bash scripts/setup.sh`);
  return resolved;
}

// ---------------------------------------------------------------------------------------------
// Building.

function cacheKey(targets: readonly BenchTarget[]): string {
  const hash = createHash('sha256');
  hash.update(`napi-ship bench binaries v${BUILDER_VERSION}\n`);
  const src = join(repoRoot, 'test', 'fixtures', 'src');
  for (const f of readdirSync(src).sort()) hash.update(`${f}\n`).update(readFileSync(join(src, f)));
  hash.update(createHash('sha256').update(readFileSync(CORE_BINARY)).digest('hex'));
  hash.update(
    JSON.stringify(
      targets.map((t) => [t.triple, t.pad, t.steps]),
      null,
      0,
    ),
  );
  hash.update(JSON.stringify(PAD_SECTION));
  return hash.digest('hex').slice(0, 16);
}

async function buildOne(t: BenchTarget, tools: Map<Tool, string>, work: string, out: string, padUnit: string | null): Promise<void> {
  const src = join(repoRoot, 'test', 'fixtures', 'src');
  for (const step of t.steps) {
    const tool = tools.get(step.tool);
    if (tool === undefined) throw new Error(`tool ${step.tool} not resolved`);
    const args = step.args
      .filter((a) => a !== '{pad}' || padUnit !== null)
      .map((a) =>
        a
          .replaceAll('{src}', src)
          .replaceAll('{work}', work)
          .replaceAll('{out}', out)
          .replaceAll('{pad}', padUnit ?? ''),
      );
    try {
      await execFileAsync(tool, args, { cwd: work, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      throw new Error(
        `building ${t.abi}: \`${[tool, ...args].join(' ')}\` failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface BuiltBinary {
  readonly target: BenchTarget;
  readonly path: string;
  readonly size: number;
}

/**
 * Build (or reuse) one binary per target, each `bytes` long give or take the section alignment:
 * an unpadded build gives the base size, then the pad section makes up the difference.
 */
export async function ensureBinaries(targets: readonly BenchTarget[], bytes: number, log: (s: string) => void): Promise<BuiltBinary[]> {
  const key = cacheKey(ALL_TARGETS);
  const dir = join(repoRoot, '.cache', 'bench', 'binaries', key, String(bytes));
  const list = (): Promise<BuiltBinary[]> =>
    Promise.all(
      targets.map(async (t) => {
        const p = join(dir, `addon.${t.abi}.node`);
        return { target: t, path: p, size: (await stat(p)).size };
      }),
    );
  if (targets.every((t) => existsSync(join(dir, `addon.${t.abi}.node`)))) return list();

  const tools = resolveTools(targets);
  const missing = targets.filter((t) => !existsSync(join(dir, `addon.${t.abi}.node`)));
  log(`building ${missing.length} real binaries of ${(bytes / MIB).toFixed(0)} MiB (cached in ${dir})`);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp, { recursive: true });
  try {
    await inParallel(missing, 2, async (t) => {
      const work = join(tmp, t.abi);
      await mkdir(work, { recursive: true });
      const base = join(work, 'base.node');
      await buildOne(t, tools, work, base, null);
      const baseSize = (await stat(base)).size;
      const padBytes = Math.max(0, bytes - baseSize);
      const out = join(tmp, `addon.${t.abi}.node`);
      if (padBytes === 0) {
        await rename(base, out);
      } else {
        const padFile = join(work, 'pad.bin');
        const unit = join(work, 'pad.c');
        await writeFile(unit, padSource(t.pad, padFile));
        // Alignment (64 KiB segments on aarch64) moves the total a little: correct once.
        let pad = padBytes;
        for (let attempt = 0; attempt < 2; attempt++) {
          await writePad(padFile, pad);
          await buildOne(t, tools, work, out, unit);
          const size = (await stat(out)).size;
          if (Math.abs(size - bytes) <= bytes / 200 || pad + bytes - size <= 0) break;
          pad += bytes - size;
        }
      }
      await rename(out, join(dir, `addon.${t.abi}.node`));
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return list();
}
