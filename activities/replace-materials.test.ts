import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'chai';
import { createDb, type Db } from '../lib/db';
import { createPlatforms } from '../lib/platforms';
import { ctx } from '../test/context';
import { createActivities } from '.';

describe('replaceMaterials before the case is in the read model', () => {
  let db: Db;
  before(() => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb });
  });
  after(async () => {
    await db?.destroy();
  });

  it('when its workflow task was completed before the projection committed, then it fails retryably and stores nothing (Temporal tries again)', async () => {
    // Nothing listens on port 1: had the activity gone on to the certificate platform, the error would say so.
    const nowhere = 'http://127.0.0.1:1';
    const platforms = createPlatforms({ urls: { identity: nowhere, certificates: nowhere, payment: nowhere, logistics: nowhere, departments: nowhere, messaging: nowhere, province: nowhere }, secret: 'replace-test', departmentCodes: [] });
    const acts = createActivities({ db, platforms });
    const caseNo = `33010620261129${String(Date.now() % 100_000_000).padStart(8, '0')}`;
    const material = { id: 'm-id-card', name: '居民身份证', certificateType: 'resident-id-card' } as unknown as Parameters<typeof acts.replaceMaterials>[0]['materials'][number];
    const err = await acts.replaceMaterials({ caseNo, holderIds: ['330106199003073514'], materials: [material], at: new Date().toISOString() }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect(err).to.not.be.instanceOf(ApplicationFailure);
    expect((err as Error).message).to.equal(`case ${caseNo} is not in the read model yet; replaceMaterials waits for its projection`);
    expect(await db('certificate_replacements').where({ case_no: caseNo })).to.deep.equal([]);
  });
});
