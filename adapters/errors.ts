/**
 * The two ways a call to an external platform fails. A `TransientAdapterError` may pass on its
 * own (5xx, timeout, network): the client retries it, then the activity's retry policy does.
 * An `AdapterRefusal` is the platform's business answer (4xx): retrying changes nothing, so an
 * activity turns it into a non-retryable ApplicationFailure.
 */

/** 5xx, 408/429, a timeout or a network fault: worth another try. */
export class TransientAdapterError extends Error {
  override readonly name = 'TransientAdapterError';
  constructor(
    readonly platform: string,
    message: string,
    /** The HTTP status, when there was an answer at all. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The platform (or the client's own local check) refused the request; `code` is a stable slug. */
export class AdapterRefusal extends Error {
  override readonly name = 'AdapterRefusal';
  constructor(
    readonly platform: string,
    readonly code: string,
    message: string,
    /** The HTTP status; undefined when the client refused before sending anything. */
    readonly status?: number,
  ) {
    super(message);
  }
}
