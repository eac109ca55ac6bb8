import { expect } from 'chai';
import type { RunningSimulator } from '../simulators/kit';
import { startCallbackSink, type CallbackSink } from '../simulators/callback-sink';
import { startPaymentSimulator, type PaymentControl } from '../simulators/payment';
import { signCallback } from './callbacks';
import { chinaDate } from './certificate-seal';
import { AdapterRefusal } from './errors';
import { PaymentClient, type CreateOrder } from './payment';

const secret = 'payment-secret';
const fast = { timeoutMs: 600, retry: { attempts: 4, initialDelayMs: 10, maxDelayMs: 40 } };
let n = 0;
const order = (): CreateOrder => ({
  caseNo: `33010620250303${String(++n).padStart(8, '0')}`, payer: { name: '林建华', idNumber: '330106197608142018' }, amountFen: 30_000,
  description: '食品经营许可证工本费', expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
});

describe('payment adapter against the payment simulator, with signed callbacks', () => {
  let sink: CallbackSink;
  let sim: RunningSimulator<PaymentControl>;
  let payment: PaymentClient;

  before(async () => {
    sink = await startCallbackSink({ secret });
    sim = await startPaymentSimulator({ secret, hangMs: 2_000, callbackUrl: `${sink.url}/callbacks/payment` });
    payment = new PaymentClient({ baseUrl: sim.url, secret, ...fast });
  });
  after(async () => {
    await sim.close();
    await sink.close();
  });
  beforeEach(async () => {
    await sim.control.reset();
    sink.records.length = 0;
  });

  it('when an order is created and the payer pays, then its status is paid and a signed callback reports it', async () => {
    const o = await payment.createOrder(order(), 'case-1:fee');
    expect(o).to.include({ status: 'open', amountFen: 30_000 });
    expect(o.paymentCode).to.match(/^\d{20}$/);
    const { deliveries } = await sim.control.pay(o.orderId);
    expect(deliveries.map((d) => d.outcome)).to.deep.equal([200]);
    expect((await payment.getOrder(o.orderId)).status).to.equal('paid');
    const [paid] = sink.applied('payment.paid');
    expect(paid).to.deep.include({ subject: o.orderId, seq: 1 });
    expect(paid.data).to.include({ paymentId: o.orderId, amountFen: 30_000 });
  });

  it('when the platform answers 503 twice, then the retries create exactly one order', async () => {
    await sim.control.setFaults({ failNext: 2 });
    const request = order();
    const o = await payment.createOrder(request, 'case-2:fee');
    expect(await sim.control.effects('order.created')).to.have.length(1);
    expect((await payment.createOrder(request, 'case-2:fee')).orderId).to.equal(o.orderId);
  });

  it('when the answer to a create is lost past the timeout, then the retry returns the order already created', async () => {
    await sim.control.setFaults({ timeoutNext: 1 });
    const o = await payment.createOrder(order(), 'case-3:fee');
    const created = await sim.control.effects('order.created');
    expect(created.map((e) => e.detail.orderId)).to.deep.equal([o.orderId]);
  });

  it('when the platform sends the paid callback twice, then the receiver applies it once', async () => {
    const o = await payment.createOrder(order(), 'case-4:fee');
    await sim.control.setFaults({ duplicateCallbacks: true });
    const { deliveries } = await sim.control.pay(o.orderId);
    expect(deliveries).to.have.length(2);
    expect(sink.records.map((r) => r.outcome)).to.deep.equal(['new', 'duplicate']);
    expect(sink.applied('payment.paid')).to.have.length(1);
  });

  it('when paid and refunded callbacks arrive in reverse order, then the late paid event is stale and the order stays refunded', async () => {
    const o = await payment.createOrder(order(), 'case-5:fee');
    await sim.control.setFaults({ reorderCallbacks: true });
    await sim.control.pay(o.orderId);
    const refund = await payment.refund({ orderId: o.orderId, reason: '申请人撤回申请' }, 'case-5:refund');
    expect(sink.records).to.have.length(0);
    await sim.control.flush();
    expect(sink.records.map((r) => `${r.event?.type} ${r.outcome}`)).to.deep.equal(['payment.refunded new', 'payment.paid stale']);
    expect(sink.applied().map((e) => e.data)).to.deep.equal([{ paymentId: o.orderId, refundId: refund.refundId, amountFen: 30_000, refundedAt: refund.refundedAt }]);
    expect((await payment.getOrder(o.orderId)).status).to.equal('refunded');
  });

  it('when a refund is retried with its key, then one refund is made; another refund of the same order is refused', async () => {
    const o = await payment.createOrder(order(), 'case-6:fee');
    await sim.control.pay(o.orderId);
    await sim.control.setFaults({ failNext: 1 });
    const first = await payment.refund({ orderId: o.orderId, reason: '不予受理' }, 'case-6:refund');
    expect(await payment.refund({ orderId: o.orderId, reason: '不予受理' }, 'case-6:refund')).to.deep.equal(first);
    expect(await sim.control.effects('refund.made')).to.have.length(1);
    const err = await payment.refund({ orderId: o.orderId, reason: '不予受理' }, 'case-6:refund-again').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AdapterRefusal).and.include({ code: 'already-refunded', status: 409 });
  });

  it('when callbacks are signed with the wrong key, then the receiver refuses them as bad signatures', async () => {
    const o = await payment.createOrder(order(), 'case-7:fee');
    await sim.control.setFaults({ badSignature: true });
    const { deliveries } = await sim.control.pay(o.orderId);
    expect(deliveries[0]).to.include({ outcome: 401, forged: true });
    expect(sink.refusals().map((r) => r.reason)).to.deep.equal(['bad-signature']);
    expect(sink.applied()).to.have.length(0);
  });

  it('when a delivered callback is replayed, or one signed six minutes ago arrives, then the receiver refuses it', async () => {
    const o = await payment.createOrder(order(), 'case-8:fee');
    await sim.control.pay(o.orderId);
    const [delivered] = sink.records;
    const signedHeaders = Object.fromEntries(Object.entries(delivered.headers).filter(([k]) => k.startsWith('x-ow-') || k === 'content-type'));
    const replay = await fetch(`${sink.url}${delivered.path}`, { method: 'POST', headers: signedHeaders as Record<string, string>, body: delivered.body });
    expect(replay.status).to.equal(401);
    expect(await replay.json()).to.include({ code: 'replayed-nonce' });

    const url = `${sink.url}/callbacks/payment`;
    const stale = signCallback(secret, { url, sender: 'payment', event: { ...delivered.event!, eventId: 'evt-old' }, now: Date.now() - 6 * 60_000 });
    const res = await fetch(url, { method: 'POST', headers: stale.headers, body: stale.body });
    expect(await res.json()).to.include({ code: 'stale-timestamp' });
    expect(sink.refusals().map((r) => r.reason)).to.deep.equal(['replayed-nonce', 'stale-timestamp']);
    expect(sink.applied()).to.have.length(1);
  });

  it('when the day is reconciled against onewindow’s list, then matches and every kind of mismatch are reported', async () => {
    const [a, b, c] = [await payment.createOrder(order(), 'rec-a'), await payment.createOrder(order(), 'rec-b'), await payment.createOrder(order(), 'rec-c')];
    for (const o of [a, b, c]) await sim.control.pay(o.orderId);
    // The China day the orders were paid on, taken when they were (a day taken when the file loaded is yesterday once a run crosses midnight China time).
    const today = chinaDate(new Date());
    const report = await payment.reconcile(today, [
      { orderId: a.orderId, amountFen: 30_000, status: 'paid' },
      { orderId: b.orderId, amountFen: 20_000, status: 'paid' },
      { orderId: 'PO-LOCAL-ONLY', amountFen: 1_000, status: 'paid' },
    ]);
    expect(report.date).to.equal(today);
    expect(report.orders.map((o) => o.orderId)).to.include.members([a.orderId, b.orderId, c.orderId]);
    const mine = report.mismatches.filter((m) => [a.orderId, b.orderId, c.orderId, 'PO-LOCAL-ONLY'].includes(m.orderId));
    expect(mine.map((m) => `${m.orderId} ${m.kind}`).sort()).to.deep.equal(
      [`${b.orderId} amount-differs`, `${c.orderId} missing-locally`, 'PO-LOCAL-ONLY missing-on-platform'].sort(),
    );
    expect(report.mismatches.some((m) => m.orderId === a.orderId)).to.equal(false);
  });

  it('when the amount is not a positive whole number of fen, then the client refuses without a request', async () => {
    const err = await payment.createOrder({ ...order(), amountFen: 12.5 }, 'case-9:fee').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AdapterRefusal).and.include({ code: 'invalid-amount' });
    expect(await sim.control.requests()).to.have.length(0);
  });
});
