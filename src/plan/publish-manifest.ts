/**
 * The package.json that is really published, decided before anything is packed (pure).
 *
 * A manifest may hold specifiers that only mean something inside its workspace: `workspace:` and
 * `catalog:` (which pnpm, yarn 2+ and bun rewrite at pack time), and `file:`, `link:`, `portal:`,
 * `patch:`, `exec:`, local paths and git URLs (which no package manager rewrites, and which a
 * registry user cannot install or gets unpinned). napi-ship packs its own tarballs, so it does what
 * the project's package manager does at pack time, checked against `pnpm pack` 12 and `yarn pack`
 * 4.18 (test/publish-manifest.test.ts runs both):
 *
 * - `workspace:*` → the workspace package's version, `workspace:^`/`workspace:~` → `^`/`~` + version,
 *   `workspace:<range>` → `<range>`; pnpm also `workspace:name@*` and `workspace:./dir` (as `npm:` aliases
 *   when the names differ), yarn also `workspace:<path>`.
 * - `catalog:` / `catalog:<name>` → the range in pnpm-workspace.yaml (pnpm), .yarnrc.yml (yarn) or the
 *   root package.json (bun).
 * - `publishConfig` fields hoisted into the manifest: pnpm hoists `bin`, `browser`, `cpu`, `es2015`,
 *   `esnext`, `exports`, `imports`, `libc`, `main`, `module`, `os`, `type`, `types`, `typesVersions`,
 *   `typings`, `umd:main`, `unpkg` (and removes them from publishConfig); yarn hoists `type`, `main`,
 *   `browser`, `module`, `exports`, `imports`, `bin`, `types`, `typings` (keeping publishConfig). npm
 *   and bun read only `registry`/`tag`/`access`/`provenance` from publishConfig at publish time.
 * - pnpm also drops `packageManager`, the `pnpm` field and the `prepublishOnly`, `prepack`,
 *   `postpack`, `publish`, `postpublish`, `prepare` scripts; yarn sorts the dependency maps.
 *
 * When none of that applies the manifest is unchanged (and packed byte for byte, as npm packs it).
 * What the package manager would not rewrite is an error naming the dependency and its field:
 * `workspace:`/`catalog:` under npm or yarn 1 (npm packs them verbatim), a workspace package or
 * catalog entry that does not exist, and any local or git specifier in `dependencies`,
 * `optionalDependencies` or `peerDependencies`. `devDependencies` are rewritten like the others
 * (as pnpm and yarn do) but never fail: nobody installs them from the registry.
 */
import path from 'node:path';
import semver from 'semver';
import { diagnostic, type Diagnostic } from '../diagnostics/index.js';
import { isRecord } from '../util/json.js';
import type { PackageManagerKind, WorkspaceContext, WorkspacePackage } from './workspace.js';

type Manifest = Readonly<Record<string, unknown>>;

/** The dependency maps, in the order they are checked. */
export const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies'] as const;
export type DependencyField = (typeof DEPENDENCY_FIELDS)[number];

/** What pnpm hoists from publishConfig (`PUBLISH_CONFIG_WHITELIST`, @pnpm/exportable-manifest). */
export const PNPM_HOISTED = new Set([
  'bin',
  'browser',
  'cpu',
  'es2015',
  'esnext',
  'exports',
  'imports',
  'libc',
  'main',
  'module',
  'os',
  'type',
  'types',
  'typesVersions',
  'typings',
  'umd:main',
  'unpkg',
]);

/** What yarn 2+ hoists from publishConfig at pack time (plugin-pack's beforeWorkspacePacking), in its order. */
export const YARN_HOISTED = ['type', 'main', 'browser', 'module', 'exports', 'imports', 'bin', 'types', 'typings'] as const;

/** The scripts pnpm leaves out of a packed manifest. */
export const PNPM_DROPPED_SCRIPTS = new Set(['prepublishOnly', 'prepack', 'postpack', 'publish', 'postpublish', 'prepare']);

export type SpecKind = 'workspace' | 'catalog' | 'file' | 'link' | 'portal' | 'patch' | 'exec' | 'git';

