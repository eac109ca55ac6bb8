/**
 * 电子监察: warnings and overdue cases by department, events over time, on-time and
 * satisfaction rates, indicator tables with CSV export, case search, and one case's full
 * history with urging.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { get, post, qs } from '../api';
import { fmtDeadline, fmtTime, levelName, statuses, statusName, useI18n } from '../i18n';
import { BarChart, RateBars } from '../ui/charts';
import { deptName, useDepartments } from '../ui/departments';
import { ErrorBanner, LevelBadge, Notice, Pager, Spinner, StatusBadge, useAction, useLoad, usePaged } from '../ui/kit';
import { CaseSummary, Opinions, useCaseData } from './case-page';
import { causeName, stepName } from '../names';
import { CaseHistory } from '../ui/case-history';
import { HallIndicatorsCard } from './hall-indicators';

interface SupCase {
  caseNo: string;
  itemName: string;
  department: string;
  status: string;
  supervisionState: string;
  promisedDeadline: string | null;
  deadlineProvisional?: boolean;
}

interface SupEvent {
  caseNo: string;
  scope: string;
  stepId: string | null;
  level: string;
  cause: string;
  department: string;
  at: string;
}

type IndicatorRow = Record<string, string | number | null>;

interface StoppedCase {
  caseNo: string;
  ended: 'terminated' | 'failed' | 'timed-out' | 'canceled';
  endedAt: string | null;
  caseStatus: string | null;
  itemName: string | null;
  department: string | null;
}

const endedNames: Record<StoppedCase['ended'], [string, string]> = {
  terminated: ['被人工终止', 'Terminated by an operator'],
  failed: ['运行出错', 'Failed'],
  'timed-out': ['运行超时', 'Timed out'],
  canceled: ['被取消', 'Canceled'],
};

export function SupervisionPage({ route }: { route: string[] }) {
  if (route[0] === 'case' && route[1]) return <SupervisedCase caseNo={route[1]} />;
  return <Dashboard />;
}

const dayMs = 86_400_000;

function chinaDay(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

function toCsv(rows: IndicatorRow[], columns: string[]): string {
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n');
}

function download(name: string, text: string): void {
  // A BOM so spreadsheet programs read the Chinese names as UTF-8.
  const url = URL.createObjectURL(new Blob(['\uFEFF', text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const indicatorColumns: Record<string, [string, string, string][]> = {
  case: [
    ['received', '受理数', 'Received'], ['accepted', '受理', 'Accepted'], ['completed', '办结数', 'Completed'], ['onTimeRate', '按时办结率', 'On-time'],
    ['overdue', '超时数', 'Overdue'], ['warningRate', '预警率', 'Warning rate'], ['instantRate', '即办率', 'Instant'], ['speedUpRate', '提速率', 'Speed-up'],
    ['satisfactionRate', '满意率', 'Satisfaction'], ['refusalRate', '结果否定率', 'Refusal'],
  ],
  task: [['done', '办理数', 'Done'], ['onTimeRate', '按时率', 'On-time'], ['overdue', '超时数', 'Overdue'], ['avgHoursOpen', '平均用时（小时）', 'Avg hours open']],
};

function fmtCell(key: string, v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number' && /Rate$/.test(key)) return `${(v * 100).toFixed(1)}%`;
  return String(v);
}

function Dashboard() {
  const { t, lang } = useI18n();
  const departments = useDepartments();
  const [by, setBy] = useState<'department' | 'item' | 'step' | 'handler'>('department');
  const [days, setDays] = useState(30);
  const warning = useLoad((signal) => get<{ cases: SupCase[] }>('/api/supervision/cases?state=warning', { signal }), []);
  const overdue = useLoad((signal) => get<{ cases: SupCase[] }>('/api/supervision/cases?state=overdue', { signal }), []);
  const from = useMemo(() => new Date(Date.now() - days * dayMs).toISOString(), [days]);
  const events = useLoad((signal) => get<{ events: SupEvent[] }>(`/api/supervision/events${qs({ from })}`, { signal }), [from]);
  const indicators = useLoad((signal) => get<{ rows: IndicatorRow[] }>(`/api/supervision/indicators${qs({ by, from })}`, { signal }), [by, from]);
  const byDept = useLoad((signal) => get<{ rows: IndicatorRow[] }>(`/api/supervision/indicators${qs({ by: 'department', from })}`, { signal }), [from]);
  const stopped = useLoad((signal) => get<{ cases: StoppedCase[] }>('/api/supervision/stopped-cases?scan=200', { signal }), []);

  const alarmDepts = useMemo(() => {
    const codes = new Set([...(warning.data?.cases ?? []), ...(overdue.data?.cases ?? [])].map((c) => c.department));
    return [...codes].sort();
  }, [warning.data, overdue.data]);
  const perDay = useMemo(() => {
    const labels: string[] = [];
    for (let i = Math.min(days, 30) - 1; i >= 0; i--) labels.push(chinaDay(new Date(Date.now() - i * dayMs).toISOString()));
    const w = labels.map((d) => (events.data?.events ?? []).filter((e) => e.level === 'warning' && chinaDay(e.at) === d).length);
    const o = labels.map((d) => (events.data?.events ?? []).filter((e) => e.level === 'overdue' && chinaDay(e.at) === d).length);
    return { labels: labels.map((l) => l.slice(5)), w, o };
  }, [events.data, days]);

  const kind = by === 'department' || by === 'item' ? 'case' : 'task';
  const cols = indicatorColumns[kind];
  const keyCol = by;
  const rows = indicators.data?.rows ?? [];
  const { shown: shownRows, pager: rowsPager } = usePaged(rows, 10);
  const alarms = [...(overdue.data?.cases ?? []), ...(warning.data?.cases ?? [])];
  const { shown: shownAlarms, pager: alarmPager } = usePaged(alarms, 8);
  const loading = warning.loading || overdue.loading || events.loading;

  return (
    <div className="page">
      <h1>{t('电子监察', 'Supervision')}</h1>
      <div className="filters">
        <div className="field">
          <label htmlFor="period">{t('统计区间', 'Period')}</label>
          <select id="period" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            <option value={7}>{t('近 7 天', 'Last 7 days')}</option>
            <option value={30}>{t('近 30 天', 'Last 30 days')}</option>
            <option value={90}>{t('近 90 天', 'Last 90 days')}</option>
          </select>
        </div>
        {loading && <Spinner />}
      </div>
      <ErrorBanner error={warning.error ?? overdue.error ?? events.error} onRetry={() => { warning.reload(); overdue.reload(); events.reload(); }} />
      <div className="stats" role="list">
        <div className="stat level-warning" role="listitem"><span className="stat-n">{warning.data?.cases.length ?? '…'}</span><span>{t('预警办件', 'Cases on warning')}</span></div>
        <div className="stat level-overdue" role="listitem"><span className="stat-n">{overdue.data?.cases.length ?? '…'}</span><span>{t('超时办件', 'Overdue cases')}</span></div>
        <div className="stat" role="listitem"><span className="stat-n">{events.data?.events.length ?? '…'}</span><span>{t('监察事件', 'Supervision events')}</span></div>
      </div>
      <div className="grid-2">
        <section className="card">
          <BarChart title={t('各部门预警与超时办件', 'Warnings and overdue by department')} categories={alarmDepts.map((d) => deptName(departments, d))}
            series={[
              { label: levelName('warning', lang), className: 'bar-warning', values: alarmDepts.map((d) => (warning.data?.cases ?? []).filter((c) => c.department === d).length) },
              { label: levelName('overdue', lang), className: 'bar-overdue', values: alarmDepts.map((d) => (overdue.data?.cases ?? []).filter((c) => c.department === d).length) },
            ]} />
        </section>
        <section className="card">
          <BarChart title={t('每日监察事件', 'Supervision events per day')} categories={perDay.labels}
            series={[{ label: levelName('warning', lang), className: 'bar-warning', values: perDay.w }, { label: levelName('overdue', lang), className: 'bar-overdue', values: perDay.o }]} />
        </section>
        <section className="card">
          <RateBars title={t('各部门按时办结率', 'On-time rate by department')} rows={(byDept.data?.rows ?? []).map((r) => ({ label: deptName(departments, String(r.department)), value: r.onTimeRate as number | null }))} />
        </section>
        <section className="card">
          <RateBars title={t('各部门满意率', 'Satisfaction by department')} rows={(byDept.data?.rows ?? []).map((r) => ({ label: deptName(departments, String(r.department)), value: r.satisfactionRate as number | null }))} />
        </section>
      </div>

      <section className="card" aria-labelledby="alarms-h">
        <h2 id="alarms-h">{t('预警与超时办件', 'Cases on warning or overdue')}</h2>
        <table className="table">
          <thead><tr><th scope="col">{t('办件编号', 'Case')}</th><th scope="col">{t('事项', 'Item')}</th><th scope="col">{t('部门', 'Department')}</th><th scope="col">{t('状态', 'Status')}</th><th scope="col">{t('监察', 'Level')}</th><th scope="col">{t('承诺办结', 'Promised by')}</th></tr></thead>
          <tbody>
            {shownAlarms.map((c) => (
              <tr key={c.caseNo} className={`row-${c.supervisionState}`}>
                <td className="mono"><a href={`#/supervision/case/${c.caseNo}`}>{c.caseNo}</a></td>
                <td>{c.itemName}</td><td>{deptName(departments, c.department)}</td><td><StatusBadge status={c.status} /></td><td><LevelBadge level={c.supervisionState} /></td><td>{fmtDeadline(c.promisedDeadline)}{c.deadlineProvisional ? t('（暂定）', ' (provisional)') : ''}</td>
              </tr>
            ))}
            {alarms.length === 0 && !loading && <tr><td colSpan={6} className="muted">{t('暂无预警或超时办件', 'No warnings or overdue cases')}</td></tr>}
          </tbody>
        </table>
        {alarmPager}
      </section>

      {(stopped.data?.cases.length ?? 0) > 0 && (
        <section className="card" aria-labelledby="stopped-h">
          <h2 id="stopped-h">{t('流程中止的办件', 'Cases whose workflow stopped')}</h2>
          <Notice kind="warn">{t('这些办件尚未办结，但流程已被人工终止或因运行出错而中止，办理人员无法继续办理。请联系平台管理员恢复。', 'These cases are not finished, but their workflow was stopped; no one can act on them until a platform administrator revives them.')}</Notice>
          <table className="table">
            <thead><tr><th scope="col">{t('办件编号', 'Case')}</th><th scope="col">{t('事项', 'Item')}</th><th scope="col">{t('部门', 'Department')}</th><th scope="col">{t('状态', 'Status')}</th><th scope="col">{t('中止原因', 'How it stopped')}</th><th scope="col">{t('中止时间', 'Stopped at')}</th></tr></thead>
            <tbody>
              {stopped.data!.cases.map((c) => (
                <tr key={c.caseNo}>
                  <td className="mono"><a href={`#/supervision/case/${c.caseNo}`}>{c.caseNo}</a></td>
                  <td>{c.itemName ?? '—'}</td>
                  <td>{c.department ? deptName(departments, c.department) : '—'}</td>
                  <td>{c.caseStatus ? <StatusBadge status={c.caseStatus} /> : '—'}</td>
                  <td>{lang === 'zh' ? endedNames[c.ended][0] : endedNames[c.ended][1]}</td>
                  <td>{c.endedAt ? fmtTime(c.endedAt) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section className="card" aria-labelledby="ind-h">
        <div className="card-head">
          <h2 id="ind-h">{t('效能指标', 'Indicators')}</h2>
          <div className="field inline">
            <label htmlFor="ind-by">{t('统计维度', 'By')}</label>
            <select id="ind-by" value={by} onChange={(e) => setBy(e.target.value as typeof by)}>
              <option value="department">{t('部门', 'Department')}</option>
              <option value="item">{t('事项', 'Item')}</option>
              <option value="step">{t('环节', 'Step')}</option>
              <option value="handler">{t('办理人', 'Handler')}</option>
            </select>
          </div>
          <button type="button" disabled={!rows.length} onClick={() => download(`indicators-${by}-${chinaDay(new Date().toISOString())}.csv`, toCsv(rows, [keyCol, ...Object.keys(rows[0] ?? {}).filter((k) => k !== keyCol)]))}>
            {t('导出 CSV', 'Export CSV')}
          </button>
        </div>
        {indicators.loading && !indicators.data && <Spinner />}
        <ErrorBanner error={indicators.error} onRetry={indicators.reload} />
        <div className="table-scroll">
          <table className="table numbers">
            <thead><tr><th scope="col">{by === 'department' ? t('部门', 'Department') : by === 'item' ? t('事项', 'Item') : by === 'step' ? t('环节', 'Step') : t('办理人', 'Handler')}</th>
              {cols.map(([k, zh, en]) => <th scope="col" key={k}>{lang === 'zh' ? zh : en}</th>)}</tr></thead>
            <tbody>
              {shownRows.map((r, i) => (
                <tr key={i}>
                  <th scope="row">{by === 'department' ? deptName(departments, String(r.department)) : String(r[keyCol] ?? '—')}</th>
                  {cols.map(([k]) => <td key={k}>{fmtCell(k, r[k])}</td>)}
                </tr>
              ))}
              {rows.length === 0 && indicators.data && <tr><td colSpan={cols.length + 1} className="muted">{t('该区间暂无数据', 'No data in this period')}</td></tr>}
            </tbody>
          </table>
        </div>
        {rowsPager}
      </section>

      <HallIndicatorsCard from={from} />

      <CaseSearch />
    </div>
  );
}

function CaseSearch() {
  const { t, lang } = useI18n();
  const departments = useDepartments();
  const [q, setQ] = useState('');
  const [department, setDepartment] = useState('');
  const [status, setStatus] = useState('');
  const [level, setLevel] = useState('');
  const [page, setPage] = useState(1);
  const found = useLoad((signal) => get<{ cases: (SupCase & { filedAt: string })[]; page: number; pageSize: number; total: number }>(`/api/views/cases${qs({ q, department, status, level, page })}`, { signal }), [q, department, status, level, page]);
  const set = (f: (v: string) => void) => (v: string) => { f(v); setPage(1); };
  return (
    <section className="card" aria-labelledby="search-h">
      <h2 id="search-h">{t('办件查询', 'Case search')}</h2>
      <div className="filters" role="search">
        <div className="field"><label htmlFor="cs-q">{t('办件编号或事项名称', 'Number or item')}</label><input id="cs-q" type="search" value={q} onChange={(e) => set(setQ)(e.target.value)} /></div>
        <div className="field"><label htmlFor="cs-dept">{t('部门', 'Department')}</label>
          <select id="cs-dept" value={department} onChange={(e) => set(setDepartment)(e.target.value)}><option value="">{t('全部', 'All')}</option>{departments.map((d) => <option key={d.code} value={d.code}>{d.name}</option>)}</select></div>
        <div className="field"><label htmlFor="cs-status">{t('状态', 'Status')}</label>
          <select id="cs-status" value={status} onChange={(e) => set(setStatus)(e.target.value)}><option value="">{t('全部', 'All')}</option>{statuses.map((s) => <option key={s} value={s}>{statusName(s, lang)}</option>)}</select></div>
        <div className="field"><label htmlFor="cs-level">{t('监察状态', 'Level')}</label>
          <select id="cs-level" value={level} onChange={(e) => set(setLevel)(e.target.value)}><option value="">{t('全部', 'All')}</option>{['normal', 'warning', 'overdue'].map((s) => <option key={s} value={s}>{levelName(s, lang)}</option>)}</select></div>
        {found.loading && <Spinner />}
      </div>
      <ErrorBanner error={found.error} onRetry={found.reload} />
      <table className="table">
        <thead><tr><th scope="col">{t('办件编号', 'Case')}</th><th scope="col">{t('事项', 'Item')}</th><th scope="col">{t('部门', 'Department')}</th><th scope="col">{t('申报时间', 'Filed')}</th><th scope="col">{t('状态', 'Status')}</th><th scope="col">{t('监察', 'Level')}</th></tr></thead>
        <tbody>
          {(found.data?.cases ?? []).map((c) => (
            <tr key={c.caseNo}>
              <td className="mono"><a href={`#/supervision/case/${c.caseNo}`}>{c.caseNo}</a></td><td>{c.itemName}</td><td>{deptName(departments, c.department)}</td>
              <td>{fmtTime(c.filedAt)}</td><td><StatusBadge status={c.status} /></td><td><LevelBadge level={c.supervisionState} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {found.data && <Pager page={found.data.page} pageSize={found.data.pageSize} total={found.data.total} onPage={setPage} />}
    </section>
  );
}

function SupervisedCase({ caseNo }: { caseNo: string }) {
  const { t, lang } = useI18n();
  const { record, live, guide, reload } = useCaseData(caseNo);
  const events = useLoad((signal) => get<{ events: SupEvent[] }>(`/api/supervision/events${qs({ from: new Date(Date.now() - 400 * dayMs).toISOString() })}`, { signal }), [caseNo]);
  const [message, setMessage] = useState('');
  const [replyBy, setReplyBy] = useState(() => new Date(Date.now() + 3 * dayMs).toISOString().slice(0, 10));
  const [tried, setTried] = useState(false);
  const urge = useAction();
  const [sent, setSent] = useState(false);
  const mine = (events.data?.events ?? []).filter((e) => e.caseNo === caseNo);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!message.trim()) return;
    const r = await urge.run(() => post(`/api/cases/${caseNo}/urges`, { message: message.trim(), replyBy: new Date(`${replyBy}T17:00:00+08:00`).toISOString() }));
    if (r !== undefined) {
      setSent(true);
      setMessage('');
      reload();
    }
  };
  if (record.loading && !record.data) return <div className="page"><Spinner /></div>;
  if (!record.data) return <div className="page"><ErrorBanner error={record.error} onRetry={record.reload} /></div>;
  return (
    <div className="page">
      <p><a href="#/supervision">← {t('电子监察', 'Supervision')}</a></p>
      <h1>{t('办件监察', 'Case supervision')} <span className="mono">{caseNo}</span></h1>
      <CaseSummary record={record.data} live={live.data} guide={guide.data} />
      <div className="grid-2">
        <div>
          <section className="card" aria-labelledby="ev-h">
            <h2 id="ev-h">{t('监察记录', 'Supervision events')}</h2>
            {mine.length === 0 ? <p className="muted">{t('暂无预警或超时记录', 'No warnings or overdue')}</p> : (
              <ul className="plain list">
                {mine.map((e, i) => <li key={i}><LevelBadge level={e.level} /> {fmtTime(e.at)} · {e.scope === 'step' ? `${t('环节', 'step')} ${stepName(e.stepId, lang, guide.data?.process.steps)}` : t('办件', 'case')} · {causeName(e.cause, lang)}</li>)}
              </ul>
            )}
          </section>
          <section className="card" aria-labelledby="urge-h">
            <h2 id="urge-h">{t('督办', 'Urge')}</h2>
            {live.data && live.data.supervision.urges.length > 0 && (
              <ul className="plain list">
                {live.data.supervision.urges.map((u) => (
                  <li key={u.urgeId}>{fmtTime(u.at)} · {u.message} · {u.answer ? <span className="ok-text">{t('已回复', 'answered')}: {u.answer.text}</span> : <span className="warn-text">{t('待回复', 'awaiting answer')}</span>}</li>
                ))}
              </ul>
            )}
            {sent && <Notice kind="ok">{t('督办已发出。', 'Urge sent.')}</Notice>}
            <form onSubmit={(e) => void submit(e)} noValidate>
              <div className={`field${tried && !message.trim() ? ' field-invalid' : ''}`}>
                <label htmlFor="urge-msg">{t('督办内容', 'Message')}<span className="req" aria-hidden="true"> *</span></label>
                <textarea id="urge-msg" rows={3} value={message} onChange={(e) => setMessage(e.target.value)} aria-invalid={tried && !message.trim()} />
                {tried && !message.trim() && <div className="field-error" role="alert">{t('请填写督办内容', 'Write the message')}</div>}
              </div>
              <div className="field">
                <label htmlFor="urge-by">{t('回复期限', 'Reply by')}</label>
                <input id="urge-by" type="date" value={replyBy} onChange={(e) => setReplyBy(e.target.value)} />
              </div>
              <ErrorBanner error={urge.error} />
              <button type="submit" className="btn-primary" disabled={urge.busy}>{urge.busy ? <Spinner label={t('发送中…', 'Sending…')} /> : t('发出督办', 'Send urge')}</button>
            </form>
          </section>
          <Opinions record={record.data} />
        </div>
        <section className="card" aria-labelledby="full-h">
          <h2 id="full-h">{t('全程记录', 'Full history')} <small className="muted">{statusName(record.data.status, lang)}</small></h2>
          <CaseHistory record={record.data} process={guide.data?.process.steps} engineView />
        </section>
      </div>
    </div>
  );
}
