/**
 * A clock the supervision sweep cannot record waits, instead of being tried at every round.
 *
 * When the database refuses one clock's record (a row it cannot store), the sweep records the
 * others one by one and leaves that one (activities/supervision-sweep.ts). Before this release it
 * stayed due, so every later round failed on it again (a round every 250 ms, an error line each),
 * and the sweep-behind gauge rose as though the sweep itself had stopped.
 *
 * Now the sweep counts the refusals on the clock's row (`sweep_failures`, the last one's message
 * in `sweep_error`) and sets when it may be tried again (`sweep_retry_at`, 2, 4, 8 … s, at most
 * 5 minutes). The triggers that keep `next_supervision_at` put the clock's next instant no earlier
 * than that, so the sweep's own index, its wake-up and the sweep-behind gauge all wait for it, and
 * the gauge `onewindow_supervision_clocks_unrecordable` counts such clocks instead. The triggers
 * also forget the refusals once the clock's level changes, its instants move or it stops
 * (someone recorded it, or what was refused is no longer due), so no writer has to remember to.
 */
import type { Knex } from 'knex';
import { casesClockColumns, casesNextInstant } from './021_supervision_sweep';
import { stepClocksNextInstant } from './022_step_clocks';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table cases add column sweep_failures integer not null default 0, add column sweep_retry_at timestamptz, add column sweep_error text;
    alter table step_clocks add column sweep_failures integer not null default 0, add column sweep_retry_at timestamptz, add column sweep_error text;
    create or replace function cases_next_supervision() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and (new.supervision_state is distinct from old.supervision_state or new.statutory_overdue is distinct from old.statutory_overdue
          or new.warning_at is distinct from old.warning_at or new.promised_deadline is distinct from old.promised_deadline
          or new.statutory_deadline is distinct from old.statutory_deadline or not new.clock_running or new.supervised_by is null) then
        new.sweep_failures := 0; new.sweep_retry_at := null; new.sweep_error := null;
      end if;
      new.next_supervision_at := ${casesNextInstant};
      if new.next_supervision_at is not null and new.sweep_retry_at > new.next_supervision_at then new.next_supervision_at := new.sweep_retry_at; end if;
      return new;
    end $$;
    drop trigger cases_next_supervision_update on cases;
    create trigger cases_next_supervision_update
      before update of ${casesClockColumns}, sweep_retry_at
      on cases for each row execute function cases_next_supervision();
    create or replace function step_clocks_next_supervision() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and (new.level is distinct from old.level or new.warning_at is distinct from old.warning_at
          or new.due_at is distinct from old.due_at or new.closed_at is not null) then
        new.sweep_failures := 0; new.sweep_retry_at := null; new.sweep_error := null;
      end if;
      new.next_supervision_at := ${stepClocksNextInstant};
      if new.next_supervision_at is not null and new.sweep_retry_at > new.next_supervision_at then new.next_supervision_at := new.sweep_retry_at; end if;
      return new;
    end $$;
    create index cases_sweep_refused on cases (case_no) where sweep_failures > 0;
    create index step_clocks_sweep_refused on step_clocks (case_no) where sweep_failures > 0;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index if exists step_clocks_sweep_refused;
    drop index if exists cases_sweep_refused;
    create or replace function step_clocks_next_supervision() returns trigger language plpgsql as $$
    begin
      new.next_supervision_at := ${stepClocksNextInstant};
      return new;
    end $$;
    drop trigger if exists cases_next_supervision_update on cases;
    create trigger cases_next_supervision_update
      before update of ${casesClockColumns}
      on cases for each row execute function cases_next_supervision();
    create or replace function cases_next_supervision() returns trigger language plpgsql as $$
    begin
      new.next_supervision_at := ${casesNextInstant};
      return new;
    end $$;
    alter table step_clocks drop column if exists sweep_failures, drop column if exists sweep_retry_at, drop column if exists sweep_error;
    alter table cases drop column if exists sweep_failures, drop column if exists sweep_retry_at, drop column if exists sweep_error;
  `);
}
