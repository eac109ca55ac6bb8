/**
 * caseWorkflow: one per case (办件), workflow id = the unified case number. It runs the legal
 * skeleton around the review steps of the pinned process definition and projects every
 * transition to the read model. Messages are routed to the plain CaseState.
 */
import {
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CaseEventInput } from '../activities/projection';
import { CaseState } from './case-state';
import {
  caseViewQuery,
  completeTaskUpdate,
  evaluateUpdate,
  type CaseInput,
  type CaseStatus,
  type CaseView,
  type CompleteTaskRequest,
  type EvaluationRequest,
  type TaskStep,
} from './definitions';
import { CaseStatus as CaseStatusKey } from './search-attributes';

const { recordCaseEvent, openTask, closeTask } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface CaseResult {
  caseNo: string;
  decision: CaseView['decision'];
  evaluation: CaseView['evaluation'];
}

const now = (): string => new Date().toISOString();

export async function caseWorkflow(input: CaseInput): Promise<CaseResult> {
  const state = new CaseState(input);
  const { caseNo } = input;

  /** Projects one event; with a status, also moves the case and its search attribute. */
  async function record(
    type: string,
    extra: Omit<CaseEventInput, 'caseNo' | 'seq' | 'type' | 'at'> = {},
    status?: CaseStatus,
  ): Promise<void> {
    if (status) {
      state.status = status;
      upsertSearchAttributes([{ key: CaseStatusKey, value: status }]);
    }
    const patch = status ? { ...extra.patch, status } : extra.patch;
    await recordCaseEvent({ caseNo, seq: state.nextSeq(), type, at: now(), ...extra, patch });
  }

  setHandler(caseViewQuery, () => state.view());

  setHandler(
    completeTaskUpdate,
    async (req) => {
      const task = state.beginCompletion(req);
      const at = now();
      await closeTask({ taskId: task.taskId, outcome: { action: req.action, opinion: req.opinion, by: req.actor.userId }, closedAt: at });
      await record('task-completed', {
        actor: req.actor.userId,
        payload: { taskId: task.taskId, stepId: task.stepId, action: req.action, opinion: req.opinion },
      });
      state.finishCompletion(task);
      // Answer once the case has moved on, so the caller sees the consequence of its action.
      await condition(() => task.handled);
      return { taskId: task.taskId, action: req.action, status: state.status };
    },
    { validator: (req: CompleteTaskRequest) => state.validateCompletion(req) },
  );

  setHandler(
    evaluateUpdate,
    async (req) => {
      state.evaluation = { ...req, at: now() };
      await record('evaluated', { payload: { level: req.level, comment: req.comment } });
    },
    { validator: (req: EvaluationRequest) => state.validateEvaluation(req) },
  );

  await record('filed', {
    payload: { channel: input.channel, implementation: `${input.implementation.code}@${input.implementation.version}` },
    create: {
      implementationCode: input.implementation.code,
      implementationVersion: input.implementation.version,
      itemCode: input.implementation.itemCode,
      itemName: input.implementation.itemName,
      department: input.implementation.department,
      channel: input.channel,
      applicant: input.applicant,
      formData: input.formData,
      filedAt: input.filedAt,
    },
  }, 'filed');

  let refused = false;
  for (const step of input.implementation.process.steps) {
    const completion = await runTaskStep(step);
    if (completion.action === 'refuse') {
      refused = true;
      state.decision = { outcome: 'refused', opinion: completion.opinion, by: completion.actor.userId, at: now() };
      break;
    }
    state.decision = { outcome: 'approved', opinion: completion.opinion, by: completion.actor.userId, at: now() };
  }

  const outcome = refused ? 'refused' : 'approved';
  await record('decided', { payload: { outcome, opinion: state.decision?.opinion ?? '' }, patch: { currentSteps: [], completedAt: now() } }, outcome);
  state.markCompletionsHandled();

  const rated = await condition(() => state.evaluation !== null, `${input.implementation.evaluationWindowDays} days`);
  if (!rated) await record('evaluation-window-closed');
  await record('closed', {}, 'closed');

  await condition(allHandlersFinished);
  return { caseNo, decision: state.decision, evaluation: state.evaluation };

  /** Opens a human task for the step and waits for its completion update. */
  async function runTaskStep(step: TaskStep) {
    const task = state.openTask(step);
    await openTask({
      taskId: task.taskId,
      caseNo,
      stepId: step.id,
      stepName: step.name,
      department: step.department,
      role: step.role,
      actions: step.actions,
      createdAt: now(),
    });
    await record('task-opened', { payload: { taskId: task.taskId, stepId: step.id, department: step.department, role: step.role }, patch: { currentSteps: [step.id] } }, 'in_review');
    state.markCompletionsHandled();
    await condition(() => task.phase === 'done');
    return task.completion!;
  }
}
