/**
 * Daily and monthly roll-ups of the case indicators, so a year's indicators read twelve rows per
 * department (or item), and a few days more at most, instead of scanning the cases:
 * - `case_rollup_facts` (a view) says, for each case, on which China day it was filed, accepted,
 *   decided and rated, and what it adds to the counters there: the indicator formulas, once;
 * - `case_rollup_state` keeps the facts each case last added, so a change to a case takes its
 *   old contribution out and puts the new one in (activities/rollups.ts, in the projection's
 *   transaction);
 * - `case_rollups` holds the sums per grouping (department or item), span (a China day, or the
 *   calendar month it belongs to), first day of the span, and key;
 * - `task_rollups` the same for the human tasks done, per step or handler: a task is counted once,
 *   when it is closed, and never changes after.
 * Existing cases are rolled up here. Also indexes for the supervisors' and handlers' case lists,
 * so each is a short ordered index scan at a million cases (bench/queries.ts).
 */
import type { Knex } from 'knex';

/** Counters of `case_rollups`, each summed over the cases of a day and key. */
const counters = ['received', 'accepted', 'completed', 'on_time', 'late', 'instant', 'refused', 'used_days', 'statutory_days', 'open_overdue', 'warned', 'ratings', 'satisfied'];

export async function up(knex: Knex): Promise<void> {
  // China has one offset all year (no daylight saving since 1991): a fixed +8 hours needs no time-zone data.
  await knex.raw(`create function china_day(at timestamptz) returns date language sql immutable parallel safe
    as $$ select ((at at time zone 'UTC') + interval '8 hours')::date $$`);
  await knex.raw(`create view case_rollup_facts as
    select c.case_no, c.department_code, c.item_code,
           china_day(c.filed_at) as filed_day,
           china_day(c.accepted_at) as accepted_day,
           china_day(c.decided_at) as decided_day,
           (c.decided_at is not null and (c.promised_deadline is null or c.decided_at <= c.promised_deadline)) as on_time,
           (c.decided_at is not null and c.promised_deadline is not null and c.decided_at > c.promised_deadline) as late,
           (c.decided_at is not null and c.case_type = 'instant') as instant,
           (c.decided_at is not null and coalesce(c.decision = 'refused', false)) as refused,
           case when c.decided_at is not null and c.statutory_limit_days > 0 then coalesce(c.used_days, 0) else 0 end as used_days,
           case when c.decided_at is not null and c.statutory_limit_days > 0 then c.statutory_limit_days else 0 end as statutory_days,
           (c.decided_at is null and c.supervision_state = 'overdue') as open_overdue,
           (c.warned_at is not null) as warned,
           china_day(e.at) as rated_day, e.department_code as rated_department, e.item_code as rated_item,
           coalesce(e.level >= 4, false) as satisfied
      from cases c left join evaluations e on e.case_no = c.case_no`);
  await knex.raw(`create table case_rollup_state as select * from case_rollup_facts with no data`);
  await knex.raw(`alter table case_rollup_state add primary key (case_no)`);
  await knex.schema.createTable('case_rollups', (t) => {
    t.string('grouping', 16).notNullable();
    t.string('span', 8).notNullable();
    /** First day of the span. */
    t.date('day').notNullable();
    t.string('key', 64).notNullable();
    for (const c of counters) t.integer(c).notNullable().defaultTo(0);
    t.primary(['grouping', 'span', 'day', 'key']);
  });
  await knex.raw(`alter table case_rollups add constraint case_rollups_grouping_check check (grouping in ('department', 'item'))`);
  await knex.raw(`alter table case_rollups add constraint case_rollups_span_check check (span = 'day' or (span = 'month' and extract(day from day) = 1))`);
  await knex.schema.createTable('task_rollups', (t) => {
    t.string('grouping', 16).notNullable();
    t.string('span', 8).notNullable();
    t.date('day').notNullable();
    /** `department/step` or the handler's id. */
    t.text('key').notNullable();
    t.integer('done').notNullable().defaultTo(0);
    t.integer('on_time').notNullable().defaultTo(0);
    t.integer('overdue').notNullable().defaultTo(0);
    /** Sum of the hours each task stayed open. */
    t.decimal('hours', null).notNullable().defaultTo(0);
    t.primary(['grouping', 'span', 'day', 'key']);
  });
  await knex.raw(`alter table task_rollups add constraint task_rollups_grouping_check check (grouping in ('step', 'handler'))`);
  await knex.raw(`alter table task_rollups add constraint task_rollups_span_check check (span = 'day' or (span = 'month' and extract(day from day) = 1))`);
  await backfillCaseRollups(knex);
  await backfillTaskRollups(knex);
  // Newest first within a department (or item) and status: GET /api/cases with keyset pagination.
  await knex.raw('create index cases_department_status_filed on cases (department_code, status, filed_at, case_no)');
  await knex.raw('create index cases_item_status_filed on cases (item_code, status, filed_at, case_no)');
  // Open cases by supervision level, soonest deadline first: GET /api/supervision/cases.
  await knex.raw('create index cases_open_supervision on cases (supervision_state, department_code, promised_deadline) where decided_at is null');
}

