/**
 * Waiting for a case to move (GET /api/cases/{caseNo}?wait=N with If-None-Match): instead of
 * asking again and again, a client holds one request and is answered as soon as the case view's
 * version moves, or with 304 when the wait is over.
 *
 * One connection per API process LISTENs on the channel the database NOTIFYs for every change of
 * a case view (db/migrations/024_case_view_notify.ts); a notification wakes the requests waiting
 * on that case, each of which reads its view's version again. A waiting request is registered
 * before its first look, so a notification that lands during that look is not lost.
 *
 * While the connection is up, nothing else wakes a request before its wait is over: PostgreSQL
 * delivers every notification of a committed transaction to a live listener. The connection is
 * checked every 30 s (TCP keep-alive besides), and when it is lost every waiting request looks
 * again within a moment (spread over two seconds, so the pool is not flooded) and then every
 * `fallbackMs` until the connection is back, when they all look once more, for what they missed.
 * Without a database URL that can LISTEN (the embedded PGlite of `npm start` serves one
 * connection), the watch only looks every `fallbackMs`.
 *
 * Limits: at most `maxWaiting` requests wait in one process and `maxPerCaller` per caller; beyond
 * either, a wait answers at once (the web app and the bench then pause before asking again).
 */
import { Client, type ClientConfig, type Notification } from 'pg';
import { lineLogger } from '../../lib/log';
import { ThrottledLog } from '../../lib/throttled-log';
import { caseViewWaiting } from '../../lib/metrics';
import { caseViewChannel } from '../../db/migrations/024_case_view_notify';

/** At most this many requests wait at once in one process; beyond it a wait answers at once. */
export const maxWaiting = 10_000;
/** At most this many requests of one caller (a session, an API key) wait at once. */
export const maxPerCaller = 100;

const lost = new ThrottledLog(10_000, lineLogger('warn', 'case-watch'));

export interface CaseWatchOptions {
  /** The LISTEN connection's settings; without them the watch only looks every `fallbackMs`. */
  connection?: ClientConfig;
  /** How often a waiting request looks while there is no LISTEN connection (default 3 s). */
  fallbackMs?: number;
  /** How often the LISTEN connection is checked with a query (default 30 s). */
  healthMs?: number;
  /** The LISTEN connection's application_name (default "onewindow case-watch"). */
  name?: string;
}

export class CaseWatch {
  private readonly waiting = new Map<string, Set<() => void>>();
  private readonly callers = new Map<string, number>();
  private count = 0;
  private client: Client | null = null;
  private listening = false;
  private starting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private health: NodeJS.Timeout | null = null;
  private retryMs = 1_000;
  private stopped = false;
  private readonly fallbackMs: number;
  private readonly healthMs: number;

  constructor(private readonly opts: CaseWatchOptions = {}) {
    this.fallbackMs = opts.fallbackMs ?? 3_000;
    this.healthMs = opts.healthMs ?? 30_000;
  }

  /** Requests waiting now (for the metrics and the tests). */
  get waitingNow(): number {
    return this.count;
  }

  /** Whether notifications arrive (the LISTEN connection is up). */
  get live(): boolean {
    return this.listening;
  }

