/**
 * The publish floor's client, in a process of its own (as `napi-ship publish` is, so it does not
 * share the latency proxy's event loop): it loads and checks the release dir, makes napi-ship's
 * registry client, says `ready`, then on each `go` line sends the requests napi-ship publish sends,
 * in its order, and says `done`. Only what lies between `go` and `done` is timed.
 *
 *   node dist/bench/lib/publish-floor.js <release dir> <registry URL>   (token in NPM_TOKEN)
 */
import { createInterface } from 'node:readline';
import { DEFAULT_STAGING_TAG as STAGING } from '../../src/publish/plan.js';
import { loadRelease, type ReleasePackage } from '../../src/publish/release.js';
import { RegistryClient } from '../../src/registry/client.js';

async function main(): Promise<void> {
  const [dir, registry] = process.argv.slice(2);
  if (dir === undefined || registry === undefined) throw new Error('usage: publish-floor <release dir> <registry URL>');
  const loaded = await loadRelease(dir);
  if (!loaded.ok) throw new Error(`the release does not load: ${loaded.diagnostics.map((d) => d.code).join(', ')}`);
  const release = loaded.release;
  const client = new RegistryClient({ registry, token: process.env.NPM_TOKEN ?? '', env: {} });
  const put = (p: ReleasePackage, tag: string): Promise<unknown> =>
    client.publish({ manifest: p.packageJson, tarball: p.tarball, digests: { integrity: p.entry.integrity, shasum: p.entry.sha1 }, tag });
  const all = [release.root, ...release.platforms];
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  for await (const line of lines) {
    if (line !== 'go') break;
    // Preflight; the platform packages under the staging tag; their read-backs; the root, with the
    // platform packages' tag moves and staging-tag removals alongside; the root's read-back.
    await Promise.all(all.map((p) => client.getPackument(p.entry.name)));
    await Promise.all(release.platforms.map((p) => put(p, STAGING)));
    await Promise.all(release.platforms.map((p) => client.getPackument(p.entry.name)));
    await Promise.all([
      put(release.root, 'latest').then(() => client.getPackument(release.root.entry.name)),
      ...release.platforms.map(async (p) => {
        await client.setDistTag(p.entry.name, 'latest', p.entry.version);
        await client.removeDistTag(p.entry.name, STAGING);
      }),
    ]);
    process.stdout.write('done\n');
  }
  await client.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`publish-floor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
