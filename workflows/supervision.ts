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
