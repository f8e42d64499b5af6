/**
 * The project's own `napi build`, read from its package.json scripts — pure: a manifest in, the
 * flags, environment and shape of the build script out.
 *
 * A build script is a small shell line: `napi build --platform --release --features simd`,
 * `TARGET_CC=clang napi build …`, `tsc -d && napi build --manifest-path ../../Cargo.toml -p binding
 * --js ./binding.js -o .`, or `pnpm run build-dev --features allocator --release` whose `build-dev`
 * runs `napi build`. The reader splits it into commands (`&&`, `||`, `;`), follows `npm run` /
 * `pnpm [run]` / `yarn [run]` / `bun run` into the named script (the arguments appended to a run go
 * to the end of that script's last command, as package managers do), and takes the last `napi build`
 * it reaches. Its flags are read by one declaration per flag (@napi-rs/cli 3.10's `napi build`
 * options): most are the project's and go to napi-rs as they are; `--target` and the toolchain flags
 * (`-x`, `--use-napi-cross`, `--use-cross`) are napi-ship's per-target choice; `--output-dir` is
 * where the project wants the loader and typings (napi-ship builds into a staging dir first);
 * `--watch`, `--verbose` and `--pipe` have no place in a release build.
 */
import { isRecord } from '../util/json.js';

/** How a flag's value is read. */
type FlagKind = 'string' | 'boolean' | 'array';

/** What napi-ship does with a flag of the project's script. */
type FlagRole =
  /** Passed to napi-rs as the project wrote it. */
  | 'project'
  /** Chosen per target by napi-ship (`--target`, toolchain flags). */
  | 'per-target'
  /** Where the outputs go: read, then napi-ship builds into a staging dir and moves them there. */
  | 'output'
  /** Not used for a release build. */
  | 'ignored';

interface FlagDeclaration {
  /** Long name first, then aliases (`--js`, `--js-binding`; `--features`, `-F`). */
  readonly names: readonly string[];
  /** The @napi-rs/cli programmatic API's option name. */
  readonly option: string;
  readonly kind: FlagKind;
  readonly role: FlagRole;
}

/** `napi build`'s flags (@napi-rs/cli 3.10 `BaseBuildCommand` + `--pipe`), one declaration each. */
export const NAPI_BUILD_FLAGS: readonly FlagDeclaration[] = Object.freeze([
  { names: ['--target', '-t'], option: 'target', kind: 'string', role: 'per-target' },
  { names: ['--cwd'], option: 'cwd', kind: 'string', role: 'project' },
  { names: ['--manifest-path'], option: 'manifestPath', kind: 'string', role: 'project' },
  { names: ['--config-path', '-c'], option: 'configPath', kind: 'string', role: 'project' },
  { names: ['--package-json-path'], option: 'packageJsonPath', kind: 'string', role: 'project' },
  { names: ['--target-dir'], option: 'targetDir', kind: 'string', role: 'project' },
  { names: ['--output-dir', '-o'], option: 'outputDir', kind: 'string', role: 'output' },
  { names: ['--platform'], option: 'platform', kind: 'boolean', role: 'project' },
  { names: ['--js-package-name'], option: 'jsPackageName', kind: 'string', role: 'project' },
  { names: ['--const-enum'], option: 'constEnum', kind: 'boolean', role: 'project' },
  { names: ['--runtime-string-enum'], option: 'runtimeStringEnum', kind: 'boolean', role: 'project' },
  { names: ['--js', '--js-binding'], option: 'jsBinding', kind: 'string', role: 'project' },
  { names: ['--no-js'], option: 'noJsBinding', kind: 'boolean', role: 'project' },
  { names: ['--dts'], option: 'dts', kind: 'string', role: 'project' },
  { names: ['--dts-header'], option: 'dtsHeader', kind: 'string', role: 'project' },
  { names: ['--no-dts-header'], option: 'noDtsHeader', kind: 'boolean', role: 'project' },
  { names: ['--dts-cache'], option: 'dtsCache', kind: 'boolean', role: 'project' },
  { names: ['--format'], option: 'format', kind: 'string', role: 'project' },
  { names: ['--esm'], option: 'esm', kind: 'boolean', role: 'project' },
  { names: ['--commonjs'], option: 'commonjs', kind: 'boolean', role: 'project' },
  { names: ['--strip', '-s'], option: 'strip', kind: 'boolean', role: 'project' },
  { names: ['--release', '-r'], option: 'release', kind: 'boolean', role: 'project' },
  { names: ['--verbose', '-v'], option: 'verbose', kind: 'boolean', role: 'ignored' },
  { names: ['--bin'], option: 'bin', kind: 'string', role: 'project' },
  { names: ['--package', '-p'], option: 'package', kind: 'string', role: 'project' },
  { names: ['--profile'], option: 'profile', kind: 'string', role: 'project' },
  { names: ['--cross-compile', '-x'], option: 'crossCompile', kind: 'boolean', role: 'per-target' },
  { names: ['--use-cross'], option: 'useCross', kind: 'boolean', role: 'per-target' },
  { names: ['--use-napi-cross'], option: 'useNapiCross', kind: 'boolean', role: 'per-target' },
  { names: ['--watch', '-w'], option: 'watch', kind: 'boolean', role: 'ignored' },
  { names: ['--features', '-F'], option: 'features', kind: 'array', role: 'project' },
  { names: ['--all-features'], option: 'allFeatures', kind: 'boolean', role: 'project' },
  { names: ['--no-default-features'], option: 'noDefaultFeatures', kind: 'boolean', role: 'project' },
  { names: ['--ohos-sign'], option: 'ohosSign', kind: 'boolean', role: 'project' },
  { names: ['--pipe'], option: 'pipe', kind: 'string', role: 'ignored' },
]);

