/**
 * Child process that runs one @napi-rs/cli programmatic build (`new NapiCli().build(options)`).
 *
 * napi-rs spawns cargo with inherited stdio; running the API here, with this process's stdout and
 * stderr piped to the parent, lets the parent turn cargo's output into log lines (so
 * `--log-format json` stays JSON and `--json` keeps stdout clean) and keep its tail for a failure.
 *
 * argv[2]: JSON `{ entry, options }` — the resolved @napi-rs/cli entry and the build options.
 * Reply (IPC): `{ ok: true, outputs: [{ kind, path }] }` or `{ ok: false, message }`.
 */
import { createRequire } from 'node:module';
import { isRecord } from '../util/json.js';
import { readOutputs } from './outputs.js';
import type { BuildOutput } from './types.js';

export interface WorkerRequest {
  readonly entry: string;
  readonly options: Readonly<Record<string, string | boolean | readonly string[]>>;
  /** Variables set for this build only (the runner puts them in the child's environment). */
  readonly env?: Readonly<Record<string, string>>;
}

export type WorkerReply =
  { readonly ok: true; readonly outputs: readonly BuildOutput[] } | { readonly ok: false; readonly message: string };

interface NapiBuildApi {
  build(options: Readonly<Record<string, string | boolean | readonly string[]>>): Promise<{ task: Promise<unknown> }>;
}

function napiCli(entry: string): NapiBuildApi {
  const mod: unknown = createRequire(import.meta.url)(entry);
  const Cli = isRecord(mod) ? mod.NapiCli : undefined;
  if (typeof Cli !== 'function') throw new Error(`${entry} does not export NapiCli (is @napi-rs/cli 3.x installed?)`);
  const instance: unknown = Reflect.construct(Cli, []);
  if (!isRecord(instance) || typeof instance.build !== 'function') throw new Error('NapiCli has no build() method');
  const build = instance.build as NapiBuildApi['build'];
  return { build: (options) => build.call(instance, options) };
}

async function main(): Promise<WorkerReply> {
  const raw: unknown = JSON.parse(process.argv[2] ?? '{}');
  if (!isRecord(raw) || typeof raw.entry !== 'string' || !isRecord(raw.options)) return { ok: false, message: 'bad worker request' };
  const options: Record<string, string | boolean | string[]> = {};
  for (const [k, v] of Object.entries(raw.options)) {
    if (typeof v === 'string' || typeof v === 'boolean') options[k] = v;
    else if (Array.isArray(v)) options[k] = v.filter((x): x is string => typeof x === 'string');
  }
  try {
    const { task } = await napiCli(raw.entry).build(options);
    return { ok: true, outputs: readOutputs(await task) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

const reply = await main();
if (process.send) {
  process.send(reply, () => {
    process.disconnect();
  });
} else {
  process.stdout.write(JSON.stringify(reply) + '\n');
}
