/**
 * What a retry cannot fix is said once: an activity that fails because the database refuses the
 * data (a data exception such as invalid text encoding, SQLSTATE class 22, or an integrity
 * constraint, class 23) fails for good with type `UnstorableData`, and the workflow hands it to a
 * person (a manual task) instead of retrying for ever. Everything else keeps Temporal's retries.
 */
import { ApplicationFailure } from '@temporalio/common';
import { UNSTORABLE } from '../workflows/definitions';

/** A PostgreSQL error that no retry can fix: the data itself is refused. */
export function isUnstorable(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && /^(22|23)[0-9A-Z]{3}$/.test(code);
}

type AnyFn = (...args: never[]) => Promise<unknown>;

/** Each activity of `activities`, failing non-retryably when the database refuses its data. */
export function classifyFailures<T extends Record<string, AnyFn>>(activities: T): T {
  const out: Record<string, AnyFn> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (!isUnstorable(err)) throw err;
        throw ApplicationFailure.create({ type: UNSTORABLE, message: `${name}: the database refused the data (${err.code}: ${err.message})`, nonRetryable: true, cause: err });
      }
    };
  }
  return out as T;
}
