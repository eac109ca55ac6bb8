/**
 * Checks the audit log's chain from the first row to the last, and against the signed
 * checkpoints kept outside the database, and reports every problem, not just the first:
 *
 * - content-changed: a row's hash is not the MAC of its own content (version 2: HMAC keyed by
 *   AUDIT_KEY; version 1, rows from before that: SHA-256);
 * - link-broken: a row does not carry the previous row's hash;
 * - downgraded: a version-1 row after version-2 rows (an unkeyed hash where a keyed one belongs);
 * - checkpoint-mismatch: the row a checkpoint names has another hash than the one signed then;
 * - gaps: sequence numbers missing between rows (or before the first);
 * - truncatedTail: rows missing after the last row, up to the last checkpoint;
 * - forgedCheckpoints: lines of the checkpoint file whose signature does not verify.
 */
import crypto from 'node:crypto';
import { auditChainText } from '../../db/migrations/007_access';
import { auditChainKeyHex } from '../../lib/audit-keys';
import { readCheckpoints, type Checkpoint } from '../../lib/audit-checkpoints';
import type { Db } from '../../lib/db';

export type BreakReason = 'content-changed' | 'link-broken' | 'downgraded' | 'checkpoint-mismatch';

export interface ChainCheck {
  ok: boolean;
  rows: number;
  /** Every row that does not verify, and why (at most `maxReported`; `breakCount` counts all). */
  breaks: { seq: number; reason: BreakReason }[];
  breakCount: number;
  /** The first break, as before. */
  brokenAt?: { seq: number; reason: BreakReason };
  gaps: { from: number; to: number }[];
  truncatedTail?: { lastSeq: number; checkpointSeq: number; checkpointAt: string };
  forgedCheckpoints: number[];
  checkpoint: { seq: number; at: string } | null;
  lastHash: string | null;
}

export interface AuditVerifyOptions {
  auditKey?: string;
  /** The checkpoint file; without it only the chain itself is checked. */
  checkpointFile?: string;
}

export interface ChainRow {
  seq: number;
  version: number;
  prevHash: string | null;
  hash: string | null;
  /** The text the row's hash covers. */
  text: string;
}

const zero = '0'.repeat(64);
const maxReported = 1000;

/** The chain check over rows in sequence order; exported for tests that build rows by hand. */
export function checkRows(rows: Iterable<ChainRow>, chainKeyHex: string, checkpoints: Checkpoint[] = []): Omit<ChainCheck, 'forgedCheckpoints' | 'checkpoint'> {
  const key = Buffer.from(chainKeyHex, 'hex');
  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  const v2From = checkpoints.reduce<number | null>((m, c) => m ?? c.v2From, null);
  const breaks: { seq: number; reason: BreakReason }[] = [];
  let breakCount = 0;
  const gaps: { from: number; to: number }[] = [];
  let previous: ChainRow | undefined;
  let seenV2 = false;
  let n = 0;
  const report = (seq: number, reason: BreakReason) => {
    breakCount++;
    if (breaks.length < maxReported) breaks.push({ seq, reason });
  };
  for (const r of rows) {
    n++;
    const expectedSeq = previous ? previous.seq + 1 : 1;
    if (r.seq > expectedSeq) gaps.push({ from: expectedSeq, to: r.seq - 1 });
    const mac = r.version === 2
      ? crypto.createHmac('sha256', key).update(r.text, 'utf8').digest('hex')
      : crypto.createHash('sha256').update(r.text, 'utf8').digest('hex');
    if (r.version === 2) seenV2 = true;
    if (r.version !== 2 && (seenV2 || (v2From !== null && r.seq >= v2From))) report(r.seq, 'downgraded');
    else if (r.hash !== mac) report(r.seq, 'content-changed');
    else if (r.prevHash !== (previous ? previous.hash : zero) && r.seq === expectedSeq) report(r.seq, 'link-broken');
    const cp = bySeq.get(r.seq);
    if (cp && cp.hash !== r.hash) report(r.seq, 'checkpoint-mismatch');
    previous = r;
  }
  const lastSeq = previous?.seq ?? 0;
  const latest = checkpoints.reduce<Checkpoint | undefined>((m, c) => (!m || c.seq > m.seq ? c : m), undefined);
  const truncatedTail = latest && latest.seq > lastSeq ? { lastSeq, checkpointSeq: latest.seq, checkpointAt: latest.at } : undefined;
  return {
    ok: breakCount === 0 && gaps.length === 0 && !truncatedTail,
    rows: n,
    breaks,
    breakCount,
    ...(breaks.length ? { brokenAt: breaks[0] } : {}),
    gaps,
    ...(truncatedTail ? { truncatedTail } : {}),
    lastHash: previous?.hash ?? null,
  };
}

/** Reads the chain in pages of `page` rows, in sequence order. */
async function* chainRows(db: Db, page = 5000): AsyncGenerator<ChainRow> {
  let after = 0;
  for (;;) {
    const { rows } = await db.raw<{ rows: { seq: string; version: number; prev_hash: string | null; hash: string | null; text: string }[] }>(`
      select chain_seq as seq, chain_version as version, prev_hash, hash, ${auditChainText} as text
      from audit_log where chain_seq > ? order by chain_seq limit ?`, [after, page]);
    for (const r of rows) yield { seq: Number(r.seq), version: r.version, prevHash: r.prev_hash, hash: r.hash, text: r.text };
    if (rows.length < page) return;
    after = Number(rows[rows.length - 1].seq);
  }
}

export async function verifyAuditChain(db: Db, o: AuditVerifyOptions = {}): Promise<ChainCheck> {
  const { valid, forged } = o.checkpointFile ? readCheckpoints(o.checkpointFile, o.auditKey) : { valid: [], forged: [] };
  const rows: ChainRow[] = [];
  for await (const r of chainRows(db)) rows.push(r);
  const result = checkRows(rows, auditChainKeyHex(o.auditKey), valid);
  const latest = valid[valid.length - 1];
  return {
    ...result,
    ok: result.ok && forged.length === 0,
    forgedCheckpoints: forged,
    checkpoint: latest ? { seq: latest.seq, at: latest.at } : null,
  };
}
