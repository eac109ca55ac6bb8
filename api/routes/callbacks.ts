/**
 * Callbacks from the payment, logistics, department and identity platforms, turned into signals
 * to the case, and cases filed on the provincial portal (province), filed here. Each is a signed event `{eventId, type, subject, seq, occurredAt, data}`: a bad
 * signature, a stale timestamp or a replayed nonce is refused (401) before anything is read (the
 * nonces are kept in PostgreSQL, so every API process knows them); a repeated event id is
 * acknowledged and changes nothing; an event about an unknown order, waybill, dispatch or face
 * check is refused (4xx). Every refusal is recorded in the audit log.
 */
import { Router, type Request } from 'express';
import { callbackService, type CallbackPlatform } from '../services/callbacks';
import type { CaseDeps } from '../services/cases';

export type RawBodyRequest = Request & { rawBody?: Buffer };

export function callbackRoutes(deps: CaseDeps, secret: string): Router {
  const r = Router();
  const callbacks = callbackService(deps, secret);
  for (const platform of ['payment', 'logistics', 'department', 'identity', 'province'] as CallbackPlatform[]) {
    r.post(`/callbacks/${platform}`, async (req, res) => {
      const body = (req as RawBodyRequest).rawBody ?? Buffer.from('');
      res.json(await callbacks.receive(platform, { method: req.method, path: req.originalUrl, headers: req.headers, body }));
    });
  }
  return r;
}
