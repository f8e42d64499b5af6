/**
 * Real native-addon fixtures for the inspector's tests, built on this machine with real toolchains
 * (gcc, cross gcc, musl-gcc, MinGW, clang + lld, llvm-dlltool, llvm-lipo) from the C sources in
 * `test/fixtures/src`.
 *
 * Each fixture carries what its toolchain was told to make (format, os, cpu, libc, glibc ceiling,
 * C runtime, macOS minimum, …), so a test can compare the core's report with that, field by field.
 *
 * Builds are cached in `<repo>/.cache/fixtures/<hash of sources + recipes>/`. A build happens in a
 * private temporary directory that is renamed into place once complete, so concurrent test
 * processes never see a half-written set (the loser of a race throws its own copy away).
 * A missing toolchain is an error naming the Debian package that provides it — never a skip.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, platform } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { BinaryFormat, Crt, Libc } from '../../src/core/index.js';
import { repoRoot as cliRepoRoot } from './repo.js';

const execFileAsync = promisify(execFile);

/** Bump when the way fixtures are built changes in a way the recipes below do not show. */
const BUILDER_VERSION = 1;

export type FixtureName =
  | 'linux-x64-gnu'
  | 'linux-x64-gnu-pthread'
  | 'linux-x64-gnu-arc4random'
  | 'linux-x64-gnu-no-export'
  | 'linux-arm64-gnu'
  | 'linux-x64-musl'
  | 'linux-arm64-musl'
  | 'win32-x64-mingw'
  | 'win32-x64-nocrt'
  | 'win32-arm64-nocrt'
  | 'win32-x64-msvc'
  | 'win32-arm64-msvc'
  | 'darwin-x64'
  | 'darwin-arm64'
  | 'darwin-universal'
  | 'android-arm64'
  | 'freebsd-x64';

/** What the toolchain was told to make; the inspector must report exactly this. */
export interface Expectation {
  readonly format: BinaryFormat;
  readonly os: string;
  readonly cpu: string;
  /** The machine as `object` names it (`X86_64`, `Aarch64`; `A+B` for a fat file). */
  readonly machine: string;
  readonly bits: 32 | 64;
  readonly endian: 'little' | 'big';
  readonly sharedLibrary: boolean;
  readonly libc: Libc | null;
  /**
   * The highest `GLIBC_x.y[.z]` the file requires (`null`: no glibc version needs at all). For the
   * plain builds this is the ABI's baseline version of the libc symbols the source calls
   * (2.2.5 on x86-64, 2.17 on aarch64); pthread_create moved to GLIBC_2.34, arc4random arrived in 2.36.
   */
  readonly glibc: string | null;
  readonly interpreter: null;
  /** DT_NEEDED / imported DLLs / LC_LOAD_DYLIB, in file order. */
  readonly needed: readonly string[];
  /** `needed` lists every entry (`true`), or only some that must be there (`false`). */
  readonly neededExact: boolean;
  readonly macosMin: string | null;
  readonly crt: Crt | null;
  readonly napiExport: boolean;
  readonly napiSymbols: readonly string[];
  /** For a fat Mach-O, the slices (any order in the file); empty otherwise. */
  readonly slices: readonly Expectation[];
}

/** One build step: a tool and its arguments, with `{src}`, `{work}`, `{out}` and `{out:NAME}` placeholders. */
export interface Step {
  readonly tool: Tool;
  readonly args: readonly string[];
}

export interface Fixture {
  readonly name: FixtureName;
  readonly description: string;
  /** The built file. */
  readonly path: string;
  /** The steps that made it (placeholders left in, as hashed for the cache key). */
  readonly recipe: readonly Step[];
  readonly expect: Expectation;
}

export interface FixtureSet {
  /** The repository root (the directory holding `pnpm-workspace.yaml`). */
  readonly root: string;
  /** The cache directory holding this set. */
  readonly dir: string;
  readonly fixtures: Readonly<Record<FixtureName, Fixture>>;
  /** Every fixture, in definition order. */
  readonly all: readonly Fixture[];
  /** The napi-rs addon of the core itself, built for this host (linux x64 glibc). */
  readonly hostAddon: string;
}

