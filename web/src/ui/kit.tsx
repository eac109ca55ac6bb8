/**
 * Small shared pieces: loading data with progress and errors, the error banner, pagination,
 * badges for status and supervision level, the history timeline, and the hash router.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, getHeld } from '../api';
import { fmtTime, levelName, statusName, useI18n } from '../i18n';
import { fieldDetail, fieldLabel, problemTitle } from '../problems';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads on mount and whenever `deps` change; `reload()` loads again, keeping the old data shown. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    loadRef.current(ctl.signal).then(
      (d) => {
        if (ctl.signal.aborted) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

/**
 * Loads a resource that answers conditional requests and keeps it current while mounted: after
 * the first answer, one request at a time is held by the server (`?wait=`) until the resource
 * moves, so a change shows within moments and nothing is asked while nothing changes. While the
 * tab is hidden it does not ask (a browser keeps only six connections to a server, and a page in
 * the background needs none); shown again, it asks at once. An answer the server did not hold (it
 * had too many waiting) is followed by a pause. After an error the old data stays shown and it
 * tries again in a few seconds, except after 401, 403 or 404, which stop it; `reload()` starts afresh.
 */
export function useFollow<T>(path: string, waitS = 25, enabled = true): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(enabled);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return undefined;
    const ctl = new AbortController();
    setLoading(true);
    const pause = (ms: number) => new Promise<void>((resolve) => {
      const done = () => {
        window.clearTimeout(id);
        ctl.signal.removeEventListener('abort', done);
        resolve();
      };
      const id = window.setTimeout(done, ms);
      ctl.signal.addEventListener('abort', done, { once: true });
    });
    const shown = () => new Promise<void>((resolve) => {
      if (!document.hidden) return resolve();
      const done = () => {
        if (document.hidden && !ctl.signal.aborted) return;
        document.removeEventListener('visibilitychange', done);
        ctl.signal.removeEventListener('abort', done);
        resolve();
      };
      document.addEventListener('visibilitychange', done);
      ctl.signal.addEventListener('abort', done, { once: true });
    });
    void (async () => {
      let etag: string | null = null;
      while (!ctl.signal.aborted) {
        await shown();
        if (ctl.signal.aborted) return;
        const asked = Date.now();
        try {
          const r: Awaited<ReturnType<typeof getHeld<T>>> = await getHeld<T>(path, etag, waitS, ctl.signal);
          if (ctl.signal.aborted) return;
          if (r.status === 200) {
            setData(r.body);
            setError(undefined);
            etag = r.etag;
            // A server that sends no tag cannot hold the request: look again in a while.
            if (!etag) await pause(5_000);
          } else if (Date.now() - asked < 1_000) {
            await pause(3_000); // a 304 at once: the server did not hold it
          }
          setLoading(false);
        } catch (e) {
          if (ctl.signal.aborted) return;
          setError(e);
          setLoading(false);
          if (e instanceof ApiError && [401, 403, 404].includes(e.status)) return;
          await pause(5_000);
        }
      }
    })();
    return () => ctl.abort();
  }, [path, waitS, enabled, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** Calls `fn` each time `value` changes after its first value (a followed record that moved). */
export function useOnMove<T>(value: T | undefined, fn: () => void): void {
  const seen = useRef<T | undefined>(undefined);
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (value === undefined || value === seen.current) return;
    const first = seen.current === undefined;
    seen.current = value;
    if (!first) ref.current();
  }, [value]);
}

/** Runs `fn` every `ms` while mounted (live views). */
export function useInterval(fn: () => void, ms: number | null): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (ms === null) return undefined;
    const id = window.setInterval(() => ref.current(), ms);
    return () => window.clearInterval(id);
  }, [ms]);
}

export function Spinner({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <span className="spinner" role="status" aria-live="polite">
      <span className="spinner-dot" aria-hidden="true" />
      {label ?? t('加载中…', 'Loading…')}
    </span>
  );
}

/**
 * A clear message for any error, in the page's language: the problem's title by its type, and
 * each field problem as the field's label and what is wrong (web/src/problems.ts). In Chinese
 * the API's English `detail` is not shown.
 */
