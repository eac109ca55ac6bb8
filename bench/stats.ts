/** Small statistics helpers for the benchmarks: percentiles and latency summaries. */

/**
 * The p-th percentile (0–100) of the values by the nearest-rank method: the smallest value such
 * that at least p% of the values are less than or equal to it. NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is not between 0 and 100`);
  if (values.length === 0) return NaN;
  const sorted = isSorted(values) ? values : [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The median (the mean of the middle two for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function isSorted(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] < values[i - 1]) return false;
  return true;
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** count, p50 / p95 / p99, max and mean of a sample, rounded to 0.1. */
export function summarise(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const r = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : NaN);
  const mean = sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : NaN;
  return {
    count: sorted.length,
    p50: r(percentile(sorted, 50)),
    p95: r(percentile(sorted, 95)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted.length ? sorted[sorted.length - 1] : NaN),
    mean: r(mean),
  };
}

/** Latencies in milliseconds, recorded under a name each (e.g. "file", "task completion"). */
export class Latencies {
  private readonly samples = new Map<string, number[]>();

  add(name: string, ms: number): void {
    let list = this.samples.get(name);
    if (!list) this.samples.set(name, (list = []));
    list.push(ms);
  }

  /** Times `fn`, recording its duration under `name` whether it succeeds or throws. */
  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      this.add(name, Number(process.hrtime.bigint() - start) / 1e6);
    }
  }

  summary(): Record<string, Summary> {
    return Object.fromEntries([...this.samples].map(([k, v]) => [k, summarise(v)]));
  }
}

/** Runs `worker` over items 0..n-1 with at most `concurrency` at once; resolves when all are done. */
export async function pool(n: number, concurrency: number, worker: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      await worker(i);
    }
  });
  await Promise.all(lanes);
}