// ---------------------------------------------------------------------------------------------
// Tools and the Debian packages that provide them.

type Tool =
  | 'gcc'
  | 'aarch64-linux-gnu-gcc'
  | 'musl-gcc'
  | 'x86_64-w64-mingw32-gcc'
  | 'clang'
  | 'ld.lld'
  | 'ld64.lld'
  | 'lld-link'
  | 'llvm-dlltool'
  | 'llvm-lipo';

const DEBIAN_PACKAGE: Readonly<Record<Tool, string>> = {
  gcc: 'gcc',
  'aarch64-linux-gnu-gcc': 'gcc-aarch64-linux-gnu',
  'musl-gcc': 'musl-tools',
  'x86_64-w64-mingw32-gcc': 'gcc-mingw-w64-x86-64',
  clang: 'clang',
  'ld.lld': 'lld',
  'ld64.lld': 'lld',
  'lld-link': 'lld',
  'llvm-dlltool': 'llvm',
  'llvm-lipo': 'llvm',
};

/** Tools a recipe uses only through another (clang's `-fuse-ld=lld`), checked all the same. */
function impliedTools(step: Step): Tool[] {
  if (step.tool !== 'clang' || !step.args.includes('-fuse-ld=lld')) return [];
  const target = step.args.find((a) => a.startsWith('--target=')) ?? '';
  if (target.includes('apple')) return ['ld64.lld'];
  if (target.includes('windows-msvc')) return ['lld-link'];
  return ['ld.lld'];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Find a tool on PATH; Debian ships some LLVM tools only as `NAME-<major>` or in
 * `/usr/lib/llvm-<major>/bin`, so look there too (newest major first).
 */
function resolveTool(tool: Tool): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    const candidate = join(dir, tool);
    if (isExecutable(candidate)) return candidate;
  }
  const majors = (dir: string, re: RegExp): number[] => {
    try {
      return readdirSync(dir)
        .map((entry) => re.exec(entry)?.[1])
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
      const candidate = join(dir, `${tool}-${major}`);
      if (isExecutable(candidate)) return candidate;
    }
  }
  for (const major of majors('/usr/lib', /^llvm-(\d+)$/)) {
    const candidate = join('/usr/lib', `llvm-${major}`, 'bin', tool);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Recipes.

const NAPI = 'napi_register_module_v1';

const elfBase = {
  format: 'elf',
  bits: 64,
  endian: 'little',
  sharedLibrary: true,
  interpreter: null,
  macosMin: null,
  crt: null,
  napiExport: true,
  napiSymbols: [NAPI],
  slices: [],
} as const;

const peBase = {
  format: 'pe',
  os: 'win32',
  bits: 64,
  endian: 'little',
  sharedLibrary: true,
  libc: null,
  glibc: null,
  interpreter: null,
  macosMin: null,
  napiExport: true,
  napiSymbols: [NAPI],
  slices: [],
} as const;

const machoBase = {
  format: 'macho',
  os: 'darwin',
  bits: 64,
  endian: 'little',
  sharedLibrary: true,
  libc: null,
  glibc: null,
  interpreter: null,
  needed: [],
  neededExact: true,
  crt: null,
  napiExport: true,
  napiSymbols: [`_${NAPI}`],
  slices: [],
} as const;

const linuxX64Gnu: Expectation = {
  ...elfBase,
  os: 'linux',
  cpu: 'x64',
  machine: 'X86_64',
  libc: 'glibc',
  glibc: '2.2.5',
  needed: ['libc.so.6'],
  neededExact: true,
};

const darwinX64: Expectation = { ...machoBase, cpu: 'x64', machine: 'X86_64', macosMin: '10.13' };
const darwinArm64: Expectation = { ...machoBase, cpu: 'arm64', machine: 'Aarch64', macosMin: '11.0' };

interface Definition {
  readonly name: FixtureName;
  readonly description: string;
  readonly steps: readonly Step[];
  /** Other fixtures whose outputs the steps read (`{out:NAME}`). */
  readonly inputs?: readonly FixtureName[];
  /** Needs a build host with at least this glibc (the symbol must exist to link against). */
  readonly hostGlibc?: string;
  readonly expect: Expectation;
}

const ADDON = '{src}/addon.c';

function gccSharedSteps(tool: Tool, defines: readonly string[] = []): Step[] {
  return [{ tool, args: ['-O2', '-fPIC', '-shared', ...defines, ADDON, '-o', '{out}'] }];
}

function clangMsvcNoCrt(arch: 'x86_64' | 'aarch64', name: FixtureName): Step[] {
  return [
    {
      tool: 'clang',
      args: [
        `--target=${arch}-pc-windows-msvc`,
        '-O2',
        '-DADDON_NO_LIBC',
        '-fuse-ld=lld',
        '-nostdlib',
        '-shared',
        '-Wl,-noentry',
        `-Wl,-implib:{work}/${name}.lib`,
        ADDON,
        '-o',
        '{out}',
      ],
    },
  ];
}

function clangMsvcCrt(arch: 'x86_64' | 'aarch64', name: FixtureName): Step[] {
  const machine = arch === 'x86_64' ? 'i386:x86-64' : 'arm64';
  const vcruntime = `{work}/${name}-vcruntime140.lib`;
  const ucrt = `{work}/${name}-api-ms-win-crt-runtime-l1-1-0.lib`;
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
        `-Wl,-implib:{work}/${name}.lib`,
        '{src}/addon-msvcrt.c',
        vcruntime,
        ucrt,
        '-o',
        '{out}',
      ],
    },
  ];
}

