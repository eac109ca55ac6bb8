/**
 * The Temporal Schedule of the retention job (workflows/retention-workflow.ts): daily at 03:30
 * China time. Like the reconciliation's, the worker ensures it at start: created when absent,
 * its retention brought up to RETENTION_DAYS when present (a paused schedule stays paused).
 */
import type { Client } from '@temporalio/client';
import { ensureDailySchedule } from './daily-schedule';

export const retentionScheduleId = 'onewindow-daily-retention';

export function ensureRetentionSchedule(client: Client, taskQueue: string, days: number, scheduleId = retentionScheduleId): Promise<'created' | 'exists'> {
  return ensureDailySchedule(client, {
    scheduleId, at: { hour: 3, minute: 30 }, workflowType: 'retentionWorkflow', taskQueue, args: [{ days }],
    purpose: '日志与运行记录保留：删除超过保留期的会话、短信登录记录和推送记录（审计日志永久保留）',
    refreshAction: true,
  });
}
