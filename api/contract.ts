/**
 * Applies the OpenAPI document to each request before its route runs: the zone (an internal
 * operation on the public port is a 404, and staff tokens are not taken there), and the query
 * string (unknown parameters and bad values are a 400 with a field path per problem).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { RequestHandler } from 'express';
import { badRequest, forbidden } from '../lib/errors';
import { toFieldProblems } from '../lib/forms';
import { principalOf } from './auth/principal';
import { matchOperation, type Operation } from './openapi';
import { notFoundHandler } from './problem';

export type ServedZone = 'all' | 'public' | 'internal';

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: true });
addFormats(ajv);
const queryValidators = new Map<Operation, ValidateFunction>();

function queryValidator(op: Operation): ValidateFunction {
  let v = queryValidators.get(op);
  if (!v) {
    const params = op.query ?? [];
    v = ajv.compile({
      type: 'object',
      additionalProperties: false,
      required: params.filter((p) => p.required).map((p) => p.name),
      properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    });
    queryValidators.set(op, v);
  }
  return v;
}

export function contract(zone: ServedZone): RequestHandler {
  return (req, res, next) => {
    const op = matchOperation(req.method, req.path);
    if (!op) return next();
    if (zone === 'public' && op.zone === 'internal') return notFoundHandler(req, res, next);
    if (zone === 'public' && principalOf(req).kind === 'staff') throw forbidden('staff work on the government extranet, not the Internet zone');
    for (const [name, value] of Object.entries(req.query)) {
      if (Array.isArray(value)) throw badRequest(`query parameter ${name} is given more than once`, [{ pointer: `/query/${name}`, detail: 'given more than once' }]);
    }
    const raw = (req as { rawBody?: Buffer }).rawBody;
    if (!op.body && !op.document && ((raw?.length ?? 0) > 0 || Number(req.get('content-length') ?? 0) > 0)) throw badRequest(`${req.method} ${req.path} takes no body`);
    const validate = queryValidator(op);
    if (!validate({ ...req.query })) throw badRequest('the query string does not match the API description', toFieldProblems(validate.errors, '/query'));
    next();
  };
}
