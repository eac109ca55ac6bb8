/** Working-day arithmetic for workflows: they sleep until the instant these return. */
import type { Db } from '../lib/db';
import { loadCalendar } from '../lib/calendar/store';

export interface DeadlineResult {
  deadline: string;
  provisional: boolean;
}

export function createCalendarActivities(db: Db) {
  return {
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
  };
}
