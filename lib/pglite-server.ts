/**
 * The embedded database for a machine with no PostgreSQL server: PGlite (PostgreSQL compiled
 * to WebAssembly) persisted under data/, served over the PostgreSQL wire protocol on loopback
 * so the worker and the API connect to it with the same driver and SQL as to a real server.
 *
 * PGlite itself accepts any user without a password, so the TCP port asks for a password first
 * (cleartext, on loopback only) and serves the connection once it matches. The password is
 * generated into DATA_DIR/pglite-password (mode 0600) on first start and read from there by
 * every process (lib/runtime.ts).
 *
 * PGlite is ONE PostgreSQL session, while the pools of the API, the worker and the scripts open
 * many connections. Every connection's messages therefore go through one scheduler
 * (SessionScheduler) that lends the session to one connection at a time, for whole units of the
 * protocol: a connection keeps the session from its first message until the session is idle
 * again — a Sync or a simple Query answered with ReadyForQuery 'I' and no transaction block
 * open. So one connection's Parse/Bind/Execute/Sync are never split by another's (which would
 * bind the other's unnamed statement, or have the other's messages skipped after an error), and
 * a transaction runs alone from BEGIN to COMMIT: other connections' statements wait for it, as
 * on a real server a statement waits for a row lock, but here for any statement. The one thing
 * that cannot work on a single session is a client that waits, inside its own open transaction,
 * for a statement it sent on another connection: that waits forever (a real server would run
 * both). The scheduler reports such a wait once it has lasted `stallWarningMs`.
 */
import { PGlite } from '@electric-sql/pglite';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { embeddedPassword, embeddedUrl } from './embedded-password';
import { lineLogger } from './log';

