/**
 * Callback nonces in PostgreSQL, so that every API process refuses a replay that any of them saw.
 * A nonce is kept for twice the allowed clock skew (a message is acceptable that long); expired
 * rows are deleted at most once a minute, by whichever process remembers a nonce next.
 */
import { maxClockSkewMs, type NonceStore } from '../adapters/signing';
import type { Db } from './db';

export class PgNonceStore implements NonceStore {
  private lastCleanup = 0;

  constructor(
    private readonly db: Db,
    readonly ttlMs = 2 * maxClockSkewMs,
    readonly cleanupEveryMs = 60_000,
  ) {}

  async remember(nonce: string, now = Date.now()): Promise<boolean> {
    if (now - this.lastCleanup >= this.cleanupEveryMs) {
      this.lastCleanup = now;
      await this.cleanup(now);
    }
    // A nonce whose row has expired (not yet cleaned up) may be used again; a live one may not.
    const { rows } = await this.db.raw<{ rows: unknown[] }>(
      `insert into callback_nonces (nonce, expires_at) values (?, ?)
       on conflict (nonce) do update set expires_at = excluded.expires_at where callback_nonces.expires_at <= ?
       returning nonce`,
      [nonce, new Date(now + this.ttlMs), new Date(now)],
    );
    return rows.length === 1;
  }

  /** Deletes expired nonces; returns how many. */
  async cleanup(now = Date.now()): Promise<number> {
    return await this.db('callback_nonces').where('expires_at', '<=', new Date(now)).delete();
  }
}
