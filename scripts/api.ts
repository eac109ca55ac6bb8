/** `npm run api`: the HTTP API and web app (scale-out: run several behind a balancer). */
import { CertificateClient } from '../adapters/certificates';
import { createApp } from '../api/app';
import { answerClientErrors } from '../api/problem';
import { loadConfig } from '../lib/config';
import { checkpointFile, startCheckpoints } from '../lib/audit-checkpoints';
import { ConfigError } from '../lib/errors';
import { databaseOf, openDb, runMain, temporalAddressOf } from '../lib/runtime';
import { CaseWatch, listenConnectionOf } from '../api/services/case-watch';
import { connectClient } from '../lib/temporal';
import { closeGracefully } from '../lib/graceful-close';
import { IdentityClient } from '../adapters/identity';
import { NotifierClient } from '../adapters/messaging';
import { RateLimiter } from '../api/auth/rate-limit';
import type { Express } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configureLogging, log } from '../lib/log';
import { registerReadModelGauges, startMetricsServer } from '../lib/metrics';
import { startTracing } from '../lib/tracing';

function listen(app: Express, port: number, host: string, name: string): Promise<Server> {
  const server = app.listen(port, host);
  answerClientErrors(server);
  return new Promise<Server>((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ConfigError(`port ${port} is already in use; stop whatever holds it or set ${name}`) : err));
  });
}

runMain('api', async () => {
  const config = loadConfig();
  configureLogging({ service: 'api', level: config.logLevel });
  const tracing = startTracing('api', config.otlpEndpoint);
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
  // Case views waiting with ?wait= are woken by the database's notifications (one LISTEN connection).
  const { url: databaseUrl, embedded } = databaseOf(config);
  const caseWatch = new CaseWatch({ connection: listenConnectionOf(databaseUrl, embedded) });
  const deps = { db, client, taskQueue: config.taskQueue, platformSecret: config.platformSecret, secretKey: config.secretKey, sessionMinutes: config.sessionMinutes, followUpFirstAskMs: config.platformFollowUpMinutes * 60_000, certificates, identity, notifier, limiter, trustProxy: config.trustProxy, hsts: config.hsts, auditKey: config.auditKey, auditCheckpointFile: checkpointFile(config.dataDir), paymentCashierUrl: config.paymentCashierUrl, archiveDir: config.archiveDir, pdfFontFile: config.pdfFontFile, caseWatch };
  // The audit chain's head, signed, outside the database (see README, "Security").
  startCheckpoints(db, checkpointFile(config.dataDir), config.auditKey, config.auditCheckpointMinutes);
  // With PUBLIC_PORT, the Internet zone (applicants, integrators, verification) has a port of its
  // own and PORT serves the government extranet; without it, PORT serves both.
  const servers = [await listen(createApp({ ...deps, zone: config.publicPort === undefined ? 'all' : 'internal' }), config.port, config.host, 'PORT')];
  const port = (servers[0].address() as AddressInfo).port;
  log().info({ port, zone: config.publicPort === undefined ? 'all' : 'internal' }, `api: listening on http://${config.host}:${port}${config.publicPort === undefined ? '' : ' (extranet zone)'}`);
  if (config.publicPort !== undefined) {
    servers.push(await listen(createApp({ ...deps, zone: 'public' }), config.publicPort, config.host, 'PUBLIC_PORT'));
    const publicPort = (servers[1].address() as AddressInfo).port;
    log().info({ port: publicPort, zone: 'public' }, `api: Internet zone on http://${config.host}:${publicPort}`);
  }
  // Metrics on a listener of their own (METRICS_HOST:METRICS_PORT), never on either zone's app.
  registerReadModelGauges(db);
  const metrics = await startMetricsServer({ host: config.metricsHost, port: config.metricsPort }).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE' ? new ConfigError(`port ${config.metricsPort} (metrics) is already in use; stop whatever holds it or set METRICS_PORT`) : err;
  });
  log().info({ metricsPort: metrics.port, tracing: tracing !== undefined }, `api: metrics on http://${config.metricsHost}:${metrics.port}/metrics`);
  // Stops accepting, lets in-flight requests finish (up to a short grace), and does not wait for
  // idle keep-alive clients.
  const stop = () => {
    setTimeout(() => process.exit(0), 10_000).unref();
    // Waiting case views answer now (304, or the view as it stands), so they do not hold the close.
    void caseWatch.stop().then(() => Promise.all(servers.map((s) => closeGracefully(s, 3_000))))
      .then(() => metrics.close()).then(() => client.connection.close()).then(() => tracing?.shutdown()).then(() => db.destroy()).then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
