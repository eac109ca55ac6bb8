import { expect } from 'chai';
import { createDb, type Db } from '../db';
import { ctx } from '../../test/context';
import { sampleDocuments } from '../../db/seed';
import { checkHallConfig, hallConfigs, hallWarnings, type HallConfig } from './config';
import { workdayHours } from './slots';

describe('a hall\'s configuration (db/halls/)', () => {
  let db: Db;
  before(() => { db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb }); });
  after(async () => { await db?.destroy(); });

  it('when the shipped halls are checked, then they are valid and each category\'s items and opening hours are in the sample catalogue', async () => {
    const halls = hallConfigs();
    expect(halls.map((h) => h.code)).to.include('xh-zwfw');
    const docs = sampleDocuments();
    for (const h of halls) {
      expect(await checkHallConfig(db, h), h.code).to.deep.equal([]);
      for (const c of h.categories) {
        const entries = c.items.map((code) => docs.find((d) => d.implementation.code === code));
        expect(entries.every(Boolean), `${h.code} ${c.code}: items`).to.equal(true);
        const windows = entries.flatMap((d) => (d?.entry.windows ?? []) as { name: string; hours: string }[]);
        const hours = windows.find((w) => w.name === c.entryWindow)?.hours ?? '';
        expect(workdayHours(hours), `${h.code} ${c.code}: opening hours`).to.not.deep.equal([]);
      }
    }
  });

  it('when a file is wrong, then each problem is named; an entry missing from the catalogue is a warning only', async () => {
    const good = hallConfigs().find((h) => h.code === 'xh-zwfw') as HallConfig;
    expect(await checkHallConfig(db, { ...good, code: 'no-such-department' })).to.deep.equal(['no department no-such-department']);
    expect(await checkHallConfig(db, { ...good, windows: [...good.windows, { number: 1, name: '重复', categories: ['Q'] }] })).to.deep.equal(['window 1 is listed twice', 'window 1: no category Q']);
    expect((await checkHallConfig(db, { ...good, categories: [] }))[0]).to.match(/categories/);
    const missing = { ...good, categories: [{ ...good.categories[0], items: ['XX-000000-00000.none'], entryWindow: '不存在的窗口' }], windows: [{ number: 1, name: '1号窗口', categories: ['A'] }] };
    expect(await checkHallConfig(db, missing)).to.deep.equal([]);
    expect(await hallWarnings(db, missing)).to.deep.equal(['category A: no published entry XX-000000-00000.none', 'category A: none of its entries has a window named 不存在的窗口, so it offers no appointments']);
  });
});
