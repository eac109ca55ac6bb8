/** Working-day arithmetic for workflows: they sleep until the instant these return. */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Db } from '../lib/db';
import { calendarSnapshot, loadCalendar } from '../lib/calendar/store';
import { isoToDay, startOfChinaDay, type CalendarSnapshot } from '../lib/calendar/working-days';
import { calendarChangedSignal, type CalendarChange } from '../workflows/definitions';

/** Statuses of a case whose clock can still run. */
const open = ['filed', 'prechecking', 'awaiting_correction', 'in_review', 'special_procedure', 'awaiting_payment'];
const PAGE = 200;

export interface DeadlineResult {
  deadline: string;
  provisional: boolean;
}

/** How long after its first pass a calendar change tells the recently changed cases again. */
const SECOND_PASS_AFTER_MS = 60_000;

export function createCalendarActivities(db: Db) {
  return {
    /**
     * The calendar from last year on, for a case workflow to compute its deadlines itself (run as
     * a local activity when the calendar changes, and at the start of a case not handed one).
     */
    async calendarSnapshot(): Promise<CalendarSnapshot> {
      return calendarSnapshot(db);
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
     * day, or no deadline yet) to recompute; a case closed meanwhile is skipped. Then, a minute
     * later (SECOND_PASS_AFTER_MS), tells again the ones whose row has changed since a minute before this
     * began: a case started with the calendar read just before the change, whose row was not yet
     * written when the first pass looked, is reached so (a case that already has the new calendar
     * finds nothing changed and records nothing). Each pass also tells the cases filed in the last
     * week whose rows are not written yet (their first workflow task is still to come), however
     * long they wait for it. Pages by case number and heartbeats its place, so a retry after a
     * crash goes on where it stopped (a page cut short is told again, and counted again).
     */
    async signalCalendarChange(change: CalendarChange): Promise<{ signalled: number; closed: number }> {
      const ctx = Context.current();
      const from = startOfChinaDay(isoToDay(change.from));
      const began = new Date(ctx.info.scheduledTimestampMs - 60_000);
      const done: Progress = { pass: 1, after: '', signalled: 0, closed: 0, ...(ctx.info.heartbeatDetails as Partial<Progress> | undefined) };
      const signal = async (caseNo: string) => {
        try {
          await ctx.client.workflow.getHandle(caseNo).signal(calendarChangedSignal, change);
          return 'signalled' as const;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          return 'closed' as const;
        }
      };
      for (; done.pass <= 2; done.pass++, done.after = '') {
        if (done.pass === 2 && done.after === '') await pause(ctx, SECOND_PASS_AFTER_MS, () => ctx.heartbeat(done));
        await tellOpenCases(db, { from, changedSince: done.pass === 2 ? began : null, progress: done, signal, heartbeat: () => ctx.heartbeat(done) });
      }
      return { signalled: done.signalled, closed: done.closed };
    },
  };
}

interface Progress {
  pass: number;
  /** The last case number told in this pass. */
  after: string;
  signalled: number;
  closed: number;
}

/** Waits `ms`, heartbeating every 10 s (the activity's heartbeat timeout is a minute). */
async function pause(ctx: Context, ms: number, beat: () => void): Promise<void> {
  for (let left = ms; left > 0; left -= 10_000) {
    beat();
    await ctx.sleep(Math.min(left, 10_000));
  }
}

/**
 * Pages through the open cases a change from `from` touches (only those whose row changed since
 * `changedSince`, when given), in case-number order from `progress.after`, telling each, then the
 * cases filed but not yet in the read model; counts and the place go into `progress`, and
 * `heartbeat` is called after each page.
 */
export async function tellOpenCases(db: Db, o: {
  from: Date;
  changedSince: Date | null;
  progress: Progress;
  signal: (caseNo: string) => Promise<'signalled' | 'closed'>;
  heartbeat: () => void;
}): Promise<void> {
  const tell = async (caseNos: string[]) => {
    for (const told of await Promise.all(caseNos.map(o.signal))) o.progress[told] += 1;
  };
  for (;;) {
    const q = db('cases')
      .whereIn('status', open)
      .andWhere((w) => { w.whereNull('statutory_deadline').orWhere('statutory_deadline', '>=', o.from).orWhere('promised_deadline', '>=', o.from); })
      .andWhere('case_no', '>', o.progress.after);
    if (o.changedSince) q.andWhere('updated_at', '>=', o.changedSince);
    const page = (await q.orderBy('case_no').limit(PAGE).pluck('case_no')) as string[];
    if (page.length === 0) break;
    await tell(page);
    o.progress.after = page[page.length - 1];
    o.heartbeat();
  }
  // Cases filed in the last week but not in the read model yet (their first workflow task has not
  // run, or not been written: the workers were down, or behind): a started workflow keeps the
  // signal for that first task; one that never started is counted closed.
  const unprojected = (await db('case_filings as f').leftJoin('cases as c', 'c.case_no', 'f.case_no')
    .whereNull('c.case_no').andWhere('f.created_at', '>=', db.raw("now() - interval '7 days'")).orderBy('f.case_no').pluck('f.case_no')) as string[];
  for (let i = 0; i < unprojected.length; i += PAGE) {
    await tell(unprojected.slice(i, i + PAGE));
    o.heartbeat();
  }
}

