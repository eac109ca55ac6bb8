import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createDb, type Db } from '../lib/db';
import { ctx } from '../test/context';
import { startWorkerHealth } from './health';

describe('the worker health port (WORKER_HEALTH_PORT)', () => {
  let db: Db;
  let unreachable: Db;
  const servers: Server[] = [];
  before(() => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb, poolMax: 1 });
    // A database nobody listens for (port 1): its probe fails at once.
    unreachable = createDb({ url: 'postgres://nobody:nothing@127.0.0.1:1/none', poolMax: 1 });
  });
  after(async () => {
    for (const s of servers) s.close();
    await db.destroy();
    await unreachable.destroy();
  });

  async function serve(state: () => string, database: Db): Promise<string> {
    const server = await startWorkerHealth({ state, db: database }, 0, '127.0.0.1');
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const get = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('when the worker polls and the database answers, then /ready and /health are 200', async () => {
    const url = await serve(() => 'RUNNING', db);
    expect(await get(`${url}/ready`)).to.deep.equal({ status: 200, body: { status: 'ok', worker: 'RUNNING', database: 'ok' } });
    expect(await get(`${url}/health`)).to.deep.equal({ status: 200, body: { status: 'ok', worker: 'RUNNING' } });
  });

  it('when the worker is not polling (starting, draining), then /ready is 503 and /health still 200', async () => {
    let state = 'INITIALIZED';
    const url = await serve(() => state, db);
    expect(await get(`${url}/ready`)).to.deep.equal({ status: 503, body: { status: 'unavailable', worker: 'INITIALIZED', database: 'ok' } });
    state = 'DRAINING';
    expect((await get(`${url}/ready`)).status).to.equal(503);
    expect((await get(`${url}/health`)).status).to.equal(200);
  });

  it('when the database cannot be reached, then /ready is 503 naming it', async () => {
    const url = await serve(() => 'RUNNING', unreachable);
    expect(await get(`${url}/ready`)).to.deep.equal({ status: 503, body: { status: 'unavailable', worker: 'RUNNING', database: 'unreachable' } });
  });

  it('when asked for anything else, then 404; for another method, 405', async () => {
    const url = await serve(() => 'RUNNING', db);
    expect((await get(`${url}/metrics`)).status).to.equal(404);
    expect((await fetch(`${url}/ready`, { method: 'POST' })).status).to.equal(405);
  });
});
