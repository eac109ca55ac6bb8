/**
 * 自助服务终端: the hall's self-service kiosk, full-screen with touch-sized controls. Take a
 * ticket (with an appointment code, or for a category with a priority class), track a case with
 * the ID card on the reader and print its receipt, and collect a certificate that waits at the
 * kiosk: the pick-up code and the holder's ID card, and the print is recorded as the hand-over
 * that completes the case's delivery step. After a minute untouched it goes back to the start.
 * The kiosk signs in once as its own account (role kiosk of the hall).
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { get, post } from '../api';
import type { Hall, KioskCase, KioskPickup, Ticket } from '../api-types';
import { CardReader, type IdCard } from '../hall/id-card';
import { fmtDeadline, fmtTime, statusName } from '../i18n';
import { StaffSignIn, staffOf, useSession } from '../session';
import { ErrorBanner, Spinner, useAction, useLoad } from '../ui/kit';
import '../hall/hall.css';

/** Seconds without a touch before the kiosk goes back to its start. */
export const idleSeconds = 60;

type View =
  | { kind: 'home' } | { kind: 'appointment' } | { kind: 'walk-in' } | { kind: 'ticket'; ticket: Ticket }
  | { kind: 'track' } | { kind: 'tracked'; found: KioskCase } | { kind: 'collect' } | { kind: 'collected'; pickup: KioskPickup };

const priorities: [Ticket['priority'], string][] = [['none', '普通'], ['elderly', '老年人'], ['disabled', '残疾人'], ['pregnant', '孕妇']];

export function KioskPage() {
  const { session } = useSession();
  const staff = staffOf(session);
  if (!staff?.roles?.includes('kiosk')) {
    return (
      <div className="kiosk">
        <header className="kiosk-head"><h1>自助服务终端</h1></header>
        <div className="kiosk-body"><p>请工作人员用自助终端账号登录一次，之后终端一直可用。</p><div className="signin-wrap"><StaffSignIn onDone={() => undefined} /></div></div>
      </div>
    );
  }
  return <Kiosk hall={staff.department ?? ''} />;
}

function Kiosk({ hall }: { hall: string }) {
  const [view, setView] = useState<View>({ kind: 'home' });
  const home = useCallback(() => setView({ kind: 'home' }), []);
  const info = useLoad((signal) => get<Hall>(`/api/hall/halls/${encodeURIComponent(hall)}`, { signal }), [hall]);
  useIdle(home, view.kind !== 'home');
  return (
    <div className="kiosk">
      <header className="kiosk-head">
        <h1>{info.data?.name ?? '办事大厅'} · 自助服务</h1>
        {view.kind !== 'home' && <button type="button" className="no-print" onClick={home}>返回首页</button>}
      </header>
      <div className="kiosk-body">
        <ErrorBanner error={info.error} onRetry={info.reload} />
        {view.kind === 'home' && (
          <div className="kiosk-menu">
            <button type="button" onClick={() => setView({ kind: 'appointment' })}>预约取号<small>凭短信中的预约号取号</small></button>
            <button type="button" onClick={() => setView({ kind: 'walk-in' })}>现场取号<small>选择要办的业务</small></button>
            <button type="button" onClick={() => setView({ kind: 'track' })}>办件查询<small>刷身份证查看进度、打印回执</small></button>
            <button type="button" onClick={() => setView({ kind: 'collect' })}>证照领取<small>凭取件码和身份证领取证照</small></button>
          </div>
        )}
        {view.kind === 'appointment' && <AppointmentTicket hall={hall} onTicket={(ticket) => setView({ kind: 'ticket', ticket })} />}
        {view.kind === 'walk-in' && info.data && <WalkInTicket hall={info.data} onTicket={(ticket) => setView({ kind: 'ticket', ticket })} />}
        {view.kind === 'ticket' && <TicketSlip ticket={view.ticket} hallName={info.data?.name ?? ''} onDone={home} />}
        {view.kind === 'track' && <Track onFound={(found) => setView({ kind: 'tracked', found })} />}
        {view.kind === 'tracked' && <CaseReceipt found={view.found} onDone={home} />}
        {view.kind === 'collect' && <Collect onCollected={(pickup) => setView({ kind: 'collected', pickup })} />}
        {view.kind === 'collected' && <Collected pickup={view.pickup} onDone={home} />}
      </div>
      <footer className="kiosk-foot no-print">{idleSeconds} 秒无操作将自动返回首页 · 如需帮助请到咨询台</footer>
    </div>
  );
}

