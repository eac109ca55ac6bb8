/**
 * In-memory activities for workflow tests: they record what the workflow asked for, and compute
 * working days with the real calendar arithmetic over the shipped 2025–2026 arrangements.
 */
import type { Activities } from '../activities';
import type { CaseEventInput, CloseTaskInput, OpenTaskInput } from '../activities/projection';
import { officialYears } from '../lib/calendar/official';
import { WorkingCalendar } from '../lib/calendar/working-days';

const calendar = new WorkingCalendar(officialYears());

export type CaseActivities = Omit<Activities, 'openReview' | 'closeReview' | 'applyChange' | 'rejectChange'>;

export function fakeActivities() {
  const events: CaseEventInput[] = [];
  const opened: OpenTaskInput[] = [];
  const closed: CloseTaskInput[] = [];
  const notifications: { template: string; params: Record<string, unknown> }[] = [];
  const certificates = new Map<string, string>();
  const payments = new Map<string, { paymentId: string; status: string }>();
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
    createPaymentOrder: ({ caseNo, paymentDays, createdAt }) => {
      const order = { paymentId: `pay-${caseNo}`, paymentCode: '3300000000000001', expiresAt: new Date(Date.parse(createdAt) + paymentDays * 86_400_000).toISOString() };
      payments.set(order.paymentId, { paymentId: order.paymentId, status: 'open' });
      return Promise.resolve(order);
    },
    markPaymentPaid: ({ paymentId }) => { payments.get(paymentId)!.status = 'paid'; return Promise.resolve(); },
    expirePaymentOrder: ({ paymentId }) => { payments.get(paymentId)!.status = 'expired'; return Promise.resolve(); },
    issueCertificate: ({ caseNo, issuer }) => {
      const no = certificates.get(caseNo) ?? `${issuer.toUpperCase()}-${caseNo}`;
      certificates.set(caseNo, no);
      return Promise.resolve({ certificateNo: no });
    },
    bookCourier: ({ caseNo }) => Promise.resolve({ waybillNo: `EMS-${caseNo}` }),
    dispatchToDepartment: (d) => { dispatches.push(d); return Promise.resolve(); },
    callService: ({ applicant }) => Promise.resolve(applicant.idNumber.endsWith('X') ? { ok: true, detail: 'ok' } : { ok: false, detail: '公民身份号码校验码不正确' }),
    notify: (n) => { notifications.push(n); return Promise.resolve(); },
    recordEvaluation: (e) => { evaluations.push(e); return Promise.resolve(); },
  };
  return { activities, events, opened, closed, notifications, certificates, payments, dispatches, evaluations, types: () => events.map((e) => e.type) };
}
