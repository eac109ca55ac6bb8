/**
 * Materials as part of the case (申请材料清单): each material the pinned entry asks for has a
 * state on the case (paper received, uploaded file, replaced by an e-certificate, missing), set
 * by the clerk or the applicant through the API; an uploaded file names the material it is for,
 * and a correction reply's files name the problem of the notice they answer.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('case_material_states', (t) => {
    t.string('case_no', 32).notNullable();
    t.string('material_id', 40).notNullable();
    t.string('state', 16).notNullable(); // paper | uploaded | certificate | missing
    t.string('certificate_no', 64);
    /** Why the case was accepted while this required material was missing (recorded by the clerk at acceptance). */
    t.string('waiver_reason', 500);
    t.string('set_by', 64).notNullable();
    t.timestamp('set_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['case_no', 'material_id']);
  });
  await knex.schema.alterTable('case_materials', (t) => {
    t.string('material_id', 40);
    /** A correction reply's file: the problem of the notice it answers, and when the reply was sent. */
    t.string('answers_problem', 500);
    t.timestamp('replied_at', { useTz: true });
    t.index(['case_no', 'material_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('case_materials', (t) => {
    t.dropIndex(['case_no', 'material_id']);
    t.dropColumns('material_id', 'answers_problem', 'replied_at');
  });
  await knex.schema.dropTableIfExists('case_material_states');
}
