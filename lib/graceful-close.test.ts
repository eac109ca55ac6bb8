/**
 * Closing an HTTP server with keep-alive clients polling it: it must not wait for them, must let
 * a request in flight finish, and must not wait longer than the grace for a stuck one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { closeGracefully } from './graceful-close';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function get(port: number, path: string, agent: http.Agent): Promise<{ status: number; body: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function serve(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Clients that poll without pause over one kept-alive connection each, until told to stop. */
function pollers(port: number, n: number) {
  let running = true;
  const agents = Array.from({ length: n }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const loops = agents.map(async (agent) => {
    while (running) {
      try {
        await get(port, '/poll', agent);
      } catch {
        await wait(10);
      }
    }
  });
  return { stop: async () => { running = false; await Promise.all(loops); agents.forEach((a) => a.destroy()); } };
}

describe('closeGracefully (real HTTP server and keep-alive clients)', function () {
  this.timeout(30_000);

  it('when five keep-alive clients keep polling, then the server closes in well under a second', async () => {
    const { server, port } = await serve((_req, res) => setTimeout(() => res.end('ok'), 5));
    const clients = pollers(port, 5);
    await wait(300);
    const started = Date.now();
    await closeGracefully(server, 5_000);
    const took = Date.now() - started;
    await clients.stop();
    expect(took).to.be.below(1_000);
  });

  it('when a request is in flight, then it is answered (with Connection: close) before the server closes', async () => {
    const { server, port } = await serve((req, res) => setTimeout(() => res.end(req.url), req.url === '/slow' ? 400 : 1));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await get(port, '/warm', agent); // the connection is kept alive and idle now
    const slow = get(port, '/slow', new http.Agent({ keepAlive: true }));
    await wait(100);
    const started = Date.now();
    await closeGracefully(server, 5_000);
    const answer = await slow;
    expect(answer).to.include({ status: 200, body: '/slow' });
    expect(Date.now() - started).to.be.within(200, 1_500);
    agent.destroy();
  });

  it('when a request takes longer than the grace, then its connection is closed at the grace', async () => {
    const { server, port } = await serve(() => undefined); // never answers
    const stuck = get(port, '/stuck', new http.Agent({ keepAlive: true })).then(() => 'answered', () => 'cut');
    await wait(100);
    const started = Date.now();
    await closeGracefully(server, 300);
    expect(Date.now() - started).to.be.within(250, 1_500);
    expect(await stuck).to.equal('cut');
  });
});
