/**
 * Closes an HTTP server without waiting for its keep-alive clients: it stops accepting, closes
 * idle connections at once, answers the requests already in flight with `Connection: close`
 * (and closes each connection as soon as its response is out), and after `graceMs` closes
 * whatever is left.
 */
import type { Server } from 'node:http';

export async function closeGracefully(server: Server, graceMs = 3_000): Promise<void> {
  if (!server.listening) return;
  // A request that arrives on a kept-alive connection after this point is served, then the
  // connection closes.
  server.on('request', (_req, res) => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  });
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Connections whose in-flight response has just finished become idle: close them as they do.
  const sweep = setInterval(() => server.closeIdleConnections(), 25);
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(force);
  }
}
