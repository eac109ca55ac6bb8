/**
 * Sign-in limits kept in the database: failed sign-ins by (account, address) and by address,
 * with the time until which the key must wait. Shared by every API process and kept over a
 * restart. Rows quiet for a day are deleted by the API as it goes.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sign_in_failures', (t) => {
    /** 'pair' (account|address) or 'address'. */
    t.string('scope', 16).notNullable();
    t.string('key', 400).notNullable();
    t.integer('failures').notNullable();
    t.timestamp('wait_until', { useTz: true });
    t.timestamp('last_failure_at', { useTz: true }).notNullable();
    t.primary(['scope', 'key']);
    t.index(['last_failure_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sign_in_failures');
}
