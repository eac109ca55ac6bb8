/**
 * What the engine that never stalls adds to the read model: each case's deadlines carry their
 * provisional flag (a deadline in a year the calendar does not hold yet), and a department step
 * run again after a return is a new dispatch (a new round), not a repeat of the first.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => {
    t.boolean('deadline_provisional').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('department_dispatches', (t) => {
    t.integer('round').notNullable().defaultTo(1);
  });
  await knex.raw('alter table department_dispatches drop constraint department_dispatches_pkey');
  await knex.schema.alterTable('department_dispatches', (t) => {
    t.primary(['case_no', 'step_id', 'round']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('department_dispatches').where('round', '>', 1).delete();
  await knex.raw('alter table department_dispatches drop constraint department_dispatches_pkey');
  await knex.schema.alterTable('department_dispatches', (t) => {
    t.dropColumn('round');
    t.primary(['case_no', 'step_id']);
  });
  await knex.schema.alterTable('cases', (t) => {
    t.dropColumn('deadline_provisional');
  });
}
