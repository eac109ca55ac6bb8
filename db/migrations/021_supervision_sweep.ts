/**
 * 电子监察 as an observer of the case clock (the supervision sweep, activities/supervision-sweep.ts).
 *
 * A case started since this release publishes its clock on its row (the warning instant, the
 * promised and statutory deadlines, whether the clock runs) and no longer keeps its own case-level
 * timers; one sweep records every case whose level lags the time, in a few statements per instant
 * however many cases share it. `next_supervision_at` is the next instant at which such a case's
 * level must change (null when none: another supervisor, a stopped clock, nothing left to pass),
 * kept by PostgreSQL itself from the row, so no writer can forget it; the sweep reads its index.
 *
 * Notices the sweep raises are kept in `notifications` before they are sent (`sent_at` null
 * until the notifier has taken them), so a crash between the record and the send loses none.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table cases
      add column supervised_by text check (supervised_by in ('sweep')),
      add column warning_at timestamptz,
      add column clock_running boolean not null default false,
      add column statutory_overdue boolean not null default false,
      add column supervision_seq integer not null default 0;
    alter table cases add column next_supervision_at timestamptz generated always as (
      case when supervised_by = 'sweep' and clock_running then least(
        case when supervision_state = 'normal' then warning_at end,
        case when supervision_state <> 'overdue' then promised_deadline end,
        case when not statutory_overdue then statutory_deadline end)
      end) stored;
    create index cases_next_supervision on cases (next_supervision_at) where next_supervision_at is not null;
    -- The sweep's corrections: cases at a level worse than normal whose deadline may have moved away.
    create index cases_supervised_raised on cases (case_no) where supervised_by = 'sweep' and clock_running and (supervision_state <> 'normal' or statutory_overdue);
    alter table supervision_events add column if not exists recorded_at timestamptz not null default clock_timestamp();
    alter table notifications add column sent_at timestamptz, add column failure text;
    update notifications set sent_at = created_at;
    create index notifications_unsent on notifications (created_at) where sent_at is null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index if exists notifications_unsent;
    alter table notifications drop column if exists sent_at, drop column if exists failure;
    alter table supervision_events drop column if exists recorded_at;
    drop index if exists cases_supervised_raised;
    drop index if exists cases_next_supervision;
    alter table cases drop column if exists next_supervision_at, drop column if exists supervision_seq, drop column if exists statutory_overdue,
      drop column if exists clock_running, drop column if exists warning_at, drop column if exists supervised_by;
  `);
}
