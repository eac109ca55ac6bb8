/**
 * Which case engine runs a case: 1 for cases started before the second engine (their platform
 * callbacks still write payments, deliveries and face checks, as they always did), 2 for every
 * case after it, whose own projection is the only writer of those tables.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => {
    t.smallint('engine').notNullable().defaultTo(1);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => {
    t.dropColumn('engine');
  });
}
