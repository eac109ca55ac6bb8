/**
 * `npm run bench:projection`: what the read model's writes cost per case, free of the Temporal
 * server, the API and the simulators that make the full bench noisy. Applies the 16 projection
 * batches one recorded case of the bench's item wrote (bench/fixtures/projection-case.json: the
 * second engine's `applyProjection` calls, in order), for many cases one after another, two ways
 * in alternating runs on one connection:
 *
 * - statement by statement in a knex transaction (how every batch was written before session 20);
 * - written behind (lib/statements.ts, how the worker writes them now).
 *
 * Prints, per case: round trips to PostgreSQL, this process's CPU, the PostgreSQL backend's CPU
 * (from /proc, so on the same machine) and the wall time. Needs DATABASE_URL (a role with CREATEDB).
 *
 *   DATABASE_URL=postgres://… npm run bench:projection -- [cases per run, default 200] [runs per way, default 3]
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../lib/config';
import { ConfigError } from '../lib/errors';
import { runMain } from '../lib/runtime';
import { direct } from '../lib/statements';
import { applyOps, inProjection, inProjectionBatch, type ProjectionOp } from '../activities/projection';
import { positiveIntegerArg } from './args';
import { cpuSeconds } from './procstat';
import { machineAtStart, RunRecord, tearDown } from './results';
import { freshDatabase, prepareDatabase, resultsDir } from './stack';

interface Recorded {
  caseNo: string;
  batches: { caseNo: string; ops: ProjectionOp[] }[];
}

interface Figure {
  way: 'statement by statement' | 'written behind';
  cases: number;
  roundTripsPerCase: number;
  clientCpuMsPerCase: number;
  backendCpuMsPerCase: number;
  wallMsPerCase: number;
}

type Way = Figure['way'];

runMain('bench-projection', async () => {
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError('bench:projection needs DATABASE_URL (a PostgreSQL server whose role may create databases)');
  const cases = positiveIntegerArg(0, 200, 'the cases per run');
  const runs = positiveIntegerArg(1, 3, 'the runs of each way');
  const recorded = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'projection-case.json'), 'utf8')) as Recorded;
  const record = new RunRecord(path.join(resultsDir, 'projection.json'), { machine: machineAtStart(), cases, runs, figures: [] as Figure[], median: {} });
  const database = await freshDatabase(config.databaseUrl, 'onewindow_bench_projection', 1);
  // Every statement, however sent, is one call of the driver's query (one round trip).
  let trips = 0;
  const proto = pg.Client.prototype as unknown as { query: (this: pg.Client, ...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    trips += 1;
    return query.apply(this, args);
  };
  try {
    await prepareDatabase(database.db, 'bench-projection-password');
    const [{ pid }] = (await database.db.raw<{ rows: { pid: number }[] }>('select pg_backend_pid() as pid')).rows;
    const template = JSON.stringify(recorded.batches);
    let serial = 0;
    const nextCase = (): Recorded['batches'] => {
      serial += 1;
      const caseNo = `9${String(Date.now()).slice(-8)}${String(serial).padStart(13, '0')}`;
      return JSON.parse(template.replaceAll(recorded.caseNo, caseNo)) as Recorded['batches'];
    };
    const apply = (way: Way, batch: Recorded['batches'][number]) => way === 'written behind'
      ? inProjectionBatch(database.db, (s, last) => applyOps(s, batch.ops, last))
      : inProjection(database.db, (trx, last) => applyOps(direct(trx), batch.ops, last));

    async function run(way: Way, n: number): Promise<Figure> {
      const work = Array.from({ length: n }, nextCase);
      const backend0 = cpuSeconds(pid) ?? NaN;
      const cpu0 = process.cpuUsage();
      const trips0 = trips;
      const t0 = performance.now();
      for (const batches of work) for (const b of batches) await apply(way, b);
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const backend = (cpuSeconds(pid) ?? NaN) - backend0;
      const r = (x: number) => Math.round(x * 100) / 100;
      return { way, cases: n, roundTripsPerCase: r((trips - trips0) / n), clientCpuMsPerCase: r((cpu.user + cpu.system) / 1000 / n), backendCpuMsPerCase: r((backend * 1000) / n), wallMsPerCase: r(wall / n) };
    }

    await run('statement by statement', 20); // warm-up: plans, caches, JIT
    await run('written behind', 20);
    const figures: Figure[] = [];
    for (let i = 0; i < runs; i++) {
      const order: Way[] = i % 2 === 0 ? ['statement by statement', 'written behind'] : ['written behind', 'statement by statement'];
      for (const way of order) {
        const f = await run(way, cases);
        figures.push(f);
        record.part('figures', [...figures]);
        console.log(`${way}: ${f.roundTripsPerCase} round trips, client CPU ${f.clientCpuMsPerCase} ms, PostgreSQL CPU ${f.backendCpuMsPerCase} ms, wall ${f.wallMsPerCase} ms a case`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const summary: Partial<Record<Way, Omit<Figure, 'way' | 'cases'>>> = {};
    for (const way of ['statement by statement', 'written behind'] as Way[]) {
      const of = figures.filter((f) => f.way === way);
      summary[way] = {
        roundTripsPerCase: median(of.map((f) => f.roundTripsPerCase)), clientCpuMsPerCase: median(of.map((f) => f.clientCpuMsPerCase)),
        backendCpuMsPerCase: median(of.map((f) => f.backendCpuMsPerCase)), wallMsPerCase: median(of.map((f) => f.wallMsPerCase)),
      };
      const m = summary[way];
      console.log(`median, ${way}: ${m.roundTripsPerCase} round trips, client CPU ${m.clientCpuMsPerCase} ms, PostgreSQL CPU ${m.backendCpuMsPerCase} ms, wall ${m.wallMsPerCase} ms a case`);
    }
    record.part('median', summary);
    record.finish();
  } finally {
    proto.query = query;
    const problems = await tearDown([{ step: 'drop the benchmark database', run: () => database.drop() }], (p) => record.teardownFailed(p.step, p.error));
    for (const p of problems) console.error(`teardown: ${p.step} failed: ${p.error}`);
  }
});
