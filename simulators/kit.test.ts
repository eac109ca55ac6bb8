import { expect } from 'chai';
import type { RunningSimulator } from './kit';
import { signedHeaders } from '../adapters/signing';
import { startMessagingSimulator, type MessagingControl } from './messaging';

const secret = 'kit-secret';

async function post(url: string, path: string, body: unknown, key?: string, signal?: AbortSignal) {
  const raw = JSON.stringify(body);
  const headers = { ...signedHeaders(secret, { method: 'POST', path, sender: 'test', body: raw }), 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) };
  return await fetch(`${url}${path}`, { method: 'POST', headers, body: raw, signal });
}

describe('simulator control endpoints and faults', () => {
  let sim: RunningSimulator<MessagingControl>;
  const sms = { phone: '13800138000', template: 't', params: {} };

  before(async () => {
    sim = await startMessagingSimulator({ secret, hangMs: 300 });
  });
  after(() => sim.close());
  beforeEach(() => sim.control.reset());

  it('when faults are set piecewise, then they merge and unknown or wrongly typed faults are refused', async () => {
    await sim.control.setFaults({ failNext: 2 });
    expect(await sim.control.setFaults({ duplicateCallbacks: true })).to.deep.equal({
      latencyMs: 0, failNext: 2, timeoutNext: 0, duplicateCallbacks: true, reorderCallbacks: false, badSignature: false,
    });
    const unknown = await fetch(`${sim.url}/_control/faults`, { method: 'POST', body: JSON.stringify({ explode: true }) });
    expect(unknown.status).to.equal(400);
    const wrong = await fetch(`${sim.url}/_control/faults`, { method: 'POST', body: JSON.stringify({ failNext: -1 }) });
    expect(wrong.status).to.equal(400);
  });

  it('when failNext is 2, then exactly the next two requests answer 503 and nothing is done for them', async () => {
    await sim.control.setFaults({ failNext: 2 });
    const statuses = [];
    for (const key of ['a', 'b', 'c']) statuses.push((await post(sim.url, '/sms', sms, key)).status);
    expect(statuses).to.deep.equal([503, 503, 201]);
    expect(await sim.control.effects()).to.have.length(1);
  });

  it('when latency is set, then answers are that much slower', async () => {
    await sim.control.setFaults({ latencyMs: 120 });
    const started = Date.now();
    await post(sim.url, '/sms', sms, 'slow');
    expect(Date.now() - started).to.be.at.least(120);
  });

  it('when timeoutNext is 1, then the request is carried out but its answer is held back', async () => {
    await sim.control.setFaults({ timeoutNext: 1 });
    const err = await post(sim.url, '/sms', sms, 'held', AbortSignal.timeout(100)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error).and.have.property('name', 'TimeoutError');
    expect((await sim.control.requests())[0].detail.fault).to.equal('timeout');
    expect(await sim.control.effects('sms.sent')).to.have.length(1);
  });

  it('when a request is unsigned or its body is changed, then it is refused with the reason', async () => {
    const unsigned = await fetch(`${sim.url}/sms`, { method: 'POST', body: JSON.stringify(sms) });
    expect(unsigned.status).to.equal(401);
    expect(await unsigned.json()).to.include({ code: 'missing-signature' });
    const headers = signedHeaders(secret, { method: 'POST', path: '/sms', sender: 'test', body: JSON.stringify(sms) });
    const changed = await fetch(`${sim.url}/sms`, { method: 'POST', headers, body: JSON.stringify({ ...sms, phone: '13900000000' }) });
    expect(await changed.json()).to.include({ code: 'bad-signature' });
  });

  it('when an operation with side effects has no Idempotency-Key, then it is refused', async () => {
    const res = await post(sim.url, '/sms', sms);
    expect(res.status).to.equal(400);
    expect(await res.json()).to.include({ code: 'idempotency-key-required' });
  });

  it('when the simulator is reset, then its log is empty and the faults are off', async () => {
    await sim.control.setFaults({ failNext: 5 });
    await post(sim.url, '/sms', sms, 'r');
    expect(await sim.control.log()).to.have.length(1);
    await sim.control.reset();
    expect(await sim.control.log()).to.have.length(0);
    expect((await post(sim.url, '/sms', sms, 'r2')).status).to.equal(201);
  });
});
