/**
 * Audit checkpoints: the chain's head (sequence number and hash), signed with a key derived
 * from AUDIT_KEY and appended to a file outside the database (DATA_DIR/audit-checkpoints.jsonl)
 * at intervals. Whoever owns the database can rewrite rows but can neither sign a checkpoint
 * nor reach back into the file, so verification finds a chain that was cut short, replaced or
 * re-hashed up to a checkpoint. Keep the file on storage the database's administrators cannot
 * write (and copy it off the machine with the backups).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db';
import { auditCheckpointKey } from './audit-keys';
import { log } from './log';

export interface Checkpoint {
  seq: number;
  hash: string;
  /** The first row hashed with the HMAC (version 2); rows from here on must all be version 2. */
  v2From: number | null;
  at: string;
  mac: string;
}

export function checkpointFile(dataDir: string): string {
  return path.join(dataDir, 'audit-checkpoints.jsonl');
}

function macOf(key: Buffer, c: Omit<Checkpoint, 'mac'>): string {
  return crypto.createHmac('sha256', key).update(`${c.seq}|${c.hash}|${c.v2From ?? ''}|${c.at}`).digest('hex');
}

export interface ReadCheckpoints {
  valid: Checkpoint[];
  /** Line numbers (1-based) whose signature does not verify or that are not checkpoints. */
  forged: number[];
}

export function readCheckpoints(file: string, auditKey?: string): ReadCheckpoints {
  const key = auditCheckpointKey(auditKey);
  if (!fs.existsSync(file)) return { valid: [], forged: [] };
  const valid: Checkpoint[] = [];
  const forged: number[] = [];
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const c = JSON.parse(line) as Checkpoint;
      const expected = macOf(key, { seq: c.seq, hash: c.hash, v2From: c.v2From, at: c.at });
      if (typeof c.mac === 'string' && c.mac.length === expected.length && crypto.timingSafeEqual(Buffer.from(c.mac), Buffer.from(expected))) valid.push(c);
      else forged.push(i + 1);
    } catch {
      forged.push(i + 1);
    }
  });
  return { valid, forged };
}

/** Appends a checkpoint of the chain's current head, unless the head has not moved since the last one. */
export async function writeCheckpoint(db: Db, file: string, auditKey?: string): Promise<Checkpoint | undefined> {
  const head = await db('audit_log').orderBy('chain_seq', 'desc').first<{ chain_seq: string; hash: string } | undefined>('chain_seq', 'hash');
  if (!head) return undefined;
  const v2 = await db('audit_log').where('chain_version', 2).min<{ m: string | null }[]>('chain_seq as m');
  const { valid } = readCheckpoints(file, auditKey);
  const last = valid[valid.length - 1];
  if (last && last.seq >= Number(head.chain_seq)) return undefined;
  const body = { seq: Number(head.chain_seq), hash: head.hash, v2From: last?.v2From ?? (v2[0]?.m ? Number(v2[0].m) : null), at: new Date().toISOString() };
  const c: Checkpoint = { ...body, mac: macOf(auditCheckpointKey(auditKey), body) };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${JSON.stringify(c)}\n`, { mode: 0o600 });
  return c;
}

/** Writes a checkpoint every `minutes` until stopped; failures are logged and retried at the next tick. */
export function startCheckpoints(db: Db, file: string, auditKey: string, minutes: number): { stop(): void } {
  const tick = () => writeCheckpoint(db, file, auditKey).catch((err: unknown) => {
    log().error({ component: 'audit', err }, '[audit] checkpoint failed');
  });
  void tick();
  const timer = setInterval(() => void tick(), minutes * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
