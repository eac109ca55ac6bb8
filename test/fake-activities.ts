/**
 * In-memory activities for workflow tests: they record what the workflow asked for, and compute
 * working days with the real calendar arithmetic over the shipped 2025–2026 arrangements.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../activities';
import type { CaseEventInput, CloseTaskInput, OpenTaskInput, ProjectionOp } from '../activities/projection';
import { officialYears } from '../lib/calendar/official';
import { snapshotOf, WorkingCalendar, type CalendarYear } from '../lib/calendar/working-days';

export type CaseActivities = Omit<Activities, 'openReview' | 'closeReview' | 'applyChange' | 'rejectChange' | 'reconcileDay' | 'signalCalendarChange' | 'pruneOperationalRecords' | 'sweepSupervision'>;

/** Activities that can be made to refuse, as a platform refuses for a business reason. */
export type RefusableActivity = 'createPaymentOrder' | 'issueCertificate' | 'bookCourier' | 'dispatchToDepartment' | 'refundPayment' | 'notify';

/** What the fake platforms answer when the workflow asks them itself (their callbacks come by signal). */
export interface FakePlatformState {
  /** Payment orders the fake platform has paid: paymentId → paidAt. */
  paid: Map<string, string>;
  /** Waybills the fake courier has delivered: waybillNo → at. */
  delivered: Map<string, string>;
  /** Results the fake department systems hold: `${stepId}#${round}` → result. */
  departmentResults: Map<string, { outcome: 'approved' | 'refused'; opinion: string; at: string }>;
  /** E-certificates the fake library holds, by holder id (模拟审批 preconditions appear here). */
  certificates: Map<string, { certificateType: string; certificateNo: string }[]>;
}

export function fakeActivities(extraYears: CalendarYear[] = []) {
  /** The fake's calendar; `setYears` stands for an administrator importing a year. */
  let years = [...officialYears(), ...extraYears];
  let calendar = new WorkingCalendar(years);
  const setYears = (more: CalendarYear[]) => {
    years = [...officialYears(), ...more];
    calendar = new WorkingCalendar(years);
  };
  const platform: FakePlatformState = { paid: new Map(), delivered: new Map(), departmentResults: new Map(), certificates: new Map() };
  const asked: { activity: string; key: string }[] = [];
  /** A platform call held until the test opens its gate (to see what answers before it returns). */
  const gates: { createPaymentOrder?: Promise<void> } = {};
  /** Milliseconds the read model takes to close a task, by task id (to reproduce races). */
  const slowClose = new Map<string, number>();
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
  const payments = new Map<string, { paymentId: string; status: string }>();
  const dispatches: { stepId: string; department: string; system: string }[] = [];
  const evaluations: { level: number }[] = [];
  /** Projection batches the second engine wrote, in order (each one local activity). */
  const batches: ProjectionOp[][] = [];
  /** The live view each case keeps in the read model (patch live-view): its JSON and number, as the projection keeps them. */
  const views = new Map<string, { runId: string; seq: number; json: string | null }>();
  const activities: CaseActivities = {
    applyProjection: async ({ ops }) => {
      batches.push(ops);
      for (const op of ops) {
        if (op.op === 'event') events.push(op.ev);
        else if (op.op === 'task-open') opened.push(op.task);
        else if (op.op === 'task-close') await activities.closeTask(op.close);
        else if (op.op === 'evaluation') evaluations.push(op.evaluation);
        else if (op.op === 'payment') payments.get(op.paymentId)!.status = op.status;
        else if (op.op === 'view') {
          const kept = views.get(op.caseNo);
          if (!kept || kept.runId !== op.runId || op.seq >= kept.seq) views.set(op.caseNo, { runId: op.runId, seq: op.seq, json: op.json });
        }
      }
    },
    calendarSnapshot: () => Promise.resolve(snapshotOf(years, 2000)),
    recordCaseEvent: (ev) => { events.push(ev); return Promise.resolve(); },
    openTask: (t) => { opened.push(t); return Promise.resolve(); },
    closeTask: async (t) => {
      await new Promise((r) => setTimeout(r, slowClose.get(t.taskId) ?? 0));
      closed.push(t);
    },
    assignTask: () => Promise.resolve(),
    addWorkingDays: ({ from, days }) => {
      const r = calendar.addWorkingDays(new Date(from), days);
      return Promise.resolve({ deadline: r.value.toISOString(), provisional: r.provisional });
    },
    workingDaysBetween: ({ from, to }) => {
      const r = calendar.workingDaysBetween(new Date(from), new Date(to));
      return Promise.resolve({ days: r.value, provisional: r.provisional });
    },
    createPaymentOrder: async ({ caseNo, paymentDays, createdAt }) => {
      await gates.createPaymentOrder;
      refusing('createPaymentOrder');
      const order = { paymentId: `pay-${caseNo}`, paymentCode: '3300000000000001', expiresAt: new Date(Date.parse(createdAt) + paymentDays * 86_400_000).toISOString() };
      payments.set(order.paymentId, { paymentId: order.paymentId, status: 'open' });
      return order;
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
    findCertificates: ({ holderIds, certificateTypes }) => {
      asked.push({ activity: 'findCertificates', key: holderIds.join(',') });
      const held = holderIds.flatMap((id) => platform.certificates.get(id) ?? []);
      return Promise.resolve({ found: certificateTypes.flatMap((t) => held.filter((h) => h.certificateType === t).slice(0, 1)) });
    },
    callService: ({ applicant }) => Promise.resolve(applicant.idNumber.endsWith('X') ? { ok: true, detail: 'ok' } : { ok: false, detail: '公民身份号码校验码不正确' }),
    notify: (n) => { refusing('notify'); notifications.push(n); return Promise.resolve(); },
    recordEvaluation: (e) => { evaluations.push(e); return Promise.resolve(); },
    paymentOrderStatus: ({ paymentId }) => {
      asked.push({ activity: 'paymentOrderStatus', key: paymentId });
      const paidAt = platform.paid.get(paymentId);
      return Promise.resolve({ status: paidAt ? 'paid' : payments.has(paymentId) ? 'open' : 'unknown', amountFen: null, paidAt: paidAt ?? null });
    },
    trackWaybill: ({ waybillNo }) => {
      asked.push({ activity: 'trackWaybill', key: waybillNo });
      const at = platform.delivered.get(waybillNo);
      return Promise.resolve({ delivered: Boolean(at), at: at ?? null, status: at ? 'delivered' : 'in_transit' });
    },
    dispatchStatus: ({ stepId, round }) => {
      const key = `${stepId}#${round ?? 1}`;
      asked.push({ activity: 'dispatchStatus', key });
      const result = platform.departmentResults.get(key) ?? null;
      return Promise.resolve({ known: dispatches.some((d) => d.stepId === stepId), result, milestones: [] });
    },
  };
  return { activities, batches, views, events, opened, closed, notifications, certificates, payments, dispatches, evaluations, faceChecks, refunds, refuseNext, platform, asked, setYears, slowClose, gates, types: () => events.map((e) => e.type) };
}
