/**
 * Simulated unified public payment platform (统一公共支付平台): orders with payment codes, a payer
 * who pays on demand (POST /_control/pay/:orderId → signed `payment.paid` callback), full
 * refunds (→ `payment.refunded`), and a daily reconciliation against onewindow's list.
 */
import crypto from 'node:crypto';
import type { Router } from 'express';
import { chinaDate } from '../adapters/certificate-seal';
import type { LocalOrder, PaymentOrder, Reconciliation, Refund } from '../adapters/payment';
import { SimulatorControl } from './control-client';
import { HttpProblem, int, list, notFound, object, optStr, str } from './http-problem';
import { IdempotencyStore, requireKey } from './idempotency';
import { body, startSimulator, type Delivery, type RunningSimulator, type Simulator, type SimulatorOptions } from './kit';

export class PaymentControl extends SimulatorControl {
  /** The payer pays the order; answers once the callbacks were sent. */
  async pay(orderId: string, channel = 'unionpay'): Promise<{ order: PaymentOrder; deliveries: Delivery[] }> {
    return await this.send('POST', `/pay/${encodeURIComponent(orderId)}`, { channel });
  }
}

class Ledger {
  readonly orders = new Map<string, PaymentOrder>();
  // Order ids are unique platform-wide, as on the real platform: each simulator instance starts
  // its serial at a random point, so several instances can feed one database (as the tests do).
  private serial = crypto.randomInt(0, 90_000_000);
  readonly createOnce = new IdempotencyStore<PaymentOrder>();
  readonly refundOnce = new IdempotencyStore<Refund>();

  save() {
    return { serial: this.serial, orders: [...this.orders.values()], createOnce: this.createOnce.save(), refundOnce: this.refundOnce.save() };
  }

  load(data: unknown): void {
    const d = data as ReturnType<Ledger['save']>;
    this.serial = d.serial;
    this.orders.clear();
    for (const o of d.orders) this.orders.set(o.orderId, o);
    this.createOnce.load(d.createOnce);
    this.refundOnce.load(d.refundOnce);
  }

  get(orderId: string): PaymentOrder {
    const o = this.orders.get(orderId);
    if (!o) throw notFound(`缴费订单 ${orderId} `);
    if (o.status === 'open' && Date.parse(o.expiresAt) < Date.now()) o.status = 'expired';
    return o;
  }

  create(b: Record<string, unknown>): PaymentOrder {
    const payer = object(b.payer, 'payer');
    const now = new Date();
    const serial = String(++this.serial).padStart(8, '0');
    const order: PaymentOrder = {
      orderId: `PO${chinaDate(now).replaceAll('-', '')}${serial}`, caseNo: str(b, 'caseNo'),
      payer: { name: str(payer, 'name'), idNumber: str(payer, 'idNumber') }, amountFen: int(b, 'amountFen', 1), description: str(b, 'description'),
      paymentCode: `3301${chinaDate(now).slice(2).replaceAll('-', '')}${serial}${crypto.randomInt(0, 100).toString().padStart(2, '0')}`,
      status: 'open', createdAt: now.toISOString(), expiresAt: str(b, 'expiresAt'),
    };
    if (!(Date.parse(order.expiresAt) > now.getTime())) throw new HttpProblem(422, 'invalid-expiry', '缴费截止时间应晚于当前时间');
    this.orders.set(order.orderId, order);
    return order;
  }

  reconcile(date: string, local: LocalOrder[]): Reconciliation {
    const orders = [...this.orders.values()].filter((o) => o.paidAt && chinaDate(new Date(o.paidAt)) === date);
    const mine = new Map(local.map((l) => [l.orderId, l]));
    const mismatches: Reconciliation['mismatches'] = [];
    let matched = 0;
    for (const o of orders) {
      const platform: LocalOrder = { orderId: o.orderId, amountFen: o.amountFen, status: o.status === 'refunded' ? 'refunded' : 'paid' };
      const l = mine.get(o.orderId);
      mine.delete(o.orderId);
      if (!l) mismatches.push({ orderId: o.orderId, kind: 'missing-locally', platform });
      else if (l.amountFen !== platform.amountFen) mismatches.push({ orderId: o.orderId, kind: 'amount-differs', platform, local: l });
      else if (l.status !== platform.status) mismatches.push({ orderId: o.orderId, kind: 'status-differs', platform, local: l });
      else matched++;
    }
    for (const l of mine.values()) mismatches.push({ orderId: l.orderId, kind: 'missing-on-platform', local: l });
    return { date, orders, matched, mismatches, totalFen: orders.filter((o) => o.status === 'paid').reduce((s, o) => s + o.amountFen, 0) };
  }
}

