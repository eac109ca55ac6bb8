/**
 * 同源发布 as seen from here: how many nodes wait, were delivered or were refused by the provincial
 * platform, the refused ones (they hold back their case's later nodes until an operator acts),
 * and the latest daily reconciliations with the node ids found missing there.
 */
import type { Db } from '../../lib/db';

export async function exchangeStatus(db: Db, limit: number) {
  const [counts, refused, reconciliations] = await Promise.all([
    db('exchange_outbox').groupBy('state').select<{ state: string; n: string }[]>('state', db.raw('count(*) as n')),
    db('exchange_outbox').where({ state: 'refused' }).orderBy('id').limit(limit)
      .select<{ node_id: string; case_no: string; node: string; attempts: number; last_error: string | null }[]>('node_id', 'case_no', 'node', 'attempts', 'last_error'),
    db('exchange_reconciliations').orderBy('day', 'desc').limit(limit)
      .select<{ day: Date | string; local_count: number; remote_count: number; missing: string[]; checked_at: Date }[]>('*'),
  ]);
  const n = (state: string) => Number(counts.find((c) => c.state === state)?.n ?? 0);
  const day = (d: Date | string) => (typeof d === 'string' ? d : new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString()).slice(0, 10);
  return {
    outbox: { pending: n('pending'), delivered: n('delivered'), refused: n('refused') },
    refused: refused.map((r) => ({ nodeId: r.node_id, caseNo: r.case_no, node: r.node, attempts: r.attempts, lastError: r.last_error })),
    reconciliations: reconciliations.map((r) => ({ day: day(r.day), localCount: r.local_count, remoteCount: r.remote_count, missing: r.missing, checkedAt: new Date(r.checked_at).toISOString() })),
  };
}
