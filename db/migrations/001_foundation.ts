/**
 * The first schema: departments and staff, the minimal catalogue (items, implementation entries
 * and their versions), and the read model the case workflow projects (cases, events, tasks).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('departments', (t) => {
    t.string('code', 32).primary();
    t.string('name', 200).notNullable();
    t.string('level', 16).notNullable();
    t.string('parent_code', 32).references('departments.code');
    /** 6-digit administrative division code (行政区划代码); prefixes case numbers. */
    t.string('region_code', 6).notNullable();
  });
  await knex.raw(`alter table departments add constraint departments_level_check
    check (level in ('province','city','county','township'))`);
  await knex.raw(`alter table departments add constraint departments_region_check check (region_code ~ '^[0-9]{6}$')`);

  await knex.schema.createTable('staff_users', (t) => {
    t.string('id', 64).primary();
    t.string('name', 100).notNullable();
    t.string('department_code', 32).notNullable().references('departments.code');
    t.specificType('roles', 'text[]').notNullable();
  });

  await knex.schema.createTable('service_items', (t) => {
    t.string('code', 64).primary();
    t.string('name', 200).notNullable();
    t.string('type', 32).notNullable();
    t.text('legal_basis').notNullable();
  });

  await knex.schema.createTable('implementations', (t) => {
    t.string('code', 64).primary();
    t.string('item_code', 64).notNullable().references('service_items.code');
    t.string('department_code', 32).notNullable().references('departments.code');
    t.string('name', 200).notNullable();
  });

  await knex.schema.createTable('implementation_versions', (t) => {
    t.string('implementation_code', 64).notNullable().references('implementations.code');
    t.integer('version').notNullable();
    t.string('state', 16).notNullable();
    /** The whole pinned entry: limits, materials, form reference, process definition. */
    t.jsonb('entry').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('published_at', { useTz: true });
    t.primary(['implementation_code', 'version']);
  });
  await knex.raw(`alter table implementation_versions add constraint implementation_versions_state_check
    check (state in ('draft','in_review','published','suspended','cancelled'))`);

  /** Serial part of case numbers; one sequence for the whole platform keeps numbers unique. */
  await knex.raw('create sequence case_serial start 1');

  await knex.schema.createTable('case_filings', (t) => {
    t.string('idempotency_key', 200).primary();
    t.string('case_no', 32).notNullable().unique();
    t.string('request_hash', 64).notNullable();
    /** The exact workflow input, so a retried filing starts the very same case. */
    t.jsonb('input').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('cases', (t) => {
    t.string('case_no', 32).primary();
    t.string('implementation_code', 64).notNullable();
    t.integer('implementation_version').notNullable();
    t.string('item_code', 64).notNullable();
    t.string('item_name', 200).notNullable();
    t.string('department_code', 32).notNullable();
    t.string('status', 32).notNullable();
    t.string('channel', 16).notNullable();
    t.jsonb('applicant').notNullable();
    t.jsonb('form_data').notNullable();
    t.jsonb('current_steps').notNullable().defaultTo('[]');
    t.integer('last_seq').notNullable().defaultTo(0);
    t.timestamp('filed_at', { useTz: true }).notNullable();
    t.timestamp('completed_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['department_code', 'status']);
    t.index(['item_code']);
  });

  await knex.schema.createTable('case_events', (t) => {
    t.string('case_no', 32).notNullable().references('cases.case_no');
    t.integer('seq').notNullable();
    t.string('type', 64).notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.string('actor', 64);
    t.jsonb('payload').notNullable().defaultTo('{}');
    t.primary(['case_no', 'seq']);
  });

  await knex.schema.createTable('tasks', (t) => {
    t.string('id', 96).primary();
    t.string('case_no', 32).notNullable().references('cases.case_no');
    t.string('step_id', 64).notNullable();
    t.string('step_name', 200).notNullable();
    t.string('department_code', 32).notNullable();
    t.string('role', 64).notNullable();
    t.string('assignee', 64);
    t.string('status', 16).notNullable();
    t.jsonb('actions').notNullable();
    t.jsonb('outcome');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('closed_at', { useTz: true });
    t.index(['department_code', 'role', 'status', 'created_at']);
    t.index(['case_no']);
  });
  await knex.raw(`alter table tasks add constraint tasks_status_check check (status in ('open','done','cancelled'))`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['tasks', 'case_events', 'cases', 'case_filings', 'implementation_versions', 'implementations', 'service_items', 'staff_users', 'departments']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('drop sequence if exists case_serial');
}
