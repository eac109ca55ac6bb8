/**
 * The shell: header with the pages each role works in, the language switch, sign-in, and the
 * hash routes of the five working areas.
 */
import { useEffect, useMemo, useState } from 'react';
import { I18nContext, makeI18n, storedLang, storeLang, useI18n, type Lang } from './i18n';
import { SessionContext, StaffSignIn, staffOf, useSessionState } from './session';
import { go, useRoute } from './ui/kit';
import { WindowPage } from './pages/window';
import { NoticePage } from './pages/notice';
import { InboxPage } from './pages/inbox';
import { CasePage } from './pages/case-page';
import { SupervisionPage } from './pages/supervision';
import { HallPage } from './pages/hall';
import { CataloguePage } from './pages/catalogue';

interface Area {
  path: string;
  zh: string;
  en: string;
  /** Roles that work here; none = everyone (the applicant hall). */
  roles?: string[];
}

const areas: Area[] = [
  { path: 'hall', zh: '网上办事大厅', en: 'Online service hall' },
  { path: 'window', zh: '窗口受理', en: 'Window', roles: ['clerk'] },
  { path: 'inbox', zh: '待办', en: 'Inbox', roles: ['approver', 'reviewer', 'head', 'inspector', 'caseworker', 'clerk'] },
  { path: 'supervision', zh: '电子监察', en: 'Supervision', roles: ['supervisor'] },
  { path: 'catalogue', zh: '事项管理', en: 'Catalogue', roles: ['catalogue-admin'] },
];

function homeFor(roles: string[] | undefined): string {
  if (!roles) return '/inbox';
  if (roles.includes('clerk')) return '/window';
  if (roles.includes('supervisor')) return '/supervision';
  if (roles.includes('catalogue-admin')) return '/catalogue';
  return '/inbox';
}

export function App() {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const i18n = useMemo(() => makeI18n(lang, (l) => { storeLang(l); setLangState(l); }), [lang]);
  const sessionCtx = useSessionState();
  const route = useRoute();
  const { t } = i18n;
  const staff = staffOf(sessionCtx.session);
  const area = route[0] ?? '';

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t('一网通办 · 政务服务一体化平台', 'onewindow · integrated government services');
  }, [lang, t]);

  // An applicant sees the service hall only; signed-out visitors also see the staff areas (they lead to staff sign-in).
  const visibleAreas = areas.filter((a) => !a.roles || (sessionCtx.session?.kind !== 'applicant' && (!staff || !staff.roles || a.roles.some((r) => staff.roles?.includes(r)))));
  const staffArea = ['window', 'inbox', 'case', 'supervision', 'catalogue', 'notice'].includes(area);

  let page;
  if (area === '' ) page = <Landing />;
  else if (area === 'login') page = <div className="signin-wrap"><StaffSignIn onDone={(s) => go(homeFor(s.roles))} /></div>;
  else if (area === 'hall') page = <HallPage route={route.slice(1)} />;
  else if (staffArea && !staff) page = <div className="signin-wrap"><StaffSignIn onDone={() => undefined} /></div>;
  else if (area === 'window') page = <WindowPage route={route.slice(1)} />;
  else if (area === 'notice') page = <NoticePage kind={route[1] ?? ''} caseNo={route[2] ?? ''} />;
  else if (area === 'inbox') page = <InboxPage />;
  else if (area === 'case') page = <CasePage caseNo={route[1] ?? ''} />;
  else if (area === 'supervision') page = <SupervisionPage route={route.slice(1)} />;
  else if (area === 'catalogue') page = <CataloguePage route={route.slice(1)} />;
  else page = <p>{t('没有这个页面。', 'No such page.')} <a href="#/">{t('返回首页', 'Home')}</a></p>;

  return (
    <I18nContext.Provider value={i18n}>
      <SessionContext.Provider value={sessionCtx}>
        <a className="skip" href="#main">{t('跳到正文', 'Skip to content')}</a>
        <header className="topbar no-print">
          <a className="brand" href="#/">
            <span className="brand-mark" aria-hidden="true">政</span>
            <span>{t('一网通办', 'onewindow')}<small>{t('政务服务一体化平台', 'integrated government services')}</small></span>
          </a>
          <nav aria-label={t('主导航', 'Main')}>
            <ul>
              {visibleAreas.map((a) => (
                <li key={a.path}><a href={`#/${a.path}`} aria-current={area === a.path ? 'page' : undefined}>{lang === 'zh' ? a.zh : a.en}</a></li>
              ))}
            </ul>
          </nav>
          <div className="topbar-right">
            <button type="button" className="btn-ghost" onClick={() => i18n.setLang(lang === 'zh' ? 'en' : 'zh')} aria-label={t('切换到英文', 'Switch to Chinese')}>
              {lang === 'zh' ? 'English' : '中文'}
            </button>
            {sessionCtx.session ? (
              <>
                <span className="who">{sessionCtx.session.kind === 'staff' ? (sessionCtx.session.name ?? sessionCtx.session.userId) : sessionCtx.session.name}</span>
                <button type="button" className="btn-ghost" onClick={() => { sessionCtx.signOut(); go('/'); }}>{t('退出', 'Sign out')}</button>
              </>
            ) : (
              <a className="btn-ghost" href="#/login">{t('工作人员登录', 'Staff sign-in')}</a>
            )}
          </div>
        </header>
        <main id="main" tabIndex={-1}>{page}</main>
        <footer className="no-print"><small>{t('监督电话 12345 · 政务服务一体化平台', 'Supervision hotline 12345 · onewindow')}</small></footer>
      </SessionContext.Provider>
    </I18nContext.Provider>
  );
}

function Landing() {
  const { t } = useI18n();
  return (
    <div className="landing">
      <section className="card hero">
        <h1>{t('一网通办，一次办好', 'One window, done in one go')}</h1>
        <p>{t('查询办事指南、网上申报、查询办件进度、缴费与评价。', 'Find service guides, apply online, track your case, pay and rate the service.')}</p>
        <a className="btn-primary" href="#/hall">{t('进入网上办事大厅', 'Enter the online service hall')}</a>
      </section>
      <section className="card">
        <h2>{t('工作人员入口', 'For staff')}</h2>
        <ul className="tiles">
          {areas.filter((a) => a.roles).map((a) => (
            <li key={a.path}><a href={`#/${a.path}`}><strong>{t(a.zh, a.en)}</strong></a></li>
          ))}
        </ul>
      </section>
    </div>
  );
}

