/**
 * Token buckets in memory, per API process: integrators by key (each key's own rate per minute),
 * sign-in attempts by address and by account, so passwords and SMS codes cannot be guessed at
 * speed. With several API processes each enforces the limit on its own share of the traffic.
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

/** Sign-in attempts: 20 a minute per address, 10 a minute per account. */
export function limitSignIn(limiter: RateLimiter, req: Request, account: string): void {
  const waits = [limiter.take(`signin-ip:${req.ip ?? ''}`, 20), limiter.take(`signin-account:${account}`, 10)];
  const wait = Math.max(...waits);
  if (wait > 0) throw tooManyRequests(wait);
}
