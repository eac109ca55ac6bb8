/**
 * The case view says when it changes: whenever a case's row is created or its view's version
 * moves (020_case_view_version.ts), the transaction sends `NOTIFY onewindow_case_view, '<case no>'`.
 * The API listens (api/services/case-watch.ts), so a client that asks for the case view with
 * `?wait=` and the version it holds is answered as soon as the case moves, not at its next poll.
 *
 * PostgreSQL delivers a notification only when its transaction commits, so a woken request reads
 * what was committed; notifications of one transaction with the same case number are sent once.
 */
import type { Knex } from 'knex';

export const caseViewChannel = 'onewindow_case_view';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function case_view_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('${caseViewChannel}', new.case_no);
      return null;
    end $$;
    create trigger cases_view_notify_insert after insert on cases for each row execute function case_view_notify();
    create trigger cases_view_notify_update after update on cases for each row
      when (new.view_version is distinct from old.view_version) execute function case_view_notify();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger if exists cases_view_notify_update on cases;
    drop trigger if exists cases_view_notify_insert on cases;
    drop function if exists case_view_notify();
  `);
}
