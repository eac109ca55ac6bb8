/**
 * Waiting for a case to move (GET /api/cases/{caseNo}?wait=N with If-None-Match): instead of
 * asking again and again, a client holds one request and is answered as soon as the case view's
 * version moves, or with 304 when the wait is over.
 *
 * One connection per API process LISTENs on the channel the database NOTIFYs for every change of
 * a case view (db/migrations/024_case_view_notify.ts); a notification wakes the requests waiting
 * on that case, each of which reads its view's version again. Nothing depends on the
 * notification alone: a waiting request also looks again every `recheckMs` (every second while
 * the connection is down, so a lost connection costs at most a second), and every request waiting
 * when the connection comes back looks at once, for what it may have missed.
 *
 * Without a database URL that can LISTEN (the embedded PGlite of `npm start` serves one
 * connection), the watch only looks every second.
 */
import { Client, type ClientConfig, type Notification } from 'pg';
import { lineLogger } from '../../lib/log';
import { ThrottledLog } from '../../lib/throttled-log';
import { caseViewWaiting } from '../../lib/metrics';
import { caseViewChannel } from '../../db/migrations/024_case_view_notify';

/** At most this many requests wait at once in one process; beyond it a wait is answered at once. */
export const maxWaiting = 10_000;

const lost = new ThrottledLog(10_000, lineLogger('warn', 'case-watch'));

export interface CaseWatchOptions {
  /** The LISTEN connection's settings; without them the watch only looks every `fallbackMs`. */
  connection?: ClientConfig;
  /** How often a waiting request looks again while notifications arrive (a safety net). */
  recheckMs?: number;
  /** How often it looks while there is no LISTEN connection. */
  fallbackMs?: number;
}

export class CaseWatch {
  private readonly waiting = new Map<string, Set<() => void>>();
  private count = 0;
  private client: Client | null = null;
  private listening = false;
  private starting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private retryMs = 1_000;
  private stopped = false;
  private readonly recheckMs: number;
  private readonly fallbackMs: number;

  constructor(private readonly opts: CaseWatchOptions = {}) {
    this.recheckMs = opts.recheckMs ?? 5_000;
    this.fallbackMs = opts.fallbackMs ?? 1_000;
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
   * at each notification for `caseNo` and every recheck interval. The first answer, or undefined
   * when none came in time. Errors of `check` are the caller's.
   */
  async until<T>(caseNo: string, waitMs: number, check: () => Promise<T | undefined>, signal?: AbortSignal): Promise<T | undefined> {
    const first = await check();
    if (first !== undefined || waitMs <= 0 || this.stopped || this.count >= maxWaiting || signal?.aborted) return first;
    this.ensureListening();
    const deadline = Date.now() + waitMs;
    let woken = false;
    let wake: () => void = () => undefined;
    const waker = () => {
      woken = true;
      wake();
    };
    this.add(caseNo, waker);
    signal?.addEventListener('abort', waker);
    try {
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0 || this.stopped || signal?.aborted) return undefined;
        if (!woken) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Math.min(left, this.listening ? this.recheckMs : this.fallbackMs));
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        woken = false;
        wake = () => undefined;
        if (this.stopped || signal?.aborted) return undefined;
        const answer = await check();
        if (answer !== undefined) return answer;
      }
    } finally {
      signal?.removeEventListener('abort', waker);
      this.remove(caseNo, waker);
    }
  }

  /** Ends every wait (each answers as it stands) and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    for (const set of this.waiting.values()) for (const w of set) w();
    const c = this.client;
    this.client = null;
    this.listening = false;
    await c?.end().catch(() => undefined);
  }

  private add(caseNo: string, w: () => void): void {
    let set = this.waiting.get(caseNo);
    if (!set) this.waiting.set(caseNo, (set = new Set()));
    set.add(w);
    this.count += 1;
    caseViewWaiting.inc();
  }

  private remove(caseNo: string, w: () => void): void {
    const set = this.waiting.get(caseNo);
    if (!set?.delete(w)) return;
    this.count -= 1;
    caseViewWaiting.dec();
    if (set.size === 0) this.waiting.delete(caseNo);
  }

  private wakeAll(): void {
    for (const set of this.waiting.values()) for (const w of set) w();
  }

  private ensureListening(): void {
    if (!this.opts.connection || this.stopped || this.client || this.starting || this.retry) return;
    this.starting = this.listen().finally(() => {
      this.starting = null;
    });
  }

  private async listen(): Promise<void> {
    const c = new Client({ ...this.opts.connection, application_name: 'onewindow case-watch' });
    const down = (why: string) => {
      if (this.client !== c) return;
      this.client = null;
      this.listening = false;
      c.end().catch(() => undefined);
      if (this.stopped) return;
      lost.report(`[case-watch] the LISTEN connection is down (${why}); waiting requests look every ${this.fallbackMs} ms until it is back`);
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
    // Whatever changed while nobody listened: every waiting request looks now.
    this.wakeAll();
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
