/**
 * The read model of a whole case life: acceptance and deadlines on the case, task kinds and due
 * dates, payments, certificates, deliveries, department dispatches, notifications, evaluations,
 * and an append-only audit log. Departments name the hall whose window pre-checks their cases.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('departments', (t) => {
    t.string('hall_code', 32).references('departments.code');
  });
  await knex.schema.alterTable('cases', (t) => {
    t.timestamp('accepted_at', { useTz: true });
    t.string('decision', 16);
    t.timestamp('statutory_deadline', { useTz: true });
    t.timestamp('promised_deadline', { useTz: true });
  });
  await knex.schema.alterTable('tasks', (t) => {
    t.string('kind', 16).notNullable().defaultTo('review');
    t.timestamp('due_at', { useTz: true });
    t.jsonb('detail').notNullable().defaultTo('{}');
  });
  await knex.schema.createTable('payments', (t) => {
    t.string('id', 64).primary();
    t.string('case_no', 32).notNullable().unique().references('cases.case_no');
    t.bigInteger('amount_fen').notNullable();
    t.string('payment_code', 32).notNullable().unique();
    t.string('status', 16).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('paid_at', { useTz: true });
  });
  await knex.raw(`alter table payments add constraint payments_status_check check (status in ('open','paid','expired','refunded'))`);
  await knex.schema.createTable('certificates', (t) => {
    t.string('number', 64).primary();
    t.string('case_no', 32).notNullable().unique().references('cases.case_no');
    t.string('type', 100).notNullable();
    t.string('name', 200).notNullable();
    t.string('holder_name', 100).notNullable();
    t.string('holder_id', 18).notNullable();
    t.string('issuer_department', 32).notNullable();
    t.jsonb('fields').notNullable();
    t.timestamp('issued_at', { useTz: true }).notNullable();
    t.date('valid_until');
    t.string('status', 16).notNullable().defaultTo('valid');
  });
  await knex.schema.createTable('deliveries', (t) => {
    t.string('case_no', 32).primary().references('cases.case_no');
    t.string('method', 16).notNullable();
    t.string('waybill_no', 32).unique();
    t.jsonb('address');
    t.string('status', 16).notNullable();
    t.timestamp('booked_at', { useTz: true }).notNullable();
    t.timestamp('delivered_at', { useTz: true });
  });
  await knex.schema.createTable('department_dispatches', (t) => {
    t.string('case_no', 32).notNullable().references('cases.case_no');
    t.string('step_id', 64).notNullable();
    t.string('department_code', 32).notNullable();
    t.string('system', 64).notNullable();
    t.jsonb('payload').notNullable();
    t.timestamp('dispatched_at', { useTz: true }).notNullable();
    t.primary(['case_no', 'step_id']);
  });
  await knex.schema.createTable('notifications', (t) => {
    t.string('key', 128).primary();
    t.string('case_no', 32).notNullable();
    t.string('recipient', 64).notNullable();
    t.string('template', 64).notNullable();
    t.jsonb('params').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['case_no']);
  });
  await knex.schema.createTable('evaluations', (t) => {
    t.string('case_no', 32).primary().references('cases.case_no');
    t.smallint('level').notNullable();
    t.text('comment').notNullable();
    t.string('department_code', 32).notNullable();
    t.string('item_code', 64).notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
  });
  await knex.raw('alter table evaluations add constraint evaluations_level_check check (level between 1 and 5)');
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('actor', 64).notNullable();
    t.string('action', 64).notNullable();
    t.string('case_no', 32);
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.index(['case_no']);
  });
  // Append-only: the audit log is never rewritten.
  await knex.raw(`
    create function forbid_audit_change() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit log is append-only' using errcode = 'P0001', hint = 'immutable';
    end $$;
    create trigger audit_log_append_only before update or delete on audit_log for each row execute function forbid_audit_change();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists audit_log_append_only on audit_log');
  await knex.raw('drop function if exists forbid_audit_change');
  for (const t of ['audit_log', 'evaluations', 'notifications', 'department_dispatches', 'deliveries', 'certificates', 'payments']) await knex.schema.dropTableIfExists(t);
  await knex.schema.alterTable('tasks', (t) => {
    t.dropColumn('kind');
    t.dropColumn('due_at');
    t.dropColumn('detail');
  });
  await knex.schema.alterTable('cases', (t) => {
    t.dropColumn('accepted_at');
    t.dropColumn('decision');
    t.dropColumn('statutory_deadline');
    t.dropColumn('promised_deadline');
  });
  await knex.schema.alterTable('departments', (t) => t.dropColumn('hall_code'));
}
