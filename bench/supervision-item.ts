/**
 * The supervision benchmark's own item, added to the benchmark's database only: the benchmark
 * item (居民身份证换领) with short limits, so that on a compressed calendar every instant a case
 * passes is several (compressed) working days after the one before, as real instants are, and
 * one event's processing never overlaps the next instant. Checked by the catalogue's own
 * validation before it is stored.
 */
import { sampleDocuments, withFormContent } from '../db/seed';
import type { ImplementationDocument } from '../lib/catalogue/document';
import { validateDocument } from '../lib/catalogue/document';
import { loadContext } from '../lib/catalogue/store';
import type { Db } from '../lib/db';
import { benchItem } from './e2e';

export const supervisionItem = { implementationCode: 'QR-330000-09999.xh-gaj', form: benchItem.form };

export async function addSupervisionItem(db: Db): Promise<void> {
  const base = sampleDocuments().find((d) => d.implementation.code === benchItem.implementationCode);
  if (!base) throw new Error(`the sample catalogue has no ${benchItem.implementationCode}`);
  const entry = structuredClone(base.entry);
  const limits = entry as unknown as { statutoryLimitDays: number; promisedLimitDays: number; supervision: object; process: { steps: { limitDays?: number }[] } };
  limits.statutoryLimitDays = 20;
  limits.promisedLimitDays = 10;
  limits.supervision = { warnDaysLeft: 3 }; // case: warning after 7 days, overdue after 10, statutory overdue after 20
  limits.process.steps[0].limitDays = 4; // first step: warning after 1 day, overdue after 4
  limits.process.steps[1].limitDays = 3;
  limits.process.steps[2].limitDays = 3;
  const doc: ImplementationDocument = {
    ...base,
    item: { ...base.item, code: 'QR-330000-09999', name: `${base.item.name}（监察时延基准）` },
    implementation: { ...base.implementation, code: supervisionItem.implementationCode, name: `${base.implementation.name}（监察时延基准）` },
    entry,
  };
  const problems = await validateDocument(withFormContent(doc), await loadContext(db));
  if (problems.length) throw new Error(`the supervision benchmark's item is invalid: ${problems.map((p) => `${p.pointer} ${p.detail}`).join('; ')}`);
  await db('service_items').insert({ code: doc.item.code, name: doc.item.name, type: doc.item.type, legal_basis: doc.item.legalBasis }).onConflict('code').ignore();
  await db('implementations').insert({ code: doc.implementation.code, item_code: doc.item.code, department_code: doc.implementation.department, name: doc.implementation.name }).onConflict('code').ignore();
  await db('implementation_versions')
    .insert({ implementation_code: doc.implementation.code, version: 1, state: 'published', entry: JSON.stringify(doc.entry), published_at: db.fn.now(), created_by: 'bench' })
    .onConflict(['implementation_code', 'version'])
    .ignore();
}
