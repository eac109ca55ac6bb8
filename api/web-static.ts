/**
 * Serves the built web app: files under /assets/ carry a content hash in their name, so they
 * are cached for a year as immutable; index.html is revalidated on every load. A browser that
 * accepts brotli or gzip gets the copy compressed at build time (web/build.ts). No source map
 * is published.
 */
import express, { type RequestHandler } from 'express';
import fs from 'node:fs';
import path from 'node:path';

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml', '.json': 'application/json',
};

function cacheControl(urlPath: string): string {
  return urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

export function webStatic(root: string): RequestHandler[] {
  const precompressed: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path.endsWith('.map')) return res.status(404).end();
    const urlPath = req.path === '/' ? '/index.html' : req.path;
    const ext = path.extname(urlPath);
    const type = types[ext];
    if (!type) return next();
    const file = path.join(root, path.normalize(urlPath).replace(/^([/\\])+/, ''));
    if (!file.startsWith(root + path.sep)) return next();
    const accepts = String(req.headers['accept-encoding'] ?? '');
    res.vary('Accept-Encoding');
    for (const [enc, suffix] of [['br', '.br'], ['gzip', '.gz']] as const) {
      if (!new RegExp(`\\b${enc}\\b`).test(accepts) || !fs.existsSync(file + suffix)) continue;
      res.set({ 'content-type': type, 'content-encoding': enc, 'cache-control': cacheControl(urlPath) });
      return res.sendFile(file + suffix, { cacheControl: false }, (err) => { if (err) next(err); });
    }
    return next();
  };
  const plain = express.static(root, { index: 'index.html', setHeaders: (res, filePath) => res.setHeader('cache-control', cacheControl(`/${path.relative(root, filePath).split(path.sep).join('/')}`)) });
  return [precompressed, plain];
}
