/**
 * The window's draft box (草稿箱: applications saved before filing, resumable by the clerk who
 * saved them) and the numbers of the documents a case issues (文书编号: one number per case and
 * kind, counted per department, kind and year, kept so a reprint shows the same number).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('window_drafts', (t) => {
    t.uuid('id').primary();
    t.string('staff_id', 64).notNullable();
    t.string('department_code', 32).notNullable();
    t.string('implementation_code', 64).notNullable();
    t.string('item_name', 200).notNullable();
    t.jsonb('applicant').notNullable();
    t.jsonb('form_data').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['staff_id', 'updated_at']);
  });
  await knex.schema.createTable('document_counters', (t) => {
    t.string('department_code', 32).notNullable();
    t.string('kind', 32).notNullable();
    t.integer('year').notNullable();
    t.integer('last').notNullable();
    t.primary(['department_code', 'kind', 'year']);
  });
  await knex.schema.createTable('case_documents', (t) => {
    t.string('case_no', 32).notNullable();
    t.string('kind', 32).notNullable();
    t.string('number', 64).notNullable().unique();
    t.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('issued_by', 100).notNullable();
    t.primary(['case_no', 'kind']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('case_documents');
  await knex.schema.dropTable('document_counters');
  await knex.schema.dropTable('window_drafts');
}