export type NapiOptionValue = string | boolean | readonly string[];

/** `napi build` flags, read. */
export interface NapiBuildFlags {
  /** The project's options, as @napi-rs/cli's programmatic API names them (`features`, `jsBinding`, `noJsBinding`, …). */
  readonly options: Readonly<Record<string, NapiOptionValue>>;
  /** The project's flags as written (what a command line for the same build repeats), without the per-target, output and ignored ones. */
  readonly args: readonly string[];
  /** `--output-dir` as written (relative to `--cwd`), or null. */
  readonly outputDir: string | null;
  /** Per-target flags found (`--target`, `-x`, `--use-napi-cross`, `--use-cross`): napi-ship chooses those per target. */
  readonly perTarget: readonly string[];
  /** Flags left out of a release build (`--watch`, `--verbose`, `--pipe`). */
  readonly dropped: readonly string[];
  /** Flags `napi build` does not declare (kept for the command line, passed nowhere else). */
  readonly unknown: readonly string[];
  /** Arguments after `--`, for cargo. */
  readonly cargoOptions: readonly string[];
}

const BY_NAME: ReadonlyMap<string, FlagDeclaration> = new Map(NAPI_BUILD_FLAGS.flatMap((d) => d.names.map((n) => [n, d] as const)));

/** Read `napi build`'s arguments (everything after `napi build`). */
export function parseNapiBuildArgs(tokens: readonly string[]): NapiBuildFlags {
  const options: Record<string, NapiOptionValue> = {};
  const args: string[] = [];
  const perTarget: string[] = [];
  const dropped: string[] = [];
  const unknown: string[] = [];
  let outputDir: string | null = null;
  let cargoOptions: string[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] ?? '';
    if (token === '--') {
      cargoOptions = tokens.slice(i + 1);
      break;
    }
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = eq > 0 ? token.slice(0, eq) : token;
    let decl = BY_NAME.get(name);
    let negated = false;
    // clipanion's boolean negation: `--no-dts-cache`, `--no-const-enum`, `--no-ohos-sign`.
    if (decl === undefined && name.startsWith('--no-')) {
      const positive = BY_NAME.get(`--${name.slice(5)}`);
      if (positive?.kind === 'boolean') {
        decl = positive;
        negated = true;
      }
    }
    if (decl === undefined) {
      if (token.startsWith('-')) unknown.push(token);
      args.push(token);
      continue;
    }
    let written = [token];
    let value: NapiOptionValue = !negated;
    if (decl.kind !== 'boolean') {
      if (eq > 0) value = token.slice(eq + 1);
      else {
        const next = tokens[i + 1];
        if (next === undefined) {
          unknown.push(token);
          continue;
        }
        value = next;
        written = [token, next];
        i += 1;
      }
    }
    if (decl.role === 'per-target' || decl.role === 'ignored') {
      (decl.role === 'ignored' ? dropped : perTarget).push(written.join(' '));
      continue;
    }
    if (decl.role === 'output') {
      outputDir = typeof value === 'string' ? value : null;
      continue;
    }
    if (decl.kind === 'array') {
      const before = options[decl.option];
      options[decl.option] = [...(Array.isArray(before) ? (before as readonly string[]) : []), String(value)];
    } else options[decl.option] = value;
    args.push(...written);
  }
  return { options, args, outputDir, perTarget, dropped, unknown, cargoOptions };
}

