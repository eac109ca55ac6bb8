/**
 * Follow-up queries (主动查询): when a wait on an outside party has passed its deadline without a
 * callback (the API or its database was down when the platform called, and the platform gave up),
 * the case workflow asks the platform itself where things stand. Each query only reads, so it is
 * safe to repeat; transient faults are thrown as they are and Temporal retries them; a platform's
 * refusal to answer (a bad signature, an unknown department) fails the activity for good, and the
 * workflow opens a manual task. "The platform does not know it" is an answer, not a failure.
 */
import { AdapterRefusal } from '../adapters/errors';
import type { Db } from '../lib/db';
import type { Platforms } from '../lib/platforms';
import { refusalFinal } from './case-services';

export type PaymentOrderState = 'open' | 'paid' | 'expired' | 'closed' | 'refunded' | 'unknown';

export interface PaymentOrderStatus {
  status: PaymentOrderState;
  amountFen: number | null;
  paidAt: string | null;
}

export interface WaybillStatus {
  delivered: boolean;
  /** When it was delivered (signed for), if it was. */
  at: string | null;
  /** The courier's tracking status (`booked`, `accepted`, `in_transit`, `delivered`), or `unknown`. */
  status: string;
}

export interface DispatchFollowUp {
  /** False: the department's system never received this case and step. */
  known: boolean;
  result: { outcome: 'approved' | 'refused'; opinion: string; at: string } | null;
  milestones: { milestone: string; at: string }[];
}

/** The payment platform's order states as onewindow names them; a state it adds later is `unknown` (a person looks). */
const orderStates: Record<string, PaymentOrderState> = {
  open: 'open', paid: 'paid', expired: 'expired', refunded: 'refunded', closed: 'closed', cancelled: 'closed',
};

const notFound = (err: unknown) => err instanceof AdapterRefusal && err.status === 404;

export function createFollowUpActivities(db: Db, platforms: Platforms) {
  return {
    /** The payment platform's word on an order: `unknown` when it has no such order. */
    async paymentOrderStatus({ paymentId }: { paymentId: string }): Promise<PaymentOrderStatus> {
      try {
        const order = await platforms.payment.getOrder(paymentId);
        const status = orderStates[order.status] ?? 'unknown';
        return { status, amountFen: order.amountFen, paidAt: status === 'paid' || status === 'refunded' ? order.paidAt ?? null : null };
      } catch (err) {
        if (notFound(err)) return { status: 'unknown', amountFen: null, paidAt: null };
        return refusalFinal(err);
      }
    },

    /**
     * The courier's tracking of a waybill. For a case of the first engine a delivery found here is
     * recorded in our read model as the delivered callback would have been; the second engine asks
     * `readOnly` and writes `deliveries` itself, through its projection (one writer).
     */
    async trackWaybill({ waybillNo, readOnly }: { waybillNo: string; readOnly?: boolean }): Promise<WaybillStatus> {
      let tracking;
      try {
        tracking = await platforms.logistics.track(waybillNo);
      } catch (err) {
        if (notFound(err)) return { delivered: false, at: null, status: 'unknown' };
        return refusalFinal(err);
      }
      const delivered = tracking.status === 'delivered';
      const at = delivered ? tracking.events.find((e) => e.status === 'delivered')?.at ?? null : null;
      if (delivered && at && !readOnly) await db('deliveries').where({ waybill_no: waybillNo }).whereNot({ status: 'delivered' }).update({ status: 'delivered', delivered_at: at });
      return { delivered, at, status: tracking.status };
    },

    /**
     * What the department's system has for the case, step and round (absent = 1; a step run again
     * after a return is dispatched again as a new round): its milestones so far and its result, once given.
     */
    async dispatchStatus(d: { caseNo: string; stepId: string; department: string; system: string; round?: number }): Promise<DispatchFollowUp> {
      let status;
      try {
        status = await platforms.departments.dispatchStatus(d.department, { caseNo: d.caseNo, stepId: d.stepId, round: d.round });
      } catch (err) {
        return refusalFinal(err);
      }
      if (!status) return { known: false, result: null, milestones: [] };
      return {
        known: true,
        result: status.result && { outcome: status.result.outcome, opinion: status.result.opinion, at: status.result.at },
        milestones: status.milestones.map((m) => ({ milestone: m.milestone, at: m.at })),
      };
    },
  };
}
