/** Callback events already applied, by the platform's event id, so a repeated delivery changes nothing. */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('callback_events', (t) => {
    t.string('event_id', 100).primary();
    t.string('platform', 32).notNullable();
    t.string('type', 64).notNullable();
    t.string('subject', 100).notNullable();
    t.integer('seq').notNullable();
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('callback_events');
}
