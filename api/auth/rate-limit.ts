/**
 * Token buckets in memory, per API process: integrators by key (each key's own rate per minute),
 * sign-in attempts by address; and growing delays after failed sign-ins by account and address,
 * so passwords and SMS codes cannot be guessed at speed. With several API processes each enforces the limit on its own share of the traffic.
 */
import type { Request, RequestHandler } from 'express';
import { AppError } from '../../lib/errors';
import { principalOf } from './principal';

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes one token for `key` from a bucket of `perMinute`; returns seconds to wait, or 0. */
  take(key: string, perMinute: number, now = Date.now()): number {
    const b = this.buckets.get(key) ?? { tokens: perMinute, at: now };
    b.tokens = Math.min(perMinute, b.tokens + ((now - b.at) / 60_000) * perMinute);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      return Math.ceil(((1 - b.tokens) * 60) / perMinute);
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > 50_000) this.sweep(now);
    return 0;
  }

  private sweep(now: number): void {
    for (const [k, b] of this.buckets) if (now - b.at > 10 * 60_000) this.buckets.delete(k);
  }
}

export function tooManyRequests(retryAfter: number): AppError {
  const e = new AppError(429, 'rate-limited', 'Too many requests', `slow down; try again in ${retryAfter} s`);
  (e as AppError & { retryAfter?: number }).retryAfter = retryAfter;
  return e;
}

/** Integrators: each key's own rate. */
export function integratorRateLimit(limiter: RateLimiter): RequestHandler {
  return (req, res, next) => {
    const p = principalOf(req);
    if (p.kind === 'integrator') {
      const wait = limiter.take(`key:${p.keyId}`, p.ratePerMinute);
      if (wait > 0) {
        res.set('retry-after', String(wait));
        throw tooManyRequests(wait);
      }
    }
    next();
  };
}

/**
 * Failed sign-ins, by key, with a delay that doubles with each failure past a free allowance
 * (1 s, 2 s, 4 s, … at most 15 minutes); a success clears the key.
 */
export class FailureDelays {
  private readonly entries = new Map<string, { failures: number; until: number; at: number }>();

  constructor(private readonly free: number, private readonly baseMs = 1000, private readonly maxMs = 15 * 60_000) {}

  /** Seconds until `key` may try again, or 0. */
  wait(key: string, now = Date.now()): number {
    const e = this.entries.get(key);
    return e && e.until > now ? Math.ceil((e.until - now) / 1000) : 0;
  }

  fail(key: string, now = Date.now()): void {
    const e = this.entries.get(key) ?? { failures: 0, until: 0, at: now };
    // A quiet day forgives: failures older than a day no longer count.
    if (now - e.at > 24 * 3_600_000) e.failures = 0;
    e.failures += 1;
    e.at = now;
    if (e.failures > this.free) e.until = now + Math.min(this.maxMs, this.baseMs * 2 ** Math.min(30, e.failures - this.free - 1));
    this.entries.set(key, e);
    if (this.entries.size > 100_000) {
      for (const [k, v] of this.entries) if (now - v.at > 24 * 3_600_000) this.entries.delete(k);
    }
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Sign-in limits. A failure slows down only the pair (account, address) that failed, after 5
 * free tries, and the address as a whole after 30 failures over any accounts; nothing is keyed
 * by the account alone, so a stranger guessing from elsewhere cannot lock its owner out. Every
 * attempt also takes a token from the address's bucket (60 a minute).
 */
export class SignInLimits {
  readonly pairs = new FailureDelays(5);
  readonly addresses = new FailureDelays(30);
}

const signInLimits = new WeakMap<RateLimiter, SignInLimits>();

function limitsOf(limiter: RateLimiter): SignInLimits {
  let l = signInLimits.get(limiter);
  if (!l) {
    l = new SignInLimits();
    signInLimits.set(limiter, l);
  }
  return l;
}

const pairKey = (req: Request, account: string) => `${account}|${req.ip ?? ''}`;

/** Before checking a credential: 429 while this address, or this account from this address, must wait. */
export function limitSignIn(limiter: RateLimiter, req: Request, account: string): void {
  const l = limitsOf(limiter);
  const wait = Math.max(limiter.take(`signin-ip:${req.ip ?? ''}`, 60), l.pairs.wait(pairKey(req, account)), l.addresses.wait(req.ip ?? ''));
  if (wait > 0) throw tooManyRequests(wait);
}

export function signInFailed(limiter: RateLimiter, req: Request, account: string): void {
  const l = limitsOf(limiter);
  l.pairs.fail(pairKey(req, account));
  l.addresses.fail(req.ip ?? '');
}

export function signInSucceeded(limiter: RateLimiter, req: Request, account: string): void {
  limitsOf(limiter).pairs.succeed(pairKey(req, account));
}
