/**
 * RFC 9457 problem+json for every error. Known errors keep their status and field paths; what
 * Express and body-parser raise about a malformed request becomes the matching 4xx; a backing
 * service that cannot be reached (the database, Temporal) is a 503 with Retry-After and one log
 * line per period; anything else is logged here and reaches the client as a plain 500 without
 * internals.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { connectionFailure } from '../lib/connection-failure';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '../lib/errors';
import { maskText } from '../lib/privacy';
import { ThrottledLog } from '../lib/throttled-log';
import { lineLogger, log } from '../lib/log';

export const problemBase = 'https://onewindow.example/problems/';

/** Seconds a client is asked to wait when a backing service is down. */
export const unavailableRetryAfter = 5;

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).type('application/problem+json').json({
    type: `${problemBase}not-found`,
    title: 'Not found',
    status: 404,
    detail: `no route for ${req.method} ${req.path}`,
    instance: req.originalUrl,
  });
};

/** What http-errors (body-parser, the router) attach to the errors they raise. */
interface HttpError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
  code?: string;
  expose?: boolean;
}

function httpStatusOf(err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined;
  const s = (err as HttpError).status ?? (err as HttpError).statusCode;
  return typeof s === 'number' && s >= 400 && s < 500 ? s : undefined;
}

/** A malformed request as Express, body-parser or the router report it, as a problem; else undefined. */
export function requestProblem(err: unknown): AppError | undefined {
  const status = httpStatusOf(err);
  if (status === undefined) return undefined;
  const e = err as HttpError;
  switch (e.type) {
    case 'entity.too.large':
      return new AppError(413, 'payload-too-large', 'The request body is too large', 'the body exceeds the size limit');
    case 'entity.parse.failed':
      return new AppError(400, 'malformed-json', 'The request body is not valid JSON', 'the body could not be parsed as JSON');
    case 'encoding.unsupported':
      return new AppError(415, 'unsupported-content-encoding', 'The body\'s Content-Encoding is not supported', 'send the body as identity, gzip, deflate or br');
    case 'charset.unsupported':
      return new AppError(415, 'unsupported-charset', 'The body\'s charset is not supported', 'send JSON as UTF-8');
    case 'request.aborted':
    case 'request.size.invalid':
      return new AppError(400, 'bad-request', 'The request is not valid', 'the body ended before its Content-Length');
    default:
      break;
  }
  // A body that claims a Content-Encoding it does not have: the decompressor's own error.
  if (typeof e.code === 'string' && e.code.startsWith('Z_')) {
    return new AppError(400, 'bad-content-encoding', 'The request body is not encoded as it says', 'the body could not be decompressed as its Content-Encoding header says');
  }
  // The router cannot decode a path parameter (a malformed % escape).
  if (err instanceof URIError) {
    return new AppError(400, 'bad-path-encoding', 'The request path is not well encoded', 'a % escape in the path does not decode to UTF-8 text');
  }
  if (e.type !== undefined) {
    return new AppError(400, 'malformed-json', 'The request body is not valid JSON', e.message);
  }
  return e.expose ? new AppError(status, 'bad-request', 'The request is not valid', e.message) : undefined;
}

/** The API process's outage log: at most one line every 10 s. */
export const outageLog = new ThrottledLog(10_000, lineLogger('error', 'api'));

export const serviceUnavailable = () => {
  const e = new AppError(503, 'service-unavailable', 'Service unavailable', 'a service the API depends on cannot be reached at the moment; try again later');
  return Object.assign(e, { retryAfter: unavailableRetryAfter });
};

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  let e: AppError;
  const outage = err instanceof AppError ? undefined : connectionFailure(err);
  if (err instanceof AppError) {
    e = err;
  } else if (outage) {
    outageLog.report(`[api] 503: a backing service is unreachable (${outage}), first seen on ${req.method} ${req.path}`);
    e = serviceUnavailable();
  } else {
    const known = requestProblem(err);
    if (known) {
      e = known;
    } else {
      // Logged with personal data masked: the log is read by operators, not by case handlers.
      log().error({ err, method: req.method, url: maskText(req.originalUrl) }, 'request failed');
      e = new AppError(500, 'internal', 'Internal error', 'the server could not complete the request; it has been logged');
    }
  }
  const retryAfter = (e as AppError & { retryAfter?: number }).retryAfter;
  if (retryAfter !== undefined) res.set('retry-after', String(retryAfter));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(e.status).type('application/problem+json').json({
    type: `${problemBase}${e.code}`,
    title: e.title,
    status: e.status,
    detail: e.message,
    instance: req.originalUrl,
    ...(e.errors.length ? { errors: e.errors } : {}),
  });
};

/** What Node's HTTP parser refuses before Express sees a request, as (status, problem code, detail). */
function parserProblem(code: string | undefined): [number, string, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'request-header-too-large', 'the request line and headers together may be at most 16 KB (a long query or path belongs in a body)'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'request-timeout', 'the request did not arrive in time'];
  return [400, 'bad-request', 'the request could not be parsed as HTTP'];
}

/**
 * Answers what Node's HTTP parser refuses (a request line or headers over its 16 KB, a malformed
 * request) as a problem, as every other refusal is: by default Node writes a bare status line
 * with no body. Call it on every server an API app is served from.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Nothing can be answered on a reset or half-written connection.
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const [status, code, detail] = parserProblem(err.code);
    const body = JSON.stringify({ type: `${problemBase}${code}`, title: STATUS_CODES[status], status, detail });
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
