/** The decision (准予 / 不予许可), an early end (withdrawn, voided, not accepted), and 好差评. */
import { CaseEnded, now, type Case } from '../context';
import { awaitTask, cancelTask, notify, openTask } from '../tasks';
import { refundIfPaid } from './fee';

export async function decide(c: Case, outcome: 'approved' | 'refused', opinion: string, by: string): Promise<void> {
  const { state, caseNo } = c;
  // A withdrawal accepted before the decision ends the case, even when it came in the same moment.
  if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
  const at = now();
  c.clock.pause(at);
  c.supervisionOver = true;
  state.decision = { outcome, opinion, by, at };
  c.record('decided', { actor: by, payload: { outcome, opinion, usedDays: state.clock.usedDays }, patch: { currentSteps: [], decision: outcome, decidedAt: at, usedDays: state.clock.usedDays, ...c.clockPatch() } });
  notify(c, { key: `${caseNo}-decision`, caseNo, recipient: 'applicant', template: outcome === 'approved' ? 'approval-notice' : 'refusal-notice', params: { opinion } });
  if (outcome === 'refused') {
    if (c.sim) {
      const simulated = c.sim.view.state === 'simulating' || c.sim.view.state === 'refused';
      c.sim.view.state = 'refused';
      c.record('simulation-refused', { payload: { simulated, opinion }, patch: { simulationState: 'refused' } });
    }
    await refundIfPaid(c, `不予许可：${opinion}`);
    c.record('completed', { patch: { completedAt: at } }, 'completed');
  }
}

export async function endEarly(c: Case, e: CaseEnded): Promise<void> {
  // 模拟审批: a simulation withdrawn, voided or not accepted before it converted has ended (a lapse says so itself).
  if (c.sim && e.status !== 'lapsed' && c.sim.view.state !== 'converted') {
    c.sim.view.state = 'ended';
    c.record('simulation-ended', { payload: { reason: e.status }, patch: { simulationState: 'ended' } });
  }
  // A completion not yet taken is cancelled too, and its update answers with the reason.
  for (const t of c.state.board.all()) cancelTask(c, t, e.reason);
  c.clock.pause(now());
  c.supervisionOver = true;
  const type = e.status === 'not_accepted' ? 'not-accepted' : e.status;
  c.record(type, { payload: { reason: e.reason }, patch: { currentSteps: [], completedAt: now() } }, e.status);
  notify(c, { key: `${c.caseNo}-${type}`, caseNo: c.caseNo, recipient: 'applicant', template: `${type}-notice`, params: { reason: e.reason } });
  await refundIfPaid(c, e.status === 'withdrawn' ? `撤回申请：${e.reason}` : `办件作废：${e.reason}`);
}

/** 好差评: the applicant may rate; a bad rating opens a follow-up the department must answer. */
export async function evaluationWindow(c: Case): Promise<void> {
  const { state } = c;
  if (state.status === 'voided') return;
  const rated = await c.wait(() => state.evaluation !== null, `${c.impl.evaluationWindowDays} days`);
  if (!rated) {
    c.record('evaluation-window-closed');
    return;
  }
  if (state.evaluation!.level <= 2) {
    const task = openTask(c, { kind: 'follow-up', stepId: 'follow-up', stepName: '差评回访整改', department: c.impl.department, role: 'head', actions: ['answer'] });
    const done = await awaitTask(c, task);
    c.record('follow-up-answered', { actor: done?.actor.userId, payload: { answer: done?.opinion } });
  }
}
