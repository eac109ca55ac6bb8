/**
 * The case's messages, wired in one place. Updates are validated first (a refusal changes
 * nothing), act on the state, and answer once their effect is recorded in the read model.
 * Signals from the platforms only put what they bring where the main flow will find it.
 */
import { condition, setHandler } from '@temporalio/workflow';
import { refuse } from '../case-state';
import {
  answerUrgeUpdate, assignTaskUpdate, calendarChangedSignal, caseViewQuery, completeTaskUpdate, deliveredSignal, departmentMilestoneSignal,
  departmentResultSignal, endSpecialProcedureUpdate, evaluateUpdate, faceCheckResultSignal, paymentConfirmedSignal, Refusals, replyCorrectionUpdate,
  requestExtensionUpdate, urgeSignal, withdrawUpdate, type CompleteTaskRequest, type CorrectionReply, type EndSpecialProcedureRequest, type EvaluationRequest,
  type ExtensionRequest, type TaskAssignmentRequest, type UrgeAnswer, reportPreconditionUpdate, type PreconditionAnswer, type PreconditionReport,
} from '../definitions';
import { now, type Case } from './context';
import { resultKey } from './steps/department';
import { notify, openTask } from './tasks';

export function wireHandlers(c: Case): void {
  const { state, caseNo, impl } = c;
  /** Answers an update once what it changed is in the read model. */
  const answered = async <T>(value: T): Promise<T> => {
    await c.journal.flush();
    return value;
  };

  setHandler(caseViewQuery, () => c.view());

  // 模拟审批: a precondition has appeared; answered once the case has checked every precondition.
  setHandler(reportPreconditionUpdate, async (report) => {
    const entry = { report, answer: null as PreconditionAnswer | null };
    c.sim!.reports.push(entry);
    const ended = () => state.withdrawal !== null || ['withdrawn', 'voided', 'lapsed', 'not_accepted', 'completed', 'closed'].includes(state.status);
    await condition(() => entry.answer !== null || ended());
    return answered(entry.answer ?? { status: state.status, missing: [...c.sim!.view.missing] });
  }, { validator: (report: PreconditionReport) => validatePreconditionReport(c, report) });

  setHandler(completeTaskUpdate, async (req) => {
    const task = state.beginCompletion(req);
    if (task.kind === 'extension') {
      // An extension is decided here, not by the main flow.
      state.board.take(task);
      c.journal.push({ op: 'task-close', close: { taskId: task.taskId, status: 'done', outcome: { action: req.action, opinion: req.opinion, by: req.actor.userId }, closedAt: now() } });
      c.record('task-completed', { actor: req.actor.userId, payload: { taskId: task.taskId, kind: task.kind, stepId: task.stepId, action: req.action, opinion: req.opinion } });
      decideExtension(req);
      task.handled = true;
    }
    // The main flow takes the completion (and acts on it) or a cancellation does: either way this answers.
    await condition(() => task.handled);
    if (task.phase === 'cancelled') throw refuse(Refusals.wrongState, `任务 ${task.taskId} 已终止，本次办理未生效：${task.cancelledBecause ?? '所在步骤已结束'}`);
    return answered({ taskId: task.taskId, action: req.action, status: state.status });
  }, { validator: (req: CompleteTaskRequest) => state.validateCompletion(req) });

  function decideExtension(req: CompleteTaskRequest): void {
    const days = c.clock.extensionDays;
    if (req.action === 'approve') {
      state.extension = { state: 'approved', taskId: req.taskId };
      c.clock.extend();
      c.record('extension-approved', { actor: req.actor.userId, payload: { days, opinion: req.opinion }, patch: c.clockPatch() });
      notify(c, { key: `${caseNo}-extension`, caseNo, recipient: 'applicant', template: 'extension-approved', params: { days, reason: req.opinion } });
    } else {
      state.extension = { state: 'denied', taskId: req.taskId };
      c.record('extension-denied', { actor: req.actor.userId, payload: { opinion: req.opinion } });
    }
  }

  setHandler(assignTaskUpdate, async (req) => {
    const task = state.applyAssignment(req);
    c.journal.push({ op: 'task-assign', taskId: task.taskId, assignee: task.assignee });
    c.record('task-assigned', { actor: req.actor.userId, payload: { taskId: task.taskId, op: req.op, assignee: task.assignee } });
    return answered(state.view().openTasks.find((t) => t.taskId === task.taskId)!);
  }, { validator: (req: TaskAssignmentRequest) => state.validateAssignment(req) });

  setHandler(replyCorrectionUpdate, async (reply) => {
    state.correctionReply = reply;
    await condition(() => state.correction === null);
    return answered(state.status);
  }, { validator: (_reply: CorrectionReply) => state.validateCorrectionReply(Date.now()) });

  setHandler(withdrawUpdate, async ({ reason }) => {
    state.withdrawal = { reason, at: now() };
    // The main flow checks for a withdrawal before every decision, so this always ends.
    await condition(() => state.status === 'withdrawn' || state.decision !== null);
    if (state.status !== 'withdrawn') throw refuse(Refusals.wrongState, `case ${caseNo} was decided before the withdrawal took effect`);
    return answered(state.status);
  }, { validator: (_req: { reason: string }) => state.validateWithdrawal() });

  setHandler(requestExtensionUpdate, async (req) => {
    const task = openTask(c, { kind: 'extension', stepId: 'extension', stepName: '延期审批', department: impl.department, role: 'head', actions: ['approve', 'refuse'] });
    state.extension = { state: 'requested', taskId: task.taskId };
    c.record('extension-requested', { actor: req.actor.userId, payload: { reason: req.reason, days: c.clock.extensionDays, taskId: task.taskId } });
    return answered(state.view().openTasks.find((t) => t.taskId === task.taskId)!);
  }, { validator: (req: ExtensionRequest) => state.validateExtension(req) });

  setHandler(endSpecialProcedureUpdate, async (req) => {
    state.specialProcedureEnd = req;
    await condition(() => state.specialProcedure === null);
    return answered(state.status);
  }, { validator: (req: EndSpecialProcedureRequest) => state.validateEndSpecialProcedure(req, c.procedureOwner.department, c.procedureOwner.role) });

  setHandler(evaluateUpdate, async (req) => {
    state.evaluating = true;
    const at = now();
    c.rating = { ...req, at }; // in the view written with this rating, so the answer's reader sees it
    c.journal.push({ op: 'evaluation', evaluation: { caseNo, level: req.level, comment: req.comment, at, department: impl.department, itemCode: impl.itemCode } });
    c.record('evaluated', { payload: { level: req.level, comment: req.comment } });
    await answered(undefined);
    state.evaluation = { ...req, at }; // after the projection, so the case closes after it
  }, { validator: (req: EvaluationRequest) => state.validateEvaluation(req) });

  setHandler(answerUrgeUpdate, async (req) => {
    const urge = state.supervision.urges.find((u) => u.urgeId === req.urgeId)!;
    urge.answer = { text: req.answer, by: req.actor.userId, at: now() };
    c.record('urge-answered', { actor: req.actor.userId, payload: { urgeId: req.urgeId, answer: req.answer, late: Date.now() > Date.parse(urge.replyBy) } });
    return answered({ ...urge });
  }, { validator: (req: UrgeAnswer) => state.validateUrgeAnswer(req) });

  // ---- signals

  setHandler(departmentMilestoneSignal, (m) => {
    // Only milestones the entry declares for a department step, of the round running now.
    const step = c.stepsById.get(m.stepId);
    const declared = step?.type === 'department' && (step.milestones ?? []).includes(m.milestone);
    const current = (m.round ?? 1) === c.roundOf(m.stepId);
    if (!declared || !current) {
      c.record('department-milestone-ignored', { payload: { ...m, reason: declared ? 'stale-round' : 'undeclared' } });
      return;
    }
    state.milestones.push(m);
    state.milestones.sort((a, b) => a.at.localeCompare(b.at));
    c.record('department-milestone', { payload: { ...m } });
  });

  setHandler(departmentResultSignal, (r) => {
    // A result of an earlier round (the step was returned to and dispatched again) is stale.
    const round = r.round ?? 1;
    if (round !== c.roundOf(r.stepId)) {
      c.record('department-result-stale', { payload: { ...r, round, current: c.roundOf(r.stepId) } });
      return;
    }
    const key = resultKey(r.stepId, round);
    if (!state.departmentResults.has(key)) state.departmentResults.set(key, { ...r, round });
  });

  setHandler(calendarChangedSignal, (change) => {
    c.background.push((async () => {
      const running = c.clock.running && !c.supervisionOver;
      const before = c.clock.deadlines();
      const changed = c.clock.useCalendar(await c.local.calendarSnapshot());
      if (running && changed) c.record('deadlines-recomputed', { payload: { reason: change.reason, before, after: c.clock.deadlines() }, patch: c.clockPatch() });
      c.journal.settle(); // a paused clock's deadlines moved with no record: its view is written (live-view cases)
    })());
  });

  setHandler(urgeSignal, (u) => {
    if (state.supervision.urges.some((x) => x.urgeId === u.urgeId)) return; // a repeated delivery
    state.supervision.urges.push({ ...u, at: now(), answer: null });
    c.record('urged', { actor: u.by, payload: { ...u } });
    const departments = new Set([impl.department, ...state.openTasks().map((t) => t.department)]);
    for (const d of departments) notify(c, { key: `${caseNo}-urge-${u.urgeId}-${d}`, caseNo, recipient: `${d}:handler`, template: 'urge', params: { message: u.message, replyBy: u.replyBy } });
  });

  setHandler(paymentConfirmedSignal, (p) => {
    // The API checks the order first; a stray or repeated confirmation changes nothing here.
    const open = state.payment;
    if (open && open.status === 'open' && p.paymentId === open.paymentId && p.amountFen === open.amountFen) state.paymentConfirmation = p;
    // Paid before the order's own answer reached the case: kept until collectFee learns the order.
    else if (c.early && (!open || open.paymentId !== p.paymentId) && !c.early.payments.has(p.paymentId)) c.early.payments.set(p.paymentId, p);
  });

  setHandler(faceCheckResultSignal, (r) => {
    // By check id, the first per check: a fast result may come before the request's own completion.
    if (c.faceResults.has(r.checkId)) return;
    c.faceResults.set(r.checkId, r);
    if (state.faceCheck?.checkId === r.checkId && state.faceCheck.status === 'pending') state.faceCheckResult = r;
  });

  setHandler(deliveredSignal, (d) => {
    if (state.delivery?.waybillNo === d.waybillNo && !c.deliveredAt) c.deliveredAt = d.at;
    // Delivered before the booking's own answer reached the case: kept until the waybill is known.
    else if (c.early && !state.delivery?.waybillNo && !c.early.deliveries.has(d.waybillNo)) c.early.deliveries.set(d.waybillNo, d.at);
  });
}

/** A precondition report is taken while a simulated case reviews or waits for it; the materials it names are the entry's. */
function validatePreconditionReport(c: Case, report: PreconditionReport): void {
  const sim = c.sim;
  if (!sim) throw refuse(Refusals.wrongState, `case ${c.caseNo} is not a simulated case (模拟审批)`);
  if (sim.view.state !== 'simulating' && sim.view.state !== 'awaiting') throw refuse(Refusals.wrongState, `case ${c.caseNo} no longer waits for its preconditions (${sim.view.state})`);
  if (c.state.withdrawal) throw refuse(Refusals.wrongState, `case ${c.caseNo} is being withdrawn`);
  const known = new Set((c.impl.materials ?? []).map((m) => m.id));
  const unknown = (report.materials ?? []).filter((m) => !known.has(m.materialId));
  if (unknown.length) throw refuse(Refusals.invalidInput, `materials not of this item: ${unknown.map((m) => m.materialId).join(', ')}`);
}
