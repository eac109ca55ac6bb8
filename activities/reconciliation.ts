/**
 * Daily reconciliation (对账): the payment platform's report of a day's payments against our
 * payments, and the courier's waybills of a day against our deliveries (and courier deliveries
 * against their cases' fees). Mismatches are stored per day; running a day again replaces its
 * findings, so a retried or repeated run never doubles them.
 */
import type { LocalOrder } from '../adapters/payment';
import type { Db } from '../lib/db';
import type { Platforms } from '../lib/platforms';

export type MismatchSource = 'payment' | 'logistics';

export interface Mismatch {
  source: MismatchSource;
  /** The order id or waybill number. */
  ref: string;
  kind: string;
  caseNo: string | null;
  platform: unknown;
  local: unknown;
}

export interface ReconciliationSummary {
  date: string;
  payments: { matched: number; mismatched: number; paidTotalFen: number };
  deliveries: { matched: number; mismatched: number };
  mismatches: Mismatch[];
}

/** The instants a China-time day starts and ends. */
function chinaDay(date: string): [Date, Date] {
  const start = new Date(`${date}T00:00:00+08:00`);
  return [start, new Date(start.getTime() + 86_400_000)];
}

export function createReconciliationActivities(db: Db, platforms: Platforms) {
  return {
    async reconcileDay({ date }: { date: string }): Promise<ReconciliationSummary> {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00+08:00`))) throw new TypeError(`not a date: ${date}`);
      const [from, to] = chinaDay(date);
      const mismatches: Mismatch[] = [];

      // Payments: what we recorded as paid that day (refunded since, or not).
      const paid = await db('payments').where('paid_at', '>=', from).andWhere('paid_at', '<', to).whereIn('status', ['paid', 'refunded'])
        .select<{ id: string; case_no: string; amount_fen: string; status: 'paid' | 'refunded' }[]>('id', 'case_no', 'amount_fen', 'status');
      const local: LocalOrder[] = paid.map((p) => ({ orderId: p.id, amountFen: Number(p.amount_fen), status: p.status }));
      const report = await platforms.payment.reconcile(date, local);
      const caseOfOrder = new Map([...paid.map((p) => [p.id, p.case_no] as const), ...report.orders.map((o) => [o.orderId, o.caseNo] as const)]);
      for (const m of report.mismatches) {
        mismatches.push({ source: 'payment', ref: m.orderId, kind: m.kind, caseNo: caseOfOrder.get(m.orderId) ?? null, platform: m.platform ?? null, local: m.local ?? null });
      }
      const payments = { matched: report.matched, mismatched: report.mismatches.length, paidTotalFen: report.totalFen };

      // Deliveries: the courier's waybills booked that day against ours.
      const waybills = await platforms.logistics.waybills(date);
      const ours = await db('deliveries').where({ method: 'courier' }).andWhere((q) => {
        void q.where('booked_at', '>=', from).andWhere('booked_at', '<', to);
        if (waybills.length) void q.orWhereIn('waybill_no', waybills.map((w) => w.waybillNo));
      }).select<{ case_no: string; waybill_no: string; status: string; delivered_at: Date | null }[]>('case_no', 'waybill_no', 'status', 'delivered_at');
      const byWaybill = new Map(ours.map((d) => [d.waybill_no, d]));
      let matched = 0;
      let deliveryMismatches = 0;
      const push = (m: Mismatch) => {
        mismatches.push(m);
        deliveryMismatches++;
      };
      for (const w of waybills) {
        const d = byWaybill.get(w.waybillNo);
        byWaybill.delete(w.waybillNo);
        const platform = { status: w.status, caseNo: w.caseNo, deliveredAt: w.deliveredAt };
        if (!d) push({ source: 'logistics', ref: w.waybillNo, kind: 'missing-locally', caseNo: w.caseNo, platform, local: null });
        else if ((w.status === 'delivered') !== (d.status === 'delivered')) {
          push({ source: 'logistics', ref: w.waybillNo, kind: 'status-differs', caseNo: d.case_no, platform, local: { status: d.status, deliveredAt: d.delivered_at } });
        } else matched++;
      }
      for (const d of byWaybill.values()) push({ source: 'logistics', ref: d.waybill_no, kind: 'missing-on-platform', caseNo: d.case_no, platform: null, local: { status: d.status } });

      // A result couriered for a case whose fee was never paid (收费与寄递不一致).
      const unpaid = await db('deliveries as d').join('payments as p', 'p.case_no', 'd.case_no')
        .where('d.method', 'courier').andWhere('d.booked_at', '>=', from).andWhere('d.booked_at', '<', to).whereNotIn('p.status', ['paid', 'refunded'])
        .select<{ case_no: string; waybill_no: string; status: string }[]>('d.case_no', 'd.waybill_no', 'p.status');
      for (const u of unpaid) push({ source: 'logistics', ref: u.waybill_no, kind: 'couriered-unpaid', caseNo: u.case_no, platform: null, local: { paymentStatus: u.status } });
      const deliveries = { matched, mismatched: deliveryMismatches };

      await db.transaction(async (trx) => {
        await trx('reconciliation_runs').where({ date }).delete();
        await trx('reconciliation_runs').insert({
          date, ran_at: new Date(), payments_matched: payments.matched, payments_mismatched: payments.mismatched,
          deliveries_matched: deliveries.matched, deliveries_mismatched: deliveries.mismatched, paid_total_fen: payments.paidTotalFen,
        });
        if (mismatches.length) {
          await trx('reconciliation_mismatches').insert(mismatches.map((m) => ({
            date, source: m.source, ref: m.ref, kind: m.kind, case_no: m.caseNo, platform: JSON.stringify(m.platform), local: JSON.stringify(m.local),
          })));
        }
      });
      return { date, payments, deliveries, mismatches };
    },
  };
}
