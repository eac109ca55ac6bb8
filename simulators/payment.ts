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
import { body, rawBody, startSimulator, type Delivery, type RunningSimulator, type Simulator, type SimulatorOptions } from './kit';

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

/** The payer pays an open order: it is marked paid and the signed `payment.paid` callback goes out. */
async function payOrder(ledger: Ledger, sim: Simulator, orderId: string, channel: string): Promise<{ order: PaymentOrder; deliveries: Delivery[] }> {
  const order = ledger.get(orderId);
  if (order.status !== 'open') throw new HttpProblem(409, `order-${order.status}`, `订单状态为 ${order.status}，不能缴费`);
  order.status = 'paid';
  order.paidAt = new Date().toISOString();
  sim.effect('order.paid', { orderId: order.orderId, amountFen: order.amountFen, channel });
  const deliveries = await sim.emit('payment.paid', order.orderId, { paymentId: order.orderId, amountFen: order.amountFen, paidAt: order.paidAt });
  return { order, deliveries };
}

function payRoute(r: Router, ledger: Ledger, sim: Simulator): void {
  r.post('/pay/:orderId', async (req, res) => {
    res.json(await payOrder(ledger, sim, req.params.orderId, optStr(body(req), 'channel') ?? 'unionpay'));
  });
}

const channels: Record<string, string> = { unionpay: '银联', alipay: '支付宝', wechat: '微信支付' };
const escapeHtml = (v: string) => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const statusWords: Record<string, string> = { open: '待缴费', paid: '已缴费', refunded: '已退费', expired: '已过期' };

/** Only http(s) addresses are followed back (no javascript: or data: links from a crafted link). */
function returnAddress(raw: string | null): string | undefined {
  if (!raw) return undefined;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

function cashierPage(title: string, inner: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1f2937}h1{font-size:1.4rem}dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}dt{color:#6b7280}fieldset{border:1px solid #d1d5db;border-radius:.5rem;margin:1rem 0}button,.back{font-size:1.1rem;padding:.7rem 1.4rem;border-radius:.5rem;border:0;background:#b91c1c;color:#fff;text-decoration:none;display:inline-block}label{display:block;padding:.3rem 0}</style></head>
<body><p>统一公共支付平台（模拟）</p>${inner}</body></html>`;
}

/**
 * The platform's payment page (收银台): the applicant arrives from the hall with `?order=` and a
 * `return=` address, chooses a channel and pays; the platform then sends its signed callback and
 * takes the applicant back. Unsigned, as a browser calls it.
 */
function cashierRoutes(r: Router, ledger: Ledger, sim: Simulator): void {
  r.get('/cashier', (req, res) => {
    const q = new URL(req.originalUrl, 'http://cashier.invalid').searchParams;
    const orderId = q.get('order') ?? '';
    const back = returnAddress(q.get('return'));
    let order: PaymentOrder;
    try {
      order = ledger.get(orderId);
    } catch {
      res.status(404).type('html').send(cashierPage('订单不存在', '<h1>订单不存在</h1><p>请核对缴款单号，或回到办事页面重新发起缴费。</p>'));
      return;
    }
    const facts = `<dl><dt>缴款单号</dt><dd>${escapeHtml(order.orderId)}</dd><dt>缴款码</dt><dd>${escapeHtml(order.paymentCode)}</dd><dt>事项</dt><dd>${escapeHtml(order.description)}</dd><dt>金额</dt><dd>${yuan(order.amountFen)} 元</dd><dt>状态</dt><dd>${statusWords[order.status] ?? order.status}</dd></dl>`;
    const backLink = back ? `<p><a class="back" href="${escapeHtml(back)}">返回办事页面</a></p>` : '';
    if (order.status !== 'open') {
      res.type('html').send(cashierPage('缴费', `<h1>此订单${statusWords[order.status] ?? ''}</h1>${facts}${backLink}`));
      return;
    }
    const radios = Object.entries(channels).map(([v, name], i) => `<label><input type="radio" name="channel" value="${v}"${i === 0 ? ' checked' : ''}> ${name}</label>`).join('');
    res.type('html').send(cashierPage('缴费', `<h1>确认缴费</h1>${facts}<form method="post" action="/cashier/pay"><input type="hidden" name="order" value="${escapeHtml(order.orderId)}">${back ? `<input type="hidden" name="return" value="${escapeHtml(back)}">` : ''}<fieldset><legend>支付方式</legend>${radios}</fieldset><button type="submit">确认支付 ${yuan(order.amountFen)} 元</button></form>`));
  });

  r.post('/cashier/pay', async (req, res) => {
    const form = new URLSearchParams(rawBody(req));
    const orderId = form.get('order') ?? '';
    const channel = channels[form.get('channel') ?? ''] ? form.get('channel')! : 'unionpay';
    const back = returnAddress(form.get('return'));
    try {
      await payOrder(ledger, sim, orderId, channel);
    } catch (err) {
      const why = err instanceof HttpProblem ? err.message : '支付未完成';
      res.status(err instanceof HttpProblem ? err.status : 500).type('html').send(cashierPage('缴费未完成', `<h1>缴费未完成</h1><p>${escapeHtml(why)}</p>${back ? `<p><a class="back" href="${escapeHtml(back)}">返回办事页面</a></p>` : ''}`));
      return;
    }
    if (back) {
      res.redirect(303, back);
      return;
    }
    res.type('html').send(cashierPage('缴费成功', '<h1>缴费成功</h1><p>可以关闭本页，回到办事页面查看进度。</p>'));
  });
}

/** Starts the payment simulator; paid and refunded callbacks go to `callbackUrl`. */
export async function startPaymentSimulator(opts: SimulatorOptions): Promise<RunningSimulator<PaymentControl>> {
  const ledger = new Ledger();
  const started = await startSimulator({ name: 'payment', options: opts, state: ledger, routes: (r, sim) => routes(r, ledger, sim), publicRoutes: (r, sim) => cashierRoutes(r, ledger, sim), control: (r, sim) => payRoute(r, ledger, sim) });
  return { url: started.url, close: started.close, control: new PaymentControl(started.url) };
}
