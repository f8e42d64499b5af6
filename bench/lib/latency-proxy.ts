/**
 * A reverse proxy on loopback that makes a local registry behave like a distant one: every request
 * waits `delayMs` before it is forwarded and every response `delayMs` before its first byte (one
 * round trip of 2 × delayMs per request), and each connection's bytes, both ways, flow at most
 * `bytesPerSecond` (a per-connection cap, as an upload to a real registry is paced by its own TCP
 * connection). TCP and TLS set-up are not modelled: they would cost both tools alike, more for the
 * one that opens more connections (npm, one process per package).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LatencyProxyOptions {
  readonly target: string;
  /** One-way delay in milliseconds (the round trip is twice this). */
  readonly delayMs: number;
  /** Per-connection bandwidth, each direction. */
  readonly bytesPerSecond: number;
}

export interface LatencyProxy {
  readonly url: string;
  readonly options: LatencyProxyOptions;
  stop(): Promise<void>;
  /** Requests forwarded so far. */
  requests(): number;
}

/** Paces the bytes through it at `bytesPerSecond` (a token bucket with no burst). */
class Throttle extends Transform {
  #next = 0;

  constructor(private readonly bytesPerSecond: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const now = performance.now();
    this.#next = Math.max(this.#next, now) + (chunk.length / this.bytesPerSecond) * 1000;
    const wait = this.#next - now;
    if (wait < 1) {
      callback(null, chunk);
      return;
    }
    setTimeout(() => {
      callback(null, chunk);
    }, wait);
  }
}

export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:') throw new Error('the latency proxy forwards to an http:// target only');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    void (async () => {
      await sleep(options.delayMs);
      const upstream = http.request({
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `${target.pathname.replace(/\/$/, '')}${req.url ?? '/'}`,
        headers: { ...req.headers, host: target.host },
        agent,
        timeout: 120_000,
      });
      upstream.on('response', (up) => {
        void (async () => {
          await sleep(options.delayMs);
          res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers);
          await pipeline(up, new Throttle(options.bytesPerSecond), res).catch(() => undefined);
        })();
      });
      upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      await pipeline(req, new Throttle(options.bytesPerSecond), upstream).catch(() => undefined);
    })();
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/`,
    options,
    requests: () => count,
    stop: async () => {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
