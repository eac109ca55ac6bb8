/**
 * The case clock (办理时限): when it runs (from acceptance, paused by corrections and special
 * procedures, stopped by the decision), the working days used, an approved extension, and the
 * deadlines it gives: statutory, promised, and the warning before the promised one.
 *
 * Working-day arithmetic runs here, in the workflow, on the calendar snapshot the case took at
 * its start and refreshes when the calendar changes: no activity per deadline.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { calendarFromSnapshot, type CalendarSnapshot, type DayCounter } from '../../lib/calendar/working-days';
import type { ClockView, PinnedImplementation } from '../definitions';
import { Deadline as DeadlineKey, SupervisionState as SupervisionKey } from '../search-attributes';
import { warnAfterDays } from '../supervision';

export interface Deadline {
  deadline: string;
  provisional: boolean;
}

export class CaseClock {
  /** Empty until the case has taken its snapshot, at its start. */
  private calendar: DayCounter = calendarFromSnapshot({ years: [], holidays: [], workdays: [] });
  private segmentStart: string | null = null;
  /** Bumped whenever the clock's instants change or it stops, so the supervision loop recomputes (and a swept case republishes it). */
  version = 0;
  /** Started (or started afresh) since the clock was last published: its levels begin again at normal. */
  private fresh = false;
  readonly extensionDays: number;

  constructor(private readonly c: ClockView, private readonly impl: PinnedImplementation) {
    this.extensionDays = impl.jointHandling ? 15 : 10;
  }

  /** The instant `days` working days after `from` end. */
  add(from: string, days: number): Deadline {
    const r = this.calendar.addWorkingDays(new Date(from), days);
    return { deadline: r.value.toISOString(), provisional: r.provisional };
  }

  get running(): boolean {
    return this.segmentStart !== null;
  }

  /**
   * Acceptance: the clock starts (at the moment the materials arrived, for an acceptance by law).
   * `supervisionLevel` goes to the search attribute; null for a swept case, whose level the sweep keeps.
   */
  start(at: string, supervisionLevel: string | null): void {
    this.c.acceptedAt = at;
    if (supervisionLevel !== null) upsertSearchAttributes([{ key: SupervisionKey, value: supervisionLevel }]);
    this.fresh = true;
    this.resume(at);
  }

  pause(at: string): void {
    if (!this.segmentStart) return;
    this.c.usedDays += this.calendar.workingDaysBetween(new Date(this.segmentStart), new Date(at)).value;
    this.segmentStart = null;
    this.c.running = false;
    this.version += 1;
  }

  resume(at: string): void {
    this.segmentStart = at;
    this.c.running = true;
    this.recompute();
  }

  /** Working days from `from` to `to` on the case's calendar. */
  workingDaysBetween(from: string, to: string): number {
    return this.calendar.workingDaysBetween(new Date(from), new Date(to)).value;
  }

  /** 模拟审批 conversion: the formal review's clock starts afresh (the simulated days are kept apart). */
  restart(at: string, supervisionLevel: string | null): void {
    this.c.usedDays = 0;
    this.c.extended = false;
    this.start(at, supervisionLevel);
  }

  extend(): void {
    this.c.extended = true;
    this.recompute();
  }

  /** The calendar to count with; a running clock recomputes. True when a deadline or its provisional flag changed. */
  useCalendar(snapshot: CalendarSnapshot): boolean {
    this.calendar = calendarFromSnapshot(snapshot);
    if (!this.segmentStart) return false;
    const before = JSON.stringify(this.deadlines());
    this.recompute();
    return JSON.stringify(this.deadlines()) !== before;
  }

  deadlines() {
    const c = this.c;
    return { statutory: c.statutoryDeadline, promised: c.promisedDeadline, provisional: Boolean(c.statutoryProvisional || c.promisedProvisional) };
  }

  private recompute(): void {
    if (!this.segmentStart) return;
    const c = this.c;
    const extra = c.extended ? this.extensionDays : 0;
    const left = (limit: number) => Math.max(0, limit + extra - c.usedDays);
    const warnIn = Math.max(0, warnAfterDays(c.promisedLimitDays + extra, this.impl.supervision) - c.usedDays);
    const s = this.add(this.segmentStart, left(c.statutoryLimitDays));
    const p = this.add(this.segmentStart, left(c.promisedLimitDays));
    const w = this.add(this.segmentStart, warnIn);
    c.statutoryDeadline = s.deadline;
    c.promisedDeadline = p.deadline;
    // A deadline that reaches into a year the calendar does not hold yet is provisional.
    c.statutoryProvisional = s.provisional;
    c.promisedProvisional = p.provisional || w.provisional;
    // A clock too short to warn before its deadline (an instant item's same-day promise) has no warning.
    c.warningAt = Date.parse(w.deadline) < Date.parse(p.deadline) ? w.deadline : null;
    upsertSearchAttributes([{ key: DeadlineKey, value: new Date(p.deadline) }]);
    this.version += 1;
  }

  /** The clock's columns of the case row (with the level, for a case that supervises itself). */
  patch(supervisionState: string | undefined) {
    const c = this.c;
    return {
      acceptedAt: c.acceptedAt, statutoryDeadline: c.statutoryDeadline, promisedDeadline: c.promisedDeadline,
      deadlineProvisional: Boolean(c.statutoryProvisional || c.promisedProvisional), ...(supervisionState === undefined ? {} : { supervisionState }),
    };
  }

  /**
   * The clock as a swept case publishes it for the supervision sweep: its instants and whether it
   * runs; a clock started afresh also sets its levels back to normal (not a correction: a new clock).
   */
  published(over: boolean) {
    const fresh = this.fresh;
    this.fresh = false;
    return {
      ...this.patch(undefined), warningAt: this.c.warningAt, clockRunning: this.running && !over,
      ...(fresh ? { supervisionState: 'normal', statutoryOverdue: false } : {}),
    };
  }
}
