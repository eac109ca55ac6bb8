/**
 * `GET /api/health`: whether this API process can reach what it needs. The database is required
 * (503 `unavailable` without it, so a balancer takes the process out); Temporal is reported in its
 * own field (without it reads still work, so the process stays in with status `degraded`).
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../lib/db';

export interface Health {
  status: 'ok' | 'degraded' | 'unavailable';
  database: 'ok' | 'unreachable';
  temporal: 'ok' | 'unreachable';
}

/** How long each probe may take before its service counts as unreachable. */
const probeMs = 2_000;

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('probe timed out')), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

export async function health(db: Db, client: Client): Promise<Health> {
  const [database, temporal] = await Promise.all([
    within(probeMs, db.raw('select 1')).then(() => 'ok' as const, () => 'unreachable' as const),
    client.withDeadline(Date.now() + probeMs, () => client.workflowService.getSystemInfo({})).then(() => 'ok' as const, () => 'unreachable' as const),
  ]);
  const status = database === 'unreachable' ? 'unavailable' : temporal === 'unreachable' ? 'degraded' : 'ok';
  return { status, database, temporal };
}
