/**
 * What the case's use of the platforms adds to the read model (callback nonces share 007's
 * `request_nonces`): live face checks, materials replaced by e-certificates (减材料), refunds of fees
 * charged at acceptance, and the daily reconciliation with the payment and courier platforms.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('face_checks', (t) => {
    t.string('check_id', 100).primary();
    t.string('case_no', 32).notNullable().references('cases.case_no').index();
    t.integer('attempt').notNullable();
    t.string('status', 16).notNullable(); // pending | passed | failed
    t.string('reason', 500);
    t.timestamp('requested_at', { useTz: true }).notNullable();
    t.timestamp('completed_at', { useTz: true });
    t.unique(['case_no', 'attempt']);
  });
  await knex.schema.createTable('certificate_replacements', (t) => {
    t.string('case_no', 32).notNullable().references('cases.case_no');
    t.string('material_id', 40).notNullable();
    t.string('material_name', 200).notNullable();
    t.string('certificate_no', 64).notNullable();
    t.string('certificate_type', 100).notNullable();
    t.string('holder_id', 18).notNullable();
    t.timestamp('replaced_at', { useTz: true }).notNullable();
    t.primary(['case_no', 'material_id']);
  });
  await knex.schema.alterTable('payments', (t) => {
    t.string('stage', 16).notNullable().defaultTo('decision'); // acceptance | decision
    t.string('refund_id', 64);
    t.string('refund_reason', 500);
    t.timestamp('refunded_at', { useTz: true });
  });
  await knex.schema.createTable('reconciliation_runs', (t) => {
    t.date('date').primary();
    t.timestamp('ran_at', { useTz: true }).notNullable();
    t.integer('payments_matched').notNullable();
    t.integer('payments_mismatched').notNullable();
    t.integer('deliveries_matched').notNullable();
    t.integer('deliveries_mismatched').notNullable();
    t.bigInteger('paid_total_fen').notNullable();
  });
  await knex.schema.createTable('reconciliation_mismatches', (t) => {
    t.increments('id').primary();
    t.date('date').notNullable().references('reconciliation_runs.date').onDelete('CASCADE');
    t.string('source', 16).notNullable(); // payment | logistics
    t.string('ref', 64).notNullable(); // order id or waybill number
    t.string('kind', 32).notNullable();
    t.string('case_no', 32);
    t.jsonb('platform');
    t.jsonb('local');
    t.unique(['date', 'source', 'ref', 'kind']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('reconciliation_mismatches');
  await knex.schema.dropTableIfExists('reconciliation_runs');
  await knex.schema.alterTable('payments', (t) => {
    t.dropColumns('stage', 'refund_id', 'refund_reason', 'refunded_at');
  });
  await knex.schema.dropTableIfExists('certificate_replacements');
  await knex.schema.dropTableIfExists('face_checks');
}
