/**
 * The hall's first screen (#/hall): tracking a case and the service guides. In the app's first
 * file, apart from the rest of the hall (pages/hall.tsx, loaded when a guide, a form or a case is
 * opened), so a phone on a slow network downloads and runs only this before the list shows.
 * index.html paints a static copy of its top before any script (web/e2e/first-paint.test.ts).
 */
import { useState } from 'react';
import { useI18n } from '../i18n';
import { ItemList } from '../ui/item-list';
import { go } from '../ui/kit';

const recentKey = 'onewindow.recentCases';

export function recentCases(): string[] {
  try {
    return (JSON.parse(localStorage.getItem(recentKey) ?? '[]') as string[]).slice(0, 10);
  } catch {
    return [];
  }
}

export function remember(caseNo: string): void {
  try {
    localStorage.setItem(recentKey, JSON.stringify([caseNo, ...recentCases().filter((c) => c !== caseNo)].slice(0, 10)));
  } catch {
    // nothing to keep it in
  }
}

export function HallHome() {
  const { t } = useI18n();
  const [no, setNo] = useState('');
  const recent = recentCases();
  return (
    <div className="page hall">
      {/* elementtiming: the page's paint timing of the heading, read by bench/hall-first-render.ts. */}
      <h1 {...{ elementtiming: 'hall-heading' }}>{t('网上办事大厅', 'Online service hall')}</h1>
      <section className="card" aria-labelledby="track-h">
        <h2 id="track-h">{t('办件查询', 'Track a case')}</h2>
        <form className="inline-form" onSubmit={(e) => { e.preventDefault(); if (no.trim()) go(`/hall/track/${no.trim()}`); }}>
          <label htmlFor="track-no" className="sr-only">{t('办件编号', 'Case number')}</label>
          <input id="track-no" inputMode="numeric" placeholder={t('输入 22 位办件编号', '22-digit case number')} value={no} onChange={(e) => setNo(e.target.value)} />
          <button type="submit" className="btn-primary">{t('查询', 'Track')}</button>
        </form>
        <p><a href="#/hall/mine">{t('我的办件', 'My cases')}</a> · <a href="#/hall/appointment">{t('预约到大厅办理', 'Book a visit to the hall')}</a></p>
        {recent.length > 0 && <p className="muted">{t('最近办件：', 'Recent: ')}{recent.map((c) => <a key={c} className="mono recent" href={`#/hall/track/${c}`}>{c}</a>)}</p>}
      </section>
      <section className="card" aria-labelledby="guides-h">
        <h2 id="guides-h">{t('办事指南', 'Service guides')}</h2>
        <ItemList pickLabel={t('查看指南', 'View guide')} onPick={(it) => go(`/hall/guide/${encodeURIComponent(it.code)}`)} />
      </section>
    </div>
  );
}

