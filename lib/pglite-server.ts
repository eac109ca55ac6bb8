/**
 * The embedded database for a machine with no PostgreSQL server: PGlite (PostgreSQL compiled
 * to WebAssembly) persisted under data/, served over the PostgreSQL wire protocol on loopback
 * so the worker and the API connect to it with the same driver and SQL as to a real server.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import fs from 'node:fs';

export interface EmbeddedDb {
  stop(): Promise<void>;
}

export async function startEmbeddedDb(dir: string, port: number): Promise<EmbeddedDb> {
  if (!dir.startsWith('memory://')) fs.mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 16 });
  await server.start();
  return {
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
