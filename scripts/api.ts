/** `npm run api`: the HTTP API and web app (scale-out: run several behind a balancer). */
import { CertificateClient } from '../adapters/certificates';
import { createApp } from '../api/app';
import { loadConfig } from '../lib/config';
import { ConfigError } from '../lib/errors';
import { openDb, runMain, temporalAddressOf } from '../lib/runtime';
import { connectClient } from '../lib/temporal';

runMain('api', async () => {
  const config = loadConfig();
  const db = await openDb(config);
  const client = await connectClient(temporalAddressOf(config), config.temporalNamespace);
  const certificatesUrl = config.platformUrls.certificates;
  const certificates = certificatesUrl ? new CertificateClient({ baseUrl: certificatesUrl, secret: config.platformSecret }) : undefined;
  const app = createApp({ db, client, taskQueue: config.taskQueue, platformSecret: config.platformSecret, certificates });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ConfigError(`port ${config.port} is already in use; stop whatever holds it or set PORT`) : err));
  });
  console.log(`api: listening on http://${config.host}:${config.port}`);
  const stop = () => {
    server.close(() => {
      void client.connection.close().then(() => db.destroy()).then(() => process.exit(0));
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
