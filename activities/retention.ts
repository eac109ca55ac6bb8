/**
 * The retention job's one activity: deletes operational records older than the retention (at
 * least 180 days, RETENTION_DAYS): ended sessions, SMS sign-in challenges (they hold an ID
 * number), webhook attempts and finished webhook deliveries. It never touches the audit log: the
 * security record (sign-ins and refusals, privacy full views, administrators' actions, every
 * case event) is the append-only, hash-chained audit_log, kept for good (a trigger refuses any
 * delete). Deletes go in batches, so no statement holds many rows.
 */
import type { Db } from '../lib/db';
import { log } from '../lib/log';

/** The shortest retention the platform accepts (等保三级: security logs kept at least six months). */
export const minRetentionDays = 180;

export interface RetentionSummary {
  cutoff: string;
  sessions: number;
  loginChallenges: number;
  webhookAttempts: number;
  webhookDeliveries: number;
}

async function inBatches(db: Db, sql: string, bindings: Date[], batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await db.raw<{ rowCount: number | null }>(sql, [...bindings, batch]);
    const n = r.rowCount ?? 0;
    total += n;
    if (n < batch) return total;
  }
}

/** Deletes what is older than `days` (never less than 180) before `now`; returns what went. */
export async function pruneOperationalRecords(db: Db, days: number, now = new Date()): Promise<RetentionSummary> {
  const keep = Math.max(minRetentionDays, Math.floor(days));
  const cutoff = new Date(now.getTime() - keep * 86_400_000);
  const summary: RetentionSummary = {
    cutoff: cutoff.toISOString(),
    sessions: await inBatches(db, 'delete from sessions where token_hash in (select token_hash from sessions where expires_at < ? limit ?)', [cutoff]),
    loginChallenges: await inBatches(db, 'delete from login_challenges where request_id in (select request_id from login_challenges where expires_at < ? limit ?)', [cutoff]),
    webhookAttempts: await inBatches(db, `delete from webhook_attempts where id in (
      select a.id from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id
      where a.at < ? and d.state <> 'pending' limit ?)`, [cutoff]),
    webhookDeliveries: await inBatches(db, `delete from webhook_deliveries where id in (
      select d.id from webhook_deliveries d where d.created_at < ? and d.state <> 'pending'
      and not exists (select 1 from webhook_attempts a where a.delivery_id = d.id) limit ?)`, [cutoff]),
  };
  log().info({ ...summary, retentionDays: keep }, 'retention: old operational records deleted');
  return summary;
}

export function createRetentionActivities(db: Db) {
  return {
    /** The retention job (retentionWorkflow, daily by its schedule). */
    async pruneOperationalRecords(input: { days: number }): Promise<RetentionSummary> {
      return pruneOperationalRecords(db, input.days);
    },
  };
}
