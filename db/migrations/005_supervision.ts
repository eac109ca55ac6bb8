/**
 * Electronic supervision in the read model: the case's supervision level, limits and working days
 * used; supervision events (warnings, overdue, corrections) per case and step; supervisors'
 * correction orders and complaints; indexes that keep the indicator queries fast at scale.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => {
    t.string('supervision_state', 16).notNullable().defaultTo('normal');
    t.string('case_type', 16).notNullable().defaultTo('promised');
    t.integer('statutory_limit_days');
    t.integer('promised_limit_days');
    t.integer('used_days');
    t.timestamp('decided_at', { useTz: true });
    /** When the case clock first warned: kept on the row so the warning rate needs no join. */
    t.timestamp('warned_at', { useTz: true });
    t.index(['filed_at']);
    t.index(['accepted_at']);
    t.index(['decided_at']);
    t.index(['department_code', 'filed_at']);
    t.index(['item_code', 'filed_at']);
    t.index(['supervision_state', 'department_code']);
  });
  await knex.schema.createTable('supervision_events', (t) => {
    t.bigIncrements('id');
    t.string('case_no', 32).notNullable().references('cases.case_no');
    t.integer('seq').notNullable();
    t.string('scope', 8).notNullable();
    t.string('step_id', 64);
    t.string('level', 16).notNullable();
    t.string('cause', 100).notNullable();
    t.string('department_code', 32).notNullable();
    t.timestamp('deadline', { useTz: true });
    t.timestamp('at', { useTz: true }).notNullable();
    t.unique(['case_no', 'seq']);
    t.index(['department_code', 'at']);
    t.index(['level', 'at']);
  });
  await knex.schema.createTable('supervision_orders', (t) => {
    t.string('id', 64).primary();
    t.string('case_no', 32).notNullable().references('cases.case_no');
    t.string('kind', 16).notNullable();
    t.text('content').notNullable();
    t.string('by', 64).notNullable();
    t.string('department_code', 32).notNullable();
    t.string('status', 16).notNullable().defaultTo('open');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['case_no']);
  });
  await knex.raw(`alter table supervision_orders add constraint supervision_orders_kind_check check (kind in ('urge','correction','complaint'))`);
  await knex.schema.alterTable('tasks', (t) => {
    t.index(['closed_at']);
  });
  await knex.schema.alterTable('evaluations', (t) => {
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('supervision_orders');
  await knex.schema.dropTableIfExists('supervision_events');
  await knex.schema.alterTable('tasks', (t) => t.dropIndex(['closed_at']));
  await knex.schema.alterTable('evaluations', (t) => t.dropIndex(['at']));
  await knex.schema.alterTable('cases', (t) => {
    for (const c of ['supervision_state', 'case_type', 'statutory_limit_days', 'promised_limit_days', 'used_days', 'decided_at', 'warned_at']) t.dropColumn(c);
  });
}
