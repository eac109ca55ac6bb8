/**
 * Conditional GET (RFC 9110 §13.1.2) for a resource whose version the server knows before it
 * builds the answer. Not Express's `req.fresh`: that treats a request's `Cache-Control: no-cache`
 * as "always stale", which is right for a cache but not for the origin, and fetch() adds that
 * header itself whenever the caller sets If-None-Match.
 */
import type { Request, Response } from 'express';

/** Whether an If-None-Match header names this ETag (weak comparison: W/ is ignored), or is `*`. */
export function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = bare(etag);
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === wanted);
}

/**
 * Sets the answer's ETag (and `Cache-Control: private, no-cache`, so a browser keeps it and asks
 * again each time); answers 304 and returns true when the caller already holds this version.
 */
export function answeredNotModified(req: Request, res: Response, etag: string): boolean {
  res.set({ etag, 'cache-control': 'private, no-cache' });
  if (!noneMatchHits(req.get('if-none-match'), etag)) return false;
  res.status(304).end();
  return true;
}
