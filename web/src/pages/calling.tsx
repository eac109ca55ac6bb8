/**
 * 叫号: the clerk's window. Call the next ticket for what the window serves, call it again, mark
 * a no-show, send it to another window, or finish; while serving, file the case for the ticket
 * (the window's form opens with the ticket) or link a case looked up by its number.
 */
import { useState } from 'react';
import { get, post } from '../api';
import type { Hall, HallWindow, Ticket, TicketCalled } from '../api-types';
import { fmtTime, useI18n } from '../i18n';
import { staffOf, useSession } from '../session';
import { ErrorBanner, Notice, Spinner, useAction, useInterval, useLoad } from '../ui/kit';
import '../hall/hall.css';

const windowKey = 'onewindow.hallWindow';
const priorityNames: Record<string, [string, string]> = { elderly: ['老年人优先', 'Elderly'], disabled: ['残疾人优先', 'Disabled'], pregnant: ['孕妇优先', 'Pregnant'] };

export function CallingPage() {
  const { t, lang } = useI18n();
  const hall = staffOf(useSession().session)?.department ?? '';
  const [number, setNumber] = useState<number>(() => Number(localStorage.getItem(windowKey) ?? '1') || 1);
  const [to, setTo] = useState<number | ''>('');
  const [caseNo, setCaseNo] = useState('');
  /** The ticket finished last at this window, for the applicant to rate on the window's pad (评价器). */
  const [finished, setFinished] = useState<Ticket | null>(null);
  const info = useLoad((signal) => get<Hall>(`/api/hall/halls/${encodeURIComponent(hall)}`, { signal }), [hall]);
  const state = useLoad((signal) => get<HallWindow>(`/api/hall/halls/${encodeURIComponent(hall)}/windows/${number}`, { signal }), [hall, number]);
  useInterval(state.reload, 3000);
  const action = useAction();
  const current = state.data?.current ?? null;
  const run = async (fn: () => Promise<unknown>) => {
    await action.run(fn);
    state.reload();
  };
  const choose = (n: number) => {
    localStorage.setItem(windowKey, String(n));
    setNumber(n);
  };
  const items = current ? (info.data?.categories.find((c) => c.code === current.category)?.items ?? []) : [];
  return (
    <div className="page">
      <p><a href="#/window">← {t('窗口受理', 'Window')}</a></p>
      <h1>{t('叫号', 'Calling')} · {info.data?.name ?? hall}</h1>
      <ErrorBanner error={info.error ?? state.error} onRetry={state.reload} />
      <div className="calling-pick">
        <label htmlFor="window-no">{t('本窗口', 'This window')}</label>
        <select id="window-no" value={number} onChange={(e) => choose(Number(e.target.value))}>
          {(info.data?.windows ?? []).map((w) => <option key={w.number} value={w.number}>{w.name}（{w.categories.join('、')}）</option>)}
        </select>
        {state.data && <span className="muted" data-testid="window-waiting">{t(`本窗口业务等候 ${state.data.waiting} 人`, `${state.data.waiting} waiting`)}</span>}
      </div>
      <section className="card" aria-labelledby="now-h">
        <h2 id="now-h">{t('正在办理', 'Now serving')}</h2>
        {state.loading && !state.data && <Spinner />}
        {current ? <Serving ticket={current} /> : state.data && <p className="muted">{t('当前没有叫号', 'Nobody called')}</p>}
        <ErrorBanner error={action.error} />
        <div className="calling-actions">
          {!current && <button type="button" className="btn-primary" disabled={action.busy} onClick={() => void run(() => post<TicketCalled>(`/api/hall/halls/${encodeURIComponent(hall)}/windows/${number}/call`))}>{t('叫下一位', 'Call next')}</button>}
          {current && (
            <>
              <button type="button" disabled={action.busy} onClick={() => void run(() => post(`/api/hall/tickets/${current.id}/recall`))}>{t('重呼', 'Call again')}</button>
              <button type="button" disabled={action.busy} onClick={() => void run(() => post(`/api/hall/tickets/${current.id}/no-show`))}>{t('过号', 'No-show')}</button>
              <button type="button" className="btn-primary" disabled={action.busy} onClick={() => void run(async () => setFinished(await post<Ticket>(`/api/hall/tickets/${current.id}/finish`)))}>{t('办结', 'Finish')}</button>
              <label htmlFor="transfer-to" className="sr-only">{t('转到窗口', 'Transfer to')}</label>
              <select id="transfer-to" value={to} onChange={(e) => setTo(e.target.value ? Number(e.target.value) : '')}>
                <option value="">{t('转到其他窗口…', 'Transfer to…')}</option>
                {(state.data?.windows ?? []).filter((w) => w.number !== number).map((w) => <option key={w.number} value={w.number}>{w.name}</option>)}
              </select>
              <button type="button" disabled={action.busy || to === ''} onClick={() => void run(() => post(`/api/hall/tickets/${current.id}/transfer`, { window: to }))}>{t('转窗口', 'Transfer')}</button>
            </>
          )}
        </div>
      </section>
      {finished && !finished.rated && <RatingPad ticket={finished} onDone={() => setFinished(null)} />}
      {current && (
        <section className="card" aria-labelledby="file-h">
          <h2 id="file-h">{t('为此号受理', 'File for this ticket')}</h2>
          {current.caseNo ? (
            <Notice kind="ok">{t('已关联办件', 'Case linked')} <a className="mono" href={`#/window/case/${current.caseNo}`}>{current.caseNo}</a></Notice>
          ) : (
            <>
              <ul className="plain list">
                {items.map((i) => (
                  <li key={i.code}><a href={`#/window/apply/${encodeURIComponent(i.code)}/ticket/${current.id}`}>{t('受理：', 'File: ')}{i.name}</a>{i.code === current.implementationCode && <span className="muted"> · {t('取号时所选事项', 'chosen at the kiosk')}</span>}</li>
                ))}
              </ul>
              <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void run(() => post<Ticket>(`/api/hall/tickets/${current.id}/case`, { caseNo: caseNo.trim() })); }}>
                <label htmlFor="link-case">{t('或查询已有办件', 'Or an existing case')}</label>
                <input id="link-case" inputMode="numeric" maxLength={22} placeholder={t('22 位办件编号', '22-digit case number')} value={caseNo} onChange={(e) => setCaseNo(e.target.value)} />
                <button type="submit" disabled={caseNo.trim().length !== 22}>{t('关联办件', 'Link')}</button>
              </form>
            </>
          )}
        </section>
      )}
      <p className="muted small">{lang === 'zh' ? '叫号顺序：转来本窗口的号、预约时段内的预约号、老年人残疾人孕妇优先号，然后按取号先后。' : 'Order: transferred here, appointments in their slot, priority classes, then order of issue.'}</p>
    </div>
  );
}

