/**
 * reconciliationWorkflow: the daily reconciliation (对账) of one day, China time, with the payment
 * and courier platforms; started each night by the Temporal Schedule that the worker ensures
 * (lib/reconciliation-schedule.ts), or by hand for a given day. The work is one activity, which
 * stores the mismatches it finds; running a day again replaces that day's findings.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ReconciliationSummary } from '../activities/reconciliation';

const acts = proxyActivities<Pick<Activities, 'reconcileDay'>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});

export interface ReconciliationInput {
  /** YYYY-MM-DD; absent: the day before today in China time. */
  date?: string;
}

/** The China-time (UTC+8, no daylight saving) date of the day before the instant `ms`. */
export function previousChinaDay(ms: number): string {
  return new Date(ms + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
}

export async function reconciliationWorkflow(input: ReconciliationInput = {}): Promise<ReconciliationSummary> {
  const date = input.date ?? previousChinaDay(Date.now());
  return await acts.reconcileDay({ date });
}
