/**
 * 电子监察 as an observer of the case clock (the supervision sweep, activities/supervision-sweep.ts).
 *
 * A case filed since this release publishes its clock on its row (the warning instant, the
 * promised and statutory deadlines, whether the clock runs) and no longer keeps its own case-level
 * timers; one sweep records every case whose level lags the time, in a few statements per instant
 * however many cases share it. `next_supervision_at` is the next instant at which such a case's
 * level must change (null when none: another supervisor, a stopped clock, nothing left to pass),
 * kept by a trigger from the row, so no writer can forget it; the sweep reads its index. A
 * trigger, not a generated column: adding a stored generated column rewrites the whole table
 * under an exclusive lock, adding these columns does not.
 *
 * Notices the sweep raises go to an outbox (`notifications.outbox`, `sent_at` null until the
 * notifier has taken them), so a crash between the record and the send loses none; the notices
 * the workflows send themselves are stored once sent, as before. `supervision_events.recorded_at`
 * is when a row was written (unknown, null, for the rows written before this release).
 */
import type { Knex } from 'knex';

/** The next instant at which a swept case's level must change (null: none), from the row `new`; kept by the trigger (and by 023's). */
export const casesNextInstant = `case when new.supervised_by = 'sweep' and new.clock_running then least(
        case when new.supervision_state = 'normal' then new.warning_at end,
        case when new.supervision_state <> 'overdue' then new.promised_deadline end,
        case when not new.statutory_overdue then new.statutory_deadline end)
      end`;

/** The columns whose update makes the trigger compute that instant again. */
export const casesClockColumns = 'supervised_by, clock_running, supervision_state, warning_at, promised_deadline, statutory_deadline, statutory_overdue, next_supervision_at';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table cases
      add column supervised_by text check (supervised_by in ('sweep')),
      add column warning_at timestamptz,
      add column clock_running boolean not null default false,
      add column statutory_overdue boolean not null default false,
      add column supervision_seq integer not null default 0,
      add column next_supervision_at timestamptz;
    create function cases_next_supervision() returns trigger language plpgsql as $$
    begin
      new.next_supervision_at := ${casesNextInstant};
      return new;
    end $$;
    create trigger cases_next_supervision_insert before insert on cases for each row execute function cases_next_supervision();
    create trigger cases_next_supervision_update
      before update of ${casesClockColumns}
      on cases for each row execute function cases_next_supervision();
    create index cases_next_supervision on cases (next_supervision_at) where next_supervision_at is not null;
    -- The sweep's corrections: cases at a level worse than normal whose deadline may have moved away.
    create index cases_supervised_raised on cases (case_no) where supervised_by = 'sweep' and clock_running and (supervision_state <> 'normal' or statutory_overdue);
    alter table supervision_events add column recorded_at timestamptz;
    alter table supervision_events alter column recorded_at set default clock_timestamp();
    alter table notifications add column outbox boolean not null default false, add column sent_at timestamptz, add column failure text;
    create index notifications_outbox on notifications (created_at) where outbox and sent_at is null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index if exists notifications_outbox;
    alter table notifications drop column if exists outbox, drop column if exists sent_at, drop column if exists failure;
    alter table supervision_events drop column if exists recorded_at;
    drop index if exists cases_supervised_raised;
    drop index if exists cases_next_supervision;
    drop trigger if exists cases_next_supervision_update on cases;
    drop trigger if exists cases_next_supervision_insert on cases;
    drop function if exists cases_next_supervision();
    alter table cases drop column if exists next_supervision_at, drop column if exists supervision_seq, drop column if exists statutory_overdue,
      drop column if exists clock_running, drop column if exists warning_at, drop column if exists supervised_by;
  `);
}