  /**
   * Runs `check` until it answers something, the wait is over, or `signal` aborts: at once, then
   * at each notification for `caseNo` (and every `fallbackMs` while nothing listens). The first
   * answer, or undefined when none came in time. Errors of `check` are the caller's. `caller`
   * names who waits, for the per-caller limit; over a limit, or once stopped, `check` runs once.
   */
  async until<T>(caseNo: string, caller: string, waitMs: number, check: () => Promise<T | undefined>, signal?: AbortSignal): Promise<T | undefined> {
    if (waitMs <= 0 || this.stopped || signal?.aborted || this.count >= maxWaiting || (this.callers.get(caller) ?? 0) >= maxPerCaller) return check();
    this.ensureListening();
    const deadline = Date.now() + waitMs;
    let woken: boolean;
    let wake: () => void = () => undefined;
    const waker = () => {
      woken = true;
      wake();
    };
    // Registered before the first look: a notification during it is not lost (it sets `woken`).
    this.add(caseNo, caller, waker);
    signal?.addEventListener('abort', waker);
    try {
      for (;;) {
        woken = false;
        const answer = await check();
        if (answer !== undefined) return answer;
        if (woken) continue;
        const left = deadline - Date.now();
        if (left <= 0 || this.stopped || signal?.aborted) return undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.listening ? left : Math.min(left, this.fallbackMs));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = () => undefined;
        if (this.stopped || signal?.aborted) return undefined;
        if (!woken && Date.now() >= deadline) return undefined;
      }
    } finally {
      signal?.removeEventListener('abort', waker);
      this.remove(caseNo, caller, waker);
    }
  }

  /** Ends every wait (each answers as it stands) and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.health) clearInterval(this.health);
    for (const set of this.waiting.values()) for (const w of set) w();
    const c = this.client;
    this.client = null;
    this.listening = false;
    await c?.end().catch(() => undefined);
  }

  private add(caseNo: string, caller: string, w: () => void): void {
    let set = this.waiting.get(caseNo);
    if (!set) this.waiting.set(caseNo, (set = new Set()));
    set.add(w);
    this.callers.set(caller, (this.callers.get(caller) ?? 0) + 1);
    this.count += 1;
    caseViewWaiting.inc();
  }

  private remove(caseNo: string, caller: string, w: () => void): void {
    const set = this.waiting.get(caseNo);
    if (!set?.delete(w)) return;
    const n = (this.callers.get(caller) ?? 1) - 1;
    if (n > 0) this.callers.set(caller, n);
    else this.callers.delete(caller);
    this.count -= 1;
    caseViewWaiting.dec();
    if (set.size === 0) this.waiting.delete(caseNo);
  }

  /** Every waiting request looks again, spread over two seconds so the database pool is not flooded. */
  private wakeAllSpread(): void {
    for (const set of this.waiting.values()) for (const w of set) setTimeout(w, Math.random() * 2_000).unref();
  }

  private ensureListening(): void {
    if (!this.opts.connection || this.stopped || this.client || this.starting || this.retry) return;
    this.starting = this.listen().finally(() => {
      this.starting = null;
    });
  }

  private async listen(): Promise<void> {
    const c = new Client({ connectionTimeoutMillis: 5_000, keepAlive: true, ...this.opts.connection, application_name: this.opts.name ?? 'onewindow case-watch' });
    const down = (why: string) => {
      if (this.client !== c) return;
      this.client = null;
      this.listening = false;
      if (this.health) clearInterval(this.health);
      this.health = null;
      c.end().catch(() => undefined);
      if (this.stopped) return;
      lost.report(`[case-watch] the LISTEN connection is down (${why}); waiting requests look every ${this.fallbackMs} ms until it is back`);
      // Requests asleep until their deadline now look, and then every fallbackMs.
      this.wakeAllSpread();
      this.scheduleRetry();
    };
    c.on('error', (err) => down(err.message));
    c.on('end', () => down('closed'));
    c.on('notification', (n: Notification) => {
      if (n.channel !== caseViewChannel || !n.payload) return;
      const set = this.waiting.get(n.payload);
      if (set) for (const w of set) w();
    });
    this.client = c;
    try {
      await c.connect();
      await c.query(`listen ${caseViewChannel}`);
    } catch (err) {
      down((err as Error).message);
      return;
    }
    if (this.client !== c || this.stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    this.listening = true;
    this.retryMs = 1_000;
    // A connection that died without a word (a firewall dropping it) is found by a query.
    this.health = setInterval(() => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('no answer in 5 s')), 5_000); });
      Promise.race([c.query('select 1'), timeout])
        .catch((err: Error) => down(`its health check failed: ${err.message}`))
        .finally(() => clearTimeout(timer));
    }, this.healthMs);
    this.health.unref();
    // Whatever changed while nobody listened: every waiting request looks now.
    this.wakeAllSpread();
  }

  private scheduleRetry(): void {
    if (this.retry || this.stopped) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.ensureListening();
    }, this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
  }
}

/** The LISTEN connection's settings for a knex instance on PostgreSQL (none on the embedded PGlite). */
export function listenConnectionOf(url: string | undefined, embedded: boolean): ClientConfig | undefined {
  return url && !embedded ? { connectionString: url } : undefined;
}