function localOrders(v: unknown[]): LocalOrder[] {
  return v.map((x, i) => {
    const o = object(x, `orders[${i}]`);
    const status = str(o, 'status');
    if (status !== 'paid' && status !== 'refunded') throw new HttpProblem(400, 'bad-request', `orders[${i}].status 应为 paid 或 refunded`);
    return { orderId: str(o, 'orderId'), amountFen: int(o, 'amountFen'), status };
  });
}

function routes(r: Router, ledger: Ledger, sim: Simulator): void {
  const { createOnce, refundOnce } = ledger;

  r.post('/orders', (req, res) => {
    const b = body(req);
    const { value, replayed } = createOnce.run(requireKey(req), b, () => {
      const order = ledger.create(b);
      sim.effect('order.created', { orderId: order.orderId, caseNo: order.caseNo, amountFen: order.amountFen });
      return order;
    });
    res.status(replayed ? 200 : 201).json(ledger.get(value.orderId));
  });

  r.get('/orders/:orderId', (req, res) => {
    res.json(ledger.get(req.params.orderId));
  });

  r.post('/orders/:orderId/refund', async (req, res) => {
    const b = body(req);
    const order = ledger.get(req.params.orderId);
    const { value, replayed } = refundOnce.run(requireKey(req), { orderId: order.orderId, ...b }, () => {
      if (order.status === 'refunded') throw new HttpProblem(409, 'already-refunded', '该订单已退款');
      if (order.status !== 'paid') throw new HttpProblem(409, 'order-not-paid', '订单未缴费，无法退款');
      order.status = 'refunded';
      order.refundedAt = new Date().toISOString();
      const refund: Refund = { refundId: `RF${order.orderId.slice(2)}`, orderId: order.orderId, amountFen: order.amountFen, reason: optStr(b, 'reason') ?? '', refundedAt: order.refundedAt };
      sim.effect('refund.made', { refundId: refund.refundId, orderId: order.orderId, amountFen: refund.amountFen });
      return refund;
    });
    if (!replayed) await sim.emit('payment.refunded', value.orderId, { paymentId: value.orderId, refundId: value.refundId, amountFen: value.amountFen, refundedAt: value.refundedAt });
    res.status(replayed ? 200 : 201).json(value);
  });

  r.post('/reconciliations', (req, res) => {
    const b = body(req);
    res.json(ledger.reconcile(str(b, 'date', { pattern: /^\d{4}-\d{2}-\d{2}$/ }), localOrders(list(b, 'orders'))));
  });
}

function payRoute(r: Router, ledger: Ledger, sim: Simulator): void {
  r.post('/pay/:orderId', async (req, res) => {
    const order = ledger.get(req.params.orderId);
    if (order.status !== 'open') throw new HttpProblem(409, `order-${order.status}`, `订单状态为 ${order.status}，不能缴费`);
    order.status = 'paid';
    order.paidAt = new Date().toISOString();
    sim.effect('order.paid', { orderId: order.orderId, amountFen: order.amountFen, channel: optStr(body(req), 'channel') ?? 'unionpay' });
    const deliveries = await sim.emit('payment.paid', order.orderId, { paymentId: order.orderId, amountFen: order.amountFen, paidAt: order.paidAt });
    res.json({ order, deliveries });
  });
}

/** Starts the payment simulator; paid and refunded callbacks go to `callbackUrl`. */
export async function startPaymentSimulator(opts: SimulatorOptions): Promise<RunningSimulator<PaymentControl>> {
  const ledger = new Ledger();
  const started = await startSimulator({ name: 'payment', options: opts, state: ledger, routes: (r, sim) => routes(r, ledger, sim), control: (r, sim) => payRoute(r, ledger, sim) });
  return { url: started.url, close: started.close, control: new PaymentControl(started.url) };
}
