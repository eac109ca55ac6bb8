/**
 * 补正 (a correction: the clock pauses while the applicant corrects, no reply in time means the
 * application is withdrawn) and 特别程序 (hearing, inspection …: the clock pauses until it ends).
 */
import { CORRECTION_REPLY_WORKING_DAYS, type CaseStatus, type SpecialProcedureRequest, type TaskStep } from '../../definitions';
import { CaseEnded, msUntil, now, type Case } from '../context';
import { notify } from '../tasks';

/** Waits for the applicant's correction; returns when it arrived. */
export async function correctionPause(c: Case, problems: string[], stage: 'precheck' | 'review', resumeStatus: CaseStatus): Promise<string> {
  const { state } = c;
  const requestedAt = now();
  c.clock.pause(requestedAt);
  const replyBy = c.clock.add(requestedAt, CORRECTION_REPLY_WORKING_DAYS).deadline;
  state.correction = { problems, requestedAt, replyBy, stage };
  state.correctionReply = null;
  c.record('correction-requested', { payload: { problems, replyBy, stage } }, 'awaiting_correction');
  notify(c, { key: `${c.caseNo}-correction-${state.nextSeq()}`, caseNo: c.caseNo, recipient: 'applicant', template: 'correction-notice', params: { problems, replyBy } });
  const replied = await c.wait(() => state.correctionReply !== null || state.withdrawal !== null, Math.max(1, msUntil(replyBy)));
  if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
  if (!replied) {
    state.correction = null;
    throw new CaseEnded('withdrawn', '逾期未补正，视为撤回申请');
  }
  const reply = state.correctionReply!;
  if (reply.formData) state.formData = { ...state.formData, ...reply.formData };
  const at = now();
  if (stage === 'review') c.clock.resume(at);
  c.record('correction-replied', { payload: { note: reply.note, fields: Object.keys(reply.formData ?? {}), materials: reply.materials ?? [] }, patch: c.clockPatch() }, resumeStatus);
  state.correction = null; // the reply's update answers now, with the clock already moved
  return at;
}

export async function specialProcedure(c: Case, step: TaskStep, procedure: SpecialProcedureRequest): Promise<void> {
  const { state } = c;
  const startedAt = now();
  c.clock.pause(startedAt);
  c.procedureOwner = { department: step.department, role: step.role };
  state.specialProcedure = { ...procedure, stepId: step.id, startedAt };
  state.specialProcedureEnd = null;
  c.record('special-procedure-started', { payload: { stepId: step.id, ...procedure } }, 'special_procedure');
  notify(c, { key: `${c.caseNo}-procedure-${state.nextSeq()}`, caseNo: c.caseNo, recipient: 'applicant', template: 'special-procedure-notice', params: { ...procedure } });
  await c.wait(() => state.specialProcedureEnd !== null || state.withdrawal !== null);
  if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
  const end = state.specialProcedureEnd!;
  c.clock.resume(now());
  c.record('special-procedure-ended', { actor: end.actor.userId, payload: { stepId: step.id, result: end.result }, patch: c.clockPatch() }, 'in_review');
  state.specialProcedure = null;
}
