/**
 * Dropping a database of our own (the tests', the benchmark's, the cluster test's Temporal
 * databases) with no more rights than `CREATEDB`.
 */
import type { Db } from './db';

/** An error in one line: its message and, if it has one, its SQLSTATE or system code. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.message}${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  return String(err);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Drops a database of our own with no more rights than `CREATEDB`. A plain
 * `drop database` lets PostgreSQL itself stop an autovacuum worker busy in it (freshly seeded
 * rows start one), which `with (force)` would try to terminate and, without superuser or
 * pg_signal_backend, may not. Only when sessions are still connected is force tried, which ends
 * the role's own sessions; then, after a pause, plain again, until `attempts` run out.
 */
export async function dropDatabase(admin: Db, name: string, opts: { attempts?: number; pauseMs?: number } = {}): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`not a plain database name: ${name}`);
  const attempts = opts.attempts ?? 10;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      await admin.raw(`drop database if exists ${name}`);
      return;
    } catch (err) {
      last = err;
      if ((err as { code?: string }).code !== '55006') throw err; // only "being accessed by other users" is worth another try
    }
    await admin.raw(`drop database if exists ${name} with (force)`).then(() => { last = undefined; }, (err: unknown) => { last = err; });
    if (last === undefined) return;
    await sleep(opts.pauseMs ?? 2_000);
  }
  throw new Error(`database ${name} could not be dropped after ${attempts} attempts (${describeError(last)}); drop it by hand: drop database ${name};`);
}
