/**
 * A simulator's state apart from its platform data: the faults in force, the log of requests,
 * side effects and callbacks, and the sending of signed callbacks, which the faults may
 * duplicate, hold back to send newest first, or sign with the wrong key.
 */
import crypto from 'node:crypto';
import { signCallback, type CallbackEvent } from '../adapters/callbacks';
import { NonceCache } from '../adapters/signing';
import type { Json } from './http-problem';

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
  outcome: number | 'held' | 'failed' | 'no-callback-url';
  forged: boolean;
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

  constructor(
    readonly name: string,
    readonly options: SimulatorOptions,
  ) {
    this.callbackUrl = options.callbackUrl;
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

  reset(): void {
    this.faults = { ...noFaults };
    this.entries = [];
    this.held = [];
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
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Makes an event about `subject` and sends it (or holds it, per the faults). */
  async emit(type: string, subject: string, data: unknown, target: CallbackTarget = {}): Promise<Delivery[]> {
    const seq = (this.subjectSeq.get(subject) ?? 0) + 1;
    this.subjectSeq.set(subject, seq);
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

  /** One delivery: retried on a network fault or 5xx, as platforms do, a few times quickly. */
  private async post(event: CallbackEvent, target: CallbackTarget): Promise<Delivery> {
    const url = target.url ?? this.callbackUrl;
    const forged = this.faults.badSignature;
    const base = { eventId: event.eventId, type: event.type, subject: event.subject, forged };
    if (!url) {
      this.record('callback', event.type, { eventId: event.eventId, subject: event.subject, seq: event.seq, outcome: 'no-callback-url' });
      return { ...base, outcome: 'no-callback-url' };
    }
    const secret = (target.secret ?? this.options.secret) + (forged ? ':forged' : '');
    let outcome: Delivery['outcome'] = 'failed';
    for (let attempt = 1; attempt <= 3; attempt++) {
      // Signed afresh for every attempt: a new nonce and timestamp, the same event id.
      const signed = signCallback(secret, { url, sender: target.sender ?? this.name, event });
      try {
        const res = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body, signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        outcome = res.status;
        if (res.status < 500) break;
      } catch {
        outcome = 'failed';
      }
      if (attempt < 3) await this.sleep(25 * attempt);
    }
    this.record('callback', event.type, { eventId: event.eventId, subject: event.subject, seq: event.seq, url, outcome, forged });
    return { ...base, outcome };
  }
}
