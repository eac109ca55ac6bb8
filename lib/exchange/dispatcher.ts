/**
 * Delivers the exchange outbox to the provincial platform, in order per case: a node is sent only
 * once every earlier node of its case is delivered, and the next one right after it. Each push
 * carries the node id as its idempotency key, so a retry after a lost answer is held once there.
 * A transient fault (5xx, timeout) is retried with backoff (1 s doubling to 5 minutes) for as long
 * as it takes; a refusal (4xx) marks the node `refused`, which holds back the case's later nodes
 * until an operator acts (it is in the reconciliation's answer). Rows are leased with
 * `for update skip locked`, so several worker processes share the work.
 *
 * Once a day (after 02:00 China time) it reconciles the day before with the provincial side's
 * list: nodes delivered here but not held there are queued again (see `reconcileExchange`).
 */
import type { NodeRecord, ProvincialExchange } from '../../adapters/province';
import { AdapterRefusal } from '../../adapters/errors';
import type { Db } from '../db';
import { PollingLoop } from '../polling-loop';
import { ThrottledLog } from '../throttled-log';

/** An error in one line: a query's error without its SQL (knex puts the statement first). */
export function briefError(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  const i = m.lastIndexOf(' - ');
  return (i >= 0 ? m.slice(i + 3) : m).replace(/\s+/g, ' ').slice(0, 300);
}

export interface ExchangeDispatcherOptions {
  db: Db;
  province: ProvincialExchange;
  pollMs?: number;
  /** First retry wait; doubles per attempt up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Reconcile yesterday once a day; off in tests that reconcile on their own. */
  dailyReconciliation?: boolean;
}

interface Leased {
  id: string;
  case_no: string;
  seq: number;
  node_id: string;
  record: NodeRecord;
  attempts: number;
}

/** Leases the rows of the CTE `due` for a minute and returns them. */
const leaseDue = `
  update exchange_outbox o set next_attempt_at = now() + interval '60 seconds'
  from due where o.id = due.id
  returning o.id, o.case_no, o.seq, o.node_id, o.record, o.attempts`;

/** No earlier node of `o`'s case is undelivered (`and …`: more conditions on the earlier node `p`). */
const earlierAllDelivered = (and = '') => `not exists (select 1 from exchange_outbox p where p.case_no = o.case_no and p.seq < o.seq and p.state <> 'delivered'${and})`;

/** The next undelivered node of each case whose earlier nodes are all delivered, leased for a minute. */
const leaseSql = `
  with due as (
    select o.id from exchange_outbox o
    where o.state = 'pending' and o.next_attempt_at <= now() and ${earlierAllDelivered()}
    order by o.id limit ? for update skip locked
  )${leaseDue}`;

/**
 * Marks a pushed node delivered and leases its case's next node, in one statement (one round trip
 * a node instead of two). The lease reads the snapshot from before the mark, where the delivered
 * node is still pending, so that node is left out of the "earlier node not delivered" test by id.
 */
const deliveredThenNextSql = `
  with done as (
    update exchange_outbox set state = 'delivered', attempts = ?, delivered_at = now(), last_error = null
     where id = ? returning id, case_no, seq
  ),
  due as (
    select o.id from exchange_outbox o join done d on d.case_no = o.case_no
    where o.state = 'pending' and o.next_attempt_at <= now() and o.seq > d.seq and ${earlierAllDelivered(' and p.id <> d.id')}
    order by o.seq limit 1 for update of o skip locked
  )${leaseDue}`;

/** A China day (YYYY-MM-DD) `days` before today's. */
export function chinaDayBefore(days: number, now = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000 - days * 86_400_000).toISOString().slice(0, 10);
}

export interface ReconciliationResult {
  day: string;
  localCount: number;
  remoteCount: number;
  /** Node ids delivered here and not held there: queued again. */
  missing: string[];
  /** Nodes of that day not delivered yet (pending) or refused by the provincial side. */
  undelivered: { nodeId: string; state: string; lastError: string | null }[];
}

/**
 * Compares one China day's delivered nodes with the provincial side's list for that day; the nodes
 * it lacks are queued again (the dispatcher re-sends them, with the same key). Kept in
 * `exchange_reconciliations`.
 */
