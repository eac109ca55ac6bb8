/**
 * The exchange dispatcher on a database of its own (so no stack's dispatcher leases these rows):
 * each case's nodes go in order, a delivered node's mark leases the case's next one in the same
 * statement, a transient fault and a refusal each stop their case, and a node not due yet waits.
 */
import { expect } from 'chai';
import type { NodeRecord, ProvincialExchange } from '../../adapters/province';
import { AdapterRefusal } from '../../adapters/errors';
import { createDb, migrate, type Db } from '../db';
import { dropDatabase } from '../drop-database';
import { ctx } from '../../test/context';
import { ExchangeDispatcher } from './dispatcher';

describe('the exchange dispatcher (real PostgreSQL, a database of its own)', function () {
  this.timeout(60_000);
  const name = `onewindow_exchange_t${process.pid}`;
  let admin: Db;
  let db: Db;

  before(async function () {
    if (ctx.embeddedDb) this.skip(); // it creates a database on a PostgreSQL server
    admin = createDb({ url: ctx.databaseUrl, poolMax: 1 });
    await dropDatabase(admin, name);
    await admin.raw(`create database ${name}`);
    const u = new URL(ctx.databaseUrl);
    u.pathname = `/${name}`;
    db = createDb({ url: u.toString(), poolMax: 2 });
    await migrate(db);
  });
  after(async () => {
    await db?.destroy();
    if (admin) {
      await dropDatabase(admin, name);
      await admin.destroy();
    }
  });

  it('when cases have nodes due, then each case goes in order, one statement a delivered node, and a fault, a refusal or a node not due stops its case', async () => {
    const at = new Date().toISOString();
    const node = (caseNo: string, seq: number, extra: Record<string, unknown> = {}) => ({
      case_no: caseNo, seq, node_id: `${caseNo}-${seq}`, node: 'n', at, record: JSON.stringify({ nodeId: `${caseNo}-${seq}`, caseNo, seq, node: 'n', at }), ...extra,
    });
    await db('exchange_outbox').insert([
      node('A', 1), node('A', 2), node('A', 3), // all three go
      node('B', 1), node('B', 2), node('B', 3), // B2 meets a fault: B3 waits behind it
      node('C', 1), node('C', 2), // C1 is refused: C2 waits behind it
      node('D', 1), node('D', 2, { next_attempt_at: new Date(Date.now() + 3_600_000) }), // D2 is not due yet
    ]);
    const pushed: string[] = [];
    const province: ProvincialExchange = {
      pushNode: (r: NodeRecord) => {
        pushed.push(r.nodeId);
        if (r.nodeId === 'B-2') return Promise.reject(new Error('503 from the provincial platform'));
        if (r.nodeId === 'C-1') return Promise.reject(new AdapterRefusal('province', 'bad-record', 'record refused'));
        return Promise.resolve({ nodeId: r.nodeId, receivedAt: at });
      },
      dayList: () => Promise.reject(new Error('not asked')),
    };
    const statements: string[] = [];
    const listen = (q: { sql: string }) => statements.push(q.sql);
    db.on('query', listen);
    const dispatcher = new ExchangeDispatcher({ db, province, dailyReconciliation: false, baseDelayMs: 60_000 });
    let pushes: number;
    try {
      pushes = await dispatcher.runOnce();
    } finally {
      db.removeListener('query', listen);
    }
    // Each case's own order; the cases side by side.
    const of = (c: string) => pushed.filter((id) => id.startsWith(`${c}-`));
    expect(of('A')).to.deep.equal(['A-1', 'A-2', 'A-3']);
    expect(of('B')).to.deep.equal(['B-1', 'B-2']);
    expect(of('C')).to.deep.equal(['C-1']);
    expect(of('D')).to.deep.equal(['D-1']);
    expect(pushes).to.equal(7);
    const rows = await db('exchange_outbox').orderBy(['case_no', 'seq']).select<{ node_id: string; state: string; attempts: number; last_error: string | null }[]>('node_id', 'state', 'attempts', 'last_error');
    expect(rows.map((r) => `${r.node_id}:${r.state}:${r.attempts}`)).to.deep.equal([
      'A-1:delivered:1', 'A-2:delivered:1', 'A-3:delivered:1',
      'B-1:delivered:1', 'B-2:pending:1', 'B-3:pending:0',
      'C-1:refused:1', 'C-2:pending:0',
      'D-1:delivered:1', 'D-2:pending:0',
    ]);
    expect(rows.find((r) => r.node_id === 'B-2')!.last_error).to.include('503');
    // One lease for the round, one statement for each delivered node (its mark and the next lease),
    // one for each fault or refusal.
    expect(statements).to.have.length(1 + 5 + 2);
  });
});
