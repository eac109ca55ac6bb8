/**
 * 预约办理 on a phone: choose the hall, the business (category and item), a day and a
 * half-hour with places left (working days only), book, and get the code by SMS; my
 * appointments with their state, and cancelling one before its slot.
 */
import { useState } from 'react';
import { get, post } from '../api';
import type { Appointment, AppointmentList, AppointmentSlots, Hall, HallList } from '../api-types';
import { useI18n } from '../i18n';
import { ApplicantSignIn, applicantOf, useSession } from '../session';
import { ErrorBanner, Notice, Spinner, useAction, useLoad } from '../ui/kit';
import '../hall/hall.css';

const china = (iso: string, o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', ...o }).format(new Date(iso));
const hhmm = (iso: string) => china(iso, { hour: '2-digit', minute: '2-digit', hour12: false });
const dayLabel = (date: string) => china(`${date}T12:00:00+08:00`, { month: 'numeric', day: 'numeric', weekday: 'short' });

const statusNames: Record<Appointment['status'], [string, string]> = {
  booked: ['已预约', 'Booked'], cancelled: ['已取消', 'Cancelled'], arrived: ['已取号', 'Ticket taken'], no_show: ['已过期未到', 'Missed'],
};

export function AppointmentPage() {
  const { t } = useI18n();
  const me = applicantOf(useSession().session);
  const halls = useLoad((signal) => get<HallList>('/api/hall/halls', { signal }), []);
  const [hallCode, setHallCode] = useState('');
  const code = hallCode || halls.data?.halls[0]?.code || '';
  const hall = useLoad((signal) => (code ? get<Hall>(`/api/hall/halls/${encodeURIComponent(code)}`, { signal }) : Promise.resolve(undefined)), [code]);
  const mine = useLoad((signal) => (me ? get<AppointmentList>('/api/hall/appointments', { signal }) : Promise.resolve(undefined)), [me?.idNumber]);
  const [booked, setBooked] = useState<Appointment | null>(null);
  return (
    <div className="page hall">
      <p><a href="#/hall">← {t('网上办事大厅', 'Service hall')}</a></p>
      <h1>{t('预约办理', 'Book a visit')}</h1>
      <p className="muted">{t('预约后凭短信中的预约号到大厅自助终端取号，预约时段内优先叫号。只能预约工作日的办公时间。', 'Take your ticket at the hall\'s kiosk with the code sent by SMS; you are called first within your slot. Working days only.')}</p>
      {!me && <div className="signin-wrap"><ApplicantSignIn onDone={() => undefined} /></div>}
      <ErrorBanner error={halls.error ?? hall.error} onRetry={halls.reload} />
      {booked && (
        <section className="card" aria-labelledby="booked-h">
          <h2 id="booked-h">{t('预约成功', 'Booked')}</h2>
          <p>{t('预约号', 'Code')}</p>
          <p className="appointment-code" data-testid="appointment-code">{booked.code}</p>
          <p>{china(booked.slotStart, { month: 'long', day: 'numeric', weekday: 'long' })} {hhmm(booked.slotStart)}–{hhmm(booked.slotEnd)}</p>
          <Notice kind="ok">{booked.smsSent ? t(`预约号已发送到 ${booked.phone}`, `The code was sent to ${booked.phone}`) : t('短信暂未发出，请记下预约号', 'The SMS is not sent yet; note the code')}</Notice>
          <button type="button" onClick={() => { setBooked(null); mine.reload(); }}>{t('再预约一个', 'Book another')}</button>
        </section>
      )}
      {me && !booked && (halls.data?.halls.length ?? 0) > 1 && (
        <div className="field">
          <label htmlFor="hall-pick">{t('办事大厅', 'Hall')}</label>
          <select id="hall-pick" value={code} onChange={(e) => setHallCode(e.target.value)}>
            {halls.data?.halls.map((h) => <option key={h.code} value={h.code}>{h.name}</option>)}
          </select>
        </div>
      )}
      {me && !booked && hall.data && <Booking hall={hall.data} phone={me.phone ?? ''} onBooked={(a) => { setBooked(a); mine.reload(); }} />}
      {me && (
        <section className="card" aria-labelledby="mine-h">
          <h2 id="mine-h">{t('我的预约', 'My appointments')}</h2>
          <ErrorBanner error={mine.error} onRetry={mine.reload} />
          <ul className="plain list">
            {(mine.data?.appointments ?? []).map((a) => <MyAppointment key={a.id} a={a} onChange={mine.reload} />)}
            {mine.data && mine.data.appointments.length === 0 && <li className="muted">{t('暂无预约', 'None yet')}</li>}
          </ul>
        </section>
      )}
    </div>
  );
}

function Booking({ hall, phone: initialPhone, onBooked }: { hall: Hall; phone: string; onBooked: (a: Appointment) => void }) {
  const { t } = useI18n();
  const [category, setCategory] = useState(hall.categories[0]?.code ?? '');
  const cat = hall.categories.find((c) => c.code === category);
  const [item, setItem] = useState('');
  const itemCode = item && cat?.items.some((i) => i.code === item) ? item : cat?.items[0]?.code ?? '';
  const slots = useLoad((signal) => (category ? get<AppointmentSlots>(`/api/hall/halls/${encodeURIComponent(hall.code)}/slots?category=${category}&days=7`, { signal }) : Promise.resolve(undefined)), [hall.code, category]);
  const [day, setDay] = useState('');
  const days = slots.data?.days ?? [];
  const shownDay = days.find((d) => d.date === day && d.slots.length) ?? days.find((d) => d.slots.some((s) => s.left > 0));
  const [slot, setSlot] = useState('');
  const [phone, setPhone] = useState(initialPhone);
  const action = useAction();
  const book = async () => {
    const a = await action.run(() => post<Appointment>('/api/hall/appointments', { hall: hall.code, category, implementationCode: itemCode, slotStart: slot, phone: phone.trim() }));
    if (a) onBooked(a);
    else slots.reload();
  };
  return (
    <section className="card" aria-labelledby="book-h">
      <h2 id="book-h">{hall.name}</h2>
      <div className="field">
        <label htmlFor="book-category">{t('业务类别', 'Business')}</label>
        <select id="book-category" value={category} onChange={(e) => { setCategory(e.target.value); setSlot(''); setDay(''); }}>
          {hall.categories.map((c) => <option key={c.code} value={c.code}>{c.code} {c.name}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor="book-item">{t('办理事项', 'Item')}</label>
        <select id="book-item" value={itemCode} onChange={(e) => setItem(e.target.value)}>
          {cat?.items.map((i) => <option key={i.code} value={i.code}>{i.name}</option>)}
        </select>
        {cat?.hours && <div className="hint">{t('办公时间：', 'Hours: ')}{cat.hours}</div>}
      </div>
      <ErrorBanner error={slots.error} onRetry={slots.reload} />
      {slots.loading && !slots.data && <Spinner />}
      <h3>{t('选择日期', 'Day')}</h3>
      <div className="slot-days" role="group" aria-label={t('日期', 'Day')}>
        {days.map((d) => (
          <button key={d.date} type="button" disabled={!d.slots.length} aria-pressed={shownDay?.date === d.date} onClick={() => { setDay(d.date); setSlot(''); }}>
            {dayLabel(d.date)}{!d.workingDay && <small>{t(' 休息', ' closed')}</small>}
          </button>
        ))}
      </div>
      {shownDay && (
        <>
          <h3>{t('选择时段', 'Time')}</h3>
          <div className="slot-times" role="group" aria-label={t('时段', 'Time')}>
            {shownDay.slots.map((s) => (
              <button key={s.start} type="button" disabled={s.left === 0} aria-pressed={slot === s.start} onClick={() => setSlot(s.start)}
                aria-label={t(`${hhmm(s.start)} 余 ${s.left} 个`, `${hhmm(s.start)}, ${s.left} left`)}>
                {hhmm(s.start)}<br /><small>{s.left === 0 ? t('已满', 'full') : t(`余 ${s.left}`, `${s.left} left`)}</small>
              </button>
            ))}
          </div>
        </>
      )}
      {days.length > 0 && !shownDay && <p className="muted">{t('近 7 天没有可预约的时段', 'No free slots in the next 7 days')}</p>}
      <div className="field">
        <label htmlFor="book-phone">{t('接收预约号的手机号码', 'Phone for the code')}</label>
        <input id="book-phone" inputMode="tel" maxLength={11} value={phone} onChange={(e) => setPhone(e.target.value)} />
      </div>
      <ErrorBanner error={action.error} />
      <button type="button" className="btn-primary" disabled={!slot || !itemCode || !/^1[3-9]\d{9}$/.test(phone.trim()) || action.busy} onClick={() => void book()}>
        {action.busy ? <Spinner label={t('正在预约…', 'Booking…')} /> : t('确认预约', 'Book')}
      </button>
    </section>
  );
}

function MyAppointment({ a, onChange }: { a: Appointment; onChange: () => void }) {
  const { t, lang } = useI18n();
  const action = useAction();
  const [zh, en] = statusNames[a.status];
  return (
    <li>
      <strong className="mono">{a.code}</strong> {china(a.slotStart, { month: 'numeric', day: 'numeric' })} {hhmm(a.slotStart)} · {a.category} · {lang === 'zh' ? zh : en}
      {a.status === 'booked' && (
        <> <button type="button" className="btn-small" disabled={action.busy} onClick={() => void action.run(() => post(`/api/hall/appointments/${a.id}/cancel`)).then(onChange)}>{t('取消预约', 'Cancel')}</button></>
      )}
      <ErrorBanner error={action.error} />
    </li>
  );
}
