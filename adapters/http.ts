/**
 * What every platform client shares: signed JSON requests with a timeout, retries of transient
 * faults with exponential backoff, an `Idempotency-Key` that stays the same across the retries
 * (while each attempt has its own nonce), and errors sorted into transient and refusal.
 */
import { log } from '../lib/log';
import { platformCalls } from '../lib/metrics';
import { inClientSpan } from '../lib/tracing';
import { AdapterRefusal, TransientAdapterError } from './errors';
import { signedHeaders } from './signing';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetry: RetryPolicy = { attempts: 4, initialDelayMs: 200, maxDelayMs: 3_000 };

/** How to reach one platform. */
export interface PlatformConfig {
  baseUrl: string;
  /** Shared secret for HMAC request signing. */
  secret: string;
  /** Who onewindow is to the platform (the `x-ow-sender` header). */
  clientId?: string;
  /** Per attempt. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

/** The wait before retry number `retry` (1 = the first retry): doubling, capped, with jitter in [½, 1]. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** The header value for a caller's key: the operation name keeps one key from colliding across operations. */
export function idempotencyKey(operation: string, callerKey: string): string {
  if (!callerKey) throw new TypeError('an idempotency key is required');
  return `${operation}/${callerKey}`;
}

/** Fields of one request. */
export interface CallOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
  idempotencyKey?: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function refusalOf(platform: string, status: number, body: unknown): AdapterRefusal {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { code?: unknown; message?: unknown };
  const code = typeof b.code === 'string' ? b.code : `http-${status}`;
  const message = typeof b.message === 'string' ? b.message : `${platform} 拒绝了请求（HTTP ${status}）`;
  return new AdapterRefusal(platform, code, message, status);
}

export class PlatformHttp {
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(
    readonly platform: string,
    private readonly config: PlatformConfig,
  ) {
    this.retry = { ...defaultRetry, ...config.retry };
    this.timeoutMs = config.timeoutMs ?? 5_000;
  }

  /** One logical call: retried while it fails transiently, at most `retry.attempts` times. */
  async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, opts: CallOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(method, path, opts);
      } catch (err) {
        if (!(err instanceof TransientAdapterError) || attempt >= this.retry.attempts) throw err;
        await sleep(backoffDelay(attempt, this.retry));
      }
    }
  }

  private url(path: string, query: CallOptions['query']): URL {
    const url = new URL(this.config.baseUrl.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }

  /**
   * One attempt, measured (onewindow_platform_call_duration_seconds by platform and outcome),
   * logged (info; a refusal too, a fault at warn) and traced: a client span whose context goes
   * to the platform as `traceparent`.
   */
  private async once<T>(method: string, path: string, opts: CallOptions): Promise<T> {
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await inClientSpan(`${this.platform} ${method}`, { 'onewindow.platform': this.platform, 'http.request.method': method, 'url.path': path },
        (trace) => this.attempt<T>(method, path, opts, trace), (err) => !(err instanceof AdapterRefusal));
    } catch (err) {
      outcome = err instanceof AdapterRefusal ? 'refused' : 'transient';
      throw err;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      platformCalls.observe({ platform: this.platform, outcome }, seconds);
      const line = { platform: this.platform, method, path, outcome, ms: Math.round(seconds * 1000) };
      if (outcome === 'ok') log().info(line, 'platform call');
      else if (outcome === 'refused') log().info(line, 'platform refused the call');
      else log().warn(line, 'platform call failed');
    }
  }

  private async attempt<T>(method: string, path: string, opts: CallOptions, trace: Record<string, string>): Promise<T> {
    const url = this.url(path, opts.query);
    const body = opts.body === undefined ? '' : JSON.stringify(opts.body);
    const headers: Record<string, string> = {
      ...signedHeaders(this.config.secret, { method, path: url.pathname + url.search, sender: this.config.clientId ?? 'onewindow', body }),
      accept: 'application/json',
      ...trace,
    };
    if (body) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;

    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method, headers, body: body || undefined, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      const what = timedOut ? `${this.timeoutMs} ms 内未应答` : '网络故障';
      throw new TransientAdapterError(this.platform, `${this.platform} ${method} ${path}: ${what}`, undefined, { cause: err });
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (res.status >= 500 || res.status === 408 || res.status === 429) {
      throw new TransientAdapterError(this.platform, `${this.platform} ${method} ${path}: HTTP ${res.status}`, res.status);
    }
    if (res.status >= 400) throw refusalOf(this.platform, res.status, parsed);
    if (typeof parsed !== 'object' || parsed === null) {
      throw new TransientAdapterError(this.platform, `${this.platform} ${method} ${path}: 应答不是 JSON`, res.status);
    }
    // The platform's contract, not checked field by field here.
    return parsed as T;
  }
}
