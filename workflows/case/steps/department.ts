/**
 * A department step: the case is dispatched to the department's own system, which answers by
 * callback (signal) with milestones and a result of the round it was given. When no result comes
 * within the step's limit, the case has asked the system itself along the way, and a manual task
 * lets the department's head ask again or enter the department's written result.
 */
import { isCancelled, type Scope } from '../../case-state';
import { DEPARTMENT_WAIT_WORKING_DAYS, type DepartmentStep } from '../../definitions';
import { CaseEnded, DAY_MS, now, type Case, type StepOutcome } from '../context';
import { superviseStep } from '../supervision';
import { awaitTask, openTask, waitOrAsk, withManualFallback } from '../tasks';

export const resultKey = (stepId: string, round: number): string => `${stepId}#${round}`;

export async function runDepartment(c: Case, step: DepartmentStep, scope?: Scope): Promise<StepOutcome> {
  const { state } = c;
  const round = c.roundOf(step.id);
  const dispatched = await withManualFallback(c, { id: `dispatch-${step.id}`, name: `推送${step.name}至部门系统`, department: step.department, allowSkip: false, scope }, () =>
    c.remote.dispatchToDepartment({ caseNo: c.caseNo, stepId: step.id, department: step.department, system: step.system, itemCode: c.impl.itemCode, formData: state.formData, applicantKind: c.input.applicant.kind, ...(round > 1 ? { round } : {}) }));
  if (!dispatched) return { outcome: 'cancelled' };
  c.record('department-dispatched', { payload: { stepId: step.id, department: step.department, system: step.system, round }, patch: { currentSteps: c.currentSteps() } });
  const key = resultKey(step.id, round);
  const result = () => state.departmentResults.get(key);
  if (step.limitDays !== undefined) {
    const limit = { id: step.id, department: step.department, limitDays: step.limitDays, rule: step.supervision ?? c.impl.supervision };
    c.background.push(superviseStep(c, limit, () => !result() && !isCancelled(scope) && !state.withdrawal, () => result()?.at ?? null));
  }
  await awaitResult(c, step, round, scope);
  if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
  const r = result();
  if (!r) return { outcome: 'cancelled' };
  c.record('department-result', { payload: { ...r } });
  return { outcome: r.outcome, opinion: r.opinion, by: step.department };
}

async function awaitResult(c: Case, step: DepartmentStep, round: number, scope?: Scope): Promise<void> {
  const { state } = c;
  const key = resultKey(step.id, round);
  const over = () => state.departmentResults.has(key) || isCancelled(scope) || state.withdrawal !== null;
  const ask = async () => {
    const s = await c.call(() => c.remote.dispatchStatus({ caseNo: c.caseNo, stepId: step.id, department: step.department, system: step.system, round }));
    if (s.result && !state.departmentResults.has(key)) {
      state.departmentResults.set(key, { stepId: step.id, round, ...s.result });
      c.record('department-result-found', { payload: { stepId: step.id, round, outcome: s.result.outcome } });
    }
    return over();
  };
  let until = c.clock.add(now(), step.limitDays ?? DEPARTMENT_WAIT_WORKING_DAYS).deadline;
  for (;;) {
    if (await waitOrAsk(c, over, ask, until)) return;
    const task = openTask(c, {
      kind: 'manual', stepId: step.id, stepName: `人工处理：${step.name}（部门系统未返回结果）`, department: step.department, role: 'head', actions: ['retry', 'approve', 'refuse'],
      notes: [`已推送至部门业务系统 ${step.system}，期限内未收到办理结果，查询部门系统亦无结果。“重试”再次查询并等待一日；“同意”或“不予同意”按部门的书面结果录入，并写明依据。`],
    }, undefined, scope);
    const done = await awaitTask(c, task, undefined, over);
    if (!done) return;
    if (done.action === 'retry') {
      until = new Date(Date.now() + DAY_MS).toISOString();
      continue;
    }
    state.departmentResults.set(key, { stepId: step.id, round, outcome: done.action === 'approve' ? 'approved' : 'refused', opinion: done.opinion, at: now() });
    c.record('department-result-entered', { actor: done.actor.userId, payload: { stepId: step.id, round, outcome: done.action, opinion: done.opinion } });
    task.handled = true;
    return;
  }
}
