/** A napi-rs root package on disk, as `napi new` + `napi build --platform` leave one. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { coreDir } from './repo.js';

export interface RootPackageOptions {
  readonly name: string;
  readonly binaryName: string;
  readonly targets: readonly string[];
  readonly version?: string;
}

/**
 * Write package.json (napi v3 config, repository, license, engines) and the loader napi-rs generated
 * for our own core, renamed for this package, so `verify` can check the loader resolves each target.
 */
export async function writeRootPackage(dir: string, o: RootPackageOptions): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: o.name,
        version: o.version ?? '1.2.3',
        description: 'fixture addon',
        main: 'index.js',
        types: 'index.d.ts',
        license: 'MIT',
        repository: { type: 'git', url: 'git+https://github.com/fixture/addon.git' },
        engines: { node: '>= 18' },
        files: ['index.js', 'index.d.ts'],
        napi: { binaryName: o.binaryName, packageName: o.name, targets: o.targets },
      },
      null,
      2,
    ) + '\n',
  );
  const loader = await readFile(path.join(coreDir, 'index.js'), 'utf8');
  const core = (JSON.parse(await readFile(path.join(coreDir, 'package.json'), 'utf8')) as { version: string }).version;
  await writeFile(
    path.join(dir, 'index.js'),
    // napi-rs 3 embeds the package version in each platform's version check: the fixture's, as napi build would write it.
    loader
      .replaceAll('@napi-ship/core', o.name)
      .replaceAll('napi-ship-core.', `${o.binaryName}.`)
      .replaceAll(`!== '${core}'`, `!== '${o.version ?? '1.2.3'}'`)
      .replaceAll(`expected ${core} but`, `expected ${o.version ?? '1.2.3'} but`),
  );
  await writeFile(path.join(dir, 'index.d.ts'), 'export declare function coreVersion(): string\n');
}
