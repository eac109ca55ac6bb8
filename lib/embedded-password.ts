/**
 * The embedded database's password (see lib/pglite-server.ts), kept apart from PGlite itself so
 * that the processes that only connect do not load it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The embedded database's password: read from DATA_DIR/pglite-password, generated there the first time. */
export function embeddedPassword(dataDir: string): string {
  const file = path.join(dataDir, 'pglite-password');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, `${crypto.randomBytes(24).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export function embeddedUrl(port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}
