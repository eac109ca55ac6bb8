/**
 * Performance indicators (效能指标) for any period, grouped by department, item, step or
 * handler. Each formula is written once here and listed in the README. Periods are half-open:
 * [from, to). The whole China days of a period are read from the roll-ups the projection keeps
 * (activities/rollups.ts: a row per day and per month), the parts of a day at either end from
 * the read model itself, in one statement, so any period is answered exactly and a year costs
 * about twelve rows per key.
 */
import type { Db } from '../db';

export type CaseGrouping = 'department' | 'item';
export type TaskGrouping = 'step' | 'handler';

export interface Period {
  from: Date;
  to: Date;
}

/** A piece of SQL giving counts per key `k`, with its positional bindings. */
interface Part {
  sql: string;
  bindings: (string | Date)[];
  /** Reads the cases or tasks themselves (a part of a day), not the roll-ups. */
  scan?: true;
}

const DAY = 86_400_000;
const CHINA = 8 * 3_600_000; // UTC+8 all year, as china_day() in migration 012
const dayStart = (t: number) => Math.floor((t + CHINA) / DAY) * DAY - CHINA;
const dayName = (t: number) => new Date(t + CHINA).toISOString().slice(0, 10);

/** The whole China days inside a period (YYYY-MM-DD, half-open) and the parts of a day left at its ends. */
export function splitPeriod(p: Period): { days?: { from: string; to: string }; edges: Period[] } {
  const from = p.from.getTime();
  const to = p.to.getTime();
  const firstWhole = dayStart(from) === from ? from : dayStart(from) + DAY;
  const lastWhole = dayStart(to);
  if (firstWhole >= lastWhole) return { edges: [p] };
  const edges: Period[] = [];
  if (from < firstWhole) edges.push({ from: p.from, to: new Date(firstWhole) });
  if (lastWhole < to) edges.push({ from: new Date(lastWhole), to: p.to });
  return { days: { from: dayName(firstWhole), to: dayName(lastWhole) }, edges };
}

/**
 * Sums of the counters of a roll-up table over whole days: the whole calendar months inside from
 * the monthly rows, the days around them from the daily ones.
 */
function rollupPart(table: string, grouping: string, days: { from: string; to: string }, sums: string): Part {
  const nextMonth = (day: string) => new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)), 1)).toISOString().slice(0, 10);
  const firstMonth = days.from.endsWith('-01') ? days.from : nextMonth(days.from);
  const lastMonth = `${days.to.slice(0, 7)}-01` < firstMonth ? firstMonth : `${days.to.slice(0, 7)}-01`; // equal: days only
  return {
    sql: `select key as k, ${sums} from ${table}
           where grouping = ? and ((span = 'month' and day >= ? and day < ?)
              or (span = 'day' and day >= ? and day < least(?::date, ?::date))
              or (span = 'day' and day >= greatest(?::date, ?::date) and day < ?))
           group by key`,
    bindings: [grouping, firstMonth, lastMonth, days.from, firstMonth, days.to, lastMonth, days.from, days.to],
  };
}

/** Runs the parts as one statement and adds up their counts per key. */
async function sumParts(db: Db, parts: Part[], counters: string[], extra = ''): Promise<Record<string, string | number | null>[]> {
  const sql = `select k, ${counters.map((c) => `sum(${c}) as ${c}`).join(', ')}${extra}
                 from (${parts.map((p) => `(${p.sql})`).join(' union all ')}) parts
                group by k order by k`;
  const bindings = parts.flatMap((p) => p.bindings);
  type Rows = { rows: Record<string, string | number | null>[] };
  // The roll-ups alone are one small index scan; with the read model's day ends beside them, the
  // planner starts parallel workers, which on a busy 2-core server cost more than they save
  // (measured 2–3 times slower at a million cases), so those statements run without.
  const { rows } = !parts.some((p) => p.scan)
    ? await db.raw<Rows>(sql, bindings)
    : await db.transaction(async (trx) => {
      await trx.raw('set local max_parallel_workers_per_gather = 0');
      return trx.raw<Rows>(sql, bindings);
    });
  // A key whose counts are all zero had cases that moved out of the period: the read model shows no such key.
  return rows.filter((r) => counters.some((c) => Number(r[c] ?? 0) !== 0));
}

const caseKey: Record<CaseGrouping, string> = { department: 'department_code', item: 'item_code' };
const caseCounters = ['received', 'accepted', 'completed', 'on_time', 'late', 'open_overdue', 'warned', 'instant', 'refused', 'used', 'statutory', 'ratings', 'satisfied'];

/** The case counts of [from, to) worked out from the cases and ratings themselves. */
function caseScan(by: CaseGrouping, p: Period): Part {
  const key = caseKey[by];
  const range = [p.from, p.to];
  return {
    sql: `
    with filed as (
      select ${key} as k, count(*) as received,
             count(*) filter (where decided_at is null and supervision_state = 'overdue') as open_overdue,
             count(*) filter (where warned_at is not null) as warned
        from cases c where filed_at >= ? and filed_at < ? group by 1),
    accepted as (
      select ${key} as k, count(*) as accepted from cases where accepted_at >= ? and accepted_at < ? group by 1),
    decided as (
      select ${key} as k, count(*) as completed,
             count(*) filter (where promised_deadline is null or decided_at <= promised_deadline) as on_time,
             count(*) filter (where promised_deadline is not null and decided_at > promised_deadline) as late,
             count(*) filter (where case_type = 'instant') as instant,
             count(*) filter (where decision = 'refused') as refused,
             sum(used_days) filter (where statutory_limit_days > 0) as used,
             sum(statutory_limit_days) filter (where statutory_limit_days > 0) as statutory
        from cases where decided_at >= ? and decided_at < ? group by 1),
    rated as (
      select ${key} as k, count(*) as ratings, count(*) filter (where level >= 4) as satisfied
        from evaluations where at >= ? and at < ? group by 1)
    select k, ${caseCounters.join(', ')}
      from filed f full join accepted a using (k) full join decided d using (k) full join rated r using (k)`,
    bindings: [...range, ...range, ...range, ...range],
    scan: true,
  };
}

