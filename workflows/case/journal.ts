/**
 * The case's journal: every change the workflow makes to the read model (events, tasks, payments,
 * evaluations …) is pushed here and written in batches, one local activity per batch, so a
 * workflow task's changes cost one transaction and no round trip to the server.
 *
 * A batch waits until the activation's other coroutines have run (`afterTheRest`), then takes
 * every change queued; changes made while it is written go in the next batch. Batches are written one after another, in order.
 * A case begun with patch live-view also keeps its view in the read model: each batch carries the
 * view as it is when the batch is made, if it changed since the last one written.
 */
import { ActivityFailure, ApplicationFailure, condition } from '@temporalio/workflow';
import type { CaseEventInput, ProjectionOp } from '../../activities/projection';
import { UNSTORABLE } from '../definitions';

export type Write = (ops: ProjectionOp[]) => Promise<void>;

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

/**
 * What an event kept without its payload still sets on the case row: its status and the clock the
 * case publishes (instants and flags the workflow computed, always storable), so the supervision
 * sweep never works from a clock the case has left.
 */
function keptPatch(p: CaseEventInput['patch']): CaseEventInput['patch'] {
  if (!p) return undefined;
  const keep = ['status', 'acceptedAt', 'statutoryDeadline', 'promisedDeadline', 'deadlineProvisional', 'warningAt', 'clockRunning', 'supervisionState', 'statutoryOverdue'] as const;
  const out = Object.fromEntries(keep.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
  return Object.keys(out).length ? out : undefined;
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

  constructor(private readonly caseNo: string, private readonly write: Write, private readonly runId = '') {}

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

  /**
   * A batch the database refused to store (bad encoding, a constraint): each change alone; an
   * event that still cannot be stored is kept without its payload (the workflow history has it),
   * marked as such, so the case goes on and the read model says what it lacks.
   */
  private async oneByOne(ops: ProjectionOp[]): Promise<void> {
    for (const op of ops) {
      try {
        await this.write([op]);
      } catch (err) {
        const reason = unstorable(err);
        // A view the database cannot store is cleared: the live view then asks the case itself.
        if (reason !== null && op.op === 'view') {
          await this.write([{ ...op, json: null }]);
          continue;
        }
        if (reason === null || op.op !== 'event') throw err;
        const ev = op.ev;
        await this.write([{ op: 'event', ev: { ...ev, create: ev.create ? { ...ev.create, formData: {} } : undefined, payload: { unstorable: true, reason }, patch: keptPatch(ev.patch) } }]);
      }
    }
  }
}
