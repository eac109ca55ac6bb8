/**
 * The case's side effects on the external platforms: payment orders, certificates, courier
 * bookings, department dispatches, identity checks and messages, through the adapters' HTTP
 * clients. Each carries an idempotency key from the case number and step, so a retried activity
 * never charges, issues, books or sends twice; each also records what it did in our read model.
 */
import { ApplicationFailure } from '@temporalio/common';
import { AdapterRefusal } from '../adapters/errors';
import type { Db } from '../lib/db';
import type { Platforms } from '../lib/platforms';
import type { Applicant } from '../workflows/definitions';

export interface PaymentOrder {
  paymentId: string;
  paymentCode: string;
  expiresAt: string;
}

/**
 * A platform's business refusal is named as such in the activity failure. It is still retried
 * (with the proxy's backoff, up to a minute apart): failing the activity for good would fail the
 * case workflow, and no case may be lost; the refusal shows in the case's history and in the
 * Temporal UI until the data is put right. (Next: let the workflow open a manual task instead.)
 */
async function refusalsFinal<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof AdapterRefusal) throw ApplicationFailure.create({ type: `PlatformRefusal:${err.code}`, message: err.message, nonRetryable: false });
    throw err; // transient: Temporal retries with backoff
  }
}

/** The service hall's phone on courier waybills (the sender). */
const HALL_PHONE = '0571-87654321';

interface CaseRow {
  applicant: Applicant;
  department_code: string;
  item_name: string;
  accepted_at: Date | null;
}