/**
 * Rolls up every case from scratch (used here and by the query benchmark after its bulk seeding,
 * which bypasses the projection). Written out on its own rather than through
 * activities/rollups.ts, so this migration stays as it shipped; a test checks both agree.
 */
export async function backfillCaseRollups(knex: Knex): Promise<void> {
  await knex.raw('truncate case_rollup_state, case_rollups');
  await knex.raw('insert into case_rollup_state select * from case_rollup_facts');
  const zero = (except: Record<string, string>) => counters.map((c) => except[c] ?? '0').join(', ');
  const facets = [
    ['filed_day', 'department_code', 'item_code', zero({ received: '1', open_overdue: 'open_overdue::int', warned: 'warned::int' })],
    ['accepted_day', 'department_code', 'item_code', zero({ accepted: '1' })],
    ['decided_day', 'department_code', 'item_code', zero({ completed: '1', on_time: 'on_time::int', late: 'late::int', instant: 'instant::int', refused: 'refused::int', used_days: 'used_days', statutory_days: 'statutory_days' })],
    ['rated_day', 'rated_department', 'rated_item', zero({ ratings: '1', satisfied: 'satisfied::int' })],
  ];
  for (const grouping of ['department', 'item'] as const) {
    const rows = facets.map(([day, dept, item, values]) =>
      `select ${grouping === 'department' ? dept : item}, ${day}, ${values} from case_rollup_state where ${day} is not null`);
    await knex.raw(`insert into case_rollups (grouping, span, day, key, ${counters.join(', ')})
      select '${grouping}', 'day', day, key, ${counters.map((c) => `sum(${c})`).join(', ')}
        from (${rows.join(' union all ')}) f (key, day, ${counters.join(', ')})
       group by key, day`);
  }
  await knex.raw(`insert into case_rollups (grouping, span, day, key, ${counters.join(', ')})
    select grouping, 'month', date_trunc('month', day::timestamp)::date, key, ${counters.map((c) => `sum(${c})`).join(', ')}
      from case_rollups where span = 'day' group by grouping, date_trunc('month', day::timestamp), key`);
}

/** Rolls up every task done from scratch, as backfillCaseRollups does the cases. */
export async function backfillTaskRollups(knex: Knex): Promise<void> {
  await knex.raw('truncate task_rollups');
  await knex.raw(`insert into task_rollups (grouping, span, day, key, done, on_time, overdue, hours)
    select g.grouping, p.span, p.day, g.key, count(*),
           count(*) filter (where t.due_at is null or t.closed_at <= t.due_at),
           count(*) filter (where t.due_at is not null and t.closed_at > t.due_at),
           sum(extract(epoch from (t.closed_at - t.created_at)) / 3600.0)
      from tasks t
      cross join lateral (values ('step', t.department_code || '/' || t.step_id), ('handler', t.assignee)) g (grouping, key)
      cross join lateral (values ('day', china_day(t.closed_at)), ('month', date_trunc('month', china_day(t.closed_at)::timestamp)::date)) p (span, day)
     where t.status = 'done' and t.kind in ('review', 'precheck', 'lead-decision') and g.key is not null
     group by 1, 2, 3, 4`);
}

export async function down(knex: Knex): Promise<void> {
  for (const i of ['cases_department_status_filed', 'cases_item_status_filed', 'cases_open_supervision']) await knex.raw(`drop index if exists ${i}`);
  await knex.schema.dropTableIfExists('task_rollups');
  await knex.schema.dropTableIfExists('case_rollups');
  await knex.schema.dropTableIfExists('case_rollup_state');
  await knex.raw('drop view if exists case_rollup_facts');
  await knex.raw('drop function if exists china_day(timestamptz)');
}
