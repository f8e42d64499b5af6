import path from 'node:path';
import { diagnostic, DiagnosticError, formatDiagnostic } from '../../diagnostics/index.js';
import {
  describeStep,
  loadRelease,
  provenanceRequested,
  publishJson,
  publishRelease,
  type PublishEvent,
  type PublishReport,
  type PublishResult,
} from '../../publish/index.js';
import type { NpmSettings, RegistryClient, ResolvedRegistry } from '../../registry/index.js';
import { LIMITS, readRegularFile } from '../../util/fs.js';
import { flag, stringOption, type Command, type ParsedArgs } from '../command.js';
import { ExitCode, exitCodeOf } from '../exit-codes.js';
import { paint, textTable, type Io } from '../output.js';
import { DEFAULT_RELEASE_DIR, OTP_OPTION, REGISTRY_OPTIONS, jsonOption, releaseDirOption } from '../options.js';
import { rejectPositionals, usageError } from './usage.js';
import { DEFAULT_REGISTRY_CONCURRENCY } from '../../util/registry-defaults.js';

let registryModule: Promise<typeof import('../../registry/index.js')> | null = null;

/**
 * The registry client's modules (undici, npm's config reader: over 100 ms to load), loaded once, on
 * first use, or early by `publish` so the loading overlaps the reading and hashing of the release.
 */
function loadRegistryModule(): Promise<typeof import('../../registry/index.js')> {
  registryModule ??= import('../../registry/index.js');
  return registryModule;
}

/** npm's config is read where the package is: --cwd when the command has it, else the working dir. */
function npmConfigDir(args: ParsedArgs, io: Io): string {
  return path.resolve(io.cwd, stringOption(args, 'cwd') ?? '.');
}

/**
 * npm's config (its .npmrc files), read while something else runs: it depends on nothing the
 * release says. A failure surfaces where the settings are used.
 */
function npmSettingsFromArgs(args: ParsedArgs, io: Io): Promise<NpmSettings> {
  const settings = loadRegistryModule().then((m) => m.loadNpmSettings({ cwd: npmConfigDir(args, io), env: io.env }));
  settings.catch(() => undefined);
  return settings;
}

/**
 * A registry client from the command line and npm's own config (resolveRegistry): the registry for
 * `packageName` (flag, publishConfig, its scope's registry, npm's registry), the credentials bound to
 * that registry, TLS and proxies. Progress (retries) goes to stderr; the token is never printed.
 */
export async function registryClientFromArgs(
  args: ParsedArgs,
  io: Io,
  packageName: string | null,
  extra: { readonly otp?: string; readonly publishConfig?: unknown; readonly settings?: Promise<NpmSettings> } = {},
): Promise<{ client: RegistryClient; authSource: string; resolved: ResolvedRegistry }> {
  const { RegistryClient, resolveRegistry } = await loadRegistryModule();
  const resolved = await resolveRegistry({
    cwd: npmConfigDir(args, io),
    ...(extra.settings === undefined ? {} : { settings: await extra.settings }),
    env: io.env,
    packageName: packageName ?? '',
    flag: stringOption(args, 'registry'),
    publishConfig: extra.publishConfig,
    caFile: ((f) => (f === undefined ? undefined : path.resolve(io.cwd, f)))(stringOption(args, 'ca-file')),
  });
  const client = new RegistryClient({
    ...resolved.client,
    ...(extra.otp === undefined ? {} : { otp: extra.otp }),
    allowInsecure: flag(args, 'allow-insecure-registry'),
    onRetry: (info) => {
      io.stderr(
        paint(io, 'dim', `› ${info.method} ${info.path}: ${info.reason}; retry ${String(info.attempt)} in ${String(info.waitMs)} ms`) +
          '\n',
      );
    },
  });
  return { client, authSource: resolved.auth.source, resolved };
}

