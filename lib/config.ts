/**
 * The one typed configuration module. Nothing else reads `process.env`.
 * Every variable is listed in the README's configuration table with its default.
 */
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './errors';

export interface Config {
  /** Port of the API + web app (internal zone; also public unless PUBLIC_PORT is set). */
  port: number;
  host: string;
  /** PostgreSQL URL; undefined means "use the embedded PGlite under dataDir". */
  databaseUrl: string | undefined;
  /** Port the embedded PGlite socket server listens on when DATABASE_URL is unset. */
  pglitePort: number;
  dataDir: string;
  /** Temporal frontend address; undefined means `npm start` runs a dev server itself. */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  taskQueue: string;
  /** Port of the local dev server's gRPC frontend and Web UI, when `npm start` runs it. */
  devServerPort: number;
  devServerUiPort: number;
  /** Folder where the Temporal CLI and the Java test server are kept between runs. */
  cacheDir: string;
  temporalCliVersion: string;
  /** A temporal binary to use instead of building one. */
  temporalCliPath: string | undefined;
  testServerVersion: string;
  /** Level of every process's JSON log lines and of the Temporal SDK's logs routed into them: TRACE, DEBUG, INFO, WARN or ERROR. */
  logLevel: LogLevel;
  /** Base URLs of the external platforms; `npm start` runs simulators for those not set. */
  platformUrls: Partial<Record<PlatformName, string>>;
  /**
   * The payment platform's public page where a payer pays an order (收银台); the hall's pay button
   * sends the applicant there with the order and a return address. In development it is the
   * simulator's (`PAYMENT_URL` + `/cashier`); production must name the real one.
   */
  paymentCashierUrl: string | undefined;
  /** Shared secret that signs requests to the platforms and their callbacks to us. */
  platformSecret: string;
  /** Port of the public zone (applicants, integrators, verification); undefined = same port as internal. */
  publicPort: number | undefined;
  /** Server key (any string; SHA-256 makes it 32 bytes) that encrypts integrators' signing secrets at rest. */
  secretKey: string;
  /** Password given to the seeded demo staff; empty = seeded staff cannot sign in until an administrator sets one. */
  demoStaffPassword: string;
  /** Lifetime of a staff or applicant session, in minutes. */
  sessionMinutes: number;
  /** Minutes after which a new case first asks a platform itself when its callback is late (then doubling, at most a day). */
  platformFollowUpMinutes: number;
  /** Case workflows a worker keeps in memory between their workflow tasks (more are replayed from history when woken). */
  workerCachedCases: number;
  /** NODE_ENV=production: no development defaults, no demo passwords, no simulators. */
  production: boolean;
  /** Key of the audit log's HMAC chain and of its checkpoints; kept out of the database. */
  auditKey: string;
  /** Minutes between audit checkpoints (the chain head, signed, in DATA_DIR/audit-checkpoints). */
  auditCheckpointMinutes: number;
  /** Express's `trust proxy`: false (default), true, a hop count, or addresses/subnets of the TLS proxy. */
  trustProxy: boolean | number | string;
  /** Send HSTS on requests that arrived over TLS (HSTS=true); defaults to on in production. */
  hsts: boolean;
  /** Address of the /metrics listeners (API and worker); loopback unless the scraper is elsewhere. Never the public zone's app. */
  metricsHost: string;
  /** Port of the API's /metrics listener (0 = one the system picks, logged at start). */
  metricsPort: number;
  /** Port of the worker's /metrics listener (0 = one the system picks, logged at start). */
  workerMetricsPort: number;
  /** Loopback port of the Temporal SDK's own Prometheus exporter in the worker, served again on the worker's /metrics (0 = one the system picks). */
  temporalMetricsPort: number;
  /** OTLP/HTTP endpoint for traces (OTEL_EXPORTER_OTLP_ENDPOINT); undefined = tracing off. */
  otlpEndpoint: string | undefined;
  /** Days that security-relevant operational records (sessions, sign-in challenges, webhook attempts) are kept; at least 180. */
  retentionDays: number;
  /** Longest pause between two supervision sweeps, ms (a clock whose instant the sweep already knows is recorded at that instant). */
  supervisionSweepMs: number;
  /** Port of the worker's health endpoint (GET /health, /ready) for probes; undefined = none. */
  workerHealthPort: number | undefined;
  /** The approval archive's store: a folder, one sealed package per closed case (ARCHIVE_DIR, default DATA_DIR/archive). */
  archiveDir: string;
  /** The CJK TrueType font (or collection) the documents' PDFs are set in (PDF_FONT_FILE); missing = the PDF download answers 503. */
  pdfFontFile: string;
}