export async function reconcileExchange(db: Db, province: ProvincialExchange, day: string): Promise<ReconciliationResult> {
  const remote = await province.dayList(day);
  const held = new Set(remote.nodeIds);
  const rows = await db('exchange_outbox').whereRaw('china_day(at) = ?::date', [day]).orderBy(['case_no', 'seq'])
    .select<{ node_id: string; state: string; last_error: string | null }[]>('node_id', 'state', 'last_error');
  const delivered = rows.filter((r) => r.state === 'delivered');
  const missing = delivered.filter((r) => !held.has(r.node_id)).map((r) => r.node_id);
  await db.transaction(async (trx) => {
    if (missing.length) {
      await trx('exchange_outbox').whereIn('node_id', missing).andWhere({ state: 'delivered' })
        .update({ state: 'pending', next_attempt_at: trx.fn.now(), delivered_at: null, resent: trx.raw('resent + 1') });
    }
    await trx('exchange_reconciliations').insert({ day, local_count: delivered.length, remote_count: remote.count, missing: JSON.stringify(missing), checked_at: trx.fn.now() })
      .onConflict('day').merge();
  });
  const undelivered = rows.filter((r) => r.state !== 'delivered').map((r) => ({ nodeId: r.node_id, state: r.state, lastError: r.last_error }));
  return { day, localCount: delivered.length, remoteCount: remote.count, missing, undelivered };
}

export class ExchangeDispatcher {
  private readonly loop: PollingLoop;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly failures = new ThrottledLog(60_000, (line) => console.error(line));

  constructor(private readonly o: ExchangeDispatcherOptions) {
    this.baseDelayMs = o.baseDelayMs ?? 1000;
    this.maxDelayMs = o.maxDelayMs ?? 300_000;
    this.loop = new PollingLoop({
      everyMs: o.pollMs ?? 1000,
      tick: () => this.runOnce().then(() => this.o.dailyReconciliation === false ? undefined : this.maybeReconcile()),
      onError: (err) => this.failures.report(`[exchange] dispatch failed: ${briefError(err)}`),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling; resolves once the poll under way has ended. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Delivers what is due now, each case's nodes one after another; returns how many pushes were made. */
  async runOnce(cases = 20): Promise<number> {
    const { rows } = await this.o.db.raw<{ rows: Leased[] }>(leaseSql, [cases]);
    const counts = await Promise.all(rows.map((r) => this.deliverCase(r)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Sends `first`, then the case's next nodes while each is delivered (each mark leasing the next). */
  private async deliverCase(first: Leased): Promise<number> {
    let n = 0;
    for (let row: Leased | undefined = first; row && !this.loop.stopped; ) {
      n += 1;
      const pushed = await this.deliver(row);
      if (!pushed.delivered) break;
      row = pushed.next;
    }
    return n;
  }

  /** One push; when delivered, the case's next node comes back leased (or none is due). */
  private async deliver(row: Leased): Promise<{ delivered: true; next?: Leased } | { delivered: false }> {
    const { db, province } = this.o;
    const attempts = row.attempts + 1;
    try {
      await province.pushNode(row.record);
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      if (err instanceof AdapterRefusal) {
        await db('exchange_outbox').where({ id: row.id }).update({ state: 'refused', attempts, last_error: message });
        this.failures.report(`[exchange] the provincial platform refused node ${row.node_id}: ${message}`);
      } else {
        const delay = Math.min(this.baseDelayMs * 2 ** (attempts - 1), this.maxDelayMs);
        await db('exchange_outbox').where({ id: row.id }).update({ attempts, last_error: message, next_attempt_at: new Date(Date.now() + delay) });
      }
      return { delivered: false };
    }
    // A mark that fails here (the database went away) is thrown: the lease runs out and the node
    // goes again with its key, which the provincial side holds once.
    const next = await db.raw<{ rows: Leased[] }>(deliveredThenNextSql, [attempts, row.id]);
    return { delivered: true, next: next.rows[0] };
  }

  /** After 02:00 China time, reconciles yesterday once (the row it leaves says it was done). */
  private async maybeReconcile(): Promise<void> {
    const chinaHour = (new Date().getUTCHours() + 8) % 24;
    if (chinaHour < 2) return;
    const day = chinaDayBefore(1);
    const done = await this.o.db('exchange_reconciliations').where({ day }).first<{ day: string } | undefined>('day');
    if (done) return;
    const result = await reconcileExchange(this.o.db, this.o.province, day);
    if (result.missing.length) console.warn(`[exchange] reconciliation of ${day}: ${result.missing.length} node(s) missing on the provincial side, queued again`);
  }
}
