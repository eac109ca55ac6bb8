/**
 * The worker's health port (WORKER_HEALTH_PORT), for liveness and readiness probes:
 * `GET /health` answers 200 while the process runs its event loop (liveness);
 * `GET /ready` answers 200 `{status: 'ok', worker: 'RUNNING', database: 'ok'}` while the worker polls
 * its task queue and the database answers, else 503 with the failing part (readiness).
 */
import http from 'node:http';
import type { Db } from '../lib/db';

export interface WorkerHealthSource {
  /** The SDK worker's state: INITIALIZED, RUNNING, STOPPING, DRAINING, DRAINED, STOPPED, FAILED. */
  state(): string;
  db: Db;
}

async function databaseOk(db: Db): Promise<boolean> {
  try {
    await Promise.race([db.raw('select 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref())]);
    return true;
  } catch {
    return false;
  }
}

/** Listens on host:port (0 = any free port; read it back from `address()`). */
export function startWorkerHealth(source: WorkerHealthSource, port: number, host: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return reply(405, { status: 'method-not-allowed' });
    if (url === '/health') return reply(200, { status: 'ok', worker: source.state() });
    if (url === '/ready') {
      void databaseOk(source.db).then((dbOk) => {
        const worker = source.state();
        const ok = dbOk && worker === 'RUNNING';
        reply(ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', worker, database: dbOk ? 'ok' : 'unreachable' });
      });
      return;
    }
    reply(404, { status: 'not-found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
