/**
 * Telling the open cases of a calendar change, on the real database: the first pass reaches
 * every open case the change touches; the second reaches a case whose row appeared after the
 * first pass looked (started with the calendar read just before the change), and only cases whose
 * rows changed since the change began; and both reach a case filed whose row is not written yet.
 */
import { expect } from 'chai';
import { createDb, type Db } from '../lib/db';
import { ctx } from '../test/context';
import { tellOpenCases } from './calendar';
import { createProjectionActivities } from './projection';

describe('telling open cases of a calendar change (real database)', function () {
  this.timeout(60_000);
  let db: Db;
  const prefix = `7741${String(Date.now()).slice(-8)}`;
  const caseNo = (i: number) => `${prefix}${String(i).padStart(10, '0')}`;

  before(() => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb, poolMax: 2 });
  });
  after(async () => {
    await db?.destroy();
  });

  async function fileRow(no: string, at: string): Promise<void> {
    await createProjectionActivities(db).recordCaseEvent({
      caseNo: no, seq: 1, type: 'filed', at, patch: { status: 'filed' },
      create: {
        implementationCode: 'ZZ-CAL-1.zz-cal', implementationVersion: 1, itemCode: 'ZZ-CAL-1', itemName: '日历测试事项', department: 'zz-cal', channel: 'online',
        applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' }, formData: {}, filedAt: at, caseType: 'promised', statutoryLimitDays: 20, promisedLimitDays: 10,
      },
    });
  }

  async function pass(changedSince: Date | null): Promise<string[]> {
    const told: string[] = [];
    const progress = { pass: 1, after: prefix, signalled: 0, closed: 0 };
    await tellOpenCases(db, {
      from: new Date('2000-01-01T00:00:00+08:00'), changedSince, progress, heartbeat: () => undefined,
      signal: (no) => { if (no.startsWith(prefix)) told.push(no); return Promise.resolve('signalled'); },
    });
    return told.filter((no) => no.startsWith(prefix));
  }

  it('when a case\'s row appears after the first pass, then the second pass tells it, and leaves alone the cases unchanged since the change began', async () => {
    const longAgo = new Date(Date.now() - 3_600_000).toISOString();
    await fileRow(caseNo(1), longAgo);
    await fileRow(caseNo(2), longAgo);
    const began = new Date(Date.now() - 60_000);
    expect(await pass(null)).to.deep.equal([caseNo(1), caseNo(2)]);
    // Filed with the old calendar; its first workflow task wrote its row only now.
    await fileRow(caseNo(3), new Date().toISOString());
    expect(await pass(began)).to.deep.equal([caseNo(3)]);
  });

  it('when a case is filed and its workflow started but its first workflow task has not run yet (no row in the read model), then every pass tells it', async () => {
    await db('case_filings').insert({ idempotency_key: `auto:${caseNo(4)}`, case_no: caseNo(4), request_hash: 'x'.repeat(64), input: JSON.stringify({ caseNo: caseNo(4) }) });
    expect(await pass(null)).to.include(caseNo(4));
    expect(await pass(new Date())).to.deep.equal([caseNo(4)]);
  });
});