/** The development defaults: published in the README, so never good enough in production. */
export const devDefaults = {
  platformSecret: 'onewindow-dev-secret',
  secretKey: 'onewindow-dev-secret-key',
  auditKey: 'onewindow-dev-audit-key',
  demoStaffPassword: 'onewindow-demo',
} as const;

/** Debian's WenQuanYi Micro Hei (package fonts-wqy-microhei), the documents' PDF font unless PDF_FONT_FILE names another. */
export const defaultPdfFontFile = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/** The smallest secret accepted in production, in bytes. */
export const minSecretBytes = 32;

/** Case workflows a worker keeps cached by default (WORKER_CACHED_CASES): about 0.27 MiB each; 850 keeps the 10,000-case burst's worker under 500 MiB. */
export const defaultWorkerCachedCases = 850;

export type PlatformName = 'identity' | 'certificates' | 'payment' | 'logistics' | 'departments' | 'messaging' | 'province';
export const platformNames: PlatformName[] = ['identity', 'certificates', 'payment', 'logistics', 'departments', 'messaging', 'province'];

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const logLevels: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`${name}=${raw} is not a valid port number; set it to an integer between 0 and 65535`);
  }
  return n;
}

function minutes(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 7 * 24 * 60) throw new ConfigError(`${name}=${raw} is not a number of minutes from 1 to 10080`);
  return n;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name}=${raw} is not a whole number from ${min} to ${max}`);
  return n;
}

function str(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** Reads and validates configuration; throws ConfigError with a one-line fix on bad values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(databaseUrl);
    } catch {
      throw new ConfigError(`DATABASE_URL is not a URL; use the form postgres://user:password@host:5432/database`);
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new ConfigError(`DATABASE_URL must start with postgres:// (got ${url.protocol}//); use postgres://user:password@host:5432/database`);
    }
    if (url.pathname.length <= 1) {
      throw new ConfigError('DATABASE_URL names no database; add one after the host, e.g. postgres://user:pw@127.0.0.1:5432/onewindow');
    }
  }
  const logLevel = str(env, 'LOG_LEVEL', 'INFO').toUpperCase() as LogLevel;
  if (!logLevels.includes(logLevel)) throw new ConfigError(`LOG_LEVEL=${env.LOG_LEVEL} is not one of ${logLevels.join(', ')}`);
  const dataDir = path.resolve(str(env, 'DATA_DIR', 'data'));
  const xdg = optional(env, 'XDG_CACHE_HOME') ?? path.join(os.homedir(), '.cache');
  const production = env.NODE_ENV === 'production';
  const config: Config = {
    port: int(env, 'PORT', 8080),
    host: str(env, 'HOST', '127.0.0.1'),
    databaseUrl,
    pglitePort: int(env, 'PGLITE_PORT', 54329),
    dataDir,
    temporalAddress: optional(env, 'TEMPORAL_ADDRESS'),
    temporalNamespace: str(env, 'TEMPORAL_NAMESPACE', 'default'),
    taskQueue: str(env, 'TEMPORAL_TASK_QUEUE', 'onewindow-cases'),
    devServerPort: int(env, 'TEMPORAL_DEV_PORT', 7233),
    devServerUiPort: int(env, 'TEMPORAL_DEV_UI_PORT', 8233),
    cacheDir: path.resolve(str(env, 'ONEWINDOW_CACHE', path.join(xdg, 'onewindow'))),
    temporalCliVersion: str(env, 'TEMPORAL_CLI_VERSION', 'v1.5.1'),
    temporalCliPath: optional(env, 'TEMPORAL_CLI_PATH'),
    testServerVersion: str(env, 'TEMPORAL_TEST_SERVER_VERSION', '1.31.0'),
    logLevel,
    platformUrls: Object.fromEntries(platformNames.flatMap((p) => {
      const v = optional(env, `${p.toUpperCase()}_URL`);
      return v ? [[p, v]] : [];
    })),
    paymentCashierUrl: optional(env, 'PAYMENT_CASHIER_URL') ?? (production ? undefined : optional(env, 'PAYMENT_URL')?.replace(/\/$/, '').concat('/cashier')),
    platformSecret: str(env, 'PLATFORM_SECRET', devDefaults.platformSecret),
    publicPort: optional(env, 'PUBLIC_PORT') === undefined ? undefined : int(env, 'PUBLIC_PORT', 0),
    secretKey: str(env, 'SECRET_KEY', devDefaults.secretKey),
    demoStaffPassword: env.DEMO_STAFF_PASSWORD ?? (production ? '' : devDefaults.demoStaffPassword),
    sessionMinutes: minutes(env, 'SESSION_MINUTES', 480),
    platformFollowUpMinutes: minutes(env, 'PLATFORM_FOLLOW_UP_MINUTES', 60),
    workerCachedCases: wholeNumber(env, 'WORKER_CACHED_CASES', defaultWorkerCachedCases, 10, 100_000),
    production,
    auditKey: str(env, 'AUDIT_KEY', devDefaults.auditKey),
    auditCheckpointMinutes: minutes(env, 'AUDIT_CHECKPOINT_MINUTES', 10),
    trustProxy: trustProxyOf(optional(env, 'TRUST_PROXY')),
    hsts: bool(env, 'HSTS', production),
    metricsHost: str(env, 'METRICS_HOST', '127.0.0.1'),
    metricsPort: int(env, 'METRICS_PORT', 9464),
    workerMetricsPort: int(env, 'WORKER_METRICS_PORT', 9465),
    temporalMetricsPort: int(env, 'TEMPORAL_METRICS_PORT', 0),
    otlpEndpoint: otlpEndpointOf(optional(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')),
    retentionDays: wholeNumber(env, 'RETENTION_DAYS', 180, 180, 36_500),
    supervisionSweepMs: wholeNumber(env, 'SUPERVISION_SWEEP_MS', 5000, 100, 600_000),
    workerHealthPort: optional(env, 'WORKER_HEALTH_PORT') === undefined ? undefined : int(env, 'WORKER_HEALTH_PORT', 0),
    archiveDir: path.resolve(str(env, 'ARCHIVE_DIR', path.join(dataDir, 'archive'))),
    pdfFontFile: str(env, 'PDF_FONT_FILE', defaultPdfFontFile),
  };
  if (production) checkProduction(env, config);
  return config;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name}=${raw} is not true or false`);
}

function otlpEndpointOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_ENDPOINT=${raw} is not a URL; use e.g. http://otel-collector:4318`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (OTLP over HTTP), got ${url.protocol}//`);
  return raw.replace(/\/$/, '');
}

