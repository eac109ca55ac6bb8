/**
 * 大厅叫号屏: the hall's big screen, full-screen at 1920×1080. The ticket called last and its
 * window, the calls before it, and how many wait per category, in type large enough to read
 * across the hall. Live by server-sent events (the browser reconnects by itself); the clock
 * ticks on the screen.
 */
import { useEffect, useState } from 'react';
import type { HallScreen } from '../api-types';
import '../hall/hall.css';

function useScreen(hall: string): { state: HallScreen | null; live: boolean } {
  const [state, setState] = useState<HallScreen | null>(null);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const source = new EventSource(`/api/hall/halls/${encodeURIComponent(hall)}/screen`);
    source.onmessage = (e) => { setState(JSON.parse(String(e.data)) as HallScreen); setLive(true); };
    source.onerror = () => setLive(false);
    return () => source.close();
  }, [hall]);
  return { state, live };
}

function useClock(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(id);
  }, []);
  return now;
}

const timeOf = (d: Date) => new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
const dateOf = (d: Date) => new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: 'long', day: 'numeric', weekday: 'long' }).format(d);

export function ScreenPage({ hall }: { hall: string }) {
  const { state, live } = useScreen(hall);
  const now = useClock();
  const [latest, ...earlier] = state?.calls ?? [];
  return (
    <div className="screen" aria-live="polite">
      <header className="screen-head">
        <h1>{state?.name ?? '办事大厅'}</h1>
        <div className="screen-clock"><span>{dateOf(now)}</span> <strong>{timeOf(now)}</strong></div>
      </header>
      <div className="screen-body">
        <section className="screen-now" aria-label="正在叫号">
          {latest ? (
            <>
              <p className="screen-label">请</p>
              <p className="screen-number" data-testid="screen-number">{latest.number}</p>
              <p className="screen-label">号到 <strong className="screen-window">{latest.windowName}</strong> 办理</p>
            </>
          ) : <p className="screen-label">请取号后留意叫号</p>}
          <ol className="screen-calls" aria-label="刚才叫号">
            {earlier.slice(0, 5).map((c, i) => <li key={`${c.number}-${i}`}><span>{c.number}</span><span>{c.windowName}</span></li>)}
          </ol>
        </section>
        <section className="screen-waiting" aria-label="等候人数">
          <h2>等候人数</h2>
          <table>
            <tbody>
              {(state?.waiting ?? []).map((w) => (
                <tr key={w.category} data-testid={`waiting-${w.category}`}><th scope="row">{w.category} {w.name}</th><td>{w.waiting} 人</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <footer className="screen-foot">{live ? '请留意叫号，过号请到咨询台重新取号' : '正在连接…'}</footer>
    </div>
  );
}
