/**
 * The case's side effects on the external platforms: payment orders, certificates, courier
 * bookings, department dispatches, identity checks and messages, through the adapters' HTTP
 * clients. Each carries an idempotency key from the case number and step, so a retried activity
 * never charges, issues, books or sends twice; each also records what it did in our read model.
 */
import { ApplicationFailure } from '@temporalio/common';
import { direct } from '../lib/statements';
import { chinaDate } from '../adapters/certificate-seal';
import { AdapterRefusal } from '../adapters/errors';
import type { Db } from '../lib/db';
import type { Platforms } from '../lib/platforms';
import { PLATFORM_REFUSAL, type Applicant, type FeeStage, type IdentityCheck, type MaterialReplacement, type PinnedMaterial } from '../workflows/definitions';
import { rollUpCases } from './rollups';

export interface PaymentOrder {
  paymentId: string;
  paymentCode: string;
  expiresAt: string;
}

/**
 * A platform's business refusal fails the activity for good (retrying changes nothing): the
 * workflow catches it and opens a manual task (人工处理) with the platform's reason. Transient
 * faults are thrown as they are, and Temporal retries them with backoff.
 */
async function refusalsFinal<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    return refusalFinal(err);
  }
}

/** Rethrows `err`, a platform's business refusal as a non-retryable failure (see refusalsFinal). */
export function refusalFinal(err: unknown): never {
  if (err instanceof AdapterRefusal) throw ApplicationFailure.create({ type: `${PLATFORM_REFUSAL}:${err.platform}:${err.code}`, message: err.message, nonRetryable: true });
  throw err;
}

/** What a check against a platform came to when the platform refused to answer it: the refusal's words. */
async function orRefusal<T>(call: () => Promise<T>): Promise<T | { refused: string }> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof AdapterRefusal) return { refused: err.message };
    throw err;
  }
}

