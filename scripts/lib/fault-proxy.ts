/**
 * A fault-injecting reverse proxy on loopback, in front of a registry (verdaccio in the tests).
 *
 * Each request is forwarded to `target` unchanged, unless the seeded PRNG decides (with probability
 * `rate`) to inject one of `kinds`:
 *   - `500` / `503`: answer that status without forwarding (`503` carries `Retry-After`);
 *   - `429`: answer 429 with `Retry-After: retryAfterSeconds` without forwarding;
 *   - `reset`: destroy the client's socket without forwarding;
 *   - `stall`: hold the request `stallMs` without answering, then destroy the socket (not forwarded);
 *   - `reset-after-forward`: forward the request, wait for the target's whole answer, then destroy
 *     the client's socket without sending it — "the PUT landed but the answer was lost".
 * Everything is bounded: stalls end, upstream requests time out, `stop()` destroys what is open.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mulberry32 } from './prng.js';

export type FaultKind = '500' | '503' | '429' | 'reset' | 'stall' | 'reset-after-forward';

export const ALL_FAULT_KINDS: readonly FaultKind[] = ['500', '503', '429', 'reset', 'stall', 'reset-after-forward'];

export interface FaultProxyOptions {
  readonly target: string;
  /** Probability in [0, 1] that a request gets a fault. */
  readonly rate: number;
  readonly seed?: number;
  readonly kinds?: readonly FaultKind[];
  /** How long a stall holds the request (default 2000 ms; make it longer than the client's timeout). */
  readonly stallMs?: number;
  /** `Retry-After` of a 429/503 in seconds (default 1). */
  readonly retryAfterSeconds?: number;
  /** Only requests with these methods may get a fault (default: all). */
  readonly methods?: readonly string[];
  /** Stop injecting after this many faults (default: no limit). */
  readonly maxFaults?: number;
}

export interface FaultProxy {
  readonly url: string;
  stop(): Promise<void>;
  /** `requests`, `forwarded`, `faults` and one count per fault kind. */
  stats(): Record<string, number>;
}

export { mulberry32 } from './prng.js';

/** The longest a forwarded request may take at the target. */
const UPSTREAM_TIMEOUT_MS = 60_000;

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  if (target.protocol !== 'http:') throw new Error('the fault proxy forwards to an http:// target only');
  const kinds = opts.kinds ?? ALL_FAULT_KINDS;
  if (kinds.length === 0) throw new Error('kinds must not be empty');
  if (!(opts.rate >= 0 && opts.rate <= 1)) throw new Error('rate must be in [0, 1]');
  const random = mulberry32(opts.seed ?? 1);
  const stallMs = Math.min(opts.stallMs ?? 2000, 60_000);
  const retryAfter = String(opts.retryAfterSeconds ?? 1);
  const methods = opts.methods?.map((m) => m.toUpperCase());
  const counts: Record<string, number> = { requests: 0, forwarded: 0, faults: 0 };
  const bump = (key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const upstreams = new Set<http.ClientRequest>();

  const pick = (method: string): FaultKind | null => {
    // Always draw both numbers, so the sequence of decisions depends on the seed alone.
    const roll = random();
    const which = random();
    if (methods !== undefined && !methods.includes(method)) return null;
    if (opts.maxFaults !== undefined && (counts.faults ?? 0) >= opts.maxFaults) return null;
    if (roll >= opts.rate) return null;
    return kinds[Math.min(kinds.length - 1, Math.floor(which * kinds.length))] ?? null;
  };

  const forward = (req: http.IncomingMessage, onResponse: (res: http.IncomingMessage) => void, onError: (error: Error) => void): void => {
    bump('forwarded');
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        timeout: UPSTREAM_TIMEOUT_MS,
      },
      (res) => {
        upstreams.delete(upstream);
        onResponse(res);
      },
    );
    upstreams.add(upstream);
    upstream.on('timeout', () => {
      upstream.destroy(new Error('upstream timeout'));
    });
    upstream.on('error', (error) => {
      upstreams.delete(upstream);
      onError(error);
    });
    req.pipe(upstream);
  };

  const server = http.createServer((req, res) => {
    bump('requests');
    const method = (req.method ?? 'GET').toUpperCase();
    const fault = pick(method);
    if (fault !== null) {
      bump('faults');
      bump(fault);
    }
    const fail = (): void => {
      req.socket.destroy();
    };
    switch (fault) {
      case null:
        forward(
          req,
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
          () => {
            if (!res.headersSent) {
              res.writeHead(502, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ error: 'fault proxy: upstream failed' }));
            } else {
              fail();
            }
          },
        );
        return;
      case '500':
      case '503':
      case '429':
        // Read the request to its end first, so the client sees an answer rather than a broken pipe.
        req.resume();
        req.on('end', () => {
          const status = Number(fault);
          res.writeHead(status, {
            'content-type': 'application/json',
            connection: 'close',
            ...(status === 500 ? {} : { 'retry-after': retryAfter }),
          });
          res.end(JSON.stringify({ error: `fault proxy: injected ${fault}` }));
        });
        return;
      case 'reset':
        fail();
        return;
      case 'stall': {
        req.resume();
        const timer = setTimeout(() => {
          timers.delete(timer);
          fail();
        }, stallMs);
        timers.add(timer);
        return;
      }
      case 'reset-after-forward':
        forward(
          req,
          (up) => {
            // Let the target finish (the write lands), then lose the answer.
            up.resume();
            up.on('end', fail);
            up.on('error', fail);
          },
          fail,
        );
        return;
    }
  });
  server.keepAliveTimeout = 2_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => {
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${String(address.port)}${target.pathname.endsWith('/') ? target.pathname : `${target.pathname}/`}`;

  return {
    url,
    stats: () => ({ ...counts }),
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const upstream of upstreams) upstream.destroy();
      const closed = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
