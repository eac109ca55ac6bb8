/**
 * The live view from the read model: the case view (what `GET /api/cases/{caseNo}/live` shows:
 * status, open tasks, clock, payment, urges …) is kept on the case row, written by the case's own
 * projection batches (patch live-view, workflows/case/journal.ts), so reading it costs a row, not
 * a Temporal query answered by the worker that holds the case.
 *
 * `live_view` is the view as JSON, without the form while it is the form filed (`form_data` holds
 * that); null for a case begun before the patch, or when the view could not be stored, and the API
 * then asks the case itself. `live_view_seq` numbers the views a case wrote, so a late retry of an
 * older batch never overwrites a newer view.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table cases add column live_view jsonb, add column live_view_seq integer not null default 0');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table cases drop column live_view, drop column live_view_seq');
}
