/**
 * A simulator's state apart from its platform data: the faults in force, the log of requests,
 * side effects and callbacks, and the sending of signed callbacks, which the faults may
 * duplicate, hold back to send newest first, or sign with the wrong key.
 *
 * Callbacks are delivered as the real platforms do: a few quick tries, then, while the receiver
 * answers 5xx or cannot be reached, again and again with backoff (5 s doubling to 5 minutes, for a
 * day by default; `callbackRetry`), so an API or database outage of minutes is ridden out. The
 * callbacks waiting for their next try are the outbox (`GET /_control/outbox`).
 *
 * With a `dataDir`, the platform data, each subject's event sequence and the outbox are kept in
 * `<dataDir>/simulators/<platform>.json` (state-file.ts) and loaded at start: callbacks that were
 * still to be retried when the simulator stopped are sent again after it starts, at the time their
 * next try was due (at once if that has passed). Not kept: the faults, the log, the nonces seen,
 * and callbacks held back by the `reorderCallbacks` fault (a test device, cleared by a reset anyway).
 */
import crypto from 'node:crypto';
import { signCallback, type CallbackEvent } from '../adapters/callbacks';
import { NonceCache } from '../adapters/signing';
import type { Json } from './http-problem';
import { StateFile } from './state-file';

export interface Faults {
  latencyMs: number;
  /** The next N requests answer 503 without doing anything. */
  failNext: number;
  /** The next N requests are carried out but their answers are held past the client's timeout. */
  timeoutNext: number;
  duplicateCallbacks: boolean;
  /** Callbacks are held until `POST /_control/flush`, then sent newest first. */
  reorderCallbacks: boolean;
  /** Callbacks are signed with the wrong key. */
  badSignature: boolean;
}

export const noFaults: Readonly<Faults> = { latencyMs: 0, failNext: 0, timeoutNext: 0, duplicateCallbacks: false, reorderCallbacks: false, badSignature: false };

export interface LogEntry {
  seq: number;
  at: string;
  /** `request`: received from a client; `effect`: a side effect made; `callback`: one callback sent. */
  kind: 'request' | 'effect' | 'callback';
  what: string;
  detail: Json;
}

/** What became of one callback: the receiver's HTTP status, or why none. */
export interface Delivery {
  eventId: string;
  type: string;
  subject: string;
  /** The last try's HTTP status; `failed`: no answer at all. */
  outcome: number | 'held' | 'failed' | 'no-callback-url';
  forged: boolean;
  /** Not delivered yet: it is in the outbox and will be tried again later. */
  retrying?: boolean;
}

/** How callbacks are retried while the receiver answers 5xx or cannot be reached. */
export interface CallbackRetry {
  /** Tries made at once (the first included), `quickDelayMs × n` apart; the call that caused the callback waits for them. */
  quickAttempts: number;
  quickDelayMs: number;
  /** Then from the outbox: the first wait, doubling each time up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Counted from the first try; a callback still undelivered then is dropped (logged as `gave-up`). 0: no outbox, only the quick tries. */
  giveUpAfterMs: number;
}

export const defaultCallbackRetry: Readonly<CallbackRetry> = {
  quickAttempts: 3, quickDelayMs: 25, initialDelayMs: 5_000, maxDelayMs: 5 * 60_000, giveUpAfterMs: 24 * 3_600_000,
};

/** The wait before outbox try `n` (1 = the first try from the outbox). */
export function callbackRetryDelay(n: number, r: CallbackRetry): number {
  return Math.min(r.maxDelayMs, r.initialDelayMs * 2 ** (n - 1));
}

/** A callback waiting in the outbox for its next try. */
export interface PendingCallback {
  event: CallbackEvent;
  /** Where it goes (`undefined`: the simulator's callback URL at the time of the try) and who signs it. */
  url?: string;
  sender?: string;
  forged: boolean;
  /** Tries made so far. */
  attempts: number;
  firstTriedAt: string;
  nextAt: string;
  lastOutcome: number | 'failed';
}

