/**
 * The API's case queries: one at a time per case, every reader answered by a query that began
 * after it asked, a query the worker never answers asked again, and a 503 after the last attempt.
 * The coalescing is checked against a client whose queries the test settles by hand; the
 * deadline against a real Temporal client talking to a server that never answers.
 */
import { Client, Connection } from '@temporalio/client';
import { expect } from 'chai';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../lib/errors';
import type { CaseView } from '../../workflows/definitions';
import { CaseQueries } from './case-query';

/** A query the test answers (or lets hang) by hand. */
interface Pending { caseNo: string; resolve: (v: CaseView) => void; reject: (e: unknown) => void }

/** The part of a Client CaseQueries uses: each query waits for the test. */
function handClient() {
  const pending: Pending[] = [];
  const client = {
    // The deadline is the test's to play: it rejects a query with gRPC's deadline error when it wants.
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
    workflow: {
      getHandle: (caseNo: string) => ({
        query: () => new Promise<CaseView>((resolve, reject) => pending.push({ caseNo, resolve, reject })),
      }),
    },
  };
  return { client: client as unknown as Client, pending };
}

const view = (status: string) => ({ status }) as unknown as CaseView;
const deadlineError = () => Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { code: 4, details: 'Deadline exceeded', metadata: {} });
const settle = () => new Promise((r) => setImmediate(r));

describe('case queries (the API\'s live view of a case)', () => {
  it('when readers come while a query is out, then they share one next query that starts after the running one ends', async () => {
    const { client, pending } = handClient();
    const q = new CaseQueries(client);
    const first = q.view('C1');
    await settle();
    expect(pending).to.have.length(1);
    // Three readers while the first query is out: no new query yet.
    const later = [q.view('C1'), q.view('C1'), q.view('C1')];
    await settle();
    expect(pending).to.have.length(1);
    // Another case is not held up by C1's.
    const other = q.view('C2');
    await settle();
    expect(pending.map((p) => p.caseNo)).to.deep.equal(['C1', 'C2']);
    pending[0].resolve(view('before'));
    expect(await first).to.deep.equal(view('before'));
    await settle();
    // The readers' query begins only now, after the first ended: it cannot miss a change made before they asked.
    expect(pending.map((p) => p.caseNo)).to.deep.equal(['C1', 'C2', 'C1']);
    pending[2].resolve(view('after'));
    expect(await Promise.all(later)).to.deep.equal([view('after'), view('after'), view('after')]);
    pending[1].resolve(view('other'));
    expect(await other).to.deep.equal(view('other'));
    expect(q.outstanding).to.equal(0);
  });

  it('when the running query fails, then it fails only its own reader and the readers waiting get the next query\'s answer', async () => {
    const { client, pending } = handClient();
    const q = new CaseQueries(client);
    const first = q.view('C1');
    const second = q.view('C1');
    await settle();
    pending[0].reject(new Error('workflow not found'));
    expect(await first.then(() => 'answered', (e: Error) => e.message)).to.equal('workflow not found');
    await settle();
    expect(pending).to.have.length(2);
    pending[1].resolve(view('ok'));
    expect(await second).to.deep.equal(view('ok'));
    expect(q.outstanding).to.equal(0);
  });

  it('when a reader comes after the next query has started, then it waits for the one after that', async () => {
    const { client, pending } = handClient();
    const q = new CaseQueries(client);
    const a = q.view('C1');
    const b = q.view('C1');
    await settle();
    pending[0].resolve(view('1'));
    await a;
    await settle();
    expect(pending).to.have.length(2); // b's query is out
    const c = q.view('C1');
    await settle();
    expect(pending).to.have.length(2);
    pending[1].resolve(view('2'));
    expect(await b).to.deep.equal(view('2'));
    await settle();
    expect(pending).to.have.length(3);
    pending[2].resolve(view('3'));
    expect(await c).to.deep.equal(view('3'));
  });

  it('when an attempt runs out of time (the worker dropped the query), then the query is asked again and its answer returned', async () => {
    const { client, pending } = handClient();
    const q = new CaseQueries(client, [50, 50]);
    const r = q.view('C1');
    await settle();
    pending[0].reject(deadlineError());
    await settle();
    expect(pending).to.have.length(2);
    pending[1].resolve(view('answered'));
    expect(await r).to.deep.equal(view('answered'));
  });

  it('when every attempt runs out of time against a server that never answers, then the reader gets a 503 to retry', async function () {
    this.timeout(20_000);
    // A TCP server that accepts and says nothing: a real client's calls can only end by their deadline.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => { sockets.add(s); s.on('error', () => undefined); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const connection = Connection.lazy({ address: `127.0.0.1:${(silent.address() as AddressInfo).port}` });
    try {
      const q = new CaseQueries(new Client({ connection }), [150, 150]);
      const err = await q.view('3301062026120100000001').then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(AppError);
      expect((err as AppError).status).to.equal(503);
      expect(q.outstanding).to.equal(0);
    } finally {
      await connection.close().catch(() => undefined);
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