function clangDarwin(target: string, name: FixtureName): Step[] {
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
        // Without it the install name would be the (temporary) output path.
        `-Wl,-install_name,@rpath/${name}.node`,
        ADDON,
        '-o',
        '{out}',
      ],
    },
  ];
}

const DEFINITIONS: readonly Definition[] = [
  {
    name: 'linux-x64-gnu',
    description: 'host gcc, x86-64 glibc shared object',
    steps: gccSharedSteps('gcc'),
    expect: linuxX64Gnu,
  },
  {
    name: 'linux-x64-gnu-pthread',
    description: 'host gcc, calls pthread_create (GLIBC_2.34 since glibc 2.34)',
    steps: gccSharedSteps('gcc', ['-DUSE_PTHREAD_CREATE', '-pthread']),
    hostGlibc: '2.34',
    expect: { ...linuxX64Gnu, glibc: '2.34' },
  },
  {
    name: 'linux-x64-gnu-arc4random',
    description: 'host gcc, calls arc4random (GLIBC_2.36)',
    steps: gccSharedSteps('gcc', ['-DUSE_ARC4RANDOM']),
    hostGlibc: '2.36',
    expect: { ...linuxX64Gnu, glibc: '2.36' },
  },
  {
    name: 'linux-x64-gnu-no-export',
    description: 'host gcc, the same code without napi_register_module_v1',
    steps: gccSharedSteps('gcc', ['-DNO_NAPI_EXPORT']),
    expect: { ...linuxX64Gnu, napiExport: false, napiSymbols: [] },
  },
  {
    name: 'linux-arm64-gnu',
    description: 'aarch64-linux-gnu-gcc, aarch64 glibc shared object',
    steps: gccSharedSteps('aarch64-linux-gnu-gcc'),
    expect: { ...linuxX64Gnu, cpu: 'arm64', machine: 'Aarch64', glibc: '2.17' },
  },
  {
    name: 'linux-x64-musl',
    description: 'musl-gcc, x86-64 musl shared object (NEEDED libc.so)',
    steps: gccSharedSteps('musl-gcc'),
    expect: { ...linuxX64Gnu, libc: 'musl', glibc: null, needed: ['libc.so'] },
  },
  {
    name: 'linux-arm64-musl',
    description: 'clang aarch64-linux-musl + ld.lld against a stub libc.so (soname libc.so, as musl names it)',
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
          '{work}/linux-arm64-musl-libc.so',
          '-o',
          '{out}',
        ],
      },
    ],
    expect: { ...linuxX64Gnu, cpu: 'arm64', machine: 'Aarch64', libc: 'musl', glibc: null, needed: ['libc.so'] },
  },
  {
    name: 'win32-x64-mingw',
    description: 'x86_64-w64-mingw32-gcc DLL (imports msvcrt.dll)',
    steps: [{ tool: 'x86_64-w64-mingw32-gcc', args: ['-O2', '-shared', ADDON, '-o', '{out}'] }],
    expect: { ...peBase, cpu: 'x64', machine: 'X86_64', crt: 'mingw', needed: ['msvcrt.dll'], neededExact: false },
  },
  {
    name: 'win32-x64-nocrt',
    description: 'clang x86_64-pc-windows-msvc + lld-link, -nostdlib DLL (no imports)',
    steps: clangMsvcNoCrt('x86_64', 'win32-x64-nocrt'),
    expect: { ...peBase, cpu: 'x64', machine: 'X86_64', crt: 'none', needed: [], neededExact: true },
  },
  {
    name: 'win32-arm64-nocrt',
    description: 'clang aarch64-pc-windows-msvc + lld-link, -nostdlib DLL (no imports)',
    steps: clangMsvcNoCrt('aarch64', 'win32-arm64-nocrt'),
    expect: { ...peBase, cpu: 'arm64', machine: 'Aarch64', crt: 'none', needed: [], neededExact: true },
  },
  {
    name: 'win32-x64-msvc',
    description: 'clang x86_64-pc-windows-msvc + lld-link against llvm-dlltool import libs (VCRUNTIME140 memset, UCRT _initterm)',
    steps: clangMsvcCrt('x86_64', 'win32-x64-msvc'),
    expect: {
      ...peBase,
      cpu: 'x64',
      machine: 'X86_64',
      crt: 'msvc',
      needed: ['VCRUNTIME140.dll', 'api-ms-win-crt-runtime-l1-1-0.dll'],
      neededExact: true,
    },
  },
  {
    name: 'win32-arm64-msvc',
    description: 'clang aarch64-pc-windows-msvc + lld-link against llvm-dlltool import libs (VCRUNTIME140 memset, UCRT _initterm)',
    steps: clangMsvcCrt('aarch64', 'win32-arm64-msvc'),
    expect: {
      ...peBase,
      cpu: 'arm64',
      machine: 'Aarch64',
      crt: 'msvc',
      needed: ['VCRUNTIME140.dll', 'api-ms-win-crt-runtime-l1-1-0.dll'],
      neededExact: true,
    },
  },
  {
    name: 'darwin-x64',
    description: 'clang x86_64-apple-macos10.13 + ld64.lld dylib (LC_VERSION_MIN_MACOSX 10.13)',
    steps: clangDarwin('x86_64-apple-macos10.13', 'darwin-x64'),
    expect: darwinX64,
  },
  {
    name: 'darwin-arm64',
    description: 'clang arm64-apple-macos11 + ld64.lld dylib (LC_BUILD_VERSION minos 11.0)',
    steps: clangDarwin('arm64-apple-macos11', 'darwin-arm64'),
    expect: darwinArm64,
  },
  {
    name: 'darwin-universal',
    description: 'llvm-lipo -create of darwin-x64 and darwin-arm64',
    inputs: ['darwin-x64', 'darwin-arm64'],
    steps: [{ tool: 'llvm-lipo', args: ['-create', '{out:darwin-x64}', '{out:darwin-arm64}', '-output', '{out}'] }],
    expect: {
      ...machoBase,
      format: 'macho-fat',
      cpu: 'universal',
      machine: 'X86_64+Aarch64',
      // The strictest slice minimum is what the whole file needs.
      macosMin: '11.0',
      slices: [darwinX64, darwinArm64],
    },
  },
  {
    name: 'android-arm64',
    description: 'clang aarch64-linux-android21 + ld.lld, -nostdlib, with a crtbrand-style .note.android.ident',
    steps: [
      {
        tool: 'clang',
        args: [
          '--target=aarch64-linux-android21',
          '-O2',
          '-fPIC',
          '-DADDON_NO_LIBC',
          '-nostdlib',
          '-shared',
          '-fuse-ld=lld',
          ADDON,
          '{src}/android-note.c',
          '-o',
          '{out}',
        ],
      },
    ],
    expect: {
      ...elfBase,
      os: 'android',
      cpu: 'arm64',
      machine: 'Aarch64',
      libc: null,
      glibc: null,
      needed: [],
      neededExact: true,
    },
  },
  {
    name: 'freebsd-x64',
    description: 'clang x86_64-unknown-freebsd13 + ld.lld, -nostdlib (EI_OSABI FreeBSD)',
    steps: [
      {
        tool: 'clang',
        args: [
          '--target=x86_64-unknown-freebsd13',
          '-O2',
          '-fPIC',
          '-DADDON_NO_LIBC',
          '-nostdlib',
          '-shared',
          '-fuse-ld=lld',
          ADDON,
          '-o',
          '{out}',
        ],
      },
    ],
    expect: {
      ...elfBase,
      os: 'freebsd',
      cpu: 'x64',
      machine: 'X86_64',
      libc: null,
      glibc: null,
      needed: [],
      neededExact: true,
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Paths.

/** The repository root (the directory holding `pnpm-workspace.yaml`). */
export function repoRoot(): string {
  return cliRepoRoot;
}

export function fixtureSourceDir(): string {
  return join(repoRoot(), 'test', 'fixtures', 'src');
}

export function hostAddonPath(): string {
  return join(repoRoot(), 'crates', 'napi-ship-node', 'napi-ship-core.linux-x64-gnu.node');
}

// ---------------------------------------------------------------------------------------------
// Building.

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

async function hostGlibcVersion(): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync('getconf', ['GNU_LIBC_VERSION']);
    return /glibc\s+(\d+(?:\.\d+)+)/.exec(stdout)?.[1] ?? null;
  } catch {
    return null;
  }
}

