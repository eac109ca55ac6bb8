/**
 * The live view from the read model: the case view (what `GET /api/cases/{caseNo}/live` shows:
 * status, open tasks, clock, payment, urges …) is kept in `case_live_views`, written by the case's
 * own projection batches (patch live-view, workflows/case/journal.ts), so reading it costs a row,
 * not a Temporal query answered by the worker that holds the case.
 *
 * A table of its own, not a column of `cases`: the view (about 1.2 KB) changes with nearly every
 * batch, and on the case row each change would write the whole wide row again, with every index of
 * `cases` the searches use; here a change is one narrow row whose only index (its key) never moves.
 *
 * `view` is the view as JSON, without the form while it is the form filed (`cases.form_data` holds
 * that); no row for a case begun before the patch, and null when the view could not be stored: the
 * API then asks the case itself. `seq` numbers the views of the workflow run `run_id`: a late retry
 * of an older batch never overwrites a newer view, a workflow task run again (the same number)
 * does, with what it has now, and so does a new run (a case reset by revive), which numbers anew.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table case_live_views (
      case_no varchar(32) primary key references cases(case_no) on delete cascade,
      run_id text not null,
      seq integer not null,
      view jsonb
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table case_live_views');
}
