/**
 * A TCP proxy in front of the test database, so a test can "stop PostgreSQL" for the API and the
 * worker it serves (refuse new connections and cut open ones) and start it again, while other
 * tests keep using the database directly.
 */
import net from 'node:net';

export interface DbProxy {
  /** The database URL that goes through the proxy. */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startDbProxy(databaseUrl: string): Promise<DbProxy> {
  const target = new URL(databaseUrl);
  // The first listen takes a port the system chooses; a restart after `stop()` listens on the same one.
  let port = 0;
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const listen = () => new Promise<void>((resolve, reject) => {
    server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { port = (server!.address() as net.AddressInfo).port; resolve(); });
  });
  const stop = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return { url: url.toString(), stop, start: listen, close: stop };
}
