/**
 * Simplified Chinese first, English second. Text is written in place as `t('中文', 'English')`,
 * so each string keeps both languages side by side; the switch is kept in localStorage.
 */
import { createContext, useContext } from 'react';

export type Lang = 'zh' | 'en';

export interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: (zh: string, en: string) => string;
}

export const I18nContext = createContext<I18n>({ lang: 'zh', setLang: () => undefined, t: (zh) => zh });

export function useI18n(): I18n {
  return useContext(I18nContext);
}

export function makeI18n(lang: Lang, setLang: (l: Lang) => void): I18n {
  return { lang, setLang, t: (zh, en) => (lang === 'zh' ? zh : en) };
}

export function storedLang(): Lang {
  try {
    return localStorage.getItem('onewindow.lang') === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export function storeLang(l: Lang): void {
  try {
    localStorage.setItem('onewindow.lang', l);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

const statusNames: Record<string, [string, string]> = {
  filed: ['已申报', 'Filed'],
  prechecking: ['预审中', 'Pre-check'],
  awaiting_correction: ['待补正', 'Awaiting correction'],
  in_review: ['审查中', 'In review'],
  special_procedure: ['特别程序', 'Special procedure'],
  awaiting_payment: ['待缴费', 'Awaiting payment'],
  issuing: ['制证', 'Issuing'],
  delivering: ['送达', 'Delivering'],
  completed: ['办结', 'Completed'],
  not_accepted: ['不予受理', 'Not accepted'],
  withdrawn: ['已撤回', 'Withdrawn'],
  voided: ['已作废', 'Voided'],
  closed: ['归档', 'Closed'],
  awaiting_precondition: ['模拟审批待转正', 'Simulated, awaiting precondition'],
  lapsed: ['模拟审批已失效', 'Simulation lapsed'],
};

export function statusName(status: string, lang: Lang): string {
  const n = statusNames[status];
  return n ? n[lang === 'zh' ? 0 : 1] : status;
}

export const statuses = Object.keys(statusNames);

const actionNames: Record<string, [string, string]> = {
  accept: ['受理', 'Accept'],
  reject: ['不予受理', 'Refuse to accept'],
  approve: ['同意（发送）', 'Approve / send on'],
  return: ['退回', 'Send back'],
  correction: ['补正补齐', 'Request correction'],
  suspend: ['特别程序', 'Special procedure'],
  refuse: ['不予许可', 'Refuse'],
  void: ['作废', 'Void'],
  handover: ['窗口发证', 'Hand over'],
  answer: ['答复', 'Answer'],
};

export function actionName(action: string, lang: Lang): string {
  const n = actionNames[action];
  return n ? n[lang === 'zh' ? 0 : 1] : action;
}

const levelNames: Record<string, [string, string]> = {
  normal: ['正常', 'On time'],
  warning: ['预警（黄牌）', 'Warning (yellow)'],
  overdue: ['超时（红牌）', 'Overdue (red)'],
};

export function levelName(level: string, lang: Lang): string {
  const n = levelNames[level];
  return n ? n[lang === 'zh' ? 0 : 1] : level;
}

/** Dates in China time, as the notices and deadlines are meant. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(d);
}

/**
 * A deadline is the instant its last day ends (24:00 China time, stored as the next day's
 * 00:00): shown as that last day, 24:00, the way notices state it.
 */
export function fmtDeadline(iso: string | null | undefined, withTime = true): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const last = new Date(d.getTime() - 1);
  const endsAtMidnight = fmtTime(iso).endsWith('00:00');
  if (!endsAtMidnight) return withTime ? fmtTime(iso) : fmtDate(iso);
  const day = withTime ? fmtTime(last.toISOString()).slice(0, 10) : fmtDate(last.toISOString());
  return withTime ? `${day} 24:00` : day;
}

export function yuan(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}
