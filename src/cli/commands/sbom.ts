import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatDiagnostic, hasErrors } from '../../diagnostics/index.js';
import { MANIFEST_FILE } from '../../manifest/index.js';
import { generateSboms, readProjectInventories, releaseSource, writeShippedNpmSbom, type SbomFormat } from '../../sbom/index.js';
import { flag, stringOption, type Command } from '../command.js';
import { CONFIG_PATH_OPTION, CWD_OPTION, jsonOption, releaseDirOption } from '../options.js';
import { planFromArgs } from '../plan-args.js';
import { exitCodeOf } from '../exit-codes.js';
import { paint, textTable, type Io } from '../output.js';
import { rejectPositionals, usageError } from './usage.js';

const FORMATS: readonly SbomFormat[] = ['spdx', 'cyclonedx'];

/** A policy may hold clarifications (`napiShip.policy`, or napi-ship.config.json): only then is the policy read (and loaded). */
function hasPolicy(rootDir: string, manifest: Readonly<Record<string, unknown>>): boolean {
  const napiShip = manifest.napiShip;
  return (
    (typeof napiShip === 'object' && napiShip !== null && 'policy' in napiShip) || existsSync(path.join(rootDir, 'napi-ship.config.json'))
  );
}

export const sbomCommand: Command = {
  name: 'sbom',
  summary: 'Write SBOMs: SPDX 2.3 for the Rust crates, the npm dependencies and the packed release (or CycloneDX 1.6 via cdxgen).',
  options: [
    CWD_OPTION,
    CONFIG_PATH_OPTION,
    { name: 'out', type: 'string', value: 'DIR', description: 'where to write the documents', defaultText: '<cwd>/dist/sbom' },
    releaseDirOption(
      `a packed release dir (with ${MANIFEST_FILE}) to describe in sbom.release.spdx.json`,
      ['release'],
      '<cwd>/dist/release/packages when it exists; otherwise only the dependency SBOMs',
    ),
    {
      name: 'format',
      type: 'string',
      value: 'spdx|cyclonedx',
      description: 'spdx, or cyclonedx (needs @cyclonedx/cdxgen installed)',
      default: 'spdx',
    },
    { name: 'include-dev', type: 'boolean', description: "also list the root's dev dependencies (marked as such)" },
    { name: 'no-fetch', type: 'boolean', description: 'never run `cargo fetch --locked`: fail if the local registry cache lacks a crate' },
    {
      name: 'no-cache',
      type: 'boolean',
      description:
        "read the dependency graphs again instead of taking them from napi-ship's cache (used only while Cargo.lock, the Cargo.toml files, the npm lockfile, node_modules and the targets are unchanged)",
    },
    jsonOption('{ ok, format, outDir, documents, notes, cache, diagnostics }'),
  ],
  examples: [
    { description: 'SPDX documents for the crates, the npm dependencies and the packed release', command: 'napi-ship sbom' },
    { description: 'CycloneDX instead, into another dir', command: 'napi-ship sbom --format cyclonedx --out sbom' },
    { description: 'the targets from a napi-rs config file instead of package.json `napi`', command: 'napi-ship sbom -c napi.config.json' },
  ],
  async run(args, io: Io) {
    const refused = rejectPositionals(io, args.positionals, sbomCommand);
    if (refused !== null) return refused;
    const format = stringOption(args, 'format') ?? 'spdx';
    if (!FORMATS.includes(format as SbomFormat)) return usageError(io, `--format must be spdx or cyclonedx, not "${format}"`, sbomCommand);
    const json = flag(args, 'json');
    const rootDir = path.resolve(io.cwd, stringOption(args, 'cwd') ?? '.');
    const out = stringOption(args, 'out');
    const outDir = out === undefined ? path.join(rootDir, 'dist', 'sbom') : path.resolve(io.cwd, out);
    const releaseOption = stringOption(args, 'release-dir');
    const releaseDir =
      releaseOption === undefined ? path.join(rootDir, 'dist', 'release', 'packages') : path.resolve(io.cwd, releaseOption);
    const useRelease = format === 'spdx' && (releaseOption !== undefined || existsSync(path.join(releaseDir, MANIFEST_FILE)));

    // With -c, the targets (and so the per-target crate graphs) are the config file's, as napi build reads them.
    const configTargets =
      stringOption(args, 'config-path') === undefined ? null : (await planFromArgs(args, io)).targets.map((t) => t.spec.triple);
    if (!json) io.stderr(paint(io, 'dim', '› reading the dependency graphs (cargo metadata, lockfile)…') + '\n');
    const project = await readProjectInventories({
      rootDir,
      ...(configTargets === null ? {} : { targets: configTargets }),
      env: io.env,
      ...(flag(args, 'include-dev') ? { includeDev: true } : {}),
      ...(flag(args, 'no-fetch') ? { fetch: false } : {}),
      cache: !flag(args, 'no-cache'),
    });
    if (!json) io.stderr(paint(io, 'dim', `› writing ${format === 'spdx' ? 'SPDX 2.3' : 'CycloneDX 1.6'} documents…`) + '\n');
    const result = await generateSboms({
      rootDir,
      outDir,
      env: io.env,
      inventories: project,
      format: format as SbomFormat,
      release: useRelease ? await releaseSource(releaseDir) : null,
      // The policy's clarifications, as the dry run writes them: both describe the same graph.
      ...(format === 'spdx' && hasPolicy(rootDir, project.rootManifest)
        ? { corrections: await (await import('../../release/sbom-policy.js')).policyCorrections(rootDir, project) }
        : {}),
    });
    const diagnostics = [...result.outcome.diagnostics];
    let shipped: string | null = null;
    if (project.config.shipNpmSbom && format === 'spdx') {
      const s = await writeShippedNpmSbom(project, rootDir, { rootDir, env: io.env });
      shipped = s.file;
      diagnostics.push(...s.diagnostics);
    }
    const ok = !hasErrors(diagnostics);
    if (json) {
      io.stdout(
        JSON.stringify({ ok, ...result.outcome.result, cache: project.cache ?? { state: 'off' }, shipped, diagnostics }, null, 2) + '\n',
      );
      return exitCodeOf(diagnostics);
    }
    io.stdout(
      textTable(
        ['document', 'packages', 'sha256'],
        result.outcome.result.documents.map((d) => [path.relative(io.cwd, d.file) || d.file, String(d.packages), d.sha256]),
      ),
    );
    for (const n of result.outcome.result.notes) io.stdout(`note: ${n}\n`);
    if (shipped !== null) io.stdout(`npm SBOM copied into the root package: ${shipped}\n`);
    for (const d of diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    return exitCodeOf(diagnostics);
  },
};