const matchWords: Record<string, string> = { match: '一致', mismatch: '不一致', unknown: '查无此人（单位）' };

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
    async createPaymentOrder(o: { caseNo: string; amountFen: number; paymentDays: number; createdAt: string; stage?: FeeStage }): Promise<PaymentOrder> {
      const c = await caseRow(o.caseNo);
      const expiresAt = new Date(Date.parse(o.createdAt) + o.paymentDays * 86_400_000).toISOString();
      const order = await refusalsFinal(() => platforms.payment.createOrder(
        { caseNo: o.caseNo, payer: { name: c.applicant.name, idNumber: c.applicant.idNumber }, amountFen: o.amountFen, description: `${c.item_name} 费用`, expiresAt },
        `${o.caseNo}/fee`,
      ));
      await db('payments')
        .insert({ id: order.orderId, case_no: o.caseNo, amount_fen: order.amountFen, payment_code: order.paymentCode, status: 'open', created_at: order.createdAt, expires_at: order.expiresAt, stage: o.stage ?? 'decision' })
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

    /** Refunds a paid fee in full (a refusal or withdrawal after a fee charged at acceptance), once per case. */
    async refundPayment(r: { caseNo: string; paymentId: string; reason: string }): Promise<{ refundId: string; amountFen: number; refundedAt: string }> {
      const refund = await refusalsFinal(() => platforms.payment.refund({ orderId: r.paymentId, reason: r.reason }, `${r.caseNo}/refund`));
      await db('payments').where({ id: r.paymentId }).whereNull('refund_id')
        .update({ status: 'refunded', refund_id: refund.refundId, refund_reason: r.reason, refunded_at: refund.refundedAt });
      return { refundId: refund.refundId, amountFen: refund.amountFen, refundedAt: refund.refundedAt };
    },

    /**
     * Real-name check (实名核验) of the applicant: a person by ID number and name against the
     * population base; a legal person by credit code, name and legal representative against the
     * legal-person base. An agent (经办人) is checked as a person, and for a legal person must hold
     * its legal representative's authorisation for this item. Only reads: safe to repeat.
     */
    async verifyApplicant(v: { applicant: Applicant; itemCode: string; at: string }): Promise<IdentityCheck> {
      const a = v.applicant;
      const checks: IdentityCheck['checks'] = [];
      const problems: string[] = [];
      if (a.kind === 'person') {
        const r = await orRefusal(() => platforms.identity.verifyPerson({ idNumber: a.idNumber, name: a.name }));
        if ('refused' in r) problems.push(`申请人实名核验未通过：${r.refused}`);
        else if (r.result !== 'match') problems.push(`申请人实名核验未通过：姓名与公民身份号码${matchWords[r.result]}`);
        checks.push({ check: 'person', result: 'refused' in r ? 'refused' : r.result });
      } else if (!a.legalRepresentative) {
        problems.push('法人申请未提供法定代表人信息，无法核验法人身份');
        checks.push({ check: 'legal-person', result: 'incomplete' });
      } else {
        const rep = a.legalRepresentative;
        const r = await orRefusal(() => platforms.identity.verifyLegalPerson({ creditCode: a.idNumber, name: a.name, legalRepresentative: rep }));
        if ('refused' in r) problems.push(`法人核验未通过：${r.refused}`);
        else if (r.result === 'unknown') problems.push('法人核验未通过：法人库中没有该统一社会信用代码');
        else if (r.result === 'mismatch') {
          const what = r.mismatches.map((m) => (m === 'name' ? '单位名称' : m === 'legalRepresentative' ? '法定代表人' : m)).join('、');
          problems.push(`法人核验未通过：${what}与法人库登记不一致`);
        }
        checks.push({ check: 'legal-person', result: 'refused' in r ? 'refused' : r.result });
      }
      if (a.agent) {
        const agent = a.agent;
        const r = await orRefusal(() => platforms.identity.verifyPerson(agent));
        if ('refused' in r) problems.push(`经办人实名核验未通过：${r.refused}`);
        else if (r.result !== 'match') problems.push(`经办人实名核验未通过：姓名与公民身份号码${matchWords[r.result]}`);
        checks.push({ check: 'agent', result: 'refused' in r ? 'refused' : r.result });
        if (a.kind === 'legal_person') {
          const auth = await orRefusal(() => platforms.identity.checkAuthorisation({ creditCode: a.idNumber, agentIdNumber: agent.idNumber, scope: v.itemCode }));
          if ('refused' in auth) problems.push(`经办人授权核验未通过：${auth.refused}`);
          else if (!auth.authorised) problems.push(`经办人${agent.name}未获该单位法定代表人授权办理本事项（或授权已过期）`);
          checks.push({ check: 'agent-authorisation', result: 'refused' in auth ? 'refused' : auth.authorised ? 'authorised' : 'not-authorised' });
        }
      }
      return { ok: problems.length === 0, checks, problems, at: v.at };
    },

    /**
     * Starts a live face check (高级认证) of the person acting for the case, once per case and
     * attempt. A platform refusal (unknown person, name mismatch) is a result, not a failure.
     */
    async startFaceCheck(f: { caseNo: string; attempt: number; person: { idNumber: string; name: string } }): Promise<{ checkId: string; requestedAt: string } | { refused: string }> {
      const r = await orRefusal(() => platforms.identity.startFaceCheck({ caseNo: f.caseNo, person: f.person }, `${f.caseNo}/face-check/${f.attempt}`));
      if ('refused' in r) return r;
      await db('face_checks')
        .insert({ check_id: r.checkId, case_no: f.caseNo, attempt: f.attempt, status: 'pending', requested_at: r.requestedAt })
        .onConflict('check_id')
        .ignore();
      return { checkId: r.checkId, requestedAt: r.requestedAt };
    },

    /** Records how a face check ended when no callback did (the wait timed out). */
    async closeFaceCheck(f: { checkId: string; status: 'failed' | 'timed-out'; reason: string; at: string }): Promise<void> {
      await db('face_checks').where({ check_id: f.checkId, status: 'pending' }).update({ status: f.status, reason: f.reason, completed_at: f.at });
    },

    /**
     * 减材料: the certificates the applicant (and a legal person's legal representative) already
     * hold, checked genuine and valid, satisfy the materials they can replace. Recorded once per
     * case and material; repeating returns the same replacements.
     */
    async replaceMaterials(m: { caseNo: string; holderIds: string[]; materials: PinnedMaterial[]; at: string }): Promise<{ replaced: MaterialReplacement[]; notUsed: { materialId: string; certificateNo: string; reason: string }[] }> {
      const wanted = m.materials.filter((x) => x.certificateType);
      const replaced: MaterialReplacement[] = [];
      const notUsed: { materialId: string; certificateNo: string; reason: string }[] = [];
      if (wanted.length === 0) return { replaced, notUsed };
      // The case's row (which the replacements reference) is written by the projection, a local
      // activity of the same workflow task; when that task ran long it was completed with a
      // heartbeat and this activity scheduled before the projection committed (seen on the
      // cluster under load). Until the row is there, fail retryably: Temporal tries again in a second.
      if (!(await db('cases').where({ case_no: m.caseNo }).first('case_no'))) {
        throw new Error(`case ${m.caseNo} is not in the read model yet; replaceMaterials waits for its projection`);
      }
      const held = (await Promise.all(m.holderIds.map(async (id) => {
        const r = await orRefusal(() => platforms.certificates.listByHolder(id));
        return 'refused' in r ? [] : r;
      }))).flat();
      for (const material of wanted) {
        for (const doc of held.filter((d) => d.type === material.certificateType)) {
          const verdict = await platforms.certificates.verify(doc);
          if (verdict.verdict !== 'genuine') {
            notUsed.push({ materialId: material.id, certificateNo: doc.number, reason: verdict.detail });
            continue;
          }
          replaced.push({ materialId: material.id, materialName: material.name, certificateNo: doc.number, certificateType: doc.type });
          await db('certificate_replacements')
            .insert({ case_no: m.caseNo, material_id: material.id, material_name: material.name, certificate_no: doc.number, certificate_type: doc.type, holder_id: doc.holder.idNumber, replaced_at: m.at })
            .onConflict(['case_no', 'material_id'])
            .ignore();
          break;
        }
      }
      return { replaced, notUsed };
    },

    /**
     * 模拟审批: the e-certificates of the given types the holders hold now, checked genuine and
     * valid (a precondition such as the land certificate has appeared). A refusal to list a holder counts as none held.
     */
    async findCertificates(q: { caseNo: string; holderIds: string[]; certificateTypes: string[] }): Promise<{ found: { certificateType: string; certificateNo: string }[] }> {
      const found: { certificateType: string; certificateNo: string }[] = [];
      for (const type of q.certificateTypes) {
        search: for (const id of q.holderIds) {
          const r = await orRefusal(() => platforms.certificates.listByHolder(id, type));
          if ('refused' in r) continue;
          for (const doc of r.filter((d) => d.type === type)) {
            if ((await platforms.certificates.verify(doc)).verdict !== 'genuine') continue;
            found.push({ certificateType: type, certificateNo: doc.number });
            break search;
          }
        }
      }
      return { found };
    },

    /** Issues the result certificate through the e-certificate platform, once per case. */
    async issueCertificate(c: {
      caseNo: string; certificateType: string; name: string; holderName: string; holderId: string; issuer: string;
      validityYears: number | null; issuedAt: string; fields: Record<string, string | number | boolean>;
    }): Promise<{ certificateNo: string }> {
      // Dates on a certificate are China dates: one issued at 00:30 Beijing time bears that day's date.
      const validUntil = c.validityYears ? chinaDate(new Date(Date.parse(c.issuedAt) + c.validityYears * 365.25 * 86_400_000)) : null;
      const doc = await refusalsFinal(() => platforms.certificates.issue(
        { type: c.certificateType, holder: { name: c.holderName, idNumber: c.holderId }, issuer: c.issuer, fields: c.fields, validFrom: chinaDate(new Date(c.issuedAt)), validUntil },
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
    async dispatchToDepartment(d: { caseNo: string; stepId: string; department: string; system: string; itemCode: string; formData: Record<string, unknown>; applicantKind: string; round?: number }): Promise<void> {
      const c = await caseRow(d.caseNo);
      const round = d.round ?? 1;
      await refusalsFinal(() => platforms.departments.pushCase(d.department, {
        caseNo: d.caseNo, stepId: d.stepId, ...(round > 1 ? { round } : {}), itemCode: d.itemCode, formData: d.formData,
        applicant: { kind: c.applicant.kind === 'person' ? 'person' : 'legal-person', name: c.applicant.name, idNumber: c.applicant.idNumber },
        acceptedAt: (c.accepted_at ?? new Date()).toISOString(),
      }));
      await db('department_dispatches')
        .insert({ case_no: d.caseNo, step_id: d.stepId, round, department_code: d.department, system: d.system, payload: JSON.stringify({ itemCode: d.itemCode, formData: d.formData, applicantKind: d.applicantKind }), dispatched_at: new Date() })
        .onConflict(['case_no', 'step_id', 'round'])
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
      await db('notifications').insert({ key: n.key, case_no: n.caseNo, recipient: n.recipient, template: n.template, params: JSON.stringify(n.params), sent_at: db.fn.now() }).onConflict('key').ignore();
    },

    async recordEvaluation(e: { caseNo: string; level: number; comment: string; at: string; department: string; itemCode: string }): Promise<void> {
      await db.transaction(async (trx) => {
        await trx('evaluations').insert({ case_no: e.caseNo, level: e.level, comment: e.comment, at: e.at, department_code: e.department, item_code: e.itemCode }).onConflict('case_no').ignore();
        await rollUpCases(direct(trx), [e.caseNo]);
      });
    },
  };
}
