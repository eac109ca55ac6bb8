/**
 * Statements written behind (lib/statements.ts): values written into the SQL as literals must come
 * back exactly as bound parameters would have stored them, whatever the text; a statement that
 * fails takes its whole transaction with it; the round trips are the ones that need an answer.
 */
import { expect } from 'chai';
import knex from 'knex';
import { createDb, type Db } from './db';
import { inline, inlineSql, inWriteBehind } from './statements';
import { ctx } from '../test/context';
import { startEmbeddedDb, type EmbeddedDb } from './pglite-server';
import { plain, unusual } from '../test/hostile-text';

const q = knex({ client: 'pg' });

describe('statements written behind: values as literals', () => {
  it('when a value sits beside quoted text, identifiers and comments that hold "$1", then only the placeholder outside them is replaced', () => {
    const sql = `select '$1 it''s' as "a$1", $1 -- $2 isn't a value\n, /* $2 */ $2`;
    expect(inline(sql, ['x', 7])).to.equal(`select '$1 it''s' as "a$1", 'x' -- $2 isn't a value\n, /* $2 */ '7'`);
  });

  it('when a value is null, a quote, a backslash, an array, an object or a date, then it is written as PostgreSQL reads a parameter of it', () => {
    expect(inline('$1 $2 $3', [null, "O'Brien", 'a\\b'])).to.equal(`null 'O''Brien'  E'a\\\\b'`);
    expect(inline('$1', [['a', 'b"c', null]])).to.equal(` E'{"a","b\\\\"c",NULL}'`);
    expect(inline('$1', [{ k: "it's" }])).to.equal(`'{"k":"it''s"}'`);
    expect(inline('$1', [new Date('2026-12-02T08:00:00Z')])).to.match(/^'2026-12-02T\d\d:00:00\.000[+-]\d\d:\d\d'$/);
    expect(inline('$1 $2', [true, 12.5])).to.equal(`'true' '12.5'`);
  });

  it('when a statement refers to a value it was not given, uses dollar quoting or an E string, or leaves a quote open, then it is refused before anything is sent', () => {
    expect(() => inline('select $2', ['x'])).to.throw(/value \$2 of 1/);
    expect(() => inline('select $$x$$', [])).to.throw(/dollar quoting/);
    expect(() => inline(`select E'x'`, [])).to.throw(/E'…' strings/);
    expect(() => inline(`select 'x`, [])).to.throw(/unterminated quote/);
    expect(() => inline('select /* x', [])).to.throw(/unterminated comment/);
    expect(() => inline('select $1', [undefined])).to.throw(/undefined value/);
    let nul: unknown;
    try {
      inline('select $1', ['a\u0000b']);
    } catch (err) {
      nul = err;
    }
    expect((nul as { code?: string }).code, 'refused as PostgreSQL refuses a bound NUL').to.equal('22021');
    expect(() => inline('select $1', [Buffer.from('x')])).to.throw(/binary values/);
  });

  it('when knex builds a statement with named and positional values, then its inlined SQL holds each value once, in place', () => {
    const sql = inlineSql(q.raw('select * from t where a = any(:xs) and b = :b', { xs: ['1', '2'], b: 'x' }));
    expect(sql).to.equal(`select * from t where a = any('{"1","2"}') and b = 'x'`);
  });
});

