/**
 * The journal sink: where a case begun with patch journal-sink has its read-model batches written
 * (workflows/case/journal.ts). The SDK calls a sink after the workflow's activation and awaits it
 * before the activation's completion (its commands, an update's answer, the case's end) goes to
 * the server; scripts/patch-temporal-sdk.mjs makes a sink marked `failActivation` fail the
 * activation when it throws, instead of only logging, so a batch that could not be written is
 * made and written again by the workflow task's retry, as a failed local activity was retried.
 * The write is the projection's own (idempotent: events by case and number, tasks by id).
 *
 * Batches of one run are written in the order the workflow made them, even when one activation
 * makes two (the SDK starts a sink's calls in order and awaits them together). A batch the
 * database refuses for its data is written change by change, as the workflow's journal did
 * (journal-fallback.ts), so bad data never stops a case.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { InjectedSinks } from '@temporalio/worker';
import type { ProjectionOp } from '../activities/projection';
import { UNSTORABLE } from '../workflows/definitions';
import { writeOneByOne } from '../workflows/case/journal-fallback';
import type { JournalSinks } from '../workflows/case/journal';

export type ApplyBatch = (batch: { caseNo: string; ops: ProjectionOp[] }) => Promise<void>;

/** Why the database refused the data (the projection's activities fail so, activities/classify.ts), or null. */
const unstorable = (err: unknown): string | null => (err instanceof ApplicationFailure && err.type === UNSTORABLE ? err.message : null);

/** The sink's own marker, read by the patched SDK (scripts/patch-temporal-sdk.mjs). */
interface FailingSinkFunction {
  fn: (info: unknown, batch: { caseNo: string; ops: ProjectionOp[] }) => Promise<void>;
  callDuringReplay: false;
  failActivation: true;
}

/**
 * The worker's `journal` sink, writing with `projection.applyProjection` (the worker's activities,
 * or a test's fakes). Merge it into the worker's `sinks`.
 */
export function journalSinks(projection: { applyProjection: ApplyBatch }): InjectedSinks<JournalSinks> {
  const apply: ApplyBatch = (batch) => projection.applyProjection(batch);
  /** The batch of each run being written now: the next one waits for it (and fails with it). */
  const writing = new Map<string, Promise<void>>();
  const writeBatch = async (batch: { caseNo: string; ops: ProjectionOp[] }): Promise<void> => {
    try {
      await apply(batch);
    } catch (err) {
      if (unstorable(err) === null) throw err;
      await writeOneByOne(batch.ops, (ops) => apply({ caseNo: batch.caseNo, ops }), unstorable);
    }
  };
  const write: FailingSinkFunction = {
    callDuringReplay: false,
    failActivation: true,
    fn: (info, batch) => {
      const runId = (info as { runId: string }).runId;
      const before = writing.get(runId);
      const mine = before ? before.then(() => writeBatch(batch)) : writeBatch(batch);
      writing.set(runId, mine);
      const forget = () => {
        if (writing.get(runId) === mine) writing.delete(runId);
      };
      mine.then(forget, forget);
      return mine;
    },
  };
  return { journal: { write } };
}
