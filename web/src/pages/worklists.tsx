/**
 * The staff's working lists beside 待办: 已办 (tasks I completed), 办结 (finished cases of my
 * department) and 办件查询 (search by number, applicant, item and filing day).
 */
import { useState, type FormEvent } from 'react';
import { get, qs } from '../api';
import { fmtDate, fmtTime, useI18n } from '../i18n';
import { actionDone } from '../names';
import { ErrorBanner, Pager, Spinner, StatusBadge, useLoad } from '../ui/kit';

const tabs: [string, string, string][] = [['/inbox', '待办', 'Inbox'], ['/inbox/handled', '已办', 'Handled'], ['/inbox/finished', '办结', 'Finished'], ['/inbox/search', '办件查询', 'Search']];

/** The four lists as one navigation. */
export function DeskTabs({ current }: { current: string }) {
  const { t } = useI18n();
  return (
    <nav className="desk-tabs" aria-label={t('工作台', 'Desk')}>
      <ul>
        {tabs.map(([path, zh, en]) => <li key={path}><a href={`#${path}`} aria-current={current === path ? 'page' : undefined}>{t(zh, en)}</a></li>)}
      </ul>
    </nav>
  );
}

interface Page<T> { page: number; pageSize: number; total: number; tasks?: T[]; cases?: T[] }
interface HandledRow { taskId: string; caseNo: string; kind: string; stepName: string; action: string | null; opinion: string | null; closedAt: string; itemName: string; status: string; applicant: { name: string } }
interface CaseRow { caseNo: string; itemName: string; status: string; decision: string | null; filedAt: string; decidedAt?: string | null; completedAt?: string | null; applicant?: { name: string }; channel: string }

function useSearchBox(): { q: string; box: JSX.Element; page: number; setPage: (p: number) => void } {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const submit = (e: FormEvent) => { e.preventDefault(); setQ(text.trim()); setPage(1); };
  const box = (
    <form className="filters" role="search" onSubmit={submit}>
      <div className="field">
        <label htmlFor="list-q">{t('办件编号、事项或环节', 'Number, item or step')}</label>
        <input id="list-q" type="search" value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <button type="submit">{t('筛选', 'Filter')}</button>
    </form>
  );
  return { q, box, page, setPage };
}

export function HandledPage() {
  const { t, lang } = useI18n();
  const { q, box, page, setPage } = useSearchBox();
  const list = useLoad((signal) => get<Page<HandledRow>>(`/api/views/handled${qs({ q, page })}`, { signal }), [q, page]);
  return (
    <div className="page">
      <h1>{t('已办', 'Handled')}</h1>
      <DeskTabs current="/inbox/handled" />
      {box}
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Spinner />}
      <table className="table">
        <thead><tr><th scope="col">{t('办件编号', 'Case')}</th><th scope="col">{t('事项 / 环节', 'Item / step')}</th><th scope="col">{t('我的办理', 'What I did')}</th><th scope="col">{t('办理时间', 'When')}</th><th scope="col">{t('办件状态', 'Status')}</th></tr></thead>
        <tbody>
          {(list.data?.tasks ?? []).map((r) => (
            <tr key={r.taskId}>
              <td className="mono"><a href={`#/case/${r.caseNo}`}>{r.caseNo}</a></td>
              <td>{r.itemName}<div className="muted">{r.stepName}</div></td>
              <td>{actionDone(r.action ?? '', lang)}{r.opinion && <div className="muted small">{r.opinion}</div>}</td>
              <td>{fmtTime(r.closedAt)}</td>
              <td><StatusBadge status={r.status} /></td>
            </tr>
          ))}
          {list.data && (list.data.tasks ?? []).length === 0 && <tr><td colSpan={5} className="muted">{t('暂无已办事项', 'Nothing handled yet')}</td></tr>}
        </tbody>
      </table>
      {list.data && <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={setPage} />}
    </div>
  );
}

