/**
 * A database outage, for real: the API's database connection goes through a TCP proxy in front
 * of the run's database, which the test closes (dropping every connection) and opens again.
 * While it is closed, every route that needs the database (and /api/health) answers 503
 * problem+json with Retry-After, and the log gets one line, not a stack per request; once it is
 * back, they answer 200 again. Health reports Temporal in its own field.
 */
import { Client, Connection } from '@temporalio/client';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import { createApp } from './app';
import { RateLimiter } from './auth/rate-limit';
import { createDb, type Db } from '../lib/db';
import { configureLogging } from '../lib/log';
import { freePort } from '../lib/servers';
import { ctx, testStaffPassword } from '../test/context';

/** A TCP proxy to host:port that can be closed (every connection dropped) and opened again on the same port. */
class Proxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      this.sockets.add(client).add(upstream);
      const drop = () => { client.destroy(); upstream.destroy(); this.sockets.delete(client); this.sockets.delete(upstream); };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('database outage (a real connection dropped through a proxy)', function () {
  this.timeout(120_000);
  let proxy: Proxy;
  let db: Db;
  let connection: Connection;
  let server: Server;
  let base: string;
  let token: string;

  async function get(path: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, headers: res.headers, contentType: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, unknown> };
  }

  before(async () => {
    const url = new URL(ctx.databaseUrl);
    proxy = new Proxy({ host: url.hostname, port: Number(url.port || 5432) });
    await proxy.open();
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    db = createDb({ url: url.toString(), embedded: ctx.embeddedDb });
    connection = await Connection.connect({ address: ctx.temporalAddress });
    server = createApp({ db, client: new Client({ connection }), taskQueue: 'outage-test', platformSecret: 'x', secretKey: 'x', limiter: new RateLimiter() }).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'clerk-wang', password: testStaffPassword }) });
    token = ((await login.json()) as { token: string }).token;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await db?.destroy();
    await connection?.close();
    await proxy?.close();
  });

  it('when the database goes away, then routes and health answer 503 with Retry-After, the log gets one line, and all is 200 again once it is back', async () => {
    const healthy = await get('/api/health');
    expect(healthy.status).to.equal(200);
    expect(healthy.body).to.deep.equal({ status: 'ok', database: 'ok', temporal: 'ok' });
    expect((await get('/api/implementations?limit=1')).status).to.equal(200);

    await proxy.close();
    // The process's log (warnings and errors), line by line: its messages.
    const logged: string[] = [];
    configureLogging({ service: 'test', level: 'WARN', destination: { write: (line: string) => { logged.push(String((JSON.parse(line) as { msg: unknown }).msg)); } } });
    try {
      const health = await get('/api/health');
      expect(health.status).to.equal(503);
      expect(health.headers.get('retry-after')).to.equal('5');
      expect(health.body).to.deep.equal({ status: 'unavailable', database: 'unreachable', temporal: 'ok' });
      // A public read, a signed-in read (the session lookup needs the database too), a write.
      for (let i = 0; i < 10; i++) {
        for (const [path, headers] of [['/api/implementations?limit=1', {}], ['/api/tasks', { authorization: `Bearer ${token}` }], ['/api/calendar/2026', {}]] as const) {
          const r = await get(path, headers);
          expect(r.status, `${path}: ${JSON.stringify(r.body)}`).to.equal(503);
          expect(r.contentType).to.contain('application/problem+json');
          expect(r.headers.get('retry-after')).to.equal('5');
          expect(r.body.type).to.match(/service-unavailable$/);
          expect(JSON.stringify(r.body)).not.to.match(/ECONNREFUSED|knex|select|at .*\.ts/);
        }
      }
    } finally {
      configureLogging({ service: 'test', level: 'SILENT' });
    }
    // One line from the error handler, at most one of each kind from the connection pool: no stack per request.
    expect(logged.filter((l) => l.startsWith('[api] 503: a backing service is unreachable (')), logged.join('\n')).to.have.length(1);
    expect(logged.filter((l) => l.startsWith('[db] cannot open a connection')).length, logged.join('\n')).to.be.at.most(1);
    expect(logged.filter((l) => l.startsWith('[db] a connection was lost')).length, logged.join('\n')).to.be.at.most(1);
    expect(logged.length, logged.join('\n')).to.be.at.most(3);
    for (const line of logged) expect(line).not.to.match(/\n|\bat .*:\d+:\d+/);

    await proxy.open();
    const deadline = Date.now() + 20_000;
    let back = await get('/api/health');
    while (back.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      back = await get('/api/health');
    }
    expect(back.body).to.deep.equal({ status: 'ok', database: 'ok', temporal: 'ok' });
    expect((await get('/api/implementations?limit=1')).status).to.equal(200);
    expect((await get('/api/tasks', { authorization: `Bearer ${token}` })).status).to.equal(200);
  });

  it('when Temporal cannot be reached, then health says so in its own field and stays 200 (degraded) while the database answers, and a route that needs Temporal is a 503', async () => {
    const dead = await freePort();
    const lazy = Connection.lazy({ address: `127.0.0.1:${dead}` });
    const other = createApp({ db, client: new Client({ connection: lazy }), taskQueue: 'outage-test', platformSecret: 'x', secretKey: 'x', limiter: new RateLimiter() }).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => other.once('listening', resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ status: 'degraded', database: 'ok', temporal: 'unreachable' });
      // A route that needs Temporal answers 503 with Retry-After too.
      const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'supervisor-zhao', password: testStaffPassword }) });
      const { token: supervisor } = (await login.json()) as { token: string };
      const logged: string[] = [];
      configureLogging({ service: 'test', level: 'WARN', destination: { write: (line: string) => { logged.push(String((JSON.parse(line) as { msg: unknown }).msg)); } } });
      try {
        const list = await fetch(`http://127.0.0.1:${port}/api/supervision/workflows`, { headers: { authorization: `Bearer ${supervisor}` } });
        expect(list.status).to.equal(503);
        expect(list.headers.get('retry-after')).to.equal('5');
      } finally {
        configureLogging({ service: 'test', level: 'SILENT' });
      }
      for (const line of logged) expect(line).not.to.match(/\n/);
    } finally {
      await new Promise((r) => other.close(r));
      await lazy.close().catch(() => undefined);
    }
  });
});
