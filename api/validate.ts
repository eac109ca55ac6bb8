/** Request-body validation at the edge, with the same ajv options the forms use. */
import type { JSONSchemaType } from 'ajv';
import { badRequest } from '../lib/errors';
import { createAjv, toFieldProblems } from '../lib/forms';

const ajv = createAjv();

/** Compiles a schema once; the returned function returns the typed body or throws a 400. */
export function bodyValidator<T>(schema: JSONSchemaType<T> | Record<string, unknown>): (body: unknown) => T {
  const validate = ajv.compile<T>(schema);
  return (body: unknown): T => {
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest('the body must be a JSON object (Content-Type: application/json)');
    }
    if (!validate(body)) throw badRequest('the body does not match the schema', toFieldProblems(validate.errors));
    return body;
  };
}
