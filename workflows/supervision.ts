/**
 * Supervision rules (监察规则): when a clock warns (预警, yellow) and when it is overdue (超时, red).
 * Pure functions, used by the case workflow and tested on their own.
 */

export interface SupervisionRule {
  /** Warn when this many working days or fewer are left. */
  warnDaysLeft?: number;
  /** Warn when this share of the limit is used. */
  warnShareUsed?: number;
}

export type SupervisionLevel = 'normal' | 'warning' | 'overdue';

/** The platform's default when an item sets no rule: warn with one working day left. */
export const DEFAULT_SUPERVISION: SupervisionRule = { warnDaysLeft: 1 };

/**
 * After how many working days of a `limit`-day clock the warning comes: the earliest that any
 * part of the rule asks for, and never before the clock starts.
 */
export function warnAfterDays(limit: number, rule: SupervisionRule | undefined): number {
  const r = rule && (rule.warnDaysLeft !== undefined || rule.warnShareUsed !== undefined) ? rule : DEFAULT_SUPERVISION;
  const candidates: number[] = [];
  if (r.warnDaysLeft !== undefined) candidates.push(limit - r.warnDaysLeft);
  if (r.warnShareUsed !== undefined) candidates.push(Math.ceil(limit * r.warnShareUsed));
  return Math.max(0, Math.min(...candidates));
}

const order: readonly SupervisionLevel[] = ['normal', 'warning', 'overdue'];

export function worse(a: SupervisionLevel, b: SupervisionLevel): boolean {
  return order.indexOf(a) > order.indexOf(b);
}

/** The level a clock is at, at instant `at`, given its warning and due instants. */
export function levelAt(at: number, warnAt: string | null, dueAt: string | null): SupervisionLevel {
  if (dueAt && at >= Date.parse(dueAt)) return 'overdue';
  if (warnAt && at >= Date.parse(warnAt)) return 'warning';
  return 'normal';
}

/** A case clock as its row publishes it, with the levels last recorded for it. */
export interface PublishedClock {
  level: SupervisionLevel;
  statutoryOverdue: boolean;
  warningAt: string | null;
  promisedDeadline: string | null;
  statutoryDeadline: string | null;
}

/** A change of level to record: at the instant it fell due (or, for a correction, when it was seen). */
export interface Raised {
  level: SupervisionLevel | 'cleared';
  cause: string;
  deadline: string | null;
  at: number;
  previous?: SupervisionLevel;
}

/**
 * The supervision sweep's judgement of a running case clock at `now`: every instant passed since
 * the levels were last recorded, each at its own instant and in time order (a clock found past
 * both its warning and its promised deadline records both), and a correction when a deadline has
 * moved away from a level already raised. The same causes as the workflow's own loop.
 */
export function judgeClock(k: PublishedClock, now: number): { level: SupervisionLevel; statutoryOverdue: boolean; raised: Raised[] } {
  const wanted = levelAt(now, k.warningAt, k.promisedDeadline);
  const raised = escalations(k.level, wanted, k.warningAt, k.promisedDeadline, { near: 'promised-limit-near', passed: 'promised-limit-passed' });
  if (!worse(wanted, k.level) && worse(k.level, wanted)) {
    raised.push({ level: 'cleared', cause: 'deadline-moved', deadline: k.promisedDeadline, at: now, previous: k.level });
  }
  const statutory = k.statutoryDeadline !== null && now >= Date.parse(k.statutoryDeadline);
  if (statutory && !k.statutoryOverdue) raised.push({ level: 'overdue', cause: 'statutory-limit-passed', deadline: k.statutoryDeadline, at: Date.parse(k.statutoryDeadline!) });
  if (!statutory && k.statutoryOverdue) raised.push({ level: 'cleared', cause: 'statutory-deadline-moved', deadline: k.statutoryDeadline, at: now });
  raised.sort((a, b) => a.at - b.at);
  return { level: wanted, statutoryOverdue: statutory, raised };
}

/**
 * The levels a clock passed going from `level` to the worse `wanted`, each at its own instant: a
 * clock found past both its warning and its deadline records both (nothing when `wanted` is not
 * worse).
 */
function escalations(level: SupervisionLevel, wanted: SupervisionLevel, warningAt: string | null, deadline: string | null, causes: { near: string; passed: string }): Raised[] {
  if (!worse(wanted, level)) return [];
  const raised: Raised[] = [];
  const warnFirst = level === 'normal' && warningAt !== null && (wanted === 'warning' || Date.parse(warningAt) < Date.parse(deadline!));
  if (warnFirst) raised.push({ level: 'warning', cause: causes.near, deadline, at: Date.parse(warningAt), previous: level });
  if (wanted === 'overdue') raised.push({ level: 'overdue', cause: causes.passed, deadline, at: Date.parse(deadline!), previous: warnFirst ? 'warning' : level });
  return raised;
}

/** A step's clock as its row publishes it (from the step's opening; it never pauses), with its level. */
export interface PublishedStepClock {
  level: SupervisionLevel;
  warningAt: string | null;
  dueAt: string;
}

/**
 * The supervision sweep's judgement of an open step clock at `now`: every instant passed since its
 * level was last recorded, each at its own instant. A step's instants never move, so an open
 * step's level only rises; it is lowered only when the step closes (closeStepClock).
 */
export function judgeStepClock(k: PublishedStepClock, now: number): { level: SupervisionLevel; raised: Raised[] } {
  const wanted = levelAt(now, k.warningAt, k.dueAt);
  const raised = escalations(k.level, wanted, k.warningAt, k.dueAt, { near: 'step-limit-near', passed: 'step-limit-passed' });
  return { level: worse(wanted, k.level) ? wanted : k.level, raised };
}

/**
 * A step clock as it closes at `closedAt` (the step's task done, its department's result arrived):
 * the levels it passed before the close and no sweep recorded yet, each at its instant; then, when
 * the level recorded is worse than the level at the step's true end (`trueEnd`, a department's
 * milestone earlier than its arrival, else the close itself: a level a sweep raised for an instant
 * after the close, which was written late), a correction at the close.
 */
export function closeStepClock(k: PublishedStepClock, closedAt: number, trueEnd: string | null): { level: SupervisionLevel; raised: Raised[] } {
  const judged = judgeStepClock(k, closedAt);
  const end = trueEnd !== null && Date.parse(trueEnd) < closedAt ? Date.parse(trueEnd) : closedAt;
  const truly = levelAt(end, k.warningAt, k.dueAt);
  if (!worse(judged.level, truly)) return judged;
  const cause = trueEnd !== null && Date.parse(trueEnd) < closedAt ? `step-ended-at-${trueEnd}` : 'step-closed-before';
  return { level: truly, raised: [...judged.raised, { level: 'cleared', cause, deadline: k.dueAt, at: closedAt, previous: judged.level }] };
}
