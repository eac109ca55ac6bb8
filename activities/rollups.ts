/**
 * Keeps the daily and monthly roll-ups of the case indicators (`case_rollups`, migration 012) in step with
 * the read model, inside the transaction that changes a case: for each case it takes out what
 * the case last added to the counters (`case_rollup_state`) and adds what it adds now
 * (`case_rollup_facts`), so a case whose acceptance, decision or deadline moves to another day
 * moves its counts with it, and a repeated call changes nothing.
 */
import type { Statements } from '../lib/statements';
import type { CaseEventInput } from './projection';

/** Counters of a roll-up row; the indicators are ratios of their sums (lib/supervision/indicators.ts). */
export const rollupCounters = ['received', 'accepted', 'completed', 'on_time', 'late', 'instant', 'refused', 'used_days', 'statutory_days', 'open_overdue', 'warned', 'ratings', 'satisfied'] as const;
export type RollupCounter = (typeof rollupCounters)[number];

/** Columns of `case_rollup_facts` and `case_rollup_state`. */
const factColumns = ['case_no', 'department_code', 'item_code', 'filed_day', 'accepted_day', 'decided_day', 'on_time', 'late', 'instant', 'refused', 'used_days', 'statutory_days', 'open_overdue', 'warned', 'rated_day', 'rated_department', 'rated_item', 'satisfied'];

/** Where a case's facts count: the day, the department and item keys, and what it adds there (SQL over the facts `s`). */
const facets: { day: string; department: string; item: string; adds: Partial<Record<RollupCounter, string>> }[] = [
  { day: 'filed_day', department: 'department_code', item: 'item_code', adds: { received: '1', open_overdue: 's.open_overdue::int', warned: 's.warned::int' } },
  { day: 'accepted_day', department: 'department_code', item: 'item_code', adds: { accepted: '1' } },
  { day: 'decided_day', department: 'department_code', item: 'item_code', adds: { completed: '1', on_time: 's.on_time::int', late: 's.late::int', instant: 's.instant::int', refused: 's.refused::int', used_days: 's.used_days', statutory_days: 's.statutory_days' } },
  { day: 'rated_day', department: 'rated_department', item: 'rated_item', adds: { ratings: '1', satisfied: 's.satisfied::int' } },
];

const list = (f: (c: RollupCounter) => string) => rollupCounters.map(f).join(', ');
const facts = (f: (c: string) => string) => factColumns.slice(1).map(f).join(', ');

const rollUpSql = `
  with cur as (select * from case_rollup_facts where case_no = any(:caseNos)),
  prev as (select * from case_rollup_state where case_no = any(:caseNos)),
  saved as (
    insert into case_rollup_state select * from cur
    on conflict (case_no) do update set (${facts((c) => c)}) = (${facts((c) => `excluded.${c}`)})),
  signed as (select 1 as sign, * from cur union all select -1, * from prev),
  deltas as (
    select g.grouping, p.span, p.day, g.key, ${list((c) => `sum(s.sign * f.${c}) as ${c}`)}
      from signed s
      cross join lateral (values ${facets.map((x) => `(s.${x.day}, s.${x.department}, s.${x.item}, ${list((c) => x.adds[c] ?? '0')})`).join(', ')})
        as f (day, department_code, item_code, ${list((c) => c)})
      cross join lateral (values ('department', f.department_code), ('item', f.item_code)) as g (grouping, key)
      cross join lateral (values ('day', f.day), ('month', date_trunc('month', f.day::timestamp)::date)) as p (span, day)
     where f.day is not null
     group by 1, 2, 3, 4)
  insert into case_rollups (grouping, span, day, key, ${list((c) => c)})
  select grouping, span, day, key, ${list((c) => c)} from deltas where ${list((c) => `${c} <> 0`).replaceAll(', ', ' or ')}
  -- One order for every writer, so two cases sharing a day never wait on each other in a cycle.
   order by grouping, span, day, key
  on conflict (grouping, span, day, key) do update set ${list((c) => `${c} = case_rollups.${c} + excluded.${c}`)}`;

/**
 * Brings the roll-ups of these cases up to date with their rows in `cases` and `evaluations`.
 * Call it inside the transaction that changed them, after the change.
 */
export async function rollUpCases(s: Statements, caseNos: string[]): Promise<void> {
  if (caseNos.length === 0) return;
  const nos = [...new Set(caseNos)].sort();
  // Locked first, so a concurrent roll-up of the same case reads its row only after this one has
  // committed (READ COMMITTED takes a new snapshot per statement); always in the same order.
  await s.write(s.q.raw('select 1 from cases where case_no = any(?) order by case_no for update', [nos]));
  await s.write(s.q.raw(rollUpSql, { caseNos: nos }));
}

const taskRollUpSql = `
  insert into task_rollups (grouping, span, day, key, done, on_time, overdue, hours)
  select g.grouping, p.span, p.day, g.key, count(*),
         count(*) filter (where t.due_at is null or t.closed_at <= t.due_at),
         count(*) filter (where t.due_at is not null and t.closed_at > t.due_at),
         sum(extract(epoch from (t.closed_at - t.created_at)) / 3600.0)
    from tasks t
    cross join lateral (values ('step', t.department_code || '/' || t.step_id), ('handler', t.assignee)) as g (grouping, key)
    cross join lateral (values ('day', china_day(t.closed_at)), ('month', date_trunc('month', china_day(t.closed_at)::timestamp)::date)) as p (span, day)
   where t.id = any(?) and t.status = 'done' and t.kind in ('review', 'precheck', 'lead-decision') and g.key is not null
   group by 1, 2, 3, 4
   order by 1, 2, 3, 4
  on conflict (grouping, span, day, key) do update set done = task_rollups.done + excluded.done, on_time = task_rollups.on_time + excluded.on_time,
     overdue = task_rollups.overdue + excluded.overdue, hours = task_rollups.hours + excluded.hours`;

/**
 * Counts tasks just closed into the step and handler roll-ups. A task is closed once (a repeat
 * changes no row), so pass only the tasks this transaction closed; the kinds nobody handles by
 * hand are left out, as by the indicators.
 */
export async function rollUpClosedTasks(s: Statements, taskIds: string[]): Promise<void> {
  if (taskIds.length > 0) await s.write(s.q.raw(taskRollUpSql, [taskIds]));
}

/** Changes of a projected event that can move a counter: the rest leave the roll-ups alone. */
const countedPatch = ['acceptedAt', 'decidedAt', 'promisedDeadline', 'decision', 'usedDays', 'supervisionState'] as const;

/** The cases among these events' whose counts the events can change (the rest leave the roll-ups alone). */
export function countedCases(events: CaseEventInput[]): string[] {
  return events.filter((e) => e.create || e.supervision || countedPatch.some((k) => e.patch?.[k] !== undefined)).map((e) => e.caseNo);
}
