/**
 * The embedded database for a machine with no PostgreSQL server: PGlite (PostgreSQL compiled
 * to WebAssembly) persisted under data/, served over the PostgreSQL wire protocol on loopback
 * so the worker and the API connect to it with the same driver and SQL as to a real server.
 *
 * PGlite itself accepts any user without a password, so it listens only on a Unix socket in a
 * private folder (mode 0700), and the TCP port is a front that asks for a password first
 * (cleartext, on loopback only) and hands the connection over once it matches. The password
 * is generated into DATA_DIR/pglite-password (mode 0600) on first start and read from there by
 * every process (lib/runtime.ts).
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { embeddedPassword, embeddedUrl } from './embedded-password';

export interface EmbeddedDb {
  /** A connection URL with the password. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite in `dir` (or `memory://`). The password is DATA_DIR's (the folder above `dir`),
 * or a fresh random one for an in-memory database.
 */
export async function startEmbeddedDb(dir: string, port: number, password?: string): Promise<EmbeddedDb> {
  const memory = dir.startsWith('memory://');
  if (!memory) fs.mkdirSync(dir, { recursive: true });
  const secret = password ?? (memory ? crypto.randomBytes(24).toString('base64url') : embeddedPassword(path.dirname(dir)));
  const db = await PGlite.create(dir);
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onewindow-pglite-'));
  fs.chmodSync(socketDir, 0o700);
  const socketPath = path.join(socketDir, 's.sock');
  const inner = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 16 });
  await inner.start();
  const front = passwordFront(socketPath, secret);
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: embeddedUrl(port, secret),
    async stop() {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await inner.stop();
      await db.close();
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

const sslRequest = 80877103;
const cancelRequest = 80877102;

function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0, 'latin1');
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

/** The TCP front: startup message, a cleartext password exchange, then a plain pipe to PGlite. */
function passwordFront(socketPath: string, password: string): net.Server {
  const expected = crypto.createHash('sha256').update(password).digest();
  return net.createServer((client) => {
    let buf = Buffer.alloc(0);
    let startup: Buffer | undefined;
    let done = false;
    const fail = (code: string, message: string) => {
      done = true;
      client.end(errorResponse(code, message));
    };
    const onData = (chunk: Buffer) => {
      if (done) return;
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > 64 * 1024) return fail('08P01', 'startup too long');
      for (;;) {
        if (!startup) {
          if (buf.length < 8) return;
          const len = buf.readInt32BE(0);
          if (len < 8 || len > 10_000) return fail('08P01', 'invalid startup packet');
          if (buf.length < len) return;
          const code = buf.readInt32BE(4);
          const packet = buf.subarray(0, len);
          buf = buf.subarray(len);
          if (code === sslRequest) {
            client.write('N');
            continue;
          }
          if (code === cancelRequest) {
            done = true;
            client.end();
            return;
          }
          startup = Buffer.from(packet);
          const ask = Buffer.alloc(9);
          ask.write('R', 0, 'latin1');
          ask.writeInt32BE(8, 1);
          ask.writeInt32BE(3, 5); // AuthenticationCleartextPassword
          client.write(ask);
          continue;
        }
        if (buf.length < 5) return;
        const len = buf.readInt32BE(1);
        if (buf[0] !== 0x70 /* p */ || len < 5 || len > 1024) return fail('08P01', 'expected a password message');
        if (buf.length < len + 1) return;
        const given = buf.subarray(5, len + 1).toString('utf8').replace(/\0$/, '');
        const rest = buf.subarray(len + 1);
        const match = crypto.timingSafeEqual(crypto.createHash('sha256').update(given).digest(), expected);
        if (!match) return fail('28P01', 'password authentication failed for the embedded database (see DATA_DIR/pglite-password)');
        done = true;
        client.off('data', onData);
        client.pause();
        const backend = net.connect(socketPath, () => {
          backend.write(startup!);
          if (rest.length) backend.write(rest);
          client.pipe(backend);
          backend.pipe(client);
          client.resume();
        });
        const close = () => {
          client.destroy();
          backend.destroy();
        };
        backend.on('error', close);
        backend.on('close', close);
        client.on('close', close);
        return;
      }
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
}
