/**
 * Idempotency keys on every POST. A request with `Idempotency-Key` is answered once; a repeat
 * by the same caller with the same key and the same body gets the stored answer again (with
 * `Idempotent-Replayed: true`), with a different body a 409, while the first is still running a
 * 409 too. Only successful answers are kept: after an error the caller may retry with the key.
 */
import type { RequestHandler, Response } from 'express';
import type { Db } from '../lib/db';
import { badRequest, conflict } from '../lib/errors';
import { log } from '../lib/log';
import { principalOf, principalRef } from './auth/principal';
import { sha256Hex } from './auth/secrets';

interface Stored {
  request_hash: string;
  state: 'running' | 'done';
  status: number | null;
  body: unknown;
  location: string | null;
  created_at: Date;
}

/** A request still "running" after this long died with its process; its key may be used again. */
const abandonedAfterMs = 120_000;

export function idempotency(db: Db): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('idempotency-key');
    if (req.method !== 'POST' || key === undefined) return next();
    if (key.length < 1 || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) throw badRequest('Idempotency-Key must be 1 to 200 visible ASCII characters');
    const scopeKey = sha256Hex(`${principalRef(principalOf(req))}\n${req.path}\n${key}`);
    const requestHash = sha256Hex((req as { rawBody?: Buffer }).rawBody ?? '');
    const inserted = await db('idempotent_responses').insert({ scope_key: scopeKey, request_hash: requestHash, state: 'running' }).onConflict('scope_key').ignore().returning('scope_key');
    if (inserted.length === 0) {
      const prior = await db('idempotent_responses').where({ scope_key: scopeKey }).first<Stored | undefined>();
      if (prior && prior.request_hash !== requestHash) throw conflict('idempotency-key-reused', `Idempotency-Key "${key}" was used for a different request`);
      if (prior && prior.state === 'running' && Date.now() - prior.created_at.getTime() > abandonedAfterMs) {
        await db('idempotent_responses').where({ scope_key: scopeKey, state: 'running' }).delete();
        throw conflict('request-in-progress', `an earlier request with Idempotency-Key "${key}" was abandoned; send it again`);
      }
      if (!prior || prior.state === 'running') throw conflict('request-in-progress', `a request with Idempotency-Key "${key}" is still being handled; retry shortly`);
      res.set('idempotent-replayed', 'true');
      if (prior.location) res.location(prior.location);
      if (prior.body === null) return void res.status(prior.status ?? 204).end();
      return void res.status(prior.status ?? 200).json(prior.body);
    }
    (req as { idempotencyScope?: string }).idempotencyScope = scopeKey;
    capture(res, async (status, body) => {
      if (status >= 200 && status < 300) {
        await db('idempotent_responses').where({ scope_key: scopeKey })
          .update({ state: 'done', status, body: body === undefined ? null : JSON.stringify(body), location: res.get('location') ?? null });
      } else {
        await db('idempotent_responses').where({ scope_key: scopeKey }).delete();
      }
    });
    next();
  };
}

/**
 * Holds the answer until `done` has recorded it, so a retry that follows the answer finds it
 * stored. `res.json` ends in `res.end`, so both are wrapped and the first one records.
 */
function capture(res: Response, done: (status: number, body: unknown) => Promise<void>): void {
  let recorded = false;
  const json = res.json.bind(res);
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  const record = (body: unknown, then: () => void) => {
    if (recorded) return then();
    recorded = true;
    done(res.statusCode, body).then(then, (err: unknown) => {
      log().error({ err }, '[api] idempotency record failed');
      then();
    });
  };
  res.json = (b: unknown) => {
    record(b, () => json(b));
    return res;
  };
  res.end = ((...args: unknown[]) => {
    record(undefined, () => end(...args));
    return res;
  }) as Response['end'];
}
