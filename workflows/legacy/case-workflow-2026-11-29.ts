/**
 * The first case engine, frozen: cases started before the second engine (workflows/case/) replay
 * and finish here, unchanged. Remove it when the patch registry's condition for
 * `engine-second-design` holds (no running case started before it).
 *
 * caseWorkflow: one per case (办件), workflow id = the unified case number. It runs the legal
 * skeleton (file → pre-check → review → decision → fee → certificate → delivery → complete →
 * evaluation) around the review steps of the pinned process definition, keeps the case clock,
 * and projects every transition to the read model. Messages are routed to the plain CaseState.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { CaseEventInput } from '../../activities/projection';
import { CaseState, isCancelled, refuse, type Scope, type TaskRecord } from '../case-state';
import { applies, evaluateCondition } from '../conditions';
import {
  assignTaskUpdate,
  caseViewQuery,
  completeTaskUpdate,
  CORRECTION_REPLY_WORKING_DAYS,
  deliveredSignal,
  departmentMilestoneSignal,
  departmentResultSignal,
  endSpecialProcedureUpdate,
  evaluateUpdate,
  FACE_CHECK_WAIT,
  faceCheckResultSignal,
  paymentConfirmedSignal,
  PLATFORM_REFUSAL,
  PRECHECK_WORKING_DAYS,
  Refusals,
  replyCorrectionUpdate,
  requestExtensionUpdate,
  withdrawUpdate,
  type CaseInput,
  type CaseStatus,
  type CompleteTaskRequest,
  type CorrectionReply,
  type FaceCheckResult,
  type DepartmentStep,
  type EndSpecialProcedureRequest,
  type EvaluationRequest,
  type ExtensionRequest,
  type FeeStage,
  type OpenTaskView,
  type PersonRef,
  type ParallelStep,
  type ProcessStep,
  type ServiceStep,
  type SpecialProcedureRequest,
  type TaskAssignmentRequest,
  type TaskStep,
  type UrgeAnswer,
  answerUrgeUpdate,
  calendarChangedSignal,
  DELIVERY_WAIT_DAYS,
  DEPARTMENT_WAIT_WORKING_DAYS,
  FOLLOW_UP_FIRST_ASK_MS,
  FOLLOW_UP_MAX_INTERVAL_MS,
  UNSTORABLE,
  urgeSignal,
} from '../definitions';
import { CaseStatus as CaseStatusKey, Deadline as DeadlineKey, SupervisionState as SupervisionKey } from '../search-attributes';
import { levelAt, warnAfterDays, worse, type SupervisionLevel, type SupervisionRule } from '../supervision';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

import type { CaseResult } from '../case/context';

/** The case ended before a decision: withdrawn, voided, or deemed withdrawn. */
class CaseEnded extends Error {
  constructor(readonly status: 'withdrawn' | 'voided' | 'not_accepted', readonly reason: string) {
    super(reason);
  }
}

type StepOutcome = { outcome: 'approved' | 'refused'; opinion: string; by: string } | { outcome: 'return'; target: string } | { outcome: 'cancelled' } | { outcome: 'skipped' };

/** The platform's words, when an activity failed because the platform refused for a business reason. */
function platformRefusal(err: unknown, orUnstorable = false): string | null {
  if (!(err instanceof ActivityFailure && err.cause instanceof ApplicationFailure)) return null;
  const type = err.cause.type ?? '';
  if (type.startsWith(`${PLATFORM_REFUSAL}:`)) return err.cause.message;
  // What a retry cannot fix on our side (data the database refuses to store) goes to a person too.
  if (orUnstorable && type === UNSTORABLE) return `数据无法保存：${err.cause.message}`;
  return null;
}

import { Patches } from '../patches';

const now = (): string => new Date().toISOString();
const DAY_MS = 86_400_000;
const msUntil = (iso: string): number => Math.max(0, Date.parse(iso) - Date.now());

