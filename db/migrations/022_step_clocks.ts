/**
 * 电子监察 of each review step's own limit, as an observer (the supervision sweep), like the case
 * clock since 021: a swept case publishes each step clock it opens (the step, its department, its
 * warning and due instants) and its close, and keeps no step timers. Every step opened on the same
 * day with the same limit falls due at the same midnight, so a province's busy day would otherwise
 * wake every such case at one instant.
 *
 * `clock_key` names one run of a step in its case (a step run again after a return has a new
 * clock). `level` is the level recorded for it. `next_supervision_at` is the next instant at which
 * its level must change (null once closed or overdue), kept by a trigger so no writer can forget
 * it; the sweep reads its index. `true_end` is when a department's own system says the step truly
 * ended, when that is earlier than its close.
 *
 * No foreign key to `cases`: only the projection writes these rows, for a case whose row it
 * wrote first, and cases are never deleted; the key's check would take a KEY SHARE lock on the
 * case row (which every projection batch updates) for each step opened. (Its cost was within the
 * end-to-end benchmark's noise when measured in alternated runs.)
 */
import type { Knex } from 'knex';

/** The next instant at which an open step clock's level must change (null: none), from the row `new`; kept by the trigger (and by 023's). */
export const stepClocksNextInstant = `case when new.closed_at is null then
        case new.level when 'normal' then coalesce(new.warning_at, new.due_at) when 'warning' then new.due_at end
      end`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table step_clocks (
      case_no varchar(32) not null,
      clock_key text not null,
      step_id text not null,
      department_code text not null,
      opened_at timestamptz not null,
      warning_at timestamptz,
      due_at timestamptz not null,
      level text not null default 'normal' check (level in ('normal', 'warning', 'overdue')),
      simulated boolean not null default false,
      closed_at timestamptz,
      true_end timestamptz,
      next_supervision_at timestamptz,
      primary key (case_no, clock_key)
    );
    create function step_clocks_next_supervision() returns trigger language plpgsql as $$
    begin
      new.next_supervision_at := ${stepClocksNextInstant};
      return new;
    end $$;
    create trigger step_clocks_next_supervision before insert or update on step_clocks for each row execute function step_clocks_next_supervision();
    create index step_clocks_next_supervision on step_clocks (next_supervision_at) where next_supervision_at is not null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table if exists step_clocks;
    drop function if exists step_clocks_next_supervision();
  `);
}
