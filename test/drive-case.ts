/**
 * Drives a case through its whole life the happy way, as the people and platforms around it
 * would: accept, pass the face check, approve every step, answer department dispatches, pay,
 * deliver, rate 5.
 * Used to record the replay fixtures and by tests that need a finished case.
 */
import type { WorkflowHandle } from '@temporalio/client';
import {
  caseViewQuery,
  completeTaskUpdate,
  deliveredSignal,
  departmentResultSignal,
  evaluateUpdate,
  faceCheckResultSignal,
  paymentConfirmedSignal,
  type CaseView,
  type OpenTaskView,
} from '../workflows/definitions';

const positive: Record<string, string> = {
  precheck: 'accept', review: 'approve', 'lead-decision': 'approve', handover: 'handover', 'follow-up': 'answer', extension: 'approve', 'face-check': 'retry', manual: 'retry',
};
const pause = () => new Promise((r) => setTimeout(r, 30));

/** The case's first open task, as soon as it opens (a query every 25 ms, 10 s at most). */
export async function nextTask(h: WorkflowHandle): Promise<OpenTaskView> {
  for (let i = 0; i < 400; i++) {
    const t = (await h.query(caseViewQuery)).openTasks[0];
    if (t) return t;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no open task');
}

export async function driveToCompletion(h: WorkflowHandle, dispatchedSteps: () => string[]): Promise<CaseView> {
  const answered = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const view = await h.query(caseViewQuery);
    if (view.status === 'completed') {
      await h.executeUpdate(evaluateUpdate, { args: [{ level: 5, comment: '满意' }] });
      return h.query(caseViewQuery);
    }
    const t: OpenTaskView | undefined = view.openTasks[0];
    if (t) {
      await h.executeUpdate(completeTaskUpdate, { args: [{ taskId: t.taskId, action: positive[t.kind] as never, opinion: '同意', actor: { userId: `${t.department}-${t.role}`, department: t.department, roles: [t.role] } }] });
      continue;
    }
    if (view.faceCheck?.status === 'pending') {
      await h.signal(faceCheckResultSignal, { checkId: view.faceCheck.checkId, passed: true, at: new Date().toISOString() });
    } else if (view.payment?.status === 'open') {
      await h.signal(paymentConfirmedSignal, { paymentId: view.payment.paymentId, amountFen: view.payment.amountFen, paidAt: new Date().toISOString() });
    } else if (view.delivery?.waybillNo && !view.delivery.deliveredAt) {
      await h.signal(deliveredSignal, { waybillNo: view.delivery.waybillNo, at: new Date().toISOString() });
    } else {
      for (const stepId of dispatchedSteps()) {
        if (answered.has(stepId)) continue;
        answered.add(stepId);
        await h.signal(departmentResultSignal, { stepId, outcome: 'approved', opinion: '部门系统审批通过', at: new Date().toISOString() });
      }
    }
    await pause();
  }
  throw new Error('the case did not complete');
}
