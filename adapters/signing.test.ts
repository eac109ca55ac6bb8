import { expect } from 'chai';
import { NonceCache, signedHeaders, verifySignature, type HeaderBag } from './signing';

const secret = 'test-secret';
const message = { method: 'POST', path: '/orders?x=1', sender: 'onewindow', body: '{"amountFen":100}' };

function check(headers: HeaderBag, over: Partial<typeof message> = {}, opts: { now?: number; nonces?: NonceCache; secret?: string | ((s: string) => string | undefined) } = {}) {
  const m = { ...message, ...over };
  return verifySignature({ method: m.method, path: m.path, headers, body: m.body }, { secret: opts.secret ?? secret, nonces: opts.nonces ?? new NonceCache(), now: opts.now });
}

describe('request and callback signing (HMAC-SHA256)', () => {
  it('when a message is signed and checked with the same secret, then it is accepted with its sender', () => {
    expect(check(signedHeaders(secret, message))).to.deep.equal({ ok: true, sender: 'onewindow' });
  });

  it('when the body, path or method changes after signing, then the signature is refused', () => {
    const headers = signedHeaders(secret, message);
    for (const over of [{ body: '{"amountFen":101}' }, { path: '/orders?x=2' }, { method: 'PUT' }, { sender: 'other' }]) {
      const h = over.sender ? { ...headers, 'x-ow-sender': over.sender } : headers;
      expect(check(h, over)).to.include({ ok: false, reason: 'bad-signature' });
    }
  });

  it('when signed with another secret, then it is refused as a bad signature with a clear message', () => {
    const result = check(signedHeaders('forged', message));
    expect(result).to.deep.equal({ ok: false, reason: 'bad-signature', message: '签名校验失败' });
  });

  it('when a signature header is missing, then it is refused as unsigned', () => {
    const { 'x-ow-nonce': _n, ...headers } = signedHeaders(secret, message);
    expect(check(headers)).to.include({ reason: 'missing-signature' });
  });

  it('when the sender has no secret, then it is refused as unknown', () => {
    expect(check(signedHeaders(secret, message), {}, { secret: () => undefined })).to.include({ reason: 'unknown-sender' });
  });

  it('when the timestamp is more than five minutes off, then it is refused as stale; within five minutes it passes', () => {
    const now = Date.now();
    expect(check(signedHeaders(secret, { ...message, now: now - 5 * 60_000 - 1 }), {}, { now })).to.include({ reason: 'stale-timestamp' });
    expect(check(signedHeaders(secret, { ...message, now: now + 5 * 60_000 + 1 }), {}, { now })).to.include({ reason: 'stale-timestamp' });
    expect(check(signedHeaders(secret, { ...message, now: now - 4 * 60_000 }), {}, { now })).to.include({ ok: true });
  });

  it('when the same signed message arrives twice, then the second is refused as a replay', () => {
    const nonces = new NonceCache();
    const headers = signedHeaders(secret, message);
    expect(check(headers, {}, { nonces })).to.include({ ok: true });
    expect(check(headers, {}, { nonces })).to.include({ ok: false, reason: 'replayed-nonce' });
  });

  it('when a forged message uses a nonce first, then the genuine message with that nonce still passes', () => {
    const nonces = new NonceCache();
    expect(check(signedHeaders('forged', { ...message, nonce: 'n-1' }), {}, { nonces })).to.include({ reason: 'bad-signature' });
    expect(check(signedHeaders(secret, { ...message, nonce: 'n-1' }), {}, { nonces })).to.include({ ok: true });
  });
});

describe('NonceCache', () => {
  it('when a nonce is older than its lifetime, then it is forgotten', () => {
    const cache = new NonceCache({ ttlMs: 1_000 });
    expect(cache.remember('a', 0)).to.equal(true);
    expect(cache.remember('a', 999)).to.equal(false);
    expect(cache.remember('a', 2_000)).to.equal(true);
  });

  it('when it is full, then the oldest nonces go first', () => {
    const cache = new NonceCache({ ttlMs: 60_000, maxEntries: 3 });
    for (const n of ['a', 'b', 'c', 'd']) cache.remember(n, 0);
    expect(cache.size).to.equal(3);
    expect(cache.remember('d', 1)).to.equal(false);
    expect(cache.remember('a', 1)).to.equal(true);
  });
});
