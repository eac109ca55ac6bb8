/** The calendar in PostgreSQL: loading it for arithmetic, importing a year, correcting a day. */
import type { Db } from '../db';
import { notFound, validationFailed } from '../errors';
import { checkYear, isoToDay, snapshotOf, WorkingCalendar, type CalendarDay, type CalendarSnapshot, type CalendarYear } from './working-days';

interface DayRow {
  date: string;
  year: number;
  kind: CalendarDay['kind'];
  name: string;
}

/** Dates come back as YYYY-MM-DD strings, never shifted by the server's time zone. */
const dateText = "to_char(date, 'YYYY-MM-DD') as date";

/** Every year the database holds, as one calendar. Small: a few dozen rows a year. */
export async function loadCalendar(db: Db): Promise<WorkingCalendar> {
  return new WorkingCalendar(await loadCalendarYears(db));
}

/** Every year the database holds, with its listed days. */
export async function loadCalendarYears(db: Db): Promise<CalendarYear[]> {
  const [years, days] = await Promise.all([
    db('calendar_years').pluck('year') as Promise<number[]>,
    db('calendar_days').select<DayRow[]>(db.raw(dateText), 'year', 'kind', 'name'),
  ]);
  const byYear = new Map<number, CalendarYear>(years.map((y) => [y, { year: y, days: [] }]));
  for (const d of days) byYear.get(d.year)?.days.push({ date: d.date, kind: d.kind, name: d.name });
  return [...byYear.values()];
}

/**
 * The calendar a case computes its deadlines with, from last year (China time) on: handed to a
 * case workflow when it starts (api/services/cases.ts) and read again by the case when the
 * calendar changes (the calendarSnapshot local activity).
 */
export async function calendarSnapshot(db: Db, at = new Date()): Promise<CalendarSnapshot> {
  const thisYear = new Date(at.getTime() + 8 * 3_600_000).getUTCFullYear();
  return snapshotOf(await loadCalendarYears(db), thisYear - 1);
}

export async function getYear(db: Db, year: number) {
  const row = await db('calendar_years').where({ year }).first<{ year: number; source: string; updated_at: Date; updated_by: string } | undefined>();
  if (!row) throw notFound(`the calendar of ${year}`);
  const days = await db('calendar_days').where({ year }).orderBy('date').select<DayRow[]>(db.raw(dateText), 'kind', 'name');
  return { year, source: row.source, updatedAt: row.updated_at, updatedBy: row.updated_by, days: days.map(({ date, kind, name }) => ({ date, kind, name })) };
}

/** Replaces a year's listing after checking it whole; nothing changes if any day is wrong. */
export async function importYear(db: Db, year: number, source: string, days: CalendarDay[], by: string): Promise<void> {
  const problems = checkYear(year, days);
  if (problems.length) throw validationFailed(problems);
  await db.transaction(async (trx) => {
    await trx('calendar_years').insert({ year, source, updated_by: by, updated_at: trx.fn.now() }).onConflict('year').merge();
    await trx('calendar_days').where({ year }).delete();
    if (days.length) await trx('calendar_days').insert(days.map((d) => ({ date: d.date, year, kind: d.kind, name: d.name })));
  });
}

/** Corrects one day: make it a holiday, a make-up workday, or an ordinary day (`normal`). */
export async function correctDay(db: Db, date: string, kind: CalendarDay['kind'] | 'normal', name: string, by: string): Promise<void> {
  const year = Number(date.slice(0, 4));
  isoToDay(date);
  const current = await getYear(db, year);
  const days = current.days.filter((d) => d.date !== date);
  if (kind !== 'normal') days.push({ date, kind, name });
  const problems = checkYear(year, days).map((p) => ({ pointer: '/kind', detail: p.detail }));
  if (problems.length) throw validationFailed(problems);
  await db.transaction(async (trx) => {
    await trx('calendar_days').where({ date }).delete();
    if (kind !== 'normal') await trx('calendar_days').insert({ date, year, kind, name });
    await trx('calendar_years').where({ year }).update({ updated_by: by, updated_at: trx.fn.now() });
  });
}
