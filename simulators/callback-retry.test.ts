import { expect } from 'chai';
import { PaymentClient } from '../adapters/payment';
import { freePort } from '../lib/servers';
import { startCallbackSink, type CallbackSink } from './callback-sink';
import { callbackRetryDelay, defaultCallbackRetry, type RunningSimulator } from './kit';
import { startPaymentSimulator, type PaymentControl } from './payment';

const secret = 'retry-secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('simulator callbacks: retried with backoff while the receiver is down', () => {
  let port: number;
  let sim: RunningSimulator<PaymentControl> | undefined;
  let sink: CallbackSink | undefined;
  let n = 0;

  async function paidOrder(s: RunningSimulator<PaymentControl>) {
    const client = new PaymentClient({ baseUrl: s.url, secret });
    const order = await client.createOrder({
      caseNo: `33010620261129${String(++n).padStart(10, '0')}`, payer: { name: '张三', idNumber: '11010519491231002X' }, amountFen: 100,
      description: '工本费', expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    }, `retry-${n}-${Date.now()}`);
    return { order, paid: await s.control.pay(order.orderId) };
  }

  beforeEach(async () => {
    port = await freePort();
  });
  afterEach(async () => {
    await sim?.close();
    await sink?.close();
    sim = sink = undefined;
  });

  it('by default, retries back off from 5 seconds, doubling to 5 minutes, for a day', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((i) => callbackRetryDelay(i, defaultCallbackRetry))).to.deep.equal([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    expect(defaultCallbackRetry.giveUpAfterMs).to.equal(86_400_000);
  });

  it('when the receiver is down at payment and comes back a while later, then the paid callback still arrives, once', async () => {
    sim = await startPaymentSimulator({ secret, callbackUrl: `http://127.0.0.1:${port}/callbacks/payment`, callbackRetry: { quickAttempts: 2, quickDelayMs: 5, initialDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 60_000 } });
    const { order, paid } = await paidOrder(sim);
    expect(paid.deliveries).to.deep.equal([{ eventId: paid.deliveries[0].eventId, type: 'payment.paid', subject: order.orderId, outcome: 'failed', forged: false, retrying: true }]);
    const control = sim.control;
    // Several tries from the outbox fail while the receiver is still down…
    await until(async () => (await control.log()).filter((e) => e.kind === 'callback' && e.detail.retrying).length >= 3 && true, 'retries from the outbox');
    const outbox = (await (await fetch(`${sim.url}/_control/outbox`)).json()) as { pending: { event: { subject: string }; attempts: number }[] };
    expect(outbox.pending.map((p) => p.event.subject)).to.deep.equal([order.orderId]);
    expect(outbox.pending[0].attempts).to.be.at.least(3);

    // …then it is back, and the next try delivers.
    sink = await startCallbackSink({ secret, port });
    const s = sink;
    await until(() => Promise.resolve(s.applied('payment.paid').length > 0), 'the paid callback');
    expect(s.applied('payment.paid').map((e) => e.subject)).to.deep.equal([order.orderId]);
    await sleep(300);
    expect(s.records).to.have.length(1);
    expect(((await (await fetch(`${sim.url}/_control/outbox`)).json()) as { pending: unknown[] }).pending).to.deep.equal([]);
  });

  it('when the receiver refuses a callback (4xx), then it is not retried; a callback still undelivered past the give-up time is dropped', async () => {
    sink = await startCallbackSink({ secret, port });
    sim = await startPaymentSimulator({ secret, callbackUrl: `http://127.0.0.1:${port}/callbacks/payment`, callbackRetry: { quickAttempts: 1, initialDelayMs: 40, maxDelayMs: 40, giveUpAfterMs: 200 } });
    await sim.control.setFaults({ badSignature: true });
    const forged = await paidOrder(sim);
    expect(forged.paid.deliveries[0]).to.include({ outcome: 401, forged: true }).and.not.have.property('retrying');
    await sim.control.setFaults({ badSignature: false });

    await sink.close();
    sink = undefined;
    const { paid } = await paidOrder(sim);
    expect(paid.deliveries[0]).to.include({ outcome: 'failed', retrying: true });
    const control = sim.control;
    const gaveUp = await until(async () => (await control.log()).find((e) => e.kind === 'callback' && e.detail.gaveUp), 'giving up', 3_000);
    expect(gaveUp.detail.eventId).to.equal(paid.deliveries[0].eventId);
    expect(((await (await fetch(`${sim.url}/_control/outbox`)).json()) as { pending: unknown[] }).pending).to.deep.equal([]);
  });

  it('when the retry policy leaves no time to retry in, then only the quick tries are made and nothing waits in the outbox', async () => {
    sim = await startPaymentSimulator({ secret, callbackUrl: `http://127.0.0.1:${port}/callbacks/payment`, callbackRetry: { quickAttempts: 3, quickDelayMs: 1, giveUpAfterMs: 0 } });
    const { paid } = await paidOrder(sim);
    expect(paid.deliveries[0]).to.include({ outcome: 'failed' }).and.not.have.property('retrying');
    expect(((await (await fetch(`${sim.url}/_control/outbox`)).json()) as { pending: unknown[] }).pending).to.deep.equal([]);
  });

  it('when a callback waits in the outbox, then POST /_control/outbox/retry sends it at once, and a reset clears the outbox', async () => {
    sim = await startPaymentSimulator({ secret, callbackUrl: `http://127.0.0.1:${port}/callbacks/payment`, callbackRetry: { quickAttempts: 1, initialDelayMs: 60_000 } });
    const first = await paidOrder(sim);
    sink = await startCallbackSink({ secret, port });
    const res = await fetch(`${sim.url}/_control/outbox/retry`, { method: 'POST' });
    expect(((await res.json()) as { deliveries: { outcome: unknown }[] }).deliveries.map((d) => d.outcome)).to.deep.equal([200]);
    expect(sink.applied().map((e) => e.subject)).to.deep.equal([first.order.orderId]);

    await sink.close();
    sink = undefined;
    await paidOrder(sim);
    await sim.control.reset();
    expect(((await (await fetch(`${sim.url}/_control/outbox`)).json()) as { pending: unknown[] }).pending).to.deep.equal([]);
  });
});
