/** The benchmarks' positional arguments (`npm run bench:… -- 10 3`). */
import { ConfigError } from '../lib/errors';

/** The positional argument at `position` (0 = the first after the script) as a positive integer, or `fallback` when absent. */
export function positiveIntegerArg(position: number, fallback: number, what: string): number {
  const raw = process.argv[2 + position];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${what} must be a positive integer (got "${raw}")`);
  return n;
}
