/**
 * The Temporal Schedule that runs the daily reconciliation at 02:00 China time, reconciling the
 * day before. The worker ensures it at start: created when absent, left alone when present (so
 * several workers, or a restart, change nothing; a paused schedule stays paused).
 */
import type { Client } from '@temporalio/client';
import { ensureDailySchedule } from './daily-schedule';

export const reconciliationScheduleId = 'onewindow-daily-reconciliation';

export function ensureReconciliationSchedule(client: Client, taskQueue: string, scheduleId = reconciliationScheduleId): Promise<'created' | 'exists'> {
  return ensureDailySchedule(client, {
    scheduleId, at: { hour: 2, minute: 0 }, workflowType: 'reconciliationWorkflow', taskQueue, args: [{}],
    purpose: '每日对账：统一支付平台与物流平台',
  });
}
