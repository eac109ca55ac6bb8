/**
 * Token buckets in memory, per API process: integrators by key (each key's own rate per minute),
 * sign-in attempts by address (with several API processes each enforces these on its own share
 * of the traffic). Growing delays after failed sign-ins by account and address are kept in
 * PostgreSQL (sign_in_failures), so every API process sees them and a restart forgets none,
 * and passwords and SMS codes cannot be guessed at speed.
 */
import type { Request, RequestHandler } from 'express';
import type { Db } from '../../lib/db';
import { AppError } from '../../lib/errors';
import { rateLimitRefusals, signInFailures } from '../../lib/metrics';
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

/** A 429 refusal, counted in onewindow_rate_limit_refusals_total by the limit that refused. */
export function tooManyRequests(retryAfter: number, limit: 'integrator' | 'sign-in' | 'sms' = 'sign-in'): AppError {
  rateLimitRefusals.inc({ limit });
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
        throw tooManyRequests(wait, 'integrator');
      }
    }
    next();
  };
}

/**
 * Failed sign-ins, by key, with a delay that doubles with each failure past a free allowance
 * (1 s, 2 s, 4 s, … at most 15 minutes); a success clears the key. One row per key in
 * sign_in_failures, changed under a row lock so concurrent failures from several processes
 * all count.
 */
export class FailureDelays {
  constructor(private readonly db: Db, private readonly scope: string, private readonly free: number, private readonly baseMs = 1000, private readonly maxMs = 15 * 60_000) {}

  /** Seconds until `key` may try again, or 0. */
  async wait(key: string, now = Date.now()): Promise<number> {
    const row = await this.db('sign_in_failures').where({ scope: this.scope, key }).first<{ wait_until: Date | null } | undefined>('wait_until');
    const until = row?.wait_until?.getTime() ?? 0;
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  async fail(key: string, now = Date.now()): Promise<void> {
    await this.db.transaction(async (trx) => {
      const row = await trx('sign_in_failures').where({ scope: this.scope, key }).forUpdate()
        .first<{ failures: number; wait_until: Date | null; last_failure_at: Date } | undefined>('failures', 'wait_until', 'last_failure_at');
      // A quiet day forgives: failures older than a day no longer count.
      let failures = row && now - row.last_failure_at.getTime() <= 24 * 3_600_000 ? row.failures : 0;
      failures += 1;
      const until = failures > this.free ? new Date(now + Math.min(this.maxMs, this.baseMs * 2 ** Math.min(30, failures - this.free - 1))) : (row?.wait_until ?? null);
      await trx('sign_in_failures')
        .insert({ scope: this.scope, key, failures, wait_until: until, last_failure_at: new Date(now) })
        .onConflict(['scope', 'key'])
        .merge(['failures', 'wait_until', 'last_failure_at']);
    });
    // Now and then, rows quiet for a day go.
    if (Math.random() < 0.01) await this.db('sign_in_failures').where('last_failure_at', '<', new Date(now - 24 * 3_600_000)).del();
  }

  async succeed(key: string): Promise<void> {
    await this.db('sign_in_failures').where({ scope: this.scope, key }).del();
  }
}

/**
 * Sign-in limits. A failure slows down only the pair (account, address) that failed, after 5
 * free tries, and the address as a whole after 30 failures over any accounts; nothing is keyed
 * by the account alone, so a stranger guessing from elsewhere cannot lock its owner out. Every
 * attempt also takes a token from the address's bucket (60 a minute, in this process).
 */
export class SignInLimits {
  readonly pairs: FailureDelays;
  readonly addresses: FailureDelays;

  constructor(db: Db, private readonly limiter: RateLimiter) {
    this.pairs = new FailureDelays(db, 'pair', 5);
    this.addresses = new FailureDelays(db, 'address', 30);
  }

  /** Before checking a credential: 429 while this address, or this account from this address, must wait. */
  async check(req: Request, account: string): Promise<void> {
    const bucket = this.limiter.take(`signin-ip:${req.ip ?? ''}`, 60);
    const [pair, address] = await Promise.all([this.pairs.wait(pairKey(req, account)), this.addresses.wait(req.ip ?? '')]);
    const wait = Math.max(bucket, pair, address);
    if (wait > 0) throw tooManyRequests(wait);
  }

  async failed(req: Request, account: string): Promise<void> {
    signInFailures.inc({ kind: account.startsWith('sms:') || account.startsWith('applicant:') ? 'applicant' : 'staff' });
    await this.pairs.fail(pairKey(req, account));
    await this.addresses.fail(req.ip ?? '');
  }

  async succeeded(req: Request, account: string): Promise<void> {
    await this.pairs.succeed(pairKey(req, account));
  }
}

const pairKey = (req: Request, account: string) => `${account}|${req.ip ?? ''}`;
