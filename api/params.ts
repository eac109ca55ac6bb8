/** Path and query parameters shared by several routes, checked with a clear 400. */
import type { Request } from 'express';
import { badRequest } from '../lib/errors';

const caseNoPattern = /^[0-9]{22}$/;

export function caseNoParam(raw: string): string {
  if (!caseNoPattern.test(raw)) throw badRequest('a case number is 22 digits');
  return raw;
}

/** An optional string query parameter, at most `max` characters, from a fixed list when given. */
export function queryString(req: Request, name: string, o: { max?: number; oneOf?: readonly string[]; pattern?: RegExp } = {}): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`${name} must be given once`);
  if (v.length > (o.max ?? 100)) throw badRequest(`${name} is longer than ${o.max ?? 100} characters`);
  if (o.oneOf && !o.oneOf.includes(v)) throw badRequest(`${name} must be one of ${o.oneOf.join(', ')}`);
  if (o.pattern && !o.pattern.test(v)) throw badRequest(`${name} is not in the expected form`);
  return v;
}

/** The `page` of a list, 1 to 10 000; 1 when not given. */
export function pageQuery(req: Request): number {
  const raw = req.query.page;
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw badRequest('page must be a positive integer', [{ pointer: '/query/page', detail: 'must be >= 1' }]);
  return n;
}

export function intQuery(req: Request, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < min || n > max) throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

export function instantQuery(req: Request, name: string): string | undefined {
  const v = queryString(req, name, { max: 40 });
  if (v === undefined) return undefined;
  if (Number.isNaN(Date.parse(v))) throw badRequest(`${name} must be an ISO 8601 date or instant`);
  return new Date(v).toISOString();
}
