/**
 * The case view's version, for conditional requests (ETag / If-None-Match on GET
 * /api/cases/{caseNo}): `cases.view_version` moves whenever anything the view shows changes, the
 * case row itself or its events, tasks or certificate replacements, whoever writes them. The
 * triggers keep it so; no writer has to remember to.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table cases add column view_version bigint not null default 0');
  await knex.raw(`
    create function case_view_version_on_row() returns trigger language plpgsql as $$
    begin
      -- Once per update of the case row, whether or not the statement set it.
      if new.view_version = old.view_version then new.view_version := old.view_version + 1; end if;
      return new;
    end $$;
    create trigger cases_view_version before update on cases for each row execute function case_view_version_on_row();

    -- One update of each case a statement touched (events come many at a time).
    create function case_view_version_of_children() returns trigger language plpgsql as $$
    begin
      update cases c set view_version = c.view_version + 1 from (select distinct case_no from changed) x where c.case_no = x.case_no;
      return null;
    end $$;
    create trigger case_events_view_version after insert on case_events referencing new table as changed for each statement execute function case_view_version_of_children();
    create trigger tasks_view_version_insert after insert on tasks referencing new table as changed for each statement execute function case_view_version_of_children();
    create trigger tasks_view_version_update after update on tasks referencing new table as changed for each statement execute function case_view_version_of_children();
    create trigger tasks_view_version_delete after delete on tasks referencing old table as changed for each statement execute function case_view_version_of_children();
    create trigger certificate_replacements_view_version_insert after insert on certificate_replacements referencing new table as changed for each statement execute function case_view_version_of_children();
    create trigger certificate_replacements_view_version_update after update on certificate_replacements referencing new table as changed for each statement execute function case_view_version_of_children();
    create trigger certificate_replacements_view_version_delete after delete on certificate_replacements referencing old table as changed for each statement execute function case_view_version_of_children();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger if exists certificate_replacements_view_version_delete on certificate_replacements;
    drop trigger if exists certificate_replacements_view_version_update on certificate_replacements;
    drop trigger if exists certificate_replacements_view_version_insert on certificate_replacements;
    drop trigger if exists tasks_view_version_delete on tasks;
    drop trigger if exists tasks_view_version_update on tasks;
    drop trigger if exists tasks_view_version_insert on tasks;
    drop trigger if exists case_events_view_version on case_events;
    drop function if exists case_view_version_of_children();
    drop trigger if exists cases_view_version on cases;
    drop function if exists case_view_version_on_row();
  `);
  await knex.raw('alter table cases drop column view_version');
}
