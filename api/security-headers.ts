/**
 * Security headers on every answer, and 405 for methods a known path does not take.
 *
 * The web app is built by Vite into files under web/dist: no inline script or style, so the
 * policy allows scripts, styles, fonts and connections to this origin only, with no eval: the
 * forms validate without generated code (web/src/forms/validator.ts). Swagger UI at
 * /api/docs sets inline styles from its bundle and shows icons as data: URLs; it gets the same
 * policy with inline styles allowed (never inline scripts). Frames are refused everywhere.
 * HSTS is sent only on a request that arrived over TLS (directly, or per a trusted proxy's
 * X-Forwarded-Proto when TRUST_PROXY is set), so a plain-HTTP development server never pins it.
 */
import type { Request, RequestHandler } from 'express';
import { allowedMethods } from './openapi';
import { problemBase } from './problem';

const common = [
  "default-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
];
/**
 * The app's forms come from the catalogue at run time; JSON Forms validates them with a
 * validator that walks the schema instead of compiling it into a function, so no 'unsafe-eval'.
 * Scripts load only from this origin and never inline.
 */
export const appPolicy = [...common, "script-src 'self'", "style-src 'self'"].join('; ');
export const docsPolicy = [...common, "script-src 'self'", "style-src 'self' 'unsafe-inline'"].join('; ');

export interface SecurityHeaderOptions {
  /** Send Strict-Transport-Security on requests that came over TLS. */
  hsts: boolean;
}

export function securityHeaders(o: SecurityHeaderOptions): RequestHandler {
  return (req, res, next) => {
    res.set('content-security-policy', req.path === '/api/docs' || req.path.startsWith('/api/docs/') ? docsPolicy : appPolicy);
    res.set('x-frame-options', 'DENY');
    res.set('x-content-type-options', 'nosniff');
    res.set('referrer-policy', 'no-referrer');
    res.set('cross-origin-opener-policy', 'same-origin');
    res.set('cross-origin-resource-policy', 'same-origin');
    res.set('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (o.hsts && req.secure) res.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (req.method === 'TRACE' || req.method === 'TRACK') return void methodNotAllowed(req, res, allowOf(req.path) ?? ['GET', 'HEAD']);
    next();
  };
}

/** The methods a path takes: the API's from the OpenAPI document, the web app's GET and HEAD. */
function allowOf(path: string): string[] | undefined {
  if (path === '/api' || path.startsWith('/api/')) {
    if (path.startsWith('/api/docs')) return ['GET', 'HEAD'];
    const methods = allowedMethods(path.slice(4));
    return methods.length ? methods : undefined;
  }
  return ['GET', 'HEAD'];
}

function methodNotAllowed(req: Request, res: Parameters<RequestHandler>[1], allow: string[]): void {
  res.status(405).set('allow', allow.join(', ')).type('application/problem+json').json({
    type: `${problemBase}method-not-allowed`,
    title: 'Method not allowed',
    status: 405,
    detail: `${req.method} is not allowed on ${req.path}; allowed: ${allow.join(', ')}`,
    instance: req.originalUrl,
  });
}

/**
 * After every route: a known path asked with a method it does not take is a 405 with Allow
 * (an unknown path falls through to the 404).
 */
export const methodGuard: RequestHandler = (req, res, next) => {
  const allow = allowOf(req.originalUrl.split('?')[0]);
  if (allow && !allow.includes(req.method)) return void methodNotAllowed(req, res, allow);
  next();
};
