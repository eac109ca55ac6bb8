/**
 * What the database did for a phase, from PostgreSQL's own counters for the benchmark's database
 * (`pg_stat_database`, always there, no extension needed): transactions and rows, per case. The
 * counters are the backends' own, which each backend publishes when it goes idle, but not twice
 * within a second: what it did just after a publication waits for its next idle moment or ten
 * seconds (PostgreSQL 15's PGSTAT_IDLE_INTERVAL), so a reading waits eleven seconds first.
 */
import type { Db } from '../lib/db';

export interface DbCounters {
  commits: number;
  rollbacks: number;
  inserted: number;
  updated: number;
  deleted: number;
  /** Rows returned by index and sequential scans (what the statements read). */
  fetched: number;
}

const PUBLISH_DELAY_MS = 11_000;

export async function readDbCounters(db: Db, settleMs = PUBLISH_DELAY_MS): Promise<DbCounters> {
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  const { rows } = await db.raw<{ rows: Record<keyof DbCounters, string>[] }>(`
    select xact_commit as commits, xact_rollback as rollbacks, tup_inserted as inserted, tup_updated as updated,
           tup_deleted as deleted, tup_fetched as fetched
      from pg_stat_database where datname = current_database()`);
  const r = rows[0];
  return { commits: Number(r.commits), rollbacks: Number(r.rollbacks), inserted: Number(r.inserted), updated: Number(r.updated), deleted: Number(r.deleted), fetched: Number(r.fetched) };
}

/** The counters' growth between two readings, per case, to one decimal. */
export function perCase(before: DbCounters, after: DbCounters, cases: number): DbCounters {
  const per = (k: keyof DbCounters) => Math.round(((after[k] - before[k]) / cases) * 10) / 10;
  return { commits: per('commits'), rollbacks: per('rollbacks'), inserted: per('inserted'), updated: per('updated'), deleted: per('deleted'), fetched: per('fetched') };
}
