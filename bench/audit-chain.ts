/**
 * `npm run bench:audit`: how many audit rows a second the audit chain lets the whole platform
 * write. Every audit row takes the chain's one advisory lock (migration 010) and holds it until its
 * transaction commits, so rows are written one after another however many API replicas and
 * workers write them. This writes single-row transactions (as the API's audit rows are written)
 * from 1, 4 and 16 connections for a few seconds each, into `audit_log` and, for comparison, into
 * a table of the same shape without the chain, on a fresh database (`onewindow_bench_audit`, from
 * DATABASE_URL; the role needs CREATEDB). Figures go to stdout and bench/results/audit-chain.json.
 *
 *   DATABASE_URL=postgres://… npm run bench:audit -- [seconds per figure, default 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, type Db } from '../lib/db';
import { ConfigError } from '../lib/errors';
import { runMain } from '../lib/runtime';
import { freshDatabase, resultsDir } from './stack';

interface Figure {
  table: 'audit_log' | 'plain';
  writers: number;
  rowsPerSecond: number;
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
  const seconds = Number(process.argv[2] ?? 5);
  const database = await freshDatabase(url, 'onewindow_bench_audit', 17);
  const figures: Figure[] = [];
  try {
    await migrate(database.db);
    await database.db.raw('create table plain (id bigserial primary key, at timestamptz not null default now(), actor text not null, action text not null, case_no text, detail jsonb not null)');
    console.log(`Audit rows a second, single-row transactions, ${seconds} s a figure, on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}\n`);
    console.log('| writers | audit_log (chained) | same row, no chain |\n|---:|---:|---:|');
    for (const writers of [1, 4, 16]) {
      const chained = await writeFor(database.db, 'audit_log', writers, seconds * 1000);
      const plain = await writeFor(database.db, 'plain', writers, seconds * 1000);
      figures.push({ table: 'audit_log', writers, rowsPerSecond: chained }, { table: 'plain', writers, rowsPerSecond: plain });
      console.log(`| ${writers} | ${chained.toFixed(0)} | ${plain.toFixed(0)} |`);
    }
  } finally {
    await database.drop();
  }
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'audit-chain.json'), `${JSON.stringify({ at: new Date().toISOString(), seconds, figures }, null, 2)}\n`);
});
