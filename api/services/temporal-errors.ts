/** Maps what Temporal answers to an update or query into the API's typed errors. */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AppError, conflict, forbidden, notFound } from '../../lib/errors';
import { Refusals } from '../../workflows/definitions';

/**
 * Every refusal the workflow's validators raise has its status here (the type makes a new
 * refusal without one a compile error). A late correction reply (`DeadlinePassed`) is a 409:
 * the request is well formed, but the case's state (its reply-by instant has passed) refuses it.
 */
const statusByRefusal: Record<(typeof Refusals)[keyof typeof Refusals], number> = {
  [Refusals.taskNotOpen]: 409,
  [Refusals.wrongState]: 409,
  [Refusals.deadlinePassed]: 409,
  [Refusals.actionNotAllowed]: 422,
  [Refusals.invalidInput]: 422,
  [Refusals.notAuthorised]: 403,
};

/** `caseNo` names the workflow: a case number, or a change id for catalogue changes. */
export function mapTemporalError(err: unknown, caseNo: string): Error {
  // Callers check that the case exists first, so "not found" from Temporal means it has closed.
  if (err instanceof WorkflowNotFoundError && /complete|closed/i.test(err.message)) {
    return conflict('case-closed', `${caseNo} is closed and accepts no further actions`);
  }
  if (err instanceof WorkflowNotFoundError) return notFound(caseNo);
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const type = err.cause.type ?? '';
    const status = (statusByRefusal as Record<string, number | undefined>)[type];
    if (status === 403) return forbidden(err.cause.message);
    if (status) return new AppError(status, kebab(type), 'The case refused the request', err.cause.message);
  }
  // An update to a finished workflow: the case no longer accepts actions.
  if (alreadyCompleted(err)) {
    return conflict('case-closed', `${caseNo} is closed and accepts no further actions`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Whether Temporal answered that the workflow's run has already completed (in whatever way it ended). */
export function alreadyCompleted(err: unknown): boolean {
  return err instanceof Error && /workflow execution already completed/i.test(err.message);
}

function kebab(s: string): string {
  return s.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}
