/**
 * What the real platforms do with an `Idempotency-Key`: the first request with a key does the
 * work; a repeat with the same body gets the same answer without doing it again; a repeat with
 * a different body is a mistake and is refused.
 */
import type { Request } from 'express';
import { canonicalJson } from '../adapters/canonical-json';
import { HttpProblem } from './http-problem';

export function requireKey(req: Request): string {
  const key = req.get('idempotency-key');
  if (!key) throw new HttpProblem(400, 'idempotency-key-required', '此操作须带 Idempotency-Key 请求头');
  return key;
}

export class IdempotencyStore<T> {
  private readonly done = new Map<string, { fingerprint: string; value: T }>();

  /** Runs `make` for a new key; for a known key returns the stored value (`replayed: true`). */
  run(key: string, body: unknown, make: () => T): { value: T; replayed: boolean } {
    const fingerprint = canonicalJson(body ?? null);
    const known = this.done.get(key);
    if (known) {
      if (known.fingerprint !== fingerprint) throw new HttpProblem(409, 'idempotency-key-reused', '同一幂等键已用于内容不同的请求');
      return { value: known.value, replayed: true };
    }
    const value = make();
    this.done.set(key, { fingerprint, value });
    return { value, replayed: false };
  }

  /** Forgets a key, as a platform that lost the record it made does. */
  forget(key: string): void {
    this.done.delete(key);
  }

  /** The keys done so far with their answers, to be saved with the platform data. */
  save(): [string, { fingerprint: string; value: T }][] {
    return [...this.done];
  }

  load(saved: [string, { fingerprint: string; value: T }][] | undefined): void {
    this.done.clear();
    for (const [k, v] of saved ?? []) this.done.set(k, v);
  }
}
