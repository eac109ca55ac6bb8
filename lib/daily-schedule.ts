/**
 * A Temporal Schedule that starts a workflow once a day at a time of day in China, ensured by the
 * worker at start: created when absent; when present, left as it is (a paused schedule stays
 * paused) except that `refreshAction` brings its workflow's arguments up to date.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export interface DailySchedule {
  scheduleId: string;
  /** China time (Asia/Shanghai). */
  at: { hour: number; minute: number };
  workflowType: string;
  taskQueue: string;
  args: unknown[];
  /** The schedule's memo, in Chinese: what the job is for. */
  purpose: string;
  /** On an existing schedule, replace the action (its arguments come from configuration). */
  refreshAction?: boolean;
}

export async function ensureDailySchedule(client: Client, s: DailySchedule): Promise<'created' | 'exists'> {
  const action = { type: 'startWorkflow' as const, workflowType: s.workflowType, taskQueue: s.taskQueue, args: s.args };
  try {
    await client.schedule.create({
      scheduleId: s.scheduleId,
      spec: { calendars: [s.at], timezone: 'Asia/Shanghai' },
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { purpose: s.purpose },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    if (s.refreshAction) await client.schedule.getHandle(s.scheduleId).update((d) => ({ ...d, action: { ...d.action, ...action } }));
    return 'exists';
  }
}
