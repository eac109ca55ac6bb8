/**
 * What the journal does with a batch the database refused to store (bad encoding, a constraint):
 * each change alone; an event that still cannot be stored is kept without its payload (the
 * workflow history has it), marked as such, so the case goes on and the read model says what it
 * lacks; a view that cannot be stored is cleared (the live view then asks the case itself).
 *
 * Pure, so that both writers use it: the workflow's local activity (cases begun before patch
 * journal-sink, workflows/case/journal.ts) and the worker's journal sink (worker/journal-sink.ts).
 */
import type { CaseEventInput, ProjectionOp } from '../../activities/projection';

/**
 * What an event kept without its payload still sets on the case row: its status and the clock the
 * case publishes (instants and flags the workflow computed, always storable), so the supervision
 * sweep never works from a clock the case has left.
 */
export function keptPatch(p: CaseEventInput['patch']): CaseEventInput['patch'] {
  if (!p) return undefined;
  const keep = ['status', 'acceptedAt', 'statutoryDeadline', 'promisedDeadline', 'deadlineProvisional', 'warningAt', 'clockRunning', 'supervisionState', 'statutoryOverdue'] as const;
  const out = Object.fromEntries(keep.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
  return Object.keys(out).length ? out : undefined;
}

/**
 * Writes `ops` one by one after their batch was refused. `unstorable` says why the database
 * refused a write (null: it failed for another reason, which is thrown on, to be retried).
 */
export async function writeOneByOne(ops: ProjectionOp[], write: (ops: ProjectionOp[]) => Promise<void>, unstorable: (err: unknown) => string | null): Promise<void> {
  for (const op of ops) {
    try {
      await write([op]);
    } catch (err) {
      const reason = unstorable(err);
      if (reason !== null && op.op === 'view') {
        await write([{ ...op, json: null }]);
        continue;
      }
      if (reason === null || op.op !== 'event') throw err;
      const ev = op.ev;
      await write([{ op: 'event', ev: { ...ev, create: ev.create ? { ...ev.create, formData: {} } : undefined, payload: { unstorable: true, reason }, patch: keptPatch(ev.patch) } }]);
    }
  }
}