/** A platform's own data, saved and loaded with the simulator's (see `Simulator.persist`). */
export interface PlatformState {
  save(): unknown;
  load(data: unknown): void;
}

export interface SimulatorOptions {
  /** 0 (default): a free port. */
  port?: number;
  /** Shared with the client for request and callback signatures. */
  secret: string;
  /** Where callbacks go; settable later with POST /_control/config. */
  callbackUrl?: string;
  /** How long a `timeoutNext` answer is held back; longer than any client timeout in use. */
  hangMs?: number;
  /** Retries of callbacks the receiver did not take; tests shorten the waits. */
  callbackRetry?: Partial<CallbackRetry>;
  /** Keep the platform data and pending callbacks under `<dataDir>/simulators/`; without it, memory only. */
  dataDir?: string;
}

/** Who a callback goes to and is signed as, when not the simulator's defaults. */
export interface CallbackTarget {
  url?: string;
  secret?: string;
  sender?: string;
}

/** One platform's faults, log and outgoing callbacks. */
export class Simulator {
  faults: Faults = { ...noFaults };
  callbackUrl: string | undefined;
  readonly nonces = new NonceCache();
  private entries: LogEntry[] = [];
  private counter = 0;
  private held: { event: CallbackEvent; target: CallbackTarget }[] = [];
  private readonly subjectSeq = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly outbox = new Map<string, { pending: PendingCallback; secret?: string; timer?: NodeJS.Timeout }>();
  private outboxSeq = 0;
  private readonly retry: CallbackRetry;
  private stateFile: StateFile | undefined;
  private platform: PlatformState | undefined;
  private stopped = false;

  constructor(
    readonly name: string,
    readonly options: SimulatorOptions,
    /** The secret a callback signed as `sender` is signed with, when not the simulator's (a department's own). */
    private readonly callbackSecretOf: (sender: string) => string | undefined = () => undefined,
  ) {
    this.callbackUrl = options.callbackUrl;
    this.retry = { ...defaultCallbackRetry, ...options.callbackRetry };
  }

  /**
   * Keeps `platform`'s data (and this simulator's event sequences and outbox) in the data folder,
   * when the options name one: loads what is there now, and saves after each `changed()`.
   */
  persist(platform: PlatformState): void {
    this.platform = platform;
    if (!this.options.dataDir) return;
    this.stateFile = StateFile.of(this.options.dataDir, this.name);
    const saved = this.stateFile.read() as { platform?: unknown; subjectSeq?: Record<string, number>; outbox?: PendingCallback[] } | undefined;
    if (!saved) return;
    if (saved.platform !== undefined) platform.load(saved.platform);
    for (const [subject, seq] of Object.entries(saved.subjectSeq ?? {})) this.subjectSeq.set(subject, seq);
    // Callbacks still to be retried when the simulator stopped are tried again, on their schedule.
    for (const p of saved.outbox ?? []) this.enqueue(p, p.sender === undefined ? undefined : this.callbackSecretOf(p.sender));
  }

  /** Something in the platform data changed: save it (soon). */
  changed(): void {
    this.stateFile?.changed(() => ({
      platform: this.platform?.save(),
      subjectSeq: Object.fromEntries(this.subjectSeq),
      // Secrets stay out of the file: they are looked up again by sender when loaded.
      outbox: [...this.outbox.values()].map((o) => o.pending),
    }));
  }

  /** Waits until every change so far is saved; with `last`, later changes are no longer saved (the simulator is closing). */
  async flushState(last = false): Promise<void> {
    const file = this.stateFile;
    if (last) this.stateFile = undefined;
    await file?.flush();
  }

  record(kind: LogEntry['kind'], what: string, detail: Json = {}): LogEntry {
    const entry = { seq: ++this.counter, at: new Date().toISOString(), kind, what, detail };
    this.entries.push(entry);
    return entry;
  }