function cacheKey(sourceDir: string): string {
  const hash = createHash('sha256');
  hash.update(`napi-ship fixtures v${BUILDER_VERSION}\n`);
  for (const file of readdirSync(sourceDir).sort()) {
    hash.update(`file ${file}\n`);
    hash.update(readFileSync(join(sourceDir, file)));
    hash.update('\n');
  }
  hash.update(JSON.stringify(DEFINITIONS.map((d) => ({ name: d.name, steps: d.steps }))));
  return hash.digest('hex').slice(0, 20);
}

function outputName(name: FixtureName): string {
  return `${name}.node`;
}

function substitute(arg: string, sourceDir: string, workDir: string, outDir: string, self: FixtureName): string {
  return arg
    .replaceAll('{src}', sourceDir)
    .replaceAll('{work}', workDir)
    .replace(/\{out:([a-z0-9-]+)\}/g, (_m, name: string) => join(outDir, `${name}.node`))
    .replaceAll('{out}', join(outDir, outputName(self)));
}

function checkToolchain(): Map<Tool, string> {
  const needed = new Map<Tool, Set<FixtureName>>();
  for (const d of DEFINITIONS) {
    for (const step of d.steps) {
      for (const tool of [step.tool, ...impliedTools(step)]) {
        const users = needed.get(tool) ?? new Set<FixtureName>();
        users.add(d.name);
        needed.set(tool, users);
      }
    }
  }
  const resolved = new Map<Tool, string>();
  const missing: string[] = [];
  for (const [tool, users] of needed) {
    const path = resolveTool(tool);
    if (path === null) {
      const pkg = DEBIAN_PACKAGE[tool];
      missing.push(`  - ${tool}: install the Debian package '${pkg}' (apt-get install -y ${pkg}); needed for ${[...users].join(', ')}`);
    } else {
      resolved.set(tool, path);
    }
  }
  if (missing.length > 0) {
    throw new Error(`cannot build the test fixtures, toolchains are missing:\n${missing.join('\n')}`);
  }
  return resolved;
}

