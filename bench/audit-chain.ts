/**
 * `npm run bench:audit`: how many audit rows a second the audit chain lets the whole platform
 * write. Every audit row takes the chain's one advisory lock (migration 010) and holds it until its
 * transaction commits, so rows are written one after another however many API replicas and
 * workers write them. This writes single-row transactions (as the API's audit rows are written)
 * from 1, 4 and 16 connections for a few seconds each, into `audit_log` and, for comparison, into
 * a table of the same shape without the chain, on a fresh database (`onewindow_bench_audit`, from
 * DATABASE_URL; the role needs CREATEDB). Figures go to stdout and to bench/results/audit-chain.json
 * as each is taken; a database that cannot be dropped afterwards is reported beside them.
 *
 *   DATABASE_URL=postgres://… npm run bench:audit -- [seconds per figure, default 5]
 */
import path from 'node:path';
import { migrate, type Db } from '../lib/db';
import { ConfigError } from '../lib/errors';
import { runMain } from '../lib/runtime';
import { positiveIntegerArg } from './args';
import { machineAtStart, RunRecord, tearDown, type Machine } from './results';
import { freshDatabase, resultsDir } from './stack';

interface Figure {
  writers: number;
  /** Rows a second into audit_log (chained). */
  chained: number;
  /** Rows a second of the same shape into a table without the chain. */
  plain: number;
}

async function writeFor(db: Db, table: string, writers: number, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let rows = 0;
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; Date.now() < end; i++) {
      await db(table).insert({ actor: `bench:${w}`, action: 'bench.audit', case_no: null, detail: JSON.stringify({ w, i }) });
      rows += 1;
    }
  }));
  return rows / (ms / 1000);
}

runMain('bench-audit', async () => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new ConfigError('npm run bench:audit needs DATABASE_URL (a PostgreSQL server; the role needs CREATEDB)');
  const seconds = positiveIntegerArg(0, 5, 'the seconds per figure');
  const machine = machineAtStart();
  const record = new RunRecord<{ at: string; seconds: number; machine: Machine; figures: Figure[] }>(path.join(resultsDir, 'audit-chain.json'), { at: new Date().toISOString(), seconds, machine, figures: [] });
  const database = await freshDatabase(url, 'onewindow_bench_audit', 17);
  try {
    await migrate(database.db);
    await database.db.raw('create table plain (id bigserial primary key, at timestamptz not null default now(), actor text not null, action text not null, case_no text, detail jsonb not null)');
    console.log(`Audit rows a second, single-row transactions, ${seconds} s a figure, on ${machine.cpus} × ${machine.cpuModel ?? 'CPU'}, load ${machine.loadAverageAtStart.join(' / ')}\n`);
    console.log('| writers | audit_log (chained) | same row, no chain |\n|---:|---:|---:|');
    for (const writers of [1, 4, 16]) {
      const figure = { writers, chained: await writeFor(database.db, 'audit_log', writers, seconds * 1000), plain: await writeFor(database.db, 'plain', writers, seconds * 1000) };
      record.part('figures', [...record.current.figures, figure]);
      console.log(`| ${writers} | ${figure.chained.toFixed(0)} | ${figure.plain.toFixed(0)} |`);
    }
  } finally {
    await tearDown([{ step: 'drop the audit benchmark\'s database', run: () => database.drop() }], (p) => record.teardownFailed(p.step, p.error));
  }
  record.finish();
  console.log(`\n(also in ${path.relative(process.cwd(), record.file)})`);
  if (record.teardownProblems.length) {
    process.stderr.write(`bench: the figures above are kept, but tearing down failed: ${record.teardownProblems.map((p) => `${p.step}: ${p.error}`).join('; ')}\n`);
    process.exitCode = 1;
  }
});
