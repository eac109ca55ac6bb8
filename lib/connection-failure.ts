/** Telling a lost or refused connection (to PostgreSQL or Temporal) from any other failure. */

/** Error codes and messages that mean a connection could not be made or was lost. */
const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03']);
const connectionMessages = /Timeout acquiring a connection|Connection terminated|connection error and is not queryable|Connection ended unexpectedly/i;
/** gRPC status UNAVAILABLE, as the Temporal client reports an unreachable server. */
const grpcUnavailable = 14;

/**
 * The cause of a connection-class failure (e.g. `ECONNREFUSED`, `57P01`, `knex pool timeout`), or
 * undefined for any other error. Looks through `cause` chains and AggregateErrors.
 */
export function connectionFailure(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length) {
    const e = queue.shift();
    if (!(e instanceof Error) || seen.has(e) || seen.size > 20) continue;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (connectionCodes.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return code;
    if (code === grpcUnavailable && 'metadata' in e) return 'temporal unavailable';
    if (e.name === 'KnexTimeoutError' || connectionMessages.test(e.message)) return e.name === 'KnexTimeoutError' ? 'knex pool timeout' : e.message.slice(0, 80);
    queue.push((e as { cause?: unknown }).cause);
    if (e instanceof AggregateError) queue.push(...(e.errors as unknown[]));
  }
  return undefined;
}