export interface EmbeddedDb {
  /** A connection URL with the password. */
  url: string;
  /** The TCP port it listens on (the one asked for, or the one given for port 0). */
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedDbOptions {
  /** The password; DATA_DIR's (the folder above `dir`) when absent, or a fresh random one in memory. */
  password?: string;
  /** How long a connection may wait behind another one's open transaction before it is reported (default 30 s). */
  stallWarningMs?: number;
  /** Where the stall report goes (default: the log, component db). */
  onStall?: (message: string) => void;
}

/**
 * Starts PGlite in `dir` (or `memory://`) and serves it on 127.0.0.1:`port` (0: any free port,
 * read back into `port` and `url`).
 */
export async function startEmbeddedDb(dir: string, port: number, o: EmbeddedDbOptions = {}): Promise<EmbeddedDb> {
  const memory = dir.startsWith('memory://');
  if (!memory) fs.mkdirSync(dir, { recursive: true });
  const secret = o.password ?? (memory ? crypto.randomBytes(24).toString('base64url') : embeddedPassword(path.dirname(dir)));
  const db = await PGlite.create(dir);
  const scheduler = new SessionScheduler(db, o.stallWarningMs ?? 30_000, o.onStall ?? lineLogger('warn', 'db'));
  const front = passwordFront(secret, (client, startup, rest) => scheduler.attach(client, startup, rest));
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (front.address() as net.AddressInfo).port;
  return {
    url: embeddedUrl(bound, secret),
    port: bound,
    async stop() {
      const closed = new Promise<void>((resolve) => front.close(() => resolve()));
      await scheduler.stop();
      await closed;
      await db.close();
    },
  };
}

interface ThreadOptions {
  dir: string;
  port: number;
  password?: string;
  stallWarningMs?: number;
}
type ThreadMessage = { ready: true; url: string; port: number } | { failed: string } | { stall: string } | { stopped: true };

/**
 * startEmbeddedDb on a thread of its own: the database keeps answering while this thread is
 * blocked (a spawnSync of a command that connects to it, a synchronous bundling, a long
 * computation), where an embedded database on the blocked thread would make every other
 * process wait and the spawned command time out. The test fixtures use it.
 */
export async function startEmbeddedDbThread(dir: string, port: number, o: Omit<EmbeddedDbOptions, 'onStall'> = {}): Promise<EmbeddedDb> {
  // The thread loads this very file; run from source (tsx), it needs tsx's loader, found from here rather than from the working folder.
  const load = `${__filename.endsWith('.ts') ? `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();` : ''}require(${JSON.stringify(__filename)});`;
  const options: ThreadOptions = { dir, port, password: o.password, stallWarningMs: o.stallWarningMs };
  const thread = new Worker(load, { eval: true, workerData: { onewindowEmbeddedDb: options } });
  const report = lineLogger('warn', 'db');
  let stopped: (() => void) | undefined;
  const started = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    thread.on('message', (m: ThreadMessage) => {
      if ('ready' in m) resolve(m);
      else if ('failed' in m) reject(new Error(`the embedded database did not start: ${m.failed}`));
      else if ('stall' in m) report(m.stall);
      else stopped?.();
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the embedded database's thread ended (exit code ${code})`)));
  });
  return {
    ...started,
    async stop() {
      await new Promise<void>((resolve) => {
        stopped = resolve;
        thread.once('exit', () => resolve());
        thread.postMessage('stop');
      });
      await thread.terminate();
    },
  };
}

/** The thread's side of startEmbeddedDbThread. */
function serveOnThisThread(o: ThreadOptions): void {
  const port = parentPort!;
  startEmbeddedDb(o.dir, o.port, { password: o.password, stallWarningMs: o.stallWarningMs, onStall: (stall) => port.postMessage({ stall } satisfies ThreadMessage) }).then(
    (db) => {
      port.on('message', () => {
        void db.stop().finally(() => {
          port.postMessage({ stopped: true } satisfies ThreadMessage);
          port.close();
        });
      });
      port.postMessage({ ready: true, url: db.url, port: db.port } satisfies ThreadMessage);
    },
    (err: unknown) => port.postMessage({ failed: String(err) } satisfies ThreadMessage),
  );
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

/** The TCP front: startup message, a cleartext password exchange, then the connection is served. */
function passwordFront(password: string, serve: (client: net.Socket, startup: Buffer, rest: Buffer) => void): net.Server {
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
            // PGlite has no backend to interrupt: a cancel request is dropped, as it expects no answer.
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
        const rest = Buffer.from(buf.subarray(len + 1));
        const match = crypto.timingSafeEqual(crypto.createHash('sha256').update(given).digest(), expected);
        if (!match) return fail('28P01', 'password authentication failed for the embedded database (see DATA_DIR/pglite-password)');
        done = true;
        client.off('data', onData);
        serve(client, startup, rest);
        return;
      }
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
/** ReadyForQuery, idle: the last message of every answer that leaves the session free. */
const READY_IDLE = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);
/** The largest message accepted from a client (PostgreSQL's own limit for most messages is 1 GB; a statement here is far smaller). */
const MAX_MESSAGE = 256 * 1024 * 1024;

/** One client connection: its socket, the complete messages it sent and not yet run, and what it still owes. */
class Connection {
  private static next = 1;
  readonly id = Connection.next++;
  /** Bytes received and not yet cut into messages. */
  private partial: Buffer = Buffer.alloc(0);
  /** Complete messages not yet run, in order (the startup packet first). */
  readonly messages: Buffer[] = [];
  closed = false;
  /** The client sent Terminate: close once what it sent before has run. */
  terminating = false;
  /** Since when this connection has had work waiting (for the stall report). */
  waitingSince = 0;
  /** The text of the last statement it sent (Parse or Query), for the stall report. */
  lastStatement = '';

  constructor(readonly socket: net.Socket, startup: Buffer) {
    this.messages.push(startup);
  }

  /** Cuts received bytes into messages; false when the stream is not the protocol. */
  receive(chunk: Buffer): boolean {
    this.partial = this.partial.length ? Buffer.concat([this.partial, chunk]) : chunk;
    while (this.partial.length >= 5) {
      const len = this.partial.readInt32BE(1);
      if (len < 4 || len > MAX_MESSAGE) return false;
      if (this.partial.length < len + 1) break;
      const message = Buffer.from(this.partial.subarray(0, len + 1));
      this.partial = this.partial.subarray(len + 1);
      if (message[0] === TERMINATE) {
        this.terminating = true;
        this.partial = Buffer.alloc(0);
        break;
      }
      this.messages.push(message);
    }
    return true;
  }