function Serving({ ticket }: { ticket: Ticket }) {
  const { t, lang } = useI18n();
  const p = priorityNames[ticket.priority];
  return (
    <div>
      <p className="calling-now" data-testid="calling-number">{ticket.number}</p>
      <p>
        {ticket.category} {ticket.categoryName}{ticket.itemName ? ` · ${ticket.itemName}` : ''}{ticket.applicantName ? ` · ${ticket.applicantName}` : ''}
        {p && <> · <strong>{lang === 'zh' ? p[0] : p[1]}</strong></>}
        {ticket.appointment && <> · {t(`预约 ${fmtTime(ticket.appointment.slotStart)}`, `appointment ${fmtTime(ticket.appointment.slotStart)}`)}</>}
      </p>
      <p className="muted">{t(`取号 ${fmtTime(ticket.issuedAt)} · 等候 ${Math.round(ticket.waitMs / 60000)} 分钟 · 叫号 ${ticket.calls} 次`, `issued ${fmtTime(ticket.issuedAt)} · waited ${Math.round(ticket.waitMs / 60000)} min · called ${ticket.calls}×`)}</p>
    </div>
  );
}

const levels: [number, string, string][] = [[5, '非常满意', 'Very satisfied'], [4, '满意', 'Satisfied'], [3, '基本满意', 'Fairly satisfied'], [2, '不满意', 'Dissatisfied'], [1, '非常不满意', 'Very dissatisfied']];

/** 好差评 for the ticket just served, pressed by the applicant on the window's rating pad. */
function RatingPad({ ticket, onDone }: { ticket: Ticket; onDone: () => void }) {
  const { t, lang } = useI18n();
  const action = useAction();
  const rate = async (level: number) => {
    const r = await action.run(() => post<Ticket>(`/api/hall/tickets/${ticket.id}/evaluation`, { level }));
    if (r) onDone();
  };
  return (
    <section className="card" aria-labelledby="rate-h">
      <h2 id="rate-h">{t(`请 ${ticket.number} 号评价本次服务`, `Ticket ${ticket.number}: rate the service`)}</h2>
      <div className="calling-actions" role="group" aria-label={t('评价', 'Rating')}>
        {levels.map(([n, zh, en]) => <button key={n} type="button" disabled={action.busy} onClick={() => void rate(n)}>{lang === 'zh' ? zh : en}</button>)}
        <button type="button" className="btn-ghost" onClick={onDone}>{t('跳过', 'Skip')}</button>
      </div>
      <ErrorBanner error={action.error} />
    </section>
  );
}
