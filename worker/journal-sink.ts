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
 * (journal-fallback.ts), so bad data never stops a case. Any other failure is tried again after a
 * pause for up to 7 seconds (a deadlock, a connection dropped and made again), then fails the
 * activation: the workflow task is then retried by the server, with its own growing pauses.
 */
import { ApplicationFailure } from '@temporalio/common';
import fs from 'node:fs';
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

/** How long the sink may try one batch, and how long it pauses between tries (tests shorten them). */
export interface SinkTiming {
  /**
   * The whole time one batch may take, tries and pauses included: under the workflow task's
   * 10-second timeout, so that a write that hangs (a connection neither answering nor reset, a pool
   * with no connection free) fails the activation and the task is retried, rather than the task
   * timing out with the write still pending.
   */
  budgetMs: number;
  /** The pause before the next try after a failure the database may not repeat (a deadlock, a dropped connection). */
  pauseMs: number;
}

export const defaultSinkTiming: SinkTiming = { budgetMs: 7_000, pauseMs: 250 };

/** `work`, or a failure once `deadline` (epoch ms) has passed. */
function byDeadline<T>(work: Promise<T>, deadline: number, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the read model's write took longer than ${budgetMs} ms`)), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * The worker's `journal` sink, writing with `projection.applyProjection` (the worker's activities,
 * or a test's fakes). Merge it into the worker's `sinks`. A batch that fails for a reason other
 * than its data is tried again after a pause while its budget lasts (as the local activity was
 * retried), then its error is thrown on and fails the activation.
 */
export function journalSinks(projection: { applyProjection: ApplyBatch }, timing: SinkTiming = defaultSinkTiming): InjectedSinks<JournalSinks> {
  /** The batch of each run being written now: the next one waits for it (and fails with it). */
  const writing = new Map<string, Promise<void>>();
  const writeBatch = async (batch: { caseNo: string; ops: ProjectionOp[] }): Promise<void> => {
    const deadline = Date.now() + timing.budgetMs;
    const apply = (ops: ProjectionOp[]) => byDeadline(projection.applyProjection({ caseNo: batch.caseNo, ops }), deadline, timing.budgetMs);
    for (;;) {
      try {
        await apply(batch.ops);
        return;
      } catch (err) {
        if (unstorable(err) !== null) return writeOneByOne(batch.ops, apply, unstorable);
        if (Date.now() + timing.pauseMs >= deadline) throw err;
        await new Promise((r) => setTimeout(r, timing.pauseMs));
      }
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

/**
 * Whether the installed SDK fails the activation of a sink marked `failActivation` (the patch of
 * scripts/patch-temporal-sdk.mjs, applied by npm install). Without it a batch that could not be
 * written would only be logged, and lost: the worker refuses to start.
 */
export function sdkFailsMarkedSinks(): boolean {
  return fs.readFileSync(require.resolve('@temporalio/worker/lib/worker.js'), 'utf8').includes('if (sink?.failActivation)');
}
