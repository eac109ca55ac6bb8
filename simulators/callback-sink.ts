/**
 * A stand-in for the API's callback routes, for tests: verifies each callback with
 * adapters/callbacks.ts, de-duplicates by event id, ignores stale events, and records what it
 * received and which events took effect.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallbackInbox, verifyCallback, type CallbackEvent, type CallbackRefusalReason, type InboxOutcome } from '../adapters/callbacks';
import { NonceCache, type HeaderBag } from '../adapters/signing';

export interface SinkRecord {
  path: string;
  headers: HeaderBag;
  body: string;
  outcome: InboxOutcome | 'refused';
  reason?: CallbackRefusalReason;
  event?: CallbackEvent;
}

export interface CallbackSink {
  url: string;
  records: SinkRecord[];
  /** Events that took effect (each event id once, none stale). */
  applied(type?: string): CallbackEvent[];
  refusals(): SinkRecord[];
  close(): Promise<void>;
}

/** `port`: listen there (a receiver coming back where it was); default a free one. */
export async function startCallbackSink(opts: { secret: string | ((sender: string) => string | undefined); port?: number }): Promise<CallbackSink> {
  const nonces = new NonceCache();
  const inbox = new CallbackInbox();
  const records: SinkRecord[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const check = verifyCallback({ method: req.method ?? 'POST', path, headers: req.headers, body }, { secret: opts.secret, nonces });
      const record: SinkRecord = check.ok
        ? { path, headers: req.headers, body, outcome: inbox.accept(check.event), event: check.event }
        : { path, headers: req.headers, body, outcome: 'refused', reason: check.reason };
      records.push(record);
      res.writeHead(check.ok ? 200 : check.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(check.ok ? { accepted: true, outcome: record.outcome } : { code: check.reason, message: check.message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    applied: (type) => records.filter((r) => r.outcome === 'new' && (type === undefined || r.event?.type === type)).map((r) => r.event as CallbackEvent),
    refusals: () => records.filter((r) => r.outcome === 'refused'),
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
