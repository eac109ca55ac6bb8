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
  const raised: Raised[] = [];
  const wanted = levelAt(now, k.warningAt, k.promisedDeadline);
  if (worse(wanted, k.level)) {
    const warnFirst = k.level === 'normal' && k.warningAt !== null && (wanted === 'warning' || Date.parse(k.warningAt) < Date.parse(k.promisedDeadline!));
    if (warnFirst) raised.push({ level: 'warning', cause: 'promised-limit-near', deadline: k.promisedDeadline, at: Date.parse(k.warningAt!), previous: k.level });
    if (wanted === 'overdue') raised.push({ level: 'overdue', cause: 'promised-limit-passed', deadline: k.promisedDeadline, at: Date.parse(k.promisedDeadline!), previous: warnFirst ? 'warning' : k.level });
  } else if (worse(k.level, wanted)) {
    raised.push({ level: 'cleared', cause: 'deadline-moved', deadline: k.promisedDeadline, at: now, previous: k.level });
  }
  const statutory = k.statutoryDeadline !== null && now >= Date.parse(k.statutoryDeadline);
  if (statutory && !k.statutoryOverdue) raised.push({ level: 'overdue', cause: 'statutory-limit-passed', deadline: k.statutoryDeadline, at: Date.parse(k.statutoryDeadline!) });
  if (!statutory && k.statutoryOverdue) raised.push({ level: 'cleared', cause: 'statutory-deadline-moved', deadline: k.statutoryDeadline, at: now });
  raised.sort((a, b) => a.at - b.at);
  return { level: wanted, statutoryOverdue: statutory, raised };
}
