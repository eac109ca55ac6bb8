/**
 * The HTTP API and the web app on one Express instance. Routes are thin: they validate,
 * identify the caller, and hand over to services. Before any route: the body is parsed (and
 * kept raw for signatures), its text, query string and path are checked (`clean-text.ts`), the
 * caller is authenticated, integrators are rate-limited, the
 * OpenAPI contract is applied (zone, query string), and POSTs with an Idempotency-Key are
 * answered once.
 */
import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import path from 'node:path';
import type { CertificatePlatform } from '../adapters/certificates';
import type { IdentityPlatform } from '../adapters/identity';
import type { Notifier } from '../adapters/messaging';
import type { Db } from '../lib/db';
import { authenticate, passwordChangeGate } from './auth/principal';
import { integratorRateLimit, RateLimiter } from './auth/rate-limit';
import { contract, type ServedZone } from './contract';
import { docsRoutes } from './docs';
import { idempotency } from './idempotency';
import { openApiDocument } from './openapi';
import { cleanText } from './clean-text';
import { health } from './health';
import { errorHandler, notFoundHandler, unavailableRetryAfter } from './problem';
import { methodGuard, securityHeaders } from './security-headers';
import { noteActor, observe } from './observability';
import { webStatic } from './web-static';
import { authRoutes } from './routes/auth';
import { calendarRoutes } from './routes/calendar';
import { callbackRoutes, type RawBodyRequest } from './routes/callbacks';
import { caseRoutes } from './routes/cases';
import { catalogueRoutes } from './routes/catalogue';
import { certificateRoutes } from './routes/certificates';
import { deskRoutes } from './routes/desk';
import { integrationRoutes } from './routes/integration';
import { materialBodyLimit, materialRoutes } from './routes/materials';
import { supervisionRoutes } from './routes/supervision';
import { taskRoutes } from './routes/tasks';
import { webViewRoutes } from './routes/web-views';
import { archiveRoutes } from './routes/archive';
import { openDataRoutes } from './routes/open-data';
import { hallRoutes } from './routes/hall';
import { PdfFont } from './services/document-pdf';
import type { CaseWatch } from './services/case-watch';
import { defaultPdfFontFile } from '../lib/config';

export interface AppDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  /** Verifies the platforms' signed callbacks. */
  platformSecret: string;
  /** Encrypts integrators' signing secrets and webhook secrets at rest. */
  secretKey: string;
  sessionMinutes?: number;
  /** For public certificate verification; without it the route answers 503. */
  certificates?: CertificatePlatform;
  /** For applicant sign-in by SMS; without it that route answers 503. */
  identity?: IdentityPlatform;
  /** Which routes this instance serves: all (default), the Internet zone only, or the extranet. */
  zone?: ServedZone;
  /** Shared by the app's routes; tests may pass their own. */
  limiter?: RateLimiter;
  /** How soon a new case first asks a platform itself when its callback is late (PLATFORM_FOLLOW_UP_SECONDS). */
  followUpFirstAskMs?: number;
  /** Express's `trust proxy` (TRUST_PROXY): which proxy's X-Forwarded-* to believe; false = none. */
  trustProxy?: boolean | string | number;
  /** Send HSTS on requests that arrived over TLS (HSTS). */
  hsts?: boolean;
  /** AUDIT_KEY, to verify the audit chain (the development key when absent). */
  auditKey?: string;
  /** The signed audit checkpoints that verification compares the chain with. */
  auditCheckpointFile?: string;
  /** The payment platform's public payment page (PAYMENT_CASHIER_URL), for the live view's pay link. */
  paymentCashierUrl?: string;
  /** The approval archive's store (ARCHIVE_DIR); without it the archive's download and verification answer 503. */
  archiveDir?: string;
  /** Sends the service hall's appointment codes by SMS; without it they are shown only. */
  notifier?: Notifier;
  /** The service hall's clock (tests place the hall on a chosen working day); the real time otherwise. */
  hallClock?: () => Date;
  /**
   * Wakes the case views waiting with `?wait=` when their case moves (api/services/case-watch.ts);
   * without it they look again every 3 s.
   */
  caseWatch?: CaseWatch;
  /** The CJK font of the documents' PDFs (PDF_FONT_FILE; Debian's WenQuanYi Micro Hei when absent); missing, the PDF download answers 503. */
  pdfFontFile?: string;
}

