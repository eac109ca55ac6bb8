/**
 * The supervision sweep's workflow, ensured by the worker at start: one per task queue, started
 * when none runs, left alone when one does (a new worker joins the running sweep; one that was
 * terminated or failed is started again by the next worker to start).
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';

export const supervisionSweepId = (taskQueue: string) => `supervision-sweep:${taskQueue}`;

export async function ensureSupervisionSweep(client: Client, taskQueue: string, intervalMs: number): Promise<'started' | 'running'> {
  try {
    await client.workflow.start('supervisionSweepWorkflow', { workflowId: supervisionSweepId(taskQueue), taskQueue, args: [{ intervalMs }] });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'running';
    throw err;
  }
}

/**
 * The earliest instant at which a published clock (a case's, or an open step's) must change level:
 * when the sweep must next run, and, when past, how far it is behind. Null when none is pending.
 */
export async function nextSupervisionInstant(db: Knex): Promise<Date | null> {
  const { rows } = await db.raw<{ rows: { next: Date | null }[] }>(`select least(
      (select next_supervision_at from cases where next_supervision_at is not null order by next_supervision_at limit 1),
      (select next_supervision_at from step_clocks where next_supervision_at is not null order by next_supervision_at limit 1)) as next`);
  return rows[0]?.next ?? null;
}
