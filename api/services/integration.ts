/**
 * Integrator keys, webhook subscriptions and their delivery log, and the audit log's listing:
 * the reads and writes behind `api/routes/integration.ts`.
 */
import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import { whereLike } from '../../lib/like';
import { maskPersonalData } from '../../lib/privacy';
import { createApiKey, revokeApiKey, type NewApiKey } from '../auth/api-keys';
import { newToken, seal } from '../auth/secrets';

/** Issues a key and records who did. */
export async function issueApiKey(db: Db, secretKey: string, o: { name: string; scopes: string[]; ratePerMinute: number; createdBy: string }): Promise<NewApiKey> {
  const key = await createApiKey(db, secretKey, o);
  await db('audit_log').insert({ actor: `staff:${o.createdBy}`, action: 'api-key.created', detail: JSON.stringify({ id: key.id, name: key.name, scopes: key.scopes }) });
  return key;
}

/** Every key, newest first, never a secret. */
export async function listApiKeys(db: Db) {
  return db('api_keys').orderBy('created_at', 'desc')
    .select('id', 'name', 'scopes', 'rate_per_minute as ratePerMinute', 'created_by as createdBy', 'created_at as createdAt', 'revoked_at as revokedAt', 'last_used_at as lastUsedAt');
}

/** Revokes an active key, recorded; false when there is no such active key. */
export async function revokeKey(db: Db, id: string, by: string): Promise<boolean> {
  if (!await revokeApiKey(db, id)) return false;
  await db('audit_log').insert({ actor: `staff:${by}`, action: 'api-key.revoked', detail: JSON.stringify({ id }) });
  return true;
}

/** A new subscription with its signing secret (stored sealed, shown once). */
export async function subscribeWebhook(db: Db, secretKey: string, keyId: string, body: { url: string; events: string[] }) {
  const id = `wh_${crypto.randomBytes(9).toString('base64url')}`;
  const secret = newToken();
  await db('webhook_subscriptions').insert({ id, api_key_id: keyId, url: body.url, events: body.events, secret_enc: seal(secretKey, secret) });
  return { id, url: body.url, events: body.events, secret };
}

/** The key's subscriptions, oldest first. */
export async function listWebhooks(db: Db, keyId: string) {
  return db('webhook_subscriptions').where({ api_key_id: keyId }).orderBy('created_at').select('id', 'url', 'events', 'active', 'created_at as createdAt');
}

/** Ends an active subscription of the key; false when it has none by that id. */
export async function unsubscribeWebhook(db: Db, keyId: string, id: string): Promise<boolean> {
  const n = await db('webhook_subscriptions').where({ id, api_key_id: keyId, active: true }).update({ active: false });
  return n > 0;
}

/** The newest deliveries of one of the key's subscriptions, each with its attempts; undefined when it is not the key's. */
export async function webhookDeliveries(db: Db, keyId: string, id: string, limit: number) {
  const sub = await db('webhook_subscriptions').where({ id, api_key_id: keyId }).first<{ id: string } | undefined>('id');
  if (!sub) return undefined;
  const deliveries = await db('webhook_deliveries').where({ subscription_id: sub.id }).orderBy('id', 'desc').limit(limit)
    .select('id', 'event_id as eventId', 'event_type as eventType', 'case_no as caseNo', 'state', 'attempts', 'last_status as lastStatus', 'last_error as lastError', 'next_attempt_at as nextAttemptAt', 'delivered_at as deliveredAt');
  const attempts = deliveries.length === 0 ? [] : await db('webhook_attempts').whereIn('delivery_id', deliveries.map((d: { id: string }) => d.id)).orderBy('id')
    .select('delivery_id as deliveryId', 'at', 'status', 'error', 'duration_ms as durationMs');
  return deliveries.map((d: { id: string }) => ({ ...d, attemptLog: attempts.filter((a: { deliveryId: string }) => a.deliveryId === d.id) }));
}

/** The audit log, newest first, personal data masked; by case and by action prefix (wildcards taken literally). */
export interface AuditEntry {
  seq: string;
  at: Date;
  actor: string;
  action: string;
  caseNo: string | null;
  detail: unknown;
  hash: string;
}

export async function auditEntries(db: Db, f: { caseNo?: string; action?: string; limit: number }): Promise<AuditEntry[]> {
  const q = db('audit_log').orderBy('chain_seq', 'desc').limit(f.limit)
    .select('chain_seq as seq', 'at', 'actor', 'action', 'case_no as caseNo', 'detail', 'hash');
  if (f.caseNo) void q.where({ case_no: f.caseNo });
  if (f.action) void whereLike(q, 'action', f.action, { mode: 'prefix' });
  return maskPersonalData((await q) as AuditEntry[]);
}
