/**
 * A typed face for npm-packlist 10 (the library `npm pack` itself uses), driven without arborist.
 *
 * npm-packlist walks a package directory under npm's rules (`files`, `.npmignore`/`.gitignore`,
 * the always-included and always-excluded names, `main`/`bin`/`browser`, bundled dependencies).
 * It reads a few fields of an arborist `Node`: `path`, `package` (the package.json as npm normalises
 * it), `isProjectRoot`, `workspaces` and `edgesOut` (only for bundled dependencies). `PackTree` is
 * that much of a Node, which we build ourselves.
 *
 * npm-packlist skips symlinks silently (it walks with `follow: false` and keeps regular files and
 * directories only); napi-ship refuses them, so `SymlinkAwareWalker` records every symlink the
 * walk reaches and would have taken had it been a real file or directory.
 */
import type { EventEmitter } from 'node:events';
import { statSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';

/** The fields of an arborist edge npm-packlist reads when it gathers bundled dependencies. */
export interface PackEdge {
  readonly peer: boolean;
  readonly dev: boolean;
  readonly to: { readonly path: string; readonly target: PackTree; readonly isLink: boolean } | null;
}

/** The fields of an arborist `Node` npm-packlist reads. */
export interface PackTree {
  readonly path: string;
  readonly package: Readonly<Record<string, unknown>>;
  readonly isProjectRoot: boolean;
  readonly workspaces: undefined;
  readonly edgesOut: Map<string, PackEdge>;
}

interface WalkerOptions {
  readonly path?: string;
  readonly isPackage?: boolean;
  readonly [key: string]: unknown;
}

interface StatJob {
  readonly st: Stats;
  readonly entry: string;
  readonly file: boolean;
  readonly dir: boolean;
  readonly isSymbolicLink: boolean;
}

/** npm-packlist's `PackWalker` (an ignore-walk `Walker`), as far as we use it. */
interface PackWalker extends EventEmitter {
  readonly path: string;
  readonly root: string;
  readonly tree: PackTree;
  onstat(job: StatJob, callback: () => void): void;
  walkerOpt(entry: string, opts: Readonly<Record<string, unknown>>): WalkerOptions;
  walker(entry: string, opts: Readonly<Record<string, unknown>>, callback: () => void): void;
  start(): this;
}

type PackWalkerClass = new (tree: PackTree, options: WalkerOptions) => PackWalker;

interface PacklistModule {
  readonly Walker: PackWalkerClass;
}

const packlist = createRequire(import.meta.url)('npm-packlist') as PacklistModule;

/** A symlink the walk would have packed, relative to the package dir (`/`-separated). */
export interface FoundSymlink {
  readonly path: string;
  readonly target: 'file' | 'directory' | 'dangling';
}

class SymlinkAwareWalker extends packlist.Walker {
  readonly #symlinks: FoundSymlink[];

  constructor(tree: PackTree, options: WalkerOptions, symlinks: FoundSymlink[]) {
    super(tree, options);
    this.#symlinks = symlinks;
  }

  override onstat(job: StatJob, callback: () => void): void {
    if (job.isSymbolicLink) {
      const abs = `${this.path}/${job.entry}`;
      let target: FoundSymlink['target'];
      try {
        target = statSync(abs).isDirectory() ? 'directory' : 'file';
      } catch {
        target = 'dangling';
      }
      const wanted = target === 'directory' ? job.dir : target === 'file' ? job.file : job.file || job.dir;
      if (wanted) this.#symlinks.push({ path: abs.slice(this.root.length + 1), target });
    }
    super.onstat(job, callback);
  }

  override walker(entry: string, opts: Readonly<Record<string, unknown>>, callback: () => void): void {
    new SymlinkAwareWalker(this.tree, this.walkerOpt(entry, opts), this.#symlinks).on('done', callback).start();
  }
}

export interface WalkResult {
  /** Files to pack, relative to the package dir, `/`-separated, in npm-packlist's order. */
  readonly files: readonly string[];
  readonly symlinks: readonly FoundSymlink[];
}

/** Walk one package dir as `npm pack` does (bundled dependencies included), noting symlinks. */
export function walkPackage(tree: PackTree): Promise<WalkResult> {
  const symlinks: FoundSymlink[] = [];
  return new Promise((resolve, reject) => {
    const walker = new SymlinkAwareWalker(tree, { path: tree.path, isPackage: true }, symlinks);
    walker.on('error', reject);
    walker.on('done', (result: unknown) => {
      const files = Array.isArray(result) ? result.filter((f): f is string => typeof f === 'string') : [];
      // ignore-walk writes `./@scope/…` for paths starting with `@`.
      resolve({ files: files.map((f) => (f.startsWith('./') ? f.slice(2) : f)), symlinks });
    });
    walker.start();
  });
}
