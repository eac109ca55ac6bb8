/**
 * Checks the audit log's hash chain: every row's hash must be the SHA-256 of its own content
 * and the previous row's hash, and the sequence must have no gaps. A changed, inserted or
 * removed row breaks it at that row.
 */
import { auditChainText } from '../../db/migrations/007_access';
import type { Db } from '../../lib/db';

export type BreakReason = 'content-changed' | 'link-broken' | 'gap';

export interface ChainCheck {
  ok: boolean;
  rows: number;
  /** The first row that does not verify, and why. */
  brokenAt?: { seq: number; reason: BreakReason };
  lastHash: string | null;
}

export async function verifyAuditChain(db: Db): Promise<ChainCheck> {
  const { rows } = await db.raw<{ rows: { seq: string; reason: BreakReason }[] }>(`
    with c as (
      select chain_seq, hash, prev_hash,
        encode(sha256(convert_to(${auditChainText}, 'UTF8')), 'hex') as recomputed,
        lag(hash) over (order by chain_seq) as previous,
        lag(chain_seq) over (order by chain_seq) as previous_seq
      from audit_log
    )
    select chain_seq as seq,
      case when hash is distinct from recomputed then 'content-changed'
           when previous_seq is not null and chain_seq <> previous_seq + 1 then 'gap'
           when prev_hash is distinct from coalesce(previous, repeat('0', 64)) then 'link-broken' end as reason
    from c
    where hash is distinct from recomputed
       or (previous_seq is not null and chain_seq <> previous_seq + 1)
       or prev_hash is distinct from coalesce(previous, repeat('0', 64))
    order by chain_seq limit 1`);
  const stats = await db('audit_log').first<{ n: string; last: string | null }>(db.raw('count(*) as n'), db.raw('(select hash from audit_log order by chain_seq desc limit 1) as last'));
  const n = Number(stats?.n ?? 0);
  if (rows.length) return { ok: false, rows: n, brokenAt: { seq: Number(rows[0].seq), reason: rows[0].reason }, lastHash: stats?.last ?? null };
  return { ok: true, rows: n, lastHash: stats?.last ?? null };
}
