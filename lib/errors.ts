/**
 * Typed errors, kept together. `AppError` carries an HTTP status and becomes an RFC 9457
 * problem+json body at the API edge; `ConfigError` is a start-up problem printed as one line.
 */

/** One problem with one field of the input, located by a JSON Pointer. */
export interface FieldProblem {
  pointer: string;
  detail: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    /** Short, stable slug; becomes the problem `type` URI's last segment. */
    readonly code: string,
    readonly title: string,
    detail?: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(detail ?? title);
    this.name = 'AppError';
  }
}

export const badRequest = (detail: string, errors: FieldProblem[] = []) =>
  new AppError(400, 'bad-request', 'The request is not valid', detail, errors);
export const validationFailed = (errors: FieldProblem[]) =>
  new AppError(422, 'validation-failed', 'The submitted data is not valid', `${errors.length} problem(s) found`, errors);
export const notFound = (what: string) => new AppError(404, 'not-found', 'Not found', `${what} does not exist`);
export const conflict = (code: string, detail: string) => new AppError(409, code, 'Conflict with the current state', detail);
/** The case exists (its filing is stored) but its first projection has not landed yet. */
export const notProjectedYet = (caseNo: string) => conflict('not-projected-yet', `case ${caseNo} is not in the read model yet; try again in a moment`);
export const forbidden = (detail: string) => new AppError(403, 'forbidden', 'Not allowed', detail);
export const unauthorised = (detail: string) => new AppError(401, 'unauthorised', 'Not signed in', detail);

/** A configuration or environment problem at start-up: printed as one line, exit code 1. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
