/**
 * Callback nonces in PostgreSQL, so that every API process refuses a replay that any of them saw.
 * They share the `request_nonces` table with the integrators' signed requests, under their own
 * prefix (`callback:` and the SHA-256 of sender and nonce, so any nonce fits the column). A nonce
 * is kept for twice the allowed clock skew (a message is acceptable that long); expired rows are
 * deleted at most once a minute, by whichever process remembers a nonce next.
 */
import crypto from 'node:crypto';
import { maxClockSkewMs, type NonceStore } from '../adapters/signing';
import type { Db } from './db';

export class PgNonceStore implements NonceStore {
  private lastCleanup = 0;

  constructor(
    private readonly db: Db,
    readonly ttlMs = 2 * maxClockSkewMs,
    readonly cleanupEveryMs = 60_000,
  ) {}

  /** The row key of a nonce (`<sender>\n<nonce>`). */
  static keyOf(nonce: string): string {
    return `callback:${crypto.createHash('sha256').update(nonce).digest('hex')}`;
  }

  async remember(nonce: string, now = Date.now()): Promise<boolean> {
    if (now - this.lastCleanup >= this.cleanupEveryMs) {
      this.lastCleanup = now;
      await this.cleanup(now);
    }
    // A nonce whose row has expired (not yet cleaned up) may be used again; a live one may not.
    const { rows } = await this.db.raw<{ rows: unknown[] }>(
      `insert into request_nonces (nonce, expires_at) values (?, ?)
       on conflict (nonce) do update set expires_at = excluded.expires_at where request_nonces.expires_at <= ?
       returning nonce`,
      [PgNonceStore.keyOf(nonce), new Date(now + this.ttlMs), new Date(now)],
    );
    return rows.length === 1;
  }

  /** Deletes expired nonces (callbacks' and integrators'); returns how many. */
  async cleanup(now = Date.now()): Promise<number> {
    return await this.db('request_nonces').where('expires_at', '<=', new Date(now)).delete();
  }
}
