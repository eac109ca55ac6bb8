/**
 * The case's side effects on the platform: payment orders, certificates, courier bookings,
 * department dispatches, service checks, notifications and evaluations. Each is keyed by the
 * case number (and step), so a retry finds what the first attempt did and does nothing twice.
 *
 * Until the adapters to the external platforms land (payment, e-certificate, logistics,
 * department systems, messaging), these record the order, certificate, booking, dispatch and
 * message in the platform's own tables; callbacks arrive through the API.
 */
import crypto from 'node:crypto';
import type { Db } from '../lib/db';
import { checkCitizenId } from '../lib/identity';
import type { Applicant } from '../workflows/definitions';

export interface PaymentOrder {
  paymentId: string;
  paymentCode: string;
  expiresAt: string;
}

/** A short, unguessable-enough digit string derived from a key, for payment codes and waybills. */
function digits(key: string, n: number): string {
  const h = crypto.createHash('sha256').update(key).digest();
  let out = '';
  for (let i = 0; out.length < n; i++) out += (h[i % h.length] % 10).toString();
  return out;
}

export function createCaseServiceActivities(db: Db) {
  return {
    async createPaymentOrder(o: { caseNo: string; amountFen: number; paymentDays: number; createdAt: string }): Promise<PaymentOrder> {
      const id = `pay-${o.caseNo}`;
      const expiresAt = new Date(Date.parse(o.createdAt) + o.paymentDays * 86_400_000).toISOString();
      await db('payments')
        .insert({ id, case_no: o.caseNo, amount_fen: o.amountFen, payment_code: `33${digits(id, 16)}`, status: 'open', created_at: o.createdAt, expires_at: expiresAt })
        .onConflict('case_no')
        .ignore();
      const row = await db('payments').where({ case_no: o.caseNo }).first<{ id: string; payment_code: string; expires_at: Date }>();
      return { paymentId: row.id, paymentCode: row.payment_code, expiresAt: new Date(row.expires_at).toISOString() };
    },

    async markPaymentPaid(p: { paymentId: string; paidAt: string }): Promise<void> {
      await db('payments').where({ id: p.paymentId }).whereIn('status', ['open']).update({ status: 'paid', paid_at: p.paidAt });
    },

    async expirePaymentOrder(p: { paymentId: string; at: string }): Promise<void> {
      await db('payments').where({ id: p.paymentId, status: 'open' }).update({ status: 'expired' });
    },

    /** Issues the result certificate once per case; a retry returns the same number. */
    async issueCertificate(c: {
      caseNo: string; certificateType: string; name: string; holderName: string; holderId: string; issuer: string;
      validityYears: number | null; issuedAt: string; fields: Record<string, unknown>;
    }): Promise<{ certificateNo: string }> {
      const validUntil = c.validityYears ? new Date(Date.parse(c.issuedAt) + c.validityYears * 365.25 * 86_400_000).toISOString().slice(0, 10) : null;
      await db('certificates')
        .insert({
          number: `${c.issuer.toUpperCase()}-${c.caseNo}`, case_no: c.caseNo, type: c.certificateType, name: c.name, holder_name: c.holderName,
          holder_id: c.holderId, issuer_department: c.issuer, fields: JSON.stringify(c.fields), issued_at: c.issuedAt, valid_until: validUntil,
        })
        .onConflict('case_no')
        .ignore();
      const row = await db('certificates').where({ case_no: c.caseNo }).first<{ number: string }>('number');
      return { certificateNo: row.number };
    },

    /** Books a courier for the result once per case; a retry returns the same waybill. */
    async bookCourier(b: { caseNo: string; address: { name: string; phone: string; address: string }; item: string }): Promise<{ waybillNo: string }> {
      await db('deliveries')
        .insert({ case_no: b.caseNo, method: 'courier', waybill_no: `EMS${digits(b.caseNo, 10)}`, address: JSON.stringify(b.address), status: 'booked', booked_at: new Date() })
        .onConflict('case_no')
        .ignore();
      const row = await db('deliveries').where({ case_no: b.caseNo }).first<{ waybill_no: string }>('waybill_no');
      return { waybillNo: row.waybill_no };
    },

    async dispatchToDepartment(d: { caseNo: string; stepId: string; department: string; system: string; itemCode: string; formData: Record<string, unknown>; applicantKind: string }): Promise<void> {
      await db('department_dispatches')
        .insert({ case_no: d.caseNo, step_id: d.stepId, department_code: d.department, system: d.system, payload: JSON.stringify({ itemCode: d.itemCode, formData: d.formData, applicantKind: d.applicantKind }), dispatched_at: new Date() })
        .onConflict(['case_no', 'step_id'])
        .ignore();
    },

    /** A `service` step. identity.verifyPerson checks the citizen ID number (GB 11643) locally. */
    callService(s: { caseNo: string; adapter: string; operation: string; applicant: Applicant; formData: Record<string, unknown> }): Promise<{ ok: boolean; detail: string }> {
      if (s.adapter === 'identity' && s.operation === 'verifyPerson') {
        if (s.applicant.kind !== 'person') return Promise.resolve({ ok: false, detail: '申请人不是自然人' });
        const problem = checkCitizenId(s.applicant.idNumber);
        return Promise.resolve(problem ? { ok: false, detail: problem } : { ok: true, detail: '公民身份号码校验通过' });
      }
      return Promise.resolve({ ok: false, detail: `服务 ${s.adapter}.${s.operation} 尚未接入` });
    },

    async notify(n: { key: string; caseNo: string; recipient: string; template: string; params: Record<string, unknown> }): Promise<void> {
      await db('notifications').insert({ key: n.key, case_no: n.caseNo, recipient: n.recipient, template: n.template, params: JSON.stringify(n.params) }).onConflict('key').ignore();
    },

    async recordEvaluation(e: { caseNo: string; level: number; comment: string; at: string; department: string; itemCode: string }): Promise<void> {
      await db('evaluations').insert({ case_no: e.caseNo, level: e.level, comment: e.comment, at: e.at, department_code: e.department, item_code: e.itemCode }).onConflict('case_no').ignore();
    },
  };
}
