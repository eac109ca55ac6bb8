import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { AdapterRefusal, TransientAdapterError } from './errors';
import { backoffDelay, idempotencyKey, PlatformHttp } from './http';

/** A platform that answers from a script, one answer per request, and counts requests. */
async function scripted(answers: ({ status: number; body?: unknown } | 'hang')[]) {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    const a = answers[Math.min(seen.length - 1, answers.length - 1)];
    if (a === 'hang') return;
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body === undefined ? '' : JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  };
  return { url, seen, close };
}

const client = (url: string) => new PlatformHttp('test', { baseUrl: url, secret: 's', timeoutMs: 200, retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 } });

describe('platform HTTP client', () => {
  it('when the platform fails with 503 and then answers, then the call succeeds with the same idempotency key and fresh nonces', async () => {
    const p = await scripted([{ status: 503 }, { status: 503 }, { status: 200, body: { ok: true } }]);
    try {
      expect(await client(p.url).call('POST', '/x', { body: {}, idempotencyKey: 'k/1' })).to.deep.equal({ ok: true });
      expect(p.seen.map((h) => h['idempotency-key'])).to.deep.equal(['k/1', 'k/1', 'k/1']);
      expect(new Set(p.seen.map((h) => h['x-ow-nonce'])).size).to.equal(3);
    } finally {
      await p.close();
    }
  });

  it('when the platform keeps failing, then the call gives up after the bounded attempts with a transient error', async () => {
    const p = await scripted([{ status: 502 }]);
    try {
      const err = await client(p.url).call('GET', '/x').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(TransientAdapterError).and.include({ status: 502 });
      expect(p.seen).to.have.length(3);
    } finally {
      await p.close();
    }
  });

  it('when the platform does not answer in time, then the attempt times out as a transient error', async () => {
    const p = await scripted(['hang']);
    try {
      const started = Date.now();
      const err = await client(p.url).call('GET', '/x').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(TransientAdapterError);
      expect((err as Error).message).to.contain('200 ms');
      expect(Date.now() - started).to.be.below(2_000);
    } finally {
      await p.close();
    }
  });

  it('when the platform refuses with 4xx, then the refusal carries its code and message and is not retried', async () => {
    const p = await scripted([{ status: 409, body: { code: 'order-closed', message: '订单已关闭' } }]);
    try {
      const err = await client(p.url).call('POST', '/x', { body: {} }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(AdapterRefusal).and.include({ code: 'order-closed', message: '订单已关闭', status: 409 });
      expect(p.seen).to.have.length(1);
    } finally {
      await p.close();
    }
  });

  it('when nothing listens, then the network fault is transient', async () => {
    const p = await scripted([{ status: 200 }]);
    await p.close();
    expect(await client(p.url).call('GET', '/x').catch((e: unknown) => e)).to.be.instanceOf(TransientAdapterError);
  });

  it('when retries back off, then each wait doubles up to the cap, with jitter between half and all of it', () => {
    const policy = { attempts: 6, initialDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1))).to.deep.equal([100, 200, 400, 500]);
    expect(backoffDelay(2, policy, () => 0)).to.equal(100);
  });

  it('when a key is derived, then the operation is part of it and an empty key is refused', () => {
    expect(idempotencyKey('certificate.issue', '2025:issue')).to.equal('certificate.issue/2025:issue');
    expect(() => idempotencyKey('x', '')).to.throw(TypeError);
  });
});