function trustProxyOf(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^[0-9]+$/.test(raw)) return Number(raw);
  return raw; // addresses, subnets or names Express understands: loopback, 10.0.0.0/8, …
}

/**
 * NODE_ENV=production refuses to start with anything from development: a published or short
 * secret, a demo password, or a platform left to the simulators. Every problem is reported, one
 * line each, with its fix.
 */
function checkProduction(env: NodeJS.ProcessEnv, c: Config): void {
  const problems: string[] = [];
  const secrets: [string, string, string][] = [
    ['SECRET_KEY', c.secretKey, devDefaults.secretKey],
    ['PLATFORM_SECRET', c.platformSecret, devDefaults.platformSecret],
    ['AUDIT_KEY', c.auditKey, devDefaults.auditKey],
  ];
  for (const [name, value, dev] of secrets) {
    if (value === dev) problems.push(`${name} is the published development default; set it to a random secret of at least ${minSecretBytes} bytes (e.g. \`openssl rand -base64 48\`)`);
    else if (Buffer.byteLength(value, 'utf8') < minSecretBytes) problems.push(`${name} is shorter than ${minSecretBytes} bytes; set it to a random secret of at least ${minSecretBytes} bytes (e.g. \`openssl rand -base64 48\`)`);
  }
  if (new Set(secrets.map(([, v]) => v)).size < secrets.length) problems.push('SECRET_KEY, PLATFORM_SECRET and AUDIT_KEY must differ; give each its own random value');
  if (env.DEMO_STAFF_PASSWORD !== undefined && env.DEMO_STAFF_PASSWORD !== '') problems.push('DEMO_STAFF_PASSWORD is set; unset it in production and give each staff member their own password');
  const missing = platformNames.filter((p) => !c.platformUrls[p]);
  if (missing.length) problems.push(`no URL for ${missing.join(', ')}; set ${missing.map((p) => `${p.toUpperCase()}_URL`).join(', ')} (simulators do not run in production)`);
  if (!c.paymentCashierUrl) problems.push('no PAYMENT_CASHIER_URL; set it to the payment platform\'s public payment page (收银台) so applicants can pay online');
  if (problems.length) throw new ConfigError(`NODE_ENV=production refuses to start:\n  ${problems.join('\n  ')}`);
}
