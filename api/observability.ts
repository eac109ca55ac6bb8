/**
 * The first middleware of every request: its request id (the caller's `X-Request-Id` when it is
 * 1–128 visible ASCII characters, else a new UUID; sent back in the response), the log context
 * every line written for it carries (request id, OpenAPI operation id, case number, actor), a
 * server span when tracing is on (continuing the caller's `traceparent`), and at the end one
 * access log line and the request metrics by operation id and status.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { log, logContext, type LogContext } from '../lib/log';
import { httpDuration, httpRequests } from '../lib/metrics';
import { tracingOn } from '../lib/tracing';
import { principalOf, principalRef } from './auth/principal';
import { matchOperation, operationIdOf } from './openapi';

const visibleAscii = /^[\x21-\x7e]{1,128}$/;
const casePath = /^\/api\/(?:cases|supervision\/cases|desk\/cases)\/([^/]+)/;

function operationOf(req: Request): string {
  if (!req.path.startsWith('/api/') && req.path !== '/api') return 'web';
  const op = matchOperation(req.method === 'HEAD' ? 'GET' : req.method, req.path.slice(4));
  return op ? operationIdOf(op) : 'unmatched';
}

export function observe(): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const given = req.get('x-request-id');
    const requestId = given && visibleAscii.test(given) ? given : crypto.randomUUID();
    res.set('x-request-id', requestId);
    const operation = operationOf(req);
    const caseNo = casePath.exec(req.path)?.[1];
    const ctx: LogContext = { requestId, operation, ...(caseNo && /^[0-9A-Za-z-]{1,40}$/.test(caseNo) ? { caseNo } : {}) };
    const span = tracingOn()
      ? trace.getTracer('onewindow').startSpan(`${req.method} ${operation}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'onewindow.operation': operation, 'onewindow.request_id': requestId } }, propagation.extract(context.active(), req.headers))
      : undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const status = res.headersSent ? res.statusCode : 499;
      const seconds = (performance.now() - started) / 1000;
      // A case view held until its case moved (?wait=): its work, not its wait, is its duration.
      const heldMs = typeof res.locals.heldMs === 'number' ? res.locals.heldMs : 0;
      const labels = { operation, method: req.method, status: String(status) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, Math.max(0, seconds - heldMs / 1000));
      ctx.actor = principalRef(principalOf(req));
      const line = { method: req.method, path: req.path, status, ms: Math.round(seconds * 1000), ...(heldMs ? { heldMs: Math.round(heldMs) } : {}) };
      logContext.run(ctx, () => log().info(line, 'request'));
      if (span) {
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    };
    res.once('finish', finish);
    res.once('close', finish);
    const run = () => logContext.run(ctx, next);
    if (span) context.with(trace.setSpan(context.active(), span), run);
    else run();
  };
}

/** After authentication: the caller goes into the log context, so every later line names its actor. */
export const noteActor: RequestHandler = (req, _res, next) => {
  const ctx = logContext.getStore();
  if (ctx) ctx.actor = principalRef(principalOf(req));
  next();
};
