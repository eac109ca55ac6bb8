import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'chai';
import { createDb, type Db } from '../lib/db';
import { ctx } from '../test/context';
import { UNSTORABLE } from '../workflows/definitions';
import { classifyFailures } from './classify';
import { createProjectionActivities } from './projection';

describe('activities: what a retry cannot fix fails for good (real PostgreSQL)', () => {
  let db: Db;
  before(() => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb });
  });
  after(async () => {
    await db.destroy();
  });

  for (const [what, text] of [['a NUL character', 'a\u0000b'], ['a lone surrogate', 'x\ud800y']] as const) {
    it(`when a projection holds ${what}, then the activity fails non-retryably as ${UNSTORABLE} and nothing is written`, async () => {
      const acts = classifyFailures(createProjectionActivities(db));
      const caseNo = `9999992026112900${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
      let failure: unknown;
      try {
        await acts.recordCaseEvent({ caseNo, seq: 1, type: 'note', at: new Date().toISOString(), payload: { opinion: text } });
      } catch (err) {
        failure = err;
      }
      expect(failure).to.be.instanceOf(ApplicationFailure);
      expect(failure).to.include({ type: UNSTORABLE, nonRetryable: true });
      // Refused for the text itself (a data exception, SQLSTATE class 22), not for anything else.
      expect((failure as Error).message, (failure as Error).message).to.match(/\(22[0-9A-Z]{3}: /);
      expect(await db('case_events').where({ case_no: caseNo }).count<{ c: string }[]>('* as c')).to.deep.equal([{ c: '0' }]);
    });
  }

  it('when the database is merely unreachable, then the failure is left to Temporal\'s retries', async function () {
    this.timeout(30_000);
    const down = createDb({ url: 'postgres://nobody:nothing@127.0.0.1:1/none' });
    const acts = classifyFailures(createProjectionActivities(down));
    try {
      await acts.closeTask({ taskId: 't', status: 'done', outcome: { action: null, opinion: '', by: 'x' }, closedAt: new Date().toISOString() });
      expect.fail('should not reach the database');
    } catch (err) {
      expect(err).not.to.be.instanceOf(ApplicationFailure);
    } finally {
      await down.destroy();
    }
  });
});
