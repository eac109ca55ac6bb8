/**
 * The supervision sweep's workflow, ensured by the worker at start: one per task queue, started
 * when none runs, left alone when one does (a new worker joins the running sweep; one that was
 * terminated or failed is started again by the next worker to start).
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';

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