describe('statements written behind, on the real database', function () {
  this.timeout(60_000);
  let db: Db;

  before(async () => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb, poolMax: 2 });
    await db.raw('create table if not exists zz_write_behind (id int primary key, t text, j jsonb, a text[], at timestamptz)');
    await db('zz_write_behind').del();
  });

  after(async () => {
    await db.raw('drop table if exists zz_write_behind');
    await db.destroy();
  });

  it('when hostile text is written behind and bound, then both store the same text, JSON and arrays', async () => {
    // (NUL cannot be stored in PostgreSQL text at all, and the API refuses it and lone surrogates at its door.)
    const texts = [...unusual, ...plain, '\ufffe', '\u{10ffff}', 'é'.repeat(100_000), "'; drop table zz_write_behind; --", "$1 $$ E'\\'", '\\x41', '"', "''"];
    const rows = texts.map((t, i) => ({ id: i + 1, t, j: JSON.stringify({ t, n: i }), a: [t, 'x'], at: new Date(Date.UTC(2026, 11, 2, 0, 0, i)) }));
    await inWriteBehind(db, async (s) => {
      for (const r of rows) await s.write(s.q('zz_write_behind').insert(r));
    });
    await db('zz_write_behind').insert(rows.map((r) => ({ ...r, id: r.id + 1000 })));
    const stored = await db('zz_write_behind').orderBy('id').select('id', 't', 'j', 'a', 'at');
    const behind = stored.filter((r) => r.id < 1000);
    const bound = stored.filter((r) => r.id > 1000);
    expect(behind).to.have.length(texts.length);
    expect(behind.map(({ id: _id, ...r }) => r)).to.deep.equal(bound.map(({ id: _id, ...r }) => r));
    expect(behind.map((r) => r.t)).to.deep.equal(texts);
  });

  it('when the writes need no answer, then BEGIN, the writes and COMMIT go in one round trip; each statement that needs an answer takes one more', async () => {
    let trips = 0;
    await inWriteBehind(db, async (s) => {
      await s.write(s.q('zz_write_behind').insert({ id: 2001, t: 'a' }));
      await s.write(s.q('zz_write_behind').insert({ id: 2002, t: 'b' }));
      const [r] = await s.rows<{ t: string }>(s.q('zz_write_behind').where({ id: 2001 }).select('t'));
      expect(r.t, 'a read sees the writes queued before it').to.equal('a');
      await s.write(s.q('zz_write_behind').where({ id: 2002 }).update({ t: 'c' }));
      trips = s.trips;
    });
    expect(trips, 'round trips before the COMMIT').to.equal(1);
    expect(await db('zz_write_behind').whereIn('id', [2001, 2002]).orderBy('id').pluck('t')).to.deep.equal(['a', 'c']);
  });

  it('when a statement is sent bound, then its values never enter the statement text PostgreSQL sees, and it still runs after what waited before it', async () => {
    const seen: string[] = [];
    const listen = (q: { sql: string }) => seen.push(q.sql);
    db.on('query', listen);
    try {
      const rows = await inWriteBehind(db, async (s) => {
        await s.write(s.q('zz_write_behind').insert({ id: 7001, t: 'queued' }));
        await s.write(s.q('zz_write_behind').insert({ id: 7002, t: '330106199003073514 张三' }), undefined, { bound: true });
        return s.rows<{ n: string }>(s.q('zz_write_behind').whereIn('id', [7001, 7002]).count('* as n'), { bound: true });
      });
      expect(rows).to.deep.equal([{ n: '2' }]);
    } finally {
      db.removeListener('query', listen);
    }
    expect(seen.join('\n')).to.include('queued').and.not.include('330106199003073514');
  });

  it('when a statement ends in a line comment, then the next one written behind it still runs on its own', async () => {
    await inWriteBehind(db, async (s) => {
      await s.write(s.q.raw("insert into zz_write_behind (id, t) values (6001, 'a') -- the end"));
      await s.write(s.q('zz_write_behind').insert({ id: 6002, t: 'b' }));
    });
    expect(await db('zz_write_behind').whereIn('id', [6001, 6002]).orderBy('id').pluck('t')).to.deep.equal(['a', 'b']);
  });

  it('when a statement written behind fails, then the error comes back, nothing of the transaction is stored, and the connection serves the next one', async () => {
    let thrown: unknown;
    try {
      await inWriteBehind(db, async (s) => {
        await s.write(s.q('zz_write_behind').insert({ id: 3001, t: 'kept?' }));
        await s.write(s.q('zz_write_behind').insert({ id: 3001, t: 'duplicate' }));
        await s.write(s.q('zz_write_behind').insert({ id: 3002, t: 'after' }));
      });
    } catch (err) {
      thrown = err;
    }
    expect((thrown as { code?: string } | undefined)?.code, 'a unique violation').to.equal('23505');
    expect(await db('zz_write_behind').whereIn('id', [3001, 3002]).pluck('id')).to.deep.equal([]);
    // The pool's connections (2) all still work, in and out of a transaction.
    for (let i = 0; i < 3; i++) await inWriteBehind(db, async (s) => s.write(s.q('zz_write_behind').insert({ id: 3100 + i, t: 'ok' })));
    expect(await db('zz_write_behind').whereBetween('id', [3100, 3199]).count<{ n: string }[]>('* as n')).to.deep.equal([{ n: '3' }]);
  });

  it('when the server ends the connection in the middle of a transaction written behind, then the error comes back, nothing is stored, and the pool opens a new connection for the next one', async function () {
    if (ctx.embeddedDb) this.skip(); // one PGlite session: no backend to end
    const err = await inWriteBehind(db, async (s) => {
      await s.write(s.q('zz_write_behind').insert({ id: 5001, t: 'lost' }));
      const [{ pid }] = await s.rows<{ pid: number }>(s.q.raw('select pg_backend_pid() as pid'));
      const admin = createDb({ url: ctx.databaseUrl, poolMax: 1 });
      try {
        await admin.raw('select pg_terminate_backend(?)', [pid]);
      } finally {
        await admin.destroy();
      }
      await s.write(s.q('zz_write_behind').insert({ id: 5002, t: 'lost too' }));
    }).then(() => null, (e: Error) => e);
    expect(err, 'the commit fails').to.be.instanceOf(Error);
    for (let i = 0; i < 3; i++) await inWriteBehind(db, async (s) => s.write(s.q('zz_write_behind').insert({ id: 5100 + i, t: 'after' })));
    expect(await db('zz_write_behind').where('id', '>=', 5000).where('id', '<', 5200).orderBy('id').pluck('id')).to.deep.equal([5100, 5101, 5102]);
  });

  it('when the change itself throws before anything was sent, then nothing is stored and the error is the change\'s', async () => {
    const err = await inWriteBehind(db, async (s) => {
      await s.write(s.q('zz_write_behind').insert({ id: 4001, t: 'never' }));
      throw new Error('the change gave up');
    }).then(() => null, (e: Error) => e);
    expect(err?.message).to.equal('the change gave up');
    expect(await db('zz_write_behind').where({ id: 4001 }).pluck('id')).to.deep.equal([]);
  });
});

