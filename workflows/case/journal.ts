/**
 * The case's journal: every change the workflow makes to the read model (events, tasks, payments,
 * evaluations …) is pushed here and written in batches, one local activity per batch, so a
 * workflow task's changes cost one transaction and no round trip to the server.
 *
 * A batch waits until the activation's other coroutines have run (`afterTheRest`), then takes
 * every change queued; changes made while it is written go in the next batch. Batches are written one after another, in order.
 */
import { ActivityFailure, ApplicationFailure, condition } from '@temporalio/workflow';
import type { CaseEventInput, ProjectionOp } from '../../activities/projection';
import { UNSTORABLE } from '../definitions';

export type Write = (ops: ProjectionOp[]) => Promise<void>;

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

  constructor(private readonly write: Write) {}

  /** Queues a change; it is written with the rest of this activation's changes. */
  push(op: ProjectionOp): void {
    this.queue.push(op);
    this.kick();
  }

  /** Starts writing what is queued, if nothing is being written. */
  kick(): void {
    if (!this.writing && this.queue.length) this.writing = this.drain();
  }

  /** Resolves once everything pushed so far (and since) is written. */
  async flush(): Promise<void> {
    this.kick();
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      await afterTheRest(); // let the rest of this activation push its changes too
      while (this.queue.length) {
        const ops = this.queue.splice(0);
        this.batches += 1;
        try {
          await this.write(ops);
        } catch (err) {
          if (unstorable(err) === null) throw err;
          await this.oneByOne(ops);
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
        if (reason === null || op.op !== 'event') throw err;
        const ev = op.ev;
        await this.write([{ op: 'event', ev: { ...ev, create: ev.create ? { ...ev.create, formData: {} } : undefined, payload: { unstorable: true, reason }, patch: keptPatch(ev.patch) } }]);
      }
    }
  }
}
