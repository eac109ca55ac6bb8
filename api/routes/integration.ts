/**
 * Integrator keys (managed by the platform administrator), webhook subscriptions (managed by
 * the integrator with its own key), the delivery log, and the audit log with its chain check.
 */
import { Router } from 'express';
import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import { notFound } from '../../lib/errors';
import { whereLike } from '../../lib/like';
import { maskPersonalData } from '../../lib/privacy';
import { apiKeyScopes, createApiKey, revokeApiKey } from '../auth/api-keys';
import { requireIntegrator, requireStaff } from '../auth/principal';
import { newToken, seal } from '../auth/secrets';
import { intQuery, queryString } from '../params';
import { verifyAuditChain } from '../services/audit';
import { bodyValidator } from '../validate';

export interface IntegrationDeps {
  db: Db;
  secretKey: string;
  auditKey?: string;
  auditCheckpointFile?: string;
}

export const webhookEventTypes = ['*', 'case.filed', 'case.accepted', 'case.not-accepted', 'case.correction-requested', 'case.step-completed', 'case.decided', 'case.fee-requested', 'case.paid', 'case.certificate-issued', 'case.delivered', 'case.completed', 'case.withdrawn', 'case.supervision'] as const;

const apiKeyBody = bodyValidator<{ name: string; scopes: string[]; ratePerMinute?: number }>('ApiKeyRequest', {
  type: 'object', additionalProperties: false, required: ['name', 'scopes'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    scopes: { type: 'array', minItems: 1, maxItems: apiKeyScopes.length, uniqueItems: true, items: { enum: [...apiKeyScopes] } },
    ratePerMinute: { type: 'integer', minimum: 1, maximum: 100_000 },
  },
});

const webhookBody = bodyValidator<{ url: string; events: string[] }>('WebhookRequest', {
  type: 'object', additionalProperties: false, required: ['url', 'events'],
  properties: {
    url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 500 },
    events: { type: 'array', minItems: 1, maxItems: 20, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64, pattern: '^(\\*|case\\.[a-z-]+)$' } },
  },
});

const platformAdmin = ['platform-admin'];

export function integrationRoutes(deps: IntegrationDeps): Router {
  const r = Router();
  const { db } = deps;

  r.post('/admin/api-keys', async (req, res) => {
    const admin = requireStaff(req, platformAdmin);
    const body = apiKeyBody(req.body);
    const key = await createApiKey(db, deps.secretKey, { name: body.name, scopes: body.scopes, ratePerMinute: body.ratePerMinute ?? 600, createdBy: admin.id });
    await db('audit_log').insert({ actor: `staff:${admin.id}`, action: 'api-key.created', detail: JSON.stringify({ id: key.id, name: key.name, scopes: key.scopes }) });
    res.status(201).location(`/api/admin/api-keys/${key.id}`).json(key);
  });

  r.get('/admin/api-keys', async (req, res) => {
    requireStaff(req, platformAdmin);
    res.json({
      keys: await db('api_keys').orderBy('created_at', 'desc')
        .select('id', 'name', 'scopes', 'rate_per_minute as ratePerMinute', 'created_by as createdBy', 'created_at as createdAt', 'revoked_at as revokedAt', 'last_used_at as lastUsedAt'),
    });
  });

  r.post('/admin/api-keys/:id/revoke', async (req, res) => {
    const admin = requireStaff(req, platformAdmin);
    const id = queryStringParam(req.params.id);
    if (!await revokeApiKey(db, id)) throw notFound(`an active API key "${id}"`);
    await db('audit_log').insert({ actor: `staff:${admin.id}`, action: 'api-key.revoked', detail: JSON.stringify({ id }) });
    res.status(204).end();
  });

  r.post('/integrations/webhooks', async (req, res) => {
    const key = requireIntegrator(req, 'webhooks');
    const body = webhookBody(req.body);
    const id = `wh_${crypto.randomBytes(9).toString('base64url')}`;
    const secret = newToken();
    await db('webhook_subscriptions').insert({ id, api_key_id: key.keyId, url: body.url, events: body.events, secret_enc: seal(deps.secretKey, secret) });
    res.status(201).location(`/api/integrations/webhooks/${id}`).json({ id, url: body.url, events: body.events, secret });
  });

  r.get('/integrations/webhooks', async (req, res) => {
    const key = requireIntegrator(req, 'webhooks');
    res.json({ webhooks: await db('webhook_subscriptions').where({ api_key_id: key.keyId }).orderBy('created_at').select('id', 'url', 'events', 'active', 'created_at as createdAt') });
  });

  r.delete('/integrations/webhooks/:id', async (req, res) => {
    const key = requireIntegrator(req, 'webhooks');
    const n = await db('webhook_subscriptions').where({ id: queryStringParam(req.params.id), api_key_id: key.keyId, active: true }).update({ active: false });
    if (n === 0) throw notFound(`webhook ${req.params.id}`);
    res.status(204).end();
  });

  r.get('/integrations/webhooks/:id/deliveries', async (req, res) => {
    const key = requireIntegrator(req, 'webhooks');
    const sub = await db('webhook_subscriptions').where({ id: queryStringParam(req.params.id), api_key_id: key.keyId }).first<{ id: string } | undefined>('id');
    if (!sub) throw notFound(`webhook ${req.params.id}`);
    const deliveries = await db('webhook_deliveries').where({ subscription_id: sub.id }).orderBy('id', 'desc').limit(intQuery(req, 'limit', 50, 1, 200))
      .select('id', 'event_id as eventId', 'event_type as eventType', 'case_no as caseNo', 'state', 'attempts', 'last_status as lastStatus', 'last_error as lastError', 'next_attempt_at as nextAttemptAt', 'delivered_at as deliveredAt');
    const attempts = deliveries.length === 0 ? [] : await db('webhook_attempts').whereIn('delivery_id', deliveries.map((d: { id: string }) => d.id)).orderBy('id')
      .select('delivery_id as deliveryId', 'at', 'status', 'error', 'duration_ms as durationMs');
    res.json({ deliveries: deliveries.map((d: { id: string }) => ({ ...d, attemptLog: attempts.filter((a: { deliveryId: string }) => a.deliveryId === d.id) })) });
  });

  r.get('/audit', async (req, res) => {
    requireStaff(req, ['supervisor', 'platform-admin']);
    const q = db('audit_log').orderBy('chain_seq', 'desc').limit(intQuery(req, 'limit', 100, 1, 500))
      .select('chain_seq as seq', 'at', 'actor', 'action', 'case_no as caseNo', 'detail', 'hash');
    const caseNo = queryString(req, 'caseNo', { pattern: /^[0-9]{22}$/ });
    if (caseNo) void q.where({ case_no: caseNo });
    const action = queryString(req, 'action', { max: 64 });
    if (action) void whereLike(q, 'action', action, { mode: 'prefix' });
    res.json({ entries: maskPersonalData(await q) });
  });

  r.get('/audit/verify', async (req, res) => {
    requireStaff(req, ['supervisor', 'platform-admin']);
    res.json(await verifyAuditChain(db, { auditKey: deps.auditKey, checkpointFile: deps.auditCheckpointFile }));
  });

  return r;
}

function queryStringParam(v: string): string {
  if (v.length > 40) throw notFound('that resource');
  return v;
}
