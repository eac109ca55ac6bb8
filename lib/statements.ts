/**
 * Where a transaction's statements go. Code that writes the read model builds its statements
 * with `q` (a knex builder) and hands each to `rows` when it needs the answer, or to `write` when
 * it does not. Two ways to run them:
 *
 * - `direct(trx)`: each statement is sent at once, inside a knex transaction (the supervision
 *   sweep, the catalogue's services, tests).
 * - `WriteBehind` (`inWriteBehind`): statements that need no answer wait, and go to the server with
 *   the next statement that does, or with the COMMIT, as one message: a projection batch of ten
 *   statements is two or three round trips instead of twelve (BEGIN and COMMIT included). The
 *   statements, their order and their transaction are the same either way; only the round trips
 *   differ. A statement that fails aborts the transaction as before: its error comes back with the
 *   message that carried it, and the transaction is rolled back.
 *
 * A message of several statements uses PostgreSQL's simple query protocol, which takes no bound
 * parameters, so WriteBehind writes each value as a quoted literal (`inlineSql`): pg's own
 * `prepareValue` (as for a parameter) and `escapeLiteral`. An untyped literal takes its type from
 * its place in the statement, as an untyped parameter does. A value with NUL is refused as
 * PostgreSQL refuses a bound one (22021). Statements that carry what an applicant gave (the case
 * row's applicant and form, event payloads) are sent `bound` instead: their values never enter a
 * statement's text, which PostgreSQL writes to its log when a statement fails and shows in
 * pg_stat_activity; each such statement costs its own round trip.
 */
import knex, { type Knex } from 'knex';
import { escapeLiteral } from 'pg';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => string | Buffer | null | undefined };

export type Statement = Knex.QueryBuilder | Knex.Raw;

export interface Statements {
  /** Builds statements (`q('table')…`, `q.raw(…)`); never awaited directly. */
  readonly q: Knex;
  /**
   * Runs the statement (after every statement handed in before it) and answers its rows. `bound`:
   * its values go as bound parameters, never in the statement's text (for what an applicant gave:
   * PostgreSQL logs a failing statement's text and shows the last one in pg_stat_activity).
   */
  rows<T>(statement: Statement, o?: { bound?: boolean }): Promise<T[]>;
  /** Runs the statement in its turn; its answer is not needed now (`answered` hears its rows once it has run). */
  write<T>(statement: Statement, answered?: (rows: T[]) => void, o?: { bound?: boolean }): Promise<void>;
}

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? (r as T[]) : ((r as { rows?: T[] } | undefined)?.rows ?? []));

/** Each statement sent at once, on `trx` (a knex transaction, or the pool). */
export function direct(trx: Knex | Knex.Transaction): Statements {
  return {
    q: trx as Knex,
    rows: async <T>(statement: Statement) => rowsOf<T>(await statement),
    write: async <T>(statement: Statement, answered?: (rows: T[]) => void) => {
      const r: unknown = await statement;
      answered?.(rowsOf<T>(r));
    },
  };
}

/** Builds SQL only: it has no connection, so a statement awaited on it by mistake fails at once. */
const builder = knex({ client: 'pg' });

/** The SQL of a statement with its values written in as literals (for the simple query protocol). */
export function inlineSql(statement: Statement): string {
  const { sql, bindings } = statement.toSQL().toNative();
  return inline(sql, bindings);
}

function literal(v: unknown): string {
  if (v === undefined) throw new Error('a statement has an undefined value');
  const p = prepareValue(v);
  if (p === null || p === undefined) return 'null';
  if (Buffer.isBuffer(p)) throw new Error('binary values are not written behind; bind them');
  // As PostgreSQL refuses a bound text with NUL (22021, so the journal's fallback sees unstorable data), not the whole message.
  if (p.includes('\u0000')) throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00 (a value holds NUL)'), { code: '22021' });
  return escapeLiteral(p);
}

