/**
 * Performance indicators (效能指标) computed from the read model with SQL, for any period and
 * grouped by department, item, step or handler. Each formula is written once here and listed in
 * the README. Periods are half-open: [from, to).
 */
import type { Db } from '../db';

export type CaseGrouping = 'department' | 'item';
export type TaskGrouping = 'step' | 'handler';

export interface Period {
  from: Date;
  to: Date;
}

const caseKey: Record<CaseGrouping, string> = { department: 'department_code', item: 'item_code' };

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
export async function caseIndicators(db: Db, by: CaseGrouping, p: Period) {
  const key = caseKey[by];
  const sql = `
    with filed as (
      select ${key} as k, count(*) as received,
             count(*) filter (where decided_at is null and supervision_state = 'overdue') as open_overdue,
             count(*) filter (where warned_at is not null) as warned
        from cases c where filed_at >= :from and filed_at < :to group by 1),
    accepted as (
      select ${key} as k, count(*) as accepted from cases where accepted_at >= :from and accepted_at < :to group by 1),
    decided as (
      select ${key} as k, count(*) as completed,
             count(*) filter (where promised_deadline is null or decided_at <= promised_deadline) as on_time,
             count(*) filter (where promised_deadline is not null and decided_at > promised_deadline) as late,
             count(*) filter (where case_type = 'instant') as instant,
             count(*) filter (where decision = 'refused') as refused,
             sum(used_days) filter (where statutory_limit_days > 0) as used,
             sum(statutory_limit_days) filter (where statutory_limit_days > 0) as statutory
        from cases where decided_at >= :from and decided_at < :to group by 1),
    rated as (
      select ${by === 'department' ? 'department_code' : 'item_code'} as k, count(*) as ratings, count(*) filter (where level >= 4) as satisfied
        from evaluations where at >= :from and at < :to group by 1)
    select k, coalesce(f.received, 0) as received, coalesce(a.accepted, 0) as accepted, coalesce(d.completed, 0) as completed,
           coalesce(d.on_time, 0) as on_time, coalesce(d.late, 0) + coalesce(f.open_overdue, 0) as overdue, coalesce(f.warned, 0) as warned,
           coalesce(d.instant, 0) as instant, coalesce(d.refused, 0) as refused, coalesce(d.used, 0) as used, coalesce(d.statutory, 0) as statutory,
           coalesce(r.ratings, 0) as ratings, coalesce(r.satisfied, 0) as satisfied
      from filed f full join accepted a using (k) full join decided d using (k) full join rated r using (k)
     order by k`;
  const { rows } = await db.raw<{ rows: Record<string, string | number | null>[] }>(sql, { from: p.from, to: p.to });
  const n = (v: unknown) => Number(v ?? 0);
  const rate = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10000) / 10000 : null);
  return rows.map((r) => ({
    [by]: r.k,
    received: n(r.received),
    accepted: n(r.accepted),
    completed: n(r.completed),
    onTimeRate: rate(n(r.on_time), n(r.completed)),
    overdue: n(r.overdue),
    warningRate: rate(n(r.warned), n(r.received)),
    instantRate: rate(n(r.instant), n(r.completed)),
    speedUpRate: n(r.statutory) > 0 ? Math.round((1 - n(r.used) / n(r.statutory)) * 10000) / 10000 : null,
    satisfactionRate: rate(n(r.satisfied), n(r.ratings)),
    refusalRate: rate(n(r.refused), n(r.completed)),
  }));
}

/**
 * Step and handler indicators from human tasks closed in the period: done, on time (closed by
 * the due date), overdue, and the average hours a task stayed open.
 */
export async function taskIndicators(db: Db, by: TaskGrouping, p: Period) {
  const key = by === 'step' ? `t.department_code || '/' || t.step_id` : 't.assignee';
  const { rows } = await db.raw<{ rows: Record<string, string | number | null>[] }>(`
    select ${key} as k, count(*) as done,
           count(*) filter (where t.due_at is null or t.closed_at <= t.due_at) as on_time,
           count(*) filter (where t.due_at is not null and t.closed_at > t.due_at) as overdue,
           avg(extract(epoch from (t.closed_at - t.created_at)) / 3600.0) as hours
      from tasks t
     where t.status = 'done' and t.closed_at >= :from and t.closed_at < :to and t.kind in ('review', 'precheck', 'lead-decision')
     group by 1 order by 1`, { from: p.from, to: p.to });
  return rows.map((r) => ({
    [by]: r.k,
    done: Number(r.done),
    onTimeRate: Number(r.done) > 0 ? Math.round((Number(r.on_time) / Number(r.done)) * 10000) / 10000 : null,
    overdue: Number(r.overdue),
    averageHours: r.hours === null ? null : Math.round(Number(r.hours) * 100) / 100,
  }));
}