function progress(io: Io, e: PublishEvent): void {
  const line = ((): string | null => {
    switch (e.type) {
      case 'resume':
        return `resuming: the journal has an earlier run of this release (${String(e.previousRecords)} records, tag "${e.previousTag}"${e.finished ? ', finished' : ', unfinished'}); re-checking the registry`;
      case 'preflight':
        return `preflight ${e.package}@${e.version}: ${e.state}`;
      case 'phase':
        return {
          platforms: 'publishing the platform packages',
          root: 'every platform package verified: publishing the root',
          tags: 'every platform package verified: moving the dist-tag on them (alongside the root)',
          cleanup: 'removing the staging tag from the platform packages (each after its tag, alongside the root)',
        }[e.phase];
      case 'attested':
        return `provenance signed for ${e.package}@${e.version}${e.logIndex === null ? '' : ` (transparency log index ${e.logIndex})`}`;
      case 'publishing':
        return `publish ${e.package}@${e.version} (tag "${e.tag}")`;
      case 'published':
        return `${e.state === 'published' ? 'published' : 'already there'} ${e.package}@${e.version}`;
      case 'waiting':
        return e.attempt % 5 === 0 ? `waiting for ${e.package}@${e.version} to show (${e.reason})` : null;
      case 'verified':
        return `verified ${e.package}@${e.version} on the registry`;
      case 'tagged':
        return `${e.package}: "${e.tag}" → ${e.version}`;
      case 'untagged':
        return `${e.package}: "${e.tag}" removed`;
      case 'conflict':
        return null;
    }
  })();
  if (line !== null) io.stderr(paint(io, 'dim', `› ${line}`) + '\n');
}

function renderResult(io: Io, o: PublishResult): void {
  const r = o.result;
  if (r.preflight !== null && r.packages.length > 0) {
    const rows = r.packages.map((p) => [
      p.name,
      p.version,
      p.before,
      r.outcome === 'dry-run' ? '-' : p.action,
      r.outcome === 'dry-run' ? '-' : p.verified ? '✓' : '-',
      p.tagged.join(', ') || '-',
    ]);
    io.stdout(textTable(['package', 'version', 'registry before', 'action', 'verified', 'tagged'], rows));
  }
  if (r.outcome === 'dry-run' && r.plan !== null) {
    io.stdout(
      r.plan.steps.length === 0
        ? '\nplan: nothing to do\n'
        : `\nplan (${String(r.plan.steps.length)} steps):\n${r.plan.steps.map((s, i) => `  ${String(i + 1).padStart(2)}. ${describeStep(s)}`).join('\n')}\n`,
    );
  }
  if (r.provenance !== null) {
    const p = r.provenance;
    io.stdout(
      r.outcome === 'dry-run'
        ? `\nprovenance (${p.source}): ${p.possible ? 'would be signed and attached to every package published' : paint(io, 'red', 'cannot be made here; a real publish would stop before its first write')}\n`
        : r.outcome === 'published'
          ? `\nprovenance (${p.source}): attached to ${String(p.attested.length)} package(s) published by this run\n`
          : `\nprovenance (${p.source}): nothing was published\n`,
    );
  }
  const what = r.name !== null && r.version !== null ? `${r.name}@${r.version}` : 'the release (its manifest could not be read)';
  const summary: Record<PublishReport['outcome'], string> = {
    published: `${paint(io, 'green', 'published')} ${what}${r.tag === null ? '' : ` under "${r.tag}"`} to ${r.registry} (${String(r.packages.length)} packages)`,
    'dry-run': o.ok
      ? `dry run: ${what} can be published${r.tag === null ? '' : ` under "${r.tag}"`} to ${r.registry}; nothing was written`
      : `dry run: ${paint(io, 'red', 'conflict')}, ${what} cannot be published`,
    conflict: `${paint(io, 'red', 'conflict')}: ${what} was not published (nothing more was written)`,
    refused: `${paint(io, 'red', 'refused')}: ${what} was not published (nothing was written)`,
    'not-visible': r.packages.every((p) => p.kind === 'root' || p.verified)
      ? `${paint(io, 'red', 'stopped')}: the root did not show on the registry in time (every platform package is verified) — run again with --resume`
      : `${paint(io, 'red', 'stopped')}: a package did not show on the registry in time; the root was not published — run again with --resume`,
  };
  io.stdout(`\n${summary[r.outcome]}\n`);
  if (r.journalPath !== null) io.stdout(`journal: ${r.journalPath}\n`);
}

