/**
 * A benchmark run never loses its figures: they are on disk as each part ends, teardown failures
 * are written beside them, and the query benchmark (at a few hundred cases, on the real
 * PostgreSQL) hands its figures over before it drops its database and reports a drop that fails
 * instead of throwing. A database still in use is dropped with no more than `CREATEDB`.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../lib/db';
import { ctx } from '../test/context';
import { runQueries, type QueriesResult } from './queries';
import { dropDatabase } from '../lib/drop-database';
import { RunRecord, tearDown } from './results';
import { freshDatabase } from './stack';

describe('bench results survive teardown', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onewindow-bench-'));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

  it('when parts end and teardown fails, then the file holds every figure written so far and the problems beside them', async () => {
    const file = path.join(dir, 'bench.json');
    const record = new RunRecord<{ at: string; e2e?: { casesPerSecond: number }; queries?: { worst: number } }>(file, { at: '2026-01-01T00:00:00Z' });
    expect(read(file)).to.deep.equal({ at: '2026-01-01T00:00:00Z', complete: false });
    record.part('e2e', { casesPerSecond: 3.2 });
    expect(read(file).e2e).to.deep.equal({ casesPerSecond: 3.2 });
    record.part('queries', { worst: 41 });
    const stopped: string[] = [];
    const problems = await tearDown([
      { step: 'stop the dev server', run: () => { stopped.push('dev server'); return Promise.resolve(); } },
      { step: 'drop the database', run: () => Promise.reject(Object.assign(new Error('permission denied to terminate process'), { code: '42501' })) },
      { step: 'stop the worker', run: () => { stopped.push('worker'); return Promise.resolve(); } },
    ], (p) => record.teardownFailed(p.step, p.error));
    record.finish();
    expect(stopped, 'the steps after the failing one still ran, latest first').to.deep.equal(['worker', 'dev server']);
    expect(problems).to.deep.equal([{ step: 'drop the database', error: 'permission denied to terminate process (42501)' }]);
    expect(read(file)).to.deep.equal({
      at: '2026-01-01T00:00:00Z', e2e: { casesPerSecond: 3.2 }, queries: { worst: 41 }, complete: true,
      teardownProblems: [{ step: 'drop the database', error: 'permission denied to terminate process (42501)' }],
    });
    expect(fs.readdirSync(dir), 'no temporary file left behind').to.deep.equal(['bench.json']);
  });

  it('when the query benchmark cannot drop its database, then its figures were handed over first and the failure comes back with them', async function () {
    if (ctx.embeddedDb) this.skip(); // the benchmark creates databases on a PostgreSQL server
    const name = `onewindow_bench_t${process.pid}`;
    const fresh = await freshDatabase(ctx.databaseUrl, name);
    let dropped = false;
    const file = path.join(dir, 'queries.json');
    const record = new RunRecord<{ queries?: QueriesResult }>(file, {});
    let figuresOnDiskAtDrop: QueriesResult | undefined;
    try {
      const r = await runQueries(ctx.databaseUrl, 400, {
        database: () => Promise.resolve({
          db: fresh.db,
          // What a fresh PostgreSQL told the CREATEDB role when an autovacuum worker was busy in the seeded database.
          drop: () => {
            figuresOnDiskAtDrop = read(file).queries;
            return Promise.reject(Object.assign(new Error(`drop database ${name} with (force) - permission denied to terminate process`), { code: '42501' }));
          },
        }),
        onFigures: (q) => record.part('queries', q),
      });
      expect(figuresOnDiskAtDrop?.results.map((q) => q.query)).to.include('indicators by department, whole year');
      expect(figuresOnDiskAtDrop?.results.every((q) => q.runs >= 5 && q.p95ms >= q.p50ms)).to.equal(true);
      expect(r.cases).to.equal(400);
      expect(r.teardownProblems).to.deep.equal([{ step: 'drop the query benchmark\'s database', error: `drop database ${name} with (force) - permission denied to terminate process (42501)` }]);
      await fresh.drop();
      dropped = true;
    } finally {
      if (!dropped) await fresh.drop().catch(() => undefined);
    }
  });

  it('when a session is still connected to a database, then it is dropped all the same; an odd name is refused', async function () {
    if (ctx.embeddedDb) this.skip();
    const admin = createDb({ url: ctx.databaseUrl, poolMax: 1 });
    const name = `onewindow_drop_t${process.pid}`;
    let lingering: Db | undefined;
    try {
      await admin.raw(`create database ${name}`);
      const u = new URL(ctx.databaseUrl);
      u.pathname = `/${name}`;
      lingering = createDb({ url: u.toString(), poolMax: 1 });
      await lingering.raw('select 1'); // a pooled connection stays open in the database
      await dropDatabase(admin, name, { pauseMs: 100 });
      const { rows } = await admin.raw<{ rows: unknown[] }>('select 1 from pg_database where datname = ?', [name]);
      expect(rows).to.have.length(0);
      let refused: unknown;
      await dropDatabase(admin, 'x; drop table cases').catch((err: unknown) => { refused = err; });
      expect(refused).to.be.instanceOf(TypeError);
    } finally {
      await lingering?.destroy().catch(() => undefined);
      await admin.raw(`drop database if exists ${name} with (force)`).catch(() => undefined);
      await admin.destroy();
    }
  });
});
