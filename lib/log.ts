/**
 * Structured logs: one JSON object per line on stdout (pino), in every process. Each line carries
 * `time`, `level` (as a word), `service` (api, worker …), `msg`, and — when it is written while a
 * request, a workflow or an activity is being handled — `requestId`, `caseNo`, `operation` and
 * `actor` from the log context (an AsyncLocalStorage the API's request middleware, the Temporal
 * client interceptor and the activity interceptor fill in). Personal data is masked on the way out
 * with the rules of `lib/privacy.ts`: by field name, by the shape of a value, and inside free text.
 *
 * Until an entry point calls `configureLogging`, the logger is silent: tests that build the API
 * and a worker in their own process do not print a line per request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';
import type { LogLevel as ConfigLogLevel } from './config';
import { maskPersonalData, maskText } from './privacy';

/** What a log line says about the work it was written for. */
export interface LogContext {
  requestId?: string;
  caseNo?: string;
  /** OpenAPI operation id (API) or activity type (worker). */
  operation?: string;
  actor?: string;
}

export const logContext = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `ctx` as the log context (merged over the current one). */
export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...ctx }, fn);
}

/** A deep copy with personal data masked: field names and value shapes (privacy.ts), then ID numbers and phones inside any text. */
export function maskForLog<T>(value: T): T {
  return deepText(maskPersonalData(value)) as T;
}

function deepText(v: unknown): unknown {
  if (typeof v === 'string') return maskText(v);
  if (Array.isArray(v)) return v.map(deepText);
  if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Error)) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, deepText(x)]));
  }
  return v;
}

function errorFields(err: Error): Record<string, unknown> {
  return { type: err.name, message: maskText(err.message), stack: err.stack ? maskText(err.stack) : undefined };
}

export interface LoggingOptions {
  service: string;
  level: ConfigLogLevel | 'SILENT';
  /** Where lines go (default stdout); tests pass a stream. */
  destination?: pino.DestinationStream;
}

function make(o: LoggingOptions): Logger {
  return pino({
    level: o.level.toLowerCase(),
    base: { service: o.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) out[k] = v instanceof Error ? errorFields(v) : v;
        return maskForLog(out);
      },
    },
    serializers: { err: (e: unknown) => (e instanceof Error ? errorFields(e) : e) },
    mixin: () => {
      const ctx = logContext.getStore();
      if (!ctx) return {};
      const out: Record<string, string> = {};
      for (const k of ['requestId', 'caseNo', 'operation', 'actor'] as const) if (ctx[k]) out[k] = ctx[k];
      return out;
    },
    hooks: {
      // The message text itself is masked too (an ID number in an error message, a URL's query).
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskText(a) : a)) as Parameters<typeof method>;
        method.apply(this, masked);
      },
    },
  }, o.destination ?? pino.destination({ dest: 1, sync: true }));
}

let root: Logger = make({ service: 'onewindow', level: 'SILENT' });

/** Sets the process's logger: its service name, level and destination. Called once by each entry point. */
export function configureLogging(o: LoggingOptions): Logger {
  root = make(o);
  return root;
}

/** The process's logger (silent until `configureLogging`). */
export function log(): Logger {
  return root;
}

/** One-line text sinks (ThrottledLog and the like) into the logger at a level. */
export function lineLogger(level: 'error' | 'warn' | 'info', component: string): (line: string) => void {
  return (line) => root[level]({ component }, line);
}
