/** The sample catalogue's entries pinned the way filing pins them, for workflow tests and recordings. */
import { sampleDocuments } from '../db/seed';
import { pinEntry } from '../lib/catalogue/pin';
import type { PinnedImplementation } from '../workflows/definitions';

export const sampleDocs = sampleDocuments();

/** The sample entry whose implementation code starts with `prefix`, with the xh-zwfw window. */
export function pinnedSample(prefix: string, over: Partial<PinnedImplementation> = {}): PinnedImplementation {
  const d = sampleDocs.find((x) => x.implementation.code.startsWith(prefix));
  if (!d) throw new Error(`no sample entry ${prefix}`);
  return pinEntry(
    { code: d.implementation.code, version: 1, itemCode: d.item.code, itemName: d.item.name, department: d.implementation.department, window: { department: 'xh-zwfw', role: 'clerk' } },
    { ...(d.entry as unknown as PinnedImplementation), ...over },
  );
}
