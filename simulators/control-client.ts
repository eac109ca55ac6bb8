/**
 * Talks to a simulator's control endpoints over HTTP, for tests and scripts. Each platform's
 * simulator returns one of these (or a subclass with its own actions) as `control`.
 */
import type { Delivery, Faults, LogEntry } from './kit';

export class SimulatorControl {
  constructor(readonly url: string) {}

  protected async send<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/_control${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`control ${method} ${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** Merges into the current faults; returns them all. */
  async setFaults(f: Partial<Faults>): Promise<Faults> {
    return await this.send('POST', '/faults', f);
  }

  async reset(): Promise<void> {
    await this.send('POST', '/reset', {});
  }

  async log(): Promise<LogEntry[]> {
    return (await this.send<{ entries: LogEntry[] }>('GET', '/log')).entries;
  }

  /** Side effects in the log, optionally of one kind (e.g. `certificate.issued`). */
  async effects(what?: string): Promise<LogEntry[]> {
    return (await this.log()).filter((e) => e.kind === 'effect' && (what === undefined || e.what === what));
  }

  async requests(): Promise<LogEntry[]> {
    return (await this.log()).filter((e) => e.kind === 'request');
  }

  async config(): Promise<{ callbackUrl: string | null }> {
    return await this.send('GET', '/config');
  }

  async configure(c: { callbackUrl?: string }): Promise<void> {
    await this.send('POST', '/config', c);
  }

  /** Sends held (reordered) callbacks, newest first. */
  async flush(): Promise<Delivery[]> {
    return (await this.send<{ deliveries: Delivery[] }>('POST', '/flush', {})).deliveries;
  }
}