export const publishCommand: Command = {
  name: 'publish',
  summary: 'Publish a packed release atomically: platform packages first, verified on the registry, then the root, then the dist-tag.',
  options: [
    releaseDirOption('the release dir `pack` wrote', ['from']),
    ...REGISTRY_OPTIONS,
    {
      name: 'tag',
      type: 'string',
      value: 'TAG',
      description: 'the dist-tag to move onto the release',
      defaultText: "next for prereleases, else latest; on --resume the journal's",
    },
    { name: 'dry-run', type: 'boolean', description: 'read the registry and print the plan; write nothing' },
    {
      name: 'provenance',
      type: 'boolean',
      description: 'attach a signed SLSA provenance attestation to every package (GitHub Actions/GitLab CI with an OIDC id token)',
      defaultText: 'publishConfig.provenance, else npm_config_provenance, else the npmrc provenance setting',
    },
    { name: 'no-provenance', type: 'boolean', description: 'publish without provenance whatever the config says' },
    {
      name: 'resume',
      type: 'boolean',
      description: 'continue the run recorded in DIR/publish-journal.jsonl (a plain re-run continues too)',
    },
    OTP_OPTION,
    {
      name: 'concurrency',
      type: 'string',
      value: 'N',
      description: "packages in flight at once (npm's maxsockets default)",
      default: String(DEFAULT_REGISTRY_CONCURRENCY),
    },
    {
      name: 'public-key',
      type: 'string',
      value: 'FILE',
      description: 'the manifest must be signed by this Ed25519 key',
      defaultText: 'DIR/release-manifest.pub when present',
    },
    { name: 'access', type: 'string', value: 'public|restricted', description: 'access for scoped packages published for the first time' },
    {
      name: 'read-back-timeout',
      type: 'string',
      value: 'S',
      description: 'seconds to wait for a published version to show with our integrity',
      default: '120',
    },
    { name: 'journal', type: 'string', value: 'FILE', description: 'the append-only journal', defaultText: 'DIR/publish-journal.jsonl' },
    jsonOption('the result (preflight, plan, per package outcome, diagnostics)'),
  ],
  examples: [
    { description: 'see what would be published, writing nothing', command: 'napi-ship publish --dry-run' },
    {
      description: 'publish the release `pack` wrote, checking its signature',
      command: 'napi-ship publish --release-dir dist/release/packages --public-key release.pub',
    },
    { description: 'continue a run that stopped half-way', command: 'napi-ship publish --resume' },
    {
      description: 'publish from GitHub Actions with npm provenance (job needs id-token: write)',
      command: 'napi-ship publish --provenance',
    },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, publishCommand);
    if (refused !== null) return refused;
    const dir = path.resolve(io.cwd, stringOption(args, 'release-dir') ?? DEFAULT_RELEASE_DIR);
    const concurrencyText = stringOption(args, 'concurrency');
    const concurrency = concurrencyText === undefined ? DEFAULT_REGISTRY_CONCURRENCY : Number(concurrencyText);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
      return usageError(io, '--concurrency must be a whole number from 1 to 64', publishCommand);
    const access = stringOption(args, 'access');
    if (access !== undefined && access !== 'public' && access !== 'restricted')
      return usageError(io, '--access must be public or restricted', publishCommand);
    const readBackText = stringOption(args, 'read-back-timeout');
    const readBackSeconds = readBackText === undefined ? 120 : Number(readBackText);
    if (!Number.isFinite(readBackSeconds) || readBackSeconds <= 0 || readBackSeconds > 3600)
      return usageError(io, '--read-back-timeout must be a number of seconds from 1 to 3600', publishCommand);
    // Loaded, and npm's config read, while the release is read and hashed (no request is made before
    // it passes its checks); a failure of either is reported where the client is made.
    const settings = npmSettingsFromArgs(args, io);
    const journal = stringOption(args, 'journal');
    const tag = stringOption(args, 'tag');
    const otp = stringOption(args, 'otp');
    const keyFile = stringOption(args, 'public-key');
    let publicKeyPem: string | undefined;
    if (keyFile !== undefined) {
      const file = path.resolve(io.cwd, keyFile);
      try {
        publicKeyPem = (await readRegularFile(file, { maxBytes: LIMITS.key, what: 'the public key' })).toString('utf8');
      } catch (error) {
        if (error instanceof DiagnosticError && error.diagnostics[0]?.code !== 'NS_FS_NOT_FOUND') throw error;
        throw new DiagnosticError([
          diagnostic({
            code: 'NS_PUBLISH_PUBLIC_KEY',
            subject: file,
            message: 'the public key file cannot be read',
            hint: 'pass the `.pub` file written by `napi-ship keygen`',
          }),
        ]);
      }
    }
    // The release is read and checked (signature first, then bytes, then each tarball) before its
    // root's publishConfig may choose a registry: nothing unverified is inflated or trusted.
    const loaded = await loadRelease(dir, publicKeyPem === undefined ? {} : { publicKeyPem });
    const root = loaded.ok ? { name: loaded.release.manifest.name, publishConfig: loaded.release.root.packageJson.publishConfig } : null;
    const { client, authSource, resolved } = await registryClientFromArgs(args, io, root?.name ?? null, {
      ...(otp === undefined ? {} : { otp }),
      publishConfig: root?.publishConfig,
      settings,
    });
    // As npm: --tag / --access, else the (signed) root's publishConfig, else npm's tag / access config.
    const chosenTag = tag ?? resolved.tag ?? undefined;
    const chosenAccess = access ?? resolved.access ?? undefined;
    if (flag(args, 'provenance') && flag(args, 'no-provenance'))
      return usageError(io, '--provenance and --no-provenance cannot be used together', publishCommand);
    const provenanceSource = provenanceRequested({
      flag: flag(args, 'provenance') ? true : flag(args, 'no-provenance') ? false : undefined,
      env: io.env,
      npmConfig: resolved.provenance,
      publishConfig: root?.publishConfig,
    });
    const json = flag(args, 'json');
    io.stderr(paint(io, 'dim', `› registry ${client.registry} (auth: ${authSource})`) + '\n');
    const result = await publishRelease({
      releaseDir: dir,
      loaded,
      client,
      ...(chosenTag === undefined ? {} : { tag: chosenTag }),
      ...(publicKeyPem === undefined ? {} : { publicKeyPem }),
      ...(chosenAccess === undefined ? {} : { access: chosenAccess }),
      ...(journal === undefined ? {} : { journalPath: path.resolve(io.cwd, journal) }),
      concurrency,
      readBackTimeoutMs: Math.round(readBackSeconds * 1000),
      dryRun: flag(args, 'dry-run'),
      resume: flag(args, 'resume'),
      ...(provenanceSource === null ? {} : { provenance: { source: provenanceSource, env: io.env } }),
      onEvent: (e) => {
        progress(io, e);
      },
    });
    for (const d of result.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    if (json) io.stdout(JSON.stringify(publishJson(result), null, 2) + '\n');
    else renderResult(io, result);
    if (result.ok) return ExitCode.Ok;
    // Provenance that cannot be made is the machine's (3) or the command line's (2) to fix.
    return result.result.outcome === 'refused' && result.result.provenance !== null ? exitCodeOf(result.diagnostics) : ExitCode.Failed;
  },
};
