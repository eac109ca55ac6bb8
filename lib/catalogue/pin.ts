/** What a case pins from a published entry: the one mapping used by filing and by tests. */
import type { PinnedImplementation } from '../../workflows/definitions';

/** Who the entry is: its code and version, its item, and who implements it. */
export type EntryIdentity = Pick<PinnedImplementation, 'code' | 'version' | 'itemCode' | 'itemName' | 'department' | 'window'>;

type EntryFields = Omit<PinnedImplementation, keyof EntryIdentity | 'jointHandling'> & { jointHandling?: boolean };

export function pinEntry(id: EntryIdentity, e: EntryFields): PinnedImplementation {
  return {
    ...id,
    caseType: e.caseType,
    statutoryLimitDays: e.statutoryLimitDays,
    promisedLimitDays: e.promisedLimitDays,
    jointHandling: e.jointHandling ?? false,
    fee: e.fee,
    result: e.result,
    delivery: e.delivery,
    process: e.process,
    evaluationWindowDays: e.evaluationWindowDays,
    ...(e.supervision ? { supervision: e.supervision } : {}),
    ...(e.authLevel ? { authLevel: e.authLevel } : {}),
    ...(e.simulation ? { simulation: e.simulation } : {}),
    // Only what a case uses of each material (the entry keeps form, copies and notes).
    ...(e.materials ? { materials: e.materials.map((m) => ({ id: m.id, name: m.name, required: m.required, ...(m.certificateType ? { certificateType: m.certificateType } : {}) })) } : {}),
  };
}