// ---- the script ------------------------------------------------------------------------------

/** Split a shell line into words and control operators (`&&`, `||`, `;`, `|`), honouring quotes. */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i] ?? '';
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      const stop = end < 0 ? line.length : end;
      word = (word ?? '') + line.slice(i + 1, stop);
      i = stop;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (; j < line.length && line[j] !== '"'; j += 1) {
        const d = line[j] ?? '';
        if (d === '\\' && /["\\$`]/.test(line[j + 1] ?? '')) {
          text += line[j + 1] ?? '';
          j += 1;
        } else text += d;
      }
      word = (word ?? '') + text;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + (line[i + 1] ?? '');
      i += 1;
    } else if (/\s/.test(c)) {
      if (word !== null) out.push(word);
      word = null;
    } else if (c === '&' || c === '|' || c === ';') {
      if (word !== null) out.push(word);
      word = null;
      const two = line.slice(i, i + 2);
      if (two === '&&' || two === '||') {
        out.push(two);
        i += 1;
      } else out.push(c);
    } else word = (word ?? '') + c;
  }
  if (word !== null) out.push(word);
  return out;
}

const OPERATORS = new Set(['&&', '||', ';', '|', '&']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/** One command of a script line: its leading `NAME=value` assignments (and `cross-env`'s), and its words. */
interface Command {
  readonly env: Readonly<Record<string, string>>;
  readonly words: readonly string[];
}

function commands(line: string): Command[] {
  const out: Command[] = [];
  let current: string[] = [];
  const flush = (): void => {
    if (current.length === 0) return;
    const env: Record<string, string> = {};
    let i = 0;
    for (;;) {
      const w = current[i] ?? '';
      const m = ASSIGNMENT.exec(w);
      if (m) {
        env[m[1] ?? ''] = m[2] ?? '';
        i += 1;
      } else if ((w === 'cross-env' || w === 'env') && i + 1 < current.length) i += 1;
      else break;
    }
    out.push({ env, words: current.slice(i) });
    current = [];
  };
  for (const w of shellWords(line)) {
    if (OPERATORS.has(w)) flush();
    else current.push(w);
  }
  flush();
  return out;
}

/** `napi build …` (also `npx napi`, `pnpm exec napi`, `yarn napi`, `node_modules/.bin/napi`): the args after `build`. */
function napiBuildArgsOf(words: readonly string[]): string[] | null {
  let i = 0;
  if (words[i] === 'npx' || words[i] === 'bunx') i += 1;
  else if ((words[i] === 'pnpm' || words[i] === 'yarn') && words[i + 1] === 'exec') i += 2;
  else if ((words[i] === 'pnpm' || words[i] === 'yarn') && words[i + 1] === 'napi') i += 1;
  while (words[i] === '--no-install' || words[i] === '--yes' || words[i] === '-y') i += 1;
  const bin = words[i] ?? '';
  if (!/(^|\/)napi$/.test(bin) && bin !== '@napi-rs/cli') return null;
  return words[i + 1] === 'build' ? words.slice(i + 2) : null;
}

const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
/** pnpm's and yarn's own commands, which `pnpm <name>` / `yarn <name>` run instead of a script. */
const BUILTIN = new Set(['install', 'add', 'exec', 'dlx', 'test', 'publish', 'pack', 'run', 'why', 'link', 'remove', 'up', 'upgrade']);

/** `npm run X -- a`, `pnpm run X a`, `pnpm X a`, `yarn X a`, `yarn run X a`, `bun run X a`: the script and the appended args. */
function runScriptOf(words: readonly string[], scripts: Readonly<Record<string, unknown>>): { name: string; args: string[] } | null {
  const pm = words[0] ?? '';
  if (!PACKAGE_MANAGERS.has(pm)) return null;
  let i = 1;
  while ((words[i] ?? '').startsWith('-') && words[i] !== '--') i += 1;
  if (words[i] === 'run' || words[i] === 'run-script') i += 1;
  else if (pm === 'npm' || pm === 'bun' || BUILTIN.has(words[i] ?? '')) return null;
  const name = words[i];
  if (name === undefined || typeof scripts[name] !== 'string') return null;
  let rest = words.slice(i + 1);
  if (pm === 'npm' || pm === 'bun') {
    const dash = rest.indexOf('--');
    rest = dash < 0 ? [] : rest.slice(dash + 1);
  } else if (rest[0] === '--') rest = rest.slice(1);
  return { name, args: rest };
}

/** The project's build script, as far as napi-ship reads it. */
export interface BuildScript {
  /** The script read (`build`). */
  readonly name: string;
  /** Its text. */
  readonly text: string;
  /** The scripts followed to the `napi build` (`build` → `build-dev`). */
  readonly chain: readonly string[];
  /** The `napi build` arguments (with what the runs in between appended), or null when the script runs no `napi build`. */
  readonly napiArgs: readonly string[] | null;
  /** Variables the script sets in front of its commands (`TARGET_CC=clang napi build`, `cross-env …`). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Whether arguments appended to `<pm> run <name>` reach the `napi build`: it is the last command
   * of each script followed (as in napi-rs's template CI: `yarn build --target T --use-napi-cross`).
   */
  readonly forwardsArgs: boolean;
  /** The script's other commands (`tsc -d`), for the notes. */
  readonly otherCommands: readonly string[];
}

interface Resolved {
  napiArgs: string[] | null;
  env: Record<string, string>;
  chain: string[];
  last: boolean;
  others: string[];
}

function resolveScript(
  scripts: Readonly<Record<string, unknown>>,
  name: string,
  appended: readonly string[],
  seen: readonly string[],
): Resolved {
  const text = scripts[name];
  const chain = [...seen, name];
  if (typeof text !== 'string' || seen.includes(name) || seen.length > 8)
    return { napiArgs: null, env: {}, chain, last: false, others: [] };
  const cmds = commands(text);
  for (let k = cmds.length - 1; k >= 0; k -= 1) {
    const cmd = cmds[k];
    if (!cmd) continue;
    const isLast = k === cmds.length - 1;
    // Appended args land on the script's last command only.
    const words = isLast ? [...cmd.words, ...appended] : [...cmd.words];
    const others = cmds.filter((_, j) => j !== k).map((c) => c.words.join(' '));
    const direct = napiBuildArgsOf(words);
    if (direct !== null) return { napiArgs: direct, env: { ...cmd.env }, chain, last: isLast, others };
    const run = runScriptOf(words, scripts);
    if (run !== null) {
      const inner = resolveScript(scripts, run.name, run.args, chain);
      if (inner.napiArgs !== null) {
        return {
          napiArgs: inner.napiArgs,
          env: { ...cmd.env, ...inner.env },
          chain: inner.chain,
          last: isLast && inner.last,
          others: [...others, ...inner.others],
        };
      }
    }
  }
  return { napiArgs: null, env: {}, chain, last: false, others: cmds.map((c) => c.words.join(' ')) };
}

/** The package's `name` script (default `build`) and the `napi build` it runs; null when there is no such script. */
export function readBuildScript(manifest: Readonly<Record<string, unknown>>, name = 'build'): BuildScript | null {
  const scripts = isRecord(manifest.scripts) ? manifest.scripts : {};
  const text = scripts[name];
  if (typeof text !== 'string') return null;
  const r = resolveScript(scripts, name, [], []);
  return {
    name,
    text,
    chain: r.chain,
    napiArgs: r.napiArgs,
    env: r.env,
    forwardsArgs: r.napiArgs !== null && r.last,
    otherCommands: r.others.filter((c) => c !== ''),
  };
}

/** A word for a shell command line, quoted when it needs to be. */
export function shellQuote(word: string): string {
  return /^[\w.,/:=+@%-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
