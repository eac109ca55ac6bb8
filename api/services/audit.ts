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

/** The chain check, fed rows in sequence order one at a time (so the whole log is never in memory). */
export class ChainChecker {
  private readonly key: Buffer;
  private readonly bySeq: Map<number, Checkpoint>;
  private readonly v2From: number | null;
  private readonly breaks: { seq: number; reason: BreakReason }[] = [];
  private breakCount = 0;
  private readonly gaps: { from: number; to: number }[] = [];
  private previous: ChainRow | undefined;
  private seenV2 = false;
  private n = 0;

  constructor(chainKeyHex: string, private readonly checkpoints: Checkpoint[] = []) {
    this.key = Buffer.from(chainKeyHex, 'hex');
    this.bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
    this.v2From = checkpoints.reduce<number | null>((m, c) => m ?? c.v2From, null);
  }

  private report(seq: number, reason: BreakReason): void {
    this.breakCount++;
    if (this.breaks.length < maxReported) this.breaks.push({ seq, reason });
  }

  add(r: ChainRow): void {
    this.n++;
    const previous = this.previous;
    const expectedSeq = previous ? previous.seq + 1 : 1;
    if (r.seq > expectedSeq) this.gaps.push({ from: expectedSeq, to: r.seq - 1 });
    const mac = r.version === 2
      ? crypto.createHmac('sha256', this.key).update(r.text, 'utf8').digest('hex')
      : crypto.createHash('sha256').update(r.text, 'utf8').digest('hex');
    if (r.version === 2) this.seenV2 = true;
    if (r.version !== 2 && (this.seenV2 || (this.v2From !== null && r.seq >= this.v2From))) this.report(r.seq, 'downgraded');
    else if (r.hash !== mac) this.report(r.seq, 'content-changed');
    else if (r.prevHash !== (previous ? previous.hash : zero) && r.seq === expectedSeq) this.report(r.seq, 'link-broken');
    const cp = this.bySeq.get(r.seq);
    if (cp && cp.hash !== r.hash) this.report(r.seq, 'checkpoint-mismatch');
    this.previous = r;
  }

  result(): Omit<ChainCheck, 'forgedCheckpoints' | 'checkpoint'> {
    const lastSeq = this.previous?.seq ?? 0;
    const latest = this.checkpoints.reduce<Checkpoint | undefined>((m, c) => (!m || c.seq > m.seq ? c : m), undefined);
    const truncatedTail = latest && latest.seq > lastSeq ? { lastSeq, checkpointSeq: latest.seq, checkpointAt: latest.at } : undefined;
    return {
      ok: this.breakCount === 0 && this.gaps.length === 0 && !truncatedTail,
      rows: this.n,
      breaks: this.breaks,
      breakCount: this.breakCount,
      ...(this.breaks.length ? { brokenAt: this.breaks[0] } : {}),
      gaps: this.gaps,
      ...(truncatedTail ? { truncatedTail } : {}),
      lastHash: this.previous?.hash ?? null,
    };
  }
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
  const checker = new ChainChecker(auditChainKeyHex(o.auditKey), valid);
  for await (const r of chainRows(db)) checker.add(r);
  const result = checker.result();
  const latest = valid[valid.length - 1];
  return {
    ...result,
    ok: result.ok && forged.length === 0,
    forgedCheckpoints: forged,
    checkpoint: latest ? { seq: latest.seq, at: latest.at } : null,
  };
}
