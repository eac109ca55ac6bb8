/**
 * What every renderer shares: whether all errors show (after a submission was tried), and the
 * read-only rendering of a value for approvers (the case page shows the form read-only).
 */
import { createContext } from 'react';
import type { Lang } from '../i18n';
import { fenToYuanDisplay } from './money';

/** Set once the user tried to submit: from then on every error shows. */
export const ShowAllErrors = createContext(false);

/** A value as a person reads it: 是/否, a date, 元 for 分, a list joined with 、. */
export function formatValue(value: unknown, schema: { type?: unknown; format?: string } | undefined, lang: Lang, money?: 'fen'): string {
  if (value === undefined || value === null || value === '') return '';
  if (money === 'fen' && typeof value === 'number') return fenToYuanDisplay(value);
  if (typeof value === 'boolean') return value ? (lang === 'zh' ? '是' : 'Yes') : (lang === 'zh' ? '否' : 'No');
  if (Array.isArray(value)) return value.map((v) => formatValue(v, undefined, lang)).join(lang === 'zh' ? '、' : ', ');
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).map((v) => formatValue(v, undefined, lang)).filter(Boolean).join(' ');
  if (schema?.format === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && lang === 'zh') {
    const [y, m, d] = value.split('-');
    return `${y}年${Number(m)}月${Number(d)}日`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One field, read-only: its label and its value (— when empty). */
export function ReadOnlyField({ label, text }: { label: string; text: string }) {
  return (
    <div className="field field-readonly">
      <span className="ro-label">{label}</span>
      <span className="ro-value">{text || '—'}</span>
    </div>
  );
}