function decisionText(c: CaseRow, t: (zh: string, en: string) => string): string {
  if (c.decision === 'approved') return t('准予许可', 'Approved');
  if (c.decision === 'refused') return t('不予许可', 'Refused');
  return '—';
}

export function FinishedPage() {
  const { t } = useI18n();
  const { q, box, page, setPage } = useSearchBox();
  const list = useLoad((signal) => get<Page<CaseRow>>(`/api/views/finished${qs({ q, page })}`, { signal }), [q, page]);
  return (
    <div className="page">
      <h1>{t('办结', 'Finished')}</h1>
      <DeskTabs current="/inbox/finished" />
      {box}
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Spinner />}
      <CaseTable rows={list.data?.cases ?? []} empty={t('暂无办结办件', 'No finished cases')} decision={(c) => decisionText(c, t)} />
      {list.data && <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={setPage} />}
    </div>
  );
}

function CaseTable({ rows, empty, decision }: { rows: CaseRow[]; empty: string; decision: (c: CaseRow) => string }) {
  const { t } = useI18n();
  return (
    <table className="table">
      <thead><tr><th scope="col">{t('办件编号', 'Case')}</th><th scope="col">{t('事项', 'Item')}</th><th scope="col">{t('申请人', 'Applicant')}</th><th scope="col">{t('申报日期', 'Filed')}</th><th scope="col">{t('状态', 'Status')}</th><th scope="col">{t('审批结果', 'Decision')}</th></tr></thead>
      <tbody>
        {rows.map((c) => (
          <tr key={c.caseNo}>
            <td className="mono"><a href={`#/case/${c.caseNo}`}>{c.caseNo}</a></td>
            <td>{c.itemName}</td>
            <td>{c.applicant?.name ?? '—'}</td>
            <td>{fmtDate(c.filedAt)}</td>
            <td><StatusBadge status={c.status} /></td>
            <td>{decision(c)}</td>
          </tr>
        ))}
        {rows.length === 0 && <tr><td colSpan={6} className="muted">{empty}</td></tr>}
      </tbody>
    </table>
  );
}

/** 办件查询: by number (or part of it), applicant (name or ID number), item code and filing days. */
export function SearchPage() {
  const { t } = useI18n();
  const [form, setForm] = useState({ q: '', applicant: '', itemCode: '', filedFrom: '', filedTo: '' });
  const [query, setQuery] = useState<typeof form | null>(null);
  const [page, setPage] = useState(1);
  const list = useLoad((signal) => (query ? get<Page<CaseRow & { applicantName?: string }>>(`/api/views/cases${qs({ ...query, page })}`, { signal }) : Promise.resolve(undefined)), [query, page]);
  const field = (name: keyof typeof form, zh: string, en: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`s-${name}`}>{t(zh, en)}</label>
      <input id={`s-${name}`} type={type} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} />
    </div>
  );
  return (
    <div className="page">
      <h1>{t('办件查询', 'Case search')}</h1>
      <DeskTabs current="/inbox/search" />
      <form className="filters" role="search" onSubmit={(e) => { e.preventDefault(); setQuery({ ...form, q: form.q.trim(), applicant: form.applicant.trim(), itemCode: form.itemCode.trim() }); setPage(1); }}>
        {field('q', '办件编号或事项名称', 'Number or item name')}
        {field('applicant', '申请人姓名或证件号码', 'Applicant name or ID')}
        {field('itemCode', '事项编码', 'Item code')}
        {field('filedFrom', '申报日期自', 'Filed from', 'date')}
        {field('filedTo', '申报日期至', 'Filed to', 'date')}
        <button type="submit" className="btn-primary">{t('查询', 'Search')}</button>
      </form>
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {list.loading && query && !list.data && <Spinner />}
      {list.data && (
        <>
          <CaseTable rows={list.data.cases ?? []} empty={t('没有符合条件的办件', 'No cases match')} decision={(c) => decisionText(c, t)} />
          <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={setPage} />
        </>
      )}
    </div>
  );
}
