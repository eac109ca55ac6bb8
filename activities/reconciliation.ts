/**
 * Daily reconciliation (对账): the payment platform's report of a day's payments against our
 * payments, and the courier's waybills of a day against our deliveries (and courier deliveries
 * against their cases' fees). Mismatches are stored per day; running a day again replaces its
 * findings, so a retried or repeated run never doubles them.
 *
 * Where a platform has what a waiting case never heard of (its callback was lost), the case is
 * told: an order paid (or paid and refunded since) that our `payments` row still has `open` sends
 * the case `paymentConfirmed`; a waybill the courier has delivered that our `deliveries` row has
 * not is recorded as delivered (as the callback would have) and sends the case `delivered`. The
 * signals go through the worker's Temporal client (the activity context's); a case already closed
 * is recorded as such on the mismatch (`case_signal`), not an error. A repeated signal changes
 * nothing in the case, so a retried run is harmless.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { LocalOrder } from '../adapters/payment';
import type { Db } from '../lib/db';
import type { Platforms } from '../lib/platforms';
import { deliveredSignal, paymentConfirmedSignal } from '../workflows/definitions';

export type MismatchSource = 'payment' | 'logistics';

export interface Mismatch {
  source: MismatchSource;
  /** The order id or waybill number. */
  ref: string;
  kind: string;
  caseNo: string | null;
  platform: unknown;
  local: unknown;
  /** What became of telling the case: signalled, or it was already closed; absent when there was nothing to tell. */
  caseSignal?: CaseSignalOutcome;
}

export type CaseSignalOutcome = 'signalled' | 'case-closed';

/** Signals the case workflow (id = case number); a case no longer running is `case-closed`. */
async function signalCase<A extends unknown[]>(client: Client, caseNo: string, signal: SignalDefinition<A>, ...args: A): Promise<CaseSignalOutcome> {
  try {
    await client.workflow.getHandle(caseNo).signal(signal, ...args);
    return 'signalled';
  } catch (err) {
    // Not found: the workflow has completed (or never ran under this id). gRPC NOT_FOUND is 5.
    if (err instanceof WorkflowNotFoundError || (err as { code?: unknown }).code === 5) return 'case-closed';
    throw err;
  }
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

export function createReconciliationActivities(db: Db, platforms: Platforms, temporal: () => Client = () => Context.current().client) {
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
      const signals: { mismatch: () => Mismatch | undefined; send: () => Promise<CaseSignalOutcome> }[] = [];

      // Orders the platform has paid that our records still have open: the case missed the callback.
      const platformPaid = report.orders.filter((o) => (o.status === 'paid' || o.status === 'refunded') && o.paidAt);
      const stillOpen = platformPaid.length === 0 ? [] : await db('payments').whereIn('id', platformPaid.map((o) => o.orderId)).andWhere({ status: 'open' })
        .select<{ id: string; case_no: string; amount_fen: string }[]>('id', 'case_no', 'amount_fen');
      for (const row of stillOpen) {
        const o = platformPaid.find((x) => x.orderId === row.id)!;
        // An amount that differs is left to a person, as the callback route refuses it.
        if (Number(row.amount_fen) !== o.amountFen) continue;
        signals.push({
          mismatch: () => mismatches.find((m) => m.source === 'payment' && m.ref === row.id),
          send: () => signalCase(temporal(), row.case_no, paymentConfirmedSignal, { paymentId: row.id, amountFen: o.amountFen, paidAt: o.paidAt! }),
        });
      }

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
          const m: Mismatch = { source: 'logistics', ref: w.waybillNo, kind: 'status-differs', caseNo: d.case_no, platform, local: { status: d.status, deliveredAt: d.delivered_at } };
          push(m);
          const at = w.deliveredAt;
          if (w.status === 'delivered' && at) {
            // Delivered, and the case never heard: recorded as the delivered callback would have, then the case is told.
            signals.push({
              mismatch: () => m,
              send: async () => {
                // A case of the second engine records the delivery itself when told (one writer).
                const engine = await db('cases').where({ case_no: d.case_no }).first<{ engine: number } | undefined>('engine');
                if (engine?.engine !== 2) await db('deliveries').where({ waybill_no: w.waybillNo }).whereNot({ status: 'delivered' }).update({ status: 'delivered', delivered_at: at });
                return await signalCase(temporal(), d.case_no, deliveredSignal, { waybillNo: w.waybillNo, at });
              },
            });
          }
        } else matched++;
      }
      for (const d of byWaybill.values()) push({ source: 'logistics', ref: d.waybill_no, kind: 'missing-on-platform', caseNo: d.case_no, platform: null, local: { status: d.status } });

      // A result couriered for a case whose fee was never paid (收费与寄递不一致).
      const unpaid = await db('deliveries as d').join('payments as p', 'p.case_no', 'd.case_no')
        .where('d.method', 'courier').andWhere('d.booked_at', '>=', from).andWhere('d.booked_at', '<', to).whereNotIn('p.status', ['paid', 'refunded'])
        .select<{ case_no: string; waybill_no: string; status: string }[]>('d.case_no', 'd.waybill_no', 'p.status');
      for (const u of unpaid) push({ source: 'logistics', ref: u.waybill_no, kind: 'couriered-unpaid', caseNo: u.case_no, platform: null, local: { paymentStatus: u.status } });
      const deliveries = { matched, mismatched: deliveryMismatches };

      const signalledAt = new Date();
      for (const s of signals) {
        const outcome = await s.send();
        const m = s.mismatch();
        if (m) m.caseSignal = outcome;
      }

      await db.transaction(async (trx) => {
        await trx('reconciliation_runs').where({ date }).delete();
        await trx('reconciliation_runs').insert({
          date, ran_at: new Date(), payments_matched: payments.matched, payments_mismatched: payments.mismatched,
          deliveries_matched: deliveries.matched, deliveries_mismatched: deliveries.mismatched, paid_total_fen: payments.paidTotalFen,
        });
        if (mismatches.length) {
          await trx('reconciliation_mismatches').insert(mismatches.map((m) => ({
            date, source: m.source, ref: m.ref, kind: m.kind, case_no: m.caseNo, platform: JSON.stringify(m.platform), local: JSON.stringify(m.local),
            case_signal: m.caseSignal ?? null, case_signalled_at: m.caseSignal ? signalledAt : null,
          })));
        }
      });
      return { date, payments, deliveries, mismatches };
    },
  };
}
