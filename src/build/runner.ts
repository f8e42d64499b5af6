/**
 * Run one napi build in the worker child (see worker.ts): cargo's output becomes debug log lines,
 * its last lines are kept for a failure, and a long build reports progress every so often.
 */
import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isRecord } from '../util/json.js';
import { formatDuration, type Logger } from '../log/index.js';
import { readOutputs } from './outputs.js';
import { envWithTools } from './tools.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

export interface RunOutcome {
  readonly reply: WorkerReply;
  /** The last lines cargo and napi-rs printed (for a failure's reason). */
  readonly tail: readonly string[];
  /** cargo's first `error…` line, wherever it came. */
  readonly firstError: string | null;
  /** The cargo command napi-rs ran (from its debug output), e.g. `cargo zigbuild --target …`; null when not seen. */
  readonly cargoCommand: string | null;
}

const TAIL_LINES = 30;
const HEARTBEAT_MS = 20_000;

function parseReply(message: unknown): WorkerReply | null {
  if (!isRecord(message)) return null;
  if (message.ok === true && Array.isArray(message.outputs)) {
    return { ok: true, outputs: readOutputs(message.outputs) };
  }
  if (message.ok === false && typeof message.message === 'string') return { ok: false, message: message.message };
  return null;
}

export function runNapiBuild(request: WorkerRequest, cwd: string, logger: Logger, target: string): Promise<RunOutcome> {
  const worker = fileURLToPath(new URL('./worker.js', import.meta.url));
  const env: NodeJS.ProcessEnv = { ...envWithTools(process.env), ...request.env, CARGO_TERM_COLOR: 'never', NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  // napi-rs's own debug output names the cargo command it runs (`cargo zigbuild …`, `cargo build …`):
  // that, not what was asked, is the toolchain the report names. It goes to the debug log only.
  env.DEBUG = env.DEBUG ? `${env.DEBUG},napi:build` : 'napi:build';
  env.DEBUG_COLORS = '0';
  return new Promise((resolve) => {
    const child = fork(worker, [JSON.stringify(request)], { cwd, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const tail: string[] = [];
    let firstError: string | null = null;
    let cargoCommand: string | null = null;
    let compiled = 0;
    let reply: WorkerReply | null = null;
    const started = performance.now();
    const onLine = (line: string): void => {
      const text = line.trimEnd();
      if (text === '') return;
      if (/^\s*Compiling /.test(text)) compiled += 1;
      if (firstError === null && /^error(\[|:)/.test(text.trim())) firstError = text.trim();
      const cargo = /\bcargo ((?:zigbuild|xwin build|build)\b.*)$/.exec(text);
      if (cargo && /--target|--release|--lib|zigbuild|xwin/.test(text)) cargoCommand = `cargo ${cargo[1] ?? ''}`.trim();
      tail.push(text);
      if (tail.length > TAIL_LINES) tail.shift();
      logger.debug(text, { target });
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
    if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);
    const heartbeat = setInterval(() => {
      logger.info(`still building ${target}: ${compiled} crate(s) compiled, ${formatDuration(performance.now() - started)}`, { target });
    }, HEARTBEAT_MS);
    heartbeat.unref();
    child.on('message', (message) => {
      reply = parseReply(message) ?? reply;
    });
    child.on('error', (error) => {
      reply ??= { ok: false, message: `cannot start the build worker: ${error.message}` };
    });
    child.on('close', (code, signal) => {
      clearInterval(heartbeat);
      resolve({
        reply: reply ?? { ok: false, message: `the build worker exited without a result (${signal ?? `exit code ${String(code)}`})` },
        tail,
        firstError,
        cargoCommand,
      });
    });
  });
}