/** Back to the start after `idleSeconds` without a touch, a key or a click. */
function useIdle(onIdle: () => void, active: boolean): void {
  useEffect(() => {
    if (!active) return;
    let timer = setTimeout(onIdle, idleSeconds * 1000);
    const touch = () => { clearTimeout(timer); timer = setTimeout(onIdle, idleSeconds * 1000); };
    const events = ['pointerdown', 'keydown', 'input'] as const;
    for (const e of events) document.addEventListener(e, touch, true);
    return () => { clearTimeout(timer); for (const e of events) document.removeEventListener(e, touch, true); };
  }, [onIdle, active]);
}

function AppointmentTicket({ hall, onTicket }: { hall: string; onTicket: (t: Ticket) => void }) {
  const [code, setCode] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = await action.run(() => post<Ticket>('/api/hall/tickets', { hall, source: 'kiosk', appointmentCode: code.trim() }));
    if (t) onTicket(t);
  };
  return (
    <form onSubmit={(e) => void submit(e)}>
      <h2>预约取号</h2>
      <div className="kiosk-row">
        <label htmlFor="kiosk-appointment">预约号（6 位数字）</label>
        <input id="kiosk-appointment" inputMode="numeric" maxLength={6} value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))} autoFocus />
      </div>
      <ErrorBanner error={action.error} />
      <button type="submit" className="btn-primary" disabled={code.length !== 6 || action.busy}>{action.busy ? <Spinner label="正在取号…" /> : '取号'}</button>
    </form>
  );
}

function WalkInTicket({ hall, onTicket }: { hall: Hall; onTicket: (t: Ticket) => void }) {
  const [category, setCategory] = useState<string | null>(null);
  const [priority, setPriority] = useState<Ticket['priority']>('none');
  const [card, setCard] = useState<IdCard | null>(null);
  const action = useAction();
  const take = async () => {
    if (!category) return;
    const t = await action.run(() => post<Ticket>('/api/hall/tickets', { hall: hall.code, source: 'kiosk', category, priority, ...(card ? { applicant: card } : {}) }));
    if (t) onTicket(t);
  };
  return (
    <div>
      <h2>选择要办的业务</h2>
      <div className="kiosk-choices" role="group" aria-label="业务类别">
        {hall.categories.map((c) => (
          <button key={c.code} type="button" aria-pressed={category === c.code} onClick={() => setCategory(c.code)}>
            {c.code} {c.name}<small className="muted"> {c.items.map((i) => i.name).join('、')}</small>
          </button>
        ))}
      </div>
      <h2>优先办理</h2>
      <div className="kiosk-row" role="group" aria-label="优先办理">
        {priorities.map(([p, name]) => <button key={p} type="button" aria-pressed={priority === p} onClick={() => setPriority(p)}>{name}</button>)}
      </div>
      <CardReader card={card} onRead={setCard} />
      <ErrorBanner error={action.error} />
      <button type="button" className="btn-primary" disabled={!category || action.busy} onClick={() => void take()}>{action.busy ? <Spinner label="正在取号…" /> : '取号'}</button>
    </div>
  );
}

function TicketSlip({ ticket, hallName, onDone }: { ticket: Ticket; hallName: string; onDone: () => void }) {
  return (
    <div>
      <section className="kiosk-slip" aria-label="取号单">
        <p>{hallName} 取号单</p>
        <p className="kiosk-big" data-testid="ticket-number">{ticket.number}</p>
        <dl>
          <dt>业务类别</dt><dd>{ticket.category} {ticket.categoryName}</dd>
          {ticket.itemName && <><dt>办理事项</dt><dd>{ticket.itemName}</dd></>}
          {ticket.appointment && <><dt>预约时段</dt><dd>{fmtTime(ticket.appointment.slotStart)}{ticket.appointment.prioritised ? '（预约优先）' : ''}</dd></>}
          {ticket.priority !== 'none' && <><dt>优先办理</dt><dd>{priorities.find(([p]) => p === ticket.priority)?.[1]}</dd></>}
          <dt>前面等候</dt><dd>{ticket.waitingAhead} 人</dd>
          <dt>取号时间</dt><dd>{fmtTime(ticket.issuedAt)}</dd>
        </dl>
        <p>请留意大厅叫号屏和语音提示，过号请到咨询台重新取号。</p>
      </section>
      <div className="kiosk-row no-print">
        <button type="button" className="btn-primary" onClick={() => window.print()}>打印取号单</button>
        <button type="button" onClick={onDone}>完成</button>
      </div>
    </div>
  );
}

