/**
 * The case's journal: every change the workflow makes to the read model (events, tasks, payments,
 * evaluations …) is pushed here and written in batches, one transaction per batch.
 *
 * How a batch is written depends on when the case began. A case begun with patch journal-sink
 * hands it to the worker's journal sink (worker/journal-sink.ts): the worker writes it after the
 * activation that made it and before that activation's commands (an update's answer, a timer, an
 * activity, the case's end) reach the server, and fails the activation if it cannot, so the
 * workflow task is retried and the batch made again. No command, no marker in the history and no
 * second activation for the write. A case begun before writes each batch as a local activity, as
 * it always did (its history holds their markers).
 *
 * A batch waits until the activation's other coroutines have run (`afterTheRest`), then takes
 * every change queued; changes made while it is written go in the next batch. Batches are written
 * one after another, in order.
 * A case begun with patch live-view also keeps its view in the read model: each batch carries the
 * view as it is when the batch is made, if it changed since the last one written.
 */
import { ActivityFailure, ApplicationFailure, condition, proxySinks, type Sinks } from '@temporalio/workflow';
import type { ProjectionOp } from '../../activities/projection';
import { UNSTORABLE } from '../definitions';
import { writeOneByOne } from './journal-fallback';

export type Write = (ops: ProjectionOp[]) => Promise<void>;

/** The worker's journal sink (patch journal-sink; registered by worker/journal-sink.ts). */
export interface JournalSinks extends Sinks {
  journal: {
    /** Writes the batch after this activation and before its completion; a failure fails the activation. */
    write(batch: { caseNo: string; ops: ProjectionOp[] }): void;
  };
}

const { journal: journalSink } = proxySinks<JournalSinks>();

/** Batches handed to the worker's journal sink: written before this activation's commands take effect. */
export function sinkWrite(caseNo: string): Write {
  return (ops) => {
    journalSink.write({ caseNo, ops });
    return Promise.resolve();
  };
}

/** The case view as the read model keeps it (patch live-view), made when a batch is written. */
export type ViewSource = () => Record<string, unknown>;

/**
 * Resolves once the coroutines woken with this one have run as far as they can: the SDK checks a
 * condition once when it is made (this one says no) and again only after the pending microtasks
 * have run (then it says yes).
 */
function afterTheRest(): Promise<void> {
  let checked = false;
  return condition(() => {
    const go = checked;
    checked = true;
    return go;
  });
}

const unstorable = (err: unknown): string | null =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === UNSTORABLE ? err.cause.message : null;

export class Journal {
  private queue: ProjectionOp[] = [];
  private writing: Promise<void> | null = null;
  /** Batches written, for the bench and the tests. */
  batches = 0;
  private view: ViewSource | null = null;
  /** The case view (JSON) the read model holds, and how many were written. */
  private viewWritten: string | null = null;
  private views = 0;

  constructor(private readonly caseNo: string, private write: Write, private readonly runId = '') {}

  /** From now on batches are written by `write` (patch journal-sink: the worker's sink). Before the first batch only. */
  writeBy(write: Write): void {
    if (this.batches || this.writing) throw new Error('the journal changes its writer only before its first batch');
    this.write = write;
  }

  /**
   * From now on (a case begun with patch live-view) every batch carries the case view when it
   * changed, and a view that changed with nothing else to write is written alone.
   */
  carryView(source: ViewSource): void {
    this.view = source;
  }

  /** Queues a change; it is written with the rest of this activation's changes. */
  push(op: ProjectionOp): void {
    this.queue.push(op);
    this.kick();
  }

  /** Starts writing what is queued, if nothing is being written. */
  kick(): void {
    if (!this.writing && this.queue.length) this.writing = this.drain();
  }

  /** Resolves once everything pushed so far (and since), and the case view as it is now, is written. */
  async flush(): Promise<void> {
    this.settle();
    while (this.writing) await this.writing;
  }

  /** The case parks: what is queued is written, and so is its view if it changed with nothing queued. */
  settle(): void {
    if (this.writing) return;
    if (this.queue.length || this.nextView()) this.writing = this.drain();
  }

  /** The view to write with the next batch, or null if the read model has it already. */
  private nextView(): { op: ProjectionOp; json: string } | null {
    if (!this.view) return null;
    const json = JSON.stringify(this.view());
    if (json === this.viewWritten) return null;
    return { op: { op: 'view', caseNo: this.caseNo, runId: this.runId, seq: this.views + 1, json }, json };
  }

  private async drain(): Promise<void> {
    try {
      await afterTheRest(); // let the rest of this activation push its changes too
      for (;;) {
        const ops = this.queue.splice(0);
        const view = this.nextView();
        if (view) ops.push(view.op);
        if (!ops.length) break;
        this.batches += 1;
        try {
          await this.write(ops);
        } catch (err) {
          if (unstorable(err) === null) throw err;
          await this.oneByOne(ops);
        }
        if (view) {
          this.viewWritten = view.json;
          this.views += 1;
        }
      }
    } finally {
      this.writing = null;
    }
  }

  /** A batch the database refused to store: each change alone (see journal-fallback.ts). */
  private oneByOne(ops: ProjectionOp[]): Promise<void> {
    return writeOneByOne(ops, this.write, unstorable);
  }
}
