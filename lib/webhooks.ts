/**
 * Webhook deliveries. The projection queues one delivery per matching subscription in the same
 * transaction as the case event (an outbox), and this dispatcher sends them: POST with a JSON
 * body and
 *
 *   X-Ow-Delivery: <delivery id>    X-Ow-Event: <event type>
 *   X-Ow-Timestamp: <unix ms>       X-Ow-Signature: hex HMAC-SHA256(secret, timestamp + "." + body)
 *
 * A 2xx answer delivers it; anything else is retried with exponential backoff (10 s, 20 s,
 * 40 s … capped at one hour) up to `maxAttempts`, then marked failed. Every attempt is logged.
 * Rows are leased with `for update skip locked`, so several dispatchers share the work.
 */
import crypto from 'node:crypto';
import type { Statements } from './statements';
import type { Db } from './db';
import { lineLogger, log } from './log';
import { webhookAttempts } from './metrics';
import { PollingLoop } from './polling-loop';
import { ThrottledLog } from './throttled-log';

export interface WebhookEvent {
  eventId: string;
  type: string;
  caseNo: string;
  at: string;
  data: Record<string, unknown>;
}

/**
 * Whether each case was filed by an integrator (only such cases have subscriptions to deliver to),
 * kept per process for the newest cases seen. Who filed a case is written before its workflow starts
 * and never changes, so a case filed at a window or online asks once, at its first batch, and its
 * later batches (about fifteen a case) send no statement here at all.
 */
const filedByIntegrator = new Map<string, boolean>();
const FILER_CACHE_CASES = 10_000;

async function integratorFiled(s: Statements, caseNos: string[]): Promise<Set<string>> {
  const unknown = [...new Set(caseNos.filter((c) => !filedByIntegrator.has(c)))];
  if (unknown.length) {
    const rows = await s.rows<{ case_no: string; filed_by_kind: string | null }>(s.q('case_filings').whereIn('case_no', unknown).select('case_no', 'filed_by_kind'));
    const kinds = new Map(rows.map((r) => [r.case_no, r.filed_by_kind]));
    // A case with no filing row was started on the engine directly (a benchmark's, a test's): no integrator's either.
    for (const c of unknown) {
      if (filedByIntegrator.size >= FILER_CACHE_CASES) filedByIntegrator.delete(filedByIntegrator.keys().next().value!);
      filedByIntegrator.set(c, kinds.get(c) === 'integrator');
    }
  }
  return new Set(caseNos.filter((c) => filedByIntegrator.get(c)));
}

/**
 * Queues each event for every active subscription of the integrator that filed its case, in one
 * statement for the whole batch (in the events' order, so deliveries keep it). Events of cases no
 * integrator filed are left out before any statement (integratorFiled).
 */
export async function enqueueWebhooks(s: Statements, all: WebhookEvent[]): Promise<void> {
  if (all.length === 0) return;
  const integrators = await integratorFiled(s, all.map((e) => e.caseNo));
  const events = all.filter((e) => integrators.has(e.caseNo));
  if (events.length === 0) return;
  await s.write(s.q.raw(`
    insert into webhook_deliveries (subscription_id, event_id, event_type, case_no, payload)
    select s.id, e.j->>'eventId', e.j->>'type', e.j->>'caseNo', e.j
      from jsonb_array_elements(?::jsonb) with ordinality as e (j, ord)
      join case_filings f on f.case_no = e.j->>'caseNo' and f.filed_by_kind = 'integrator'
      join webhook_subscriptions s on s.api_key_id = f.filed_by and s.active and (e.j->>'type' = any(s.events) or '*' = any(s.events))
     order by e.ord, s.id
    on conflict (subscription_id, event_id) do nothing`,
  [JSON.stringify(events)]));
}

export interface DispatcherOptions {
  db: Db;
  /** Opens the stored (sealed) subscription secret. */
  unsealSecret: (sealed: string) => string;
  pollMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
}

interface Due {
  id: string;
  subscription_id: string;
  event_type: string;
  payload: unknown;
  attempts: number;
  url: string;
  secret_enc: string;
}

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export class WebhookDispatcher {
  private readonly loop: PollingLoop;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;

  /** A database outage fails every poll: one line per minute, not one per poll. */
  private readonly failures = new ThrottledLog(60_000, lineLogger('error', 'webhooks'));

  constructor(private readonly o: DispatcherOptions) {
    this.maxAttempts = o.maxAttempts ?? 10;
    this.baseDelayMs = o.baseDelayMs ?? 10_000;
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.loop = new PollingLoop({
      everyMs: o.pollMs ?? 1000,
      tick: () => this.runOnce(),
      onError: (err) => this.failures.report(`[webhooks] dispatch failed: ${err instanceof Error ? err.message : String(err)}`),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling; resolves once the poll under way has ended. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Sends what is due now; returns how many deliveries were attempted. */
  async runOnce(limit = 20): Promise<number> {
    const { db } = this.o;
    // Lease due rows for a minute so a crashed dispatcher's rows come back.
    const { rows } = await db.raw<{ rows: Due[] }>(`
      with due as (
        select d.id from webhook_deliveries d
        where d.state = 'pending' and d.next_attempt_at <= now()
        order by d.next_attempt_at limit ? for update skip locked
      )
      update webhook_deliveries d set next_attempt_at = now() + interval '60 seconds'
      from due, webhook_subscriptions s
      where d.id = due.id and s.id = d.subscription_id
      returning d.id, d.subscription_id, d.event_type, d.payload, d.attempts, s.url, s.secret_enc`, [limit]);
    await Promise.all(rows.map((d) => this.deliver(d)));
    return rows.length;
  }

  private async deliver(d: Due): Promise<void> {
    const { db } = this.o;
    const body = JSON.stringify(d.payload);
    const timestamp = String(Date.now());
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-ow-delivery': String(d.id),
          'x-ow-event': d.event_type,
          'x-ow-timestamp': timestamp,
          'x-ow-signature': webhookSignature(this.o.unsealSecret(d.secret_enc), timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const attempts = d.attempts + 1;
    const outcome = !error ? 'delivered' : attempts >= this.maxAttempts ? 'failed' : 'retry';
    await db.transaction(async (trx) => {
      await trx('webhook_attempts').insert({ delivery_id: d.id, status, error, duration_ms: Date.now() - started });
      if (!error) {
        await trx('webhook_deliveries').where({ id: d.id }).update({ state: 'delivered', attempts, last_status: status, last_error: null, delivered_at: trx.fn.now() });
      } else {
        const delay = Math.min(this.baseDelayMs * 2 ** (attempts - 1), 3_600_000);
        await trx('webhook_deliveries').where({ id: d.id }).update({
          state: attempts >= this.maxAttempts ? 'failed' : 'pending', attempts, last_status: status, last_error: error.slice(0, 500),
          next_attempt_at: new Date(Date.now() + delay),
        });
      }
    });
    webhookAttempts.inc({ outcome });
    const line = { delivery: String(d.id), event: d.event_type, attempt: attempts, status, outcome, ms: Date.now() - started };
    if (outcome === 'delivered') log().info(line, 'webhook delivered');
    else log().warn({ ...line, error }, outcome === 'failed' ? 'webhook delivery given up' : 'webhook delivery failed; will retry');
  }
}
