/** The working-day calendar as data: one row per listed day (holiday or make-up workday). */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_years', (t) => {
    t.integer('year').primary();
    t.text('source').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('updated_by', 64).notNullable();
  });
  await knex.schema.createTable('calendar_days', (t) => {
    t.date('date').primary();
    t.integer('year').notNullable().references('calendar_years.year');
    t.string('kind', 16).notNullable();
    t.string('name', 100).notNullable();
    t.index(['year']);
  });
  await knex.raw(`alter table calendar_days add constraint calendar_days_kind_check check (kind in ('holiday','workday'))`);
  await knex.raw(`alter table calendar_days add constraint calendar_days_year_check check (extract(year from date) = year)`);
  // A make-up workday is a Saturday or Sunday; enforced here as well as in the import checks.
  await knex.raw(`alter table calendar_days add constraint calendar_days_workday_weekend check (kind <> 'workday' or extract(isodow from date) in (6, 7))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('calendar_days');
  await knex.schema.dropTableIfExists('calendar_years');
}
