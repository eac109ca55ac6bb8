/**
 * Working-day arithmetic, pure and exact, in China time (UTC+8, no daylight saving).
 *
 * How the law counts (行政许可法 Art. 82 with 民法典 Art. 201): limits in working days exclude
 * weekends and statutory holidays and include the official make-up workdays (调休); the day on
 * which the period starts does not count, counting begins with the next day, and the period ends
 * at the end (24:00) of its last working day. So "N working days after instant T" is 00:00 China
 * time of the day after the Nth working day that follows T's date, and a partial day never counts.
 *
 * Years the calendar does not hold follow the plain weekend rule, and any answer that relied on
 * such a year is marked provisional (the State Council publishes each year's arrangement late in
 * the year before).
 */

export type DayKind = 'holiday' | 'workday';

/** One listed day of a year: a holiday (放假) or a make-up workday (调休上班). */
export interface CalendarDay {
  date: string; // YYYY-MM-DD
  kind: DayKind;
  name: string;
}

export interface CalendarYear {
  year: number;
  days: CalendarDay[];
}

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Day number (days since 1970-01-01) of the China-time date of an instant. */
export function chinaDayOf(instant: Date): number {
  return Math.floor((instant.getTime() + CHINA_OFFSET_MS) / DAY_MS);
}

/** The instant 00:00 China time begins on the given day number. */
export function startOfChinaDay(day: number): Date {
  return new Date(day * DAY_MS - CHINA_OFFSET_MS);
}

export function dayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isoToDay(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`"${iso}" is not a date (YYYY-MM-DD)`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (dayToIso(t / DAY_MS) !== iso) throw new RangeError(`"${iso}" is not a real date`);
  return t / DAY_MS;
}

function weekday(day: number): number {
  return new Date(day * DAY_MS).getUTCDay(); // 0 Sunday … 6 Saturday
}

function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

export interface Counted<T> {
  value: T;
  /** True when a year the calendar does not hold was involved. */
  provisional: boolean;
}

/** A working-day calendar over the years it was given. */
export class WorkingCalendar implements DayCounter {
  private readonly listed = new Map<number, DayKind>();
  private readonly years: Set<number>;

  constructor(years: CalendarYear[]) {
    this.years = new Set(years.map((y) => y.year));
    for (const y of years) for (const d of y.days) this.listed.set(isoToDay(d.date), d.kind);
  }

  holds(year: number): boolean {
    return this.years.has(year);
  }

  isWorkingDay(day: number): boolean {
    const kind = this.listed.get(day);
    if (kind === 'holiday') return false;
    if (kind === 'workday') return true;
    const w = weekday(day);
    return w !== 0 && w !== 6;
  }

  /**
   * The instant `days` working days after `from` end: 00:00 China time after the last of them.
   * Zero days end at the end of `from`'s own day.
   */
  addWorkingDays(from: Date, days: number): Counted<Date> {
    if (!Number.isInteger(days) || days < 0) throw new RangeError('days must be a whole number of at least 0');
    let day = chinaDayOf(from);
    let provisional = !this.holds(yearOf(day));
    for (let counted = 0; counted < days; ) {
      day += 1;
      if (!this.holds(yearOf(day))) provisional = true;
      if (this.isWorkingDay(day)) counted += 1;
    }
    return { value: startOfChinaDay(day + 1), provisional };
  }

  /**
   * Working days wholly elapsed from `from` to `to`: those after `from`'s date that have
   * ended by `to`. The inverse of addWorkingDays: between(T, add(T, N)) = N.
   */
  workingDaysBetween(from: Date, to: Date): Counted<number> {
    const first = chinaDayOf(from) + 1;
    const lastEnded = chinaDayOf(to) - 1; // the day `to` falls in has not ended
    let n = 0;
    let provisional = false;
    for (let day = first; day <= lastEnded; day++) {
      if (!this.holds(yearOf(day))) provisional = true;
      if (this.isWorkingDay(day)) n += 1;
    }
    return { value: n, provisional };
  }
}