export function createCaseServiceActivities(db: Db, platforms: Platforms) {
  const caseRow = async (caseNo: string) => db('cases').where({ case_no: caseNo }).first<CaseRow>('applicant', 'department_code', 'item_name', 'accepted_at');

  return {
    async createPaymentOrder(o: { caseNo: string; amountFen: number; paymentDays: number; createdAt: string }): Promise<PaymentOrder> {
      const c = await caseRow(o.caseNo);
      const expiresAt = new Date(Date.parse(o.createdAt) + o.paymentDays * 86_400_000).toISOString();
      const order = await refusalsFinal(() => platforms.payment.createOrder(
        { caseNo: o.caseNo, payer: { name: c.applicant.name, idNumber: c.applicant.idNumber }, amountFen: o.amountFen, description: `${c.item_name} 费用`, expiresAt },
        `${o.caseNo}/fee`,
      ));
      await db('payments')
        .insert({ id: order.orderId, case_no: o.caseNo, amount_fen: order.amountFen, payment_code: order.paymentCode, status: 'open', created_at: order.createdAt, expires_at: order.expiresAt })
        .onConflict('case_no')
        .ignore();
      return { paymentId: order.orderId, paymentCode: order.paymentCode, expiresAt: order.expiresAt };
    },

    async markPaymentPaid(p: { paymentId: string; paidAt: string }): Promise<void> {
      await db('payments').where({ id: p.paymentId, status: 'open' }).update({ status: 'paid', paid_at: p.paidAt });
    },

    async expirePaymentOrder(p: { paymentId: string; at: string }): Promise<void> {
      await db('payments').where({ id: p.paymentId, status: 'open' }).update({ status: 'expired' });
    },

    /** Issues the result certificate through the e-certificate platform, once per case. */
    async issueCertificate(c: {
      caseNo: string; certificateType: string; name: string; holderName: string; holderId: string; issuer: string;
      validityYears: number | null; issuedAt: string; fields: Record<string, string | number | boolean>;
    }): Promise<{ certificateNo: string }> {
      const validUntil = c.validityYears ? new Date(Date.parse(c.issuedAt) + c.validityYears * 365.25 * 86_400_000).toISOString().slice(0, 10) : null;
      const doc = await refusalsFinal(() => platforms.certificates.issue(
        { type: c.certificateType, holder: { name: c.holderName, idNumber: c.holderId }, issuer: c.issuer, fields: c.fields, validFrom: c.issuedAt.slice(0, 10), validUntil },
        `${c.caseNo}/certificate`,
      ));
      await db('certificates')
        .insert({
          number: doc.number, case_no: c.caseNo, type: c.certificateType, name: c.name, holder_name: c.holderName, holder_id: c.holderId,
          issuer_department: c.issuer, fields: JSON.stringify(doc), issued_at: c.issuedAt, valid_until: validUntil,
        })
        .onConflict('case_no')
        .ignore();
      return { certificateNo: doc.number };
    },

    /** Books a courier for the result, once per case. */
    async bookCourier(b: { caseNo: string; address: { name: string; phone: string; address: string }; item: string }): Promise<{ waybillNo: string }> {
      const c = await caseRow(b.caseNo);
      const hall = await db('departments as d').leftJoin('departments as h', 'h.code', 'd.hall_code').where('d.code', c.department_code).first<{ name: string }>(db.raw('coalesce(h.name, d.name) as name'));
      const booking = await refusalsFinal(() => platforms.logistics.book(
        { caseNo: b.caseNo, sender: { name: hall.name, phone: HALL_PHONE, address: hall.name }, recipient: b.address, item: b.item },
        `${b.caseNo}/delivery`,
      ));
      await db('deliveries')
        .insert({ case_no: b.caseNo, method: 'courier', waybill_no: booking.waybillNo, address: JSON.stringify(b.address), status: 'booked', booked_at: booking.bookedAt })
        .onConflict('case_no')
        .ignore();
      return { waybillNo: booking.waybillNo };
    },

    /** Pushes the accepted case to the department's own system, once per case and step. */
    async dispatchToDepartment(d: { caseNo: string; stepId: string; department: string; system: string; itemCode: string; formData: Record<string, unknown>; applicantKind: string }): Promise<void> {
      const c = await caseRow(d.caseNo);
      await refusalsFinal(() => platforms.departments.pushCase(d.department, {
        caseNo: d.caseNo, stepId: d.stepId, itemCode: d.itemCode, formData: d.formData,
        applicant: { kind: c.applicant.kind === 'person' ? 'person' : 'legal-person', name: c.applicant.name, idNumber: c.applicant.idNumber },
        acceptedAt: (c.accepted_at ?? new Date()).toISOString(),
      }));
      await db('department_dispatches')
        .insert({ case_no: d.caseNo, step_id: d.stepId, department_code: d.department, system: d.system, payload: JSON.stringify({ itemCode: d.itemCode, formData: d.formData, applicantKind: d.applicantKind }), dispatched_at: new Date() })
        .onConflict(['case_no', 'step_id'])
        .ignore();
    },

    /** A `service` step. identity.verifyPerson asks the population base whether ID and name match. */
    async callService(s: { caseNo: string; adapter: string; operation: string; applicant: Applicant; formData: Record<string, unknown> }): Promise<{ ok: boolean; detail: string }> {
      if (s.adapter === 'identity' && s.operation === 'verifyPerson') {
        if (s.applicant.kind !== 'person') return { ok: false, detail: '申请人不是自然人' };
        try {
          const { result } = await platforms.identity.verifyPerson({ idNumber: s.applicant.idNumber, name: s.applicant.name });
          return result === 'match' ? { ok: true, detail: '人口信息核验一致' } : { ok: false, detail: result === 'mismatch' ? '姓名与公民身份号码不一致' : '人口库中查无此人' };
        } catch (err) {
          if (err instanceof AdapterRefusal) return { ok: false, detail: err.message };
          throw err;
        }
      }
      return { ok: false, detail: `服务 ${s.adapter}.${s.operation} 尚未接入` };
    },

    /** A message: an SMS to the applicant's phone, or an in-app message to staff (`dept:role`). */
    async notify(n: { key: string; caseNo: string; recipient: string; template: string; params: Record<string, unknown> }): Promise<void> {
      const params = Object.fromEntries(Object.entries(n.params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      if (n.recipient === 'applicant') {
        const c = await caseRow(n.caseNo);
        if (c.applicant.phone) await refusalsFinal(() => platforms.notifier.sms({ phone: c.applicant.phone!, template: n.template, params }, n.key));
      } else {
        await refusalsFinal(() => platforms.notifier.inApp({ userId: n.recipient, title: n.template, body: JSON.stringify(params), caseNo: n.caseNo }, n.key));
      }
      await db('notifications').insert({ key: n.key, case_no: n.caseNo, recipient: n.recipient, template: n.template, params: JSON.stringify(n.params) }).onConflict('key').ignore();
    },

    async recordEvaluation(e: { caseNo: string; level: number; comment: string; at: string; department: string; itemCode: string }): Promise<void> {
      await db('evaluations').insert({ case_no: e.caseNo, level: e.level, comment: e.comment, at: e.at, department_code: e.department, item_code: e.itemCode }).onConflict('case_no').ignore();
    },
  };
}