  send(data: Uint8Array): void {
    if (!this.closed && this.socket.writable && data.length) this.socket.write(Buffer.from(data));
  }
}

/**
 * Lends PGlite's one session to one connection at a time (see the top of the file). Runs are
 * serial: `pump` takes the owner's messages when it holds the session, otherwise the longest
 * waiting connection's, runs them in one call and decides from the answer whether the session
 * is free again.
 */
class SessionScheduler {
  private readonly connections = new Set<Connection>();
  /** Connections with messages waiting, in the order they became ready. */
  private ready: Connection[] = [];
  /** The connection that holds the session (mid transaction or mid extended-protocol exchange). */
  private owner: Connection | undefined;
  private pumping: Promise<void> | undefined;
  private stopped = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private stallReported = false;

  constructor(
    private readonly db: PGlite,
    private readonly stallWarningMs: number,
    private readonly onStall: (message: string) => void,
  ) {}

  attach(socket: net.Socket, startup: Buffer, rest: Buffer): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const conn = new Connection(socket, startup);
    this.connections.add(conn);
    const onData = (chunk: Buffer) => {
      if (!conn.receive(chunk)) {
        conn.send(errorResponse('08P01', 'invalid message length'));
        socket.end();
        void this.detach(conn);
        return;
      }
      this.wake(conn);
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => void this.detach(conn));
    if (rest.length) conn.receive(rest);
    this.wake(conn);
  }

  private wake(conn: Connection): void {
    if (conn.closed) return;
    if ((conn.messages.length || conn.terminating) && !this.ready.includes(conn)) {
      if (!conn.waitingSince) conn.waitingSince = Date.now();
      this.ready.push(conn);
    }
    this.kick();
  }

