import { expect } from 'chai';
import { CallbackInbox, signCallback, verifyCallback, type CallbackEvent } from './callbacks';
import { NonceCache } from './signing';

const secret = 'callback-secret';
const url = 'http://127.0.0.1:9/callbacks/payment';
const event: CallbackEvent = { eventId: 'evt-1', type: 'payment.paid', subject: 'PO1', seq: 1, occurredAt: '2025-03-03T02:00:00.000Z', data: { paymentId: 'PO1', amountFen: 5000 } };

function receive(signed: { body: string; headers: Record<string, string> }, nonces = new NonceCache(), now?: number) {
  return verifyCallback({ method: 'POST', path: '/callbacks/payment', headers: signed.headers, body: signed.body }, { secret, nonces, now });
}

describe('callback verification', () => {
  it('when a callback is signed with the shared secret, then it is accepted and its event parsed', () => {
    const result = receive(signCallback(secret, { url, sender: 'payment', event }));
    expect(result).to.deep.equal({ ok: true, sender: 'payment', event });
  });

  it('when a callback is forged, then it is refused with 401 and the reason', () => {
    expect(receive(signCallback('guess', { url, sender: 'payment', event }))).to.deep.include({ ok: false, reason: 'bad-signature', status: 401 });
  });

  it('when a callback was signed six minutes ago, then it is refused as stale', () => {
    const signed = signCallback(secret, { url, sender: 'payment', event, now: Date.now() - 6 * 60_000 });
    expect(receive(signed)).to.deep.include({ ok: false, reason: 'stale-timestamp' });
  });

  it('when the same callback is replayed, then the replay is refused', () => {
    const nonces = new NonceCache();
    const signed = signCallback(secret, { url, sender: 'payment', event });
    expect(receive(signed, nonces).ok).to.equal(true);
    expect(receive(signed, nonces)).to.deep.include({ ok: false, reason: 'replayed-nonce' });
  });

  it('when a correctly signed body is not an event, then it is refused as malformed with 400', () => {
    const signed = signCallback(secret, { url, sender: 'payment', event: { ...event, eventId: '' } });
    expect(receive(signed)).to.deep.include({ ok: false, reason: 'malformed-body', status: 400 });
  });
});

describe('CallbackInbox', () => {
  it('when the same event arrives twice, then it takes effect once', () => {
    const inbox = new CallbackInbox();
    expect(inbox.accept(event)).to.equal('new');
    expect(inbox.accept(event)).to.equal('duplicate');
  });

  it('when an older event about a subject arrives after a newer one, then it is stale', () => {
    const inbox = new CallbackInbox();
    expect(inbox.accept({ eventId: 'b', subject: 'W1', seq: 3 })).to.equal('new');
    expect(inbox.accept({ eventId: 'a', subject: 'W1', seq: 2 })).to.equal('stale');
    expect(inbox.accept({ eventId: 'c', subject: 'W2', seq: 1 })).to.equal('new');
    expect(inbox.accept({ eventId: 'd', subject: 'W1', seq: 4 })).to.equal('new');
  });
});
