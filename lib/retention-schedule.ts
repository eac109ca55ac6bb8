/**
 * The Temporal Schedule of the retention job (workflows/retention-workflow.ts): daily at 03:30
 * China time. Like the reconciliation's, the worker ensures it at start: created when absent,
 * its retention brought up to RETENTION_DAYS when present (a paused schedule stays paused).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const retentionScheduleId = 'onewindow-daily-retention';

export async function ensureRetentionSchedule(client: Client, taskQueue: string, days: number, scheduleId = retentionScheduleId): Promise<'created' | 'exists'> {
  const action = { type: 'startWorkflow' as const, workflowType: 'retentionWorkflow', taskQueue, args: [{ days }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec: { calendars: [{ hour: 3, minute: 30 }], timezone: 'Asia/Shanghai' },
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { purpose: '日志与运行记录保留：删除超过保留期的会话、短信登录记录和推送记录（审计日志永久保留）' },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((s) => ({ ...s, action: { ...s.action, ...action } }));
    return 'exists';
  }
}
