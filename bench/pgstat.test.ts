/** The database counters the benchmark reads (bench/pgstat.ts), on the real PostgreSQL. */
import { expect } from 'chai';
import { createDb, type Db } from '../lib/db';
import { ctx } from '../test/context';
import { perCase, readDbCounters } from './pgstat';

describe('bench: the database counters of a phase (real PostgreSQL)', function () {
  this.timeout(30_000);
  let db: Db;
  before(() => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb, poolMax: 1 });
  });
  after(async () => {
    await db.destroy();
  });

  it('when transactions commit and roll back and rows are written, then the counters grow by at least as much', async function () {
    if (ctx.embeddedDb) this.skip(); // the embedded database keeps no such counters
    const before = await readDbCounters(db, 0);
    await db.raw('create temporary table zz_pgstat (n int)');
    for (let i = 0; i < 3; i++) await db.transaction(async (trx) => { await trx.raw('insert into zz_pgstat select generate_series(1, 5)'); });
    await db.transaction(async (trx) => {
      await trx.raw('update zz_pgstat set n = n + 1 where n <= 2');
      throw new Error('rolled back on purpose');
    }).catch((err: Error) => expect(err.message).to.equal('rolled back on purpose'));
    await db.raw('delete from zz_pgstat where n = 1');
    // This backend publishes its counters when it next goes idle, asked not to wait for the interval.
    await db.raw('select pg_stat_force_next_flush()');
    await new Promise((r) => setTimeout(r, 200));
    const after = await readDbCounters(db, 0);
    expect(after.commits - before.commits).to.be.at.least(5);
    expect(after.rollbacks - before.rollbacks).to.be.at.least(1);
    expect(after.inserted - before.inserted).to.be.at.least(15);
    expect(after.deleted - before.deleted).to.be.at.least(3);
    const per = perCase(before, after, 5);
    expect(per.inserted).to.be.at.least(3);
    await db.raw('drop table zz_pgstat');
  });

  it('when per-case figures are taken, then each counter is the growth over the cases, to one decimal', () => {
    const z = { commits: 0, rollbacks: 0, inserted: 0, updated: 0, deleted: 0, fetched: 0 };
    expect(perCase(z, { commits: 100, rollbacks: 1, inserted: 333, updated: 50, deleted: 0, fetched: 1000 }, 3))
      .to.deep.equal({ commits: 33.3, rollbacks: 0.3, inserted: 111, updated: 16.7, deleted: 0, fetched: 333.3 });
  });
});
