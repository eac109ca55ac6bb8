/**
 * RFC 9457 problem+json for every error. Known errors keep their status and field paths;
 * anything else is logged here and reaches the client as a plain 500 without internals.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../lib/errors';
import { maskText } from '../lib/privacy';

export const problemBase = 'https://onewindow.example/problems/';

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).type('application/problem+json').json({
    type: `${problemBase}not-found`,
    title: 'Not found',
    status: 404,
    detail: `no route for ${req.method} ${req.path}`,
    instance: req.originalUrl,
  });
};

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  let e: AppError;
  if (err instanceof AppError) {
    e = err;
  } else if (isBodyParserError(err)) {
    e = err.type === 'entity.too.large'
      ? new AppError(413, 'payload-too-large', 'The request body is too large', 'the body exceeds the size limit')
      : new AppError(400, 'malformed-json', 'The request body is not valid JSON', err.type === 'entity.parse.failed' ? 'the body could not be parsed as JSON' : err.message);
  } else {
    // Logged with personal data masked: the log is read by operators, not by case handlers.
    console.error(maskText(`[api] ${req.method} ${req.originalUrl} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`));
    e = new AppError(500, 'internal', 'Internal error', 'the server could not complete the request; it has been logged');
  }
  const retryAfter = (e as AppError & { retryAfter?: number }).retryAfter;
  if (retryAfter !== undefined) res.set('retry-after', String(retryAfter));
  res.status(e.status).type('application/problem+json').json({
    type: `${problemBase}${e.code}`,
    title: e.title,
    status: e.status,
    detail: e.message,
    instance: req.originalUrl,
    ...(e.errors.length ? { errors: e.errors } : {}),
  });
};

function isBodyParserError(err: unknown): err is BodyParserError {
  return err instanceof Error && typeof (err as BodyParserError).type === 'string' && typeof (err as BodyParserError).status === 'number';
}