export function ErrorBanner({ error, onRetry, on401 }: { error: unknown; onRetry?: () => void; on401?: [string, string] }) {
  const { t, lang } = useI18n();
  if (!error) return null;
  let title = t('出错了', 'Something went wrong');
  let detail: string | null = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  let list: string[] = [];
  if (error instanceof ApiError) {
    title = error.status === 0 ? problemTitle('network', 0, lang) : error.status === 401 && on401 ? t(on401[0], on401[1]) : problemTitle(error.type, error.status, lang);
    detail = lang === 'en' ? error.detail || null : error.status >= 500 ? '您填写的内容已保留，请稍后重试。' : null;
    list = error.errors.map((e) => `${fieldLabel(e.pointer, lang)}：${fieldDetail(e.detail, lang)}`);
  }
  return (
    <div className="banner banner-error" role="alert">
      <strong>{title}</strong>
      {detail && <div>{detail}</div>}
      {list.length > 0 && <ul>{list.slice(0, 20).map((l, i) => <li key={i}>{l}</li>)}</ul>}
      {onRetry && <button type="button" className="btn-small" onClick={onRetry}>{t('重试', 'Retry')}</button>}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'ok' | 'warn'; children: ReactNode }) {
  return <div className={`banner banner-${kind}`} role="status">{children}</div>;
}

export function Pager({ page, pageSize, total, onPage }: { page: number; pageSize: number; total: number; onPage: (p: number) => void }) {
  const { t } = useI18n();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (total <= pageSize && page === 1) return <div className="pager"><span>{t(`共 ${total} 条`, `${total} in all`)}</span></div>;
  return (
    <nav className="pager" aria-label={t('分页', 'Pages')}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t('上一页', 'Previous')}</button>
      <span aria-live="polite">{t(`第 ${page} / ${pages} 页，共 ${total} 条`, `Page ${page} of ${pages}, ${total} in all`)}</span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t('下一页', 'Next')}</button>
    </nav>
  );
}

/** Splits a list into pages in the browser (lists the API returns whole). */
export function usePaged<T>(items: T[], pageSize = 10): { page: number; setPage: (p: number) => void; shown: T[]; pager: ReactNode } {
  const [page, setPage] = useState(1);
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  const p = Math.min(page, pages);
  const shown = items.slice((p - 1) * pageSize, p * pageSize);
  return { page: p, setPage, shown, pager: <Pager page={p} pageSize={pageSize} total={items.length} onPage={setPage} /> };
}

export function StatusBadge({ status }: { status: string }) {
  const { lang } = useI18n();
  return <span className={`badge badge-status badge-${status}`}>{statusName(status, lang)}</span>;
}

export function LevelBadge({ level }: { level: string | null | undefined }) {
  const { lang } = useI18n();
  const l = level ?? 'normal';
  return <span className={`badge level-${l}`}>{levelName(l, lang)}</span>;
}

export interface TimelineEntry {
  eventId: number;
  at: string;
  kind: string;
  summary: string;
  actor?: string;
  detail?: unknown;
}

/** The case history (全程留痕) as a vertical timeline. */
const technical = /^(activity-completed|activity-scheduled|timer-started|timer-fired|timer-canceled)$/;

export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  const listed = all ? entries : entries.filter((e) => !technical.test(e.kind));
  const { shown, pager } = usePaged(listed, 25);
  if (entries.length === 0) return <p className="muted">{t('暂无记录', 'Nothing recorded yet')}</p>;
  return (
    <div>
      <label className="check small">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
        {t(`显示技术事件（活动、计时器，共 ${entries.length} 条）`, `Show technical events (activities, timers; ${entries.length} in all)`)}
      </label>
      <ol className="timeline">
        {shown.map((e) => (
          <li key={e.eventId} className={`tl-${e.kind}`}>
            <time dateTime={e.at}>{fmtTime(e.at)}</time>
            <div className="tl-body">
              <span className="tl-kind">{e.kind}</span> {e.summary}
              {e.actor && <span className="muted"> · {e.actor}</span>}
            </div>
          </li>
        ))}
      </ol>
      {pager}
    </div>
  );
}

/** The current hash route, e.g. "#/inbox" → ["inbox"]. */
export function useRoute(): string[] {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
}

export function go(path: string): void {
  window.location.hash = path.startsWith('#') ? path : `#${path}`;
}

/** Runs an action with a busy flag and its error kept for display. */
export function useAction(): { busy: boolean; error: unknown; run: <T>(fn: () => Promise<T>) => Promise<T | undefined>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await fn();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(undefined) };
}
