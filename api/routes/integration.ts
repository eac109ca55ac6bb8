/**
 * Integrator keys (managed by the platform administrator), webhook subscriptions (managed by
 * the integrator with its own key), the delivery log, and the audit log with its chain check.
 */
import { Router } from 'express';
import type { Db } from '../../lib/db';
import { notFound } from '../../lib/errors';
import { apiKeyScopes } from '../auth/api-keys';
import { requireIntegrator, requireStaff } from '../auth/principal';
import { intQuery, queryString } from '../params';
import { verifyAuditChain } from '../services/audit';
import { auditEntries, issueApiKey, listApiKeys, listWebhooks, revokeKey, subscribeWebhook, unsubscribeWebhook, webhookDeliveries } from '../services/integration';
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
    const key = await issueApiKey(db, deps.secretKey, { name: body.name, scopes: body.scopes, ratePerMinute: body.ratePerMinute ?? 600, createdBy: admin.id });
    res.status(201).location(`/api/admin/api-keys/${key.id}`).json(key);
  });

  r.get('/admin/api-keys', async (req, res) => {
    requireStaff(req, platformAdmin);
    res.json({ keys: await listApiKeys(db) });
  });

  r.post('/admin/api-keys/:id/revoke', async (req, res) => {
    const admin = requireStaff(req, platformAdmin);
    const id = queryStringParam(req.params.id);
    if (!await revokeKey(db, id, admin.id)) throw notFound(`an active API key "${id}"`);
    res.status(204).end();
  });

  r.post('/integrations/webhooks', async (req, res) => {
    const key = requireIntegrator(req, 'webhooks');
    const body = webhookBody(req.body);
    const sub = await subscribeWebhook(db, deps.secretKey, key.keyId, body);
    res.status(201).location(`/api/integrations/webhooks/${sub.id}`).json(sub);
  });

  r.get('/integrations/webhooks', async (req, res) => {
    const key = requireIntegrator(req, 'webhooks');
    res.json({ webhooks: await listWebhooks(db, key.keyId) });
  });

  r.delete('/integrations/webhooks/:id', async (req, res) => {
    const key = requireIntegrator(req, 'webhooks');
    if (!await unsubscribeWebhook(db, key.keyId, queryStringParam(req.params.id))) throw notFound(`webhook ${req.params.id}`);
    res.status(204).end();
  });

  r.get('/integrations/webhooks/:id/deliveries', async (req, res) => {
    const key = requireIntegrator(req, 'webhooks');
    const deliveries = await webhookDeliveries(db, key.keyId, queryStringParam(req.params.id), intQuery(req, 'limit', 50, 1, 200));
    if (!deliveries) throw notFound(`webhook ${req.params.id}`);
    res.json({ deliveries });
  });

  r.get('/audit', async (req, res) => {
    requireStaff(req, ['supervisor', 'platform-admin']);
    const limit = intQuery(req, 'limit', 100, 1, 500);
    const caseNo = queryString(req, 'caseNo', { pattern: /^[0-9]{22}$/ });
    const action = queryString(req, 'action', { max: 64 });
    res.json({ entries: await auditEntries(db, { caseNo, action, limit }) });
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