/** The kind of a workspace-only, local or git specifier; null for a registry range, tag, alias or tarball URL. */
export function specKind(spec: string): SpecKind | null {
  const s = spec.trim();
  for (const kind of ['workspace', 'catalog', 'file', 'link', 'portal', 'patch', 'exec'] as const) {
    if (s.startsWith(`${kind}:`)) return kind;
  }
  if (/^(?:\.{1,2}(?:\/|\\|$)|\/|~\/|[a-zA-Z]:[\\/])/.test(s)) return 'file';
  if (/^(?:git\+[a-z]+:|git:\/\/|git@|github:|gitlab:|bitbucket:|gist:)/i.test(s)) return 'git';
  if (/^https?:\/\/\S+\.git(?:#.*)?$/i.test(s)) return 'git';
  // GitHub shorthand `owner/repo` (npm-package-arg): no scheme, no leading `@`/`.`.
  if (/^[^@./\s:#][^/\s:#]*\/[^/\s:#]+(?:#.*)?$/.test(s)) return 'git';
  return null;
}

export interface SpecRewrite {
  readonly field: DependencyField;
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

export interface PublishManifest {
  /** The manifest to pack (the input itself when unchanged). */
  readonly manifest: Manifest;
  readonly changed: boolean;
  readonly rewrites: readonly SpecRewrite[];
  /** The publishConfig fields hoisted into the manifest. */
  readonly hoisted: readonly string[];
  /** Errors for what cannot be published, and one note saying what was rewritten. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface PublishManifestInput {
  readonly manifest: Manifest;
  /** The package dir (absolute), against which `workspace:./dir` resolves. */
  readonly dir: string;
  readonly workspace: WorkspaceContext;
  /** The package.json path, for messages. */
  readonly subject: string;
}

const REWRITERS: ReadonlySet<PackageManagerKind> = new Set(['pnpm', 'yarn', 'bun']);

/**
 * Whether a root pin stays as written because the project's package manager packs it as the exact
 * release version: `workspace:*` or `workspace:<version>` (tailwindcss pins its platform packages
 * `workspace:*`, each a member of its pnpm workspace), under pnpm, yarn 2+ or bun, which rewrite
 * `workspace:` at pack time. `workspace:^`/`workspace:~` pack as ranges: not kept.
 */
export function keepsWorkspacePin(spec: unknown, version: string, packageManager: PackageManagerKind): boolean {
  return REWRITERS.has(packageManager) && (spec === 'workspace:*' || spec === `workspace:${version}`);
}

type Resolved = { readonly to: string } | { readonly why: string };

function byDir(workspace: WorkspaceContext, dir: string): WorkspacePackage | undefined {
  return [...workspace.packages.values()].find((p) => path.resolve(p.dir) === path.resolve(dir));
}

function pmName(kind: PackageManagerKind): string {
  return kind === 'yarn-classic' ? 'yarn 1' : kind === 'yarn' ? 'yarn 2+' : kind;
}

function resolveWorkspace(name: string, spec: string, dir: string, workspace: WorkspaceContext): Resolved {
  const pm = workspace.packageManager;
  if (!REWRITERS.has(pm)) {
    return {
      why: `the project's package manager is ${pmName(pm)} (${workspace.packageManagerSource}), which packs workspace: specifiers verbatim`,
    };
  }
  const rest = spec.trim().slice('workspace:'.length);
  const noVersion = (p: WorkspacePackage): Resolved => ({ why: `the workspace package ${p.name} (${p.dir}) has no version` });
  if (pm === 'yarn') {
    const isRange = rest === '*' || rest === '^' || rest === '~' || semver.validRange(rest) !== null;
    const ws = isRange
      ? workspace.packages.get(name)
      : (byDir(workspace, path.resolve(workspace.root, rest)) ?? byDir(workspace, path.resolve(dir, rest)));
    if (ws === undefined) return { why: `no workspace package ${isRange ? `named ${name}` : `at ${rest}`} in ${workspace.root}` };
    if (!isRange || rest === '*') return { to: ws.version ?? '0.0.0' };
    if (rest === '^' || rest === '~') return { to: `${rest}${ws.version ?? '0.0.0'}` };
    return { to: rest };
  }
  // pnpm (and bun, which follows it for these forms).
  const alias = /^(.*?)@?([\^~*])$/.exec(rest);
  if (alias !== null) {
    const target = alias[1] === '' || alias[1] === undefined ? name : alias[1];
    const ws = workspace.packages.get(target);
    if (ws === undefined) return { why: `no workspace package named ${target} in ${workspace.root}` };
    if (ws.version === null) return noVersion(ws);
    const token = alias[2] === '*' ? '' : (alias[2] ?? '');
    return { to: target === name ? `${token}${ws.version}` : `npm:${target}@${token}${ws.version}` };
  }
  if (rest.startsWith('./') || rest.startsWith('../')) {
    const ws = byDir(workspace, path.resolve(dir, rest));
    if (ws === undefined) return { why: `no workspace package at ${path.resolve(dir, rest)}` };
    if (ws.version === null) return noVersion(ws);
    return { to: ws.name === name ? ws.version : `npm:${ws.name}@${ws.version}` };
  }
  if (rest === '') return { why: 'it names no version' };
  return { to: rest.includes('@') ? `npm:${rest}` : rest };
}

function resolveCatalog(name: string, spec: string, workspace: WorkspaceContext): Resolved {
  const pm = workspace.packageManager;
  if (!REWRITERS.has(pm)) {
    return { why: `the project's package manager is ${pmName(pm)} (${workspace.packageManagerSource}), which has no catalogs` };
  }
  const catalog = spec.trim().slice('catalog:'.length).trim() || 'default';
  const range = workspace.catalogs.get(catalog)?.[name];
  if (range === undefined) {
    const where = workspace.catalogSource ?? `the ${pmName(pm)} catalog config of ${workspace.root}`;
    return { why: `the ${catalog === 'default' ? 'default catalog' : `catalog "${catalog}"`} in ${where} has no entry for ${name}` };
  }
  if (specKind(range) !== null) return { why: `its catalog entry is ${JSON.stringify(range)}, itself not a registry range` };
  return { to: range };
}

const LOCAL_WHY: Readonly<Record<Exclude<SpecKind, 'workspace' | 'catalog'>, string>> = {
  file: 'a path on the machine that packed it: nobody who installs from the registry has it',
  link: 'a symlink to a dir on the machine that packed it: nobody who installs from the registry has it',
  portal: 'a yarn portal to a dir on the machine that packed it: nobody who installs from the registry has it',
  patch: 'a yarn patch: the patch file is not published, so npm and pnpm cannot install it',
  exec: 'a yarn exec: generator script: only yarn 2+ runs it',
  git: 'a git dependency: it is fetched from the git host at install time, unpinned by the registry and unavailable offline or behind a registry mirror',
};

/** Apply the project's package manager's pack-time rewrite to `input.manifest` (see the file comment). */
export function publishManifest(input: PublishManifestInput): PublishManifest {
  const { manifest, dir, workspace, subject } = input;
  const pm = workspace.packageManager;
  const out: Record<string, unknown> = { ...manifest };
  const rewrites: SpecRewrite[] = [];
  const diagnostics: Diagnostic[] = [];

  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest[field];
    if (!isRecord(deps)) continue;
    const installed = field !== 'devDependencies';
    const next: Record<string, unknown> = { ...deps };
    for (const [name, value] of Object.entries(deps)) {
      if (typeof value !== 'string') continue;
      const kind = specKind(value);
      if (kind === null) continue;
      if (kind === 'workspace' || kind === 'catalog') {
        const resolved = kind === 'workspace' ? resolveWorkspace(name, value, dir, workspace) : resolveCatalog(name, value, workspace);
        if ('to' in resolved) {
          next[name] = resolved.to;
          rewrites.push({ field, name, from: value, to: resolved.to });
        } else if (installed) {
          diagnostics.push(
            diagnostic({
              code: kind === 'workspace' ? 'NS_PACK_DEP_WORKSPACE' : 'NS_PACK_DEP_CATALOG',
              subject,
              message: `${field}["${name}"] is ${JSON.stringify(value)} and cannot be rewritten for the registry: ${resolved.why}`,
              expected: 'a registry range (or a workspace:/catalog: specifier the project’s package manager resolves at pack time)',
              found: `${field}.${name}: ${JSON.stringify(value)}`,
              hint:
                kind === 'workspace'
                  ? `write the version range of ${name} (e.g. "^1.2.3"), or pack with the workspace's package manager configured (packageManager "pnpm@…"/"yarn@4…" in package.json)`
                  : `add ${name} to the catalog, or write its version range instead of ${JSON.stringify(value)}`,
            }),
          );
        }
        continue;
      }
      if (!installed) continue;
      diagnostics.push(
        diagnostic({
          code: kind === 'git' ? 'NS_PACK_DEP_GIT' : 'NS_PACK_DEP_LOCAL',
          subject,
          message: `${field}["${name}"] is ${JSON.stringify(value)}, ${LOCAL_WHY[kind]}`,
          expected: 'a version range of a package published to the registry',
          found: `${field}.${name}: ${JSON.stringify(value)}`,
          hint: `publish ${name} to the registry and depend on its version range${field === 'dependencies' ? ', or bundle it (bundleDependencies)' : ''}`,
        }),
      );
    }
    if (rewrites.some((r) => r.field === field)) {
      out[field] = pm === 'yarn' ? Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : next;
    }
  }

  const publishConfig = isRecord(manifest.publishConfig) ? manifest.publishConfig : null;
  if (pm === 'pnpm' && typeof publishConfig?.directory === 'string') {
    diagnostics.push(
      diagnostic({
        code: 'NS_PACK_PUBLISH_DIRECTORY',
        subject,
        message: `publishConfig.directory is ${JSON.stringify(publishConfig.directory)}: pnpm would pack that dir instead, napi-ship packs the package dir itself`,
        found: `publishConfig.directory: ${JSON.stringify(publishConfig.directory)}`,
        hint: 'remove publishConfig.directory and lay the package out in its own dir (files/main pointing into the build output)',
      }),
    );
  }
  const hoisted: string[] = [];
  if (publishConfig !== null && pm === 'pnpm') {
    for (const key of Object.keys(publishConfig)) if (PNPM_HOISTED.has(key)) hoisted.push(key);
  } else if (publishConfig !== null && pm === 'yarn') {
    for (const key of YARN_HOISTED)
      if (publishConfig[key] !== undefined && publishConfig[key] !== null && publishConfig[key] !== '') hoisted.push(key);
  }

  const changed = rewrites.length > 0 || hoisted.length > 0;
  if (changed && pm === 'pnpm') {
    delete out.pnpm;
    delete out.packageManager;
    if (isRecord(manifest.scripts)) {
      const scripts = Object.fromEntries(Object.entries(manifest.scripts).filter(([k]) => !PNPM_DROPPED_SCRIPTS.has(k)));
      delete out.scripts;
      out.scripts = scripts;
    }
  }
  if (publishConfig !== null && hoisted.length > 0) {
    for (const key of hoisted) out[key] = structuredClone(publishConfig[key]);
    if (pm === 'pnpm') {
      const rest = Object.fromEntries(Object.entries(publishConfig).filter(([k]) => !PNPM_HOISTED.has(k)));
      if (Object.keys(rest).length > 0) out.publishConfig = rest;
      else delete out.publishConfig;
    }
  }
  if (changed) {
    const what = [
      ...rewrites.map((r) => `${r.field}.${r.name} ${JSON.stringify(r.from)} → ${JSON.stringify(r.to)}`),
      ...(hoisted.length > 0 ? [`publishConfig.{${hoisted.join(', ')}} hoisted`] : []),
    ];
    diagnostics.push(
      diagnostic({
        code: 'NS_PACK_MANIFEST_REWRITTEN',
        severity: 'note',
        subject,
        message: `packed as ${pmName(pm)} packs it: ${what.join('; ')}`,
        hint: 'nothing to do: the package.json on disk is unchanged, the tarball holds the rewritten one',
      }),
    );
  }
  return { manifest: changed ? out : manifest, changed, rewrites, hoisted, diagnostics };
}

/** The packed package.json text of a rewritten manifest, as pnpm and yarn write it (2-space indent, no final newline). */
export function publishManifestText(manifest: Manifest): string {
  return JSON.stringify(manifest, null, 2);
}