/** Replaces `$n` outside quoted text and comments by the n-th value as a literal. */
export function inline(sql: string, values: readonly unknown[]): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      if (c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '')) throw new Error('E\'…\' strings are not supported in an inlined statement');
      let j = i + 1;
      for (;;) {
        j = sql.indexOf(c, j);
        if (j < 0) throw new Error('unterminated quote in a statement');
        if (sql[j + 1] === c) j += 2;
        else break;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      const end = nl < 0 ? sql.length : nl;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated comment in a statement');
      out += sql.slice(i, end + 2);
      i = end + 2;
    } else if (c === '$') {
      const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (!m) throw new Error('dollar quoting is not supported in an inlined statement');
      const n = Number(m[1]);
      if (n < 1 || n > values.length) throw new Error(`a statement refers to value $${n} of ${values.length}`);
      out += literal(values[n - 1]);
      i += m[0].length;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** The part of a pooled pg connection this uses. */
interface Connection {
  query(text: string | { text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] } | { rows: unknown[] }[]>;
}

/** Statements that need no answer wait for the next one that does, on one connection, in one transaction. */
export class WriteBehind implements Statements {
  readonly q = builder;
  private pending: { sql: string; answered?: (rows: unknown[]) => void }[] = [{ sql: 'begin' }];
  /** Round trips made (for tests and the benchmark's curiosity). */
  trips = 0;

  /** `sent` hears each statement as it is queued (inWriteBehind: the knex instance's 'query' event, as for any other statement). */
  constructor(private readonly conn: Connection, private readonly sent?: (sql: string) => void) {}

  async write<T>(statement: Statement, answered?: (rows: T[]) => void, o?: { bound?: boolean }): Promise<void> {
    if (o?.bound) {
      const rows = await this.bound<T>(statement);
      answered?.(rows);
      return;
    }
    this.queue(inlineSql(statement), answered as ((rows: unknown[]) => void) | undefined);
  }

  async rows<T>(statement: Statement, o?: { bound?: boolean }): Promise<T[]> {
    if (o?.bound) return this.bound<T>(statement);
    this.queue(inlineSql(statement));
    return (await this.flush()) as T[];
  }

  /** What waits goes first (one message), then the statement with its values bound (one more round trip). */
  private async bound<T>(statement: Statement): Promise<T[]> {
    if (this.pending.length) await this.flush();
    const { sql, bindings } = statement.toSQL().toNative();
    this.sent?.(sql);
    this.trips += 1;
    const res = await this.conn.query({ text: sql, values: bindings });
    return (Array.isArray(res) ? res[res.length - 1] : res).rows as T[];
  }

  private queue(sql: string, answered?: (rows: unknown[]) => void): void {
    this.sent?.(sql);
    this.pending.push({ sql, answered });
  }

  /** Sends what waits (COMMIT last). */
  async commit(): Promise<void> {
    this.pending.push({ sql: 'commit' });
    await this.flush();
  }

  /** Sends what waits as one message; hands each statement's rows to whoever asked; answers the last one's. */
  private async flush(): Promise<unknown[]> {
    const sent = this.pending;
    this.pending = [];
    this.trips += 1;
    // Each on its own lines, so a statement that ends in a `--` comment cannot swallow the separator.
    const res = await this.conn.query(sent.map((p) => p.sql).join('\n;\n'));
    const all = Array.isArray(res) ? res : [res];
    if (all.length !== sent.length) throw new Error(`${sent.length} statements sent in one message, ${all.length} answers`);
    sent.forEach((p, i) => p.answered?.(all[i].rows));
    return all[all.length - 1].rows;
  }
}

/**
 * Runs `change` in one transaction on one pooled connection, its statements written behind
 * (WriteBehind). On any error the transaction is rolled back and the error thrown; a connection
 * that cannot even roll back is dropped by the pool's check when it is next taken.
 */
export async function inWriteBehind<T>(db: Knex, change: (s: WriteBehind) => Promise<T>): Promise<T> {
  const pool = db.client as { acquireConnection(): Promise<Connection>; releaseConnection(c: Connection): Promise<unknown> };
  const conn = await pool.acquireConnection();
  try {
    const s = new WriteBehind(conn, (sql) => db.emit('query', { method: 'raw', sql, bindings: [] }));
    const out = await change(s);
    await s.commit();
    return out;
  } catch (err) {
    await conn.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    await pool.releaseConnection(conn);
  }
}