/** Problems with one year's listing, each naming the day: duplicates, impossible kinds, strays. */
export function checkYear(year: number, days: CalendarDay[]): { pointer: string; detail: string }[] {
  const problems: { pointer: string; detail: string }[] = [];
  const seen = new Map<string, number>();
  days.forEach((d, i) => {
    let day: number;
    try {
      day = isoToDay(d.date);
    } catch (err) {
      problems.push({ pointer: `/days/${i}/date`, detail: (err as Error).message });
      return;
    }
    if (yearOf(day) !== year) problems.push({ pointer: `/days/${i}/date`, detail: `${d.date} is not in ${year}` });
    const first = seen.get(d.date);
    if (first !== undefined) {
      const other = days[first];
      problems.push({
        pointer: `/days/${i}/date`,
        detail: other.kind !== d.kind
          ? `${d.date} is listed as a ${other.kind} and as a ${d.kind}: a make-up workday cannot be a holiday`
          : `${d.date} is listed twice`,
      });
    } else {
      seen.set(d.date, i);
    }
    const w = weekday(day);
    if (d.kind === 'workday' && w !== 0 && w !== 6) problems.push({ pointer: `/days/${i}/kind`, detail: `${d.date} is a weekday already; a make-up workday (调休) falls on a weekend` });
  });
  return problems;
}

/** Expands "from … to" holiday periods and make-up days into one listing of a year. */
export function expandArrangement(arr: { holidays: { name: string; from: string; to: string }[]; workdays: { name: string; date: string }[] }): CalendarDay[] {
  const days: CalendarDay[] = [];
  for (const h of arr.holidays) {
    for (let d = isoToDay(h.from); d <= isoToDay(h.to); d++) days.push({ date: dayToIso(d), kind: 'holiday', name: h.name });
  }
  for (const w of arr.workdays) days.push({ date: w.date, kind: 'workday', name: w.name });
  return days.sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * A compact copy of the calendar, from a given year on, that a case workflow keeps and computes
 * its deadlines with (refreshed when the calendar changes): dates only, no names.
 */
export interface CalendarSnapshot {
  years: number[];
  holidays: string[];
  workdays: string[];
  /**
   * Only for the supervision benchmark's worker: a calendar in which one working day lasts this
   * many milliseconds, so deadlines fall seconds after acceptance. Never set in production.
   */
  compressedDayMs?: number;
  /**
   * With compressedDayMs: where its days begin. Deadlines then fall at the start of a compressed
   * day, as real ones fall at midnight (so everything opened on one day with one limit is due at
   * one instant); without it, N days after `from` end N × dayMs later.
   */
  compressedEpochMs?: number;
}

/** What a case clock counts with: the real calendar, or the benchmark's compressed one. */
export interface DayCounter {
  addWorkingDays(from: Date, days: number): Counted<Date>;
  workingDaysBetween(from: Date, to: Date): Counted<number>;
}

/**
 * The benchmarks' calendar, every day a working day of `dayMs`. Without an epoch, N working days
 * after `from` end N × dayMs later and whole days elapsed count the same way; with one, days begin
 * at epoch + k × dayMs and count as the real calendar's do (N days after `from` end at the start of
 * the day after the Nth day after `from`'s own).
 */
export class CompressedCalendar implements DayCounter {
  constructor(private readonly dayMs: number, private readonly epochMs?: number) {}

  private dayOf(t: Date): number {
    return Math.floor((t.getTime() - this.epochMs!) / this.dayMs);
  }

  addWorkingDays(from: Date, days: number): Counted<Date> {
    if (this.epochMs === undefined) return { value: new Date(from.getTime() + days * this.dayMs), provisional: false };
    return { value: new Date(this.epochMs + (this.dayOf(from) + days + 1) * this.dayMs), provisional: false };
  }

  workingDaysBetween(from: Date, to: Date): Counted<number> {
    if (this.epochMs === undefined) return { value: Math.max(0, Math.floor((to.getTime() - from.getTime()) / this.dayMs)), provisional: false };
    return { value: Math.max(0, this.dayOf(to) - 1 - this.dayOf(from)), provisional: false };
  }
}

export function snapshotOf(years: CalendarYear[], fromYear: number): CalendarSnapshot {
  const kept = years.filter((y) => y.year >= fromYear).sort((a, b) => a.year - b.year);
  const days = kept.flatMap((y) => y.days).sort((a, b) => a.date.localeCompare(b.date));
  return {
    years: kept.map((y) => y.year),
    holidays: days.filter((d) => d.kind === 'holiday').map((d) => d.date),
    workdays: days.filter((d) => d.kind === 'workday').map((d) => d.date),
  };
}

export function calendarFromSnapshot(s: CalendarSnapshot): DayCounter {
  if (s.compressedDayMs) return new CompressedCalendar(s.compressedDayMs, s.compressedEpochMs);
  const years = new Map<number, CalendarYear>(s.years.map((y) => [y, { year: y, days: [] }]));
  const put = (date: string, kind: DayKind) => years.get(Number(date.slice(0, 4)))?.days.push({ date, kind, name: '' });
  for (const d of s.holidays) put(d, 'holiday');
  for (const d of s.workdays) put(d, 'workday');
  return new WorkingCalendar([...years.values()]);
}
