/**
 * catalogueChangeWorkflow: one per change request. Each review is a human task answered by an
 * Update with a validator; a rejection ends the change, three approvals publish it atomically.
 */
import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { changeViewQuery, reviewChangeUpdate, type ChangeInput, type ChangeView, type ReviewRequest } from './catalogue-definitions';
import { Refusals } from './definitions';

const { openReview, closeReview, applyChange, rejectChange } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const refuse = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

export async function catalogueChangeWorkflow(input: ChangeInput): Promise<ChangeView> {
  const view: ChangeView = { changeId: input.changeId, state: 'in_review', currentStage: null, decisions: [] };
  let pending: ReviewRequest | undefined;
  let answered = 0;
  /** The stage whose review task is being opened right now. */
  let opening: ChangeView['currentStage'] = null;

  setHandler(changeViewQuery, () => view);
  setHandler(
    reviewChangeUpdate,
    async (req) => {
      // A review may arrive while its stage is still being opened: wait for it, then take it once.
      await condition(() => view.currentStage === req.stage || view.state !== 'in_review');
      if (view.currentStage !== req.stage) throw refuse(Refusals.wrongState, `the ${req.stage} review of change ${input.changeId} has already been decided`);
      pending = req;
      const at = new Date().toISOString();
      view.decisions.push({ stage: req.stage, decision: req.decision, opinion: req.opinion, by: req.actor.userId, at });
      view.currentStage = null;
      await closeReview({ changeId: input.changeId, stage: req.stage, decision: req.decision, opinion: req.opinion, reviewer: req.actor.userId, decidedAt: at });
      const mine = view.decisions.length;
      await condition(() => answered >= mine); // answer once the workflow has acted on it
      return view;
    },
    {
      validator: (req: ReviewRequest) => {
        const current = view.currentStage ?? opening;
        if (view.state !== 'in_review' || current === null) throw refuse(Refusals.wrongState, `change ${input.changeId} is not waiting for a review`);
        if (req.stage !== current) throw refuse(Refusals.wrongState, `change ${input.changeId} is at the ${current} review, not ${req.stage}`);
        const stage = input.stages.find((s) => s.stage === req.stage)!;
        if (req.actor.department !== stage.department || !req.actor.roles.includes(stage.role)) {
          throw refuse(Refusals.notAuthorised, `the ${stage.name} is done by role "${stage.role}" in department ${stage.department}`);
        }
        if (req.decision === 'reject' && req.opinion.trim() === '') throw refuse(Refusals.invalidInput, 'a rejection needs written reasons');
      },
    },
  );

  for (const [position, stage] of input.stages.entries()) {
    opening = stage.stage;
    await openReview({ changeId: input.changeId, stage: stage.stage, position, department: stage.department, role: stage.role, openedAt: new Date().toISOString() });
    view.currentStage = stage.stage;
    opening = null;
    answered = view.decisions.length; // the previous decision is answered once the next review is open
    pending = undefined;
    await condition(() => pending !== undefined);
    if (pending!.decision === 'reject') {
      await rejectChange({ changeId: input.changeId, at: new Date().toISOString() });
      view.state = 'rejected';
      break;
    }
    if (position === input.stages.length - 1) {
      await applyChange({ changeId: input.changeId, at: new Date().toISOString() });
      view.state = 'approved';
    }
  }
  answered = view.decisions.length;
  await condition(allHandlersFinished);
  return view;
}
