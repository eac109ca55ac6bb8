/**
 * 大厅等候与办理时长 on the supervisor's dashboard: waiting and service times of the halls in
 * the jurisdiction by hall, window or item (average, 90th percentile, share over 20 minutes),
 * no-shows and the ratings given per ticket.
 */
import { useState } from 'react';
import { get, qs } from '../api';
import type { HallIndicators, HallList } from '../api-types';
import { useI18n } from '../i18n';
import { ErrorBanner, Spinner, useLoad } from '../ui/kit';
import '../hall/hall.css';

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);
const min = (v: number | null) => (v === null ? '—' : String(v));

export function HallIndicatorsCard({ from }: { from: string }) {
  const { t } = useI18n();
  const [by, setBy] = useState<'hall' | 'window' | 'item'>('hall');
  const data = useLoad((signal) => get<HallIndicators>(`/api/hall/indicators${qs({ by, from })}`, { signal }), [by, from]);
  const halls = useLoad((signal) => get<HallList>('/api/hall/halls', { signal }), []);
  const hallName = (code: string) => halls.data?.halls.find((h) => h.code === code)?.name ?? code;
  const rows = data.data?.rows ?? [];
  const keyHead = by === 'hall' ? t('大厅', 'Hall') : by === 'window' ? t('窗口', 'Window') : t('事项', 'Item');
  return (
    <section className="card" aria-labelledby="hall-ind-h">
      <div className="card-head">
        <h2 id="hall-ind-h">{t('大厅等候与办理时长', 'Hall waiting and service times')}</h2>
        <div className="field inline">
          <label htmlFor="hall-ind-by">{t('统计维度', 'By')}</label>
          <select id="hall-ind-by" value={by} onChange={(e) => setBy(e.target.value as 'hall' | 'window' | 'item')}>
            <option value="hall">{t('按大厅', 'By hall')}</option>
            <option value="window">{t('按窗口', 'By window')}</option>
            <option value="item">{t('按事项', 'By item')}</option>
          </select>
        </div>
      </div>
      <ErrorBanner error={data.error} onRetry={data.reload} />
      {data.loading && !data.data && <Spinner />}
      <div className="table-scroll" role="region" aria-labelledby="hall-ind-h" tabIndex={0}>
        <table className="table hall-ind" data-testid="hall-indicators">
          <thead>
            <tr>
              <th scope="col">{keyHead}</th><th scope="col">{t('取号数', 'Tickets')}</th>
              <th scope="col">{t('平均等候（分钟）', 'Avg wait (min)')}</th><th scope="col">{t('九成人等候不超过（分钟）', 'p90 wait (min)')}</th><th scope="col">{t('等候超20分钟', 'Wait over 20 min')}</th>
              <th scope="col">{t('平均办理（分钟）', 'Avg service (min)')}</th><th scope="col">{t('九成人办理不超过（分钟）', 'p90 service (min)')}</th><th scope="col">{t('办理超20分钟', 'Service over 20 min')}</th>
              <th scope="col">{t('过号', 'No-shows')}</th><th scope="col">{t('预约未到', 'Missed bookings')}</th><th scope="col">{t('评价数', 'Ratings')}</th><th scope="col">{t('满意率', 'Satisfied')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.hall}|${String(r.window ?? '')}|${String(r.implementationCode ?? '')}`}>
                <td>{by === 'hall' ? hallName(r.hall) : by === 'window' ? t(`${hallName(r.hall)} ${String(r.window)}号窗口`, `${hallName(r.hall)} window ${String(r.window)}`) : <span className="mono">{r.implementationCode ?? t('未指定事项', 'not given')}</span>}</td>
                <td>{r.tickets}</td>
                <td>{min(r.avgWaitMinutes)}</td><td>{min(r.p90WaitMinutes)}</td><td>{pct(r.waitOver20Share)}</td>
                <td>{min(r.avgServiceMinutes)}</td><td>{min(r.p90ServiceMinutes)}</td><td>{pct(r.serviceOver20Share)}</td>
                <td>{r.noShows}</td><td>{r.appointmentNoShows ?? '—'}</td><td>{r.evaluations}</td><td>{pct(r.satisfiedShare)}</td>
              </tr>
            ))}
            {data.data && rows.length === 0 && <tr><td colSpan={12} className="muted">{t('本区间没有取号', 'No tickets in this period')}</td></tr>}
          </tbody>
        </table>
      </div>
    </section>
  );
}
