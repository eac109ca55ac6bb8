/** `npm run api`: the HTTP API and web app (scale-out: run several behind a balancer). */
import { CertificateClient } from '../adapters/certificates';
import { createApp } from '../api/app';
import { loadConfig } from '../lib/config';
import { checkpointFile, startCheckpoints } from '../lib/audit-checkpoints';
import { ConfigError } from '../lib/errors';
import { openDb, runMain, temporalAddressOf } from '../lib/runtime';
import { connectClient } from '../lib/temporal';
import { closeGracefully } from '../lib/graceful-close';
import { IdentityClient } from '../adapters/identity';
import { NotifierClient } from '../adapters/messaging';
import { RateLimiter } from '../api/auth/rate-limit';
import type { Express } from 'express';
import type { Server } from 'node:http';

function listen(app: Express, port: number, host: string, name: string): Promise<Server> {
  const server = app.listen(port, host);
  return new Promise<Server>((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ConfigError(`port ${port} is already in use; stop whatever holds it or set ${name}`) : err));
  });
}

runMain('api', async () => {
  const config = loadConfig();
  const db = await openDb(config);
  const client = await connectClient(temporalAddressOf(config), config.temporalNamespace);
  const certificatesUrl = config.platformUrls.certificates;
  const certificates = certificatesUrl ? new CertificateClient({ baseUrl: certificatesUrl, secret: config.platformSecret }) : undefined;
  const identityUrl = config.platformUrls.identity;
  const identity = identityUrl ? new IdentityClient({ baseUrl: identityUrl, secret: config.platformSecret }) : undefined;
  // The hall's appointment codes go by SMS through the messaging platform.
  const messagingUrl = config.platformUrls.messaging;
  const notifier = messagingUrl ? new NotifierClient({ baseUrl: messagingUrl, secret: config.platformSecret }) : undefined;
  const limiter = new RateLimiter();
  const deps = { db, client, taskQueue: config.taskQueue, platformSecret: config.platformSecret, secretKey: config.secretKey, sessionMinutes: config.sessionMinutes, followUpFirstAskMs: config.platformFollowUpMinutes * 60_000, certificates, identity, notifier, limiter, trustProxy: config.trustProxy, hsts: config.hsts, auditKey: config.auditKey, auditCheckpointFile: checkpointFile(config.dataDir) };
  // The audit chain's head, signed, outside the database (see README, "Security").
  startCheckpoints(db, checkpointFile(config.dataDir), config.auditKey, config.auditCheckpointMinutes);
  // With PUBLIC_PORT, the Internet zone (applicants, integrators, verification) has a port of its
  // own and PORT serves the government extranet; without it, PORT serves both.
  const servers = [await listen(createApp({ ...deps, zone: config.publicPort === undefined ? 'all' : 'internal' }), config.port, config.host, 'PORT')];
  console.log(`api: listening on http://${config.host}:${config.port}${config.publicPort === undefined ? '' : ' (extranet zone)'}`);
  if (config.publicPort !== undefined) {
    servers.push(await listen(createApp({ ...deps, zone: 'public' }), config.publicPort, config.host, 'PUBLIC_PORT'));
    console.log(`api: Internet zone on http://${config.host}:${config.publicPort}`);
  }
  // Stops accepting, lets in-flight requests finish (up to a short grace), and does not wait for
  // idle keep-alive clients.
  const stop = () => {
    setTimeout(() => process.exit(0), 10_000).unref();
    void Promise.all(servers.map((s) => closeGracefully(s, 3_000)))
      .then(() => client.connection.close()).then(() => db.destroy()).then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
