import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { embeddedPassword } from './embedded-password';
import { startEmbeddedDb, startEmbeddedDbThread, type EmbeddedDb } from './pglite-server';

describe('embedded database (PGlite) sign-in', function () {
  this.timeout(60_000);
  let embedded: EmbeddedDb;
  let port: number;
  before(async () => {
    embedded = await startEmbeddedDb('memory://', 0, { password: 'the-right-password' });
    port = embedded.port;
  });
  after(async () => {
    await embedded?.stop();
  });

  async function connect(password: string | undefined): Promise<string> {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', password });
    try {
      await client.connect();
      const r = await client.query<{ n: number }>('select 1 as n');
      return `ok ${r.rows[0].n}`;
    } catch (err) {
      return `refused ${(err as { code?: string }).code ?? (err as Error).message}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  it('when a local user connects without the password or with a wrong one, then it is refused; with it, it is served', async () => {
    expect(await connect('wrong')).to.equal('refused 28P01');
    expect(await connect('')).to.match(/^refused/);
    expect(await connect('the-right-password')).to.equal('ok 1');
    const viaUrl = new pg.Client({ connectionString: embedded.url });
    await viaUrl.connect();
    expect((await viaUrl.query('select 2 as n')).rows[0].n).to.equal(2);
    await viaUrl.end();
  });

  it('when the data folder has no password yet, then one is generated once, private to the owner, and kept', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onewindow-data-'));
    try {
      const first = embeddedPassword(dir);
      expect(first).to.have.length.greaterThan(20);
      expect(embeddedPassword(dir)).to.equal(first);
      expect(fs.statSync(path.join(dir, 'pglite-password')).mode & 0o077).to.equal(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded database (PGlite): many connections on its one session', function () {
  this.timeout(60_000);
  let embedded: EmbeddedDb;
  const stalls: string[] = [];
  const clients: pg.Client[] = [];
  before(async () => {
    embedded = await startEmbeddedDb('memory://', 0, { stallWarningMs: 300, onStall: (m) => stalls.push(m) });
    const setup = await client();
    await setup.query('create table t (n int primary key)');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });
  after(async () => {
    await embedded?.stop();
  });

  async function client(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: embedded.url });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }
  const numbers = async (c: pg.Client) => (await c.query<{ n: number }>('select n from t order by n')).rows.map((r) => r.n);
  /** An empty table, and two connections: `a` in a transaction that has inserted `n`, `b` outside it. */
  async function openTransaction(n: number): Promise<{ a: pg.Client; b: pg.Client }> {
    await (await client()).query('delete from t');
    const a = await client();
    const b = await client();
    await a.query('begin');
    await a.query('insert into t values ($1)', [n]);
    return { a, b };
  }
  /** Settles a promise into what happened, so a test can look at it without awaiting it. */
  function watch<T>(p: Promise<T>) {
    const state: { done: boolean; value?: T; error?: Error } = { done: false };
    p.then((value) => Object.assign(state, { done: true, value }), (error: Error) => Object.assign(state, { done: true, error }));
    return state;
  }

  it('when one connection is in a transaction, then another one\'s statement waits for its end and never joins it', async () => {
    const { a, b } = await openTransaction(1);
    const inserted = watch(b.query('insert into t values ($1) returning n', [2]));
    // A keeps working alone in its transaction: B's insert has not run, and is not part of it.
    for (let i = 0; i < 5; i++) expect(await numbers(a)).to.deep.equal([1]);
    expect(inserted.done).to.equal(false);
    await a.query('rollback');
    await b.query('select 1'); // answered after the insert sent before it
    expect(inserted.error).to.equal(undefined);
    expect(inserted.value?.rows).to.deep.equal([{ n: 2 }]);
    expect(await numbers(b)).to.deep.equal([2]);
  });

  it('when several connections\' statements waited behind a transaction, then at its end each runs whole and gets its own answer', async () => {
    const a = await client();
    const others = await Promise.all(Array.from({ length: 5 }, () => client()));
    await a.query('begin');
    await a.query('select 1');
    // Parse, Bind, Describe, Execute, Sync of five connections queue up behind A's transaction; then each connection
    // sends a statement that fails and another one, each its own text.
    const runs = others.map((c, k) => watch((async () => {
      const first = await c.query<{ n: number }>(`select $1::int + ${k} as n`, [k * 100]).then((r) => r.rows[0]?.n, (e: Error) => e.message);
      const failing = await c.query(`select ${k} / $1::int as x`, [0]).then(() => 'no error', (e: Error) => e.message);
      const second = await c.query<{ n: number }>(`select $1::int * ${k + 2} as n`, [k]).then((r) => r.rows[0]?.n, (e: Error) => e.message);
      return [first, failing, second];
    })()));
    for (let i = 0; i < 3; i++) await a.query('select 2');
    expect(runs.some((w) => w.done)).to.equal(false);
    // At its end they are served one connection's exchange at a time, the failing one taking only itself with it.
    await a.query('commit');
    while (!runs.every((w) => w.done)) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs.map((w) => w.value ?? w.error?.message)).to.deep.equal([0, 1, 2, 3, 4].map((k) => [k * 101, 'division by zero', k * (k + 2)]));
  });

  it('when several connections send parameterised statements at once, then each gets its own answer and none fails', async () => {
    const conns = await Promise.all(Array.from({ length: 8 }, () => client()));
    const failures: string[] = [];
    await Promise.all(conns.map(async (c, k) => {
      for (let i = 0; i < 40; i++) {
        const want = k * 1000 + i;
        try {
          // Every few, a statement that fails inside its exchange: the others' messages must not be skipped with it.
          if (i % 7 === 3) {
            const err = await c.query('select 1 / $1::int as x', [0]).then(() => undefined, (e: Error) => e);
            if (!err || !/division by zero/.test(err.message)) failures.push(`#${k}: expected division by zero, got ${String(err)}`);
            continue;
          }
          // Each connection its own statement text (a statement of another connection bound to these values would answer
          // differently), and now and then a value large enough that its Bind reaches the server in several pieces.
          const s = i % 3 === 0 ? `c${k}`.repeat(100_000) : `c${k}`;
          const r = await c.query<{ n: number; len: number; head: string }>(`select $1::int + ${k} as n, length($2::text) as len, left($2::text, 3) as head`, [want, s]);
          if (r.rows[0].n !== want + k || r.rows[0].len !== s.length || r.rows[0].head !== s.slice(0, 3)) failures.push(`#${k}: asked ${want}, got ${JSON.stringify(r.rows[0])}`);
        } catch (err) {
          failures.push(`#${k}: ${(err as Error).message}`);
        }
      }
    }));
    expect(failures).to.deep.equal([]);
  });

  it('when several connections run transactions at once, then each commits alone and every row is kept', async () => {
    await (await client()).query('delete from t');
    const conns = await Promise.all(Array.from({ length: 6 }, () => client()));
    await Promise.all(conns.map(async (c, k) => {
      for (let i = 0; i < 10; i++) {
        await c.query('begin');
        const before = (await c.query<{ count: string }>('select count(*) from t')).rows[0].count;
        await c.query('insert into t values ($1)', [k * 100 + i]);
        const after = (await c.query<{ count: string }>('select count(*) from t')).rows[0].count;
        // Nobody else's insert lands inside this transaction.
        expect(Number(after)).to.equal(Number(before) + 1);
        await c.query('commit');
      }
    }));
    expect(await numbers(await client())).to.have.length(60);
  });

  it('when a connection goes away in the middle of a transaction, then its work is rolled back and the others go on', async () => {
    const { a, b } = await openTransaction(7);
    const waiting = watch(b.query<{ n: number }>('select count(*)::int as n from t'));
    // Gone without a word (no Terminate), as when a process is killed.
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await b.query('select 1');
    expect(waiting.done).to.equal(true);
    expect(waiting.value?.rows).to.deep.equal([{ n: 0 }]);
    expect(await numbers(b)).to.deep.equal([]);
  });

  it('when a connection waits behind another one\'s open transaction for long, then the wait is reported', async () => {
    stalls.length = 0;
    const a = await client();
    const b = await client();
    await a.query('begin');
    await a.query('select 1');
    const waiting = watch(b.query('select 2'));
    while (!stalls.length) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(waiting.done).to.equal(false);
    expect(stalls[0]).to.match(/holds PGlite's only session in an open transaction and 1 other connection\(s\) have waited/);
    await a.query('commit');
    await b.query('select 3');
    expect(waiting.done).to.equal(true);
  });
});

describe('embedded database (PGlite) on a thread of its own', function () {
  this.timeout(60_000);
  it('when this thread is blocked in a spawnSync of a command that uses the database, then the command is served', async () => {
    const embedded = await startEmbeddedDbThread('memory://', 0);
    try {
      const script = "const pg = require('pg'); const c = new pg.Client(process.env.URL); c.connect().then(() => c.query('select $1::int + 1 as n', [41])).then((r) => { console.log(r.rows[0].n); return c.end(); });";
      const child = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, URL: embedded.url }, encoding: 'utf8', timeout: 30_000 });
      expect(child.stderr).to.equal('');
      expect(child.stdout.trim()).to.equal('42');
    } finally {
      await embedded.stop();
    }
  });
});
