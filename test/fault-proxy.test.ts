/**
 * The fault-injecting proxy itself, in front of a tiny loopback target that counts what reaches it:
 * each kind does what it says (answers without forwarding, resets, stalls, forwards then loses the
 * answer), the seeded PRNG is reproducible, the rate is roughly honoured, and stop() is bounded.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ALL_FAULT_KINDS, mulberry32, startFaultProxy, type FaultKind } from '../scripts/lib/fault-proxy.js';

let target: http.Server;
let targetUrl = '';
let arrived: string[] = [];

before(async () => {
  target = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrived.push(`${req.method ?? ''} ${req.url ?? ''} ${Buffer.concat(chunks).toString('utf8')}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, url: req.url, host: req.headers.host }));
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${String((target.address() as AddressInfo).port)}/`;
});
after(async () => {
  target.closeAllConnections();
  await new Promise<void>((resolve) =>
    target.close(() => {
      resolve();
    }),
  );
});

type Outcome = { kind: 'status'; status: number; retryAfter: string | undefined } | { kind: 'error'; code: string };

/** One request on a fresh connection (no keep-alive), its outcome. */
function call(url: string, method = 'GET', body?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method,
        agent: false,
        timeout: 5000,
        headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve({ kind: 'status', status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
        });
        res.on('error', () => {
          resolve({ kind: 'error', code: 'ERESPONSE' });
        });
      },
    );
    req.on('timeout', () => {
      req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ kind: 'error', code: error.code ?? 'E?' });
    });
    req.end(body);
  });
}

describe('the fault proxy', () => {
  test('rate 0 forwards everything unchanged, path and body included', async () => {
    const proxy = await startFaultProxy({ target: targetUrl, rate: 0 });
    try {
      arrived = [];
      assert.deepEqual(await call(`${proxy.url}a/b?c=1`, 'PUT', '{"x":1}'), { kind: 'status', status: 200, retryAfter: undefined });
      assert.deepEqual(arrived, ['PUT /a/b?c=1 {"x":1}']);
      assert.deepEqual(proxy.stats(), { requests: 1, forwarded: 1, faults: 0 });
    } finally {
      await proxy.stop();
    }
  });

  const expectations: Record<FaultKind, { forwarded: boolean; check: (o: Outcome) => boolean }> = {
    '500': { forwarded: false, check: (o) => o.kind === 'status' && o.status === 500 },
    '503': { forwarded: false, check: (o) => o.kind === 'status' && o.status === 503 && o.retryAfter === '3' },
    '429': { forwarded: false, check: (o) => o.kind === 'status' && o.status === 429 && o.retryAfter === '3' },
    reset: { forwarded: false, check: (o) => o.kind === 'error' && o.code === 'ECONNRESET' },
    stall: { forwarded: false, check: (o) => o.kind === 'error' && o.code === 'ECONNRESET' },
    'reset-after-forward': { forwarded: true, check: (o) => o.kind === 'error' && o.code === 'ECONNRESET' },
  };
  for (const kind of ALL_FAULT_KINDS) {
    test(`kind ${kind}`, async () => {
      const proxy = await startFaultProxy({ target: targetUrl, rate: 1, kinds: [kind], retryAfterSeconds: 3, stallMs: 200 });
      try {
        arrived = [];
        const outcome = await call(`${proxy.url}pkg`, 'PUT', '{"v":1}');
        assert.ok(expectations[kind].check(outcome), `${kind}: ${JSON.stringify(outcome)}`);
        assert.equal(arrived.length, expectations[kind].forwarded ? 1 : 0, `${kind} forwarded?`);
        const stats = proxy.stats();
        assert.equal(stats.faults, 1);
        assert.equal(stats[kind], 1);
      } finally {
        await proxy.stop();
      }
    });
  }

  test('methods and maxFaults narrow the faults', async () => {
    const proxy = await startFaultProxy({ target: targetUrl, rate: 1, kinds: ['500'], methods: ['PUT'], maxFaults: 2 });
    try {
      for (let i = 0; i < 2; i++)
        assert.deepEqual(await call(proxy.url, 'GET'), { kind: 'status', status: 200, retryAfter: undefined }, 'GETs are never faulted');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const o = await call(proxy.url, 'PUT', '{}');
        statuses.push(o.kind === 'status' ? o.status : -1);
      }
      assert.deepEqual(statuses, [500, 500, 200, 200]);
    } finally {
      await proxy.stop();
    }
  });

  test('seeded: the same seed injects the same faults; the rate is roughly honoured', async () => {
    const sequence = async (seed: number): Promise<string[]> => {
      const proxy = await startFaultProxy({ target: targetUrl, rate: 0.3, seed, kinds: ['500', '503', '429'] });
      try {
        const out: string[] = [];
        for (let i = 0; i < 60; i++) {
          const o = await call(proxy.url);
          out.push(o.kind === 'status' ? String(o.status) : o.code);
        }
        return out;
      } finally {
        await proxy.stop();
      }
    };
    const a = await sequence(42);
    assert.deepEqual(await sequence(42), a);
    assert.notDeepEqual(await sequence(43), a);
    const faults = a.filter((s) => s !== '200').length;
    assert.ok(faults >= 6 && faults <= 32, `30 % of 60 is 18; got ${String(faults)}`);
    // The PRNG alone: its mean is near 0.5.
    const r = mulberry32(7);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += r();
    assert.ok(Math.abs(sum / 10_000 - 0.5) < 0.02);
  });

  test('stop() ends open stalls and connections', async () => {
    const proxy = await startFaultProxy({ target: targetUrl, rate: 1, kinds: ['stall'], stallMs: 60_000 });
    const pending = call(proxy.url);
    while ((proxy.stats().stall ?? 0) === 0) await new Promise((r) => setTimeout(r, 10));
    await proxy.stop();
    const outcome = await pending;
    assert.equal(outcome.kind, 'error');
  });
});
