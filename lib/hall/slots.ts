/**
 * Appointment slots (预约时段) of a hall's window group, pure: half-hours inside the working-day
 * opening hours an entry's `windows[].hours` states (e.g. "工作日 9:00-12:00，13:30-17:00；周六
 * 9:00-12:00"), on the working days of the official calendar only: never on a holiday, and on a
 * make-up workday (调休上班) like any weekday. Saturday hours some windows keep are for walk-in
 * visitors and are not offered for appointments.
 */
import { chinaDayOf, dayToIso, isoToDay, startOfChinaDay, type WorkingCalendar } from '../calendar/working-days';

export const slotMinutes = 30;
const MINUTE_MS = 60_000;

/** Opening period of a day, in minutes after midnight China time. */
export interface OpeningRange {
  from: number;
  to: number;
}

/**
 * The working-day ranges of an hours text: the part that starts with 工作日 (or 周一至周五);
 * a text without such a part has none. Times are H:MM, joined by - – — ~ or 至.
 */
export function workdayHours(text: string): OpeningRange[] {
  const parts = text.split(/[；;\n]/).map((p) => p.trim());
  const part = parts.find((p) => /^(工作日|周一至周五|星期一至星期五)/.test(p));
  if (!part) return [];
  const ranges: OpeningRange[] = [];
  for (const m of part.matchAll(/(\d{1,2})[:：](\d{2})\s*[-–—~至]\s*(\d{1,2})[:：](\d{2})/g)) {
    const from = Number(m[1]) * 60 + Number(m[2]);
    const to = Number(m[3]) * 60 + Number(m[4]);
    if (from < to && to <= 24 * 60) ranges.push({ from, to });
  }
  return ranges.sort((a, b) => a.from - b.from);
}

/** The starts of the half-hour slots of a China day (YYYY-MM-DD): none unless it is a working day. */
export function slotsOn(date: string, ranges: OpeningRange[], calendar: WorkingCalendar): Date[] {
  const day = isoToDay(date);
  if (!calendar.isWorkingDay(day)) return [];
  const midnight = startOfChinaDay(day).getTime();
  const out: Date[] = [];
  for (const r of ranges) {
    for (let t = r.from; t + slotMinutes <= r.to; t += slotMinutes) out.push(new Date(midnight + t * MINUTE_MS));
  }
  return out;
}

/** Whether an instant starts one of the slots of its China day. */
export function isSlotStart(instant: Date, ranges: OpeningRange[], calendar: WorkingCalendar): boolean {
  return slotsOn(chinaDateOf(instant), ranges, calendar).some((s) => s.getTime() === instant.getTime());
}

/** The China date (YYYY-MM-DD) of an instant. */
export function chinaDateOf(instant: Date): string {
  return dayToIso(chinaDayOf(instant));
}

/** The end of the slot that starts at `start`. */
export function slotEnd(start: Date): Date {
  return new Date(start.getTime() + slotMinutes * MINUTE_MS);
}

/**
 * Whether an appointment's priority holds now: from half an hour before its slot (an applicant
 * who comes a little early) to the end of the slot. Outside it the ticket queues like any other.
 */
export function inPriorityWindow(slotStart: Date, now: Date): boolean {
  return now.getTime() >= slotStart.getTime() - slotMinutes * MINUTE_MS && now.getTime() < slotEnd(slotStart).getTime();
}
