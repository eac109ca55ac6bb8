/**
 * 待办: the open tasks of the staff member's department and roles, due dates coloured by the
 * case's supervision level, filters with counts, claim, and a page per case.
 */
import { useState } from 'react';
import { get, post, qs } from '../api';
import { fmtDeadline, levelName, useI18n } from '../i18n';
import { useSession, staffOf } from '../session';
import { ErrorBanner, go, Pager, Spinner, StatusBadge, useAction, useLoad } from '../ui/kit';
import { DeskTabs } from './worklists';

interface InboxRow {
  taskId: string;
  caseNo: string;
  kind: string;
  stepName: string;
  role: string;
  assignee: string | null;
  assigneeName: string | null;
  dueAt: string | null;
  createdAt: string;
  itemName: string;
  status: string;
  supervisionState: string;
  promisedDeadline: string | null;
  deadlineProvisional?: boolean;
  applicant: { name: string };
}

interface InboxAnswer {
  tasks: InboxRow[];
  counts: Record<string, number>;
  page: number;
  pageSize: number;
  total: number;
}

export function InboxPage() {
  const { t, lang } = useI18n();
  const me = staffOf(useSession().session);
  const [level, setLevel] = useState('');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const inbox = useLoad((signal) => get<InboxAnswer>(`/api/views/inbox${qs({ level, q, page })}`, { signal }), [level, q, page]);
  const claim = useAction();
  const counts = inbox.data?.counts ?? { normal: 0, warning: 0, overdue: 0 };
  const all = counts.normal + counts.warning + counts.overdue;
  const tabs: [string, string, number][] = [['', t('全部', 'All'), all], ['normal', levelName('normal', lang), counts.normal], ['warning', levelName('warning', lang), counts.warning], ['overdue', levelName('overdue', lang), counts.overdue]];
  return (
    <div className="page">
      <h1>{t('待办', 'Inbox')} {me?.name && <small className="muted">· {me.name}</small>}</h1>
      <DeskTabs current="/inbox" />
      <div className="tabs" role="tablist" aria-label={t('按督办状态筛选', 'Filter by supervision level')}>
        {tabs.map(([v, label, n]) => (
          <button key={v || 'all'} type="button" role="tab" aria-selected={level === v} className={`tab level-tab-${v || 'all'}`} onClick={() => { setLevel(v); setPage(1); }}>
            {label} <span className="count">{n}</span>
          </button>
        ))}
      </div>
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor="inbox-q">{t('搜索办件编号、事项或环节', 'Search number, item or step')}</label>
          <input id="inbox-q" type="search" value={q} onChange={(e) => { setQ(e.target.value); setPage(1); }} />
        </div>
        <button type="button" onClick={inbox.reload} disabled={inbox.loading}>{inbox.loading ? <Spinner label={t('刷新中…', 'Refreshing…')} /> : t('刷新', 'Refresh')}</button>
      </div>
      <ErrorBanner error={inbox.error ?? claim.error} onRetry={inbox.reload} />
      {inbox.loading && !inbox.data && <Spinner />}
      <table className="table inbox">
        <thead>
          <tr><th scope="col">{t('办件编号', 'Case')}</th><th scope="col">{t('事项 / 环节', 'Item / step')}</th><th scope="col">{t('申请人', 'Applicant')}</th><th scope="col">{t('办理期限', 'Due')}</th><th scope="col">{t('状态', 'Status')}</th><th scope="col">{t('办理人', 'Handler')}</th><th scope="col"><span className="sr-only">{t('操作', 'Actions')}</span></th></tr>
        </thead>
        <tbody>
          {(inbox.data?.tasks ?? []).map((row) => (
            <tr key={row.taskId} className={`row-${row.supervisionState}`}>
              <td className="mono"><a href={`#/case/${row.caseNo}`}>{row.caseNo}</a></td>
              <td>{row.itemName}<div className="muted">{row.stepName}</div></td>
              <td>{row.applicant?.name}</td>
              <td><span className={`due due-${row.supervisionState}`} title={levelName(row.supervisionState, lang)}>{fmtDeadline(row.dueAt ?? row.promisedDeadline)}{row.deadlineProvisional && !row.dueAt ? t('（暂定）', ' (provisional)') : ''}</span><div className="muted small">{levelName(row.supervisionState, lang)}</div></td>
              <td><StatusBadge status={row.status} /></td>
              <td>{row.assignee ? (row.assigneeName ?? row.assignee) : <span className="muted">{t('未认领', 'Unclaimed')}</span>}</td>
              <td><div className="row-actions">
                {!row.assignee && (
                  <button type="button" className="btn-small" disabled={claim.busy} onClick={() => void claim.run(() => post(`/api/tasks/${encodeURIComponent(row.taskId)}/claim`)).then(inbox.reload)}>
                    {t('认领', 'Claim')}
                  </button>
                )}
                <button type="button" className="btn-small btn-primary" onClick={() => go(row.kind === 'precheck' ? `/window/case/${row.caseNo}` : `/case/${row.caseNo}`)}>{t('办理', 'Open')}</button>
              </div></td>
            </tr>
          ))}
          {inbox.data && inbox.data.tasks.length === 0 && <tr><td colSpan={7} className="muted">{t('没有待办事项', 'Nothing to do')}</td></tr>}
        </tbody>
      </table>
      {inbox.data && <Pager page={inbox.data.page} pageSize={inbox.data.pageSize} total={inbox.data.total} onPage={setPage} />}
    </div>
  );
}
