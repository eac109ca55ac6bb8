/**
 * retentionWorkflow: the daily retention job, started at 03:30 China time by the Temporal
 * Schedule the worker ensures (lib/retention-schedule.ts). One activity deletes operational
 * records older than the retention (RETENTION_DAYS, at least 180); the audit log is never touched.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RetentionSummary } from '../activities/retention';

const acts = proxyActivities<Pick<Activities, 'pruneOperationalRecords'>>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 10 },
});

export async function retentionWorkflow(input: { days: number }): Promise<RetentionSummary> {
  return await acts.pruneOperationalRecords({ days: input.days });
}