export async function legacyCaseWorkflow(input: CaseInput): Promise<CaseResult> {
  const state = new CaseState(input);
  const { caseNo, implementation: impl } = input;
  let materialsChecked = false;
  /** Decided once, before the first command: cases started before this release replay the old paths. */
  const v2 = patched(Patches.neverStalls);

  /** v2: rounds per step. Every (re-)run of a step is a new round; a department's result names its round. */
  const rounds = new Map<string, number>();
  const roundOf = (stepId: string): number => rounds.get(stepId) ?? 1;
  const resultKey = (stepId: string, round: number): string => (v2 ? `${stepId}#${round}` : stepId);
  /** Every step of the pinned definition by id, branches included. */
  const stepsById = new Map<string, ProcessStep>();
  const index = (steps: ProcessStep[]): void => {
    for (const step of steps) {
      stepsById.set(step.id, step);
      if (step.type === 'parallel') for (const b of step.branches) index(b.steps);
    }
  };
  index(impl.process.steps);
  /** The department answerable for a step. */
  const stepDepartment = (step: ProcessStep): string => (step.type === 'task' || step.type === 'department' ? step.department : step.type === 'parallel' ? step.lead : impl.department);

  /** How soon the workflow first asks an outside party itself when its callback has not come; then doubling to a day. */
  const firstAskMs = input.followUp?.firstAskMs ?? FOLLOW_UP_FIRST_ASK_MS;
  /**
   * Waits until `arrived`, asking the outside party itself (`ask`, which records what it learns and
   * says whether it has arrived) at growing intervals and once more at `until`. True once arrived.
   */
  async function waitOrAsk(arrived: () => boolean, ask: () => Promise<boolean>, until: string): Promise<boolean> {
    // The case now waits on an outside party: a completion that led here has had its effect.
    state.board.settle();
    for (let interval = firstAskMs; ; interval = Math.min(interval * 2, FOLLOW_UP_MAX_INTERVAL_MS)) {
      if (await condition(arrived, Math.max(1, Math.min(msUntil(until), interval)))) return true;
      if (await ask()) return true;
      if (msUntil(until) <= 0) return false;
    }
  }

  // ---------------------------------------------------------------- projection helpers

  async function record(type: string, extra: Omit<CaseEventInput, 'caseNo' | 'seq' | 'type' | 'at'> = {}, status?: CaseStatus): Promise<void> {
    if (status && status !== state.status) {
      state.status = status;
      upsertSearchAttributes([{ key: CaseStatusKey, value: status }]);
    }
    const patch = status ? { ...extra.patch, status } : extra.patch;
    if (!v2) {
      await acts.recordCaseEvent({ caseNo, seq: state.nextSeq(), type, at: now(), ...extra, patch });
    } else {
      // Data the read model refuses to store (it cannot be fixed by retrying) goes to the
      // department head: retry, or skip (the event is kept without its payload; the history has it).
      // Each attempt takes a new sequence number, so a later attempt is newer than the manual task's events.
      const r = await withManualFallback({ id: `record-${type}`, name: `记录办件事件（${type}）`, department: impl.department, allowSkip: true }, () =>
        acts.recordCaseEvent({ caseNo, seq: state.nextSeq(), type, at: now(), ...extra, patch }));
      if (r && 'skipped' in r) {
        await acts.recordCaseEvent({ caseNo, seq: state.nextSeq(), type, at: now(), actor: r.by, payload: { unstorable: true, opinion: r.skipped }, patch: status ? { status } : undefined });
      }
    }
    // A new status is a consequence callers of an update may be waiting to see.
    if (status) state.board.settle();
  }

  /** Work started from signal handlers, awaited before the workflow returns. */
  const background: Promise<void>[] = [];

  /** Steps running now (v2: every task and department step of every parallel branch, not only those with an open task). */
  const activeSteps = new Map<string, number>();
  const currentSteps = () => (v2
    ? [...activeSteps.keys()]
    : [...new Set(state.openTasks().filter((t) => t.kind === 'review' || t.kind === 'lead-decision').map((t) => t.stepId))]);

  async function openHumanTask(spec: Omit<OpenTaskView, 'taskId' | 'assignee'>, limitDays?: number, scope?: Scope): Promise<TaskRecord> {
    const task = state.board.add(spec, scope);
    const due = limitDays === undefined ? null : (await acts.addWorkingDays({ from: now(), days: limitDays })).deadline;
    await acts.openTask({ ...spec, taskId: task.taskId, caseNo, createdAt: now(), dueAt: due });
    await record('task-opened', { payload: { taskId: task.taskId, kind: spec.kind, stepId: spec.stepId, department: spec.department, role: spec.role, dueAt: due }, patch: { currentSteps: currentSteps() } });
    state.board.settle();
    return task;
  }

  /**
   * Waits for a task's completion; a cancelled scope, a withdrawal, the timeout or `settledElsewhere`
   * (e.g. the platform's answer arrived after all) closes it unfinished: null.
   */
  async function awaitTask(task: TaskRecord, timeoutMs?: number, settledElsewhere?: () => boolean): Promise<CompleteTaskRequest | null> {
    if (!v2) {
      const done = () => task.phase === 'done' || isCancelled(task.scope) || state.withdrawal !== null;
      const finished = timeoutMs === undefined ? (await condition(done), true) : await condition(done, timeoutMs);
      if (task.phase === 'done') {
        task.consumed = true;
        return task.completion!;
      }
      if (finished && state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
      await cancelTask(task, finished ? 'cancelled' : 'timed out');
      return null;
    }
    // The task board's protocol: the first of (a completion, a withdrawal, a cancellation, the
    // timeout) takes the task; a withdrawal wins over a completion not yet taken, whose update
    // then answers with a refusal (endEarly cancels it).
    const ready = () => state.withdrawal !== null || state.board.takeable(task) || task.phase === 'cancelled' || isCancelled(task.scope) || (settledElsewhere?.() ?? false);
    if (timeoutMs === undefined) await condition(ready);
    else await condition(ready, timeoutMs);
    if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
    if (state.board.takeable(task)) {
      const req = state.board.take(task);
      await acts.closeTask({ taskId: task.taskId, status: 'done', outcome: { action: req.action, opinion: req.opinion, by: req.actor.userId }, closedAt: now() });
      await record('task-completed', {
        actor: req.actor.userId,
        payload: { taskId: task.taskId, kind: task.kind, stepId: task.stepId, action: req.action, opinion: req.opinion, problems: req.problems, returnTo: req.returnTo, procedure: req.procedure },
      });
      return req;
    }
    const why = isCancelled(task.scope) ? '所在步骤已结束' : settledElsewhere?.() ? '结果已另行收到' : '办理期限已过';
    await cancelTask(task, why);
    return null;
  }

  async function cancelTask(task: TaskRecord, why: string): Promise<void> {
    if (v2) {
      if (!state.board.cancel(task, why)) return;
    } else {
      if (task.phase !== 'open') return;
      task.phase = 'cancelled';
    }
    await acts.closeTask({ taskId: task.taskId, status: 'cancelled', outcome: { action: null, opinion: why, by: 'system' }, closedAt: now() });
  }

  /**
   * Calls a platform through an activity. When the platform refuses for a business reason, a
   * manual task (人工处理) opens for the step's department with the platform's words: `retry`
   * calls again (the idempotency key stays the same), `skip` (where allowed) goes on without it,
   * with written reasons. Null when the task was cancelled with its scope.
   */
  async function withManualFallback<T>(
    step: { id: string; name: string; department: string; allowSkip: boolean; scope?: Scope },
    call: () => Promise<T>,
  ): Promise<{ value: T } | { skipped: string; by: string } | null> {
    let retried: TaskRecord | undefined;
    for (;;) {
      try {
        const value = await call();
        if (retried) retried.handled = true;
        return { value };
      } catch (err) {
        const reason = platformRefusal(err, v2);
        if (reason === null || !patched(Patches.manualOnRefusal)) throw err;
        await record('platform-refused', { payload: { stepId: step.id, step: step.name, reason } });
        const task = await openHumanTask(
          { kind: 'manual', stepId: step.id, stepName: `人工处理：${step.name}`, department: step.department, role: 'head', actions: step.allowSkip ? ['retry', 'skip'] : ['retry'], notes: [reason] },
          undefined,
          step.scope,
        );
        const done = await awaitTask(task);
        if (!done) return null;
        if (done.action === 'skip') {
          await record('manual-skipped', { actor: done.actor.userId, payload: { stepId: step.id, opinion: done.opinion } });
          task.handled = true;
          return { skipped: done.opinion, by: done.actor.userId };
        }
        await record('manual-retried', { actor: done.actor.userId, payload: { stepId: step.id } });
        retried = task;
      }
    }
  }

  /** A message; a refusal by the messaging platform becomes a manual task (the applicant is told another way). */
  async function notify(n: Parameters<typeof acts.notify>[0]): Promise<void> {
    await withManualFallback({ id: 'notify', name: `通知（${n.template}）`, department: impl.department, allowSkip: true }, () => acts.notify(n));
  }

  // ---------------------------------------------------------------- the case clock

  const extensionDays = impl.jointHandling ? 15 : 10;

  async function clockStart(at: string): Promise<void> {
    state.clock.acceptedAt = at;
    // v2: SupervisionState is 'normal' from acceptance, so a search for normal cases finds them.
    if (v2) upsertSearchAttributes([{ key: SupervisionKey, value: state.supervision.level }]);
    await clockResume(at);
    background.push(superviseCase());
  }

  let segmentStart: string | null = null;
  /** Bumped whenever the clock's instants change, so the supervision loop recomputes. */
  let clockVersion = 0;

  async function clockPause(at: string): Promise<void> {
    if (!segmentStart) return;
    state.clock.usedDays += (await acts.workingDaysBetween({ from: segmentStart, to: at })).days;
    segmentStart = null;
    state.clock.running = false;
    clockVersion += 1;
  }

  async function clockResume(at: string): Promise<void> {
    segmentStart = at;
    state.clock.running = true;
    await recomputeDeadlines();
  }

  /** v2: the latest computation of the deadlines wins; one overtaken by a pause or a newer one is dropped. */
  let computation = 0;

  async function recomputeDeadlines(): Promise<void> {
    if (!segmentStart) return;
    const mine = ++computation;
    const from = segmentStart;
    const extra = state.clock.extended ? extensionDays : 0;
    const left = (limit: number) => Math.max(0, limit + extra - state.clock.usedDays);
    const promised = state.clock.promisedLimitDays + extra;
    const warnIn = Math.max(0, warnAfterDays(promised, impl.supervision) - state.clock.usedDays);
    const [s, p, w] = await Promise.all([
      acts.addWorkingDays({ from: segmentStart, days: left(state.clock.statutoryLimitDays) }),
      acts.addWorkingDays({ from: segmentStart, days: left(state.clock.promisedLimitDays) }),
      acts.addWorkingDays({ from: segmentStart, days: warnIn }),
    ]);
    if (v2 && (mine !== computation || segmentStart !== from)) return;
    state.clock.statutoryDeadline = s.deadline;
    state.clock.promisedDeadline = p.deadline;
    if (v2) {
      // A deadline that reaches into a year the calendar does not hold yet is provisional.
      state.clock.statutoryProvisional = s.provisional;
      state.clock.promisedProvisional = p.provisional || w.provisional;
    }
    // A clock too short to warn before its deadline (an instant item's same-day promise) has no warning.
    state.clock.warningAt = Date.parse(w.deadline) < Date.parse(p.deadline) ? w.deadline : null;
    upsertSearchAttributes([{ key: DeadlineKey, value: new Date(p.deadline) }]);
    clockVersion += 1;
  }

  const clockPatch = () => ({
    acceptedAt: state.clock.acceptedAt, statutoryDeadline: state.clock.statutoryDeadline, promisedDeadline: state.clock.promisedDeadline,
    // v2: the provisional flag, and the case's supervision level from acceptance on ('normal' included).
    ...(v2 ? { deadlineProvisional: Boolean(state.clock.statutoryProvisional || state.clock.promisedProvisional), supervisionState: state.supervision.level } : {}),
  });

  /**
   * v2: the calendar changed (a year imported, a day corrected): a running clock recomputes its
   * deadlines, and a change is recorded; a paused clock recomputes when it resumes anyway.
   */
  async function calendarChanged(reason: string): Promise<void> {
    if (!segmentStart || supervisionOver) return;
    const c = state.clock;
    const before = { statutory: c.statutoryDeadline, promised: c.promisedDeadline, provisional: Boolean(c.statutoryProvisional || c.promisedProvisional) };
    await recomputeDeadlines();
    const after = { statutory: c.statutoryDeadline, promised: c.promisedDeadline, provisional: Boolean(c.statutoryProvisional || c.promisedProvisional) };
    if (before.statutory === after.statutory && before.promised === after.promised && before.provisional === after.provisional) return;
    await record('deadlines-recomputed', { payload: { reason, before, after }, patch: clockPatch() });
  }

  // ---------------------------------------------------------------- supervision (电子监察)

  let supervisionOver = false;

  /** Records a supervision event for the case or a step, sets the search attribute, tells the handlers. */
  async function raise(level: SupervisionLevel | 'cleared', scope: { stepId: string | null; department: string; deadline: string | null; cause: string }, previous?: SupervisionLevel): Promise<void> {
    const type = level === 'cleared' ? 'supervision-corrected' : `supervision-${level}`;
    const caseLevel = scope.stepId === null ? state.supervision.level : undefined;
    await record(type, {
      payload: { scope: scope.stepId ? 'step' : 'case', stepId: scope.stepId, deadline: scope.deadline, cause: scope.cause, department: scope.department, previous },
      supervision: { scope: scope.stepId ? 'step' : 'case', stepId: scope.stepId, level, cause: scope.cause, department: scope.department, deadline: scope.deadline },
      patch: caseLevel ? { supervisionState: caseLevel } : undefined,
    });
    if (scope.stepId === null) upsertSearchAttributes([{ key: SupervisionKey, value: state.supervision.level }]);
    if (level !== 'cleared') {
      for (const role of ['handler', 'head']) {
        await notify({ key: `${caseNo}-${type}-${scope.stepId ?? 'case'}-${scope.cause}-${role}-${state.nextSeq()}`, caseNo, recipient: `${scope.department}:${role}`, template: type, params: { deadline: scope.deadline, cause: scope.cause, stepId: scope.stepId } });
      }
    }
  }

  /** The case clock against the promised limit (warning, overdue) and the statutory limit. */
  async function superviseCase(): Promise<void> {
    while (!supervisionOver) {
      const version = clockVersion;
      const c = state.clock;
      if (!c.running) {
        await condition(() => clockVersion !== version || supervisionOver);
        continue;
      }
      const nowMs = Date.now();
      const wanted = levelAt(nowMs, c.warningAt, c.promisedDeadline);
      if (wanted !== state.supervision.level) {
        const previous = state.supervision.level;
        state.supervision.level = wanted;
        const cause = worse(wanted, previous) ? (wanted === 'warning' ? 'promised-limit-near' : 'promised-limit-passed') : 'deadline-moved';
        await raise(worse(wanted, previous) ? wanted : 'cleared', { stepId: null, department: impl.department, deadline: c.promisedDeadline, cause }, previous);
      }
      const statutory = c.statutoryDeadline !== null && nowMs >= Date.parse(c.statutoryDeadline);
      if (statutory !== state.supervision.statutoryOverdue) {
        state.supervision.statutoryOverdue = statutory;
        await raise(statutory ? 'overdue' : 'cleared', { stepId: null, department: impl.department, deadline: c.statutoryDeadline, cause: statutory ? 'statutory-limit-passed' : 'statutory-deadline-moved' });
      }
      // The next instant after the one just judged: one that passed while its predecessor was
      // being recorded is judged at once, not skipped until the statutory deadline.
      const judged = patched(Patches.superviseFromJudgedInstant) ? nowMs : Date.now();
      const next = [c.warningAt, c.promisedDeadline, c.statutoryDeadline].map((x) => (x ? Date.parse(x) : Infinity)).filter((t) => t > judged);
      const wait = next.length ? Math.min(...next) - Date.now() : undefined;
      if (wait !== undefined && wait <= 0) continue;
      if (wait === undefined) await condition(() => clockVersion !== version || supervisionOver);
      else await condition(() => clockVersion !== version || supervisionOver, wait);
    }
  }

  /**
   * A step's own clock from when it opened. When the step ends with a true time earlier than its
   * arrival (a department's late milestone), the step's level is corrected back to that time.
   */
  async function superviseStep(stepId: string, department: string, limitDays: number, rule: SupervisionRule | undefined, open: () => boolean, trueEnd: () => string | null): Promise<void> {
    const from = now();
    const [due, warn] = await Promise.all([
      acts.addWorkingDays({ from, days: limitDays }),
      acts.addWorkingDays({ from, days: warnAfterDays(limitDays, rule) }),
    ]);
    const warnAt = Date.parse(warn.deadline) < Date.parse(due.deadline) ? warn.deadline : null;
    let level: SupervisionLevel = 'normal';
    while (open()) {
      const target = level === 'normal' ? (warnAt ?? due.deadline) : level === 'warning' ? due.deadline : null;
      if (!target) {
        await condition(() => !open());
        break;
      }
      if (await condition(() => !open(), msUntil(target))) break;
      level = level === 'normal' && warnAt ? 'warning' : 'overdue';
      state.supervision.steps[stepId] = level;
      await raise(level, { stepId, department, deadline: due.deadline, cause: level === 'warning' ? 'step-limit-near' : 'step-limit-passed' });
    }
    const end = trueEnd();
    if (end && level !== 'normal') {
      const truly = levelAt(Date.parse(end), warnAt, due.deadline);
      if (worse(level, truly)) {
        state.supervision.steps[stepId] = truly;
        await raise('cleared', { stepId, department, deadline: due.deadline, cause: `step-ended-at-${end}` }, level);
      }
    }
  }

  // ---------------------------------------------------------------- message handlers

  setHandler(caseViewQuery, () => state.view());

  setHandler(
    completeTaskUpdate,
    async (req) => {
      const task = state.beginCompletion(req);
      if (v2 && task.kind !== 'extension') {
        // The main flow takes the completion (awaitTask) or a cancellation does: either way this answers.
        await condition(() => task.handled);
        if (task.phase === 'cancelled') throw refuse(Refusals.wrongState, `任务 ${task.taskId} 已终止，本次办理未生效：${task.cancelledBecause ?? '所在步骤已结束'}`);
        return { taskId: task.taskId, action: req.action, status: state.status };
      }
      // An extension is decided here, not by the main flow; so is every task of a case started before v2.
      if (v2) state.board.take(task);
      await acts.closeTask({ taskId: task.taskId, status: 'done', outcome: { action: req.action, opinion: req.opinion, by: req.actor.userId }, closedAt: now() });
      await record('task-completed', {
        actor: req.actor.userId,
        payload: { taskId: task.taskId, kind: task.kind, stepId: task.stepId, action: req.action, opinion: req.opinion, problems: req.problems, returnTo: req.returnTo, procedure: req.procedure },
      });
      task.phase = 'done';
      if (task.kind === 'extension') {
        await decideExtension(req);
        task.handled = true;
      }
      // Answer once the case has moved on, so the caller sees the consequence of its action.
      await condition(() => task.handled);
      return { taskId: task.taskId, action: req.action, status: state.status };
    },
    { validator: (req: CompleteTaskRequest) => state.validateCompletion(req) },
  );

  setHandler(
    assignTaskUpdate,
    async (req) => {
      const task = state.applyAssignment(req);
      await acts.assignTask({ taskId: task.taskId, assignee: task.assignee });
      await record('task-assigned', { actor: req.actor.userId, payload: { taskId: task.taskId, op: req.op, assignee: task.assignee } });
      return state.view().openTasks.find((t) => t.taskId === task.taskId)!;
    },
    { validator: (req: TaskAssignmentRequest) => state.validateAssignment(req) },
  );

  setHandler(
    replyCorrectionUpdate,
    async (reply: CorrectionReply) => {
      state.correctionReply = reply;
      await condition(() => state.correction === null);
      return state.status;
    },
    { validator: (_reply: CorrectionReply) => state.validateCorrectionReply(Date.now()) },
  );

  setHandler(
    withdrawUpdate,
    async ({ reason }) => {
      state.withdrawal = { reason, at: now() };
      // v2: the main flow checks for a withdrawal before every decision, so this always ends.
      await condition(() => state.status === 'withdrawn' || (v2 && state.decision !== null));
      if (state.status !== 'withdrawn') throw refuse(Refusals.wrongState, `case ${caseNo} was decided before the withdrawal took effect`);
      return state.status;
    },
    { validator: (_req: { reason: string }) => state.validateWithdrawal() },
  );

  setHandler(
    requestExtensionUpdate,
    async (req: ExtensionRequest) => {
      const task = await openHumanTask({ kind: 'extension', stepId: 'extension', stepName: '延期审批', department: impl.department, role: 'head', actions: ['approve', 'refuse'] });
      state.extension = { state: 'requested', taskId: task.taskId };
      await record('extension-requested', { actor: req.actor.userId, payload: { reason: req.reason, days: extensionDays, taskId: task.taskId } });
      return state.view().openTasks.find((t) => t.taskId === task.taskId)!;
    },
    { validator: (req: ExtensionRequest) => state.validateExtension(req) },
  );

  async function decideExtension(req: CompleteTaskRequest): Promise<void> {
    if (req.action === 'approve') {
      state.extension = { state: 'approved', taskId: req.taskId };
      state.clock.extended = true;
      await recomputeDeadlines();
      await record('extension-approved', { actor: req.actor.userId, payload: { days: extensionDays, opinion: req.opinion }, patch: clockPatch() });
      await notify({ key: `${caseNo}-extension`, caseNo, recipient: 'applicant', template: 'extension-approved', params: { days: extensionDays, reason: req.opinion } });
    } else {
      state.extension = { state: 'denied', taskId: req.taskId };
      await record('extension-denied', { actor: req.actor.userId, payload: { opinion: req.opinion } });
    }
  }

  let procedureOwner: { department: string; role: string } = { department: impl.department, role: 'head' };
  setHandler(
    endSpecialProcedureUpdate,
    async (req: EndSpecialProcedureRequest) => {
      state.specialProcedureEnd = req;
      await condition(() => state.specialProcedure === null);
      return state.status;
    },
    { validator: (req: EndSpecialProcedureRequest) => state.validateEndSpecialProcedure(req, procedureOwner.department, procedureOwner.role) },
  );

  setHandler(
    evaluateUpdate,
    async (req: EvaluationRequest) => {
      state.evaluating = true;
      const at = now();
      await acts.recordEvaluation({ caseNo, level: req.level, comment: req.comment, at, department: impl.department, itemCode: impl.itemCode });
      await record('evaluated', { payload: { level: req.level, comment: req.comment } });
      state.evaluation = { ...req, at }; // after the projection, so the case closes after it
    },
    { validator: (req: EvaluationRequest) => state.validateEvaluation(req) },
  );

  setHandler(departmentMilestoneSignal, (m) => {
    if (v2) {
      // Only milestones the entry declares for a department step, of the round running now.
      const step = stepsById.get(m.stepId);
      const declared = step?.type === 'department' && (step.milestones ?? []).includes(m.milestone);
      const current = (m.round ?? 1) === roundOf(m.stepId);
      if (!declared || !current) {
        background.push(record('department-milestone-ignored', { payload: { ...m, reason: declared ? 'stale-round' : 'undeclared' } }));
        return;
      }
    }
    state.milestones.push(m);
    state.milestones.sort((a, b) => a.at.localeCompare(b.at));
    background.push(record('department-milestone', { payload: { ...m } }));
  });
  setHandler(departmentResultSignal, (r) => {
    if (v2) {
      // A result of an earlier round (the step was returned to and dispatched again) is stale.
      const round = r.round ?? 1;
      if (round !== roundOf(r.stepId)) {
        background.push(record('department-result-stale', { payload: { ...r, round, current: roundOf(r.stepId) } }));
        return;
      }
      const key = resultKey(r.stepId, round);
      if (!state.departmentResults.has(key)) state.departmentResults.set(key, { ...r, round });
      return;
    }
    if (!state.departmentResults.has(r.stepId)) state.departmentResults.set(r.stepId, r);
  });
  setHandler(calendarChangedSignal, (c) => {
    if (v2) background.push(calendarChanged(c.reason));
  });
  setHandler(urgeSignal, (u) => {
    if (state.supervision.urges.some((x) => x.urgeId === u.urgeId)) return; // a repeated delivery
    state.supervision.urges.push({ ...u, at: now(), answer: null });
    background.push((async () => {
      await record('urged', { actor: u.by, payload: { ...u } });
      const departments = new Set([impl.department, ...state.openTasks().map((t) => t.department)]);
      for (const d of departments) await notify({ key: `${caseNo}-urge-${u.urgeId}-${d}`, caseNo, recipient: `${d}:handler`, template: 'urge', params: { message: u.message, replyBy: u.replyBy } });
    })());
  });
  setHandler(
    answerUrgeUpdate,
    async (req: UrgeAnswer) => {
      const urge = state.supervision.urges.find((u) => u.urgeId === req.urgeId)!;
      urge.answer = { text: req.answer, by: req.actor.userId, at: now() };
      await record('urge-answered', { actor: req.actor.userId, payload: { urgeId: req.urgeId, answer: req.answer, late: Date.now() > Date.parse(urge.replyBy) } });
      return { ...urge };
    },
    { validator: (req: UrgeAnswer) => state.validateUrgeAnswer(req) },
  );
  setHandler(paymentConfirmedSignal, (p) => {
    // The API checks the order first; a stray or repeated confirmation changes nothing here.
    if (state.payment && state.payment.status === 'open' && p.paymentId === state.payment.paymentId && p.amountFen === state.payment.amountFen) {
      state.paymentConfirmation = p;
    }
  });
  // Results by check id, the first one per check: a fast check's result may arrive before the
  // workflow has even seen its own request complete, and must not be lost.
  const faceResults = new Map<string, FaceCheckResult>();
  setHandler(faceCheckResultSignal, (r) => {
    if (faceResults.has(r.checkId)) return; // a repeat changes nothing
    faceResults.set(r.checkId, r);
    if (state.faceCheck?.checkId === r.checkId && state.faceCheck.status === 'pending') state.faceCheckResult = r;
  });
  let deliveredAt: string | null = null;
  setHandler(deliveredSignal, (d) => {
    if (state.delivery?.waybillNo === d.waybillNo && !deliveredAt) deliveredAt = d.at;
  });

  // ---------------------------------------------------------------- correction and special procedure

  /** Waits for the applicant's correction; no reply in time means the application is withdrawn. */
  async function correctionPause(problems: string[], stage: 'precheck' | 'review', resumeStatus: CaseStatus): Promise<string> {
    const requestedAt = now();
    await clockPause(requestedAt);
    const replyBy = (await acts.addWorkingDays({ from: requestedAt, days: CORRECTION_REPLY_WORKING_DAYS })).deadline;
    state.correction = { problems, requestedAt, replyBy, stage };
    state.correctionReply = null;
    await record('correction-requested', { payload: { problems, replyBy, stage } }, 'awaiting_correction');
    await notify({ key: `${caseNo}-correction-${state.nextSeq()}`, caseNo, recipient: 'applicant', template: 'correction-notice', params: { problems, replyBy } });
    const replied = await condition(() => state.correctionReply !== null || state.withdrawal !== null, msUntil(replyBy));
    if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
    if (!replied) {
      state.correction = null;
      throw new CaseEnded('withdrawn', '逾期未补正，视为撤回申请');
    }
    const reply = state.correctionReply!;
    if (reply.formData) state.formData = { ...state.formData, ...reply.formData };
    const at = now();
    if (stage === 'review') await clockResume(at);
    await record('correction-replied', { payload: { note: reply.note, fields: Object.keys(reply.formData ?? {}), materials: reply.materials ?? [] }, patch: clockPatch() }, resumeStatus);
    state.correction = null; // the reply's update answers now, with the clock already moved
    return at;
  }

  async function specialProcedure(step: TaskStep, procedure: SpecialProcedureRequest): Promise<void> {
    const startedAt = now();
    await clockPause(startedAt);
    procedureOwner = { department: step.department, role: step.role };
    state.specialProcedure = { ...procedure, stepId: step.id, startedAt };
    state.specialProcedureEnd = null;
    await record('special-procedure-started', { payload: { stepId: step.id, ...procedure } }, 'special_procedure');
    await notify({ key: `${caseNo}-procedure-${state.nextSeq()}`, caseNo, recipient: 'applicant', template: 'special-procedure-notice', params: { ...procedure } });
    await condition(() => state.specialProcedureEnd !== null || state.withdrawal !== null);
    if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
    const end = state.specialProcedureEnd!;
    await clockResume(now());
    await record('special-procedure-ended', { actor: end.actor.userId, payload: { stepId: step.id, result: end.result }, patch: clockPatch() }, 'in_review');
    state.specialProcedure = null;
  }

  // ---------------------------------------------------------------- review steps

  async function runTask(step: TaskStep, scope?: Scope): Promise<StepOutcome> {
    for (;;) {
      const task = await openHumanTask(
        { kind: 'review', stepId: step.id, stepName: step.name, department: step.department, role: step.role, actions: step.actions, returnTo: step.returnTo, specialProcedures: step.specialProcedures },
        step.limitDays,
        scope,
      );
      if (step.limitDays !== undefined) {
        background.push(superviseStep(step.id, step.department, step.limitDays, step.supervision ?? impl.supervision, () => task.phase === 'open' || task.phase === 'closing', () => null));
      }
      const done = await awaitTask(task);
      if (!done) return { outcome: 'cancelled' };
      switch (done.action) {
        case 'approve':
          return { outcome: 'approved', opinion: done.opinion, by: done.actor.userId };
        case 'refuse':
          return { outcome: 'refused', opinion: done.opinion, by: done.actor.userId };
        case 'void':
          throw new CaseEnded('voided', done.opinion);
        case 'return':
          return { outcome: 'return', target: done.returnTo! };
        case 'correction':
          await correctionPause(done.problems ?? [], 'review', 'in_review');
          break; // the same step again, with the corrected application
        case 'suspend':
          await specialProcedure(step, done.procedure!);
          break;
        default:
          throw refuse(Refusals.actionNotAllowed, `action ${done.action} has no meaning at a review step`);
      }
    }
  }

  async function runParallel(step: ParallelStep, parent?: Scope): Promise<StepOutcome> {
    const scope: Scope = { cancelled: false, parent };
    await record('parallel-started', { payload: { stepId: step.id, lead: step.lead, branches: step.branches.map((b) => b.id) } });
    let joined = false;
    // v2: the parallel step's own limit is supervised, against its lead department.
    if (v2 && step.limitDays !== undefined) {
      background.push(superviseStep(step.id, step.lead, step.limitDays, impl.supervision, () => !joined && !isCancelled(scope) && !state.withdrawal, () => null));
    }
    const outcomes = await Promise.all(step.branches.map(async (b) => {
      const r = await runSequence(b.steps, scope);
      state.board.settle(); // the branch is done: its last completion has had its effect
      if (r.outcome === 'return' || (r.outcome === 'refused' && step.join === 'any-refusal-refuses')) {
        scope.cancelled = true;
        for (const t of v2 ? state.board.all() : state.openTasks()) if (isCancelled(t.scope)) await cancelTask(t, `branch ${b.id} ended the parallel step`);
      }
      return { branch: b.id, ...r };
    }));
    joined = true;
    const back = outcomes.find((o) => o.outcome === 'return');
    if (back) return back;
    const refused = outcomes.filter((o) => o.outcome === 'refused');
    await record('parallel-joined', { payload: { stepId: step.id, outcomes: outcomes.map((o) => ({ branch: o.branch, outcome: o.outcome })) } });
    if (step.join === 'any-refusal-refuses') {
      const first = refused[0] as { opinion: string; by: string } | undefined;
      return first ? { outcome: 'refused', opinion: first.opinion, by: first.by } : { outcome: 'approved', opinion: '并联审批通过', by: 'system' };
    }
    // lead-decides: the lead department weighs every branch and gives one combined result.
    const lead = await openHumanTask({ kind: 'lead-decision', stepId: step.id, stepName: `${step.name}（牵头部门综合决定）`, department: step.lead, role: 'head', actions: ['approve', 'refuse'] }, undefined, parent);
    const done = await awaitTask(lead);
    if (!done) return { outcome: 'cancelled' };
    return { outcome: done.action === 'approve' ? 'approved' : 'refused', opinion: done.opinion, by: done.actor.userId };
  }

  async function runDepartment(step: DepartmentStep, scope?: Scope): Promise<StepOutcome> {
    const round = roundOf(step.id);
    const dispatched = await withManualFallback(
      { id: `dispatch-${step.id}`, name: `推送${step.name}至部门系统`, department: step.department, allowSkip: false, scope },
      () => acts.dispatchToDepartment({ caseNo, stepId: step.id, department: step.department, system: step.system, itemCode: impl.itemCode, formData: state.formData, applicantKind: input.applicant.kind, ...(round > 1 ? { round } : {}) }),
    );
    if (!dispatched) return { outcome: 'cancelled' };
    await record('department-dispatched', { payload: { stepId: step.id, department: step.department, system: step.system, ...(v2 ? { round } : {}) }, patch: { currentSteps: v2 ? currentSteps() : [step.id] } });
    const key = resultKey(step.id, round);
    const result = () => state.departmentResults.get(key);
    if (step.limitDays !== undefined) {
      background.push(superviseStep(step.id, step.department, step.limitDays, step.supervision ?? impl.supervision, () => !result() && !isCancelled(scope) && !state.withdrawal, () => result()?.at ?? null));
    }
    if (v2) await awaitDepartmentResult(step, round, scope);
    else await condition(() => result() !== undefined || isCancelled(scope) || state.withdrawal !== null);
    if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
    const r = result();
    if (!r) return { outcome: 'cancelled' };
    await record('department-result', { payload: { ...r } });
    return { outcome: r.outcome, opinion: r.opinion, by: step.department };
  }

  /**
   * v2: the department system's result by callback; when none came within the step's limit (or
   * DEPARTMENT_WAIT_WORKING_DAYS), the workflow has asked the system itself along the way, and a
   * manual task lets the department's head ask again or enter the department's written result.
   */
  async function awaitDepartmentResult(step: DepartmentStep, round: number, scope?: Scope): Promise<void> {
    const key = resultKey(step.id, round);
    const over = () => state.departmentResults.has(key) || isCancelled(scope) || state.withdrawal !== null;
    const ask = async () => {
      const s = await acts.dispatchStatus({ caseNo, stepId: step.id, department: step.department, system: step.system, round });
      if (s.result && !state.departmentResults.has(key)) {
        state.departmentResults.set(key, { stepId: step.id, round, ...s.result });
        await record('department-result-found', { payload: { stepId: step.id, round, outcome: s.result.outcome } });
      }
      return over();
    };
    let until = (await acts.addWorkingDays({ from: now(), days: step.limitDays ?? DEPARTMENT_WAIT_WORKING_DAYS })).deadline;
    for (;;) {
      if (await waitOrAsk(over, ask, until)) return;
      const task = await openHumanTask({
        kind: 'manual', stepId: step.id, stepName: `人工处理：${step.name}（部门系统未返回结果）`, department: step.department, role: 'head', actions: ['retry', 'approve', 'refuse'],
        notes: [`已推送至部门业务系统 ${step.system}，期限内未收到办理结果，查询部门系统亦无结果。“重试”再次查询并等待一日；“同意”或“不予同意”按部门的书面结果录入，并写明依据。`],
      }, undefined, scope);
      const done = await awaitTask(task, undefined, over);
      if (!done) return;
      if (done.action === 'retry') {
        until = new Date(Date.now() + DAY_MS).toISOString();
        continue;
      }
      state.departmentResults.set(key, { stepId: step.id, round, outcome: done.action === 'approve' ? 'approved' : 'refused', opinion: done.opinion, at: now() });
      await record('department-result-entered', { actor: done.actor.userId, payload: { stepId: step.id, round, outcome: done.action, opinion: done.opinion } });
      task.handled = true;
      return;
    }
  }

  async function runService(step: ServiceStep): Promise<StepOutcome> {
    const r = await acts.callService({ caseNo, adapter: step.adapter, operation: step.operation, applicant: input.applicant, formData: state.formData });
    await record('service-called', { payload: { stepId: step.id, adapter: step.adapter, operation: step.operation, ok: r.ok, detail: r.detail } });
    return r.ok ? { outcome: 'approved', opinion: r.detail, by: `${step.adapter}.${step.operation}` } : { outcome: 'refused', opinion: `${step.name}未通过：${r.detail}`, by: `${step.adapter}.${step.operation}` };
  }

  function runStep(step: ProcessStep, scope?: Scope): Promise<StepOutcome> {
    // Cases started before v2 take exactly the path (and the microtask timing) they always took.
    return v2 ? runStepInRound(step, scope) : stepOfType(step, scope);
  }

  function stepOfType(step: ProcessStep, scope?: Scope): Promise<StepOutcome> {
    switch (step.type) {
      case 'task':
        return runTask(step, scope);
      case 'parallel':
        return runParallel(step, scope);
      case 'department':
        return runDepartment(step, scope);
      case 'service':
        return runService(step);
      default:
        throw new Error(`unknown step type in ${JSON.stringify(step satisfies never)}`);
    }
  }

  /** v2: each run of a step is a new round; task and department steps count as running steps while they run. */
  async function runStepInRound(step: ProcessStep, scope?: Scope): Promise<StepOutcome> {
    rounds.set(step.id, (rounds.get(step.id) ?? 0) + 1);
    const leaf = step.type === 'task' || step.type === 'department';
    if (leaf) activeSteps.set(step.id, (activeSteps.get(step.id) ?? 0) + 1);
    try {
      return await stepOfType(step, scope);
    } finally {
      if (leaf) {
        const n = (activeSteps.get(step.id) ?? 1) - 1;
        if (n > 0) activeSteps.set(step.id, n);
        else activeSteps.delete(step.id);
      }
    }
  }

  /**
   * v2: whether a step applies. A condition that cannot be evaluated (over its budget, or broken
   * in a definition that slipped past the catalogue's checks) asks the step's department: null
   * when that task was cancelled with its scope.
   */
  async function stepApplies(step: ProcessStep, scope?: Scope): Promise<boolean | null> {
    const r = evaluateCondition(step.when, { form: state.formData, applicant: { kind: input.applicant.kind } });
    if (r.ok) return r.value;
    await record('condition-failed', { payload: { stepId: step.id, reason: r.reason } });
    const task = await openHumanTask({
      kind: 'manual', stepId: step.id, stepName: `人工判断：${step.name}是否办理`, department: stepDepartment(step), role: 'head', actions: ['approve', 'skip'],
      notes: [`本环节的适用条件无法自动判断（${r.reason}）。“同意”＝办理本环节；“跳过”＝不办理本环节，须写明理由。`],
    }, undefined, scope);
    const done = await awaitTask(task);
    if (!done) return null;
    await record('condition-decided', { actor: done.actor.userId, payload: { stepId: step.id, applies: done.action === 'approve', opinion: done.opinion } });
    task.handled = true;
    return done.action === 'approve';
  }

  /** Runs steps in order; a return jumps back within this sequence or passes up to the enclosing one. */
  async function runSequence(steps: ProcessStep[], scope?: Scope): Promise<StepOutcome> {
    let last: StepOutcome = { outcome: 'approved', opinion: '', by: 'system' };
    let ran = false;
    for (let i = 0; i < steps.length; ) {
      // v2: a branch whose parallel step has ended starts nothing more.
      if (v2 && isCancelled(scope)) return { outcome: 'cancelled' };
      const step = steps[i];
      const applicable = v2 ? await stepApplies(step, scope) : applies(step.when, { form: state.formData, applicant: { kind: input.applicant.kind } });
      if (applicable === null) return { outcome: 'cancelled' };
      if (!applicable) {
        await record('step-skipped', { payload: { stepId: step.id, reason: 'condition not met' } });
        i += 1;
        continue;
      }
      ran = true;
      const r = await runStep(step, scope);
      if (r.outcome === 'return') {
        const target = steps.findIndex((s) => s.id === r.target);
        if (target < 0) return r;
        await record('returned', { payload: { from: step.id, to: r.target } });
        i = target;
        continue;
      }
      if (r.outcome !== 'approved') return r;
      last = r;
      i += 1;
    }
    // v2: a sequence none of whose steps applied is reported as skipped (e.g. at a parallel join), not approved.
    return v2 && !ran ? { outcome: 'skipped' } : last;
  }

  // ---------------------------------------------------------------- the legal skeleton

  await record('filed', {
    payload: { channel: input.channel, implementation: `${impl.code}@${impl.version}`, delivery: input.delivery.method },
    create: {
      implementationCode: impl.code,
      implementationVersion: impl.version,
      itemCode: impl.itemCode,
      itemName: impl.itemName,
      department: impl.department,
      channel: input.channel,
      applicant: input.applicant,
      formData: input.formData,
      filedAt: input.filedAt,
      caseType: impl.caseType,
      statutoryLimitDays: impl.statutoryLimitDays,
      promisedLimitDays: impl.promisedLimitDays,
    },
  }, 'filed');

  try {
    if (impl.caseType === 'instant') {
      // 即办件: accepted and decided at the window in one step; an applicant who fails the
      // real-name check is not accepted, with the reasons.
      if (patched(Patches.applicantChecks)) {
        const problems = await checkApplicant();
        if (problems.length) throw new CaseEnded('not_accepted', problems.join('；'));
      }
      await clockStart(input.filedAt);
      await record('accepted', { payload: { instant: true }, patch: clockPatch() }, 'in_review');
      await acceptanceFee();
    } else {
      await precheck();
    }
    const ran = await runSequence(impl.process.steps);
    // A process none of whose steps applied is decided at once, as approved.
    const outcome: StepOutcome = ran.outcome === 'skipped' ? { outcome: 'approved', opinion: '', by: 'system' } : ran;
    if (outcome.outcome !== 'approved' && outcome.outcome !== 'refused') throw new Error(`process ended with ${outcome.outcome}`);
    await decide(outcome.outcome, outcome.opinion, outcome.by);
  } catch (err) {
    if (!(err instanceof CaseEnded)) throw err;
    await endEarly(err);
  }

  if (state.decision?.outcome === 'approved') await deliverResult();
  if (state.status !== 'completed' && state.decision) {
    await record('completed', { patch: { completedAt: now(), currentSteps: [] } }, 'completed');
  }

  await evaluationWindow();
  await record('closed', {}, 'closed');
  await Promise.all(background);
  await condition(allHandlersFinished);
  return { caseNo, status: state.status, decision: state.decision, evaluation: state.evaluation };

  // ---------------------------------------------------------------- phases

  /** 预审: accept, correction (then again), or refuse to accept, within 5 working days (Art. 32). */
  async function precheck(): Promise<void> {
    let materialsAt = input.filedAt;
    const checks = patched(Patches.applicantChecks);
    for (;;) {
      // A failed real-name or authorisation check is shown on the task, which then cannot accept:
      // the clerk asks for a correction (e.g. the agent's authorisation) or refuses with reasons.
      const problems = checks ? await checkApplicant() : [];
      const due = (await acts.addWorkingDays({ from: materialsAt, days: PRECHECK_WORKING_DAYS })).deadline;
      const task = await openHumanTask({
        kind: 'precheck', stepId: 'precheck', stepName: '预审受理', department: impl.window.department, role: impl.window.role,
        actions: problems.length ? ['correction', 'reject'] : ['accept', 'correction', 'reject'], ...(problems.length ? { notes: problems } : {}),
      });
      if (state.status !== 'prechecking') await record('precheck-started', { payload: { materialsAt, due } }, 'prechecking');
      const done = await awaitTask(task, msUntil(due));
      if (!done) {
        // No outcome in time: accepted by law from the day the materials arrived.
        await clockStart(materialsAt);
        await record('auto-accepted', { payload: { materialsAt, rule: '行政许可法第三十二条：逾期不告知的，自收到申请材料之日起即为受理' }, patch: clockPatch() }, 'in_review');
        await acceptanceFee();
        return;
      }
      if (done.action === 'accept') {
        await clockStart(now());
        await record('accepted', { actor: done.actor.userId, patch: clockPatch() }, 'in_review');
        await notify({ key: `${caseNo}-accepted`, caseNo, recipient: 'applicant', template: 'acceptance-notice', params: { deadline: state.clock.promisedDeadline } });
        await acceptanceFee();
        return;
      }
      if (done.action === 'reject') throw new CaseEnded('not_accepted', done.opinion);
      materialsAt = await correctionPause(done.problems ?? [], 'precheck', 'prechecking');
    }
  }

  async function decide(outcome: 'approved' | 'refused', opinion: string, by: string): Promise<void> {
    // A withdrawal accepted before the decision ends the case, even when it came in the same moment.
    if (v2 && state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
    const at = now();
    await clockPause(at);
    supervisionOver = true;
    state.decision = { outcome, opinion, by, at };
    await record('decided', { actor: by, payload: { outcome, opinion, usedDays: state.clock.usedDays }, patch: { currentSteps: [], decision: outcome, decidedAt: at, usedDays: state.clock.usedDays, ...clockPatch() } });
    await notify({ key: `${caseNo}-decision`, caseNo, recipient: 'applicant', template: outcome === 'approved' ? 'approval-notice' : 'refusal-notice', params: { opinion } });
    if (outcome === 'refused') {
      await refundIfPaid(`不予许可：${opinion}`);
      await record('completed', { patch: { completedAt: at } }, 'completed');
    }
  }

  async function endEarly(e: CaseEnded): Promise<void> {
    // v2: a completion not yet taken is cancelled too, and its update answers with the reason.
    for (const t of v2 ? state.board.all() : state.openTasks()) await cancelTask(t, e.reason);
    await clockPause(now());
    supervisionOver = true;
    const type = e.status === 'not_accepted' ? 'not-accepted' : e.status;
    await record(type, { payload: { reason: e.reason }, patch: { currentSteps: [], completedAt: now() } }, e.status);
    await notify({ key: `${caseNo}-${type}`, caseNo, recipient: 'applicant', template: `${type}-notice`, params: { reason: e.reason } });
    await refundIfPaid(e.status === 'withdrawn' ? `撤回申请：${e.reason}` : `办件作废：${e.reason}`);
    state.board.settle();
  }

  /** 收费 → 制证 → 送达 after a positive decision. */
  async function deliverResult(): Promise<void> {
    if (impl.fee.charged && impl.fee.when !== 'acceptance') {
      const paid = await collectFee(impl.fee.amountFen, impl.fee.paymentDays, 'decision');
      if (!paid) return;
    }
    if (impl.result.type === 'certificate') {
      await record('issuing', {}, 'issuing');
      const cert = await withManualFallback({ id: 'certificate', name: '电子证照签发', department: impl.department, allowSkip: true }, () => acts.issueCertificate({
        caseNo, certificateType: impl.result.certificateType ?? impl.result.name, name: impl.result.name, holderName: input.applicant.name,
        holderId: input.applicant.idNumber, issuer: impl.department, validityYears: impl.result.validityYears ?? null, issuedAt: now(),
        fields: { itemName: impl.itemName, ...pickScalars(state.formData) },
      }));
      if (cert && 'value' in cert) {
        state.certificateNo = cert.value.certificateNo;
        await record('certificate-issued', { payload: { certificateNo: cert.value.certificateNo } });
      }
    }
    let method = input.delivery.method;
    state.delivery = { method, waybillNo: null, deliveredAt: null };
    if (method === 'courier') {
      const booked = await withManualFallback({ id: 'courier', name: '物流寄递下单', department: impl.department, allowSkip: true }, () => acts.bookCourier({ caseNo, address: input.delivery.address!, item: impl.result.name }));
      if (booked && 'value' in booked) {
        const booking = booked.value;
        state.delivery.waybillNo = booking.waybillNo;
        await record('courier-booked', { payload: { waybillNo: booking.waybillNo } }, 'delivering');
        if (v2) await awaitDelivery(booking.waybillNo);
        else await condition(() => deliveredAt !== null);
        state.delivery.deliveredAt = deliveredAt;
        await record('delivered', { payload: { waybillNo: booking.waybillNo, at: deliveredAt } });
      } else {
        // No courier: the result is handed over at the window instead.
        method = 'window';
        state.delivery.method = method;
      }
    }
    if (method !== 'courier') {
      await record('awaiting-pickup', { payload: { method } }, 'delivering');
      const task = await openHumanTask({ kind: 'handover', stepId: 'handover', stepName: '窗口发证', department: impl.window.department, role: impl.window.role, actions: ['handover'] });
      const done = await awaitTask(task);
      state.delivery.deliveredAt = now();
      await record('delivered', { actor: done?.actor.userId, payload: { method } });
    }
    await record('completed', { patch: { completedAt: now(), currentSteps: [] } }, 'completed');
    state.board.settle();
  }

  /**
   * v2: the courier's delivered callback; the workflow asks the courier's tracking along the way,
   * and after DELIVERY_WAIT_DAYS without a delivery a manual task lets the window ask again or
   * confirm the hand-over (e.g. the applicant confirmed receipt by phone), with a note.
   */
  async function awaitDelivery(waybillNo: string): Promise<void> {
    const arrived = () => deliveredAt !== null;
    const ask = async (): Promise<boolean> => {
      const t = await acts.trackWaybill({ waybillNo });
      if (t.delivered && deliveredAt === null) {
        deliveredAt = t.at ?? now();
        await record('delivery-found', { payload: { waybillNo, at: deliveredAt, status: t.status } });
      }
      return arrived();
    };
    let until = new Date(Date.now() + DELIVERY_WAIT_DAYS * DAY_MS).toISOString();
    for (;;) {
      if (await waitOrAsk(arrived, ask, until)) return;
      const task = await openHumanTask({
        kind: 'manual', stepId: 'delivery', stepName: '人工处理：寄递未确认签收', department: impl.window.department, role: impl.window.role, actions: ['retry', 'skip'],
        notes: [`运单 ${waybillNo} 寄出后 ${DELIVERY_WAIT_DAYS} 日仍未收到签收信息，查询物流亦未签收。“重试”再次查询并等待一日；“跳过”＝已通过其他方式确认送达（须写明如何确认）。`],
      });
      const done = await awaitTask(task, undefined, arrived);
      if (!done) return;
      if (done.action === 'retry') {
        until = new Date(Date.now() + DAY_MS).toISOString();
        continue;
      }
      deliveredAt = now();
      await record('delivery-confirmed-by-hand', { actor: done.actor.userId, payload: { waybillNo, opinion: done.opinion } });
      task.handled = true;
      return;
    }
  }

  /**
   * A payment order, a reminder half-way, and cancellation on expiry. Returns whether it was paid
   * (or, after a refused order, collected outside the platform). At acceptance the applicant may
   * still withdraw while the order is open.
   */
  async function collectFee(amountFen: number, paymentDays: number, stage: FeeStage): Promise<boolean> {
    const ordered = await withManualFallback({ id: 'payment-order', name: '缴费订单', department: impl.department, allowSkip: true }, () => acts.createPaymentOrder({ caseNo, amountFen, paymentDays, createdAt: now(), ...(stage === 'acceptance' ? { stage } : {}) }));
    if (!ordered || !('value' in ordered)) return true; // the fee was handled outside the platform, as the manual task says
    const order = ordered.value;
    state.payment = { paymentId: order.paymentId, amountFen, expiresAt: order.expiresAt, status: 'open', stage };
    await record('payment-ordered', { payload: { paymentId: order.paymentId, paymentCode: order.paymentCode, amountFen, expiresAt: order.expiresAt, ...(stage === 'acceptance' ? { stage } : {}) } }, 'awaiting_payment');
    await notify({ key: `${caseNo}-payment`, caseNo, recipient: 'applicant', template: 'payment-notice', params: { amountFen, paymentCode: order.paymentCode, expiresAt: order.expiresAt } });
    const settled = () => state.paymentConfirmation !== null || (stage === 'acceptance' && state.withdrawal !== null);
    const half = Math.floor(msUntil(order.expiresAt) / 2);
    // v2: a paid callback that never came (the API or its database was down) is found by asking
    // the payment platform, along the way, before the reminder and before the order expires.
    let foundByAsking = false;
    const ask = async (): Promise<boolean> => {
      const s = await acts.paymentOrderStatus({ paymentId: order.paymentId });
      if (s.status === 'paid' && state.paymentConfirmation === null && (s.amountFen === null || s.amountFen === amountFen)) {
        state.paymentConfirmation = { paymentId: order.paymentId, amountFen, paidAt: s.paidAt ?? now() };
        foundByAsking = true;
      }
      return settled();
    };
    const wait = (until: string, ms: number) => (v2 ? waitOrAsk(settled, ask, until) : condition(settled, ms));
    let paid = await wait(new Date(Date.now() + half).toISOString(), half);
    if (!paid) {
      await notify({ key: `${caseNo}-payment-reminder`, caseNo, recipient: 'applicant', template: 'payment-reminder', params: { expiresAt: order.expiresAt } });
      await record('payment-reminded');
      paid = await wait(order.expiresAt, msUntil(order.expiresAt));
    }
    if (paid && state.paymentConfirmation === null) {
      // Withdrawn before paying: the order is cancelled, nothing to refund.
      await acts.expirePaymentOrder({ paymentId: order.paymentId, at: now() });
      state.payment.status = 'expired';
      await record('payment-cancelled', { payload: { paymentId: order.paymentId } });
      return false;
    }
    if (!paid) {
      await acts.expirePaymentOrder({ paymentId: order.paymentId, at: now() });
      state.payment.status = 'expired';
      if (stage === 'acceptance') await record('payment-expired', { payload: { paymentId: order.paymentId } });
      else await record('payment-expired', { payload: { paymentId: order.paymentId }, patch: { completedAt: now() } }, 'completed');
      return false;
    }
    const c = state.paymentConfirmation!;
    state.payment.status = 'paid';
    await acts.markPaymentPaid({ paymentId: c.paymentId, paidAt: c.paidAt });
    await record('payment-received', { payload: { paymentId: c.paymentId, amountFen: c.amountFen, paidAt: c.paidAt, ...(foundByAsking ? { via: 'status-query' } : {}) } });
    return true;
  }

  /** A fee charged at acceptance (收费 at 受理): the case waits for it, its clock paused, before review begins. */
  async function acceptanceFee(): Promise<void> {
    if (!impl.fee.charged || impl.fee.when !== 'acceptance') return;
    await clockPause(now());
    const paid = await collectFee(impl.fee.amountFen, impl.fee.paymentDays, 'acceptance');
    if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
    if (!paid) throw new CaseEnded('withdrawn', '逾期未缴纳费用，视为撤回申请');
    await clockResume(now());
    await record('review-started', { patch: clockPatch() }, 'in_review');
  }

  /** A fee paid at acceptance goes back in full when the case is refused, withdrawn or voided (退费). */
  async function refundIfPaid(reason: string): Promise<void> {
    const payment = state.payment;
    if (!payment || payment.status !== 'paid' || payment.stage !== 'acceptance') return;
    const r = await withManualFallback({ id: 'refund', name: '退费', department: impl.department, allowSkip: true }, () => acts.refundPayment({ caseNo, paymentId: payment.paymentId, reason }));
    if (r && 'value' in r) {
      payment.status = 'refunded';
      await record('payment-refunded', { payload: { paymentId: payment.paymentId, refundId: r.value.refundId, amountFen: r.value.amountFen, reason } });
      await notify({ key: `${caseNo}-refund`, caseNo, recipient: 'applicant', template: 'refund-notice', params: { amountFen: r.value.amountFen, reason } });
    }
  }

  /**
   * Before the window decides: the real-name check (and an agent's authorisation), the e-certificates
   * that replace materials (减材料, once), and for advanced items a live face check (once it passed).
   * Returns the problems the clerk must see; an empty list means the applicant checks out.
   */
  async function checkApplicant(): Promise<string[]> {
    const identity = await acts.verifyApplicant({ applicant: input.applicant, itemCode: impl.itemCode, at: now() });
    state.identity = identity;
    await record(identity.ok ? 'identity-verified' : 'identity-check-failed', { payload: { checks: identity.checks, problems: identity.problems } });
    if (!materialsChecked && impl.materials?.some((m) => m.certificateType)) {
      materialsChecked = true;
      const a = input.applicant;
      const holderIds = [a.idNumber, ...(a.kind === 'legal_person' && a.legalRepresentative ? [a.legalRepresentative.idNumber] : [])];
      const r = await acts.replaceMaterials({ caseNo, holderIds, materials: impl.materials, at: now() });
      state.materials = r.replaced;
      await record('materials-replaced', { payload: { replaced: r.replaced, notUsed: r.notUsed } });
    }
    if (!identity.ok) return identity.problems;
    const confirmed = state.faceCheck?.status === 'passed' || state.faceCheck?.status === 'confirmed-at-window';
    if (impl.authLevel === 'advanced' && !confirmed) await faceCheck();
    return [];
  }

  /**
   * 高级认证: a live face check of the person acting (the agent, else the applicant or a legal
   * person's legal representative), by the identity platform. A failure, a refusal or no result
   * within FACE_CHECK_WAIT opens a task for the window clerk: ask again, confirm the person at the
   * window (with a note of how), or refuse to accept.
   */
  async function faceCheck(): Promise<void> {
    const a = input.applicant;
    const person: PersonRef | undefined = a.agent ?? (a.kind === 'person' ? { idNumber: a.idNumber, name: a.name } : a.legalRepresentative);
    for (let attempt = (state.faceCheck?.attempt ?? 0) + 1; ; attempt++) {
      let reason: string;
      const started = person ? await acts.startFaceCheck({ caseNo, attempt, person }) : { refused: '未提供须核验的自然人（经办人或法定代表人）' };
      if ('refused' in started) {
        reason = `无法发起人脸核验：${started.refused}`;
        state.faceCheck = { checkId: '', attempt, status: 'failed', reason, requestedAt: now() };
        await record('face-check-failed', { payload: { attempt, reason } });
      } else {
        const { checkId } = started;
        state.faceCheck = { checkId, attempt, status: 'pending', reason: null, requestedAt: started.requestedAt };
        await record('face-check-requested', { payload: { checkId, attempt } });
        state.board.settle();
        await notify({ key: `${caseNo}-face-check-${attempt}`, caseNo, recipient: 'applicant', template: 'face-check-request', params: { checkId } });
        // Cases started before results were kept by check id wait for the result the way they did.
        const byId = patched(Patches.faceResultsById);
        const arrived = await condition(() => (byId ? faceResults.has(checkId) : state.faceCheckResult?.checkId === checkId) || state.withdrawal !== null, FACE_CHECK_WAIT);
        if (state.withdrawal) throw new CaseEnded('withdrawn', state.withdrawal.reason);
        const result = arrived ? (byId ? faceResults.get(checkId) ?? null : state.faceCheckResult) : null;
        if (result) state.faceCheckResult = result;
        if (result?.passed) {
          state.faceCheck.status = 'passed';
          await record('face-check-passed', { payload: { checkId, attempt, at: result.at } });
          return;
        }
        reason = result ? `人脸核验未通过：${result.reason ?? '活体检测未通过'}` : '申请人未在规定时间内完成人脸核验';
        state.faceCheck.status = result ? 'failed' : 'timed-out';
        state.faceCheck.reason = reason;
        if (!result) await acts.closeFaceCheck({ checkId, status: 'timed-out', reason, at: now() });
        await record(result ? 'face-check-failed' : 'face-check-timed-out', { payload: { checkId, attempt, reason } });
      }
      state.board.settle();
      const task = await openHumanTask({ kind: 'face-check', stepId: 'face-check', stepName: '人脸核验（高级认证）', department: impl.window.department, role: impl.window.role, actions: ['retry', 'approve', 'reject'], notes: [reason] });
      const done = await awaitTask(task);
      if (!done || done.action === 'retry') continue;
      if (done.action === 'reject') throw new CaseEnded('not_accepted', done.opinion);
      state.faceCheck.status = 'confirmed-at-window';
      await record('face-check-confirmed-at-window', { actor: done.actor.userId, payload: { attempt, opinion: done.opinion } });
      task.handled = true;
      return;
    }
  }

  /** 好差评: the applicant may rate; a bad rating opens a follow-up the department must answer. */
  async function evaluationWindow(): Promise<void> {
    if (state.status === 'voided') return;
    const rated = await condition(() => state.evaluation !== null, `${impl.evaluationWindowDays} days`);
    if (!rated) {
      await record('evaluation-window-closed');
      return;
    }
    if (state.evaluation!.level <= 2) {
      const task = await openHumanTask({ kind: 'follow-up', stepId: 'follow-up', stepName: '差评回访整改', department: impl.department, role: 'head', actions: ['answer'] });
      const done = await awaitTask(task);
      await record('follow-up-answered', { actor: done?.actor.userId, payload: { answer: done?.opinion } });
      state.board.settle();
    }
  }
}

/** Scalar form fields, for the certificate's content. */
function pickScalars(data: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(data)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}
