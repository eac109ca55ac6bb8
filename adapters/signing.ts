/**
 * HMAC-SHA256 signing of requests and callbacks between onewindow and the platforms.
 *
 * The signed text is the method, the path with its query, the sender, a timestamp (Unix ms),
 * a one-time nonce and the SHA-256 of the body, one per line. A receiver refuses a bad
 * signature, a timestamp more than five minutes off its clock, and a nonce it has seen.
 */
import crypto from 'node:crypto';

export const signatureHeaders = {
  sender: 'x-ow-sender',
  timestamp: 'x-ow-timestamp',
  nonce: 'x-ow-nonce',
  signature: 'x-ow-signature',
} as const;

/** How far a timestamp may be from the receiver's clock. */
export const maxClockSkewMs = 5 * 60_000;

/** What a signature covers. */
export interface SignedParts {
  method: string;
  /** Path and query as sent on the request line, e.g. `/orders?date=2025-01-02`. */
  path: string;
  sender: string;
  timestamp: string;
  nonce: string;
  body: string | Uint8Array;
}

export function stringToSign(p: SignedParts): string {
  const bodyHash = crypto.createHash('sha256').update(p.body).digest('hex');
  return ['OW-HMAC-SHA256', p.method.toUpperCase(), p.path, p.sender, p.timestamp, p.nonce, bodyHash].join('\n');
}

/** The hex HMAC-SHA256 of the parts. */
export function sign(secret: string, p: SignedParts): string {
  return crypto.createHmac('sha256', secret).update(stringToSign(p)).digest('hex');
}

/** The headers for one signed message: a fresh nonce and the current time unless given. */
export function signedHeaders(
  secret: string,
  m: { method: string; path: string; sender: string; body: string | Uint8Array; now?: number; nonce?: string },
): Record<string, string> {
  const timestamp = String(m.now ?? Date.now());
  const nonce = m.nonce ?? crypto.randomUUID();
  const signature = sign(secret, { method: m.method, path: m.path, sender: m.sender, timestamp, nonce, body: m.body });
  return {
    [signatureHeaders.sender]: m.sender,
    [signatureHeaders.timestamp]: timestamp,
    [signatureHeaders.nonce]: nonce,
    [signatureHeaders.signature]: signature,
  };
}

/**
 * Nonces seen lately, so a captured message cannot be replayed. Entries live `ttlMs` (twice the
 * allowed skew: a message is acceptable for that long); past `maxEntries` the oldest go first.
 */
export class NonceCache {
  private readonly seenAt = new Map<string, number>();
  readonly ttlMs: number;
  readonly maxEntries: number;

  constructor(opts: { ttlMs?: number; maxEntries?: number } = {}) {
    this.ttlMs = opts.ttlMs ?? 2 * maxClockSkewMs;
    this.maxEntries = opts.maxEntries ?? 100_000;
  }

  /** True the first time a nonce is offered within its lifetime, false on a replay. */
  remember(nonce: string, now = Date.now()): boolean {
    // Map keeps insertion order, so the oldest entries are at the front.
    for (const [n, at] of this.seenAt) {
      if (now - at < this.ttlMs && this.seenAt.size < this.maxEntries) break;
      this.seenAt.delete(n);
    }
    if (this.seenAt.has(nonce)) return false;
    this.seenAt.set(nonce, now);
    return true;
  }

  get size(): number {
    return this.seenAt.size;
  }
}

export type SignatureRefusalReason = 'missing-signature' | 'unknown-sender' | 'bad-signature' | 'stale-timestamp' | 'replayed-nonce';

export const signatureRefusalMessages: Record<SignatureRefusalReason, string> = {
  'missing-signature': '缺少签名信息（发送方、时间戳、随机数或签名）',
  'unknown-sender': '未知的发送方',
  'bad-signature': '签名校验失败',
  'stale-timestamp': '时间戳超出允许范围（±5分钟）',
  'replayed-nonce': '随机数已使用过，疑似重放请求',
};

export type SignatureCheck =
  | { ok: true; sender: string }
  | { ok: false; reason: SignatureRefusalReason; message: string };

/** Header values as node:http gives them (lower-case names). */
export type HeaderBag = Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** One shared secret, or the secret of each sender (undefined: an unknown sender). */
  secret: string | ((sender: string) => string | undefined);
  nonces: NonceCache;
  now?: number;
  maxSkewMs?: number;
}

/**
 * Where a receiver remembers nonces, shared by several processes (e.g. a database table):
 * `remember` is true the first time a nonce is offered within its lifetime, false on a replay.
 */
export interface NonceStore {
  remember(nonce: string, now: number): Promise<boolean>;
}

export interface AsyncVerifyOptions extends Omit<VerifyOptions, 'nonces'> {
  nonces: NonceStore;
}

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function refuse(reason: SignatureRefusalReason): { ok: false; reason: SignatureRefusalReason; message: string } {
  return { ok: false, reason, message: signatureRefusalMessages[reason] };
}

type PartsCheck = { ok: true; sender: string; nonceKey: string; now: number } | { ok: false; reason: SignatureRefusalReason; message: string };

/** Signature and timestamp; the nonce is left to the caller. */
function checkParts(msg: { method: string; path: string; headers: HeaderBag; body: string | Uint8Array }, opts: Omit<VerifyOptions, 'nonces'>): PartsCheck {
  const sender = header(msg.headers, signatureHeaders.sender);
  const timestamp = header(msg.headers, signatureHeaders.timestamp);
  const nonce = header(msg.headers, signatureHeaders.nonce);
  const signature = header(msg.headers, signatureHeaders.signature);
  if (!sender || !timestamp || !nonce || !signature) return refuse('missing-signature');
  const secret = typeof opts.secret === 'string' ? opts.secret : opts.secret(sender);
  if (secret === undefined) return refuse('unknown-sender');

  const expected = Buffer.from(sign(secret, { method: msg.method, path: msg.path, sender, timestamp, nonce, body: msg.body }), 'hex');
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return refuse('bad-signature');

  const now = opts.now ?? Date.now();
  const at = /^\d{1,15}$/.test(timestamp) ? Number(timestamp) : NaN;
  if (!(Math.abs(now - at) <= (opts.maxSkewMs ?? maxClockSkewMs))) return refuse('stale-timestamp');
  return { ok: true, sender, nonceKey: `${sender}\n${nonce}`, now };
}

/**
 * Checks a signed message: the signature first (so a forger cannot use up nonces), then the
 * timestamp, then the nonce, which is remembered only when everything else holds.
 */
export function verifySignature(msg: { method: string; path: string; headers: HeaderBag; body: string | Uint8Array }, opts: VerifyOptions): SignatureCheck {
  const parts = checkParts(msg, opts);
  if (!parts.ok) return parts;
  if (!opts.nonces.remember(parts.nonceKey, parts.now)) return refuse('replayed-nonce');
  return { ok: true, sender: parts.sender };
}

/** The same checks, with the nonces kept in a store shared by several receivers. */
export async function verifySignatureShared(msg: { method: string; path: string; headers: HeaderBag; body: string | Uint8Array }, opts: AsyncVerifyOptions): Promise<SignatureCheck> {
  const parts = checkParts(msg, opts);
  if (!parts.ok) return parts;
  if (!(await opts.nonces.remember(parts.nonceKey, parts.now))) return refuse('replayed-nonce');
  return { ok: true, sender: parts.sender };
}
