/**
 * Data outwards (issue 19):
 * - `exchange_outbox`: each main node of a case (filed, accepted, review results … evaluated) as
 *   the record the provincial platform takes, written by the projection in the transaction that
 *   records the case event (so a node exists exactly when the case recorded it), and delivered in
 *   order per case by the exchange dispatcher (lib/exchange/dispatcher.ts), keyed by `node_id`;
 * - `exchange_reconciliations`: each day's comparison with the provincial side's list;
 * - `archive_keys`: each department's SM2 key that seals its archive packages (the private key
 *   sealed with SECRET_KEY);
 * - `archive_queue`: closed cases waiting for their package (queued by the projection);
 * - `archive_packages`: the approval archive (审批档案): one package per closed case, where it is
 *   kept and the SM3 digest of its manifest.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('exchange_outbox', (t) => {
    t.bigIncrements('id');
    t.string('case_no', 22).notNullable();
    t.integer('seq').notNullable();
    /** The idempotency key the provincial side keys the node by: `<case number>-<seq>`. */
    t.string('node_id', 40).notNullable().unique();
    t.string('node', 32).notNullable();
    t.jsonb('record').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.string('state', 16).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error');
    t.timestamp('delivered_at', { useTz: true });
    /** How many times a reconciliation found it missing on the provincial side and queued it again. */
    t.integer('resent').notNullable().defaultTo(0);
    t.unique(['case_no', 'seq']);
  });
  await knex.raw(`alter table exchange_outbox add constraint exchange_outbox_state_check check (state in ('pending', 'delivered', 'refused'))`);
  await knex.raw(`create index exchange_outbox_due on exchange_outbox (next_attempt_at) where state = 'pending'`);
  // The daily reconciliation reads one China day's nodes, whatever their state.
  await knex.raw('create index exchange_outbox_day on exchange_outbox (china_day(at))');

  await knex.schema.createTable('exchange_reconciliations', (t) => {
    t.date('day').primary();
    t.integer('local_count').notNullable();
    t.integer('remote_count').notNullable();
    /** Node ids delivered here but not held there (queued again). */
    t.jsonb('missing').notNullable();
    t.timestamp('checked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('archive_keys', (t) => {
    t.string('department_code', 32).primary().references('departments.code');
    t.string('key_id', 80).notNullable().unique();
    t.string('public_key', 200).notNullable();
    t.text('private_key_enc').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Closed cases waiting for their package, queued by the projection with the `closed` event.
  await knex.schema.createTable('archive_queue', (t) => {
    t.string('case_no', 22).primary();
    t.timestamp('queued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error');
  });
  await knex.schema.createTable('archive_packages', (t) => {
    t.string('case_no', 22).primary();
    t.string('department_code', 32).notNullable();
    t.string('item_code', 64).notNullable();
    /** The package's folder, relative to the archive store. */
    t.string('location', 200).notNullable();
    t.integer('files').notNullable();
    t.bigInteger('bytes').notNullable();
    t.string('manifest_sm3', 64).notNullable();
    t.string('key_id', 80).notNullable();
    t.timestamp('archived_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index archive_packages_department on archive_packages (department_code, archived_at)');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['archive_packages', 'archive_queue', 'archive_keys', 'exchange_reconciliations', 'exchange_outbox']) await knex.schema.dropTableIfExists(table);
}