/** The built web app (`npm run build:web`, Vite's output). */
const webRoot = path.resolve(__dirname, '..', 'web', 'dist');

/** The API's routes, without the web app: also what the OpenAPI test walks. */
export function apiRouter(deps: AppDeps): express.Router {
  const limiter = deps.limiter ?? new RateLimiter();
  const api = express.Router();
  api.use(authenticate({ db: deps.db, secretKey: deps.secretKey }));
  api.use(noteActor);
  api.use(passwordChangeGate);
  api.use(integratorRateLimit(limiter));
  api.use(contract(deps.zone ?? 'all'));
  api.use(idempotency(deps.db));
  api.get('/health', async (_req, res) => {
    const h = await health(deps.db, deps.client);
    if (h.status === 'unavailable') res.set('retry-after', String(unavailableRetryAfter));
    res.status(h.status === 'unavailable' ? 503 : 200).json(h);
  });
  api.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(deps.zone ?? 'all'));
  });
  api.use(authRoutes({ db: deps.db, identity: deps.identity, sessionMinutes: deps.sessionMinutes ?? 480, limiter }));
  api.use(catalogueRoutes(deps));
  api.use(calendarRoutes(deps));
  api.use(callbackRoutes(deps, deps.platformSecret));
  api.use(supervisionRoutes(deps));
  api.use(certificateRoutes(deps.db, deps.certificates));
  api.use(caseRoutes(deps));
  api.use(materialRoutes(deps.db, deps.certificates));
  api.use(taskRoutes(deps));
  api.use(integrationRoutes({ db: deps.db, secretKey: deps.secretKey, auditKey: deps.auditKey, auditCheckpointFile: deps.auditCheckpointFile }));
  api.use(webViewRoutes(deps.db, deps.certificates));
  api.use(deskRoutes(deps.db, new PdfFont(deps.pdfFontFile ?? defaultPdfFontFile)));
  api.use(archiveRoutes(deps.db, deps.archiveDir));
  api.use(openDataRoutes(deps.db));
  api.use(hallRoutes(deps));
  return api;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxy ?? false);
  // Request id, log context, request metrics and span (api/observability.ts).
  app.use(observe());
  app.use(securityHeaders({ hsts: deps.hsts ?? false }));
  // The raw body is kept for signatures (callbacks, integrators) and idempotency hashes.
  const keepRaw = (req: unknown, _res: unknown, buf: Buffer) => { (req as RawBodyRequest).rawBody = buf; };
  const isJson = (req: express.Request) => /^application\/([a-z.+-]*\+)?json/i.test(req.get('content-type') ?? '');
  const isUpload = (req: express.Request) => req.method === 'POST' && /^\/api\/cases\/[^/]+\/materials\/?$/.test(req.path);
  // Material uploads carry a file (up to 5 MiB in base64); every other body is at most 256 KiB.
  app.use(express.json({ limit: materialBodyLimit, strict: true, verify: keepRaw, type: (req) => isJson(req as express.Request) && isUpload(req as express.Request) }));
  app.use(express.json({ limit: '256kb', strict: true, verify: keepRaw, type: (req) => isJson(req as express.Request) && !isUpload(req as express.Request) }));
  // Text that cannot be stored, a malformed path or a body nested too deeply stops here (400).
  app.use(cleanText());
  app.use('/api/docs', docsRoutes());
  const api = apiRouter(deps);
  api.use(methodGuard, notFoundHandler);
  app.use('/api', api);

  app.use(webStatic(webRoot));
  app.use(methodGuard, notFoundHandler);
  app.use(errorHandler);
  return app;
}