describe('statements written behind, on the embedded database (PGlite, as npm start runs without DATABASE_URL)', function () {
  this.timeout(120_000);
  let embedded: EmbeddedDb;
  let db: Db;

  before(async () => {
    embedded = await startEmbeddedDb('memory://', 0, { password: 'write-behind-test' });
    db = createDb({ url: embedded.url, embedded: true });
    await db.raw('create table zz_write_behind (id int primary key, t text)');
  });

  after(async () => {
    await db?.destroy();
    await embedded?.stop();
  });

  it('when a transaction is written behind, fails once and is written again, then its one session serves it and every other statement in turn', async () => {
    const failed = await inWriteBehind(db, async (s) => {
      await s.write(s.q('zz_write_behind').insert({ id: 1, t: '张三' }));
      await s.write(s.q('zz_write_behind').insert({ id: 1, t: 'duplicate' }));
    }).then(() => null, (e: { code?: string }) => e.code);
    expect(failed).to.equal('23505');
    const [seen, plain] = await Promise.all([
      inWriteBehind(db, async (s) => {
        await s.write(s.q('zz_write_behind').insert({ id: 1, t: "O'Brien \u200f😀" }));
        return s.rows<{ t: string }>(s.q('zz_write_behind').where({ id: 1 }).select('t'));
      }),
      db('zz_write_behind').count<{ n: string }[]>('* as n'),
    ]);
    expect(seen).to.deep.equal([{ t: "O'Brien \u200f😀" }]);
    expect(plain).to.have.length(1);
    expect(await db('zz_write_behind').pluck('t')).to.deep.equal(["O'Brien \u200f😀"]);
  });
});
