/**
 * calendarChangeWorkflow: after a year is imported or a day corrected, every open case whose clock
 * the change touches is told to recompute its deadlines (calendarChangedSignal). Started by the
 * calendar routes; its one activity pages through the cases and heartbeats its place.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CalendarChange } from './definitions';

const acts = proxyActivities<Pick<Activities, 'signalCalendarChange'>>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function calendarChangeWorkflow(change: CalendarChange): Promise<{ signalled: number; closed: number }> {
  return await acts.signalCalendarChange(change);
}
