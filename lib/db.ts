/**
 * Database access: one knex instance per process, on PostgreSQL (DATABASE_URL) or on the
 * embedded PGlite socket server that `npm start` runs when no DATABASE_URL is set.
 */
import knex, { type Knex } from 'knex';
import { ConfigError } from './errors';
import { migrationSource } from '../db/migrations';
import { ThrottledLog } from './throttled-log';
import { lineLogger, log } from './log';
import { auditChainKeyHex } from './audit-keys';

export type Db = Knex;

export interface DbOptions {
  url: string;
  /** The embedded PGlite serves one statement at a time; keep the pool small there. */
  embedded?: boolean;
  poolMax?: number;
  /** AUDIT_KEY; each connection is given the chain key derived from it (the development key when absent). */
  auditKey?: string;
}

/**
 * knex warns with a full stack each time it cannot open a connection (during an outage: every
 * request), and once per pooled connection lost. One line of each per 10 s instead, no stack.
 */
const connectFailures = new ThrottledLog(10_000, lineLogger('error', 'db'));
const lostConnections = new ThrottledLog(10_000, lineLogger('error', 'db'));
const knexLog = {
  warn(message: unknown) {
    const text = String(message);
    if (text.startsWith('Acquire connection error')) connectFailures.report(`[db] cannot open a connection: ${text.split('\n')[0].replace(/^Acquire connection error: /, '')}`);
    else if (text.startsWith('Connection Error')) lostConnections.report(`[db] a connection was lost: ${text.split('\n')[0].replace(/^Connection Error: /, '')}`);
    else log().warn({ component: 'db' }, text);
  },
};

export function createDb(opts: DbOptions): Db {
  const chainKey = auditChainKeyHex(opts.auditKey);
  return knex({
    log: knexLog,
    client: 'pg',
    connection: { connectionString: opts.url, application_name: 'onewindow' },
    pool: {
      min: 0,
      max: opts.poolMax ?? (opts.embedded ? 1 : 10),
      // The audit chain's key, as a setting of this session only (a bound parameter, so it is not in the statement text).
      afterCreate: (conn: { query: (sql: string, values: unknown[], cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) => {
        conn.query(`select set_config('onewindow.audit_key', $1, false)`, [chainKey], (err) => done(err, conn));
      },
    },
    acquireConnectionTimeout: 15_000,
  });
}

/** Fails with a one-line ConfigError that says how to fix an unreachable or refused database. */
export async function checkDb(db: Db, url: string): Promise<void> {
  const shown = redact(url);
  try {
    await db.raw('select 1');
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { code?: string };
    if (e.code === 'ECONNREFUSED') {
      throw new ConfigError(`cannot reach PostgreSQL at ${shown}: connection refused; start the server or fix DATABASE_URL`);
    }
    if (e.code === '28P01' || e.code === '28000') {
      throw new ConfigError(`PostgreSQL at ${shown} refused the credentials; fix the user or password in DATABASE_URL`);
    }
    if (e.code === '3D000') {
      throw new ConfigError(`PostgreSQL at ${shown} has no such database; create it (createdb) or fix DATABASE_URL`);
    }
    if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
      throw new ConfigError(`cannot resolve the host of DATABASE_URL (${shown}); fix the host name`);
    }
    throw new ConfigError(`cannot use PostgreSQL at ${shown}: ${e.message}; check DATABASE_URL`);
  }
}

/** Runs every pending migration. */
export async function migrate(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

/** The URL with its password hidden, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