const caseRollupSums = `sum(received) as received, sum(accepted) as accepted, sum(completed) as completed, sum(on_time) as on_time, sum(late) as late,
  sum(open_overdue) as open_overdue, sum(warned) as warned, sum(instant) as instant, sum(refused) as refused,
  sum(used_days) as used, sum(statutory_days) as statutory, sum(ratings) as ratings, sum(satisfied) as satisfied`;

async function caseFigures(db: Db, by: CaseGrouping, parts: Part[]) {
  const rows = await sumParts(db, parts, caseCounters);
  const n = (v: unknown) => Number(v ?? 0);
  const rate = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10000) / 10000 : null);
  return rows.map((r) => ({
    [by]: r.k,
    received: n(r.received),
    accepted: n(r.accepted),
    completed: n(r.completed),
    onTimeRate: rate(n(r.on_time), n(r.completed)),
    overdue: n(r.late) + n(r.open_overdue),
    warningRate: rate(n(r.warned), n(r.received)),
    instantRate: rate(n(r.instant), n(r.completed)),
    speedUpRate: n(r.statutory) > 0 ? Math.round((1 - n(r.used) / n(r.statutory)) * 10000) / 10000 : null,
    satisfactionRate: rate(n(r.satisfied), n(r.ratings)),
    refusalRate: rate(n(r.refused), n(r.completed)),
  }));
}

/**
 * Case indicators per department or item:
 * - received (受理数 basis): cases filed in the period;
 * - accepted: cases accepted in the period;
 * - completed (办结数): cases decided in the period;
 * - onTimeRate (按时办结率): decided by the promised deadline ÷ completed;
 * - overdue (超时数): decided after the promised deadline, plus undecided cases now overdue, filed in the period;
 * - warningRate (预警率): cases filed in the period that had a case warning ÷ received;
 * - instantRate (即办率): completed instant items ÷ completed;
 * - speedUpRate (提速率): 1 − working days used ÷ statutory working days, over completed cases with a limit;
 * - satisfactionRate (满意率): ratings 4–5 ÷ ratings given in the period;
 * - refusalRate (结果否定率): refused ÷ completed.
 */
export function caseIndicators(db: Db, by: CaseGrouping, p: Period) {
  const { days, edges } = splitPeriod(p);
  return caseFigures(db, by, [...(days ? [rollupPart('case_rollups', by, days, caseRollupSums)] : []), ...edges.map((e) => caseScan(by, e))]);
}

/** The same indicators worked out from the cases alone: the reference the roll-ups are checked against. */
export function caseIndicatorsFromCases(db: Db, by: CaseGrouping, p: Period) {
  return caseFigures(db, by, [caseScan(by, p)]);
}

const taskCounters = ['done', 'on_time', 'overdue', 'hours'];

/** The task counts of [from, to) from the tasks themselves (the kinds a person handles). */
function taskScan(by: TaskGrouping, p: Period): Part {
  const key = by === 'step' ? `t.department_code || '/' || t.step_id` : 't.assignee';
  return {
    sql: `select ${key} as k, count(*) as done,
                 count(*) filter (where t.due_at is null or t.closed_at <= t.due_at) as on_time,
                 count(*) filter (where t.due_at is not null and t.closed_at > t.due_at) as overdue,
                 sum(extract(epoch from (t.closed_at - t.created_at)) / 3600.0) as hours
            from tasks t
           where t.status = 'done' and t.closed_at >= ? and t.closed_at < ? and t.kind in ('review', 'precheck', 'lead-decision')${by === 'handler' ? ' and t.assignee is not null' : ''}
           group by 1`,
    bindings: [p.from, p.to],
    scan: true,
  };
}

async function taskFigures(db: Db, by: TaskGrouping, parts: Part[]) {
  const rows = await sumParts(db, parts, taskCounters, ', sum(hours) / nullif(sum(done), 0) as average_hours');
  return rows.map((r) => ({
    [by]: r.k,
    done: Number(r.done),
    onTimeRate: Number(r.done) > 0 ? Math.round((Number(r.on_time) / Number(r.done)) * 10000) / 10000 : null,
    overdue: Number(r.overdue),
    averageHours: r.average_hours === null ? null : Math.round(Number(r.average_hours) * 100) / 100,
  }));
}

/**
 * Step and handler indicators from human tasks closed in the period: done, on time (closed by
 * the due date), overdue, and the average hours a task stayed open.
 */
export function taskIndicators(db: Db, by: TaskGrouping, p: Period) {
  const { days, edges } = splitPeriod(p);
  const sums = 'sum(done) as done, sum(on_time) as on_time, sum(overdue) as overdue, sum(hours) as hours';
  return taskFigures(db, by, [...(days ? [rollupPart('task_rollups', by, days, sums)] : []), ...edges.map((e) => taskScan(by, e))]);
}

/** The same indicators worked out from the tasks alone: the reference the roll-ups are checked against. */
export function taskIndicatorsFromTasks(db: Db, by: TaskGrouping, p: Period) {
  return taskFigures(db, by, [taskScan(by, p)]);
}
