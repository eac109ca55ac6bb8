/**
 * In-memory activities for workflow tests: they record what the workflow asked for, and compute
 * working days with the real calendar arithmetic over the shipped 2025–2026 arrangements.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../activities';
import type { DispatchFollowUp, PaymentOrderStatus, WaybillStatus } from '../activities/follow-up';
import type { CaseEventInput, CloseTaskInput, OpenTaskInput } from '../activities/projection';
import { officialYears } from '../lib/calendar/official';
import { WorkingCalendar } from '../lib/calendar/working-days';

const calendar = new WorkingCalendar(officialYears());

export type CaseActivities = Omit<Activities, 'openReview' | 'closeReview' | 'applyChange' | 'rejectChange' | 'reconcileDay'>;

/** Activities that can be made to refuse, as a platform refuses for a business reason. */
export type RefusableActivity = 'createPaymentOrder' | 'issueCertificate' | 'bookCourier' | 'dispatchToDepartment' | 'refundPayment' | 'notify';

export function fakeActivities() {
  /** How many of the next calls of each activity the "platform" refuses (non-retryable). */
  const refuseNext: Partial<Record<RefusableActivity, number>> = {};
  const refusing = (name: RefusableActivity) => {
    if (!refuseNext[name]) return;
    refuseNext[name] -= 1;
    throw ApplicationFailure.create({ type: `PlatformRefusal:fake:${name}`, message: `平台拒绝了 ${name}（模拟）`, nonRetryable: true });
  };
  const faceChecks: { caseNo: string; attempt: number; checkId: string; person: { idNumber: string; name: string } }[] = [];
  const refunds: { paymentId: string; reason: string }[] = [];
  const events: CaseEventInput[] = [];
  const opened: OpenTaskInput[] = [];
  const closed: CloseTaskInput[] = [];
  const notifications: { template: string; params: Record<string, unknown> }[] = [];
  const certificates = new Map<string, string>();
  const payments = new Map<string, { paymentId: string; status: string; amountFen?: number }>();
  /** What the fake platforms answer to follow-up queries, by payment id, waybill number and `stepId`; unset: see each query. */
  const followUp = { payments: new Map<string, PaymentOrderStatus>(), waybills: new Map<string, WaybillStatus>(), dispatches: new Map<string, DispatchFollowUp>() };
  const dispatches: { stepId: string; department: string; system: string }[] = [];
  const evaluations: { level: number }[] = [];
  const activities: CaseActivities = {
    recordCaseEvent: (ev) => { events.push(ev); return Promise.resolve(); },
    openTask: (t) => { opened.push(t); return Promise.resolve(); },
    closeTask: (t) => { closed.push(t); return Promise.resolve(); },
    assignTask: () => Promise.resolve(),
    addWorkingDays: ({ from, days }) => {
      const r = calendar.addWorkingDays(new Date(from), days);
      return Promise.resolve({ deadline: r.value.toISOString(), provisional: r.provisional });
    },
    workingDaysBetween: ({ from, to }) => {
      const r = calendar.workingDaysBetween(new Date(from), new Date(to));
      return Promise.resolve({ days: r.value, provisional: r.provisional });
    },
    createPaymentOrder: ({ caseNo, paymentDays, createdAt, amountFen }) => {
      refusing('createPaymentOrder');
      const order = { paymentId: `pay-${caseNo}`, paymentCode: '3300000000000001', expiresAt: new Date(Date.parse(createdAt) + paymentDays * 86_400_000).toISOString() };
      payments.set(order.paymentId, { paymentId: order.paymentId, status: 'open', amountFen });
      return Promise.resolve(order);
    },
    markPaymentPaid: ({ paymentId }) => { payments.get(paymentId)!.status = 'paid'; return Promise.resolve(); },
    expirePaymentOrder: ({ paymentId }) => { payments.get(paymentId)!.status = 'expired'; return Promise.resolve(); },
    issueCertificate: ({ caseNo, issuer }) => {
      refusing('issueCertificate');
      const no = certificates.get(caseNo) ?? `${issuer.toUpperCase()}-${caseNo}`;
      certificates.set(caseNo, no);
      return Promise.resolve({ certificateNo: no });
    },
    bookCourier: ({ caseNo }) => { refusing('bookCourier'); return Promise.resolve({ waybillNo: `EMS-${caseNo}` }); },
    dispatchToDepartment: (d) => { refusing('dispatchToDepartment'); dispatches.push(d); return Promise.resolve(); },
    refundPayment: ({ paymentId, reason }) => {
      refusing('refundPayment');
      payments.get(paymentId)!.status = 'refunded';
      refunds.push({ paymentId, reason });
      return Promise.resolve({ refundId: `RF-${paymentId}`, amountFen: 0, refundedAt: new Date().toISOString() });
    },
    // The fake population base knows everyone but people named 冒名…; a legal person's agent named 未授权… holds no authorisation.
    verifyApplicant: ({ applicant, at }) => {
      const problems = [
        ...(applicant.name.startsWith('冒名') ? ['申请人实名核验未通过：姓名与公民身份号码不一致'] : []),
        ...(applicant.agent?.name.startsWith('未授权') ? [`经办人${applicant.agent.name}未获该单位法定代表人授权办理本事项（或授权已过期）`] : []),
      ];
      return Promise.resolve({ ok: problems.length === 0, checks: [{ check: applicant.kind, result: problems.length ? 'mismatch' : 'match' }], problems, at });
    },
    startFaceCheck: ({ caseNo, attempt, person }) => {
      const checkId = `face-${caseNo}-${attempt}`;
      faceChecks.push({ caseNo, attempt, checkId, person });
      return Promise.resolve({ checkId, requestedAt: new Date().toISOString() });
    },
    closeFaceCheck: () => Promise.resolve(),
    // Everyone holds a 居民身份证 in the fake certificate library.
    replaceMaterials: ({ holderIds, materials }) => Promise.resolve({
      replaced: materials.filter((m) => m.certificateType === '居民身份证').map((m) => ({ materialId: m.id, materialName: m.name, certificateNo: `XH-GAJ-${holderIds[0]}`, certificateType: '居民身份证' })),
      notUsed: [],
    }),
    callService: ({ applicant }) => Promise.resolve(applicant.idNumber.endsWith('X') ? { ok: true, detail: 'ok' } : { ok: false, detail: '公民身份号码校验码不正确' }),
    notify: (n) => { refusing('notify'); notifications.push(n); return Promise.resolve(); },
    recordEvaluation: (e) => { evaluations.push(e); return Promise.resolve(); },
    // Unless a test says otherwise, the platforms have what our side has: the order as we know it
    // (still open), a waybill not yet delivered, a dispatch received with no result yet.
    paymentOrderStatus: ({ paymentId }) => {
      const p = payments.get(paymentId);
      return Promise.resolve(followUp.payments.get(paymentId) ?? (p ? { status: p.status === 'open' ? 'open' : p.status === 'expired' ? 'expired' : p.status === 'refunded' ? 'refunded' : 'paid', amountFen: p.amountFen ?? null, paidAt: null } : { status: 'unknown', amountFen: null, paidAt: null }));
    },
    trackWaybill: ({ waybillNo }) => Promise.resolve(followUp.waybills.get(waybillNo) ?? { delivered: false, at: null, status: 'in_transit' }),
    dispatchStatus: ({ stepId }) => Promise.resolve(followUp.dispatches.get(stepId) ?? { known: dispatches.some((d) => d.stepId === stepId), result: null, milestones: [] }),
  };
  return { activities, events, opened, closed, notifications, certificates, payments, dispatches, evaluations, faceChecks, refunds, refuseNext, followUp, types: () => events.map((e) => e.type) };
}
