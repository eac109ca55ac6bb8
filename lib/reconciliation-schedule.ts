/**
 * The Temporal Schedule that runs the daily reconciliation at 02:00 China time, reconciling the
 * day before. The worker ensures it at start: created when absent, left alone when present (so
 * several workers, or a restart, change nothing; a paused schedule stays paused).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const reconciliationScheduleId = 'onewindow-daily-reconciliation';

export async function ensureReconciliationSchedule(client: Client, taskQueue: string, scheduleId = reconciliationScheduleId): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: { calendars: [{ hour: 2, minute: 0 }], timezone: 'Asia/Shanghai' },
      action: { type: 'startWorkflow', workflowType: 'reconciliationWorkflow', taskQueue, args: [{}] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { purpose: '每日对账：统一支付平台与物流平台' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}
