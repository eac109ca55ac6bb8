/**
 * The HTTP API and the web app on one Express instance. Routes are thin: they validate,
 * identify the caller, and hand over to services.
 */
import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import path from 'node:path';
import type { Db } from '../lib/db';
import { errorHandler, notFoundHandler } from './problem';
import { calendarRoutes } from './routes/calendar';
import { callbackRoutes, type RawBodyRequest } from './routes/callbacks';
import { catalogueRoutes } from './routes/catalogue';
import { certificateRoutes } from './routes/certificates';
import type { CertificatePlatform } from '../adapters/certificates';
import { caseRoutes } from './routes/cases';
import { supervisionRoutes } from './routes/supervision';
import { taskRoutes } from './routes/tasks';

export interface AppDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  /** Verifies the platforms' signed callbacks. */
  platformSecret: string;
  /** For public certificate verification; without it the route answers 503. */
  certificates?: CertificatePlatform;
}

const webRoot = path.resolve(__dirname, '..', 'web', 'public');

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // The raw body is kept for the callbacks, whose signatures cover the exact bytes sent.
  app.use(express.json({ limit: '256kb', strict: true, verify: (req, _res, buf) => { (req as RawBodyRequest).rawBody = buf; } }));

  const api = express.Router();
  api.get('/health', async (_req, res) => {
    await deps.db.raw('select 1');
    res.json({ status: 'ok' });
  });
  api.use(catalogueRoutes(deps));
  api.use(calendarRoutes(deps.db));
  api.use(callbackRoutes(deps, deps.platformSecret));
  api.use(supervisionRoutes(deps));
  api.use(certificateRoutes(deps.db, deps.certificates));
  api.use(caseRoutes(deps));
  api.use(taskRoutes(deps));
  api.use(notFoundHandler);
  app.use('/api', api);

  app.use(express.static(webRoot));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