function Track({ onFound }: { onFound: (c: KioskCase) => void }) {
  const [caseNo, setCaseNo] = useState('');
  const [card, setCard] = useState<IdCard | null>(null);
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!card) return;
    const found = await action.run(() => post<KioskCase>('/api/hall/kiosk/track', { caseNo: caseNo.trim(), idNumber: card.idNumber }));
    if (found) onFound(found);
  };
  return (
    <form onSubmit={(e) => void submit(e)}>
      <h2>办件查询</h2>
      <CardReader card={card} onRead={setCard} />
      <div className="kiosk-row">
        <label htmlFor="kiosk-case">办件编号（22 位数字）</label>
        <input id="kiosk-case" inputMode="numeric" maxLength={22} size={24} value={caseNo} onChange={(e) => setCaseNo(e.target.value.replace(/\D/g, ''))} />
      </div>
      <ErrorBanner error={action.error} />
      <button type="submit" className="btn-primary" disabled={!card || caseNo.length !== 22 || action.busy}>{action.busy ? <Spinner label="正在查询…" /> : '查询'}</button>
    </form>
  );
}

function CaseReceipt({ found, onDone }: { found: KioskCase; onDone: () => void }) {
  return (
    <div>
      <section className="kiosk-slip" aria-label="办件进度回执">
        <h2>办件进度回执</h2>
        <dl>
          <dt>办件编号</dt><dd className="mono">{found.caseNo}</dd>
          <dt>办理事项</dt><dd>{found.itemName}</dd>
          <dt>申请人</dt><dd>{found.applicantName}</dd>
          <dt>办理状态</dt><dd data-testid="kiosk-status">{statusName(found.status, 'zh')}</dd>
          <dt>申报时间</dt><dd>{fmtTime(found.filedAt)}</dd>
          <dt>承诺办结</dt><dd>{fmtDeadline(found.promisedDeadline, false)}</dd>
          {found.completedAt && <><dt>办结时间</dt><dd>{fmtTime(found.completedAt)}</dd></>}
        </dl>
        {found.kioskPickup && <p>证照已制好，可在本机“证照领取”凭取件码领取。</p>}
      </section>
      <div className="kiosk-row no-print">
        <button type="button" className="btn-primary" onClick={() => window.print()}>打印回执</button>
        <button type="button" onClick={onDone}>完成</button>
      </div>
    </div>
  );
}

function Collect({ onCollected }: { onCollected: (p: KioskPickup) => void }) {
  const [code, setCode] = useState('');
  const [card, setCard] = useState<IdCard | null>(null);
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!card) return;
    const p = await action.run(() => post<KioskPickup>('/api/hall/kiosk/pickups', { code: code.trim(), idNumber: card.idNumber }));
    if (p) {
      onCollected(p);
      // The hand-over is recorded; now the certificate comes out of the printer.
      setTimeout(() => window.print(), 300);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)}>
      <h2>证照领取</h2>
      <p>请把身份证放在读卡器上，并输入手机上“办件进度”页面显示的 8 位取件码。</p>
      <CardReader card={card} onRead={setCard} />
      <div className="kiosk-row">
        <label htmlFor="kiosk-pickup">取件码</label>
        <input id="kiosk-pickup" inputMode="numeric" maxLength={8} value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))} />
      </div>
      <ErrorBanner error={action.error} />
      <button type="submit" className="btn-primary" disabled={!card || code.length !== 8 || action.busy}>{action.busy ? <Spinner label="正在领取…" /> : '领取并打印'}</button>
    </form>
  );
}

function Collected({ pickup, onDone }: { pickup: KioskPickup; onDone: () => void }) {
  const c = pickup.certificate;
  return (
    <div>
      <section className="kiosk-slip" aria-label="证照">
        <h2>{c?.name ?? pickup.itemName}</h2>
        {c ? (
          <dl>
            <dt>证照编号</dt><dd className="mono">{c.number}</dd>
            <dt>持证人</dt><dd>{c.holderName}</dd>
            <dt>发证机关</dt><dd>{c.issuer}</dd>
            <dt>发证日期</dt><dd>{fmtTime(c.issuedAt)}</dd>
            <dt>有效期至</dt><dd>{c.validUntil ?? '长期'}</dd>
          </dl>
        ) : <p>本办件的结果为批准文书，已打印。</p>}
        <p className="ok-text" role="status" data-testid="collected">已于 {fmtTime(pickup.collectedAt)} 领取，办件编号 <span className="mono">{pickup.caseNo}</span>。</p>
      </section>
      <div className="kiosk-row no-print">
        <button type="button" className="btn-primary" onClick={() => window.print()}>再打印一份</button>
        <button type="button" onClick={onDone}>完成</button>
      </div>
    </div>
  );
}
