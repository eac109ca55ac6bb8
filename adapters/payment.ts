/**
 * Unified public payment platform (统一公共支付平台, non-tax revenue 非税收入): an order per fee with
 * a payment code (缴款码) the payer pays by; the platform tells onewindow of payments and refunds
 * by signed callbacks (`payment.paid`, `payment.refunded`; see callbacks.ts), and produces a
 * daily reconciliation (对账) against onewindow's own list.
 */
import { AdapterRefusal } from './errors';
import { idempotencyKey, PlatformHttp, type PlatformConfig } from './http';

export type OrderStatus = 'open' | 'paid' | 'refunded' | 'expired';

export interface PaymentOrder {
  orderId: string;
  caseNo: string;
  payer: { name: string; idNumber: string };
  amountFen: number;
  description: string;
  /** 缴款码: 20 digits. */
  paymentCode: string;
  status: OrderStatus;
  createdAt: string;
  expiresAt: string;
  paidAt?: string;
  refundedAt?: string;
}

export interface CreateOrder {
  caseNo: string;
  payer: { name: string; idNumber: string };
  amountFen: number;
  description: string;
  expiresAt: string;
}

export interface Refund {
  refundId: string;
  orderId: string;
  amountFen: number;
  reason: string;
  refundedAt: string;
}

/** One order as onewindow's records have it, for reconciliation. */
export interface LocalOrder {
  orderId: string;
  amountFen: number;
  status: 'paid' | 'refunded';
}

export type MismatchKind = 'missing-locally' | 'missing-on-platform' | 'amount-differs' | 'status-differs';

export interface Reconciliation {
  /** The day (China time) whose payments are reconciled. */
  date: string;
  /** Orders the platform has paid that day (refunded since, or not). */
  orders: PaymentOrder[];
  matched: number;
  mismatches: { orderId: string; kind: MismatchKind; platform?: LocalOrder; local?: LocalOrder }[];
  totalFen: number;
}

export interface PaymentPlatform {
  /** Creates the order once per key: a repeat returns the same order. */
  createOrder(o: CreateOrder, key: string): Promise<PaymentOrder>;
  getOrder(orderId: string): Promise<PaymentOrder>;
  /** Refunds a paid order in full, once per key. */
  refund(r: { orderId: string; reason: string }, key: string): Promise<Refund>;
  reconcile(date: string, local: LocalOrder[]): Promise<Reconciliation>;
}

const platform = 'payment';

export class PaymentClient implements PaymentPlatform {
  private readonly http: PlatformHttp;

  constructor(config: PlatformConfig) {
    this.http = new PlatformHttp(platform, config);
  }

  async createOrder(o: CreateOrder, key: string): Promise<PaymentOrder> {
    if (!Number.isInteger(o.amountFen) || o.amountFen <= 0) throw new AdapterRefusal(platform, 'invalid-amount', '金额应为正整数（分）');
    return await this.http.call('POST', '/orders', { body: o, idempotencyKey: idempotencyKey('payment.order', key) });
  }

  async getOrder(orderId: string): Promise<PaymentOrder> {
    return await this.http.call('GET', `/orders/${encodeURIComponent(orderId)}`);
  }

  async refund(r: { orderId: string; reason: string }, key: string): Promise<Refund> {
    return await this.http.call('POST', `/orders/${encodeURIComponent(r.orderId)}/refund`, { body: { reason: r.reason }, idempotencyKey: idempotencyKey('payment.refund', key) });
  }

  async reconcile(date: string, local: LocalOrder[]): Promise<Reconciliation> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new AdapterRefusal(platform, 'invalid-date', '对账日期格式应为 YYYY-MM-DD');
    return await this.http.call('POST', '/reconciliations', { body: { date, orders: local } });
  }
}
