/**
 * Shared start-up plumbing for the entry points: resolving the database and Temporal address
 * from configuration, and turning start-up problems into one line and a non-zero exit.
 */
import type { Config } from './config';
import { createDb, checkDb, type Db } from './db';
import { embeddedPassword, embeddedUrl } from './embedded-password';
import { ConfigError } from './errors';

export function databaseOf(config: Config): { url: string; embedded: boolean } {
  return config.databaseUrl
    ? { url: config.databaseUrl, embedded: false }
    : { url: embeddedUrl(config.pglitePort, embeddedPassword(config.dataDir)), embedded: true };
}

export function temporalAddressOf(config: Config): string {
  return config.temporalAddress ?? `127.0.0.1:${config.devServerPort}`;
}

/** Connects to the configured database and checks it answers. */
export async function openDb(config: Config): Promise<Db> {
  const { url, embedded } = databaseOf(config);
  const db = createDb({ url, embedded, auditKey: config.auditKey });
  try {
    await checkDb(db, url);
  } catch (err) {
    await db.destroy();
    if (embedded && err instanceof ConfigError) {
      throw new ConfigError(`no DATABASE_URL is set and the embedded database on port ${config.pglitePort} is not running; run \`npm start\`, or set DATABASE_URL to a PostgreSQL server`);
    }
    throw err;
  }
  return db;
}

/** Runs an entry point; a ConfigError prints as one line and exits 1. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
    } else {
      process.stderr.write(`${name}: unexpected failure: ${err instanceof Error ? err.stack : String(err)}\n`);
    }
    process.exit(1);
  });
}