  private kick(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      this.armStallCheck();
    });
  }

  /** Runs work while there is work the session may take. */
  private async pump(): Promise<void> {
    for (;;) {
      const conn = this.owner ?? this.ready[0];
      if (!conn || this.stopped) return;
      if (!conn.messages.length) {
        if (conn.terminating) {
          conn.socket.end();
          await this.detach(conn, true);
          continue;
        }
        // The owner has nothing to send yet: the session waits for it, the others with it.
        return;
      }
      this.ready = this.ready.filter((c) => c !== conn);
      conn.waitingSince = 0;
      const batch = conn.messages.splice(0, conn.messages[0][0] === 0 ? 1 : conn.messages.length);
      const last = batch[batch.length - 1][0];
      conn.lastStatement = statementOf(batch) ?? conn.lastStatement;
      let tail: Buffer = Buffer.alloc(0);
      try {
        await this.db.runExclusive(() =>
          this.db.execProtocolRawStream(batch.length === 1 ? batch[0] : Buffer.concat(batch), {
            onRawData: (data) => {
              conn.send(data);
              tail = Buffer.concat([tail, Buffer.from(data)]).subarray(-READY_IDLE.length);
            },
          }),
        );
      } catch (err) {
        // PGlite threw instead of answering (a startup packet it refuses, an internal failure): this connection ends, the session is reset.
        conn.send(errorResponse('XX000', `embedded database: ${(err as Error).message}`));
        conn.socket.end();
        this.owner = conn;
        await this.detach(conn, true);
        continue;
      }
      const startupDone = last === 0;
      const idle = (startupDone || last === SYNC || last === QUERY) && tail.equals(READY_IDLE) && !this.db.isInTransaction();
      if (!idle && this.owner !== conn) this.stallReported = false;
      this.owner = idle ? undefined : conn;
      // Whatever it sent meanwhile waits its turn behind the others unless it holds the session.
      if (conn.messages.length || conn.terminating) this.wake(conn);
    }
  }

  /** A connection went away: its queued work is dropped and, if it held the session, its transaction rolled back. */
  private async detach(conn: Connection, fromPump = false): Promise<void> {
    if (conn.closed) return;
    conn.closed = true;
    this.connections.delete(conn);
    this.ready = this.ready.filter((c) => c !== conn);
    conn.messages.length = 0;
    if (this.owner === conn) {
      if (!fromPump) {
        // Wait for a run in progress, so the reset does not land in the middle of it.
        while (this.pumping) await this.pumping;
        if (this.owner !== conn) return this.kick();
      }
      await this.reset();
      this.owner = undefined;
    }
    if (!fromPump) this.kick();
  }

  /**
   * Leaves the session as a fresh connection finds it: a ROLLBACK aborts a transaction block or
   * the implicit transaction of an unfinished extended exchange (PostgreSQL ignores it after an
   * error until the Sync), and the Sync ends the exchange. Nothing of it reaches any client.
   */
  private async reset(): Promise<void> {
    const rollback = simpleQuery('ROLLBACK');
    const sync = Buffer.from([SYNC, 0, 0, 0, 4]);
    const discard = { onRawData: () => undefined };
    try {
      await this.db.runExclusive(async () => {
        await this.db.execProtocolRawStream(Buffer.concat([rollback, sync]), discard);
        if (this.db.isInTransaction()) await this.db.execProtocolRawStream(rollback, discard);
      });
    } catch {
      // The database is closing; nothing is left to reset.
    }
  }

  /** Reports, once per holder, when a connection has waited long behind the one holding the session. */
  private armStallCheck(): void {
    clearTimeout(this.stallTimer);
    if (this.stopped || !this.owner || !this.ready.length || this.stallReported) return;
    const oldest = Math.min(...this.ready.map((c) => c.waitingSince || Date.now()));
    this.stallTimer = setTimeout(() => {
      if (this.stopped || !this.owner || this.pumping) return;
      const waiting = this.ready.filter((c) => c.waitingSince && Date.now() - c.waitingSince >= this.stallWarningMs);
      if (!waiting.length) return this.armStallCheck();
      this.stallReported = true;
      this.onStall(
        `[db] embedded database: connection #${this.owner.id} holds PGlite's only session in an open transaction and ${waiting.length} other connection(s) have waited ${Math.round(this.stallWarningMs / 1000)} s or more; ` +
          `its last statement: ${JSON.stringify(this.owner.lastStatement.slice(0, 300))}; ` +
          'a client that waits inside a transaction for a statement sent on another connection never finishes here (use the transaction for every statement, or DATABASE_URL)',
      );
    }, Math.max(0, oldest + this.stallWarningMs - Date.now()));
    this.stallTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.stallTimer);
    while (this.pumping) await this.pumping;
    for (const conn of [...this.connections]) {
      conn.closed = true;
      conn.socket.destroy();
    }
    this.connections.clear();
    this.ready = [];
    this.owner = undefined;
  }
}

/** The SQL text of the last Parse or Query among the messages, if any. */
function statementOf(batch: Buffer[]): string | undefined {
  for (let i = batch.length - 1; i >= 0; i--) {
    const m = batch[i];
    if (m[0] === QUERY) return m.subarray(5, m.length - 1).toString('utf8');
    if (m[0] === 0x50 /* P */) {
      const nameEnd = m.indexOf(0, 5);
      return m.subarray(nameEnd + 1, m.indexOf(0, nameEnd + 1)).toString('utf8');
    }
  }
  return undefined;
}

function simpleQuery(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const head = Buffer.alloc(5);
  head[0] = QUERY;
  head.writeInt32BE(text.length + 4, 1);
  return Buffer.concat([head, text]);
}

if (!isMainThread && (workerData as { onewindowEmbeddedDb?: ThreadOptions } | null)?.onewindowEmbeddedDb) {
  serveOnThisThread((workerData as { onewindowEmbeddedDb: ThreadOptions }).onewindowEmbeddedDb);
}
