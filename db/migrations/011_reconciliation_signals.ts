/**
 * The daily reconciliation now tells the case when a platform has what our records lack (an
 * order paid, a parcel delivered): each mismatch records whether its case was signalled, or was
 * found already closed.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reconciliation_mismatches', (t) => {
    t.string('case_signal', 16); // signalled | case-closed; null: nothing to tell the case
    t.timestamp('case_signalled_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reconciliation_mismatches', (t) => {
    t.dropColumns('case_signal', 'case_signalled_at');
  });
}