async function runStep(tool: string, args: readonly string[], cwd: string, label: string): Promise<void> {
  try {
    await execFileAsync(tool, [...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`fixture ${label}: \`${[tool, ...args].join(' ')}\` failed:\n${detail}`);
  }
}

async function buildInto(outDir: string, sourceDir: string): Promise<void> {
  if (platform() !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the fixtures are built with the host gcc as linux-x64-gnu; this host is ${platform()}-${process.arch}`);
  }
  const tools = checkToolchain();
  if (DEFINITIONS.some((d) => d.hostGlibc !== undefined)) {
    const glibc = await hostGlibcVersion();
    for (const d of DEFINITIONS) {
      if (d.hostGlibc !== undefined && (glibc === null || compareVersions(glibc, d.hostGlibc) < 0)) {
        throw new Error(
          `fixture ${d.name} needs a build host with glibc >= ${d.hostGlibc} (found ${glibc ?? 'none'}); use Debian 12 or newer`,
        );
      }
    }
  }
  const workDir = join(outDir, 'work');
  await mkdir(workDir, { recursive: true });

  const done = new Set<FixtureName>();
  const started = new Set<FixtureName>();
  const build = async (d: Definition): Promise<void> => {
    for (const step of d.steps) {
      const tool = tools.get(step.tool);
      if (tool === undefined) throw new Error(`fixture ${d.name}: tool ${step.tool} was not resolved`);
      const args = step.args.map((a) => substitute(a, sourceDir, workDir, outDir, d.name));
      await runStep(tool, args, workDir, d.name);
    }
    const out = await stat(join(outDir, outputName(d.name))).catch(() => null);
    if (out === null || !out.isFile() || out.size === 0) {
      throw new Error(`fixture ${d.name}: the recipe ran but produced no ${outputName(d.name)}`);
    }
    done.add(d.name);
  };
  // Build in waves: everything whose inputs exist, a few at a time.
  const limit = Math.max(2, Math.min(8, availableParallelism()));
  while (done.size < DEFINITIONS.length) {
    const ready = DEFINITIONS.filter((d) => !started.has(d.name) && (d.inputs ?? []).every((i) => done.has(i)));
    if (ready.length === 0) throw new Error('fixture recipes have an input cycle');
    for (let i = 0; i < ready.length; i += limit) {
      const batch = ready.slice(i, i + limit);
      for (const d of batch) started.add(d.name);
      await Promise.all(batch.map(build));
    }
  }
  await rm(workDir, { recursive: true, force: true });
}

interface Manifest {
  readonly key: string;
  readonly fixtures: readonly FixtureName[];
}

async function readManifest(dir: string, key: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    if (manifest.key !== key) return false;
    for (const d of DEFINITIONS) {
      if (!manifest.fixtures.includes(d.name)) return false;
      if (!existsSync(join(dir, outputName(d.name)))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

async function ensureBuilt(): Promise<{ dir: string }> {
  const root = repoRoot();
  const sourceDir = fixtureSourceDir();
  const key = cacheKey(sourceDir);
  const cacheRoot = join(root, '.cache', 'fixtures');
  const dir = join(cacheRoot, key);
  if (await readManifest(dir, key)) return { dir };

  await mkdir(cacheRoot, { recursive: true });
  const tmp = join(cacheRoot, `.tmp-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    await buildInto(tmp, sourceDir);
    const manifest: Manifest = { key, fixtures: DEFINITIONS.map((d) => d.name) };
    await writeFile(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    try {
      await rename(tmp, dir);
    } catch (error) {
      // Another process finished first: use its set, drop ours.
      if (isErrnoException(error) && (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') && (await readManifest(dir, key))) {
        await rm(tmp, { recursive: true, force: true });
      } else {
        throw error;
      }
    }
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  return { dir };
}

let building: Promise<FixtureSet> | undefined;

/** Build (or reuse) every fixture; rejects with the missing Debian package or the failing command. */
export function buildFixtures(): Promise<FixtureSet> {
  building ??= (async (): Promise<FixtureSet> => {
    const { dir } = await ensureBuilt();
    const entries = DEFINITIONS.map((d): [FixtureName, Fixture] => [
      d.name,
      { name: d.name, description: d.description, path: join(dir, outputName(d.name)), recipe: d.steps, expect: d.expect },
    ]);
    const fixtures = Object.fromEntries(entries) as Record<FixtureName, Fixture>;
    return { root: repoRoot(), dir, fixtures, all: entries.map(([, f]) => f), hostAddon: hostAddonPath() };
  })();
  return building;
}
