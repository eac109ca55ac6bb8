/**
 * The shell: header with the pages each role works in, the language switch, sign-in, and the
 * hash routes of the five working areas.
 */
import { Component, lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import { I18nContext, makeI18n, storedLang, storeLang, useI18n, type Lang } from './i18n';
import { SessionContext, StaffSignIn, staffOf, useSessionState } from './session';
import { go, Spinner, useRoute } from './ui/kit';

import { HallHome } from './pages/hall-home';

// The hall's first screen, where the public comes in, is in the first file; the rest of the hall and each staff area are chunks loaded when opened.
const HallPage = lazy(() => import('./pages/hall').then((m) => ({ default: m.HallPage })));
const WindowPage = lazy(() => import('./pages/window').then((m) => ({ default: m.WindowPage })));
const DocumentPage = lazy(() => import('./pages/documents').then((m) => ({ default: m.DocumentPage })));
const InboxPage = lazy(() => import('./pages/inbox').then((m) => ({ default: m.InboxPage })));
const HandledPage = lazy(() => import('./pages/worklists').then((m) => ({ default: m.HandledPage })));
const FinishedPage = lazy(() => import('./pages/worklists').then((m) => ({ default: m.FinishedPage })));
const SearchPage = lazy(() => import('./pages/worklists').then((m) => ({ default: m.SearchPage })));
const CasePage = lazy(() => import('./pages/case-page').then((m) => ({ default: m.CasePage })));
const SupervisionPage = lazy(() => import('./pages/supervision').then((m) => ({ default: m.SupervisionPage })));
const CataloguePage = lazy(() => import('./pages/catalogue').then((m) => ({ default: m.CataloguePage })));
const ScreenPage = lazy(() => import('./pages/screen').then((m) => ({ default: m.ScreenPage })));
const KioskPage = lazy(() => import('./pages/kiosk').then((m) => ({ default: m.KioskPage })));

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

  // The hall's big screen (#/screen/<hall>) and kiosk (#/kiosk) fill the screen: no header, no footer.
  if (area === 'screen' || area === 'kiosk') {
    return (
      <I18nContext.Provider value={i18n}>
        <SessionContext.Provider value={sessionCtx}>
          <main id="main" className="fullscreen" tabIndex={-1}><Suspense fallback={<Spinner />}>{area === 'screen' ? <ScreenPage hall={route[1] ?? ''} /> : <KioskPage />}</Suspense></main>
        </SessionContext.Provider>
      </I18nContext.Provider>
    );
  }

  // An applicant sees the service hall only; signed-out visitors also see the staff areas (they lead to staff sign-in).
  const visibleAreas = areas.filter((a) => !a.roles || (sessionCtx.session?.kind !== 'applicant' && (!staff || !staff.roles || a.roles.some((r) => staff.roles?.includes(r)))));
  const staffArea = ['window', 'inbox', 'case', 'supervision', 'catalogue', 'notice', 'doc'].includes(area);
  const signIn = (onDone: Parameters<typeof StaffSignIn>[0]['onDone']) => (
    <div className="signin-wrap"><h1 className="sr-only">{t('工作人员登录', 'Staff sign-in')}</h1><StaffSignIn onDone={onDone} /></div>
  );

  let page;
  if (area === '' ) page = <Landing />;
  else if (area === 'login') page = signIn((s) => go(homeFor(s.roles)));
  else if (area === 'hall') page = route.length > 1 ? <HallPage route={route.slice(1)} /> : <HallHome />;
  else if (staffArea && !staff) page = signIn(() => undefined);
  else if (area === 'window') page = <WindowPage route={route.slice(1)} />;
  else if (area === 'notice' || area === 'doc') page = <DocumentPage kind={route[1] ?? ''} caseNo={route[2] ?? ''} back={route[1] && ['accept', 'correction', 'reject', 'receipt'].includes(route[1]) ? `#/window/case/${route[2] ?? ''}` : `#/case/${route[2] ?? ''}`} />;
  else if (area === 'inbox' && route[1] === 'handled') page = <HandledPage />;
  else if (area === 'inbox' && route[1] === 'finished') page = <FinishedPage />;
  else if (area === 'inbox' && route[1] === 'search') page = <SearchPage />;
  else if (area === 'inbox') page = <InboxPage />;
  else if (area === 'case') page = <CasePage key={route[1]} caseNo={route[1] ?? ''} />;
  else if (area === 'supervision') page = <SupervisionPage route={route.slice(1)} />;
  else if (area === 'catalogue') page = <CataloguePage route={route.slice(1)} />;
  else page = <div className="page"><h1>{t('没有这个页面', 'No such page')}</h1><p><a href="#/">{t('返回首页', 'Home')}</a></p></div>;

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
            {/* The visible word is the language offered, in that language; the accessible name contains it (WCAG 2.5.3). */}
            <button type="button" className="btn-ghost" onClick={() => i18n.setLang(lang === 'zh' ? 'en' : 'zh')}>
              {lang === 'zh' ? <><span lang="en">English</span><span className="sr-only">（切换到英文）</span></> : <><span lang="zh-CN">中文</span><span className="sr-only"> (switch to Chinese)</span></>}
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
        <main id="main" tabIndex={-1}><PageBoundary key={route.join('/')}><Suspense fallback={<div className="page"><Spinner /></div>}>{page}</Suspense></PageBoundary></main>
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


/** A page that fails to render shows a message and a way on, not a blank screen; the next route starts afresh. */
class PageBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }
  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="page" role="alert">
        <h1>页面出错了</h1>
        <p>请刷新页面或返回上一页，您已保存的内容不会丢失。</p>
        <p><button type="button" onClick={() => window.location.reload()}>刷新页面</button> <a href="#/">返回首页</a></p>
      </div>
    );
  }
}
