/** Working-day arithmetic for workflows: they sleep until the instant these return. */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Db } from '../lib/db';
import { loadCalendar, loadCalendarYears } from '../lib/calendar/store';
import { isoToDay, snapshotOf, startOfChinaDay, type CalendarSnapshot } from '../lib/calendar/working-days';
import { calendarChangedSignal, type CalendarChange } from '../workflows/definitions';

/** Statuses of a case whose clock can still run. */
const open = ['filed', 'prechecking', 'awaiting_correction', 'in_review', 'special_procedure', 'awaiting_payment'];
const PAGE = 200;

export interface DeadlineResult {
  deadline: string;
  provisional: boolean;
}

export function createCalendarActivities(db: Db) {
  return {
    /**
     * The calendar from last year on, for a case workflow to compute its deadlines itself (run as
     * a local activity at the case's start and when the calendar changes).
     */
    async calendarSnapshot(): Promise<CalendarSnapshot> {
      const thisYear = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear(); // China time
      return snapshotOf(await loadCalendarYears(db), thisYear - 1);
    },

    /** The instant `days` working days after `from` end (see lib/calendar/working-days.ts). */
    async addWorkingDays({ from, days }: { from: string; days: number }): Promise<DeadlineResult> {
      const r = (await loadCalendar(db)).addWorkingDays(new Date(from), days);
      return { deadline: r.value.toISOString(), provisional: r.provisional };
    },

    /** Working days wholly elapsed between two instants. */
    async workingDaysBetween({ from, to }: { from: string; to: string }): Promise<{ days: number; provisional: boolean }> {
      const r = (await loadCalendar(db)).workingDaysBetween(new Date(from), new Date(to));
      return { days: r.value, provisional: r.provisional };
    },

    /**
     * Tells every open case whose clock a calendar change touches (a deadline on or after its first
     * day, or no deadline yet) to recompute. Pages by case number and heartbeats its place, so a
     * retry after a crash goes on where it stopped; a case closed meanwhile is skipped.
     */
    async signalCalendarChange(change: CalendarChange): Promise<{ signalled: number; closed: number }> {
      const ctx = Context.current();
      const since = startOfChinaDay(isoToDay(change.from));
      let after = (ctx.info.heartbeatDetails as { after?: string } | undefined)?.after ?? '';
      let signalled = 0;
      let closed = 0;
      for (;;) {
        const page = (await db('cases')
          .whereIn('status', open)
          .andWhere((q) => { q.whereNull('statutory_deadline').orWhere('statutory_deadline', '>=', since).orWhere('promised_deadline', '>=', since); })
          .andWhere('case_no', '>', after)
          .orderBy('case_no')
          .limit(PAGE)
          .pluck('case_no')) as string[];
        if (page.length === 0) return { signalled, closed };
        await Promise.all(page.map(async (caseNo) => {
          try {
            await ctx.client.workflow.getHandle(caseNo).signal(calendarChangedSignal, change);
            signalled += 1;
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
            closed += 1;
          }
        }));
        after = page[page.length - 1];
        ctx.heartbeat({ after });
      }
    },
  };
}
