/** Request-body validation at the edge, with the same ajv options the forms use. */
import type { JSONSchemaType } from 'ajv';
import { badRequest } from '../lib/errors';
import { createAjv, toFieldProblems } from '../lib/forms';

const ajv = createAjv();

/** Every named request-body schema, for the OpenAPI document: the contract is the validator. */
export const requestSchemas = new Map<string, Record<string, unknown>>();

/**
 * Compiles a schema once and registers it under `name` for the OpenAPI document; the returned
 * function returns the typed body or throws a 400 with a field path for each problem.
 */
export function bodyValidator<T>(name: string, schema: JSONSchemaType<T> | Record<string, unknown>): (body: unknown) => T {
  if (requestSchemas.has(name)) throw new Error(`request schema ${name} registered twice`);
  requestSchemas.set(name, schema);
  const validate = ajv.compile<T>(schema);
  return (body: unknown): T => {
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest('the body must be a JSON object (Content-Type: application/json)');
    }
    if (!validate(body)) throw badRequest('the body does not match the schema', toFieldProblems(validate.errors));
    return body;
  };
}
