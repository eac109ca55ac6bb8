/**
 * The one HTTP client of the app. Every request goes through `request`, and `authHeaders` is
 * the one place that says who is calling, so a change of sign-in scheme is one edit here.
 * Errors come back as RFC 9457 problem+json and are thrown as `ApiError`.
 */

export interface FieldProblem {
  /** JSON Pointer into the request body, e.g. /formData/phone. */
  pointer: string;
  detail: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldProblem[],
    readonly type: string,
  ) {
    super(detail || title);
  }

  /** The field problems under a pointer prefix, with the prefix removed (`/formData`). */
  fieldsUnder(prefix: string): FieldProblem[] {
    return this.errors.filter((e) => e.pointer === prefix || e.pointer.startsWith(`${prefix}/`)).map((e) => ({ ...e, pointer: e.pointer.slice(prefix.length) || '/' }));
  }
}

/** Who is signed in. Staff and applicants hold a bearer token once sign-in exists on the server. */
export interface StaffSession {
  kind: 'staff';
  userId: string;
  name?: string;
  department?: string;
  roles?: string[];
  token?: string;
}

export interface ApplicantSession {
  kind: 'applicant';
  idNumber: string;
  name: string;
  phone?: string;
  assuranceLevel?: string;
  token?: string;
}

export type Session = StaffSession | ApplicantSession;

let current: Session | null = null;

export function setSession(s: Session | null): void {
  current = s;
}

/** The one place the caller's identity is put on a request. */
function authHeaders(): Record<string, string> {
  return current?.token ? { authorization: `Bearer ${current.token}` } : {};
}

export interface RequestOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Send no identity (public pages, sign-in). */
  anonymous?: boolean;
}

const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);

/** Field problems, as `{pointer, detail}` (and `{path, message}`, the same thing named otherwise). */
function toProblems(raw: unknown): FieldProblem[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((e: Record<string, unknown>) => ({
    pointer: str(e.pointer, str(e.path, '/')),
    detail: str(e.detail, str(e.message, '')),
  }));
}

/** Sends the request; a failure to reach the server is an ApiError of status 0, an abort stays an abort. */
async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试 / cannot reach the server', [], 'network');
  }
}

/** The answer's JSON body (undefined when empty or not JSON); a 4xx or 5xx thrown as an ApiError with its problem's words. */
async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const p = (parsed ?? {}) as Record<string, unknown>;
    throw new ApiError(res.status, str(p.title, res.statusText), str(p.detail, text.slice(0, 200)), toProblems(p.errors), str(p.type, ''));
  }
  return parsed;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...(opts.anonymous ? {} : authHeaders()) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  const res = await send(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: opts.signal });
  // An empty answer (204) is still a success: callers test for undefined to tell failure.
  return ((await bodyOf(res)) ?? {}) as T;
}

export const get = <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts);

/**
 * A conditional GET of a case view that the server may hold: with the ETag last seen
 * (`If-None-Match`) and `?wait=` seconds, the answer comes when the resource moves (200 with the
 * new body and tag) or when the wait is over (304: keep what you have). Errors are thrown as by `request`.
 */
export async function getHeld<T>(path: string, etag: string | null, waitS: number, signal: AbortSignal): Promise<{ status: 200; etag: string | null; body: T } | { status: 304 }> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...authHeaders(), ...(etag ? { 'if-none-match': etag } : {}) };
  // The server holds the request only while the caller holds the current version (or the case is
  // filed but not yet in the read model); otherwise it answers at once. no-store: the tag sent is
  // ours, and the browser's cache neither answers nor revalidates for us.
  const res = await send(`${path}${path.includes('?') ? '&' : '?'}wait=${waitS}`, { headers, signal, cache: 'no-store' });
  if (res.status === 304) return { status: 304 };
  const body = (await bodyOf(res)) as T;
  return { status: 200, etag: res.headers.get('etag'), body };
}
export const post = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body, opts);
export const del = <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts);
export const put = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, body ?? {}, opts);

/** A query string from the defined values only. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/**
 * Uploads JSON with upload progress (0..1) — fetch cannot report it, XMLHttpRequest can; for the
 * materials, whose base64 bodies reach several megabytes. Same identity and problem handling as `request`.
 */
export function postWithProgress<T>(path: string, body: unknown, onProgress: (share: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', 'application/json');
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new ApiError(0, 'network', '无法连接服务器，请检查网络后重试', [], 'network'));
    xhr.onload = () => {
      let parsed: unknown;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        parsed = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        return resolve((parsed ?? {}) as T);
      }
      const p = (parsed ?? {}) as Record<string, unknown>;
      reject(new ApiError(xhr.status, str(p.title, xhr.statusText), str(p.detail, ''), toProblems(p.errors), str(p.type, '')));
    };
    xhr.send(JSON.stringify(body));
  });
}

/** Downloads a file the API serves to signed-in callers only (a plain link would carry no identity). */
export async function downloadFile(path: string, fileName: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: '*/*', ...authHeaders() } });
  } catch {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试', [], 'network');
  }
  if (!res.ok) {
    // The problem's type names what went wrong (e.g. a document not issued yet, no PDF font).
    const p = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    throw new ApiError(res.status, str(p.title, res.statusText), str(p.detail, ''), toProblems(p.errors), str(p.type, ''));
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
