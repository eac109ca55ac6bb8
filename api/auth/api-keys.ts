/**
 * Integrator API keys. A key has an id, an access token (hashed at rest) and a signing secret
 * (encrypted at rest, as it must be recovered to check an HMAC). A request carries
 *
 *   Authorization: ApiKey <id>.<token>
 *   X-Ow-Timestamp: <unix milliseconds>
 *   X-Ow-Nonce: <16–64 characters, never reused>
 *   X-Ow-Signature: hex HMAC-SHA256(signing secret, METHOD \n path?query \n timestamp \n nonce \n hex SHA-256(body))
 *
 * A stale timestamp (over five minutes), a reused nonce, a bad signature, a revoked key: 401.
 */
import type { Request } from 'express';
import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import { unauthorised } from '../../lib/errors';
import type { AuthDeps, Principal } from './principal';
import { hmacHex, newToken, safeEqualHex, seal, sha256Hex, unseal } from './secrets';

export const apiKeyScopes = ['cases:file', 'cases:read', 'webhooks'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

const maxSkewMs = 5 * 60_000;

export interface NewApiKey {
  id: string;
  name: string;
  /** `ApiKey <id>.<token>`: shown once. */
  token: string;
  /** The HMAC secret for request signatures: shown once. */
  signingSecret: string;
  scopes: string[];
  ratePerMinute: number;
}

export async function createApiKey(db: Db, secretKey: string, o: { name: string; scopes: string[]; ratePerMinute: number; createdBy: string }): Promise<NewApiKey> {
  const id = `ak_${crypto.randomBytes(9).toString('base64url')}`;
  const token = newToken();
  const signingSecret = newToken();
  await db('api_keys').insert({
    id, name: o.name, token_hash: sha256Hex(token), signing_secret_enc: seal(secretKey, signingSecret), scopes: o.scopes, rate_per_minute: o.ratePerMinute, created_by: o.createdBy,
  });
  return { id, name: o.name, token, signingSecret, scopes: o.scopes, ratePerMinute: o.ratePerMinute };
}

/** The text an integrator signs. */
export function signingText(method: string, pathAndQuery: string, timestamp: string, nonce: string, body: Buffer | string | undefined): string {
  return [method.toUpperCase(), pathAndQuery, timestamp, nonce, sha256Hex(body ?? '')].join('\n');
}

/** Signature headers for a request; used by integrators' clients (and our tests and benchmarks). */
export function signRequest(key: { id: string; token: string; signingSecret: string }, method: string, pathAndQuery: string, body: string | undefined, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  const nonce = crypto.randomBytes(16).toString('hex');
  return {
    authorization: `ApiKey ${key.id}.${key.token}`,
    'x-ow-timestamp': timestamp,
    'x-ow-nonce': nonce,
    'x-ow-signature': hmacHex(key.signingSecret, signingText(method, pathAndQuery, timestamp, nonce, body)),
  };
}

interface KeyRow {
  id: string;
  name: string;
  token_hash: string;
  signing_secret_enc: string;
  scopes: string[];
  rate_per_minute: number;
  revoked_at: Date | null;
}

export async function authenticateApiKey(deps: AuthDeps, req: Request & { rawBody?: Buffer }, value: string): Promise<Principal> {
  const dot = value.indexOf('.');
  if (dot < 1 || value.length > 200) throw unauthorised('the API key is malformed; use "ApiKey <id>.<token>"');
  const id = value.slice(0, dot);
  const token = value.slice(dot + 1);
  const key = await deps.db('api_keys').where({ id }).first<KeyRow | undefined>();
  if (!key || !safeEqualHex(key.token_hash, sha256Hex(token))) throw unauthorised('the API key is not valid');
  if (key.revoked_at) throw unauthorised('the API key has been revoked');

  const timestamp = req.get('x-ow-timestamp') ?? '';
  const nonce = req.get('x-ow-nonce') ?? '';
  const signature = req.get('x-ow-signature') ?? '';
  if (!/^[0-9]{13}$/.test(timestamp)) throw unauthorised('X-Ow-Timestamp must be the request time in Unix milliseconds');
  if (Math.abs(Date.now() - Number(timestamp)) > maxSkewMs) throw unauthorised('the request timestamp is more than five minutes off');
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) throw unauthorised('X-Ow-Nonce must be 16 to 64 letters, digits, - or _');
  const expected = hmacHex(unseal(deps.secretKey, key.signing_secret_enc), signingText(req.method, req.originalUrl, timestamp, nonce, req.rawBody));
  if (!safeEqualHex(expected, signature)) throw unauthorised('the request signature does not match');
  await claimNonce(deps.db, `key:${id}:${nonce}`, new Date(Number(timestamp) + maxSkewMs));
  void deps.db('api_keys').where({ id }).update({ last_used_at: deps.db.fn.now() }).catch(() => undefined);
  return { kind: 'integrator', keyId: id, name: key.name, scopes: key.scopes, ratePerMinute: key.rate_per_minute };
}

/** Records a nonce until it expires; a second use is a replay (401). Expired nonces are swept now and then. */
export async function claimNonce(db: Db, nonce: string, expiresAt: Date): Promise<void> {
  const inserted = await db('request_nonces').insert({ nonce, expires_at: expiresAt }).onConflict('nonce').ignore().returning('nonce');
  if (inserted.length === 0) throw unauthorised('this request was already received (nonce reused)');
  if (Math.random() < 0.01) await db('request_nonces').where('expires_at', '<', new Date()).delete();
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const n = await db('api_keys').where({ id }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
  return n > 0;
}
