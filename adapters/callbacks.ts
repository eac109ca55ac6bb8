/**
 * Signed callbacks from the platforms (payment, logistics, department systems) to onewindow.
 *
 * Every callback is one event in an envelope: a unique `eventId` (a platform that retries sends
 * the same id again), the `subject` it is about (an order, a waybill, a case step), a `seq` that
 * grows per subject (callbacks may arrive out of order), and the platform's `data`. The pure
 * functions here check a received callback; the API mounts them on its routes.
 */
import { canonicalJson } from './canonical-json';
import { signedHeaders, verifySignature, verifySignatureShared, type HeaderBag, type NonceCache, type NonceStore, type SignatureCheck, type SignatureRefusalReason } from './signing';

export interface CallbackEvent<T = unknown> {
  eventId: string;
  /** E.g. `payment.paid`, `logistics.delivered`, `department.result`. */
  type: string;
  subject: string;
  seq: number;
  occurredAt: string;
  data: T;
}

/** The body and headers of one signed callback, ready to POST to `url`. */
export function signCallback(secret: string, c: { url: string; sender: string; event: CallbackEvent; now?: number; nonce?: string }): { body: string; headers: Record<string, string> } {
  const body = canonicalJson(c.event);
  const u = new URL(c.url);
  const headers = signedHeaders(secret, { method: 'POST', path: u.pathname + u.search, sender: c.sender, body, now: c.now, nonce: c.nonce });
  return { body, headers: { ...headers, 'content-type': 'application/json' } };
}

export type CallbackRefusalReason = SignatureRefusalReason | 'malformed-body';

export type CallbackCheck<T> =
  | { ok: true; sender: string; event: CallbackEvent<T> }
  | { ok: false; reason: CallbackRefusalReason; message: string; status: 400 | 401 };

/** A received callback as the HTTP layer sees it; `body` must be the raw bytes, unparsed. */
export interface ReceivedCallback {
  method: string;
  /** Path and query of the request line (express: `req.originalUrl`). */
  path: string;
  headers: HeaderBag;
  body: string | Uint8Array;
}

function isEvent(v: unknown): v is CallbackEvent {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e.eventId === 'string' && e.eventId.length > 0 && typeof e.type === 'string' && typeof e.subject === 'string' &&
    typeof e.seq === 'number' && Number.isInteger(e.seq) && typeof e.occurredAt === 'string' && 'data' in e;
}

function parseEvent<T>(req: ReceivedCallback, check: SignatureCheck): CallbackCheck<T> {
  if (!check.ok) return { ok: false, reason: check.reason, message: check.message, status: 401 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof req.body === 'string' ? req.body : Buffer.from(req.body).toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!isEvent(parsed)) return { ok: false, reason: 'malformed-body', message: '回调内容不是有效的事件', status: 400 };
  return { ok: true, sender: check.sender, event: parsed as CallbackEvent<T> };
}

/**
 * Verifies the signature, timestamp and nonce of a callback and parses its envelope. `data` is
 * not validated here: the receiving route checks it against its own schema.
 */
export function verifyCallback<T = unknown>(
  req: ReceivedCallback,
  opts: { secret: string | ((sender: string) => string | undefined); nonces: NonceCache; now?: number; maxSkewMs?: number },
): CallbackCheck<T> {
  return parseEvent<T>(req, verifySignature(req, opts));
}

/** `verifyCallback` with the nonces in a store that several receiving processes share. */
export async function verifyCallbackShared<T = unknown>(
  req: ReceivedCallback,
  opts: { secret: string | ((sender: string) => string | undefined); nonces: NonceStore; now?: number; maxSkewMs?: number },
): Promise<CallbackCheck<T>> {
  return parseEvent<T>(req, await verifySignatureShared(req, opts));
}

/** `new`: act on it. `duplicate`: this event was handled already. `stale`: a later event about the same subject was handled first. */
export type InboxOutcome = 'new' | 'duplicate' | 'stale';

/**
 * Receiver-side de-duplication and ordering: each event id takes effect once, and an event
 * older (by `seq`) than one already handled for its subject is reported `stale` so that state
 * never goes backwards. In memory; a receiver with several processes keeps the same two facts
 * (event ids seen, highest seq per subject) in its database.
 */
export class CallbackInbox {
  private readonly seen = new Set<string>();
  private readonly latest = new Map<string, number>();

  accept(e: Pick<CallbackEvent, 'eventId' | 'subject' | 'seq'>): InboxOutcome {
    if (this.seen.has(e.eventId)) return 'duplicate';
    this.seen.add(e.eventId);
    const last = this.latest.get(e.subject);
    if (last !== undefined && e.seq <= last) return 'stale';
    this.latest.set(e.subject, e.seq);
    return 'new';
  }
}