  /** A side effect, logged so tests can count them. */
  effect(what: string, detail: Json = {}): void {
    this.record('effect', what, detail);
  }

  log(): LogEntry[] {
    return this.entries;
  }

  /** Faults off, log, held callbacks and the outbox cleared; platform data stays. */
  reset(): void {
    this.faults = { ...noFaults };
    this.entries = [];
    this.held = [];
    for (const o of this.outbox.values()) this.clearTimer(o.timer);
    this.outbox.clear();
    this.changed();
  }

  /** Runs `fn` after `ms` unless the simulator closes first. */
  after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private clearTimer(t: NodeJS.Timeout | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  /** Makes an event about `subject` and sends it (or holds it, per the faults). */
  async emit(type: string, subject: string, data: unknown, target: CallbackTarget = {}): Promise<Delivery[]> {
    const seq = (this.subjectSeq.get(subject) ?? 0) + 1;
    this.subjectSeq.set(subject, seq);
    this.changed();
    const event: CallbackEvent = { eventId: `evt-${crypto.randomUUID()}`, type, subject, seq, occurredAt: new Date().toISOString(), data };
    if (this.faults.reorderCallbacks) {
      this.held.push({ event, target });
      this.record('callback', type, { eventId: event.eventId, subject, seq, held: true });
      return [{ eventId: event.eventId, type, subject, outcome: 'held', forged: false }];
    }
    return await this.deliver(event, target);
  }

  /** Sends the held callbacks, newest first. */
  async flush(): Promise<Delivery[]> {
    const held = this.held.reverse();
    this.held = [];
    const out: Delivery[] = [];
    for (const h of held) out.push(...(await this.deliver(h.event, h.target)));
    return out;
  }

  private async deliver(event: CallbackEvent, target: CallbackTarget): Promise<Delivery[]> {
    const first = await this.post(event, target);
    return this.faults.duplicateCallbacks ? [first, await this.post(event, target)] : [first];
  }

  /** One try: the receiver's status, or `failed` when there was no answer. Signed afresh: a new nonce and timestamp, the same event id. */
  private async tryOnce(event: CallbackEvent, url: string, secret: string, forged: boolean, sender: string): Promise<number | 'failed'> {
    const signed = signCallback(secret + (forged ? ':forged' : ''), { url, sender, event });
    try {
      const res = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body, signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 'failed';
    }
  }

  /**
   * One delivery: a few quick tries on a network fault or 5xx; if the receiver still has not taken
   * it, it goes to the outbox and is tried again later with backoff (see `CallbackRetry`).
   */
  private async post(event: CallbackEvent, target: CallbackTarget): Promise<Delivery> {
    const url = target.url ?? this.callbackUrl;
    const forged = this.faults.badSignature;
    const base = { eventId: event.eventId, type: event.type, subject: event.subject, forged };
    if (!url) {
      this.record('callback', event.type, { eventId: event.eventId, subject: event.subject, seq: event.seq, outcome: 'no-callback-url' });
      return { ...base, outcome: 'no-callback-url' };
    }
    const firstTriedAt = new Date().toISOString();
    const sender = target.sender ?? this.name;
    const quick = Math.max(1, this.retry.quickAttempts);
    let outcome: number | 'failed' = 'failed';
    for (let attempt = 1; attempt <= quick; attempt++) {
      outcome = await this.tryOnce(event, url, target.secret ?? this.options.secret, forged, sender);
      if (outcome !== 'failed' && outcome < 500) break;
      if (attempt < quick) await this.sleep(this.retry.quickDelayMs * attempt);
    }
    // With no time to retry in (`giveUpAfterMs` 0), the quick tries are all: the platform gives up at once.
    const retrying = (outcome === 'failed' || outcome >= 500) && this.retry.giveUpAfterMs > 0;
    this.record('callback', event.type, { eventId: event.eventId, subject: event.subject, seq: event.seq, url, outcome, forged, ...(retrying ? { retrying: true } : {}) });
    if (retrying) {
      this.enqueue({
        event, url: target.url, sender: target.sender, forged, attempts: quick, firstTriedAt,
        nextAt: new Date(Date.now() + callbackRetryDelay(1, this.retry)).toISOString(), lastOutcome: outcome,
      }, target.secret);
      this.changed();
    }
    return { ...base, outcome, ...(retrying ? { retrying: true } : {}) };
  }

  /** Puts a callback in the outbox and sets the timer of its next try. */
  private enqueue(pending: PendingCallback, secret: string | undefined): void {
    const key = `${++this.outboxSeq}`;
    const entry: { pending: PendingCallback; secret?: string; timer?: NodeJS.Timeout } = { pending, secret };
    this.outbox.set(key, entry);
    this.schedule(key, Math.max(0, Date.parse(pending.nextAt) - Date.now()));
  }

  private schedule(key: string, ms: number): void {
    const entry = this.outbox.get(key);
    if (!entry || this.stopped) return;
    this.clearTimer(entry.timer);
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.retryPending(key);
    }, ms);
    this.timers.add(t);
    entry.timer = t;
  }

  /** One try of a callback from the outbox: delivered, dropped after `giveUpAfterMs`, or rescheduled. */
  private async retryPending(key: string): Promise<Delivery | undefined> {
    const entry = this.outbox.get(key);
    if (!entry) return undefined;
    this.clearTimer(entry.timer);
    entry.timer = undefined;
    const p = entry.pending;
    const base = { eventId: p.event.eventId, type: p.event.type, subject: p.event.subject, forged: p.forged };
    const url = p.url ?? this.callbackUrl;
    const outcome: number | 'failed' | 'no-callback-url' = url ? await this.tryOnce(p.event, url, entry.secret ?? this.options.secret, p.forged, p.sender ?? this.name) : 'no-callback-url';
    if (this.outbox.get(key) !== entry) return { ...base, outcome }; // reset meanwhile
    p.attempts++;
    const detail = { eventId: p.event.eventId, subject: p.event.subject, seq: p.event.seq, url: url ?? null, outcome, forged: p.forged, attempt: p.attempts };
    if (outcome !== 'failed' && outcome !== 'no-callback-url' && outcome < 500) {
      this.outbox.delete(key);
      this.record('callback', p.event.type, detail);
      this.changed();
      return { ...base, outcome };
    }
    if (outcome !== 'no-callback-url') p.lastOutcome = outcome;
    if (Date.now() - Date.parse(p.firstTriedAt) >= this.retry.giveUpAfterMs) {
      this.outbox.delete(key);
      this.record('callback', p.event.type, { ...detail, gaveUp: true });
      this.changed();
      return { ...base, outcome };
    }
    const wait = callbackRetryDelay(p.attempts - Math.max(1, this.retry.quickAttempts) + 1, this.retry);
    p.nextAt = new Date(Date.now() + wait).toISOString();
    this.record('callback', p.event.type, { ...detail, retrying: true, nextAt: p.nextAt });
    this.schedule(key, wait);
    this.changed();
    return { ...base, outcome, retrying: true };
  }

  /** The callbacks waiting for their next try, soonest first. */
  pending(): PendingCallback[] {
    return [...this.outbox.values()].map((o) => o.pending).sort((a, b) => a.nextAt.localeCompare(b.nextAt));
  }

  /** Tries every callback in the outbox now (each keeps its place in the schedule if it fails again). */
  async retryNow(): Promise<Delivery[]> {
    const out: Delivery[] = [];
    for (const key of [...this.outbox.keys()]) {
      const d = await this.retryPending(key);
      if (d) out.push(d);
    }
    return out;
  }
}
